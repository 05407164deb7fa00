//! The official ARC evaluator (reference §8): de-augment every prediction, vote per test pair, rank by
//! (votes, mean halting confidence), score pass@K and write the ARC Prize submission.
//!
//! All maps are ordered (`BTreeMap`) and ties are broken by first appearance, so results depend only
//! on the rows and their order, never on hashing.

use std::collections::BTreeMap;

use super::ArcError;
use super::augment::parse_name;
use super::canvas::{check_side, crop};
use super::grid::{Grid, NamedTask, write_json_string};
use super::identifiers::BLANK_NAME;

/// The evaluator's default K values for pass@K.
pub const PASS_KS: [usize; 6] = [1, 2, 5, 10, 100, 1000];

/// `1 / (1 + e^−x)` in f64, as the evaluator computes the halting confidence.
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// One evaluated row: the puzzle name of its embedding row, its input canvas, the predicted canvas
/// (argmax tokens) and the halting logit of the final step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PredictionRow<'a> {
    pub puzzle_name: &'a str,
    pub input: &'a [u8],
    pub prediction: &'a [u8],
    pub q_halt_logit: f64,
}

/// A distinct predicted grid for one test pair, with its votes and mean `sigmoid(q_halt_logit)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub grid: Grid,
    pub votes: usize,
    pub mean_q: f64,
}

#[derive(Debug, Clone)]
struct Tally {
    votes: usize,
    q_sum: f64,
    /// Sequence number of the first row that produced this grid (the evaluator's stable-sort order).
    first: u64,
}

/// Collects predictions, keyed by (original puzzle name, de-augmented input grid).
#[derive(Debug, Clone)]
pub struct Voter {
    canvas_side: usize,
    next: u64,
    tallies: BTreeMap<(String, Grid), BTreeMap<Grid, Tally>>,
}

impl Voter {
    /// A voter for canvases of `canvas_side` (30 for the official models; 1–30 accepted).
    pub fn new(canvas_side: usize) -> Result<Self, ArcError> {
        check_side(canvas_side)?;
        Ok(Self { canvas_side, next: 0, tallies: BTreeMap::new() })
    }

    /// Records one row: crop both canvases, subtract 2, undo the augmentation named by the puzzle name,
    /// and add a vote for the resulting grid under (original name, input grid). Returns `false`, recording
    /// nothing, for padding rows (name `"<blank>"`).
    ///
    /// Errors: a malformed augmented name, canvases of the wrong length, or a NaN logit.
    pub fn add(&mut self, row: &PredictionRow<'_>) -> Result<bool, ArcError> {
        if row.puzzle_name == BLANK_NAME {
            return Ok(false);
        }
        if row.q_halt_logit.is_nan() {
            return Err(ArcError::BadLogit { name: row.puzzle_name.to_string() });
        }
        let (original, aug) = parse_name(row.puzzle_name)?;
        let input = aug.invert(&crop(row.input, self.canvas_side)?);
        let prediction = aug.invert(&crop(row.prediction, self.canvas_side)?);
        let q = sigmoid(row.q_halt_logit);
        let first = self.next;
        self.next += 1;
        let tally = self.tallies.entry((original.to_string(), input)).or_default().entry(prediction).or_insert(Tally {
            votes: 0,
            q_sum: 0.0,
            first,
        });
        tally.votes += 1;
        tally.q_sum += q;
        Ok(true)
    }

    /// Number of rows recorded.
    pub fn rows(&self) -> u64 {
        self.next
    }

    /// The distinct predictions for the test pair with this original name and input, best first:
    /// more votes first, then higher mean q, then earlier first appearance.
    pub fn candidates(&self, name: &str, input: &Grid) -> Vec<Candidate> {
        let Some(tallies) = self.tallies.get(&(name.to_string(), input.clone())) else {
            return Vec::new();
        };
        let mut ranked: Vec<(&Grid, &Tally, f64)> =
            tallies.iter().map(|(g, t)| (g, t, t.q_sum / t.votes as f64)).collect();
        ranked.sort_by(|a, b| b.1.votes.cmp(&a.1.votes).then(b.2.total_cmp(&a.2)).then(a.1.first.cmp(&b.1.first)));
        ranked.into_iter().map(|(g, t, mean_q)| Candidate { grid: g.clone(), votes: t.votes, mean_q }).collect()
    }

