//! The page's panels: puzzle in, the run (controls, answer, scratch paper, chart), the explainer and
//! the model card. They render signals and turn clicks into [`PageEvent`]s; what a click means is
//! decided by [`Playground`] and [`SudokuDraft`] (plain Rust, tested natively).

use leptos::prelude::*;
use trm_puzzles::MazeCell;
use trm_puzzles::maze::MazeTier;
use trm_puzzles::sudoku::Tier;
use wasm_bindgen::JsCast;

use crate::arc_input::{ArcDraft, arc_edit_symbol};
use crate::arc_view::{ArcInput, ArcResult, VotePanel};
use crate::catalog::{BUNDLED_MODELS, samples_for};
use crate::engine::{Frame, FrameKind, PuzzleKind};
use crate::export;
use crate::maze_input::{MazeDraft, generate_maze, maze_edit_symbol};
use crate::playground::{ModelStatus, PageEvent, Playground, SPEEDS};
use crate::protocol::DoneReason;
use crate::puzzle_input::{KeyOutcome, SudokuDraft, edit_symbol, generate, move_selection};
use crate::view_model::card::card_view;
use crate::view_model::chart::{Chart, Series};
use crate::view_model::grid::{CellView, activity_cells, answer_cells, kind_class, scratch_cells};
use crate::view_model::overlay::overlay;
use crate::view_model::share;

/// Cells grouped in ARIA rows (`display: contents`, so the CSS grid still places the cells).
fn in_rows(cells: Vec<AnyView>, side: usize) -> AnyView {
    let mut rows = Vec::new();
    let mut cells = cells.into_iter().peekable();
    while cells.peek().is_some() {
        let row: Vec<AnyView> = cells.by_ref().take(side.max(1)).collect();
        rows.push(view! { <div role="row" class="grid-row">{row}</div> });
    }
    rows.into_any()
}

/// A grid of cells (answer, scratch paper, activity, editor).
fn grid_view(id: &'static str, class: String, label: String, side: usize, cells: Vec<CellView>) -> AnyView {
    let cells = cells
        .into_iter()
        .map(|c| {
            view! {
                <div class=c.class role="gridcell" aria-label=c.label style=format!("--level: {:.3}", c.level)>
                    <span class="sym">{c.text}</span>
                </div>
            }
            .into_any()
        })
        .collect();
    view! {
        <div id=id class=format!("grid {class}") role="grid" aria-label=label style=format!("--side: {side}")>
            {in_rows(cells, side)}
        </div>
    }
    .into_any()
}

// ---------------------------------------------------------------------------------------------
// Puzzle in
// ---------------------------------------------------------------------------------------------

