//! The run engine: what the worker does with a model and a puzzle, as plain Rust (tested natively).
//!
//! - [`model`]: load a checkpoint from bytes (+ model card), describe it and the puzzles it supports.
//! - [`puzzle`]: turn Sudoku / maze text or an ARC test input into the official tokens, with the
//!   known solution and the symbol of every token.
//! - [`frame`]: what the page shows after one network application (flat arrays, cheap to send).
//! - [`run`]: one run through the recursion — advance, step back, edit a cell, keep thinking.
//! - [`session`]: the worker's side of the protocol — answers every request, runs long requests in
//!   slices so that a new request (a click on the page) is read between frames.

pub mod bytes;
pub mod frame;
pub mod model;
pub mod puzzle;
pub mod run;
pub mod session;
pub mod vote;

pub use frame::{Frame, FrameKind};
pub use model::{LoadedModel, ModelInfo, ModelSource};
pub use puzzle::{Domain, Puzzle, PuzzleKind, PuzzleSource};
pub use run::{Run, Unit};
pub use session::Session;
pub use vote::{VoteCandidate, VoteVersion};

/// Everything that can go wrong in the engine. Messages are written for the page's user.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The checkpoint or its card could not be loaded.
    #[error("cannot load the model: {0}")]
    Load(#[source] trm_core::Error),
    /// The model card is not usable JSON.
    #[error("cannot read the model card: {0}")]
    Card(String),
    /// The puzzle text or task is invalid.
    #[error("invalid puzzle: {0}")]
    Puzzle(String),
    /// The loaded model cannot run this puzzle.
    #[error("{0}")]
    Unsupported(String),
    /// A request that needs a model came before one was loaded.
    #[error("no model is loaded yet")]
    NoModel,
    /// A request that needs a run came before one was started.
    #[error("no run is in progress: start one first")]
    NoRun,
    /// The request does not make sense in the current state (e.g. stepping back too far).
    #[error("{0}")]
    Request(String),
    /// A tensor computation failed.
    #[error("the model failed: {0}")]
    Model(#[from] trm_core::Error),
}

impl From<candle_core::Error> for EngineError {
    fn from(e: candle_core::Error) -> Self {
        EngineError::Model(trm_core::Error::Candle(e))
    }
}

/// Result alias of the engine.
pub type Result<T> = std::result::Result<T, EngineError>;
