//! Evaluation as the official code does it (reference §4.3, §5.5): every puzzle runs from `H_init`/
//! `L_init` through all supervision steps (`halt_max_steps`, or a chosen number), batched, with the
//! halting head only reported; the answer is the argmax of the answer logits.
//!
//! After every step, per puzzle:
//! - **cell accuracy**: the share of supervised cells (labels other than [`IGNORE_LABEL_ID`]) whose
//!   predicted token equals the label, averaged over puzzles (the official `accuracy`);
//! - **exact**: decided by the puzzle's [`Judge`]. For Sudoku the prediction must be a *valid solution
//!   of the puzzle* (every row, column and box complete, every given kept), for mazes a *verifier-valid
//!   shortest path* ([`trm_puzzles::maze::verify_answer`], any shortest path, not only the label's).
//!   The committed sets have unique shortest paths and unique Sudoku solutions, so there this equals
//!   the official "every cell equals its label" ([`Judge::Labels`], for data without a puzzle rule);
//! - **q_halt accuracy**: whether the halting head agrees with exactness, `(q_halt ≥ 0) == exact`
//!   as `ACTLossHead` counts it (its halting rule is `q_halt > 0`; the two differ only at exactly 0).
//!
//! Besides the per-step table, [`HaltMetrics`] says what the training-time halting rule would have
//! given: each puzzle stops at its first step with `q_halt > 0` (or the last step).
//!
//! ARC (pass@K with the official voting over augmented versions) is in [`arc`]; the same vote over a
//! maze's 8 symmetries in [`dihedral_vote`].

pub mod arc;
pub mod dihedral_vote;

pub use dihedral_vote::{VoteReport, evaluate_dihedral_vote, vote};

use candle_core::{D, DType, Device, Tensor};
use trm_core::{Stepper, Trm};
use trm_puzzles::{Maze, Sudoku, maze};

use crate::batch::IGNORE_LABEL_ID;
use crate::{Error, Result};

/// How many steps to run and how many puzzles at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvalOptions {
    /// Supervision steps (the official evaluation runs `halt_max_steps`).
    pub steps: usize,
    /// Puzzles per batch (batch rows never interact, so this changes speed, not results).
    pub batch_size: usize,
}

impl EvalOptions {
    /// The official evaluation of `model`: `halt_max_steps` steps, with a batch size suited to its
    /// sequence length.
    pub fn official(model: &Trm) -> Self {
        let c = model.config();
        EvalOptions { steps: c.halt_max_steps, batch_size: default_batch_size(c.seq_len) }
    }

    fn check(&self) -> Result<()> {
        if self.steps == 0 {
            return Err(Error::Config("at least one supervision step is needed".into()));
        }
        if self.batch_size == 0 {
            return Err(Error::Config("the batch size must be at least 1".into()));
        }
        Ok(())
    }
}

/// Rows per batch: big batches for short sequences, small ones for 900-cell canvases.
pub fn default_batch_size(seq_len: usize) -> usize {
    if seq_len <= 100 { 64 } else { 8 }
}

/// What counts as an exact answer for one puzzle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judge {
    /// The official rule: every supervised cell equals its label.
    Labels,
    /// A valid solution of this Sudoku puzzle ([`sudoku_exact`]).
    Sudoku(Sudoku),
    /// A shortest path through this maze, as the verifier accepts it ([`maze_exact`]).
    Maze(Maze),
}

impl Judge {
    /// Whether `predicted` (argmax tokens) is an exact answer.
    pub fn is_exact(&self, predicted: &[u32], labels: &[i32]) -> bool {
        match self {
            Judge::Labels => labels_exact(predicted, labels),
            Judge::Sudoku(puzzle) => sudoku_exact(puzzle, predicted),
            Judge::Maze(puzzle) => maze_exact(puzzle, predicted),
        }
    }
}

/// True when every supervised label equals the prediction (the official `seq_is_correct`; a row
/// without supervised labels counts as correct, as there).
pub fn labels_exact(predicted: &[u32], labels: &[i32]) -> bool {
    predicted.len() == labels.len()
        && predicted.iter().zip(labels).all(|(&p, &l)| l == IGNORE_LABEL_ID || i64::from(l) == i64::from(p))
}

