//! The ARC view: the task panel (the task list, the test input, "load a task JSON file", the
//! demonstration pairs and the test input) and the result of a run (the prediction cropped by the
//! official EOS rule, the expected output and their cell diff). What anything means is decided in
//! [`crate::arc_input`] and [`crate::view_model::overlay`] (plain Rust, tested natively).

use leptos::prelude::*;
use trm_puzzles::arc::Grid;
use wasm_bindgen::JsCast;

use crate::arc_input::{
    ArcDraft, COLOUR_NAMES, DiffCell, PALETTE, diff_cells, expected_output, grid_text, known_paths, mark_words,
    shape_text, task_list,
};
use crate::engine::PuzzleKind;
use crate::playground::{PageEvent, Playground, VoteView};
use crate::view_model::overlay::{Mark, arc_prediction, overlay};

/// A small ARC grid in the official palette. Screen readers get it as one image whose label gives
/// its size and rows; `data-grid` holds the rows as digits (`012/340`).
fn arc_grid(id: Option<&'static str>, rows: usize, cols: usize, cells: Vec<DiffCell>, label: String) -> AnyView {
    let text: String = cells
        .chunks(cols.max(1))
        .map(|row| row.iter().map(|c| c.colour.map_or('.', |v| char::from(b'0' + v.min(9)))).collect::<String>())
        .collect::<Vec<_>>()
        .join("/");
    let body = if cells.is_empty() {
        view! { <span class="muted">"(empty grid)"</span> }.into_any()
    } else {
        cells
            .into_iter()
            .map(|c| {
                let (class, _) = mark_words(c.mark);
                let style = c.colour.map(|v| format!("background-color: {}", PALETTE[usize::from(v.min(9))]));
                view! { <span class=format!("arc-cell {class}") style=style></span> }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <div id=id class="arc-grid" role="img" aria-label=label data-grid=text
            style=format!("--rows: {rows}; --cols: {cols}")>
            {body}
        </div>
    }
    .into_any()
}

/// An ARC grid with its colours only (no marks).
fn plain_grid(id: Option<&'static str>, grid: &Grid, what: &str) -> AnyView {
    let cells = grid.cells().iter().map(|&v| DiffCell { colour: Some(v), mark: Mark::Plain }).collect();
    arc_grid(id, grid.rows(), grid.cols(), cells, grid_label(what, grid))
}

/// "the test input, 3×3: row 1 black, blue, black; …" (rows after 10 are summed up).
fn grid_label(what: &str, grid: &Grid) -> String {
    let rows: Vec<String> = grid
        .to_rows()
        .iter()
        .take(10)
        .enumerate()
        .map(|(r, row)| {
            let names: Vec<&str> = row.iter().map(|&v| COLOUR_NAMES[usize::from(v.min(9))]).collect();
            format!("row {}: {}", r + 1, names.join(", "))
        })
        .collect();
    let more = if grid.rows() > 10 { "; …" } else { "" };
    format!("{what}, {}: {}{more}", shape_text(grid), rows.join("; "))
}

/// Choosing the ARC task: the bundled list (the tasks the bundled model knows first; those too big for
/// the canvas say why), the test input, a task file; then the demonstrations and the test input.
#[component]
pub fn ArcInput(draft: RwSignal<ArcDraft>, canvas: Memo<usize>, run: Callback<()>) -> impl IntoView {
    let options = move || {
        task_list(canvas.get()).into_iter().map(|e| view! { <option value=e.path>{e.label()}</option> }).collect_view()
    };
    let from_file = move || draft.with(|d| d.bundled.is_none());
    let chosen = move || draft.with(|d| d.bundled.unwrap_or("").to_string());
    let choose = move |ev: leptos::ev::Event| match ArcDraft::from_bundled(&event_target_value(&ev)) {
        Ok(d) => {
            draft.set(d);
            run.run(());
        }
        Err(e) => draft.update(|d| d.error = Some(e)),
    };
    let tests = move || draft.with(|d| d.task.test.len());
    let test_options = move || {
        (0..tests()).map(|k| view! { <option value=k.to_string()>{format!("test {}", k + 1)}</option> }).collect_view()
    };
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let file = input.files().and_then(|list| list.get(0));
        // Choosing the same file again must fire `change` again.
        input.set_value("");
        let Some(file) = file else { return };
        leptos::task::spawn_local(async move {
            let name = file.name();
            let loaded = match crate::fetch::file_bytes(&file).await {
                Ok(bytes) => {
                    let mut ok = false;
                    draft.update(|d| ok = d.load_file(&name, &bytes));
                    ok
                }
                Err(e) => {
                    draft.update(|d| d.error = Some(format!("{name} cannot be read (the task shown stays): {e}")));
                    false
                }
            };
            if loaded {
                run.run(());
            }
        });
    };
    let origin = move || {
        draft.with(|d| {
            let known = d.bundled.is_some_and(|p| known_paths().contains(&p));
            let seen = if known {
                "the bundled model was trained on it"
            } else {
                "the bundled model has never seen it (it runs with the blank embedding row)"
            };
            format!(
                "{} · {} demonstration pair(s) · test {} of {} · {seen}",
                d.origin,
                d.task.train.len(),
                d.test + 1,
                d.task.test.len()
            )
        })
    };
    let problem = move || draft.with(|d| d.problem(canvas.get()));
    let demos = move || {
        draft.with(|d| {
            d.task
                .train
                .iter()
                .enumerate()
                .map(|(k, pair)| {
                    let what = format!("demonstration {}", k + 1);
                    view! {
                        <figure class="arc-pair">
                            <div class="arc-pair-grids">
                                {plain_grid(None, &pair.input, &format!("{what} input"))}
                                <span aria-hidden="true" class="arrow">"→"</span>
                                {plain_grid(None, &pair.output, &format!("{what} output"))}
                            </div>
                            <figcaption>{format!("{} · {} → {}", what, shape_text(&pair.input), shape_text(&pair.output))}</figcaption>
                        </figure>
                    }
                })
                .collect_view()
        })
    };
    let test_input = move || {
        draft.with(|d| {
            d.task.test.get(d.test).map(|pair| {
                view! {
                    <figure class="arc-pair">
                        {plain_grid(Some("arc-test-input"), &pair.input, &format!("test {} input", d.test + 1))}
                        <figcaption>{format!("Test {} input · {} · the model answers it", d.test + 1, shape_text(&pair.input))}</figcaption>
                    </figure>
                }
            })
        })
    };
    view! {
        <div class="arc-input" id="arc-input" data-task=move || draft.with(|d| d.name.clone())>
            <div class="row">
                <label for="arc-task">"Task"</label>
                <select id="arc-task" prop:value=chosen on:change=choose aria-describedby="arc-origin">
                    {move || from_file().then(|| view! { <option value="">"(your task file)"</option> })}
                    {options}
                </select>
                <label for="arc-test" hidden=move || tests() < 2>"Test input"</label>
                <select id="arc-test" hidden=move || tests() < 2 prop:value=move || draft.with(|d| d.test.to_string())
                    on:change=move |ev| {
                        if let Ok(k) = event_target_value(&ev).parse::<usize>() {
                            draft.update(|d| d.select_test(k));
                            run.run(());
                        }
                    }>
                    {test_options}
                </select>
            </div>
            <div class="row">
                <label for="arc-file">"Load a task JSON file"</label>
                <input id="arc-file" type="file" accept=".json,application/json" aria-describedby="arc-error"
                    on:change=on_file />
            </div>
            {move || draft.with(|d| d.error.clone()).map(|e| view! { <p id="arc-error" class="error" role="alert">{e}</p> })}
            <p id="arc-origin" class="muted">{origin}</p>
            {move || problem().map(|p| view! {
                <p id="arc-fit" class="error" role="alert">{format!("This task cannot run on this model: {p}.")}</p>
            })}
            <button id="arc-run" on:click=move |_| run.run(()) disabled=move || problem().is_some()>"Run this task"</button>
            <h3 class="arc-heading">"Demonstrations"</h3>
            <div id="arc-demos" class="arc-demos">{demos}</div>
            <div class="arc-demos">{test_input}</div>
        </div>
    }
}

/// An ARC run's result for the frame shown: the answer canvas cropped by the official EOS rule, the
/// expected output when the task has it, and the cell diff between the two.
#[component]
pub fn ArcResult(state: ReadSignal<Playground>) -> impl IntoView {
    let expected = Memo::new(move |_| state.with(|s| s.puzzle.as_ref().and_then(expected_output)));
    move || {
        state.with(|s| {
            let (Some(info), Some(frame)) = (&s.run.info, s.run.frame()) else { return ().into_any() };
            let PuzzleKind::Arc { canvas } = info.kind else { return ().into_any() };
            let expected = expected.get();
            let predicted = match arc_prediction(frame, canvas) {
                Ok(p) => p,
                Err(e) => return view! { <p class="error">{e.to_string()}</p> }.into_any(),
            };
            let over = overlay(frame, info.kind, info.rows, info.cols, expected.as_ref()).ok();
            let summary = over.as_ref().map(|o| o.summary()).unwrap_or_default();
            let expected_view = match &expected {
                Some(e) => view! {
                    <figure>
                        {plain_grid(Some("arc-expected"), e, "the expected output")}
                        <figcaption>{format!("Expected output · {}", shape_text(e))}</figcaption>
                    </figure>
                }
                .into_any(),
                None => view! { <p id="arc-no-expected" class="muted">"This test has no expected output to compare with."</p> }
                    .into_any(),
            };
            let diff_view = match (&expected, &over) {
                (Some(e), Some(o)) => {
                    let (rows, cols, cells) = diff_cells(&predicted, e, o);
                    let wrong = cells.iter().filter(|c| c.mark == Mark::Wrong).count();
                    let label = format!("the cell diff, {rows}×{cols}: {summary}");
                    view! {
                        <figure id="arc-diff-figure" data-wrong=wrong.to_string()>
                            {arc_grid(Some("arc-diff"), rows, cols, cells, label)}
                            <figcaption>"Diff · ✗ wrong · + predicted outside the expected grid · − expected but missing"</figcaption>
                        </figure>
                    }
                    .into_any()
                }
                _ => ().into_any(),
            };
            view! {
                <div class="arc-result" id="arc-result" data-predicted=grid_text(&predicted)>
                    <figure>
                        {plain_grid(Some("arc-predicted"), &predicted, "the predicted output")}
                        <figcaption>{format!("Predicted output · {} · the answer y cropped by the official EOS rule", shape_text(&predicted))}</figcaption>
                    </figure>
                    {expected_view}
                    {diff_view}
                    <p id="arc-verdict" class="verdict">{summary}</p>
                </div>
            }
            .into_any()
        })
    }
}

/// A grid given as rows of colours (a vote's prediction).
fn rows_grid(id: Option<&'static str>, rows: &[Vec<u8>], what: &str) -> AnyView {
    match Grid::from_rows(rows) {
        Ok(grid) => plain_grid(id, &grid, what),
        Err(_) => view! { <span class="muted">"(empty grid)"</span> }.into_any(),
    }
}

/// Versions a vote can run (the original included), the first the default.
pub const VOTE_CHOICES: [u32; 3] = [9, 5, 17];

/// pass@2 voting over augmented versions of the ARC task: the button, each version's de-augmented
/// prediction, the tally and the two attempts.
#[component]
pub fn VotePanel(state: ReadSignal<Playground>, on_event: Callback<PageEvent>) -> impl IntoView {
    let versions = RwSignal::new(VOTE_CHOICES[0]);
    let is_arc = move || state.with(|s| s.run.info.as_ref().is_some_and(|i| matches!(i.kind, PuzzleKind::Arc { .. })));
    let running = move || state.with(|s| s.vote.as_ref().is_some_and(VoteView::running));
    let expected = Memo::new(move |_| state.with(|s| s.puzzle.as_ref().and_then(expected_output)));
    let choices = VOTE_CHOICES
        .iter()
        .map(|&n| view! { <option value=n.to_string()>{format!("the original and {} augmented", n - 1)}</option> })
        .collect_view();
    let body = move || {
        state.with(|s| {
            let vote = s.vote.as_ref()?;
            let expected = expected.get();
            let attempts = vote
                .attempts()
                .iter()
                .enumerate()
                .map(|(k, c)| {
                    let right = match expected.as_ref().map(|e| e.to_rows() == c.grid) {
                        Some(true) => " · matches the expected output",
                        Some(false) => " · differs from the expected output",
                        None => "",
                    };
                    view! {
                        <figure class="vote-attempt" data-votes=c.votes.to_string()>
                            {rows_grid(None, &c.grid, &format!("attempt {}", k + 1))}
                            <figcaption>{format!("Attempt {} · {} vote(s) · mean confidence {:.2}{right}", k + 1, c.votes, c.mean_q)}</figcaption>
                        </figure>
                    }
                })
                .collect_view();
            let tally = vote
                .candidates()
                .iter()
                .enumerate()
                .map(|(k, c)| {
                    view! {
                        <tr class="vote-candidate" data-votes=c.votes.to_string()>
                            <td>{k + 1}</td>
                            <td>{rows_grid(None, &c.grid, &format!("candidate {}", k + 1))}</td>
                            <td>{c.votes}</td>
                            <td>{format!("{:.2}", c.mean_q)}</td>
                        </tr>
                    }
                })
                .collect_view();
            let each = vote
                .versions
                .iter()
                .map(|v| {
                    let caption = format!(
                        "{} · {} · halt {}",
                        if v.index == 0 { "original".to_string() } else { format!("version {}", v.index) },
                        if v.seen { "trained on" } else { "never seen" },
                        v.halt_probability.map_or("–".into(), |p| format!("{p:.2}"))
                    );
                    view! {
                        <figure class="vote-version" title=v.name.clone()>
                            {rows_grid(None, &v.prediction, &format!("{caption}, de-augmented prediction"))}
                            <figcaption>{caption}</figcaption>
                        </figure>
                    }
                })
                .collect_view();
            Some(view! {
                <div class="arc-demos" id="vote-attempts">{attempts}</div>
                <details open>
                    <summary>"Tally (every distinct prediction, best first)"</summary>
                    <div class="table-wrap">
                        <table id="vote-tally">
                            <thead><tr><th scope="col">"Rank"</th><th scope="col">"Prediction"</th>
                                <th scope="col">"Votes"</th><th scope="col">"Mean confidence"</th></tr></thead>
                            <tbody>{tally}</tbody>
                        </table>
                    </div>
                </details>
                <details>
                    <summary>"Each version's prediction, de-augmented back to the task"</summary>
                    <div class="arc-demos" id="vote-versions">{each}</div>
                </details>
            })
        })
    };
    view! {
        <div class="arc-vote" id="arc-vote" hidden=move || !is_arc()
            data-versions=move || state.with(|s| s.vote.as_ref().map_or(0, |v| v.versions.len()).to_string())
            data-total=move || state.with(|s| s.vote.as_ref().and_then(|v| v.total).unwrap_or(0).to_string())
            data-votes=move || state.with(|s| s.vote.as_ref().map_or(0, VoteView::votes).to_string())
            data-done=move || state.with(|s| s.vote.as_ref().and_then(|v| v.finished).map(|r| format!("{r:?}")).unwrap_or_default())>
            <h3>"pass@2: vote over augmented versions"</h3>
            <p class="muted">
                "Runs the test input in rotated, mirrored and recoloured versions (those the model was trained on first), \
                 maps every prediction back, and ranks the distinct answers by votes, then by the halting head's confidence: \
                 the top two are the task's two attempts, as the official evaluation counts them."
            </p>
            <div class="row">
                <label for="vote-count">"Versions"</label>
                <select id="vote-count" prop:value=move || versions.get().to_string()
                    on:change=move |ev| versions.set(event_target_value(&ev).parse().unwrap_or(VOTE_CHOICES[0]))>
                    {choices}
                </select>
                <button id="vote" disabled=move || running() || !is_arc()
                    on:click=move |_| on_event.run(PageEvent::Vote(versions.get_untracked()))>"Vote (pass@2)"</button>
                <button id="vote-cancel" disabled=move || !running() on:click=move |_| on_event.run(PageEvent::Cancel)>
                    "Stop voting"
                </button>
            </div>
            <p id="vote-status" aria-live="polite">{move || state.with(|s| s.vote.as_ref().map(VoteView::status))}</p>
            {body}
        </div>
    }
}
