//! The page's components: the page ([`App`]) wires the state ([`Playground`], the
//! [`SudokuDraft`]) to the worker, the fetches and the keyboard; the panels in [`crate::panels`]
//! render signals. Logic that decides anything lives in plain structs, tested natively.

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::arc_input::ArcDraft;
use crate::catalog::{BUNDLED_MODELS, default_sample, default_source};
use crate::engine::{ModelSource, PuzzleKind, PuzzleSource};
use crate::export::{delay_of_fps, open_link, share_state};
use crate::fetch;
use crate::maze_input::{MazeDraft, parse_maze_for_side};
use crate::own_model::{ChosenFile, OwnModel, check_names, reading_note};
use crate::panels::{Explainer, ModelCard, OwnModelControl, PuzzlePanel, RunPanel};
use crate::playground::{ModelStatus, PageEvent, Playground};
use crate::protocol::{WorkerInput, WorkerOutput};
use crate::puzzle_input::{SudokuDraft, parse_for_side};
use crate::view_model::share::{ShareState, share_url};
use crate::worker_client::{WorkerClient, WorkerEvent};

/// Side of the matrices the worker multiplies at start-up to prove candle runs in wasm.
pub const PROBE_SIDE: usize = 128;

/// Where the page stands with its worker.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerStatus {
    /// Spawned, waiting for `Ready`.
    Starting,
    /// A probe was sent.
    Computing,
    /// The worker answered the probe.
    Answered { side: usize, sum: f64, trace: f64, millis: f64 },
    /// Something went wrong; `fatal` means the worker must be restarted.
    Failed { message: String, fatal: bool },
}

impl WorkerStatus {
    /// The status after `event`, and the request to send next, if any.
    pub fn next(&self, event: WorkerEvent) -> (WorkerStatus, Option<WorkerInput>) {
        match event {
            WorkerEvent::Output(WorkerOutput::Ready) => {
                (WorkerStatus::Computing, Some(WorkerInput::Probe { side: PROBE_SIDE }))
            }
            WorkerEvent::Output(WorkerOutput::Probe { side, sum, trace, millis }) => {
                (WorkerStatus::Answered { side, sum, trace, millis }, None)
            }
            WorkerEvent::Output(WorkerOutput::Error { message, fatal, .. }) => {
                // After a fatal error the worker is gone; keep the first (most specific) message.
                if let WorkerStatus::Failed { fatal: true, .. } = self {
                    return (self.clone(), None);
                }
                (WorkerStatus::Failed { message, fatal }, None)
            }
            // Run messages are the playground's business (`crate::playground`).
            WorkerEvent::Output(_) => (self.clone(), None),
            WorkerEvent::Failed(message) => match self {
                WorkerStatus::Failed { fatal: true, .. } => (self.clone(), None),
                _ => (WorkerStatus::Failed { message, fatal: true }, None),
            },
        }
    }

    /// One line for the page.
    pub fn describe(&self) -> String {
        match self {
            WorkerStatus::Starting => "Starting the worker…".into(),
            WorkerStatus::Computing => "Worker ready; running candle…".into(),
            WorkerStatus::Answered { side, sum, trace, millis } => format!(
                "candle in the worker multiplied two {side}×{side} matrices in {millis:.0} ms: trace {trace:.4}, sum {sum:.4}"
            ),
            WorkerStatus::Failed { message, .. } => message.clone(),
        }
    }
}

/// The draft a model starts with: its first sample (an empty grid when it has none).
pub fn starting_draft(model_index: usize) -> SudokuDraft {
    let Some(model) = BUNDLED_MODELS.get(model_index) else { return SudokuDraft::empty(4) };
    let PuzzleKind::Sudoku { side } = model.kind else { return SudokuDraft::empty(4) };
    match default_sample(model) {
        Some(s) => SudokuDraft::from_line(side, &s.puzzle, s.solution, "sample 1 (easy)"),
        None => SudokuDraft::empty(side),
    }
}

/// The maze draft a maze model starts with: its first sample (an empty maze when it has none).
pub fn starting_maze(kind: PuzzleKind) -> MazeDraft {
    let side = kind.seq_len().isqrt();
    match default_source(kind) {
        Some(PuzzleSource::Maze { text }) => MazeDraft::from_text(side, &text, "sample 1 (easy)"),
        _ => MazeDraft::empty(side),
    }
}