/// Share of supervised labels equal to the prediction (`None` without supervised labels).
pub fn cell_accuracy(predicted: &[u32], labels: &[i32]) -> Option<f64> {
    let valid = labels.iter().filter(|&&l| l != IGNORE_LABEL_ID).count();
    if valid == 0 || predicted.len() != labels.len() {
        return None;
    }
    let correct =
        predicted.iter().zip(labels).filter(|&(&p, &l)| l != IGNORE_LABEL_ID && i64::from(l) == i64::from(p)).count();
    Some(correct as f64 / valid as f64)
}

/// True when the predicted tokens form a valid complete solution of `puzzle` (every given kept).
pub fn sudoku_exact(puzzle: &Sudoku, predicted: &[u32]) -> bool {
    Sudoku::from_predicted_tokens(puzzle.side(), predicted).is_ok_and(|answer| puzzle.is_solved_by(&answer))
}

/// True when the predicted tokens are `puzzle` with exactly the cells of one shortest `S`→`G` path
/// marked (any shortest path, as [`maze::verify_answer`] decides).
pub fn maze_exact(puzzle: &Maze, predicted: &[u32]) -> bool {
    Maze::from_predicted_tokens(puzzle.side(), predicted)
        .is_ok_and(|answer| maze::verify_answer(puzzle, &answer).is_ok())
}

/// One puzzle with its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalRow {
    /// Input tokens.
    pub tokens: Vec<u32>,
    /// Label per cell ([`IGNORE_LABEL_ID`] where not supervised).
    pub labels: Vec<i32>,
    /// Puzzle-embedding row.
    pub puzzle_id: u32,
    pub judge: Judge,
}

/// Puzzles of one length with their answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalSet {
    seq_len: usize,
    rows: Vec<EvalRow>,
}

impl EvalSet {
    /// Checks that every row has the same length, labels of that length, and at least one supervised
    /// label.
    pub fn new(rows: Vec<EvalRow>) -> Result<Self> {
        let Some(first) = rows.first() else {
            return Err(Error::InvalidSet("no puzzles".into()));
        };
        let seq_len = first.tokens.len();
        for (k, row) in rows.iter().enumerate() {
            if row.tokens.len() != seq_len || row.labels.len() != seq_len {
                return Err(Error::InvalidSet(format!(
                    "puzzle {}: {} tokens and {} labels, the first puzzle has {seq_len}",
                    k + 1,
                    row.tokens.len(),
                    row.labels.len()
                )));
            }
            if row.labels.iter().all(|&l| l == IGNORE_LABEL_ID) {
                return Err(Error::InvalidSet(format!("puzzle {}: no supervised cell", k + 1)));
            }
            if let Some(bad) = row.labels.iter().find(|&&l| l < 0 && l != IGNORE_LABEL_ID) {
                return Err(Error::InvalidSet(format!("puzzle {}: label {bad} is not a token", k + 1)));
            }
        }
        Ok(Self { seq_len, rows })
    }

    /// Sudoku puzzles with their solutions (same order). Every solution must solve its puzzle; the
    /// labels are the solution's tokens (all cells supervised, as in the official dataset).
    pub fn sudoku(puzzles: &[Sudoku], solutions: &[Sudoku]) -> Result<Self> {
        check_counts(puzzles.len(), solutions.len())?;
        let mut rows = Vec::with_capacity(puzzles.len());
        for (k, (puzzle, solution)) in puzzles.iter().zip(solutions).enumerate() {
            if puzzle.side() != puzzles[0].side() {
                return Err(Error::InvalidSet(format!(
                    "puzzle {}: a {1}×{1} Sudoku among {2}×{2} ones",
                    k + 1,
                    puzzle.side(),
                    puzzles[0].side()
                )));
            }
            if !puzzle.is_solved_by(solution) {
                return Err(Error::InvalidSet(format!(
                    "solution {} ({solution}) is not a solution of puzzle {} ({puzzle})",
                    k + 1,
                    k + 1
                )));
            }
            rows.push(EvalRow {
                tokens: puzzle.to_tokens(),
                labels: solution.to_tokens().into_iter().map(|t| t as i32).collect(),
                puzzle_id: 0,
                judge: Judge::Sudoku(puzzle.clone()),
            });
        }
        Self::new(rows)
    }

