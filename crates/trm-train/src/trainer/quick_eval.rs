//! A quick accuracy check during training: the model runs `halt_max_steps` supervision steps on a
//! fixed held-out sample (as the official evaluation does, no early halting) and is scored on its
//! argmax answer after every step. Cell accuracy counts the supervised positions; exact accuracy the
//! examples whose every supervised position is right.
//!
//! Runs on ARC task files (`data.source: arc`) are evaluated as `trm eval` does instead
//! ([`arc_quick_eval`]): every task's test inputs in several trained versions, the predictions
//! de-augmented and voted; `exact` is then pass@1 and `pass_at_2` is set.

use candle_core::{D, Device, Tensor};
use serde::{Deserialize, Serialize};
use trm_core::{Stepper, Trm};

use trm_puzzles::NamedTask;

use crate::data::EvalSet;
use crate::eval::EvalOptions;
use crate::eval::arc::{ArcRow, evaluate_arc};
use crate::{IGNORE_LABEL_ID, Result};

/// What one quick evaluation measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuickEval {
    /// The sample's name.
    pub set: String,
    pub count: usize,
    /// Exact accuracy after the last step.
    pub exact: f64,
    /// Cell (token) accuracy over the supervised positions after the last step.
    pub cell: f64,
    /// Exact accuracy after each supervision step.
    pub by_step: Vec<f64>,
    /// ARC voting evaluation: pass@2 after the last step (`exact` and `by_step` are pass@1 there, and
    /// `cell` is over the output canvases of every version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_at_2: Option<f64>,
}

/// The ARC tasks and rows of an [`arc_quick_eval`].
#[derive(Debug, Clone, PartialEq)]
pub struct ArcEvalSet {
    /// For logs and the model card.
    pub name: String,
    pub tasks: Vec<NamedTask>,
    /// From [`crate::eval::arc::arc_rows`].
    pub rows: Vec<ArcRow>,
}

/// `trm eval`'s ARC evaluation of `model` on `set` for `steps` supervision steps.
pub fn arc_quick_eval(model: &Trm, set: &ArcEvalSet, steps: usize, batch_size: usize) -> Result<QuickEval> {
    let options = EvalOptions { steps, batch_size: batch_size.max(1) };
    let report = evaluate_arc(model, &set.tasks, &set.rows, &options, |_| {})?;
    let last = report.last();
    Ok(QuickEval {
        set: set.name.clone(),
        count: report.tasks,
        exact: last.pass_at_1,
        cell: last.cell,
        by_step: report.by_step.iter().map(|s| s.pass_at_1).collect(),
        pass_at_2: Some(last.pass_at_2),
    })
}

/// Runs `model` on `set` for `steps` supervision steps in batches of `batch_size`.
pub fn quick_eval(model: &Trm, set: &EvalSet, steps: usize, batch_size: usize) -> Result<QuickEval> {
    let n = set.len();
    let l = set.seq_len;
    let mut exact_by_step = vec![0usize; steps];
    let (mut correct_cells, mut supervised_cells) = (0usize, 0usize);
    let batch_size = batch_size.max(1);
    for start in (0..n).step_by(batch_size) {
        let end = (start + batch_size).min(n);
        let rows = end - start;
        let tokens = Tensor::from_slice(&set.inputs[start * l..end * l], (rows, l), &Device::Cpu)?;
        let ids = Tensor::from_slice(&set.puzzle_ids[start..end], rows, &Device::Cpu)?;
        let labels = &set.labels[start * l..end * l];
        let mut stepper = Stepper::new(model, &tokens, &ids)?;
        for (step, exact) in exact_by_step.iter_mut().enumerate() {
            stepper.supervision_step()?;
            let predicted = stepper.answer_logits()?.argmax(D::Minus1)?.flatten_all()?.to_vec1::<u32>()?;
            for r in 0..rows {
                let span = r * l..(r + 1) * l;
                let pairs = labels[span.clone()].iter().zip(&predicted[span]).filter(|(t, _)| **t != IGNORE_LABEL_ID);
                let (mut valid, mut right) = (0, 0);
                for (t, p) in pairs {
                    valid += 1;
                    right += usize::from(*t as u32 == *p);
                }
                *exact += usize::from(valid == right);
                if step + 1 == steps {
                    correct_cells += right;
                    supervised_cells += valid;
                }
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let by_step: Vec<f64> = exact_by_step.iter().map(|&e| ratio(e, n)).collect();
    Ok(QuickEval {
        set: set.name.clone(),
        count: n,
        exact: by_step.last().copied().unwrap_or(0.0),
        cell: ratio(correct_cells, supervised_cells),
        by_step,
        pass_at_2: None,
    })
}
