//! Messages between the page and the worker.
//!
//! Both sides exchange these enums as JavaScript objects through `serde-wasm-bindgen`; each object
//! carries a `kind` field naming the variant, so a message is readable in the browser's devtools.
//!
//! Requests that carry an `id` are answered by zero or more intermediate outputs with that id
//! ([`WorkerOutput::ModelLoaded`], [`WorkerOutput::RunStarted`], [`WorkerOutput::Frame`]) and then
//! exactly one final [`WorkerOutput::Done`] or [`WorkerOutput::Error`] with that id. Errors never
//! end the worker (only a panic does, reported as a fatal error).
//!
//! The design is *pull*: the page asks for a few frames at a time (`Advance` with a small count)
//! and asks again when they are done, so a click is always handled between frames. The worker runs
//! a long request in slices and reads new requests between them: any new request ends the running
//! `Advance` (`Done` with reason `Interrupted`, or `Cancelled` for `Cancel`) before it is handled.
//!
//! The original `Probe` and `DiagnosticPanic` requests have no id and are answered by one message.

use serde::{Deserialize, Serialize};

use crate::engine::{Frame, ModelInfo, ModelSource, PuzzleKind, PuzzleSource, Unit, VoteVersion};

/// A request from the page to the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum WorkerInput {
    /// Multiply two `side × side` pattern matrices with candle and report the result.
    Probe { side: usize },
    /// Make the worker panic on purpose. Exists so tests can prove that a panic reaches the page
    /// as a message instead of silently killing the worker.
    DiagnosticPanic,
    /// Load a model (replaces the current one and ends any run). Answered by `ModelLoaded`, `Done`.
    LoadModel { id: u32, model: ModelSource },
    /// Start a run on a puzzle with the loaded model. Answered by `RunStarted`, the start `Frame`, `Done`.
    StartRun { id: u32, puzzle: PuzzleSource },
    /// Advance the run by `count` units, one `Frame` per network application, then `Done`. Without
    /// `keep_thinking` the run stops at the end of supervision step `halt_max_steps`; with
    /// `stop_on_halt` it stops at the end of any supervision step whose halting head says "done".
    Advance { id: u32, unit: Unit, count: u32, stop_on_halt: bool, keep_thinking: bool },
    /// Step back `frames` frames (restores the network state and the input of that frame).
    Back { id: u32, frames: u32 },
    /// Return to the frame with `index` (timeline scrubbing).
    Seek { id: u32, index: u32 },
    /// Set input cell `cell` (row-major) to `symbol` (`'1'`…`'9'` or `'.'` for Sudoku; `'#'`, `' '`,
    /// `'S'`, `'G'` for mazes; `'0'`…`'9'` for ARC) and continue from the current state.
    EditCell { id: u32, cell: usize, symbol: char },
    /// End a running `Advance` or `Vote`.
    Cancel { id: u32 },
    /// pass@2 voting on an ARC task's test input: the original and `versions − 1` augmented versions
    /// each run for the model's supervision steps (beside the run, which stays as it is). Answered by
    /// `VoteStarted`, one `VoteVersion` per version as it finishes, then `Done`.
    Vote { id: u32, puzzle: PuzzleSource, versions: u32 },
}

impl WorkerInput {
    /// The request's id (none for `Probe` and `DiagnosticPanic`).
    pub fn id(&self) -> Option<u32> {
        match self {
            WorkerInput::Probe { .. } | WorkerInput::DiagnosticPanic => None,
            WorkerInput::LoadModel { id, .. }
            | WorkerInput::StartRun { id, .. }
            | WorkerInput::Advance { id, .. }
            | WorkerInput::Back { id, .. }
            | WorkerInput::Seek { id, .. }
            | WorkerInput::EditCell { id, .. }
            | WorkerInput::Vote { id, .. }
            | WorkerInput::Cancel { id } => Some(*id),
        }
    }
}

/// What a run is, sent once when it starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    pub kind: PuzzleKind,
    pub rows: usize,
    pub cols: usize,
    /// T: answer refreshes per supervision step.
    pub h_cycles: usize,
    /// n: latent updates before each refresh.
    pub l_cycles: usize,
    /// Supervision steps of the official evaluation (the run stops there unless asked to keep thinking).
    pub halt_max_steps: usize,
    /// Frames carry per-cell correctness.
    pub solution_known: bool,
    /// How many frames can be stepped back at most.
    pub history_frames: usize,
    /// Something to tell the user (e.g. the model has never seen this ARC task).
    pub note: Option<String>,
}

/// Why a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DoneReason {
    /// Everything asked for was done.
    Completed,
    /// The halting head said "done" at the end of a supervision step (`stop_on_halt`).
    Halted,
    /// Supervision step `halt_max_steps` is complete (ask with `keep_thinking` to go on).
    MaxSteps,
    /// A `Cancel` ended it.
    Cancelled,
    /// Another request arrived and ended it.
    Interrupted,
}