    /// Mazes with their answers (same order). Path marks in the puzzles are ignored; every answer must
    /// be a shortest path through its maze. The labels are the answer's tokens.
    pub fn maze(puzzles: &[Maze], solutions: &[Maze]) -> Result<Self> {
        check_counts(puzzles.len(), solutions.len())?;
        let mut rows = Vec::with_capacity(puzzles.len());
        for (k, (puzzle, solution)) in puzzles.iter().zip(solutions).enumerate() {
            let puzzle = puzzle.puzzle();
            if puzzle.side() != puzzles[0].side() {
                return Err(Error::InvalidSet(format!(
                    "maze {}: a {1}×{1} maze among {2}×{2} ones",
                    k + 1,
                    puzzle.side(),
                    puzzles[0].side()
                )));
            }
            if let Err(e) = maze::verify_answer(&puzzle, solution) {
                return Err(Error::InvalidSet(format!(
                    "solution {} is not a shortest path through maze {}: {e}",
                    k + 1,
                    k + 1
                )));
            }
            rows.push(EvalRow {
                tokens: puzzle.to_tokens(),
                labels: solution.to_tokens().into_iter().map(|t| t as i32).collect(),
                puzzle_id: 0,
                judge: Judge::Maze(puzzle),
            });
        }
        Self::new(rows)
    }

    /// Tokens per puzzle.
    pub fn seq_len(&self) -> usize {
        self.seq_len
    }

    pub fn rows(&self) -> &[EvalRow] {
        &self.rows
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Keeps the first `n` puzzles.
    pub fn truncate(&mut self, n: usize) {
        self.rows.truncate(n.max(1));
    }
}

fn check_counts(puzzles: usize, solutions: usize) -> Result<()> {
    if puzzles == 0 {
        return Err(Error::InvalidSet("no puzzles".into()));
    }
    if puzzles != solutions {
        return Err(Error::InvalidSet(format!("{puzzles} puzzles but {solutions} solutions")));
    }
    Ok(())
}

/// The metrics after one supervision step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepMetrics {
    /// Supervision step, from 1.
    pub step: usize,
    /// Share of puzzles answered exactly.
    pub exact: f64,
    /// Mean over puzzles of their cell accuracy.
    pub cell: f64,
    /// Share of puzzles where `(q_halt ≥ 0) == exact`.
    pub q_halt_accuracy: f64,
}

/// What the training-time halting rule (stop at the first `q_halt > 0`) would have given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HaltMetrics {
    /// Mean step at which puzzles stop (the last step for those that never say `q_halt > 0`).
    pub mean_step: f64,
    /// Share of puzzles whose answer at their stopping step is exact.
    pub exact: f64,
    /// Puzzles that said `q_halt > 0` at some step.
    pub halted: usize,
}

/// The result of [`evaluate`].
#[derive(Debug, Clone, PartialEq)]
pub struct EvalReport {
    /// Puzzles evaluated.
    pub count: usize,
    /// Supervision steps run.
    pub steps: usize,
    /// Metrics after every step; the last one is the official evaluation's.
    pub by_step: Vec<StepMetrics>,
    pub halting: HaltMetrics,
}

impl EvalReport {
    /// The metrics after the last step.
    pub fn last(&self) -> &StepMetrics {
        self.by_step.last().expect("at least one step is run")
    }
}

/// The answer of a batch after one supervision step.
#[derive(Debug, Clone, Copy)]
pub struct StepOutputs<'a> {
    /// Supervision step, from 1.
    pub step: usize,
    /// Index of the batch's first row among all rows.
    pub first_row: usize,
    /// Argmax tokens per row of the batch.
    pub tokens: &'a [Vec<u32>],
    /// `q_halt` logit per row of the batch.
    pub q_halt: &'a [f32],
}

