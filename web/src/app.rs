//! The page's components. Logic that decides anything lives in plain structs ([`WorkerStatus`],
//! [`Playground`]), tested natively; the components only render signals.

use leptos::prelude::*;
use trm_puzzles::{Maze, MazeCell, Sudoku};

use crate::engine::{Frame, PuzzleKind};
use crate::fetch;
use crate::playground::{CARD_URL, MODEL_URL, PageEvent, Playground, bundled_model};
use crate::protocol::{WorkerInput, WorkerOutput};
use crate::worker_client::{WorkerClient, WorkerEvent};

/// Side of the matrices the worker multiplies at start-up to prove candle runs in wasm.
pub const PROBE_SIDE: usize = 128;

const SUDOKU_SAMPLES: &str = include_str!("../../assets/puzzles/sudoku/samples-9.txt");
const MAZE_SAMPLE: &str = include_str!("../../assets/puzzles/maze/sample-30.txt");

/// The first puzzle line of a samples file (comments and blank lines skipped).
pub fn first_sudoku(samples: &str) -> Result<Sudoku, String> {
    let line = samples
        .lines()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .ok_or("the samples file has no puzzle")?;
    Sudoku::parse(line).map_err(|e| e.to_string())
}

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

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let (state, set_state) = signal(Playground::new());
    let client = StoredValue::new_local(None::<WorkerClient>);

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

    let start = move || {
        // Dropping the old client terminates its worker.
        client.set_value(None);
        set_state.update(|s| *s = s.restarted());
        let spawned = WorkerClient::spawn(move |event| dispatch(PageEvent::Worker(event)));
        match spawned {
            Ok(c) => client.set_value(Some(c)),
            Err(message) => set_state.update(|s| s.worker = WorkerStatus::Failed { message, fatal: true }),
        }
        leptos::task::spawn_local(async move {
            let card = fetch::text(CARD_URL).await.ok();
            match fetch::bytes(MODEL_URL).await {
                Ok(bytes) => dispatch(PageEvent::ModelFetched(bundled_model(bytes, card))),
                Err(message) => dispatch(PageEvent::FetchFailed(message)),
            }
        });
    };
    start();

    let worker = Signal::derive(move || state.with(|s| s.worker.clone()));
    view! {
        <header class="top">
            <h1>"TRM Playground"</h1>
            <p class="tagline">"Watch a Tiny Recursive Model reason, in your browser."</p>
        </header>
        <main>
            <section aria-labelledby="run-title" class="run">
                <h2 id="run-title">"A 4×4 Sudoku, solved by the bundled model"</h2>
                <RunPanel state toggle=Callback::new(move |_| dispatch(PageEvent::TogglePlay)) />
            </section>
            <div class="boards">
                <section aria-labelledby="sudoku-title">
                    <h2 id="sudoku-title">"Sudoku"</h2>
                    {match first_sudoku(SUDOKU_SAMPLES) {
                        Ok(puzzle) => view! { <SudokuBoard puzzle /> }.into_any(),
                        Err(e) => view! { <p role="alert" class="error">{e}</p> }.into_any(),
                    }}
                </section>
                <section aria-labelledby="maze-title">
                    <h2 id="maze-title">"Maze"</h2>
                    {match Maze::parse(MAZE_SAMPLE.trim_end_matches('\n')) {
                        Ok(maze) => view! { <MazeBoard maze /> }.into_any(),
                        Err(e) => view! { <p role="alert" class="error">{e.to_string()}</p> }.into_any(),
                    }}
                </section>
            </div>
            <section aria-labelledby="worker-title" class="worker">
                <h2 id="worker-title">"Worker"</h2>
                <WorkerPanel status=worker restart=Callback::new(move |_| start()) />
            </section>
        </main>
    }
}