/// Choosing the puzzle: domain and size (one entry per bundled model), samples, generator, text box
/// and the editor: the Sudoku one (click a cell, type a digit) or the maze one (paint walls, drag
/// `S` and `G`), after the puzzle kind of the loaded model.
#[component]
pub fn PuzzlePanel(
    state: ReadSignal<Playground>,
    draft: RwSignal<SudokuDraft>,
    maze_draft: RwSignal<MazeDraft>,
    arc_draft: RwSignal<ArcDraft>,
    choose_model: Callback<usize>,
    on_event: Callback<PageEvent>,
    /// Shown under the puzzle type ("load your own model").
    children: Children,
) -> impl IntoView {
    let model_index = move || state.with(|s| s.model_index);
    let kind = Memo::new(move |_| state.with(Playground::puzzle_kind));
    let is_maze = Memo::new(move |_| matches!(kind.get(), PuzzleKind::Maze { .. }));
    let is_arc = Memo::new(move |_| matches!(kind.get(), PuzzleKind::Arc { .. }));
    let canvas = Memo::new(move |_| match kind.get() {
        PuzzleKind::Arc { canvas } => canvas,
        _ => 0,
    });
    let tier = RwSignal::new(0usize);
    let number = RwSignal::new(1usize);
    let seed_text = RwSignal::new("1".to_string());
    let gen_tier = RwSignal::new("easy".to_string());
    let gen_error = RwSignal::new(None::<String>);
    // Another puzzle kind: its first tier and sample.
    Effect::new(move |_| {
        kind.track();
        tier.set(0);
        number.set(1);
        gen_tier.set("easy".into());
        gen_error.set(None);
    });

    let run_draft = move || {
        let source = match kind.get_untracked() {
            // A task too big for the canvas is not sent: the panel says why.
            PuzzleKind::Arc { canvas } => arc_draft.with_untracked(|d| d.problem(canvas).is_none().then(|| d.source())),
            PuzzleKind::Maze { .. } => maze_draft.with_untracked(MazeDraft::source),
            PuzzleKind::Sudoku { .. } => draft.with_untracked(SudokuDraft::source),
        };
        if let Some(source) = source {
            on_event.run(PageEvent::RunPuzzle(source));
        }
    };

    let sets = move || samples_for(kind.get());
    let load_sample = move |_| {
        let kind = kind.get_untracked();
        let sets = samples_for(kind);
        let Some(set) = sets.get(tier.get_untracked()) else { return };
        let k = number.get_untracked().saturating_sub(1);
        let Some(sample) = set.get(k) else { return };
        let origin = format!("sample {} ({})", k + 1, set.tier);
        match kind {
            PuzzleKind::Maze { side } => maze_draft.set(MazeDraft::from_text(side, &sample.puzzle, origin)),
            _ => draft.set(SudokuDraft::from_line(kind.seq_len().isqrt(), &sample.puzzle, sample.solution, origin)),
        }
        run_draft();
    };

    let do_generate = move |_| {
        let kind = kind.get_untracked();
        let seed = match seed_text.get_untracked().trim().parse::<u64>() {
            Ok(seed) => seed,
            Err(_) => {
                gen_error.set(Some("the seed must be a whole number from 0 to 18446744073709551615".into()));
                return;
            }
        };
        let tier_name = gen_tier.get_untracked();
        let made = match kind {
            PuzzleKind::Maze { side } => tier_name
                .parse::<MazeTier>()
                .map_err(|e| e.to_string())
                .and_then(|t| generate_maze(side, seed, t))
                .map(|d| maze_draft.set(d)),
            _ => tier_name
                .parse::<Tier>()
                .map_err(|e| e.to_string())
                .and_then(|t| generate(kind.seq_len().isqrt(), seed, t))
                .map(|d| draft.set(d)),
        };
        match made {
            Ok(()) => {
                gen_error.set(None);
                seed_text.set(seed.wrapping_add(1).to_string());
                run_draft();
            }
            Err(e) => gen_error.set(Some(e)),
        }
    };

    let model_options = BUNDLED_MODELS
        .iter()
        .enumerate()
        .map(|(k, m)| view! { <option value=k.to_string()>{m.label}</option> })
        .collect_view();
    let tier_options = move || {
        sets()
            .into_iter()
            .enumerate()
            .map(|(k, s)| view! { <option value=k.to_string()>{s.tier}</option> })
            .collect_view()
    };
    let number_options = move || {
        let len = sets().get(tier.get()).map_or(0, |s| s.len());
        (1..=len).map(|k| view! { <option value=k.to_string()>{k}</option> }).collect_view()
    };
    let gen_tiers = move || {
        let names: Vec<&'static str> = if is_maze.get() {
            MazeTier::ALL.iter().map(|t| t.name()).collect()
        } else {
            Tier::ALL.iter().map(|t| t.name()).collect()
        };
        names.into_iter().map(|t| view! { <option value=t>{t}</option> }).collect_view()
    };
    let own_kind = move || {
        state.with(|s| {
            let chosen = s.bundled().map(|m| m.kind);
            (chosen != Some(s.puzzle_kind())).then(|| format!("(your model: {})", s.puzzle_kind().describe()))
        })
    };

    view! {
        <section aria-labelledby="puzzle-title" class="panel puzzle">
            <h2 id="puzzle-title">"1 · Pick a puzzle"</h2>
            <div class="row">
                <label for="model-select">"Puzzle type"</label>
                <select id="model-select" prop:value=move || model_index().to_string()
                    on:change=move |ev| {
                        if let Ok(k) = event_target_value(&ev).parse::<usize>() {
                            choose_model.run(k);
                        }
                    }>
                    {model_options}
                </select>
                <span id="puzzle-kind" class="muted">
                    {move || own_kind().unwrap_or_else(|| "(only the sizes a bundled model solves)".into())}
                </span>
            </div>
            {children()}
            <fieldset class="row" hidden=move || is_arc.get()>
                <legend>"Bundled samples"</legend>
                <label for="sample-tier">"Tier"</label>
                <select id="sample-tier" prop:value=move || tier.get().to_string()
                    on:change=move |ev| {
                        tier.set(event_target_value(&ev).parse().unwrap_or(0));
                        number.set(1);
                    }>
                    {tier_options}
                </select>
                <label for="sample-number">"Number"</label>
                <select id="sample-number" prop:value=move || number.get().to_string()
                    on:change=move |ev| number.set(event_target_value(&ev).parse().unwrap_or(1))>
                    {number_options}
                </select>
                <button id="load-sample" on:click=load_sample>"Load sample"</button>
            </fieldset>
            <fieldset class="row" hidden=move || is_arc.get()>
                <legend>"Generate"</legend>
                <label for="gen-seed">"Seed"</label>
                <input id="gen-seed" type="text" inputmode="numeric" size="8" prop:value=move || seed_text.get()
                    on:input=move |ev| seed_text.set(event_target_value(&ev)) />
                <label for="gen-tier">"Tier"</label>
                <select id="gen-tier" prop:value=move || gen_tier.get()
                    on:change=move |ev| gen_tier.set(event_target_value(&ev))>
                    {gen_tiers}
                </select>
                <button id="generate" on:click=do_generate>"Generate"</button>
                {move || gen_error.get().map(|e| view! { <p id="gen-error" class="error" role="alert">{e}</p> })}
            </fieldset>
            {move || if is_arc.get() {
                view! { <ArcInput draft=arc_draft canvas run=Callback::new(move |_| run_draft()) /> }.into_any()
            } else if is_maze.get() {
                view! { <MazeInput draft=maze_draft run=Callback::new(move |_| run_draft()) /> }.into_any()
            } else {
                view! { <SudokuInput draft run=Callback::new(move |_| run_draft()) /> }.into_any()
            }}
        </section>
    }
}

/// The Sudoku's text box and click-to-edit grid.
/// A key an editor handled neither scrolls the page nor reaches the page-wide run shortcuts.
fn keep_handled_key(ev: &leptos::ev::KeyboardEvent, outcome: KeyOutcome) {
    if outcome != KeyOutcome::Ignored {
        ev.prevent_default();
        ev.stop_propagation();
    }
}