/// Runs every row through `options.steps` supervision steps in batches of `options.batch_size` and
/// hands the answers after every step to `on_step` (batch by batch, step by step).
pub fn run_steps(
    model: &Trm,
    inputs: &[Vec<u32>],
    puzzle_ids: &[u32],
    options: &EvalOptions,
    mut on_step: impl FnMut(StepOutputs<'_>) -> Result<()>,
) -> Result<()> {
    options.check()?;
    let seq_len = model.config().seq_len;
    if inputs.len() != puzzle_ids.len() {
        return Err(Error::InvalidSet(format!("{} puzzles but {} puzzle ids", inputs.len(), puzzle_ids.len())));
    }
    if let Some((k, row)) = inputs.iter().enumerate().find(|(_, r)| r.len() != seq_len) {
        return Err(Error::InvalidSet(format!(
            "puzzle {} has {} cells but the model takes {seq_len}",
            k + 1,
            row.len()
        )));
    }
    for (batch_index, (rows, ids)) in
        inputs.chunks(options.batch_size).zip(puzzle_ids.chunks(options.batch_size)).enumerate()
    {
        let tokens = Tensor::from_vec(rows.concat(), (rows.len(), seq_len), &Device::Cpu)?;
        let ids = Tensor::from_vec(ids.to_vec(), rows.len(), &Device::Cpu)?.to_dtype(DType::U32)?;
        let mut stepper = Stepper::new(model, &tokens, &ids)?;
        for step in 1..=options.steps {
            stepper.supervision_step()?;
            let predicted = stepper.answer_logits()?.argmax(D::Minus1)?.to_vec2::<u32>()?;
            let (q_halt, _) = model.q_values(&stepper.carry().y)?;
            let q_halt = q_halt.to_vec1::<f32>()?;
            on_step(StepOutputs {
                step,
                first_row: batch_index * options.batch_size,
                tokens: &predicted,
                q_halt: &q_halt,
            })?;
        }
    }
    Ok(())
}

/// Evaluates `model` on `set`. `progress` is called after every step of every batch with the number of
/// puzzles just stepped (the whole job is `set.len() · options.steps`).
pub fn evaluate(
    model: &Trm,
    set: &EvalSet,
    options: &EvalOptions,
    mut progress: impl FnMut(usize),
) -> Result<EvalReport> {
    options.check()?;
    let seq_len = model.config().seq_len;
    if set.seq_len() != seq_len {
        return Err(Error::InvalidSet(format!(
            "the puzzles have {} cells but the model takes {seq_len}",
            set.seq_len()
        )));
    }
    let steps = options.steps;
    let (mut exact, mut cell, mut q_ok) = (vec![0usize; steps], vec![0f64; steps], vec![0usize; steps]);
    // Per puzzle: the step at which it stops, whether its answer then was exact, and whether it
    // stopped because q_halt > 0 (rather than at the last step).
    let mut stopped: Vec<Option<(usize, bool, bool)>> = vec![None; set.len()];
    let inputs: Vec<Vec<u32>> = set.rows().iter().map(|r| r.tokens.clone()).collect();
    let ids: Vec<u32> = set.rows().iter().map(|r| r.puzzle_id).collect();
    run_steps(model, &inputs, &ids, options, |out| {
        let s = out.step - 1;
        for (k, (predicted, &q)) in out.tokens.iter().zip(out.q_halt).enumerate() {
            let index = out.first_row + k;
            let row = &set.rows()[index];
            let is_exact = row.judge.is_exact(predicted, &row.labels);
            exact[s] += usize::from(is_exact);
            cell[s] += cell_accuracy(predicted, &row.labels).unwrap_or(0.0);
            q_ok[s] += usize::from((q >= 0.0) == is_exact);
            if stopped[index].is_none() && (q > 0.0 || out.step == steps) {
                stopped[index] = Some((out.step, is_exact, q > 0.0));
            }
        }
        progress(out.tokens.len());
        Ok(())
    })?;
    let n = set.len() as f64;
    let by_step = (0..steps)
        .map(|s| StepMetrics {
            step: s + 1,
            exact: exact[s] as f64 / n,
            cell: cell[s] / n,
            q_halt_accuracy: q_ok[s] as f64 / n,
        })
        .collect();
    let stopped: Vec<(usize, bool, bool)> = stopped.into_iter().flatten().collect();
    let halting = HaltMetrics {
        mean_step: stopped.iter().map(|&(s, _, _)| s as f64).sum::<f64>() / n,
        exact: stopped.iter().filter(|&&(_, e, _)| e).count() as f64 / n,
        halted: stopped.iter().filter(|&&(_, _, h)| h).count(),
    };
    Ok(EvalReport { count: set.len(), steps, by_step, halting })
}
