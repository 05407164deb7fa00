//! Step-through inference: advance a batch of puzzles one network application at a time and look at
//! the answer, the scratch paper and the halting head after any of them.
//!
//! One supervision step is `T` cycles; a cycle is `n` latent updates (`z ← f(z, y + x)`) followed by
//! one answer refresh (`y ← f(y, z)`). Run to the end, a stepper computes exactly what the official
//! evaluation computes: all `halt_max_steps` steps, with the halting head only reported. It can go on
//! past that ("keep thinking"), take new input tokens between applications, and save and restore its
//! state for stepping back.

use candle_core::{D, DType, Tensor};

use crate::model::{Carry, Trm, stablemax};
use crate::{Error, Result};

/// What one network application did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Application {
    /// Latent update `k` of the cycle (1..=n).
    LatentUpdate(usize),
    /// The answer refresh that closes the cycle.
    AnswerRefresh,
}

/// Where an application sits in the recursion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Place {
    /// Supervision step, from 1.
    pub step: usize,
    /// Cycle within the step, 1..=T.
    pub cycle: usize,
    pub application: Application,
}

impl Place {
    fn first() -> Self {
        Place { step: 1, cycle: 1, application: Application::LatentUpdate(1) }
    }

    /// The place after this one, for `t` cycles of `n` latent updates.
    fn next(self, t: usize, n: usize) -> Self {
        match self.application {
            Application::LatentUpdate(k) if k < n => Place { application: Application::LatentUpdate(k + 1), ..self },
            Application::LatentUpdate(_) => Place { application: Application::AnswerRefresh, ..self },
            Application::AnswerRefresh if self.cycle < t => {
                Place { cycle: self.cycle + 1, application: Application::LatentUpdate(1), ..self }
            }
            Application::AnswerRefresh => {
                Place { step: self.step + 1, cycle: 1, application: Application::LatentUpdate(1) }
            }
        }
    }

    /// True for the last application of a supervision step.
    pub fn ends_step(&self, t: usize) -> bool {
        self.application == Application::AnswerRefresh && self.cycle == t
    }
}

/// Decoded view of one grid state, per example.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// Argmax token per cell.
    pub tokens: Vec<Vec<u32>>,
    /// Probability of that token per cell (stable-max, or softmax if asked).
    pub confidence: Vec<Vec<f32>>,
}

/// Everything the playground shows after an application.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The last application, `None` before the first.
    pub place: Option<Place>,
    /// Applications done so far.
    pub applications: usize,
    /// The answer y, decoded.
    pub answer: Decoded,
    /// The scratch paper z decoded through the output head (a logit-lens view: z is never trained to
    /// be decoded, so this shows tendencies, not answers).
    pub scratch: Decoded,
    /// Per example and cell: did the answer's argmax change since the previous snapshot?
    pub changed: Vec<Vec<bool>>,
    /// Halting logits per example (`sigmoid(q_halt) > 0.5` means "I am done").
    pub q_halt: Vec<f32>,
    pub q_continue: Vec<f32>,
}

/// Normalisation for the decoded confidences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Normalisation {
    /// Stable-max, as the model is trained (the default).
    #[default]
    StableMax,
    Softmax,
}

/// State saved at any point, to return to later.
#[derive(Debug, Clone)]
pub struct SavedState {
    carry: Carry,
    next: Place,
    last: Option<Place>,
    applications: usize,
    previous_answer: Option<Vec<Vec<u32>>>,
}

/// Advances a batch of puzzles through the recursion one network application at a time.
pub struct Stepper<'m> {
    model: &'m Trm,
    tokens: Tensor,
    puzzle_ids: Tensor,
    x: Tensor,
    carry: Carry,
    next: Place,
    last: Option<Place>,
    applications: usize,
    previous_answer: Option<Vec<Vec<u32>>>,
    normalisation: Normalisation,
}

impl<'m> Stepper<'m> {
    /// Starts from `H_init`/`L_init`. `tokens` is `[B, L]` and `puzzle_ids` `[B]` (u32).
    pub fn new(model: &'m Trm, tokens: &Tensor, puzzle_ids: &Tensor) -> Result<Self> {
        let (tokens, puzzle_ids) = check_inputs(model, tokens, puzzle_ids)?;
        let x = model.input_embeddings(&tokens, &puzzle_ids)?;
        let carry = model.initial_carry(tokens.dim(0)?)?;
        Ok(Self {
            model,
            tokens,
            puzzle_ids,
            x,
            carry,
            next: Place::first(),
            last: None,
            applications: 0,
            previous_answer: None,
            normalisation: Normalisation::default(),
        })
    }

