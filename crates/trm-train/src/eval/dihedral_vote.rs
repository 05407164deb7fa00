//! Test-time voting over the dihedral versions of a maze: every maze is also run rotated, flipped
//! and transposed, each answer is turned back, and the answer given most often wins, ties going to
//! the higher mean halting confidence — the ranking the official ARC evaluator uses for its
//! augmented versions (reference §8), here over the 8 symmetries a maze has.
//!
//! No verifier or solver takes part in the choice: the vote sees only the model's answers and its
//! halting logits. A maze and its transforms are the same puzzle, so the versions' errors are
//! different near misses, and a vote removes many of them.

use std::collections::BTreeMap;

use trm_core::Trm;
use trm_puzzles::Dihedral;
use trm_puzzles::arc::sigmoid;

use super::{EvalOptions, EvalSet, Judge, StepMetrics, cell_accuracy, run_steps};
use crate::{Error, Result};

/// The result of [`evaluate_dihedral_vote`]: metrics of the voted answer after every step.
#[derive(Debug, Clone, PartialEq)]
pub struct VoteReport {
    /// Mazes evaluated.
    pub count: usize,
    /// Versions run per maze (the original included).
    pub versions: usize,
    /// Supervision steps run.
    pub steps: usize,
    /// After every step: `exact` and `cell` of the winning answer; `q_halt_accuracy` whether its mean
    /// `sigmoid(q_halt) ≥ ½` agrees with its exactness.
    pub by_step: Vec<StepMetrics>,
}

impl VoteReport {
    /// The metrics after the last step.
    pub fn last(&self) -> &StepMetrics {
        self.by_step.last().expect("at least one step is run")
    }
}

/// The winner among answers given as (tokens, q_halt logit): most identical answers first, then the
/// higher mean `sigmoid(q_halt)`, then the earliest. Returns the index of the winner's first
/// occurrence and its mean confidence; `None` for no answers.
pub fn vote(answers: &[(&[u32], f32)]) -> Option<(usize, f64)> {
    // tokens → (votes, q sum, first index)
    let mut tallies: BTreeMap<&[u32], (usize, f64, usize)> = BTreeMap::new();
    for (k, &(tokens, q)) in answers.iter().enumerate() {
        let tally = tallies.entry(tokens).or_insert((0, 0.0, k));
        tally.0 += 1;
        tally.1 += sigmoid(f64::from(q));
    }
    tallies
        .into_values()
        .map(|(votes, q_sum, first)| (votes, q_sum / votes as f64, first))
        .max_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(b.2.cmp(&a.2)))
        .map(|(_, mean_q, first)| (first, mean_q))
}

/// Evaluates `model` on the mazes of `set`, each run in its first `versions` dihedral transforms
/// (official order: the original, then rotations, flips and transposes; 1..=8), voting after every
/// supervision step. `progress` gets the number of rows just stepped (the whole job is
/// `set.len() · versions · options.steps`).
pub fn evaluate_dihedral_vote(
    model: &Trm,
    set: &EvalSet,
    versions: usize,
    options: &EvalOptions,
    mut progress: impl FnMut(usize),
) -> Result<VoteReport> {
    options.check()?;
    if !(1..=Dihedral::ALL.len()).contains(&versions) {
        return Err(Error::Config(format!("a maze has 8 dihedral versions; {versions} were asked for")));
    }
    let side = set
        .rows()
        .iter()
        .map(|row| match &row.judge {
            Judge::Maze(maze) => Ok(maze.side()),
            _ => Err(Error::InvalidSet("dihedral voting is for mazes".into())),
        })
        .collect::<Result<Vec<usize>>>()?[0];
    if set.seq_len() != side * side || model.config().seq_len != set.seq_len() {
        return Err(Error::InvalidSet(format!(
            "{side}×{side} mazes need a model for {} cells; this one takes {}",
            side * side,
            model.config().seq_len
        )));
    }
    let transforms = &Dihedral::ALL[..versions];
    let mut inputs = Vec::with_capacity(set.len() * versions);
    let mut ids = Vec::with_capacity(set.len() * versions);
    for row in set.rows() {
        for d in transforms {
            inputs.push(d.apply(&row.tokens, side, side).0);
            ids.push(row.puzzle_id);
        }
    }
    // answers[step][row]: the answer turned back to the maze's orientation, with its q_halt logit.
    let mut answers: Vec<Vec<(Vec<u32>, f32)>> = vec![vec![(Vec::new(), 0.0); inputs.len()]; options.steps];
    run_steps(model, &inputs, &ids, options, |out| {
        for (k, (tokens, &q)) in out.tokens.iter().zip(out.q_halt).enumerate() {
            let index = out.first_row + k;
            let back = transforms[index % versions].inverse();
            answers[out.step - 1][index] = (back.apply(tokens, side, side).0, q);
        }
        progress(out.tokens.len());
        Ok(())
    })?;
    let n = set.len() as f64;
    let by_step = answers
        .iter()
        .enumerate()
        .map(|(s, rows)| {
            let (mut exact, mut cell, mut q_ok) = (0usize, 0f64, 0usize);
            for (row, group) in set.rows().iter().zip(rows.chunks(versions)) {
                let ballots: Vec<(&[u32], f32)> = group.iter().map(|(t, q)| (t.as_slice(), *q)).collect();
                let (winner, mean_q) = vote(&ballots).expect("every maze has at least one version");
                let tokens = ballots[winner].0;
                let is_exact = row.judge.is_exact(tokens, &row.labels);
                exact += usize::from(is_exact);
                cell += cell_accuracy(tokens, &row.labels).unwrap_or(0.0);
                q_ok += usize::from((mean_q >= 0.5) == is_exact);
            }
            StepMetrics { step: s + 1, exact: exact as f64 / n, cell: cell / n, q_halt_accuracy: q_ok as f64 / n }
        })
        .collect();
    Ok(VoteReport { count: set.len(), versions, steps: options.steps, by_step })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_frequent_answer_wins_then_confidence_then_order() {
        let (a, b, c): (&[u32], &[u32], &[u32]) = (&[1, 2], &[1, 3], &[4, 4]);
        // b twice with low confidence beats a once with high confidence.
        let (w, q) = vote(&[(a, 9.0), (b, -2.0), (b, -4.0)]).unwrap();
        assert_eq!(w, 1);
        let expected = (sigmoid(-2.0) + sigmoid(-4.0)) / 2.0;
        assert!((q - expected).abs() < 1e-12);
        // Equal votes: the higher mean confidence, wherever it comes.
        assert_eq!(vote(&[(a, -1.0), (c, 2.0), (a, -1.0), (c, 2.0)]).unwrap().0, 1);
        // A full tie goes to the first seen.
        assert_eq!(vote(&[(c, 0.5), (a, 0.5)]).unwrap().0, 0);
        assert_eq!(vote(&[]), None);
    }
}