#[component]
fn SudokuInput(draft: RwSignal<SudokuDraft>, run: Callback<()>) -> impl IntoView {
    // The grid element stays (it keeps the keyboard focus); only its cells are redrawn.
    let editor_cells = move || {
        draft.with(|d| {
            let side = d.side;
            let boxes = crate::view_model::grid::box_shape(PuzzleKind::Sudoku { side }, side, side);
            let cells = d
                .cells
                .iter()
                .enumerate()
                .map(|(k, &v)| {
                    let (r, c) = (k / side, k % side);
                    let mut class = String::from("cell");
                    if v != 0 {
                        class.push_str(" given");
                    }
                    if d.selected == Some(k) {
                        class.push_str(" selected");
                    }
                    if c > 0 && c % boxes.1 == 0 {
                        class.push_str(" box-left");
                    }
                    if r > 0 && r % boxes.0 == 0 {
                        class.push_str(" box-top");
                    }
                    let text = if v == 0 { String::new() } else { v.to_string() };
                    let label = format!(
                        "row {}, column {}: {}",
                        r + 1,
                        c + 1,
                        if v == 0 { "empty".to_string() } else { v.to_string() }
                    );
                    let selected = if d.selected == Some(k) { "true" } else { "false" };
                    view! {
                        <div class=class role="gridcell" aria-label=label aria-selected=selected
                            on:click=move |_| draft.update(|d| d.select(k))>
                            {text}
                        </div>
                    }
                    .into_any()
                })
                .collect();
            in_rows(cells, side)
        })
    };
    view! {
        <div class="puzzle-edit">
            <div class="text-entry">
                <label for="puzzle-text">"Type or paste a Sudoku (digits, '.' or '0' for blanks)"</label>
                <textarea id="puzzle-text" rows="3" spellcheck="false"
                    aria-invalid=move || draft.with(|d| if d.error.is_some() { "true" } else { "false" })
                    aria-describedby="puzzle-error puzzle-origin"
                    prop:value=move || draft.with(|d| d.text.clone())
                    on:input=move |ev| draft.update(|d| d.set_text(&event_target_value(&ev)))>
                </textarea>
                {move || draft.with(|d| d.error.clone()).map(|e| view! {
                    <p id="puzzle-error" class="error" role="alert">{e}</p>
                })}
                <p id="puzzle-origin" class="muted">
                    {move || draft.with(|d| format!(
                        "{} · {} givens{}",
                        d.origin,
                        d.cells.iter().filter(|&&v| v != 0).count(),
                        if d.solution.is_some() { " · solution known" } else { "" },
                    ))}
                </p>
                <button id="run-puzzle" on:click=move |_| run.run(())
                    disabled=move || draft.with(|d| d.error.is_some())>"Run this puzzle"</button>
            </div>
            <div id="editor" class="grid sudoku editor" role="grid" tabindex="0"
                aria-label="puzzle editor: click a cell or use the arrow keys, type a digit; Delete clears"
                style=move || format!("--side: {}", draft.with(|d| d.side))
                on:keydown=move |ev| {
                    let mut outcome = KeyOutcome::Ignored;
                    draft.update(|d| outcome = d.key(&ev.key()));
                    keep_handled_key(&ev, outcome);
                }>
                {editor_cells}
            </div>
        </div>
    }
}

/// The maze cell under a pointer event, from the `data-k` of the cell element there (a finger's
/// drag keeps targeting the cell it started on, so the position is looked up).
fn maze_cell_at(ev: &web_sys::PointerEvent) -> Option<usize> {
    let document = web_sys::window()?.document()?;
    let element = document.element_from_point(ev.client_x() as f32, ev.client_y() as f32)?;
    let cell = element.closest("#maze-editor [data-k]").ok().flatten()?;
    cell.get_attribute("data-k")?.parse().ok()
}

/// The maze's text box and editor: press and drag to paint walls or open cells, drag `S` or `G` to
/// move them; with the keyboard, arrows select, `#` builds a wall, Delete opens, `s` / `g` move.
#[component]
fn MazeInput(draft: RwSignal<MazeDraft>, run: Callback<()>) -> impl IntoView {
    let editor_cells = move || {
        draft.with(|d| {
            let side = d.side;
            let cells = d
                .cells
                .iter()
                .enumerate()
                .map(|(k, &cell)| {
                    let (class, words, text) = match cell {
                        MazeCell::Wall => ("cell wall", "wall", ""),
                        MazeCell::Start => ("cell endpoint", "start S", "S"),
                        MazeCell::Goal => ("cell endpoint", "goal G", "G"),
                        _ => ("cell open", "open", ""),
                    };
                    let selected = d.selected == Some(k);
                    let class = if selected { format!("{class} selected") } else { class.to_string() };
                    let label = format!("row {}, column {}: {words}", k / side + 1, k % side + 1);
                    view! {
                        <div class=class role="gridcell" aria-label=label data-k=k.to_string()
                            aria-selected=if selected { "true" } else { "false" }>
                            {text}
                        </div>
                    }
                    .into_any()
                })
                .collect();
            in_rows(cells, side)
        })
    };
    view! {
        <div class="puzzle-edit">
            <div class="text-entry">
                <label for="maze-text">"Type or paste a maze ('#' wall, space open, one 'S' and one 'G'; 'o' path marks are ignored)"</label>
                <textarea id="maze-text" rows="6" spellcheck="false" class="maze-text"
                    aria-invalid=move || draft.with(|d| if d.error.is_some() { "true" } else { "false" })
                    aria-describedby="puzzle-error puzzle-origin"
                    prop:value=move || draft.with(|d| d.text.clone())
                    on:input=move |ev| draft.update(|d| d.set_text(&event_target_value(&ev)))>
                </textarea>
                {move || draft.with(|d| d.error.clone()).map(|e| view! {
                    <p id="puzzle-error" class="error" role="alert">{e}</p>
                })}
                <p id="puzzle-origin" class="muted">
                    {move || draft.with(|d| format!("{} · {}", d.origin, d.note()))}
                </p>
                <button id="run-puzzle" on:click=move |_| run.run(())
                    disabled=move || draft.with(|d| d.error.is_some())>"Run this maze"</button>
            </div>
            <div id="maze-editor" class="grid maze editor" role="grid" tabindex="0"
                aria-label="maze editor: press and drag to paint walls or open cells, drag S or G to move them; \
                    keyboard: arrow keys select, # builds a wall, Delete opens, Space toggles, s and g move the start and goal"
                data-text=move || draft.with(MazeDraft::maze_text)
                style=move || format!("--side: {}", draft.with(|d| d.side))
                on:pointerdown=move |ev| {
                    if let Some(k) = maze_cell_at(&ev) {
                        ev.prevent_default();
                        draft.update(|d| {
                            d.press(k);
                        });
                    }
                }
                on:pointermove=move |ev| {
                    if draft.with_untracked(|d| d.drag.is_none()) {
                        return;
                    }
                    if let Some(k) = maze_cell_at(&ev) {
                        draft.update(|d| {
                            d.enter(k);
                        });
                    }
                }
                on:pointerup=move |_| draft.update(MazeDraft::release)
                on:pointercancel=move |_| draft.update(MazeDraft::release)
                on:pointerleave=move |_| draft.update(MazeDraft::release)
                on:keydown=move |ev| {
                    let mut outcome = KeyOutcome::Ignored;
                    draft.update(|d| outcome = d.key(&ev.key()));
                    keep_handled_key(&ev, outcome);
                }>
                {editor_cells}
            </div>
        </div>
    }
}

