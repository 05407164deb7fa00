//! One loader step: `B` examples of `L` tokens, their labels and puzzle identifiers, kept on the host.
//!
//! The ACT carry copies single rows of a batch into its slots, which is simplest and exact on plain
//! vectors; tensors are built once per call.

use candle_core::{Device, Tensor};

use crate::{Error, Result};

/// The label of positions that are not supervised (`IGNORE_LABEL_ID` of the official code). Dataset
/// files store 0 there; the loader rewrites it to this value.
pub const IGNORE_LABEL_ID: i32 = -100;

/// Examples of one training batch, row-major `[B, L]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    seq_len: usize,
    inputs: Vec<u32>,
    labels: Vec<i32>,
    puzzle_ids: Vec<u32>,
}

impl Batch {
    /// Checks that `inputs` and `labels` hold `puzzle_ids.len()` rows of `seq_len` values and that
    /// every label is a token id or [`IGNORE_LABEL_ID`].
    pub fn new(seq_len: usize, inputs: Vec<u32>, labels: Vec<i32>, puzzle_ids: Vec<u32>) -> Result<Self> {
        let rows = puzzle_ids.len();
        if rows == 0 || seq_len == 0 {
            return Err(Error::InvalidBatch("a batch needs at least one row and one position".into()));
        }
        if inputs.len() != rows * seq_len || labels.len() != rows * seq_len {
            return Err(Error::InvalidBatch(format!(
                "{} inputs and {} labels for {rows} rows of {seq_len}",
                inputs.len(),
                labels.len()
            )));
        }
        if let Some(bad) = labels.iter().find(|&&l| l < 0 && l != IGNORE_LABEL_ID) {
            return Err(Error::InvalidBatch(format!("label {bad} is neither a token nor {IGNORE_LABEL_ID}")));
        }
        Ok(Self { seq_len, inputs, labels, puzzle_ids })
    }

    /// B.
    pub fn batch_size(&self) -> usize {
        self.puzzle_ids.len()
    }

    /// L.
    pub fn seq_len(&self) -> usize {
        self.seq_len
    }

    /// Token ids, `[B, L]` row-major.
    pub fn inputs(&self) -> &[u32] {
        &self.inputs
    }

    /// Labels, `[B, L]` row-major, [`IGNORE_LABEL_ID`] where unsupervised.
    pub fn labels(&self) -> &[i32] {
        &self.labels
    }

    /// Puzzle identifiers, `[B]`.
    pub fn puzzle_ids(&self) -> &[u32] {
        &self.puzzle_ids
    }

    /// Labels of row `b`.
    pub fn row_labels(&self, b: usize) -> &[i32] {
        &self.labels[b * self.seq_len..(b + 1) * self.seq_len]
    }

    /// Overwrites row `b` with row `b` of `other` (same shape).
    pub(crate) fn copy_row_from(&mut self, b: usize, other: &Batch) {
        let span = b * self.seq_len..(b + 1) * self.seq_len;
        self.inputs[span.clone()].copy_from_slice(&other.inputs[span.clone()]);
        self.labels[span.clone()].copy_from_slice(&other.labels[span]);
        self.puzzle_ids[b] = other.puzzle_ids[b];
    }

    /// Rows `start .. start + len` as a batch of their own (one data-parallel shard).
    pub(crate) fn rows(&self, start: usize, len: usize) -> Batch {
        let span = start * self.seq_len..(start + len) * self.seq_len;
        Batch {
            seq_len: self.seq_len,
            inputs: self.inputs[span.clone()].to_vec(),
            labels: self.labels[span].to_vec(),
            puzzle_ids: self.puzzle_ids[start..start + len].to_vec(),
        }
    }

    /// The rows of `parts`, in order (the inverse of splitting with [`Batch::rows`]).
    pub(crate) fn concat(parts: &[&Batch]) -> Result<Batch> {
        let Some(first) = parts.first() else {
            return Err(Error::InvalidBatch("no batches to join".into()));
        };
        if parts.iter().any(|p| p.seq_len != first.seq_len) {
            return Err(Error::InvalidBatch("joined batches differ in sequence length".into()));
        }
        Ok(Batch {
            seq_len: first.seq_len,
            inputs: parts.iter().flat_map(|p| p.inputs.iter().copied()).collect(),
            labels: parts.iter().flat_map(|p| p.labels.iter().copied()).collect(),
            puzzle_ids: parts.iter().flat_map(|p| p.puzzle_ids.iter().copied()).collect(),
        })
    }

    /// The token ids as a u32 tensor `[B, L]`.
    pub(crate) fn input_tensor(&self, device: &Device) -> Result<Tensor> {
        Ok(Tensor::from_slice(&self.inputs, (self.batch_size(), self.seq_len), device)?)
    }

    /// Rejects ids the model has no row for, before they reach an index lookup.
    pub(crate) fn check_ranges(&self, vocab_size: usize, num_puzzle_ids: usize) -> Result<()> {
        if let Some(t) = self.inputs.iter().find(|&&t| t as usize >= vocab_size) {
            return Err(Error::InvalidBatch(format!("token {t} is outside the vocabulary of {vocab_size}")));
        }
        if let Some(l) = self.labels.iter().find(|&&l| l >= 0 && l as usize >= vocab_size) {
            return Err(Error::InvalidBatch(format!("label {l} is outside the vocabulary of {vocab_size}")));
        }
        if let Some(p) = self.puzzle_ids.iter().find(|&&p| p as usize >= num_puzzle_ids) {
            return Err(Error::InvalidBatch(format!("puzzle id {p} is outside the table of {num_puzzle_ids}")));
        }
        Ok(())
    }
}
