//! One run of a model on a puzzle: advance one network application at a time, producing a
//! [`Frame`] per application; step back to any kept frame; edit an input cell and continue.
//!
//! The stepper borrows the model, so a run keeps the stepper's [`SavedState`] instead of the stepper
//! itself and rebuilds a stepper around it for each application (cheap: an embedding lookup). Every
//! frame keeps its state, so stepping back is a restore, and stepping forward again recomputes the
//! same frames. States are capped by memory ([`Run::with_budget`]); the oldest are dropped first.

use std::collections::VecDeque;

use candle_core::{D, Tensor};
use serde::{Deserialize, Serialize};
use trm_core::stepper::{Normalisation, SavedState, Snapshot};
use trm_core::{Application, Place, Stepper, Trm};

use super::frame::{Frame, FrameKind, sigmoid};
use super::puzzle::Puzzle;
use super::{EngineError, Result};

/// How far one "advance" goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    /// One network application (a latent update or an answer refresh).
    Application,
    /// Up to and including the next answer refresh (n latent frames, then a refresh frame).
    Refresh,
    /// Up to the end of the current supervision step (T refreshes).
    Step,
}

/// Memory kept for stepping back, by default (states of y and z).
pub const DEFAULT_HISTORY_BYTES: usize = 192 << 20;

/// A kept point of the timeline.
struct Entry {
    /// Input tokens at this point (an edit changes them from here on).
    puzzle: Puzzle,
    state: SavedState,
    /// y's argmax tokens, to mark changed cells in the next frame.
    answer: Vec<u32>,
    frame: Frame,
}

/// A run in progress.
pub struct Run {
    /// Kept points, oldest first; the last is the current one.
    history: VecDeque<Entry>,
    /// Most entries kept.
    cap: usize,
    /// Cycles per step (T) and latent updates per cycle (n).
    t_cycles: usize,
}

fn stepper<'m>(trm: &'m Trm, puzzle: &Puzzle) -> Result<Stepper<'m>> {
    let device = trm.device();
    let tokens = Tensor::from_vec(puzzle.tokens.clone(), (1, puzzle.tokens.len()), device)?;
    let ids = Tensor::from_vec(vec![puzzle.puzzle_id], 1, device)?;
    let mut stepper = Stepper::new(trm, &tokens, &ids)?;
    stepper.set_normalisation(Normalisation::Softmax);
    Ok(stepper)
}

/// `‖z_new − z_old‖ / ‖z_old‖` per puzzle cell (the prefix positions left out).
fn activity(trm: &Trm, z_old: &Tensor, z_new: &Tensor) -> Result<Vec<f32>> {
    let c = trm.config();
    let old = z_old.narrow(1, c.prefix_len(), c.seq_len)?;
    let new = z_new.narrow(1, c.prefix_len(), c.seq_len)?;
    let moved = (&new - &old)?.sqr()?.sum(D::Minus1)?.sqrt()?;
    let scale = (old.sqr()?.sum(D::Minus1)?.sqrt()? + 1e-6)?;
    Ok((moved / scale)?.squeeze(0)?.to_vec1()?)
}

/// The pieces of a frame that come from the network.
struct Computed {
    index: u32,
    place: Option<Place>,
    kind: FrameKind,
    snapshot: Snapshot,
    activity: Vec<f32>,
    apply_ms: f64,
}

impl Run {
    /// Starts a run at `H_init`/`L_init`, keeping about [`DEFAULT_HISTORY_BYTES`] of states.
    pub fn start(trm: &Trm, puzzle: Puzzle) -> Result<Run> {
        Self::with_budget(trm, puzzle, DEFAULT_HISTORY_BYTES)
    }

    /// Starts a run keeping about `history_bytes` of states for stepping back (at least 16 frames).
    pub fn with_budget(trm: &Trm, puzzle: Puzzle, history_bytes: usize) -> Result<Run> {
        let c = trm.config();
        if puzzle.tokens.len() != c.seq_len {
            return Err(EngineError::Unsupported(format!(
                "this model expects {} cells; the puzzle has {}",
                c.seq_len,
                puzzle.tokens.len()
            )));
        }
        // Each application replaces one of y, z; the other is shared with the previous state.
        let per_state = c.total_seq_len() * c.hidden_size * 4;
        let cap = (history_bytes / per_state.max(1)).max(16);
        let mut stepper = stepper(trm, &puzzle)?;
        let snapshot = stepper.snapshot()?;
        let computed = Computed {
            index: 0,
            place: None,
            kind: FrameKind::Start,
            snapshot,
            activity: vec![0.0; c.seq_len],
            apply_ms: 0.0,
        };
        let (frame, answer) = build_frame(&puzzle, None, computed, c.h_cycles);
        let entry = Entry { puzzle, state: stepper.save(), answer, frame };
        Ok(Run { history: VecDeque::from([entry]), cap, t_cycles: c.h_cycles })
    }

    fn current_entry(&self) -> &Entry {
        // The history is never empty: `start` puts one entry, `truncate_after` keeps one.
        &self.history[self.history.len() - 1]
    }

    /// The latest frame.
    pub fn current(&self) -> &Frame {
        &self.current_entry().frame
    }

    /// The puzzle as it stands now (edits included).
    pub fn puzzle(&self) -> &Puzzle {
        &self.current_entry().puzzle
    }

    /// y's argmax tokens now.
    pub fn answer_tokens(&self) -> &[u32] {
        &self.current_entry().answer
    }

    /// The index of the oldest frame that can still be returned to.
    pub fn oldest_index(&self) -> u32 {
        self.history[0].frame.index
    }

