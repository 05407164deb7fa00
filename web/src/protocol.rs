//! Messages between the page and the worker.
//!
//! Both sides exchange these enums as JavaScript objects through `serde-wasm-bindgen`; each object
//! carries a `kind` field naming the variant, so a message is readable in the browser's devtools.
//! The worker answers every input with exactly one output.

use serde::{Deserialize, Serialize};

/// A request from the page to the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum WorkerInput {
    /// Multiply two `side × side` pattern matrices with candle and report the result.
    Probe { side: usize },
    /// Make the worker panic on purpose. Exists so tests can prove that a panic reaches the page
    /// as a message instead of silently killing the worker.
    DiagnosticPanic,
}

/// A message from the worker to the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum WorkerOutput {
    /// The worker has installed its message handler; requests sent from now on are answered.
    Ready,
    /// The answer to [`WorkerInput::Probe`].
    Probe { side: usize, sum: f64, trace: f64, millis: f64 },
    /// A request failed. `fatal` means the worker panicked and must be restarted.
    Error { message: String, fatal: bool },
}

impl WorkerOutput {
    /// An error that leaves the worker usable.
    pub fn error(message: impl Into<String>) -> Self {
        WorkerOutput::Error { message: message.into(), fatal: false }
    }
}

/// Computes the answer to one request. `now_ms` is the clock (milliseconds), passed in so this
/// function stays plain Rust and is tested natively.
pub fn answer(input: WorkerInput, now_ms: impl Fn() -> f64) -> WorkerOutput {
    match input {
        WorkerInput::Probe { side } => {
            let start = now_ms();
            match trm_core::selfcheck::matmul_probe(side) {
                Ok(p) => WorkerOutput::Probe { side: p.side, sum: p.sum, trace: p.trace, millis: now_ms() - start },
                Err(e) => WorkerOutput::error(e.to_string()),
            }
        }
        WorkerInput::DiagnosticPanic => panic!("diagnostic panic requested by the page"),
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
        assert_eq!(back, WorkerOutput::Error { message: "x".into(), fatal: true });
    }

    #[test]
    fn probe_is_answered_with_the_core_result() {
        let out = answer(WorkerInput::Probe { side: 8 }, || 0.0);
        let expected = trm_core::selfcheck::matmul_probe(8).unwrap();
        assert_eq!(out, WorkerOutput::Probe { side: 8, sum: expected.sum, trace: expected.trace, millis: 0.0 });
    }

    #[test]
    fn bad_request_is_an_error_answer() {
        let out = answer(WorkerInput::Probe { side: 0 }, || 0.0);
        assert!(matches!(out, WorkerOutput::Error { fatal: false, .. }), "{out:?}");
    }
}
