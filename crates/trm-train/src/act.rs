//! The training-mode ACT call (`TinyRecursiveReasoningModel_ACTV1.forward` + `ACTLossHead`).
//!
//! Each batch slot holds one example across calls. At the start of a call every slot that halted
//! at the previous call is refilled: its state is reset to `H_init`/`L_init`, its step counter to 0,
//! and it takes the example of the freshly loaded batch at the same index; slots still running keep
//! their example, and the loaded one at their index is dropped (the official loader semantics). One
//! supervision step follows (T − 1 cycles without gradient, one with), then the heads, the halting
//! decision, and the loss. The carry leaves the call detached, so backpropagation never crosses calls.

use candle_core::{DType, Tensor, Var};
use rand::Rng;

use crate::batch::Batch;
use crate::loss::{self, Metrics};
use crate::model::TrainableTrm;
use crate::{Error, Result};

/// What stays in the batch slots between calls.
#[derive(Debug, Clone)]
pub struct ActCarry {
    /// The answer state `z_H`, `[B, S, D]`, detached.
    y: Tensor,
    /// The latent state `z_L`, `[B, S, D]`, detached.
    z: Tensor,
    /// ACT steps each slot's example has used so far.
    steps: Vec<u32>,
    /// Whether each slot halted at the last call (and is refilled at the next).
    halted: Vec<bool>,
    /// The example each slot holds.
    data: Batch,
}

impl ActCarry {
    /// The official initial carry: every slot halted, so the first call fills all of them. The states
    /// start at `H_init`/`L_init` (the official code leaves them uninitialised; they are reset anyway).
    pub fn new(model: &TrainableTrm, batch_size: usize) -> Result<Self> {
        let c = model.config();
        let init = model.model().initial_carry(batch_size)?;
        let empty = Batch::new(
            c.seq_len,
            vec![0; batch_size * c.seq_len],
            vec![crate::IGNORE_LABEL_ID; batch_size * c.seq_len],
            vec![0; batch_size],
        )?;
        Ok(Self { y: init.y, z: init.z, steps: vec![0; batch_size], halted: vec![true; batch_size], data: empty })
    }

    /// Rebuilds a carry from its parts (a checkpoint's): states `[B, S, D]` for `model`, and per
    /// slot the step count, the halted flag and the example held.
    pub fn from_parts(
        model: &TrainableTrm,
        y: Tensor,
        z: Tensor,
        steps: Vec<u32>,
        halted: Vec<bool>,
        data: Batch,
    ) -> Result<Self> {
        let c = model.config();
        let b = steps.len();
        let shape = [b, c.total_seq_len(), c.hidden_size];
        if y.dims() != shape || z.dims() != shape || halted.len() != b || data.batch_size() != b {
            return Err(Error::InvalidBatch(format!(
                "carry parts do not fit together: y {:?}, z {:?}, {b} step counts, {} halted flags, {} examples; \
                 the model needs [B, {}, {}]",
                y.dims(),
                z.dims(),
                halted.len(),
                data.batch_size(),
                shape[1],
                shape[2]
            )));
        }
        if data.seq_len() != c.seq_len {
            return Err(Error::InvalidBatch(format!(
                "carry examples of {} tokens, the model has {}",
                data.seq_len(),
                c.seq_len
            )));
        }
        let table_rows = if c.puzzle_emb_ndim > 0 { c.num_puzzle_identifiers } else { usize::MAX };
        data.check_ranges(c.vocab_size, table_rows)?;
        if let Some(s) = steps.iter().find(|&&s| s as usize > c.halt_max_steps) {
            return Err(Error::InvalidBatch(format!("a carry slot at ACT step {s}, past halt_max_steps")));
        }
        let y = y.to_dtype(DType::F32)?.contiguous()?;
        let z = z.to_dtype(DType::F32)?.contiguous()?;
        Ok(Self { y, z, steps, halted, data })
    }

    pub fn batch_size(&self) -> usize {
        self.steps.len()
    }

    /// ACT steps used by each slot's current example.
    pub fn steps(&self) -> &[u32] {
        &self.steps
    }

    /// Which slots halted at the last call.
    pub fn halted(&self) -> &[bool] {
        &self.halted
    }

    /// The examples the slots hold.
    pub fn data(&self) -> &Batch {
        &self.data
    }

    /// The answer state `z_H` `[B, S, D]`.
    pub fn y(&self) -> &Tensor {
        &self.y
    }

    /// The latent state `z_L` `[B, S, D]`.
    pub fn z(&self) -> &Tensor {
        &self.z
    }
}

