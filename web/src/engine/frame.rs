//! A frame: everything the page shows after one network application (or at the start of a run, or
//! after an edit). Per-cell data are flat arrays in row-major order — `Vec<u8>` fields travel as one
//! `Uint8Array`, `Vec<f32>` as one array of numbers — never an object per cell.

use serde::{Deserialize, Serialize};

/// What produced a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FrameKind {
    /// The state before any application (`y`, `z` at `H_init`, `L_init`).
    Start,
    /// A latent update `z ← f(z, y + x)`; `latent` says which (1..=n).
    Latent,
    /// An answer refresh `y ← f(y, z)`, closing a cycle.
    Refresh,
    /// The input was edited; the network did not run.
    Edit,
}

/// One frame of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    /// Position on the run's timeline: network applications done so far (0 at the start). Stepping
    /// back to a frame and forward again reproduces the frames with the same indices.
    pub index: u32,
    pub kind: FrameKind,
    /// Supervision step of the last application, from 1 (0 at the start).
    pub step: u32,
    /// Cycle within the step, 1..=T (0 at the start).
    pub cycle: u32,
    /// Latent update within the cycle, 1..=n, for `Latent` frames; 0 otherwise.
    pub latent: u32,
    /// True when this application closed a supervision step.
    pub ends_step: bool,
    /// The input x, one symbol per cell (see [`super::puzzle`] for the symbols).
    #[serde(with = "super::bytes")]
    pub input: Vec<u8>,
    /// The answer y decoded through the output head: one symbol per cell.
    #[serde(with = "super::bytes")]
    pub answer: Vec<u8>,
    /// Softmax probability of that symbol, per cell.
    pub confidence: Vec<f32>,
    /// 1 where y's argmax differs from the previous frame's (so only refresh frames mark cells: the
    /// cells changed since the previous refresh).
    #[serde(with = "super::bytes")]
    pub changed: Vec<u8>,
    /// The scratch paper z decoded through the output head (a logit-lens view: z is never trained to
    /// be decoded, so it shows tendencies, not answers).
    #[serde(with = "super::bytes")]
    pub scratch: Vec<u8>,
    /// Softmax probability of the scratch symbol, per cell.
    pub scratch_confidence: Vec<f32>,
    /// How much z moved at each cell in this application: `‖z_new − z_old‖ / ‖z_old‖` over the hidden
    /// axis (0 for frames that do not update z).
    pub activity: Vec<f32>,
    /// The halting head's logit at refresh and start frames (`None` at latent frames: y has not
    /// changed since the last one).
    pub q_halt: Option<f32>,
    /// `sigmoid(q_halt)`: the model's belief that it is done (it halts above 0.5).
    pub halt_probability: Option<f32>,
    /// When the solution is known: 1 where the answer is right, per cell.
    #[serde(with = "super::bytes::option")]
    pub correct: Option<Vec<u8>>,
    /// Milliseconds the network application took (0 for frames without one).
    pub apply_ms: f64,
}

impl Frame {
    /// Share of cells whose answer is right, when the solution is known.
    pub fn accuracy(&self) -> Option<f32> {
        let correct = self.correct.as_ref()?;
        if correct.is_empty() {
            return None;
        }
        Some(correct.iter().filter(|&&c| c == 1).count() as f32 / correct.len() as f32)
    }

    /// Share of cells marked as changed.
    pub fn changed_share(&self) -> f32 {
        if self.changed.is_empty() {
            return 0.0;
        }
        self.changed.iter().filter(|&&c| c == 1).count() as f32 / self.changed.len() as f32
    }

    /// The answer as text, one symbol per cell.
    pub fn answer_text(&self) -> String {
        self.answer.iter().map(|&b| char::from(b)).collect()
    }

    /// The input x as text, one symbol per cell (after a mid-run edit: the edited input).
    pub fn input_text(&self) -> String {
        self.input.iter().map(|&b| char::from(b)).collect()
    }

    /// The same frame with the timing zeroed (for comparing recomputed frames).
    pub fn without_timing(&self) -> Frame {
        Frame { apply_ms: 0.0, ..self.clone() }
    }
}

/// The logistic function.
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}