/// "Load your own model": a checkpoint (`.safetensors`, official `.pt` or an extensionless official
/// checkpoint) with its model card, `all_config.yaml` or ARC `identifiers.json`; what is being
/// read, what is wrong with the files chosen, and the way back to the bundled model.
#[component]
pub fn OwnModelControl(
    state: ReadSignal<Playground>,
    /// What is being read ("reading checkpoint.pt (0.9 MB)…").
    note: RwSignal<Option<String>>,
    /// Why the files chosen cannot be used.
    error: RwSignal<Option<String>>,
    load: Callback<Vec<web_sys::File>>,
    use_bundled: Callback<()>,
) -> impl IntoView {
    let own = move || state.with(|s| s.own.clone());
    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let mut files = Vec::new();
        if let Some(list) = input.files() {
            for k in 0..list.length() {
                files.extend(list.get(k));
            }
        }
        // Choosing the same files again must fire `change` again.
        input.set_value("");
        load.run(files);
    };
    let size = move || state.with(|s| s.bundled().map_or("", |m| m.label));
    view! {
        <fieldset class="row own-model">
            <legend>"Load your own model"</legend>
            <label for="own-files">"Checkpoint (.safetensors or official .pt), optional model card / identifiers.json (.json) and all_config.yaml"</label>
            <input id="own-files" type="file" multiple aria-describedby="own-help own-status own-error" on:change=on_change />
            <p id="own-help" class="muted">
                {move || format!(
                    "Without a model card it runs the puzzle type chosen above ({}). Your last model is kept in this browser.",
                    size()
                )}
            </p>
            <p id="own-status" aria-live="polite">
                {move || match (note.get(), own()) {
                    (Some(note), _) => note,
                    (None, Some(name)) => format!("Using your model {name}."),
                    (None, None) => String::new(),
                }}
            </p>
            {move || own().map(|_| view! {
                <button id="own-unload" on:click=move |_| use_bundled.run(())>"Use the bundled model again"</button>
            })}
            {move || error.get().map(|e| view! { <p id="own-error" class="error" role="alert">{e}</p> })}
        </fieldset>
    }
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

fn finished_text(reason: Option<DoneReason>) -> String {
    reason.map(|r| format!("{r:?}")).unwrap_or_default()
}

