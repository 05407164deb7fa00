//! The losses and metrics of the official `ACTLossHead` (reference §5).
//!
//! - LM loss: stable-max cross-entropy in float64, per sequence averaged over its supervised
//!   positions, summed over the batch.
//! - Halting loss: binary cross-entropy with logits of `q_halt` against "the whole answer is
//!   argmax-correct", summed over the batch, weighted 0.5 in the total.
//! - Metrics: raw sums over the slots that halted at this call and have at least one supervised
//!   position; the trainer's logging divides them (losses by the global batch size, the rest by
//!   `count`).

use candle_core::{D, DType, Tensor};

use crate::Result;
use crate::batch::IGNORE_LABEL_ID;

/// Added to `1 − x` in the negative branch of `s(x)`, as the official code does. It is below the
/// float64 resolution there (`1 − x > 1`), kept only so the formula reads the same.
const STABLEMAX_EPSILON: f64 = 1e-30;

/// The metrics `ACTLossHead` returns for one call, as raw sums.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Metrics {
    /// Slots halted at this call with at least one supervised position.
    pub count: f64,
    /// Sum over those slots of their token accuracy (correct / supervised).
    pub accuracy: f64,
    /// Those slots whose whole answer is argmax-correct.
    pub exact_accuracy: f64,
    /// Those slots where `q_halt ≥ 0` agrees with exact correctness.
    pub q_halt_accuracy: f64,
    /// Sum of the ACT steps those slots used.
    pub steps: f64,
    /// LM loss of the whole batch (every slot, halted or not).
    pub lm_loss: f64,
    /// Halting BCE of the whole batch.
    pub q_halt_loss: f64,
}

impl std::ops::AddAssign for Metrics {
    fn add_assign(&mut self, other: Self) {
        self.count += other.count;
        self.accuracy += other.accuracy;
        self.exact_accuracy += other.exact_accuracy;
        self.q_halt_accuracy += other.q_halt_accuracy;
        self.steps += other.steps;
        self.lm_loss += other.lm_loss;
        self.q_halt_loss += other.q_halt_loss;
    }
}

impl Metrics {
    /// As the official training log shows them: losses divided by the global batch size, the other
    /// metrics by `count` (left at 0 when nothing halted).
    pub fn averaged(&self, global_batch_size: usize) -> Metrics {
        let per_slot = |v: f64| if self.count > 0.0 { v / self.count } else { 0.0 };
        let per_batch = |v: f64| v / global_batch_size as f64;
        Metrics {
            count: self.count,
            accuracy: per_slot(self.accuracy),
            exact_accuracy: per_slot(self.exact_accuracy),
            q_halt_accuracy: per_slot(self.q_halt_accuracy),
            steps: per_slot(self.steps),
            lm_loss: per_batch(self.lm_loss),
            q_halt_loss: per_batch(self.q_halt_loss),
        }
    }
}

/// How one sequence did: supervised positions and argmax-correct ones among them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RowScore {
    pub valid: usize,
    pub correct: usize,
}

impl RowScore {
    /// The halting target. A row without supervised positions counts as correct, as in the official
    /// code (it compares the correct count with the supervised count).
    pub fn exact(&self) -> bool {
        self.correct == self.valid
    }
}

/// The loss of one call: the total on the autograd graph, its parts, and the per-row scores.
pub(crate) struct ActLoss {
    /// `lm_loss + 0.5 · q_halt_loss`, float64 scalar.
    pub total: Tensor,
    pub lm_loss: f64,
    pub q_halt_loss: f64,
    pub rows: Vec<RowScore>,
}

/// `log(s(x) / Σ s(x))` over the last axis, with `s(x) = x + 1` for `x ≥ 0` and `1 / (1 − x)` below.
/// Each branch is evaluated only on its half-line (`min(x, 0)` in the negative one), which changes no
/// selected value but keeps the unselected branch's derivative finite.
pub fn log_stablemax(logits: &Tensor) -> Result<Tensor> {
    let negative_part = (logits - logits.relu()?)?;
    let s_negative = (negative_part.affine(-1.0, 1.0)? + STABLEMAX_EPSILON)?.recip()?;
    let s_positive = logits.affine(1.0, 1.0)?;
    let s = logits.lt(0.0)?.where_cond(&s_negative, &s_positive)?;
    Ok(s.broadcast_div(&s.sum_keepdim(D::Minus1)?)?.log()?)
}

