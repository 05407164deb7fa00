//! pass@2 voting over augmented versions of an ARC task's test input, as `trm eval --augment N` does:
//! the original and up to N augmented versions (first those the model has embedding rows for, then
//! seeded ones from trm-puzzles' [`arc::augmented_versions`]) each run for the model's supervision
//! steps; trm-puzzles' [`Voter`] crops, de-augments and tallies every prediction and ranks the
//! candidates (votes, then mean halting confidence). A [`VoteJob`] runs one network application per
//! [`VoteJob::apply`] so that the worker can read new requests between them.

use serde::{Deserialize, Serialize};
use trm_puzzles::arc::{self, Augmentation, Grid, Identifiers, PredictionRow, Task, Voter};

use super::model::LoadedModel;
use super::puzzle::{Puzzle, PuzzleKind, PuzzleSource};
use super::run::Run;
use super::{EngineError, Result};

/// History kept by a version's run: none is needed (nobody steps back in a vote).
const VOTE_HISTORY_BYTES: usize = 0;
/// The seed of the augmented versions drawn when the model has too few rows for the task.
pub const VOTE_SEED: u64 = 0;

/// One distinct de-augmented prediction and its votes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoteCandidate {
    /// Rows of colours.
    pub grid: Vec<Vec<u8>>,
    pub votes: usize,
    /// Mean `sigmoid(q_halt)` of its votes.
    pub mean_q: f64,
}

/// One version's outcome, with the tally so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoteVersion {
    /// 0 for the original.
    pub index: usize,
    /// Versions in this vote (the original included).
    pub total: usize,
    /// The version's official name (`<id>` or `<id>|||t<k>|||<colours>`).
    pub name: String,
    /// The model has an embedding row for this version.
    pub seen: bool,
    /// The prediction, cropped and de-augmented back to the original task.
    pub prediction: Vec<Vec<u8>>,
    /// `sigmoid(q_halt)` after the last supervision step.
    pub halt_probability: Option<f64>,
    /// Every distinct prediction so far, best first (the first two are the attempts).
    pub candidates: Vec<VoteCandidate>,
}

/// The versions of task `name` to vote over: the original, then up to `extra` augmentations the
/// identifiers name for it, then seeded ones (distinct, as the dataset builder draws them).
pub fn vote_versions(name: &str, task: &Task, extra: usize, ids: Option<&Identifiers>) -> Vec<Augmentation> {
    let mut out = vec![Augmentation::IDENTITY];
    out.extend(ids.map(|ids| ids.trained_versions(name, extra)).unwrap_or_default());
    for version in arc::augmented_versions(name, task, extra, VOTE_SEED) {
        if out.len() > extra {
            break;
        }
        if !out.contains(&version.augmentation) {
            out.push(version.augmentation);
        }
    }
    out
}

/// A vote in progress.
pub struct VoteJob {
    pub id: u32,
    name: String,
    task: Task,
    test: usize,
    canvas: usize,
    versions: Vec<Augmentation>,
    next: usize,
    /// The version running, with its name and input canvas.
    current: Option<(Run, String, Vec<u8>, bool)>,
    voter: Voter,
    max_steps: usize,
    pub frames: u32,
    pub apply_ms: f64,
}

impl VoteJob {
    /// A vote over `extra` augmented versions (and the original) of `source`'s test input.
    pub fn new(id: u32, source: &PuzzleSource, extra: usize, model: &LoadedModel) -> Result<VoteJob> {
        let PuzzleSource::Arc { task_json, name, test } = source else {
            return Err(EngineError::Request("voting is for ARC tasks".into()));
        };
        let canvas = model
            .info
            .supports
            .iter()
            .find_map(|k| match *k {
                PuzzleKind::Arc { canvas } => Some(canvas),
                _ => None,
            })
            .ok_or_else(|| EngineError::Unsupported("this model does not run ARC tasks".into()))?;
        let task = Task::from_json(task_json).map_err(|e| EngineError::Puzzle(e.to_string()))?;
        if task.test.get(*test).is_none() {
            return Err(EngineError::Puzzle(format!("the task has no test {}", test + 1)));
        }
        let versions = vote_versions(name, &task, extra, model.identifiers.as_ref());
        let voter = Voter::new(canvas).map_err(|e| EngineError::Puzzle(e.to_string()))?;
        Ok(VoteJob {
            id,
            name: name.clone(),
            task,
            test: *test,
            canvas,
            versions,
            next: 0,
            current: None,
            voter,
            max_steps: model.info.config.halt_max_steps,
            frames: 0,
            apply_ms: 0.0,
        })
    }