/// Controls, the answer y, the scratch paper z, the correctness overlay and the chart.
#[component]
pub fn RunPanel(state: ReadSignal<Playground>, on_event: Callback<PageEvent>, restart: Callback<()>) -> impl IntoView {
    let send = move |e: PageEvent| on_event.run(e);
    let frames = move || state.with(|s| s.run.timeline.len().to_string());
    let kinds = move || state.with(|s| s.run.kinds());
    let cursor = move || state.with(|s| s.run.cursor.to_string());
    let finished = move || state.with(|s| finished_text(s.run.finished));
    let answer = move || state.with(|s| s.run.frame().map(Frame::answer_text).unwrap_or_default());
    let input = move || state.with(|s| s.run.frame().map(Frame::input_text).unwrap_or_default());
    let playing = move || state.with(|s| s.playing);
    let busy = move || state.with(|s| s.busy().to_string());
    let has_run = move || state.with(|s| s.run.info.is_some());
    let max_pos = move || state.with(|s| s.run.timeline.len().saturating_sub(1).to_string());

    let error = move || {
        state.with(|s| {
            if let Some(e) = &s.run.error {
                return Some(e.clone());
            }
            if let ModelStatus::Failed(e) = &s.model {
                return Some(e.clone());
            }
            match &s.worker {
                crate::app::WorkerStatus::Failed { message, .. } => Some(message.clone()),
                _ => None,
            }
        })
    };

    let speed_options =
        SPEEDS.iter().map(|(name, ms)| view! { <option value=ms.to_string()>{*name}</option> }).collect_view();

    view! {
        <section aria-labelledby="run-title" class="panel run">
            <h2 id="run-title">"2 · Watch it think"</h2>
            <div id="run" data-frames=frames data-kinds=kinds data-cursor=cursor data-finished=finished
                data-puzzle=move || state.with(|s| match &s.puzzle {
                    Some(crate::engine::PuzzleSource::Arc { name, .. }) => name.clone(),
                    _ => String::new(),
                })
                data-answer=answer data-input=input data-playing=move || playing().to_string() data-busy=busy>
                <div class="toolbar" role="toolbar" aria-label="run controls">
                    <button id="play" aria-pressed=move || playing().to_string() disabled=move || !has_run()
                        aria-keyshortcuts="Space" on:click=move |_| send(PageEvent::TogglePlay)>
                        {move || if playing() { "❚❚ Pause" } else { "▶ Play" }}
                    </button>
                    <button id="step-back" aria-keyshortcuts="ArrowLeft" disabled=move || !has_run()
                        on:click=move |_| send(PageEvent::StepBack)
                        title="one frame back (←)">"◀ Back"</button>
                    <button id="step-app" aria-keyshortcuts="ArrowRight" disabled=move || !has_run()
                        on:click=move |_| send(PageEvent::StepApplication)
                        title="one network application (→)">"Step: one application"</button>
                    <button id="step-refresh" disabled=move || !has_run()
                        on:click=move |_| send(PageEvent::StepRefresh)
                        title="to the next answer refresh">"Step: one y refresh"</button>
                    <button id="reset" disabled=move || !has_run() on:click=move |_| send(PageEvent::Reset)>"↺ Reset"</button>
                    <button id="cancel" disabled=move || !has_run() on:click=move |_| send(PageEvent::Cancel)
                        title="stop the run in flight">"■ Cancel"</button>
                </div>
                <div class="row">
                    <label for="scrubber">"Timeline"</label>
                    <input id="scrubber" type="range" min="0" max=max_pos prop:value=cursor
                        aria-valuetext=move || state.with(|s| format!("frame {} of {}", s.run.cursor + 1, s.run.timeline.len()))
                        on:input=move |ev| {
                            if let Ok(k) = event_target_value(&ev).parse::<usize>() {
                                send(PageEvent::Seek(k));
                            }
                        } />
                </div>
                <div class="row settings">
                    <label for="speed">"Speed"</label>
                    <select id="speed" prop:value=move || state.with(|s| s.delay_ms.to_string())
                        on:change=move |ev| {
                            if let Ok(ms) = event_target_value(&ev).parse::<u32>() {
                                send(PageEvent::SetDelay(ms));
                            }
                        }>
                        {speed_options}
                    </select>
                    <label class="check">
                        <input id="keep-thinking" type="checkbox" prop:checked=move || state.with(|s| s.keep_thinking)
                            on:change=move |ev| send(PageEvent::SetKeepThinking(event_target_checked(&ev))) />
                        "Keep thinking past the trained steps"
                    </label>
                    <label class="check">
                        <input id="stop-on-halt" type="checkbox" prop:checked=move || state.with(|s| s.stop_on_halt)
                            on:change=move |ev| send(PageEvent::SetStopOnHalt(event_target_checked(&ev))) />
                        "Stop when the halting head says so"
                    </label>
                </div>
                <p id="run-status" aria-live="polite">{move || state.with(Playground::status_line)}</p>
                {move || state.with(|s| s.run.info.as_ref().and_then(|i| i.note.clone())).map(|note| view! {
                    <p id="run-note" class="note" role="status">{format!("Note: {note}.")}</p>
                })}
                {move || state.with(Playground::download_fraction).map(|share| view! {
                    <progress id="model-progress" max="1" value=share aria-label="Model download"></progress>
                })}
                <p class="muted shortcuts">"Keys: Space play/pause · ← back · → one application"</p>
                {move || error().map(|e| view! {
                    <div id="run-error" class="error" role="alert">
                        <p>{e}</p>
                        <button id="retry" on:click=move |_| restart.run(())>"Retry"</button>
                    </div>
                })}
                {move || state.with(|s| s.run.refused_edit.clone()).map(|why| view! {
                    <p id="edit-refused" class="error" role="status">{format!("Edit not made: {why}")}</p>
                })}
                <ArcResult state />
                <Boards state on_event />
                <ChartView state />
                <VotePanel state on_event />
                <ExportBar state />
            </div>
        </section>
    }
}

/// Download the frame shown (PNG) or the run so far (GIF); a link that reopens this run.
#[component]
fn ExportBar(state: ReadSignal<Playground>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let has_frame = move || state.with(|s| s.run.frame().is_some());
    let save = move |gif: bool| {
        let result = state.with_untracked(|s| {
            let (bytes, mime, ext) = if gif {
                (export::run_so_far_gif(s), "image/gif", "gif")
            } else {
                (export::frame_png(s), "image/png", "png")
            };
            bytes.and_then(|b| crate::download::save(&b, mime, &export::export_name(s, ext)))
        });
        error.set(result.err());
    };
    let fragment =
        move || state.with(export::share_state).and_then(|st| share::encode(&st).ok()).map(|f| format!("#{f}"));
    view! {
        <div class="row export" role="group" aria-label="share and export">
            <button id="download-png" disabled=move || !has_frame() on:click=move |_| save(false)
                title="the frame shown, as a picture">"Download PNG"</button>
            <button id="download-gif" disabled=move || !has_frame() on:click=move |_| save(true)
                title="the start and every answer refresh up to the frame shown">"Download GIF"</button>
            {move || fragment().map(|href| view! { <a id="share-link" href=href>"Link to this run"</a> })}
            {move || error.get().map(|e| view! { <p id="export-error" class="error" role="alert">{e}</p> })}
        </div>
    }
}