    /// Scores `tasks` (original, unaugmented, with test outputs): for each test pair the 1-based rank
    /// of the true output among [`candidates`](Self::candidates); pass@K per pair is `rank ≤ K`; a
    /// task's score is the mean over its pairs, pass@K the mean over tasks. Test pairs without an output
    /// are not scored, nor are tasks with none; a pair without predictions counts as wrong.
    pub fn evaluate(&self, tasks: &[NamedTask], ks: &[usize]) -> Evaluation {
        let mut pairs = Vec::new();
        let mut sums = vec![0.0; ks.len()];
        let mut puzzles = 0;
        for named in tasks {
            let mut task_sums = vec![0.0; ks.len()];
            let mut scored = 0usize;
            for (k, pair) in named.task.test.iter().enumerate() {
                let Some(truth) = &pair.output else { continue };
                let candidates = self.candidates(&named.name, &pair.input);
                let truth_rank = candidates.iter().position(|c| &c.grid == truth).map(|p| p + 1);
                for (sum, &kk) in task_sums.iter_mut().zip(ks) {
                    if truth_rank.is_some_and(|r| r <= kk) {
                        *sum += 1.0;
                    }
                }
                scored += 1;
                pairs.push(PairOutcome { task: named.name.clone(), pair: k, candidates: candidates.len(), truth_rank });
            }
            if scored > 0 {
                puzzles += 1;
                for (sum, t) in sums.iter_mut().zip(&task_sums) {
                    *sum += t / scored as f64;
                }
            }
        }
        let pass_at = sums.iter().map(|s| if puzzles > 0 { s / puzzles as f64 } else { 0.0 }).collect();
        Evaluation { ks: ks.to_vec(), pass_at, puzzles, pairs }
    }

    /// The ARC Prize submission for `tasks`: per task, one entry per test pair in order with the top two
    /// candidates (the first twice when there is only one). A pair without predictions gets `None`,
    /// written as `[[0]]` for both attempts so that entries stay aligned with the test pairs (the
    /// reference evaluator omits such entries, which shifts the later ones).
    pub fn submission(&self, tasks: &[NamedTask]) -> Submission {
        let tasks = tasks
            .iter()
            .map(|named| SubmissionTask {
                name: named.name.clone(),
                attempts: named
                    .task
                    .test
                    .iter()
                    .map(|pair| {
                        let mut top = self.candidates(&named.name, &pair.input).into_iter().map(|c| c.grid);
                        let first = top.next()?;
                        let second = top.next().unwrap_or_else(|| first.clone());
                        Some([first, second])
                    })
                    .collect(),
            })
            .collect();
        Submission { tasks }
    }
}

/// The outcome of one scored test pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairOutcome {
    pub task: String,
    /// Index of the test pair.
    pub pair: usize,
    /// Number of distinct predicted grids.
    pub candidates: usize,
    /// 1-based rank of the true output among the candidates, `None` if it was never predicted.
    pub truth_rank: Option<usize>,
}

/// pass@K over the scored tasks.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub ks: Vec<usize>,
    /// `pass_at[i]` is pass@`ks[i]` (0 when no task was scored).
    pub pass_at: Vec<f64>,
    /// Number of tasks scored (those with at least one test output).
    pub puzzles: usize,
    /// Every scored test pair, in task and pair order.
    pub pairs: Vec<PairOutcome>,
}

impl Evaluation {
    /// pass@`k`, if `k` was among the requested Ks.
    pub fn pass_at_k(&self, k: usize) -> Option<f64> {
        self.ks.iter().position(|&x| x == k).map(|i| self.pass_at[i])
    }
}

/// The two attempts for each test pair of one task (`None` where nothing was predicted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionTask {
    pub name: String,
    pub attempts: Vec<Option<[Grid; 2]>>,
}