/// Where the page remembers the last bundled model chosen (`localStorage`).
pub const MODEL_KEY: &str = "trm-playground.model";
/// Where the page remembers that the user's own model (kept in IndexedDB, see [`crate::idb`]) was
/// the last choice: its file name. Absent when a bundled model was chosen after it.
pub const OWN_MODEL_KEY: &str = "trm-playground.own-model";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The bundled model chosen last time, if it is still bundled.
fn remembered_model() -> Option<usize> {
    let name = storage()?.get_item(MODEL_KEY).ok().flatten()?;
    crate::catalog::bundled_index(&name)
}

/// Remembers the model for the next visit; a browser that refuses (private mode, quota) just forgets.
fn remember_model(index: usize) {
    if let (Some(store), Some(model)) = (storage(), BUNDLED_MODELS.get(index)) {
        let _ = store.set_item(MODEL_KEY, model.name);
        let _ = store.remove_item(OWN_MODEL_KEY);
    }
}

/// The user's own model, when it was the last choice.
fn remembered_own() -> Option<String> {
    storage()?.get_item(OWN_MODEL_KEY).ok().flatten()
}

/// Remembers that the own model `name` (now in IndexedDB) is the choice, with its puzzle type.
fn remember_own(name: &str, index: usize) {
    if let (Some(store), Some(model)) = (storage(), BUNDLED_MODELS.get(index)) {
        let _ = store.set_item(MODEL_KEY, model.name);
        let _ = store.set_item(OWN_MODEL_KEY, name);
    }
}

fn warn(message: &str) {
    web_sys::console::warn_1(&message.into());
}

/// The puzzle kind of the page's puzzle type (what an own model without a card runs).
fn selected_kind(index: usize) -> PuzzleKind {
    BUNDLED_MODELS.get(index).map_or(PuzzleKind::Sudoku { side: 9 }, |m| m.kind)
}

