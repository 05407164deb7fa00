//! The Tiny Recursive Model (TRM) on candle-core, natively and on `wasm32-unknown-unknown`.
//!
//! - [`config`]: the architecture, with the official field names.
//! - [`layers`] and [`model`]: the network, built from a `VarBuilder` whose paths are the official
//!   checkpoint keys.
//! - [`ops`]: fused CPU kernels (with backward passes) for the element-wise parts of the network.
//! - [`stepper`]: step-through inference, one network application at a time (the playground's core).
//! - [`checkpoint`]: loading safetensors and official PyTorch checkpoints from bytes, with typed errors.
//! - [`init`]: fresh weights with the official initialisation, deterministic per seed.
//! - [`parity`]: comparison with fixtures recorded from the official implementation.
//! - [`selfcheck`]: a small candle computation proving the numeric stack works on a target.
//!
//! This crate knows nothing about the web app or the command line; both call into it.

pub mod checkpoint;
pub mod config;
pub mod init;
pub mod layers;
pub mod model;
pub mod ops;
pub mod parity;
pub mod selfcheck;
pub mod stepper;

pub use checkpoint::{ConfigHint, WeightsFormat, load_model};
pub use config::{PosEncoding, TrmConfig};
pub use model::{Carry, Trm};
pub use stepper::{Application, Place, Snapshot, Stepper, solve};

/// Errors of this crate. Checkpoint errors name the key, shape or offset at fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A tensor operation failed inside candle.
    #[error("tensor operation failed: {0}")]
    Candle(#[from] candle_core::Error),
    /// The caller asked for something this crate refuses to do.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The configuration is incomplete or inconsistent.
    #[error("invalid model configuration: {0}")]
    Config(String),
    /// The configuration contradicts the weights.
    #[error("configuration does not match the weights: {0}")]
    ConfigMismatch(String),
    /// The bytes are not a readable checkpoint (unknown format, truncated, corrupt).
    #[error("{0}")]
    Format(String),
    /// A tensor the model needs is absent.
    #[error("the checkpoint has no tensor `{key}`")]
    MissingTensor { key: String },
    /// A tensor the model does not know.
    #[error("the checkpoint has an unexpected tensor `{key}` (wrong model type or config?)")]
    UnexpectedTensor { key: String },
    /// A tensor of the wrong shape.
    #[error("tensor `{key}` has shape {found:?}, expected {expected}")]
    ShapeMismatch { key: String, expected: String, found: Vec<usize> },
    /// A NaN or infinity in the weights.
    #[error("tensor `{key}` holds a non-finite value ({value}) at flat index {index}")]
    NonFinite { key: String, index: usize, value: f32 },
    /// A tensor stored in a dtype the model cannot use.
    #[error("tensor `{key}` has unsupported dtype {dtype} (expected f32, f16, bf16 or f64)")]
    UnsupportedDtype { key: String, dtype: String },
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, Error>;
