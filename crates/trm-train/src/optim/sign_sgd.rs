//! Sign-SGD for the puzzle-embedding table (`CastedSparseEmbeddingSignSGD_Distributed`, reference
//! §6.4).
//!
//! Sparse: only the table rows of the batch move. The gradient rows of equal id are summed first, so
//! an id that fills several slots (every Sudoku example has id 0) gets one update with the sign of
//! the summed gradient:
//!
//! ```text
//! G_u ← Σ grad rows with id u
//! w_u ← w_u · (1 − lr·λ) − lr · sign(G_u)          sign(0) = 0
//! ```

use std::collections::BTreeMap;

use candle_core::Tensor;

use crate::act::LocalEmbedding;
use crate::{Error, Result};

/// The puzzle-embedding optimizer; the learning rate is given at every step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignSgd {
    weight_decay: f64,
}

/// −1, 0 or 1 (`f32::signum` would give 1 for +0).
fn sign(v: f32) -> f32 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

impl SignSgd {
    /// `weight_decay` ≥ 0 (official `puzzle_emb_weight_decay`: 0.1 ARC, 1.0 Sudoku/Maze).
    pub fn new(weight_decay: f64) -> Result<Self> {
        if weight_decay.is_nan() || weight_decay < 0.0 {
            return Err(Error::Config(format!("sign-SGD weight decay must be ≥ 0, got {weight_decay}")));
        }
        Ok(Self { weight_decay })
    }

    /// Applies `grad` (`[B, ndim]`, the gradient of `local.weights`) to the rows `local.ids` of
    /// `table`, in place: every view of the table (the models' copies) sees the new rows.
    pub fn step(&self, table: &Tensor, local: &LocalEmbedding, grad: &Tensor, lr: f64) -> Result<()> {
        let (rows, ndim) = table.dims2()?;
        let (batch, grad_ndim) = grad.dims2()?;
        if grad_ndim != ndim || batch != local.ids.len() {
            return Err(Error::InvalidBatch(format!(
                "gradient [{batch}, {grad_ndim}] for {} ids of a table with width {ndim}",
                local.ids.len()
            )));
        }
        let grad = grad.to_vec2::<f32>()?;
        let mut summed: BTreeMap<u32, Vec<f32>> = BTreeMap::new();
        for (&id, g) in local.ids.iter().zip(&grad) {
            if id as usize >= rows {
                return Err(Error::InvalidBatch(format!("puzzle id {id} is outside the table of {rows}")));
            }
            let acc = summed.entry(id).or_insert_with(|| vec![0.0; ndim]);
            acc.iter_mut().zip(g).for_each(|(a, v)| *a += v);
        }
        let decay = (1.0 - lr * self.weight_decay) as f32;
        let lr = lr as f32;
        for (id, g) in summed {
            let row = table.narrow(0, id as usize, 1)?.flatten_all()?.to_vec1::<f32>()?;
            let updated: Vec<f32> = row.iter().zip(&g).map(|(w, g)| w * decay - lr * sign(*g)).collect();
            table.slice_set(&Tensor::from_vec(updated, (1, ndim), table.device())?, 0, id as usize)?;
        }
        Ok(())
    }
}