/// Puts the share link of `shared` in the address bar (without a new history entry).
fn show_link(shared: &ShareState) {
    let Some(window) = web_sys::window() else { return };
    let Ok(href) = window.location().href() else { return };
    let Ok(url) = share_url(&href, shared) else { return };
    if url != href
        && let Ok(history) = window.history()
    {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// True when a key press belongs to a form control or the puzzle editor, not to the shortcuts.
fn key_is_for_a_control(event: &web_sys::KeyboardEvent) -> bool {
    let Some(target) = event.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return false };
    let tag = target.tag_name().to_ascii_lowercase();
    if matches!(tag.as_str(), "input" | "textarea" | "select") {
        return true;
    }
    if event.key() == " " && matches!(tag.as_str(), "button" | "summary" | "a") {
        return true;
    }
    target.closest("#editor, #maze-editor, #run-grid").ok().flatten().is_some()
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    // A share link's run, else the last model chosen, else the first bundled one.
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    let shared = open_link(&hash);
    let link_error = shared.as_ref().err().cloned();
    let shared = shared.ok().flatten();
    let first = shared.as_ref().map(|run| run.model_index).or_else(remembered_model).unwrap_or(0);
    // The user's own model when the link's run used one, or (without a link) when it was the last choice.
    let wanted_own = match &shared {
        Some(run) => run.own.clone(),
        None => remembered_own(),
    };
    let own_from_link = shared.as_ref().is_some_and(|run| run.own.is_some());
    let mut initial = Playground::new();
    initial.on(PageEvent::ModelChosen(first));
    // Brought back from IndexedDB once the worker is spawned (see `load_current`).
    initial.own = wanted_own;
    let first_draft = match &shared {
        Some(run) => {
            initial.on(PageEvent::SetKeepThinking(run.settings.keep_thinking));
            initial.on(PageEvent::SetStopOnHalt(run.settings.stop_on_halt));
            initial.on(PageEvent::SetDelay(delay_of_fps(run.settings.fps)));
            initial.on(PageEvent::RunPuzzle(run.puzzle.clone()));
            let side = BUNDLED_MODELS.get(first).map_or(4, |m| m.kind.seq_len().isqrt());
            SudokuDraft::from_line(side, run.sudoku_line().unwrap_or_default(), None, "shared link")
        }
        None => starting_draft(first),
    };
    let (state, set_state) = signal(initial);
    let draft = RwSignal::new(first_draft);
    let maze_draft = RwSignal::new(starting_maze(PuzzleKind::Maze { side: 11 }));
    let arc_draft = RwSignal::new(ArcDraft::first());

    // The page's puzzle changed kind or was replaced (a maze model loaded, a share link's maze, back
    // to a bundled Sudoku model): the editor of that kind shows it.
    let puzzle_now = Memo::new(move |_| state.with(|s| (s.puzzle_kind(), s.puzzle.clone())));
    Effect::new(move |_| {
        let (kind, puzzle) = puzzle_now.get();
        match (kind, puzzle) {
            (PuzzleKind::Maze { side }, Some(PuzzleSource::Maze { text })) => {
                let same = maze_draft.with_untracked(|d| {
                    d.side == side && parse_maze_for_side(&text, side).is_ok_and(|cells| cells == d.cells)
                });
                if !same {
                    let origin = if default_source(kind) == Some(PuzzleSource::Maze { text: text.clone() }) {
                        "sample 1 (easy)"
                    } else {
                        "the puzzle running"
                    };
                    maze_draft.set(MazeDraft::from_text(side, &text, origin));
                }
            }
            (PuzzleKind::Arc { .. }, Some(source @ PuzzleSource::Arc { .. })) => {
                if arc_draft.with_untracked(|d| d.source() != source)
                    && let Some(d) = ArcDraft::from_source(&source)
                {
                    arc_draft.set(d);
                }
            }
            (PuzzleKind::Sudoku { side }, Some(PuzzleSource::Sudoku { text, solution })) => {
                let same = draft.with_untracked(|d| {
                    d.side == side && parse_for_side(&text, side).is_ok_and(|cells| cells == d.cells)
                });
                if !same {
                    draft.set(SudokuDraft::from_line(side, &text, solution, "the puzzle running"));
                }
            }
            _ => {}
        }
    });

    // Once a run has started, the address bar holds its share link.
    let link = Memo::new(move |_| state.with(share_state));
    Effect::new(move |_| {
        if let Some(shared) = link.get() {
            show_link(&shared);
        }
    });
    let client = StoredValue::new_local(None::<WorkerClient>);
    // The own model: as last sent (for a worker restart), and its files until it loads (then kept).
    let own_source = StoredValue::new(None::<ModelSource>);
    let own_unsaved = StoredValue::new(None::<(String, Vec<ChosenFile>)>);
    let own_note = RwSignal::new(None::<String>);
    let own_error = RwSignal::new(None::<String>);
    let tick_scheduled = StoredValue::new(false);

    // Applies an event to the state and sends the requests it asks for.
    let dispatch = move |event: PageEvent| {
        let mut requests = Vec::new();
        set_state.update(|s| requests = s.on(event));
        for request in requests {
            let sent = client.with_value(|c| c.as_ref().map(|c| c.send(&request)));
            if let Some(Err(message)) = sent {
                set_state.update(|s| s.worker = WorkerStatus::Failed { message, fatal: true });
            }
        }
    };

    // While playing: the next frame a little after the previous one (never more than one timer).
    Effect::new(move |_| {
        let (wants, delay) = state.with(|s| (s.wants_tick(), s.delay_ms));
        if wants && !tick_scheduled.get_value() {
            tick_scheduled.set_value(true);
            set_timeout(
                move || {
                    tick_scheduled.set_value(false);
                    dispatch(PageEvent::Tick);
                },
                Duration::from_millis(u64::from(delay)),
            );
        }
    });

    let fetch_model = move |index: usize| {
        let Some(model) = BUNDLED_MODELS.get(index) else { return };
        leptos::task::spawn_local(async move {
            // A bundled model always has its card (it holds the recursion's shape): without it the
            // checkpoint would run with the official defaults, so a failed card fetch is an error.
            let fetched = match fetch::text(&model.card_url()).await {
                Ok(card) => {
                    let progress = |received, total| {
                        dispatch(PageEvent::FetchProgress { name: model.name.to_string(), received, total })
                    };
                    fetch::bytes_with_progress(&model.model_url(), progress)
                        .await
                        .map(|bytes| model.source(bytes, Some(card)))
                }
                Err(message) => Err(message),
            };
            match fetched {
                Ok(source) => dispatch(PageEvent::ModelFetched(source)),
                Err(message) => dispatch(PageEvent::FetchFailed(message)),
            }
        });
    };

    // The own model that loaded is kept in IndexedDB and remembered as the choice.
    let own_loaded = Memo::new(move |_| {
        state.with(|s| match (&s.model, &s.own) {
            (ModelStatus::Loaded(_), Some(name)) => Some(name.clone()),
            _ => None,
        })
    });
    Effect::new(move |_| {
        let Some(name) = own_loaded.get() else { return };
        let mut files = None;
        own_unsaved.update_value(|unsaved| {
            if unsaved.as_ref().is_some_and(|(n, _)| *n == name) {
                files = unsaved.take().map(|(_, f)| f);
            }
        });
        let Some(files) = files else { return };
        let index = state.with_untracked(|s| s.model_index);
        leptos::task::spawn_local(async move {
            match crate::idb::save_own(&files).await {
                Ok(()) => remember_own(&name, index),
                Err(e) => warn(&format!("TRM Playground: your model works but cannot be kept for the next visit: {e}")),
            }
        });
    });

    // Brings the own model `name` back from IndexedDB; else the bundled model of the puzzle type.
    let restore_own = move |name: String| {
        leptos::task::spawn_local(async move {
            let restored = match crate::idb::load_own().await {
                Ok(Some(files)) => OwnModel::from_files(&files).and_then(|own| {
                    if own.name == name { Ok(own) } else { Err(format!("the model kept is \"{}\"", own.name)) }
                }),
                Ok(None) => Err("no model is kept".to_string()),
                Err(e) => Err(e),
            };
            // The user chose another model meanwhile.
            if state.with_untracked(|s| s.own.as_ref() != Some(&name)) {
                return;
            }
            match restored {
                Ok(own) => {
                    let source = own.source(selected_kind(state.with_untracked(|s| s.model_index)));
                    own_source.set_value(Some(source.clone()));
                    dispatch(PageEvent::OwnChosen(source));
                }
                Err(e) => {
                    warn(&format!(
                        "TRM Playground: cannot bring back your model \"{name}\" ({e}); using the bundled one"
                    ));
                    if own_from_link {
                        own_error.set(Some(format!(
                            "This link's run used your model \"{name}\", which this browser has not kept: load it \
                             below. The bundled model runs meanwhile."
                        )));
                    }
                    let index = state.with_untracked(|s| s.model_index);
                    dispatch(PageEvent::ModelChosen(index));
                    fetch_model(index);
                }
            }
        });
    };

    // Sends the current model: the own one (as last sent, or from IndexedDB) or the bundled one.
    let load_current = move || {
        let (own, index) = state.with_untracked(|s| (s.own.clone(), s.model_index));
        match (own, own_source.get_value()) {
            (Some(name), Some(source)) if source.name == name => dispatch(PageEvent::OwnChosen(source)),
            (Some(name), _) => restore_own(name),
            (None, _) => fetch_model(index),
        }
    };

    let start = move || {
        // Dropping the old client terminates its worker.
        client.set_value(None);
        set_state.update(|s| *s = s.restarted());
        if let Some(message) = crate::capability::browser_support().message() {
            set_state.update(|s| s.worker = WorkerStatus::Failed { message, fatal: true });
            return;
        }
        let spawned = WorkerClient::spawn(move |event| dispatch(PageEvent::Worker(event)));
        match spawned {
            Ok(c) => client.set_value(Some(c)),
            Err(message) => set_state.update(|s| s.worker = WorkerStatus::Failed { message, fatal: true }),
        }
        load_current();
    };
    start();

    let choose_model = Callback::new(move |index: usize| {
        let (same_size, own) = state.with_untracked(|s| (s.model_index == index, s.own.is_some()));
        if same_size && !own {
            return;
        }
        dispatch(PageEvent::ModelChosen(index));
        remember_model(index);
        if !same_size {
            draft.set(starting_draft(index));
        }
        fetch_model(index);
    });

    // "Load your own": the names are checked first, then the files read one by one and sorted.
    let load_own = Callback::new(move |files: Vec<web_sys::File>| {
        let names: Vec<String> = files.iter().map(web_sys::File::name).collect();
        if let Err(e) = check_names(names.iter().map(String::as_str)) {
            own_error.set(Some(e));
            return;
        }
        own_error.set(None);
        leptos::task::spawn_local(async move {
            let mut chosen = Vec::new();
            for file in &files {
                own_note.set(Some(reading_note(&file.name(), file.size())));
                match fetch::file_bytes(file).await {
                    Ok(bytes) => chosen.push(ChosenFile { name: file.name(), bytes }),
                    Err(e) => {
                        own_note.set(None);
                        own_error.set(Some(e));
                        return;
                    }
                }
            }
            own_note.set(None);
            match OwnModel::from_files(&chosen) {
                Ok(own) => {
                    let source = own.source(selected_kind(state.with_untracked(|s| s.model_index)));
                    own_unsaved.set_value(Some((own.name.clone(), chosen)));
                    own_source.set_value(Some(source.clone()));
                    dispatch(PageEvent::OwnChosen(source));
                }
                Err(e) => own_error.set(Some(e)),
            }
        });
    });
    // Back to the bundled model of the puzzle type.
    let use_bundled = Callback::new(move |_: ()| choose_model.run(state.with_untracked(|s| s.model_index)));

    let handle = window_event_listener(leptos::ev::keydown, move |event| {
        if event.ctrl_key() || event.meta_key() || event.alt_key() || key_is_for_a_control(&event) {
            return;
        }
        let action = match event.key().as_str() {
            " " => PageEvent::TogglePlay,
            "ArrowLeft" => PageEvent::StepBack,
            "ArrowRight" => PageEvent::StepApplication,
            _ => return,
        };
        event.prevent_default();
        dispatch(action);
    });
    on_cleanup(move || handle.remove());

    let on_event = Callback::new(dispatch);
    let worker = Signal::derive(move || state.with(|s| s.worker.clone()));
    view! {
        <header class="top">
            <h1>"TRM Playground"</h1>
            <p class="tagline">"Watch a Tiny Recursive Model reason, step by step, in your browser."</p>
            {link_error.map(|e| view! { <p id="link-error" class="error" role="alert">{format!("This link cannot be opened: {e}")}</p> })}
        </header>
        <main>
            <PuzzlePanel state draft maze_draft arc_draft choose_model on_event>
                <OwnModelControl state note=own_note error=own_error load=load_own use_bundled />
            </PuzzlePanel>
            <RunPanel state on_event restart=Callback::new(move |_| start()) />
            <Explainer />
            <ModelCard state />
            <section aria-labelledby="worker-title" class="panel worker">
                <h2 id="worker-title">"Worker"</h2>
                <WorkerPanel status=worker restart=Callback::new(move |_| start()) />
            </section>
        </main>
    }
}

/// The worker's state, its answer, and a restart button after a failure.
#[component]
pub fn WorkerPanel(status: Signal<WorkerStatus>, restart: Callback<()>) -> impl IntoView {
    move || match status.get() {
        WorkerStatus::Answered { side, sum, trace, millis } => {
            let text = WorkerStatus::Answered { side, sum, trace, millis }.describe();
            view! {
                <p id="worker-answer" data-side=side.to_string() data-sum=sum.to_string()
                    data-trace=trace.to_string()>{text}</p>
            }
            .into_any()
        }
        WorkerStatus::Failed { message, fatal } => view! {
            <div id="worker-error" role="alert" class="error">
                <p>{message}</p>
                {fatal.then(|| view! {
                    <button on:click=move |_| restart.run(())>"Restart the worker"</button>
                })}
            </div>
        }
        .into_any(),
        other => view! { <p id="worker-progress" class="muted">{other.describe()}</p> }.into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_triggers_the_probe_and_its_answer_is_kept() {
        let (s, req) = WorkerStatus::Starting.next(WorkerEvent::Output(WorkerOutput::Ready));
        assert_eq!((s.clone(), req), (WorkerStatus::Computing, Some(WorkerInput::Probe { side: PROBE_SIDE })));
        let answer = WorkerOutput::Probe { side: PROBE_SIDE, sum: 1.0, trace: 2.0, millis: 3.0 };
        let (s, req) = s.next(WorkerEvent::Output(answer));
        assert_eq!(req, None);
        assert!(s.describe().contains("trace 2.0000"), "{}", s.describe());
    }

    #[test]
    fn first_fatal_message_wins() {
        let panic = WorkerOutput::Error { id: None, message: "worker panicked: boom".into(), fatal: true };
        let (s, _) = WorkerStatus::Computing.next(WorkerEvent::Output(panic));
        let (s, _) = s.next(WorkerEvent::Failed("the worker stopped: unreachable".into()));
        assert_eq!(s, WorkerStatus::Failed { message: "worker panicked: boom".into(), fatal: true });
    }

    #[test]
    fn recoverable_error_is_not_fatal() {
        let (s, _) = WorkerStatus::Computing.next(WorkerEvent::Output(WorkerOutput::error("bad side")));
        assert_eq!(s, WorkerStatus::Failed { message: "bad side".into(), fatal: false });
    }
}