impl ActCarry {
    /// The slots cut into consecutive shards of `sizes` slots (which must add up to the batch), for
    /// data-parallel steps; [`ActCarry::concat`] joins them back.
    pub(crate) fn split(&self, sizes: &[usize]) -> Result<Vec<ActCarry>> {
        if sizes.iter().sum::<usize>() != self.batch_size() || sizes.contains(&0) {
            return Err(Error::InvalidBatch(format!("cannot cut {} slots into {sizes:?}", self.batch_size())));
        }
        let mut start = 0;
        let mut shards = Vec::with_capacity(sizes.len());
        for &len in sizes {
            let end = start + len;
            shards.push(ActCarry {
                y: self.y.narrow(0, start, len)?.contiguous()?,
                z: self.z.narrow(0, start, len)?.contiguous()?,
                steps: self.steps[start..end].to_vec(),
                halted: self.halted[start..end].to_vec(),
                data: self.data.rows(start, len),
            });
            start = end;
        }
        Ok(shards)
    }

    /// The shards' slots, in order, as one carry.
    pub(crate) fn concat(shards: &[ActCarry]) -> Result<ActCarry> {
        let ys: Vec<&Tensor> = shards.iter().map(|s| &s.y).collect();
        let zs: Vec<&Tensor> = shards.iter().map(|s| &s.z).collect();
        let data: Vec<&Batch> = shards.iter().map(|s| &s.data).collect();
        Ok(ActCarry {
            y: Tensor::cat(&ys, 0)?,
            z: Tensor::cat(&zs, 0)?,
            steps: shards.iter().flat_map(|s| s.steps.iter().copied()).collect(),
            halted: shards.iter().flat_map(|s| s.halted.iter().copied()).collect(),
            data: Batch::concat(&data)?,
        })
    }
}

/// The per-batch copy of the puzzle-embedding rows (`local_weights`, `local_ids` of the official
/// `CastedSparseEmbedding`): the gradient lands on `weights`, and sign-SGD applies it to the table rows
/// `ids`.
#[derive(Debug, Clone)]
pub struct LocalEmbedding {
    /// `[B, puzzle_emb_ndim]`.
    pub weights: Var,
    /// The table row of every batch row: the ids of the carry's examples, not of the loaded batch.
    pub ids: Vec<u32>,
}

/// The result of one training call.
#[derive(Debug)]
pub struct ActStep {
    /// `lm_loss + 0.5 · q_halt_loss` (float64 scalar) on the autograd graph.
    pub loss: Tensor,
    pub metrics: Metrics,
    /// `[B, L, V]`, on the graph.
    pub logits: Tensor,
    /// `[B]` float32, on the graph.
    pub q_halt: Tensor,
    /// `[B]` float32 (computed but not trained when `no_ACT_continue`).
    pub q_continue: Tensor,
    /// The puzzle-embedding rows of this call, if the model has puzzle embeddings.
    pub local_embedding: Option<LocalEmbedding>,
}

/// The exploration floor of every slot: with probability `prob` a minimum step count drawn uniformly
/// from `2..=max_steps`, else 0 (official: `(rand < p) · randint(2, max + 1)`). All uniforms are drawn
/// first, then all integers, one per slot each, so the stream consumed per call does not depend on
/// the outcome.
pub fn draw_min_halt_steps<R: Rng + ?Sized>(rng: &mut R, prob: f64, max_steps: u32, batch: usize) -> Vec<u32> {
    let explore: Vec<bool> = (0..batch).map(|_| rng.random::<f64>() < prob).collect();
    explore.into_iter().map(|e| if e { rng.random_range(2..=max_steps.max(2)) } else { 0 }).collect()
}

impl TrainableTrm {
    /// One training-mode ACT call on `carry` with the freshly loaded `batch`, exploration driven by
    /// `rng` with the model's `halt_exploration_prob`. Returns the loss on the autograd graph; the
    /// caller back-propagates it (scaled by `1 / global_batch_size`) and steps the optimizers.
    pub fn act_step<R: Rng + ?Sized>(&self, carry: &mut ActCarry, batch: &Batch, rng: &mut R) -> Result<ActStep> {
        self.check_call(carry, batch)?;
        let floor = self.exploration_floor(rng, carry.batch_size());
        self.act_step_with_floor(carry, batch, floor.as_deref())
    }

    /// The halting-exploration floor of `slots` slots (see [`draw_min_halt_steps`]), or None when
    /// every example halts after one step anyway. Drawing it before the supervision step consumes
    /// the same stream as drawing it after: nothing else reads the generator.
    pub(crate) fn exploration_floor<R: Rng + ?Sized>(&self, rng: &mut R, slots: usize) -> Option<Vec<u32>> {
        let c = self.config();
        let max_steps = c.halt_max_steps as u32;
        (max_steps > 1).then(|| draw_min_halt_steps(rng, c.halt_exploration_prob, max_steps, slots))
    }

