//! The Tiny Recursive Model (TRM) on candle-core.
//!
//! This crate runs natively and on `wasm32-unknown-unknown`. It knows nothing about the web app
//! or the command line; both call into it.
//!
//! So far it holds [`selfcheck`], a small candle computation that proves the numeric stack works on a
//! target (the playground's worker runs it at start-up). The model itself follows.

pub mod selfcheck;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A tensor operation failed inside candle.
    #[error("tensor operation failed: {0}")]
    Candle(#[from] candle_core::Error),
    /// The caller asked for something this crate refuses to do.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, Error>;