    /// Starts from a given carry (e.g. one recorded by another implementation).
    pub fn with_carry(mut self, carry: Carry) -> Result<Self> {
        let want = self.carry.y.dims().to_vec();
        for (name, t) in [("y", &carry.y), ("z", &carry.z)] {
            if t.dims() != want.as_slice() {
                return Err(Error::InvalidArgument(format!(
                    "carry {name} has shape {:?}, expected {want:?}",
                    t.dims()
                )));
            }
        }
        self.carry = carry;
        Ok(self)
    }

    pub fn set_normalisation(&mut self, normalisation: Normalisation) {
        self.normalisation = normalisation;
    }

    /// The place the next application will have.
    pub fn next_place(&self) -> Place {
        self.next
    }

    /// The carry (raw tensors, for tests and exports).
    pub fn carry(&self) -> &Carry {
        &self.carry
    }

    /// Does one network application and returns its place.
    pub fn apply(&mut self) -> Result<Place> {
        let place = self.next;
        match place.application {
            Application::LatentUpdate(_) => self.carry.z = self.model.latent_update(&self.carry, &self.x, None)?,
            Application::AnswerRefresh => self.carry.y = self.model.answer_refresh(&self.carry)?,
        }
        let c = self.model.config();
        self.next = place.next(c.h_cycles, c.l_cycles);
        self.last = Some(place);
        self.applications += 1;
        Ok(place)
    }

    /// Applies until the next answer refresh is done.
    pub fn refresh(&mut self) -> Result<Place> {
        loop {
            let place = self.apply()?;
            if place.application == Application::AnswerRefresh {
                return Ok(place);
            }
        }
    }

    /// Applies until the current supervision step is complete.
    pub fn supervision_step(&mut self) -> Result<Place> {
        let t = self.model.config().h_cycles;
        loop {
            let place = self.apply()?;
            if place.ends_step(t) {
                return Ok(place);
            }
        }
    }

    /// Runs `steps` supervision steps; with `stop_on_halt`, stops early once every example's
    /// `q_halt` logit is positive (the training-time rule). Returns the steps done.
    pub fn run(&mut self, steps: usize, stop_on_halt: bool) -> Result<usize> {
        for done in 1..=steps {
            self.supervision_step()?;
            if stop_on_halt {
                let (q_halt, _) = self.model.q_values(&self.carry.y)?;
                if q_halt.to_vec1::<f32>()?.iter().all(|&q| q > 0.0) {
                    return Ok(done);
                }
            }
        }
        Ok(steps)
    }

    /// Replaces the input tokens (a user edited a clue); the carry is kept.
    pub fn set_tokens(&mut self, tokens: &Tensor) -> Result<()> {
        let (tokens, _) = check_inputs(self.model, tokens, &self.puzzle_ids)?;
        if tokens.dims() != self.tokens.dims() {
            return Err(Error::InvalidArgument(format!(
                "new tokens have shape {:?}, expected {:?}",
                tokens.dims(),
                self.tokens.dims()
            )));
        }
        self.x = self.model.input_embeddings(&tokens, &self.puzzle_ids)?;
        self.tokens = tokens;
        Ok(())
    }

    /// Saves the state (carry, position, change tracking).
    pub fn save(&self) -> SavedState {
        SavedState {
            carry: self.carry.clone(),
            next: self.next,
            last: self.last,
            applications: self.applications,
            previous_answer: self.previous_answer.clone(),
        }
    }

    /// Returns to a saved state. Input tokens stay as they are now.
    pub fn restore(&mut self, saved: SavedState) {
        self.carry = saved.carry;
        self.next = saved.next;
        self.last = saved.last;
        self.applications = saved.applications;
        self.previous_answer = saved.previous_answer;
    }

    /// Answer logits `[B, L, V]`.
    pub fn answer_logits(&self) -> Result<Tensor> {
        Ok(self.model.logits(&self.carry.y)?)
    }