    /// Frames that can be stepped back to at most (the cap of kept states).
    pub fn history_cap(&self) -> usize {
        self.cap
    }

    /// True when the current frame closes a supervision step whose halting head says "done".
    pub fn halted(&self) -> bool {
        let f = self.current();
        f.ends_step && f.halt_probability.is_some_and(|p| p > 0.5)
    }

    /// Supervision steps completed.
    pub fn steps_done(&self) -> u32 {
        let f = self.current();
        if f.ends_step { f.step } else { f.step.saturating_sub(1) }
    }

    /// Does one network application and returns its frame. `now_ms` is the clock.
    pub fn apply(&mut self, trm: &Trm, now_ms: &dyn Fn() -> f64) -> Result<&Frame> {
        let current = self.current_entry();
        let puzzle = current.puzzle.clone();
        let mut stepper = stepper(trm, &puzzle)?;
        stepper.restore(current.state.clone());
        let z_old = stepper.carry().z.clone();
        let start = now_ms();
        let place = stepper.apply()?;
        let apply_ms = now_ms() - start;
        let snapshot = stepper.snapshot()?;
        let (kind, activity) = match place.application {
            Application::LatentUpdate(_) => (FrameKind::Latent, activity(trm, &z_old, &stepper.carry().z)?),
            Application::AnswerRefresh => (FrameKind::Refresh, vec![0.0; puzzle.tokens.len()]),
        };
        let computed =
            Computed { index: current.frame.index + 1, place: Some(place), kind, snapshot, activity, apply_ms };
        let (frame, answer) = build_frame(&puzzle, Some(&current.answer), computed, self.t_cycles);
        self.history.push_back(Entry { puzzle, state: stepper.save(), answer, frame });
        while self.history.len() > self.cap {
            self.history.pop_front();
        }
        Ok(self.current())
    }

    /// Returns to the frame with `index` (it must still be kept); later frames are forgotten.
    pub fn seek(&mut self, index: u32) -> Result<&Frame> {
        let Some(pos) = self.history.iter().position(|e| e.frame.index == index) else {
            return Err(EngineError::Request(format!(
                "frame {index} is not kept: frames {} to {} can be returned to",
                self.oldest_index(),
                self.current().index
            )));
        };
        self.history.truncate(pos + 1);
        Ok(self.current())
    }

    /// Steps back `frames` frames.
    pub fn back(&mut self, frames: u32) -> Result<&Frame> {
        let now = self.current().index;
        let target = now
            .checked_sub(frames)
            .ok_or_else(|| EngineError::Request(format!("cannot step back {frames} frames from frame {now}")))?;
        self.seek(target)
    }

    /// Sets input cell `cell` to `symbol` (see [`super::puzzle`] for the symbols) and returns the
    /// current frame with the new input and correctness; the network state is kept, so the next
    /// application continues from here with the edited question.
    pub fn edit(&mut self, cell: usize, symbol: char) -> Result<&Frame> {
        let len = self.history.len();
        let entry = &mut self.history[len - 1];
        let puzzle = entry.puzzle.edited(cell, symbol)?;
        entry.frame.input = puzzle.symbols(&puzzle.tokens);
        entry.frame.correct = correctness(&puzzle, &entry.answer);
        entry.frame.kind = FrameKind::Edit;
        entry.frame.changed = vec![0; puzzle.tokens.len()];
        entry.frame.apply_ms = 0.0;
        entry.puzzle = puzzle;
        Ok(&entry.frame)
    }
}

fn correctness(puzzle: &Puzzle, answer: &[u32]) -> Option<Vec<u8>> {
    puzzle.solution.as_ref().map(|s| s.iter().zip(answer).map(|(s, a)| u8::from(s == a)).collect())
}

/// Turns what the network computed into a frame; returns it with y's argmax tokens.
fn build_frame(puzzle: &Puzzle, previous: Option<&[u32]>, c: Computed, t_cycles: usize) -> (Frame, Vec<u32>) {
    let first = |v: Vec<Vec<u32>>| v.into_iter().next().unwrap_or_default();
    let first_f = |v: Vec<Vec<f32>>| v.into_iter().next().unwrap_or_default();
    let answer = first(c.snapshot.answer.tokens);
    let scratch = first(c.snapshot.scratch.tokens);
    let changed = match previous {
        Some(prev) => prev.iter().zip(&answer).map(|(p, a)| u8::from(p != a)).collect(),
        None => vec![0; answer.len()],
    };
    let q_halt = match c.kind {
        FrameKind::Latent => None,
        _ => c.snapshot.q_halt.first().copied(),
    };
    let (step, cycle, latent, ends_step) = match c.place {
        Some(p) => {
            let latent = match p.application {
                Application::LatentUpdate(k) => k as u32,
                Application::AnswerRefresh => 0,
            };
            (p.step as u32, p.cycle as u32, latent, p.ends_step(t_cycles))
        }
        None => (0, 0, 0, false),
    };
    let frame = Frame {
        index: c.index,
        kind: c.kind,
        step,
        cycle,
        latent,
        ends_step,
        input: puzzle.symbols(&puzzle.tokens),
        answer: puzzle.symbols(&answer),
        confidence: first_f(c.snapshot.answer.confidence),
        changed,
        scratch: puzzle.symbols(&scratch),
        scratch_confidence: first_f(c.snapshot.scratch.confidence),
        activity: c.activity,
        q_halt,
        halt_probability: q_halt.map(sigmoid),
        correct: correctness(puzzle, &answer),
        apply_ms: c.apply_ms,
    };
    (frame, answer)
}