/// The answer y of the frame shown. The grid element stays (it keeps the keyboard focus); its cells
/// are redrawn. Click a cell or use the arrow keys, then type a digit (Delete clears) to edit the
/// puzzle mid-run: the run continues from the frame shown with the new input.
#[component]
fn AnswerGrid(state: ReadSignal<Playground>, on_event: Callback<PageEvent>) -> impl IntoView {
    let selected = RwSignal::new(None::<usize>);
    let side = move || state.with(|s| s.run.info.as_ref().map_or(0, |i| i.cols));
    let run_kind = move || state.with(|s| s.run.info.as_ref().map(|i| i.kind));
    // A new grid size forgets the selection.
    let grid_side = Memo::new(move |_| side());
    Effect::new(move |_| {
        grid_side.track();
        selected.set(None);
    });
    let cells = move || {
        state.with(|s| {
            let (Some(info), Some(frame)) = (&s.run.info, s.run.frame()) else { return ().into_any() };
            let over = overlay(frame, info.kind, info.rows, info.cols, None).ok();
            let chosen = selected.get();
            let cells = answer_cells(frame, info.kind, info.cols, over.as_ref())
                .into_iter()
                .enumerate()
                .map(|(k, c)| {
                    let class = if chosen == Some(k) { c.class + " selected" } else { c.class };
                    view! {
                        <div class=class role="gridcell" aria-label=c.label style=format!("--level: {:.3}", c.level)
                            aria-selected=if chosen == Some(k) { "true" } else { "false" }
                            on:click=move |_| selected.set(Some(k))>
                            <span class="sym">{c.text}</span>
                        </div>
                    }
                    .into_any()
                })
                .collect();
            in_rows(cells, info.cols)
        })
    };
    view! {
        <div id="run-grid" class=move || format!("grid {} answer", run_kind().map_or("sudoku", kind_class)) role="grid" tabindex="0"
            aria-label=move || match run_kind() {
                Some(PuzzleKind::Maze { .. }) => {
                    "the model's answer y; select a cell and type # for a wall or Delete to open it, to change the maze mid-run"
                }
                Some(PuzzleKind::Arc { .. }) => {
                    "the model's answer y on the whole canvas; select a cell inside the test input's grid and type a colour \
                     digit 0 to 9 to recolour that input cell mid-run"
                }
                _ => "the model's answer y; select a cell and type a digit to change the puzzle mid-run",
            }
            style=move || format!("--side: {}", side())
            on:keydown=move |ev| {
                let side = side();
                if side == 0 {
                    return;
                }
                let key = ev.key();
                if let Some(to) = move_selection(selected.get_untracked(), &key, side) {
                    selected.set(Some(to));
                } else if let (Some(cell), Some(symbol)) = (
                    selected.get_untracked(),
                    match run_kind() {
                        Some(PuzzleKind::Maze { .. }) => maze_edit_symbol(&key),
                        Some(PuzzleKind::Arc { .. }) => arc_edit_symbol(&key),
                        _ => edit_symbol(&key, side),
                    },
                ) {
                    on_event.run(PageEvent::EditCell { cell, symbol });
                } else {
                    return;
                }
                ev.prevent_default();
                ev.stop_propagation();
            }>
            {cells}
        </div>
    }
}