    /// Refuses a call the model cannot run: the ACT-continue head, or a batch that does not fit the
    /// carry or the model.
    pub(crate) fn check_call(&self, carry: &ActCarry, batch: &Batch) -> Result<()> {
        let c = self.config();
        if !c.no_act_continue {
            return Err(Error::Unsupported(
                "no_ACT_continue = false (the official TRM code crashes on it; only the halt head is trained)".into(),
            ));
        }
        let b = carry.batch_size();
        if batch.batch_size() != b || batch.seq_len() != c.seq_len {
            return Err(Error::InvalidBatch(format!(
                "batch is [{}, {}], the carry holds [{b}, {}]",
                batch.batch_size(),
                batch.seq_len(),
                c.seq_len
            )));
        }
        let table_rows = if c.puzzle_emb_ndim > 0 { c.num_puzzle_identifiers } else { usize::MAX };
        batch.check_ranges(c.vocab_size, table_rows)
    }

    /// [`Self::act_step`] with the exploration floor already drawn (one entry per slot), so that
    /// shards of one batch can run it side by side. The caller has run [`Self::check_call`] on the
    /// whole batch.
    pub(crate) fn act_step_with_floor(
        &self,
        carry: &mut ActCarry,
        batch: &Batch,
        floor: Option<&[u32]>,
    ) -> Result<ActStep> {
        self.refill(carry, batch)?;
        let (logits, q_halt, q_continue, local_embedding) = self.supervision_step(carry)?;

        // Halting, decided after the step and acted on at the next call.
        let q_halt_values = q_halt.to_vec1::<f32>()?;
        let max_steps = self.config().halt_max_steps as u32;
        for s in &mut carry.steps {
            *s += 1;
        }
        let mut halted: Vec<bool> = carry.steps.iter().map(|&s| s >= max_steps).collect();
        if let Some(floor) = floor {
            for (h, q) in halted.iter_mut().zip(&q_halt_values) {
                *h |= *q > 0.0;
            }
            for ((h, s), m) in halted.iter_mut().zip(&carry.steps).zip(floor) {
                *h &= *s >= *m;
            }
        }
        carry.halted = halted;

        let loss = loss::act_loss(&logits, &q_halt, carry.data.labels())?;
        let metrics = loss::metrics(&loss, &carry.halted, &carry.steps, &q_halt_values);
        Ok(ActStep { loss: loss.total, metrics, logits, q_halt, q_continue, local_embedding })
    }

    /// Resets the halted slots to the initial states with the new examples.
    fn refill(&self, carry: &mut ActCarry, batch: &Batch) -> Result<()> {
        let b = carry.batch_size();
        if !carry.halted.iter().any(|&h| h) {
            return Ok(());
        }
        let init = self.model().initial_carry(b)?;
        let mask: Vec<u8> = carry.halted.iter().map(|&h| u8::from(h)).collect();
        let mask = Tensor::from_vec(mask, (b, 1, 1), carry.y.device())?.broadcast_as(carry.y.shape())?;
        carry.y = mask.where_cond(&init.y, &carry.y)?;
        carry.z = mask.where_cond(&init.z, &carry.z)?;
        for slot in (0..b).filter(|&slot| carry.halted[slot]) {
            carry.steps[slot] = 0;
            carry.data.copy_row_from(slot, batch);
        }
        Ok(())
    }

    /// One supervision step on the carry's examples: (T − 1) cycles on the untracked model, the last
    /// cycle on the tracked one, then the heads. Leaves the detached new states in the carry.
    fn supervision_step(&self, carry: &mut ActCarry) -> Result<(Tensor, Tensor, Tensor, Option<LocalEmbedding>)> {
        let c = self.config();
        let b = carry.batch_size();
        let device = carry.y.device().clone();
        let tokens = carry.data.input_tensor(&device)?;
        let local_embedding = match self.puzzle_table() {
            Some(table) => {
                let ids = carry.data.puzzle_ids().to_vec();
                let rows = table.index_select(&Tensor::from_slice(&ids, b, &device)?, 0)?;
                Some(LocalEmbedding { weights: Var::from_tensor(&rows)?, ids })
            }
            None => None,
        };
        let rows = match &local_embedding {
            Some(local) => local.weights.as_tensor().clone(),
            None => Tensor::zeros((b, 0), DType::F32, &device)?,
        };
        let x = self.tracked().input_embeddings_with(&tokens, &rows)?;

        let mut state = trm_core::Carry { y: carry.y.detach(), z: carry.z.detach() };
        let x_untracked = x.detach();
        let frozen = self.model();
        for _ in 1..c.h_cycles {
            for _ in 0..c.l_cycles {
                state.z = frozen.latent_update(&state, &x_untracked, None)?;
            }
            state.y = frozen.answer_refresh(&state)?;
        }
        let net = self.tracked();
        for _ in 0..c.l_cycles {
            state.z = net.latent_update(&state, &x, None)?;
        }
        state.y = net.answer_refresh(&state)?;

        let logits = net.logits(&state.y)?;
        let (q_halt, q_continue) = net.q_values(&state.y)?;
        carry.y = state.y.detach();
        carry.z = state.z.detach();
        Ok((logits, q_halt, q_continue, local_embedding))
    }
}
