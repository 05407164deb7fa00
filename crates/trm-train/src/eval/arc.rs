//! ARC evaluation (reference §8): every test input runs as given and in augmented versions; each
//! version's prediction is cropped, de-augmented and voted on by [`Voter`] (votes first, mean
//! `sigmoid(q_halt)` as tie-break), and pass@1 / pass@2 are read from the ranking.
//!
//! Per supervision step this module reports pass@1 and pass@2 (one vote per step, as if the
//! evaluation stopped there), and over the rows whose test output fits the canvas: the cell accuracy
//! on the output canvas (colour cells and the EOS border; PAD positions are not supervised, as in the
//! official dataset), the share of exactly right canvases, and the halting head's accuracy on them.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use trm_core::Trm;
use trm_puzzles::arc::{self, Augmentation, Evaluation, Identifiers, NamedTask, PredictionRow, Submission, Voter};

use super::{EvalOptions, cell_accuracy, labels_exact, run_steps};
use crate::batch::IGNORE_LABEL_ID;
use crate::{Error, Result};

/// One row to run: a test input of one task version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArcRow {
    /// The version's puzzle name (`<task>` or `<task>|||t<k>|||<colours>`).
    pub name: String,
    /// Index of the task in the list given to [`arc_rows`].
    pub task: usize,
    /// Index of the test pair in the task.
    pub pair: usize,
    /// Puzzle-embedding row (0, the blank row, for versions the model has no row for).
    pub embedding_row: u32,
    /// The augmented test input on the canvas.
    pub canvas: Vec<u8>,
    /// The augmented test output on the canvas, if the task has it and it fits.
    pub labels: Option<Vec<u8>>,
}

/// The rows of a task list, with notes on what could not be run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ArcRows {
    pub rows: Vec<ArcRow>,
    /// Human-readable notes: inputs too large for the canvas, tasks the model has never seen.
    pub notes: Vec<String>,
}

/// The augmentations to run for task `id`: the identity, then up to `count` versions the model was
/// trained on (from its identifiers), then random ones.
pub fn versions(id: &str, count: usize, ids: Option<&Identifiers>, rng: &mut ChaCha8Rng) -> Vec<Augmentation> {
    let mut out = vec![Augmentation::IDENTITY];
    out.extend(ids.map(|ids| ids.trained_versions(id, count)).unwrap_or_default());
    let mut attempts = 0;
    while out.len() <= count && attempts < 100 * (count + 1) {
        attempts += 1;
        let aug = Augmentation::random(rng);
        if !out.contains(&aug) {
            out.push(aug);
        }
    }
    out
}

/// The rows for `tasks` on a canvas of `side`: each test input in the identity version and `augment`
/// more (see [`versions`]; random ones drawn from `seed`), with the embedding row the identifiers
/// give the version's name (row 0 when there are none, or the row is beyond the model's
/// `embedding_rows`).
pub fn arc_rows(
    tasks: &[NamedTask],
    side: usize,
    augment: usize,
    ids: Option<&Identifiers>,
    embedding_rows: u32,
    seed: u64,
) -> ArcRows {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = ArcRows::default();
    for (task_index, named) in tasks.iter().enumerate() {
        let augs = versions(&named.name, augment, ids, &mut rng);
        let mut seen = false;
        for aug in &augs {
            let name = arc::format_name(&named.name, aug);
            let row = ids.map(|i| i.lookup(&name)).filter(|r| r.row < embedding_rows);
            seen |= row.is_some_and(|r| r.seen);
            for (k, pair) in named.task.test.iter().enumerate() {
                match arc::encode_grid(&aug.apply(&pair.input), side, (0, 0)) {
                    Ok(canvas) => out.rows.push(ArcRow {
                        name: name.clone(),
                        task: task_index,
                        pair: k,
                        embedding_row: row.map_or(0, |r| r.row),
                        canvas,
                        labels: pair.output.as_ref().and_then(|o| arc::encode_grid(&aug.apply(o), side, (0, 0)).ok()),
                    }),
                    Err(e) => out.notes.push(format!("task {} test {}: {e}; no prediction", named.name, k + 1)),
                }
            }
        }
        if ids.is_some() && !seen {
            out.notes
                .push(format!("the model has never seen task {} (no embedding row): it runs with row 0", named.name));
        }
    }
    out
}

/// The side of the square canvas a model of `seq_len` cells works on.
pub fn canvas_side(seq_len: usize) -> Result<usize> {
    (1..=arc::MAX_SIDE).find(|s| s * s == seq_len).ok_or_else(|| {
        Error::InvalidSet(format!(
            "the model's {seq_len} cells are not a square canvas of side 1-30, so it is not an ARC model"
        ))
    })
}

/// The metrics after one supervision step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArcStepMetrics {
    pub step: usize,
    /// Mean over scored tasks of the share of their test pairs whose top-ranked grid is right.
    pub pass_at_1: f64,
    /// The same with the top two grids (the headline ARC number).
    pub pass_at_2: f64,
    /// Mean cell accuracy of the labelled rows (supervised canvas cells).
    pub cell: f64,
    /// Share of labelled rows whose canvas is exactly right.
    pub row_exact: f64,
    /// Share of labelled rows where `(q_halt ≥ 0) == row exact`.
    pub q_halt_accuracy: f64,
}