    /// Decodes y and z and reports the halting head. Marks the answer as seen, so the next
    /// snapshot's `changed` is relative to this one.
    pub fn snapshot(&mut self) -> Result<Snapshot> {
        let answer = self.decode(&self.carry.y)?;
        let scratch = self.decode(&self.carry.z)?;
        let changed = match &self.previous_answer {
            Some(prev) => {
                prev.iter().zip(&answer.tokens).map(|(p, a)| p.iter().zip(a).map(|(p, a)| p != a).collect()).collect()
            }
            None => answer.tokens.iter().map(|row| vec![false; row.len()]).collect(),
        };
        self.previous_answer = Some(answer.tokens.clone());
        let (q_halt, q_continue) = self.model.q_values(&self.carry.y)?;
        Ok(Snapshot {
            place: self.last,
            applications: self.applications,
            answer,
            scratch,
            changed,
            q_halt: q_halt.to_vec1()?,
            q_continue: q_continue.to_vec1()?,
        })
    }

    fn decode(&self, state: &Tensor) -> Result<Decoded> {
        let logits = self.model.logits(state)?;
        let probs = match self.normalisation {
            Normalisation::StableMax => stablemax(&logits)?,
            Normalisation::Softmax => candle_nn::ops::softmax_last_dim(&logits)?,
        };
        let tokens = probs.argmax(D::Minus1)?;
        let confidence = probs.max(D::Minus1)?;
        Ok(Decoded { tokens: tokens.to_vec2()?, confidence: confidence.to_vec2()? })
    }
}

/// Checks shapes and ranges of the inputs; returns them as u32 tensors.
fn check_inputs(model: &Trm, tokens: &Tensor, puzzle_ids: &Tensor) -> Result<(Tensor, Tensor)> {
    let c = model.config();
    let tokens = tokens.to_dtype(DType::U32)?;
    let puzzle_ids = puzzle_ids.to_dtype(DType::U32)?;
    let (batch, len) = tokens.dims2().map_err(|_| {
        Error::InvalidArgument(format!("tokens must be [batch, {}], got {:?}", c.seq_len, tokens.dims()))
    })?;
    if len != c.seq_len {
        return Err(Error::InvalidArgument(format!("the model expects {} tokens per puzzle, got {len}", c.seq_len)));
    }
    if puzzle_ids.dims() != [batch] {
        return Err(Error::InvalidArgument(format!("puzzle ids must be [{batch}], got {:?}", puzzle_ids.dims())));
    }
    if let Some(bad) = tokens.flatten_all()?.to_vec1::<u32>()?.into_iter().find(|&t| t as usize >= c.vocab_size) {
        return Err(Error::InvalidArgument(format!("token {bad} is outside the vocabulary (size {})", c.vocab_size)));
    }
    let rows = if c.puzzle_emb_ndim > 0 { c.num_puzzle_identifiers } else { usize::MAX };
    if let Some(bad) = puzzle_ids.to_vec1::<u32>()?.into_iter().find(|&i| i as usize >= rows) {
        return Err(Error::InvalidArgument(format!("puzzle id {bad} has no embedding row (the model has {rows})")));
    }
    Ok((tokens, puzzle_ids))
}

/// Runs `steps` supervision steps on a batch and returns the final answer logits `[B, L, V]` and
/// `q_halt` `[B]` — the official evaluation when `steps = halt_max_steps`. Same code path as the
/// stepper.
pub fn solve(model: &Trm, tokens: &Tensor, puzzle_ids: &Tensor, steps: usize) -> Result<(Tensor, Tensor)> {
    let mut stepper = Stepper::new(model, tokens, puzzle_ids)?;
    stepper.run(steps, false)?;
    let (q_halt, _) = model.q_values(&stepper.carry.y)?;
    Ok((stepper.answer_logits()?, q_halt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_follow_cycles_and_steps() {
        let (t, n) = (2, 3);
        let mut p = Place::first();
        let mut seen = vec![p];
        for _ in 0..(t * (n + 1) + 1) {
            p = p.next(t, n);
            seen.push(p);
        }
        use Application::*;
        let expect = [
            (1, 1, LatentUpdate(1)),
            (1, 1, LatentUpdate(2)),
            (1, 1, LatentUpdate(3)),
            (1, 1, AnswerRefresh),
            (1, 2, LatentUpdate(1)),
            (1, 2, LatentUpdate(2)),
            (1, 2, LatentUpdate(3)),
            (1, 2, AnswerRefresh),
            (2, 1, LatentUpdate(1)),
            (2, 1, LatentUpdate(2)),
        ];
        for (got, (s, c, a)) in seen.iter().zip(expect) {
            assert_eq!(*got, Place { step: s, cycle: c, application: a });
        }
        assert!(seen[7].ends_step(t));
        assert!(!seen[3].ends_step(t));
    }
}