/// An ARC Prize submission, tasks in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub tasks: Vec<SubmissionTask>,
}

impl Submission {
    /// `{task_id: [{"attempt_1": grid, "attempt_2": grid}, …], …}`.
    pub fn to_json(&self) -> String {
        let placeholder = Grid::from_parts(1, 1, vec![0]);
        let mut out = String::from("{");
        for (t, task) in self.tasks.iter().enumerate() {
            if t > 0 {
                out.push_str(", ");
            }
            write_json_string(&mut out, &task.name);
            out.push_str(": [");
            for (k, attempts) in task.attempts.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                let (a, b) = match attempts {
                    Some([a, b]) => (a, b),
                    None => (&placeholder, &placeholder),
                };
                out.push_str("{\"attempt_1\": ");
                a.write_json(&mut out);
                out.push_str(", \"attempt_2\": ");
                b.write_json(&mut out);
                out.push('}');
            }
            out.push(']');
        }
        out.push('}');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arc::canvas::encode_grid;
    use crate::arc::grid::{Pair, Task, TestPair};
    use crate::arc::{Augmentation, format_name};
    use crate::dihedral::Dihedral;

    fn g(rows: &[&[u8]]) -> Grid {
        Grid::from_rows(rows).unwrap()
    }

    const SIDE: usize = 10;

    /// A row as the model would produce it for `name`'s augmentation of (input → predicted).
    fn row_tokens(aug: &Augmentation, input: &Grid, predicted: &Grid) -> (Vec<u8>, Vec<u8>) {
        (
            encode_grid(&aug.apply(input), SIDE, (0, 0)).unwrap(),
            encode_grid(&aug.apply(predicted), SIDE, (0, 0)).unwrap(),
        )
    }

    fn add(voter: &mut Voter, name: &str, aug: &Augmentation, input: &Grid, predicted: &Grid, logit: f64) {
        let (i, p) = row_tokens(aug, input, predicted);
        let full = format_name(name, aug);
        assert!(
            voter.add(&PredictionRow { puzzle_name: &full, input: &i, prediction: &p, q_halt_logit: logit }).unwrap()
        );
    }