/// The run: the answer grid of the latest frame (givens bold, changed cells marked, wrong cells
/// flagged when the solution is known), a status line with the place and the halting head, and
/// play/pause. `data-*` attributes expose the frame count and kinds to the end-to-end test.
#[component]
pub fn RunPanel(state: ReadSignal<Playground>, toggle: Callback<()>) -> impl IntoView {
    let grid = move || {
        state.with(|s| {
            let (Some(info), Some(frame)) = (&s.run.info, &s.run.frame) else {
                return view! { <p class="muted">"Waiting for the first frame…"</p> }.into_any();
            };
            let side = info.cols;
            let box_shape = match info.kind {
                PuzzleKind::Sudoku { side } => trm_puzzles::sudoku::Sudoku::box_shape_of(side),
                _ => (side, side),
            };
            let cells = (0..frame.answer.len())
                .map(|k| {
                    let (r, c) = (k / side, k % side);
                    let given = frame.input.get(k).is_some_and(|&b| b != b'.');
                    let symbol = frame.answer.get(k).copied().unwrap_or(b'?');
                    let mut class = String::from("cell");
                    if given {
                        class.push_str(" given");
                    }
                    if frame.changed.get(k) == Some(&1) {
                        class.push_str(" changed");
                    }
                    if frame.correct.as_ref().and_then(|v| v.get(k)) == Some(&0) {
                        class.push_str(" wrong");
                    }
                    if c % box_shape.1 == 0 && c > 0 {
                        class.push_str(" box-left");
                    }
                    if r % box_shape.0 == 0 && r > 0 {
                        class.push_str(" box-top");
                    }
                    let text = if symbol == b'.' { String::new() } else { char::from(symbol).to_string() };
                    let confidence = frame.confidence.get(k).copied().unwrap_or(0.0);
                    let label = format!("row {}, column {}: {text} ({:.0}% sure)", r + 1, c + 1, confidence * 100.0);
                    view! { <div class=class role="gridcell" aria-label=label>{text}</div> }
                })
                .collect_view();
            view! {
                <div id="run-grid" class="sudoku" role="grid" aria-label="the model's answer"
                    style=format!("--side: {side}")>
                    {cells}
                </div>
            }
            .into_any()
        })
    };
    let frames = move || state.with(|s| s.run.frames.to_string());
    let kinds = move || state.with(|s| s.run.kinds.clone());
    let finished = move || state.with(|s| s.run.finished.map(|r| format!("{r:?}")).unwrap_or_default());
    let answer = move || state.with(|s| s.run.frame.as_ref().map(Frame::answer_text).unwrap_or_default());
    let label = move || if state.with(|s| s.playing) { "Pause" } else { "Play" };
    view! {
        <div id="run" data-frames=frames data-kinds=kinds data-finished=finished data-answer=answer>
            {grid}
            <p id="run-status" aria-live="polite">{move || state.with(Playground::status_line)}</p>
            <button on:click=move |_| toggle.run(())>{label}</button>
        </div>
    }
}

/// A Sudoku grid; givens shown bold, blanks empty.
#[component]
pub fn SudokuBoard(puzzle: Sudoku) -> impl IntoView {
    let side = puzzle.side();
    let (box_rows, box_cols) = puzzle.box_shape();
    let cells = puzzle
        .cells()
        .iter()
        .enumerate()
        .map(|(k, &v)| {
            let (r, c) = (k / side, k % side);
            let mut class = String::from("cell");
            if v != 0 {
                class.push_str(" given");
            }
            if c % box_cols == 0 && c > 0 {
                class.push_str(" box-left");
            }
            if r % box_rows == 0 && r > 0 {
                class.push_str(" box-top");
            }
            let label = if v == 0 {
                format!("row {}, column {}: empty", r + 1, c + 1)
            } else {
                format!("row {}, column {}: {v}", r + 1, c + 1)
            };
            let text = if v == 0 { String::new() } else { v.to_string() };
            view! { <div class=class role="gridcell" aria-label=label>{text}</div> }
        })
        .collect_view();
    view! {
        <div id="sudoku" class="sudoku" role="grid" aria-label=format!("{side} by {side} Sudoku")
            style=format!("--side: {side}")>
            {cells}
        </div>
    }
}

/// A maze grid: walls dark, open cells light, start and goal marked.
#[component]
pub fn MazeBoard(maze: Maze) -> impl IntoView {
    let side = maze.side();
    let cells = maze
        .cells()
        .iter()
        .map(|cell| {
            let (class, text) = match cell {
                MazeCell::Wall => ("cell wall", ""),
                MazeCell::Open => ("cell open", ""),
                MazeCell::Start => ("cell start", "S"),
                MazeCell::Goal => ("cell goal", "G"),
                MazeCell::Path => ("cell path", ""),
            };
            view! { <div class=class>{text}</div> }
        })
        .collect_view();
    view! {
        <div id="maze" class="maze" role="img" aria-label=format!("{side} by {side} maze")
            style=format!("--side: {side}")>
            {cells}
        </div>
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
    fn bundled_samples_parse() {
        assert_eq!(first_sudoku(SUDOKU_SAMPLES).unwrap().side(), 9);
        assert_eq!(Maze::parse(MAZE_SAMPLE.trim_end_matches('\n')).unwrap().side(), 30);
    }

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