/// Stable-max cross-entropy per position: `logits` `[B, L, V]` (any float dtype; computed in float64
/// like the official code), `labels` `[B·L]`; returns `[B, L]` float64 with 0 at ignored positions.
pub fn stablemax_cross_entropy(logits: &Tensor, labels: &[i32]) -> Result<Tensor> {
    let (batch, len, _) = logits.dims3()?;
    let device = logits.device();
    let log_p = log_stablemax(&logits.to_dtype(DType::F64)?)?;
    let index: Vec<u32> = labels.iter().map(|&l| if l == IGNORE_LABEL_ID { 0 } else { l as u32 }).collect();
    let index = Tensor::from_vec(index, (batch, len, 1), device)?;
    let picked = log_p.gather(&index, D::Minus1)?.squeeze(D::Minus1)?;
    let valid: Vec<f64> = labels.iter().map(|&l| f64::from(u8::from(l != IGNORE_LABEL_ID))).collect();
    let valid = Tensor::from_vec(valid, (batch, len), device)?;
    Ok((picked * valid)?.neg()?)
}

/// Binary cross-entropy with logits, summed: `Σ max(q, 0) − q·t + log(1 + e^{−|q|})`.
pub fn bce_with_logits_sum(logits: &Tensor, targets: &Tensor) -> Result<Tensor> {
    let softplus = (logits.relu()? + logits.abs()?.neg()?.exp()?.affine(1.0, 1.0)?.log()?)?;
    Ok((softplus - (logits * targets)?)?.sum_all()?)
}

/// The loss of `ACTLossHead` for `logits` `[B, L, V]` and `q_halt` `[B]` (float32) against `labels`.
pub(crate) fn act_loss(logits: &Tensor, q_halt: &Tensor, labels: &[i32]) -> Result<ActLoss> {
    let (batch, len, _) = logits.dims3()?;
    let device = logits.device();
    let rows = row_scores(logits, labels)?;

    // Per-sequence mean over supervised positions (divisor at least 1), summed over the batch.
    let per_position = stablemax_cross_entropy(logits, labels)?;
    let divisors: Vec<f64> = rows.iter().map(|r| 1.0 / r.valid.max(1) as f64).collect();
    let divisors = Tensor::from_vec(divisors, (batch, 1), device)?;
    let lm_loss = per_position.broadcast_mul(&divisors)?.sum_all()?;
    debug_assert_eq!(per_position.dims(), &[batch, len]);

    // The target carries no gradient; the official code computes this BCE in float32.
    let targets: Vec<f32> = rows.iter().map(|r| f32::from(u8::from(r.exact()))).collect();
    let targets = Tensor::from_vec(targets, batch, device)?;
    let q_halt_loss = bce_with_logits_sum(&q_halt.to_dtype(DType::F32)?, &targets)?.to_dtype(DType::F64)?;

    let total = (&lm_loss + (&q_halt_loss * 0.5)?)?;
    Ok(ActLoss { lm_loss: lm_loss.to_scalar::<f64>()?, q_halt_loss: q_halt_loss.to_scalar::<f64>()?, total, rows })
}

/// Supervised and argmax-correct positions of every row (first maximum on ties, like `argmax`).
fn row_scores(logits: &Tensor, labels: &[i32]) -> Result<Vec<RowScore>> {
    let (batch, len, _) = logits.dims3()?;
    let predictions = logits.detach().argmax(D::Minus1)?.flatten_all()?.to_vec1::<u32>()?;
    Ok((0..batch)
        .map(|b| {
            let span = b * len..(b + 1) * len;
            let pairs = labels[span.clone()].iter().zip(&predictions[span]);
            let valid = pairs.clone().filter(|(l, _)| **l != IGNORE_LABEL_ID).count();
            let correct = pairs.filter(|(l, p)| **l != IGNORE_LABEL_ID && **l as u32 == **p).count();
            RowScore { valid, correct }
        })
        .collect())
}

/// The metrics of one call, from the row scores, the halting flags and step counters after the call,
/// and the `q_halt` logits.
pub(crate) fn metrics(loss: &ActLoss, halted: &[bool], steps: &[u32], q_halt: &[f32]) -> Metrics {
    let mut m = Metrics { lm_loss: loss.lm_loss, q_halt_loss: loss.q_halt_loss, ..Metrics::default() };
    for (b, row) in loss.rows.iter().enumerate() {
        if !halted[b] || row.valid == 0 {
            continue;
        }
        m.count += 1.0;
        m.accuracy += row.correct as f64 / row.valid as f64;
        m.exact_accuracy += f64::from(u8::from(row.exact()));
        m.q_halt_accuracy += f64::from(u8::from((q_halt[b] >= 0.0) == row.exact()));
        m.steps += f64::from(steps[b]);
    }
    m
}