/// The answer grid, the scratch paper and the activity map of the frame shown.
#[component]
fn Boards(state: ReadSignal<Playground>, on_event: Callback<PageEvent>) -> impl IntoView {
    let has_frame = move || state.with(|s| s.run.info.is_some() && s.run.frame().is_some());
    let answer_caption = move || {
        state.with(|s| {
            let (Some(info), Some(frame)) = (&s.run.info, s.run.frame()) else { return ().into_any() };
            let expected = s.puzzle.as_ref().and_then(crate::arc_input::expected_output);
            let summary =
                overlay(frame, info.kind, info.rows, info.cols, expected.as_ref()).map(|o| o.summary()).unwrap_or_default();
            let changed = frame.changed.iter().filter(|&&c| c == 1).count();
            let correct = frame.accuracy().map(|a| format!(" · {:.0}% of cells right", a * 100.0)).unwrap_or_default();
            view! {
                <strong>"Answer y"</strong>
                {if matches!(info.kind, PuzzleKind::Maze { .. }) {
                    " · dark: wall · blue: predicted path (fainter, shorter bar = less sure) · yellow: changed by this refresh ("
                } else if matches!(info.kind, PuzzleKind::Arc { .. }) {
                    " · the whole canvas in the ARC palette · striped: end of grid · yellow outline: changed by this refresh ("
                } else {
                    " · bold: given · blue: predicted (fainter, shorter bar = less sure) · yellow: changed by this refresh ("
                }}
                {changed}")"{correct}
                <br />
                <span id="overlay-summary" class="verdict">{summary}</span>
            }
            .into_any()
        })
    };
    let scratch = move || {
        state.with(|s| {
            let (Some(info), Some(frame)) = (&s.run.info, s.run.frame()) else { return ().into_any() };
            grid_view(
                "scratch-grid",
                format!("{} scratch", kind_class(info.kind)),
                "the scratch paper z, decoded through the output head".into(),
                info.cols,
                scratch_cells(frame, info.kind, info.cols),
            )
        })
    };
    let activity = move || {
        state.with(|s| {
            let (Some(info), Some(frame)) = (&s.run.info, s.run.frame()) else { return ().into_any() };
            let latents = s.run.cycle_latents();
            let moved = match frame.kind {
                FrameKind::Latent => Some(frame),
                _ => latents.last().and_then(|&k| s.run.timeline.get(k)),
            };
            let label = match moved {
                Some(f) => {
                    format!("how much z moved in latent update {} of step {}, cycle {}", f.latent, f.step, f.cycle)
                }
                None => "z has not moved yet".to_string(),
            };
            let cells = activity_cells(moved.map_or(&[][..], |f| &f.activity[..]), info.kind, info.cols);
            view! {
                {grid_view("activity-grid", format!("{} heatmap", kind_class(info.kind)), label.clone(), info.cols, cells)}
                <figcaption><strong>"Activity"</strong>" · "{label}</figcaption>
            }
            .into_any()
        })
    };
    let strip = move || {
        state.with(|s| {
            let Some(info) = &s.run.info else { return ().into_any() };
            let latents = s.run.cycle_latents();
            let shown = s.run.cursor;
            let pages = latents
                .iter()
                .filter_map(|&k| {
                    let f = s.run.timeline.get(k)?;
                    let mini = grid_view(
                        "",
                        format!("{} mini", kind_class(info.kind)),
                        format!("z after latent update {}", f.latent),
                        info.cols,
                        scratch_cells(f, info.kind, info.cols),
                    );
                    let class = if k == shown { "page current" } else { "page" };
                    Some(view! {
                        // Named by its visible text ("z2"); the thumbnail is decoration.
                        <button class=class on:click=move |_| on_event.run(PageEvent::Seek(k))
                            title=format!("show latent update {} (frame {})", f.latent, k + 1)>
                            <div aria-hidden="true">{mini}</div>
                            <span>{format!("z{}", f.latent)}</span>
                        </button>
                    })
                })
                .collect_view();
            let note =
                if latents.is_empty() { "No latent update in this cycle yet." } else { "This cycle's latent updates:" };
            view! { <span class="muted">{note}</span>{pages} }.into_any()
        })
    };
    view! {
        <p class="muted" hidden=has_frame>"Waiting for the first frame…"</p>
        <div class="boards">
            <figure>
                <AnswerGrid state on_event />
                <figcaption>{answer_caption}</figcaption>
            </figure>
            <figure>
                {scratch}
                <figcaption><strong>"Scratch paper z"</strong>" decoded through the output head (a probe, not an answer)"</figcaption>
            </figure>
            <figure>{activity}</figure>
        </div>
        <div id="latents" class="latents" aria-label="the latent updates of this cycle">{strip}</div>
    }
}

const CHART_W: f32 = 300.0;
const CHART_H: f32 = 120.0;
const CHART_LEFT: f32 = 34.0;
const CHART_TOP: f32 = 8.0;