/// The result of [`evaluate_arc`].
#[derive(Debug, Clone, PartialEq)]
pub struct ArcReport {
    /// Tasks scored (those with at least one test output).
    pub tasks: usize,
    /// Rows run (task versions × test inputs).
    pub rows: usize,
    /// Rows with a test output on the canvas (the denominator of cell, row exact, q_halt accuracy).
    pub labelled_rows: usize,
    pub steps: usize,
    pub by_step: Vec<ArcStepMetrics>,
    /// The vote after the last step.
    pub evaluation: Evaluation,
    /// The ARC Prize submission after the last step.
    pub submission: Submission,
}

impl ArcReport {
    pub fn last(&self) -> &ArcStepMetrics {
        self.by_step.last().expect("at least one step is run")
    }
}

/// Runs `rows` (from [`arc_rows`] for `tasks`) through `model` and votes after every step. `progress`
/// is called after every step of every batch with the number of rows just stepped.
pub fn evaluate_arc(
    model: &Trm,
    tasks: &[NamedTask],
    rows: &[ArcRow],
    options: &EvalOptions,
    mut progress: impl FnMut(usize),
) -> Result<ArcReport> {
    let side = canvas_side(model.config().seq_len)?;
    if rows.is_empty() {
        return Err(Error::InvalidSet("no test input fits the model's canvas: nothing to run".into()));
    }
    if let Some(row) = rows.iter().find(|r| r.task >= tasks.len()) {
        return Err(Error::InvalidSet(format!("row {} refers to task {} of {}", row.name, row.task, tasks.len())));
    }
    let steps = options.steps;
    let mut voters =
        (0..steps).map(|_| Voter::new(side)).collect::<std::result::Result<Vec<_>, _>>().map_err(arc_error)?;
    let labels: Vec<Option<Vec<i32>>> = rows
        .iter()
        .map(|r| {
            r.labels.as_ref().map(|l| {
                l.iter().map(|&t| if t == arc::PAD { IGNORE_LABEL_ID } else { i32::from(t) }).collect::<Vec<i32>>()
            })
        })
        .collect();
    let labelled = labels.iter().filter(|l| l.is_some()).count();
    let (mut cell, mut exact, mut q_ok) = (vec![0f64; steps], vec![0usize; steps], vec![0usize; steps]);
    let inputs: Vec<Vec<u32>> = rows.iter().map(|r| r.canvas.iter().map(|&t| u32::from(t)).collect()).collect();
    let ids: Vec<u32> = rows.iter().map(|r| r.embedding_row).collect();
    run_steps(model, &inputs, &ids, options, |out| {
        let s = out.step - 1;
        for (k, (predicted, &q)) in out.tokens.iter().zip(out.q_halt).enumerate() {
            let index = out.first_row + k;
            let row = &rows[index];
            // Tokens come from a 12-token vocabulary, so they fit a byte.
            let prediction: Vec<u8> = predicted.iter().map(|&t| t.min(255) as u8).collect();
            voters[s]
                .add(&PredictionRow {
                    puzzle_name: &row.name,
                    input: &row.canvas,
                    prediction: &prediction,
                    q_halt_logit: f64::from(q),
                })
                .map_err(arc_error)?;
            if let Some(labels) = &labels[index] {
                let is_exact = labels_exact(predicted, labels);
                cell[s] += cell_accuracy(predicted, labels).unwrap_or(0.0);
                exact[s] += usize::from(is_exact);
                q_ok[s] += usize::from((q >= 0.0) == is_exact);
            }
        }
        progress(out.tokens.len());
        Ok(())
    })?;
    let per_row = |v: f64| if labelled > 0 { v / labelled as f64 } else { 0.0 };
    let mut by_step = Vec::with_capacity(steps);
    let mut evaluation = None;
    for (s, voter) in voters.iter().enumerate() {
        let e = voter.evaluate(tasks, &[1, 2]);
        by_step.push(ArcStepMetrics {
            step: s + 1,
            pass_at_1: e.pass_at_k(1).unwrap_or(0.0),
            pass_at_2: e.pass_at_k(2).unwrap_or(0.0),
            cell: per_row(cell[s]),
            row_exact: per_row(exact[s] as f64),
            q_halt_accuracy: per_row(q_ok[s] as f64),
        });
        evaluation = Some(e);
    }
    let evaluation = evaluation.expect("at least one step is run");
    let submission = voters.last().expect("at least one step is run").submission(tasks);
    Ok(ArcReport {
        tasks: evaluation.puzzles,
        rows: rows.len(),
        labelled_rows: labelled,
        steps,
        by_step,
        evaluation,
        submission,
    })
}

fn arc_error(e: arc::ArcError) -> Error {
    Error::InvalidSet(e.to_string())
}