/// A message from the worker to the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum WorkerOutput {
    /// The worker has installed its message handler; requests sent from now on are answered.
    Ready,
    /// The answer to [`WorkerInput::Probe`].
    Probe { side: usize, sum: f64, trace: f64, millis: f64 },
    /// A model is loaded.
    ModelLoaded { id: u32, info: ModelInfo },
    /// A run started.
    RunStarted { id: u32, run: RunInfo },
    /// One frame of the run.
    Frame { id: u32, frame: Box<Frame> },
    /// A vote started with this many versions (the original included).
    VoteStarted { id: u32, versions: usize },
    /// One version of a vote finished: its de-augmented prediction and the tally so far.
    VoteVersion { id: u32, version: Box<VoteVersion> },
    /// The request `id` is finished. `frames` were sent for it; `ms_per_application` is their mean
    /// network time; `steps_done` and `halted` describe the run now.
    Done { id: u32, reason: DoneReason, frames: u32, ms_per_application: Option<f64>, steps_done: u32, halted: bool },
    /// A request failed. `fatal` means the worker panicked and must be restarted; `id` is the
    /// request's, when it had one and could be read.
    Error {
        #[serde(default)]
        id: Option<u32>,
        message: String,
        fatal: bool,
    },
}

impl WorkerOutput {
    /// An error that leaves the worker usable.
    pub fn error(message: impl Into<String>) -> Self {
        WorkerOutput::Error { id: None, message: message.into(), fatal: false }
    }

    /// An error answering request `id`.
    pub fn error_for(id: Option<u32>, message: impl Into<String>) -> Self {
        WorkerOutput::Error { id, message: message.into(), fatal: false }
    }

    /// The id of the request this output answers, if any.
    pub fn id(&self) -> Option<u32> {
        match self {
            WorkerOutput::Ready | WorkerOutput::Probe { .. } => None,
            WorkerOutput::ModelLoaded { id, .. }
            | WorkerOutput::RunStarted { id, .. }
            | WorkerOutput::Frame { id, .. }
            | WorkerOutput::VoteStarted { id, .. }
            | WorkerOutput::VoteVersion { id, .. }
            | WorkerOutput::Done { id, .. } => Some(*id),
            WorkerOutput::Error { id, .. } => *id,
        }
    }

    /// True for the last message of a request (`Done` or `Error`).
    pub fn is_final(&self) -> bool {
        matches!(self, WorkerOutput::Done { .. } | WorkerOutput::Error { .. })
    }
}

/// Computes the answer to a `Probe`. `now_ms` is the clock (milliseconds).
pub fn probe(side: usize, now_ms: &dyn Fn() -> f64) -> WorkerOutput {
    let start = now_ms();
    match trm_core::selfcheck::matmul_probe(side) {
        Ok(p) => WorkerOutput::Probe { side: p.side, sum: p.sum, trace: p.trace, millis: now_ms() - start },
        Err(e) => WorkerOutput::error(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_their_kind() {
        let json = serde_json::to_string(&WorkerInput::Probe { side: 3 }).unwrap();
        assert_eq!(json, r#"{"kind":"Probe","side":3}"#);
        let back: WorkerOutput = serde_json::from_str(r#"{"kind":"Error","message":"x","fatal":true}"#).unwrap();
        assert_eq!(back, WorkerOutput::Error { id: None, message: "x".into(), fatal: true });
        let json = r#"{"kind":"Advance","id":4,"unit":"Refresh","count":1,"stop_on_halt":false,"keep_thinking":true}"#;
        let back: WorkerInput = serde_json::from_str(json).unwrap();
        assert_eq!(
            back,
            WorkerInput::Advance { id: 4, unit: Unit::Refresh, count: 1, stop_on_halt: false, keep_thinking: true }
        );
        let edit: WorkerInput = serde_json::from_str(r#"{"kind":"EditCell","id":1,"cell":3,"symbol":"4"}"#).unwrap();
        assert_eq!(edit, WorkerInput::EditCell { id: 1, cell: 3, symbol: '4' });
    }

    #[test]
    fn model_bytes_round_trip_inside_the_tagged_enum() {
        let input = WorkerInput::LoadModel {
            id: 1,
            model: ModelSource {
                name: "m".into(),
                bytes: vec![0, 1, 255],
                card: None,
                all_config_yaml: None,
                identifiers: None,
                domain: None,
                seq_len: Some(16),
            },
        };
        let json = serde_json::to_string(&input).unwrap();
        assert!(json.contains(r#""bytes":[0,1,255]"#), "{json}");
        assert_eq!(serde_json::from_str::<WorkerInput>(&json).unwrap(), input);
    }

    #[test]
    fn probe_is_answered_with_the_core_result() {
        let out = probe(8, &|| 0.0);
        let expected = trm_core::selfcheck::matmul_probe(8).unwrap();
        assert_eq!(out, WorkerOutput::Probe { side: 8, sum: expected.sum, trace: expected.trace, millis: 0.0 });
    }

    #[test]
    fn bad_probe_is_an_error_answer() {
        let out = probe(0, &|| 0.0);
        assert!(matches!(out, WorkerOutput::Error { fatal: false, .. }), "{out:?}");
    }
}