/// The chart over supervision steps: sigmoid(q_halt), the share of cells changed, and the share
/// right when the solution is known; one point per completed step.
#[component]
fn ChartView(state: ReadSignal<Playground>) -> impl IntoView {
    move || {
        state.with(|s| {
            let chart: Chart = s.run.chart();
            let max_steps = s.run.info.as_ref().map_or(1, |i| i.halt_max_steps as u32);
            let points = chart.points().len();
            let last = chart.points().last().map_or(1, |p| p.step);
            let span = max_steps.max(last).max(1) as f32;
            let dots = chart
                .points()
                .iter()
                .filter_map(|p| {
                    let v = p.halt_probability?;
                    let x = CHART_W * p.step as f32 / span;
                    let y = CHART_H * (1.0 - v.clamp(0.0, 1.0));
                    Some(view! {
                        <circle class="pt-halt" cx=format!("{x:.1}") cy=format!("{y:.1}") r="3"
                            data-step=p.step.to_string() />
                    })
                })
                .collect_view();
            let line = |series| chart.polyline(series, CHART_W, CHART_H, max_steps);
            let ticks = (1..=span as u32)
                .filter(|k| span <= 16.0 || k % 2 == 0)
                .map(|k| {
                    let x = CHART_W * k as f32 / span;
                    view! { <text x=format!("{x:.1}") y=format!("{}", CHART_H + 14.0) class="tick">{k}</text> }
                })
                .collect_view();
            let correct_known = chart.values(Series::Correct).iter().any(Option::is_some);
            let label = format!(
                "chart over {points} supervision step(s): halting probability {}",
                chart
                    .values(Series::Halt)
                    .iter()
                    .map(|v| v.map_or("–".into(), |v| format!("{v:.2}")))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            view! {
                <figure class="chart">
                    <svg id="chart" data-points=points.to_string() role="img" aria-label=label
                        viewBox=format!("0 0 {} {}", CHART_W + CHART_LEFT + 10.0, CHART_H + CHART_TOP + 22.0)>
                        <g transform=format!("translate({CHART_LEFT},{CHART_TOP})")>
                            <rect class="frame" x="0" y="0" width=CHART_W.to_string() height=CHART_H.to_string() />
                            <line class="threshold" x1="0" x2=CHART_W.to_string()
                                y1=(CHART_H / 2.0).to_string() y2=(CHART_H / 2.0).to_string() />
                            <text class="tick" x="-6" y="4" text-anchor="end">"1"</text>
                            <text class="tick" x="-6" y=(CHART_H / 2.0 + 4.0).to_string() text-anchor="end">"0.5"</text>
                            <text class="tick" x="-6" y=(CHART_H + 4.0).to_string() text-anchor="end">"0"</text>
                            {ticks}
                            <polyline class="line-changed" points=line(Series::Changed) />
                            <polyline class="line-correct" points=line(Series::Correct) />
                            <polyline class="line-halt" points=line(Series::Halt) />
                            {dots}
                        </g>
                    </svg>
                    <figcaption>
                        <span class="key key-halt">"sigmoid(q_halt): the halting head's belief it is done (halts above 0.5)"</span>
                        <span class="key key-changed">"share of cells the step changed"</span>
                        {correct_known.then(|| view! { <span class="key key-correct">"share of cells right"</span> })}
                        <span class="muted">" · x: supervision step"</span>
                    </figcaption>
                </figure>
            }
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Explainer and model card
// ---------------------------------------------------------------------------------------------

/// What TRM does, in a few paragraphs.
#[component]
pub fn Explainer() -> impl IntoView {
    view! {
        <section aria-labelledby="explainer-title" class="panel explainer">
            <h2 id="explainer-title">"How TRM thinks"</h2>
            <p>
                "A Tiny Recursive Model is one small network applied over and over. It keeps three things: "
                <strong>"x"</strong>", the puzzle as given (embedded once, never changed); "
                <strong>"y"</strong>", its current answer (a vector per cell that the output head turns into a digit); and "
                <strong>"z"</strong>", a latent \"scratch paper\" of the same shape that is never shown as output."
            </p>
            <p>
                "One cycle updates z n times from x, y and z (the " <em>"latent updates"</em>
                "), then refreshes y once from y and z (the " <em>"answer refresh"</em>
                "). T cycles make a " <em>"supervision step"</em>
                "; during training, each step was graded and the answer carried over to the next. "
                "After each step a " <strong>"halting head"</strong>
                " reads the state and outputs q_halt; sigmoid(q_halt) above 0.5 means the model believes its answer is final. "
                "The page runs the number of steps the model was trained for, or stops at the halting head's word when you ask it to."
            </p>
            <p>
                "The middle grid decodes z through the same output head that decodes y. That is only a probe: z was never "
                "trained to be read that way, so its digits show which way each cell leans, not a draft answer, and a "
                "confident-looking digit in z can mean nothing. The activity map is more direct: it shows how much z changed "
                "at each cell in one latent update, relative to its size."
            </p>
        </section>
    }
}

/// The loaded model's card: parameters, architecture, how it was trained, measured accuracy.
#[component]
pub fn ModelCard(state: ReadSignal<Playground>) -> impl IntoView {
    move || {
        state.with(|s| {
            let ModelStatus::Loaded(info) = &s.model else { return ().into_any() };
            let card = s.card.as_deref().map(card_view);
            let body = match card {
                None => {
                    // The architecture as loaded (official field names), from the checkpoint and its yaml.
                    let arch = serde_json::to_value(&info.config)
                        .ok()
                        .and_then(|v| v.as_object().cloned())
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(k, v)| view! { <tr><th scope="row">{k}</th><td>{v.to_string()}</td></tr> })
                        .collect_view();
                    view! {
                        <p class="muted">"This model has no card."</p>
                        <details open>
                            <summary>"Architecture as loaded (official field names)"</summary>
                            <div class="table-wrap"><table id="model-config"><tbody>{arch}</tbody></table></div>
                        </details>
                    }
                    .into_any()
                }
                Some(Err(e)) => view! { <p class="error">{e}</p> }.into_any(),
                Some(Ok(card)) => {
                    let arch = card
                        .arch
                        .into_iter()
                        .map(|(k, v)| view! { <tr><th scope="row">{k}</th><td>{v}</td></tr> })
                        .collect_view();
                    let training = card
                        .training
                        .into_iter()
                        .map(|(k, v)| view! { <tr><th scope="row">{k}</th><td class="wrap">{v}</td></tr> })
                        .collect_view();
                    let pct = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{:.1}%", v * 100.0));
                    let accuracy = card
                        .accuracy
                        .into_iter()
                        .map(|a| {
                            let steps = a.by_step.iter().map(|v| format!("{:.0}", v * 100.0)).collect::<Vec<_>>().join(" · ");
                            view! {
                                <tr>
                                    <td class="wrap">{a.set}</td>
                                    <td>{a.count.map(|c| c.to_string()).unwrap_or_default()}</td>
                                    <td>{pct(a.exact)}</td>
                                    <td>{pct(a.cell)}</td>
                                    <td class="wrap">{steps}</td>
                                </tr>
                            }
                        })
                        .collect_view();
                    view! {
                        <h3>"Measured accuracy"</h3>
                        <div class="table-wrap">
                            <table>
                                <thead><tr><th scope="col">"Set"</th><th scope="col">"Puzzles"</th><th scope="col">"Exact"</th>
                                    <th scope="col">"Cells"</th><th scope="col">"Exact % after each step"</th></tr></thead>
                                <tbody>{accuracy}</tbody>
                            </table>
                        </div>
                        <details>
                            <summary>"How it was trained"</summary>
                            <div class="table-wrap"><table><tbody>{training}</tbody></table></div>
                        </details>
                        <details>
                            <summary>"Architecture (official field names)"</summary>
                            <div class="table-wrap"><table><tbody>{arch}</tbody></table></div>
                        </details>
                    }
                    .into_any()
                }
            };
            let c = &info.config;
            view! {
                <section aria-labelledby="card-title" class="panel card" id="model-card">
                    <h2 id="card-title">{format!("Model card: {}", info.name)}</h2>
                    <p>
                        {format!(
                            "{} parameters · T = {} cycles of n = {} latent updates ({} network applications per supervision step) · {} supervision steps · hidden size {}",
                            info.parameters, c.h_cycles, c.l_cycles, info.applications_per_step, c.halt_max_steps, c.hidden_size
                        )}
                    </p>
                    {body}
                </section>
            }
            .into_any()
        })
    }
}