    #[test]
    fn majority_then_mean_q_then_first_seen() {
        let input = g(&[&[1, 2], &[3, 0]]);
        let right = g(&[&[2, 1]]);
        let wrong = g(&[&[5]]);
        let other = g(&[&[6, 6]]);
        let augs = [
            Augmentation::IDENTITY,
            Augmentation::new(Dihedral::from_id(1).unwrap(), [0, 9, 8, 7, 6, 5, 4, 3, 2, 1]).unwrap(),
            Augmentation::new(Dihedral::from_id(6).unwrap(), [0, 2, 1, 3, 4, 5, 6, 7, 8, 9]).unwrap(),
        ];
        let mut voter = Voter::new(SIDE).unwrap();
        // `right`: 2 votes with low confidence; `wrong`: 1 vote with high confidence.
        add(&mut voter, "t", &augs[1], &input, &right, -3.0);
        add(&mut voter, "t", &augs[2], &input, &right, -3.0);
        add(&mut voter, "t", &augs[0], &input, &wrong, 5.0);
        let c = voter.candidates("t", &input);
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].grid.clone(), c[0].votes), (right.clone(), 2));
        assert!((c[0].mean_q - sigmoid(-3.0)).abs() < 1e-12);
        assert_eq!(c[1].grid, wrong);
        // A tie on votes goes to the higher mean q, and a full tie to the first seen.
        add(&mut voter, "t", &augs[0], &input, &wrong, 5.0);
        assert_eq!(voter.candidates("t", &input)[0].grid, wrong);
        add(&mut voter, "t", &augs[1], &input, &other, 0.0);
        add(&mut voter, "t", &augs[2], &input, &other, 0.0);
        let order: Vec<Grid> = voter.candidates("t", &input).into_iter().map(|c| c.grid).collect();
        assert_eq!(order, [wrong, other.clone(), right.clone()]);
        let mut fresh = Voter::new(SIDE).unwrap();
        add(&mut fresh, "u", &augs[1], &input, &other, 0.0);
        add(&mut fresh, "u", &augs[1], &input, &right, 0.0);
        assert_eq!(fresh.candidates("u", &input)[0].grid, other);
    }

    #[test]
    fn evaluation_and_submission() {
        let in0 = g(&[&[1]]);
        let in1 = g(&[&[2]]);
        let task = Task {
            train: vec![Pair { input: in0.clone(), output: in0.clone() }],
            test: vec![
                TestPair { input: in0.clone(), output: Some(g(&[&[3]])) },
                TestPair { input: in1.clone(), output: Some(g(&[&[4]])) },
            ],
        };
        let tasks = [NamedTask { name: "a".into(), task }];
        let mut voter = Voter::new(SIDE).unwrap();
        let id = Augmentation::IDENTITY;
        add(&mut voter, "a", &id, &in0, &g(&[&[7]]), 1.0);
        add(&mut voter, "a", &id, &in0, &g(&[&[7]]), 1.0);
        add(&mut voter, "a", &id, &in0, &g(&[&[3]]), 1.0);
        let e = voter.evaluate(&tasks, &[1, 2]);
        assert_eq!(e.puzzles, 1);
        assert_eq!(e.pass_at, vec![0.0, 0.5]);
        assert_eq!(e.pass_at_k(2), Some(0.5));
        assert_eq!(e.pairs[0].truth_rank, Some(2));
        assert_eq!(e.pairs[1], PairOutcome { task: "a".into(), pair: 1, candidates: 0, truth_rank: None });
        let s = voter.submission(&tasks);
        assert_eq!(
            s.to_json(),
            "{\"a\": [{\"attempt_1\": [[7]], \"attempt_2\": [[3]]}, {\"attempt_1\": [[0]], \"attempt_2\": [[0]]}]}"
        );
        assert_eq!(s.tasks[0].attempts[1], None);
        // One candidate only: duplicated.
        let mut single = Voter::new(SIDE).unwrap();
        add(&mut single, "a", &id, &in1, &g(&[&[4]]), 0.0);
        assert_eq!(single.submission(&tasks).tasks[0].attempts[1], Some([g(&[&[4]]), g(&[&[4]])]));
        assert_eq!(single.evaluate(&tasks, &[1]).pass_at, vec![0.5]);
    }

    #[test]
    fn rows_that_are_skipped_or_rejected() {
        let mut voter = Voter::new(SIDE).unwrap();
        let blank = PredictionRow { puzzle_name: BLANK_NAME, input: &[], prediction: &[], q_halt_logit: 0.0 };
        assert!(!voter.add(&blank).unwrap());
        let canvas = vec![0u8; SIDE * SIDE];
        let bad = PredictionRow {
            puzzle_name: "x|||t9|||0123456789",
            input: &canvas,
            prediction: &canvas,
            q_halt_logit: 0.0,
        };
        assert!(matches!(voter.add(&bad), Err(ArcError::BadName { .. })));
        let short = PredictionRow { puzzle_name: "x", input: &canvas[1..], prediction: &canvas, q_halt_logit: 0.0 };
        assert!(matches!(voter.add(&short), Err(ArcError::CanvasLength { .. })));
        let nan = PredictionRow { puzzle_name: "x", input: &canvas, prediction: &canvas, q_halt_logit: f64::NAN };
        assert!(matches!(voter.add(&nan), Err(ArcError::BadLogit { .. })));
        assert_eq!(voter.rows(), 0);
        // Empty crops still vote (as the empty grid).
        let ok = PredictionRow { puzzle_name: "x", input: &canvas, prediction: &canvas, q_halt_logit: f64::INFINITY };
        assert!(voter.add(&ok).unwrap());
        assert_eq!(voter.candidates("x", &Grid::empty())[0].mean_q, 1.0);
        assert!(Voter::new(0).is_err());
        assert!(Voter::new(31).is_err());
    }
}
