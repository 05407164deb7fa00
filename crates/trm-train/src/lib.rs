//! Training of TRM models on candle's autograd, following the official trainer step for step.
//!
//! One optimizer step is one ACT (deep-supervision) call for every batch slot, as in the official
//! `pretrain.py` + `ACTLossHead` + `TinyRecursiveReasoningModel_ACTV1`:
//!
//! - [`model`]: [`TrainableTrm`], the network with its dense weights as candle `Var`s, plus the
//!   buffers that are not trained by gradient descent (`H_init`, `L_init`, the puzzle-embedding table).
//! - [`batch`]: [`Batch`], the examples of one loader step (tokens, labels with −100 = ignore, ids).
//! - [`act`]: [`ActCarry`], the per-slot state kept between calls, and the training-mode ACT call
//!   (refill of halted slots, recursion with gradient only through the last cycle, halting with
//!   exploration).
//! - [`loss`]: stable-max cross-entropy, the halting BCE and the [`Metrics`] of `ACTLossHead`.
//! - [`optim`]: [`AdamAtan2`] for the dense weights, [`SignSgd`] for the puzzle embeddings, the
//!   warm-up schedule, and [`Ema`].
//! - [`state`]: [`TrainState`], which ties them together into [`TrainState::step`].
//! - [`eval`]: the official evaluation (all supervision steps, batched) with per-step exact and cell
//!   accuracy, halting-head accuracy and ARC pass@K voting.
//! - [`export`]: writing a state dict as the official trainer does (safetensors or `torch.save` zip).
//! - [`data`]: where batches come from: Sudoku and maze generators, dataset files.
//! - [`trainer`]: the run loop of `trm train`: run configs and presets, logs, quick evaluation,
//!   resumable checkpoints, model export.
//!
//! Everything runs on the CPU, deterministically for a given seed.

pub mod act;
pub mod alloc;
pub mod batch;
pub mod data;
pub mod eval;
pub mod export;
pub mod loss;
pub mod model;
pub mod optim;
pub mod state;
pub mod trainer;

pub use act::{ActCarry, ActStep, LocalEmbedding};
pub use batch::{Batch, IGNORE_LABEL_ID};
pub use loss::Metrics;
pub use model::TrainableTrm;
pub use optim::{AdamAtan2, Ema, LrSchedule, SignSgd};
pub use state::{RngState, StateCheckpoint, StateMeta, StepOutput, TrainConfig, TrainState};
pub use trainer::{RunConfig, Trainer};

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A tensor operation failed inside candle.
    #[error("tensor operation failed: {0}")]
    Candle(#[from] candle_core::Error),
    /// Building or checking the model failed.
    #[error(transparent)]
    Model(#[from] trm_core::Error),
    /// A batch that does not fit the model or the carry.
    #[error("invalid batch: {0}")]
    InvalidBatch(String),
    /// A setting the official code does not run either, or this crate does not support.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// An invalid hyper-parameter.
    #[error("invalid training configuration: {0}")]
    Config(String),
    /// An evaluation set that cannot be used (mismatched sizes, a wrong solution, nothing to score).
    #[error("invalid evaluation set: {0}")]
    InvalidSet(String),
    /// A state dict that cannot be written.
    #[error("export failed: {0}")]
    Export(String),
    /// Reading or writing a file failed.
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    /// A training checkpoint that cannot be written or read back.
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    /// Every scheduled step has been taken (the official trainer then stops updating).
    #[error("training is finished: all {total_steps} steps have been taken")]
    Finished { total_steps: usize },
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, Error>;