    /// Versions in this vote.
    pub fn total(&self) -> usize {
        self.versions.len()
    }

    /// Versions finished.
    pub fn finished(&self) -> usize {
        self.next - usize::from(self.current.is_some())
    }

    /// Does one network application (starting the next version first when none runs). Returns the
    /// version's outcome when it finished one, and whether the whole vote is done.
    pub fn apply(&mut self, model: &LoadedModel, now_ms: &dyn Fn() -> f64) -> Result<(Option<VoteVersion>, bool)> {
        if self.current.is_none() {
            let Some(&aug) = self.versions.get(self.next) else { return Ok((None, true)) };
            self.next += 1;
            let name = arc::format_name(&self.name, &aug);
            let source = PuzzleSource::Arc {
                task_json: aug.apply_task(&self.task).to_json(),
                name: name.clone(),
                test: self.test,
            };
            let puzzle = Puzzle::encode(
                &source,
                &model.info.supports,
                model.identifiers.as_ref(),
                model.info.config.num_puzzle_identifiers,
            )?;
            let seen = puzzle.note.is_none();
            let input: Vec<u8> = puzzle.tokens.iter().map(|&t| u8::try_from(t).unwrap_or(arc::PAD)).collect();
            let run = Run::with_budget(&model.trm, puzzle, VOTE_HISTORY_BYTES)?;
            self.current = Some((run, name, input, seen));
        }
        let Some((run, ..)) = self.current.as_mut() else { return Ok((None, true)) };
        let frame = run.apply(&model.trm, now_ms)?;
        self.frames += 1;
        self.apply_ms += frame.apply_ms;
        if !(frame.ends_step && frame.step as usize >= self.max_steps) {
            return Ok((None, false));
        }
        let q_halt = frame.q_halt.map(f64::from);
        let Some((run, name, input, seen)) = self.current.take() else { return Ok((None, true)) };
        let prediction: Vec<u8> = run.answer_tokens().iter().map(|&t| u8::try_from(t).unwrap_or(arc::PAD)).collect();
        let bad = |e: arc::ArcError| EngineError::Puzzle(e.to_string());
        self.voter
            .add(&PredictionRow {
                puzzle_name: &name,
                input: &input,
                prediction: &prediction,
                q_halt_logit: q_halt.unwrap_or(0.0),
            })
            .map_err(bad)?;
        let aug = self.versions.get(self.next - 1).copied().unwrap_or(Augmentation::IDENTITY);
        let own = aug.invert(&arc::crop(&prediction, self.canvas).map_err(bad)?);
        let original_input = self.task.test.get(self.test).map_or_else(Grid::empty, |p| p.input.clone());
        let candidates = self
            .voter
            .candidates(&self.name, &original_input)
            .into_iter()
            .map(|c| VoteCandidate { grid: c.grid.to_rows(), votes: c.votes, mean_q: c.mean_q })
            .collect();
        let version = VoteVersion {
            index: self.next - 1,
            total: self.versions.len(),
            name,
            seen,
            prediction: own.to_rows(),
            halt_probability: q_halt.map(arc::sigmoid),
            candidates,
        };
        Ok((Some(version), self.next >= self.versions.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Session;
    use crate::protocol::{DoneReason, WorkerInput, WorkerOutput};

    fn arc_session() -> Session {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/models/");
        let m = crate::catalog::BUNDLED_MODELS[crate::catalog::bundled_index("arc-demo").unwrap()];
        let bytes = std::fs::read(format!("{root}{}.safetensors", m.name)).unwrap();
        let card = std::fs::read_to_string(format!("{root}{}.json", m.name)).unwrap();
        let mut session = Session::new();
        let out = session.handle_all(WorkerInput::LoadModel { id: 1, model: m.source(bytes, Some(card)) }, &|| 0.0);
        assert!(matches!(out[0], WorkerOutput::ModelLoaded { .. }), "{out:?}");
        session
    }

    #[test]
    fn a_vote_streams_versions_and_stops_on_cancel() {
        let mut session = arc_session();
        let puzzle = crate::arc_input::ArcDraft::first().source();
        let out = session.handle(WorkerInput::Vote { id: 2, puzzle: puzzle.clone(), versions: 4 }, &|| 0.0);
        assert_eq!(out, [WorkerOutput::VoteStarted { id: 2, versions: 4 }]);
        // One application per pump with no time budget: nothing finished yet, then a cancel ends it.
        let out = session.pump(&|| 0.0, 0.0);
        assert!(out.is_empty() && session.busy(), "{out:?}");
        let out = session.handle(WorkerInput::Cancel { id: 3 }, &|| 0.0);
        assert!(
            matches!(out[0], WorkerOutput::Done { id: 2, reason: DoneReason::Cancelled, frames: 1, .. }),
            "{out:?}"
        );
        assert!(matches!(out[1], WorkerOutput::Done { id: 3, .. }));
        assert!(!session.busy());
        // A whole vote: one version after another, the tally growing to one vote per version.
        let out = session.handle_all(WorkerInput::Vote { id: 4, puzzle, versions: 3 }, &|| 0.0);
        let versions: Vec<&VoteVersion> = out
            .iter()
            .filter_map(|o| match o {
                WorkerOutput::VoteVersion { version, .. } => Some(&**version),
                _ => None,
            })
            .collect();
        assert_eq!(versions.len(), 3);
        for (k, v) in versions.iter().enumerate() {
            assert_eq!((v.index, v.total), (k, 3));
            assert_eq!(v.candidates.iter().map(|c| c.votes).sum::<usize>(), k + 1);
            assert!(v.halt_probability.is_some_and(|p| (0.0..=1.0).contains(&p)));
        }
        assert!(matches!(out.last(), Some(WorkerOutput::Done { id: 4, reason: DoneReason::Completed, .. })));
        // Not an ARC puzzle: an error answer.
        let maze = PuzzleSource::Maze { text: "S G".into() };
        let out = session.handle_all(WorkerInput::Vote { id: 5, puzzle: maze, versions: 3 }, &|| 0.0);
        assert!(matches!(&out[..], [WorkerOutput::Error { id: Some(5), fatal: false, .. }]), "{out:?}");
    }

    #[test]
    fn versions_are_the_original_then_the_model_s_rows_then_seeded_ones() {
        let json = crate::view_model::testdata::arc_task("training/0d3d703e");
        let task = Task::from_json(&json).unwrap();
        let names = vec![
            "<blank>".to_string(),
            "0d3d703e".to_string(),
            "0d3d703e|||t5|||0512763849".to_string(),
            "other|||t1|||0123456789".to_string(),
            "0d3d703e|||t2|||0987654321".to_string(),
        ];
        let ids = Identifiers::from_names(names).unwrap();
        let v = vote_versions("0d3d703e", &task, 8, Some(&ids));
        assert_eq!(v.len(), 9);
        assert_eq!(v[0], Augmentation::IDENTITY);
        assert_eq!(arc::format_name("0d3d703e", &v[1]), "0d3d703e|||t5|||0512763849");
        assert_eq!(arc::format_name("0d3d703e", &v[2]), "0d3d703e|||t2|||0987654321");
        for (k, a) in v.iter().enumerate() {
            assert!(!v[..k].contains(a), "distinct");
        }
        assert_eq!(vote_versions("0d3d703e", &task, 1, Some(&ids)).len(), 2);
        assert_eq!(vote_versions("0d3d703e", &task, 0, None), vec![Augmentation::IDENTITY]);
        assert_eq!(vote_versions("0d3d703e", &task, 8, None).len(), 9, "seeded versions without identifiers");
    }
}
