//! Where training batches come from: puzzles generated on the fly, or dataset files.
//!
//! A [`BatchSource`] hands the trainer one [`Batch`] per optimizer step and can say where it stands
//! ([`BatchSource::state`]) so that a resumed run continues with exactly the examples an
//! uninterrupted one would have seen.
//!
//! - [`SudokuSource`] and [`MazeSource`] ([`generate`]) draw fresh puzzles from `trm-puzzles`: a tier
//!   mix that may change over the run (a curriculum), the official augmentation with a given
//!   probability, and for Sudoku never a held-out solution grid (checked after augmenting). Tokens
//!   and labels are the official encodings (Sudoku: the solution's tokens on every cell; mazes: the
//!   answer's tokens), puzzle identifier 0.
//! - [`DatasetSource`] ([`dataset`]) reads the official layout or the compact format with the
//!   official training loader's rules (reference §6.6): a seeded permutation of the groups per epoch,
//!   one random puzzle per group, its examples in random order until the batch is full, the
//!   incomplete last batch of an iteration dropped, and labels equal to `ignore_label_id` turned
//!   into −100.
//! - [`arc_tasks`] builds such a dataset in memory from ARC task files when a run starts
//!   (`data.source: arc`): every listed task's demonstrations, in augmented versions, are trained on,
//!   and its test pairs make the test split; the [`DatasetSource`] above then serves it.
//! - [`EvalSet`]: a fixed held-out sample for the trainer's quick evaluation.

use serde::{Deserialize, Serialize};

use crate::{Batch, Error, IGNORE_LABEL_ID, Result};

pub mod arc_tasks;
pub mod dataset;
pub mod generate;

pub use arc_tasks::{ArcTasksRecipe, BuiltArc, build_arc_tasks};
pub use dataset::{DatasetSource, ExampleStore};
pub use generate::{MazeSource, SudokuSource, TierMix};

/// The puzzle domains the trainer knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Domain {
    Sudoku,
    Maze,
    Arc,
}

impl Domain {
    /// The lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Domain::Sudoku => "sudoku",
            Domain::Maze => "maze",
            Domain::Arc => "arc",
        }
    }
}

impl std::fmt::Display for Domain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A stream of training batches with a resumable position.
pub trait BatchSource: Send {
    /// Tokens per example.
    fn seq_len(&self) -> usize;
    /// Tokens are `0..vocab_size`.
    fn vocab_size(&self) -> usize;
    /// Rows the puzzle-embedding table needs (1 for Sudoku and mazes: every example has id 0).
    fn num_puzzle_identifiers(&self) -> usize;
    /// The next batch, `needed.len()` rows. The trainer only uses row `b` if `needed[b]` (the slots
    /// that halted take a new example; the official trainer drops the rest). Generators leave the other
    /// rows as padding and save the work; dataset sources fill every row, as the official loader does.
    fn next_batch(&mut self, needed: &[bool]) -> Result<Batch>;
    /// Where the source stands, as JSON.
    fn state(&self) -> serde_json::Value;
    /// Continues from a [`BatchSource::state`] of a source built from the same recipe.
    fn restore(&mut self, state: &serde_json::Value) -> Result<()>;
    /// A one-line description for logs.
    fn describe(&self) -> String;
}

/// Parses a saved source state, naming the source in errors.
pub(crate) fn parse_state<T: serde::de::DeserializeOwned>(what: &str, state: &serde_json::Value) -> Result<T> {
    serde_json::from_value(state.clone()).map_err(|e| Error::Config(format!("saved {what} state: {e}")))
}

/// Rows collected for one batch; unneeded rows are padding (tokens 0, labels ignored, id 0).
pub(crate) struct Rows {
    seq_len: usize,
    inputs: Vec<u32>,
    labels: Vec<i32>,
    ids: Vec<u32>,
}

impl Rows {
    pub(crate) fn padding(seq_len: usize, rows: usize) -> Self {
        Self {
            seq_len,
            inputs: vec![0; rows * seq_len],
            labels: vec![IGNORE_LABEL_ID; rows * seq_len],
            ids: vec![0; rows],
        }
    }

    pub(crate) fn set(&mut self, row: usize, inputs: &[u32], labels: &[i32], id: u32) {
        let span = row * self.seq_len..(row + 1) * self.seq_len;
        self.inputs[span.clone()].copy_from_slice(inputs);
        self.labels[span].copy_from_slice(labels);
        self.ids[row] = id;
    }

    pub(crate) fn into_batch(self) -> Result<Batch> {
        Batch::new(self.seq_len, self.inputs, self.labels, self.ids)
    }
}

/// A fixed evaluation sample: examples with their labels and puzzle identifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalSet {
    /// Where the examples come from (for logs and the model card).
    pub name: String,
    pub seq_len: usize,
    /// `[N, seq_len]` tokens.
    pub inputs: Vec<u32>,
    /// `[N, seq_len]` labels, −100 = not scored.
    pub labels: Vec<i32>,
    /// `[N]` puzzle identifiers.
    pub puzzle_ids: Vec<u32>,
}

impl EvalSet {
    /// Number of examples.
    pub fn len(&self) -> usize {
        self.puzzle_ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.puzzle_ids.is_empty()
    }

    /// Checks that the rows fit a model of `vocab_size` tokens and `num_puzzle_identifiers` rows.
    pub fn check(&self, seq_len: usize, vocab_size: usize, num_puzzle_identifiers: usize) -> Result<()> {
        if self.seq_len != seq_len {
            return Err(Error::Config(format!(
                "evaluation set {} has {} tokens per example, the model {seq_len}",
                self.name, self.seq_len
            )));
        }
        let n = self.len();
        if self.inputs.len() != n * seq_len || self.labels.len() != n * seq_len {
            return Err(Error::Config(format!("evaluation set {} has rows of uneven length", self.name)));
        }
        let bad_token = self.inputs.iter().any(|&t| t as usize >= vocab_size)
            || self.labels.iter().any(|&l| l != IGNORE_LABEL_ID && !(0..vocab_size as i32).contains(&l));
        if bad_token {
            return Err(Error::Config(format!("evaluation set {} has tokens outside 0..{vocab_size}", self.name)));
        }
        if self.puzzle_ids.iter().any(|&p| p as usize >= num_puzzle_identifiers) {
            return Err(Error::Config(format!(
                "evaluation set {} has puzzle identifiers outside 0..{num_puzzle_identifiers}",
                self.name
            )));
        }
        Ok(())
    }
}
