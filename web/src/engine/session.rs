//! The worker's side of the protocol as plain Rust: a [`Session`] holds the model and the run,
//! answers every request, and runs an `Advance` in slices ([`Session::pump`]) so that the worker
//! reads new requests between frames. The wasm glue (`worker_main`) only posts what these return
//! and schedules the next slice.

use crate::protocol::{DoneReason, RunInfo, WorkerInput, WorkerOutput, probe};

use super::model::LoadedModel;
use super::puzzle::Puzzle;
use super::run::{Run, Unit};
use super::vote::VoteJob;
use super::{EngineError, Result};

/// Most versions a vote runs (the original included).
pub const MAX_VOTE_VERSIONS: u32 = 64;

/// An `Advance` in progress.
#[derive(Debug, Clone)]
struct Job {
    id: u32,
    unit: Unit,
    /// Units still to do.
    remaining: u32,
    stop_on_halt: bool,
    keep_thinking: bool,
    frames: u32,
    apply_ms: f64,
}

/// The worker's state: at most one model, one run and one running `Advance`.
#[derive(Default)]
pub struct Session {
    model: Option<LoadedModel>,
    run: Option<Run>,
    job: Option<Job>,
    /// A vote over augmented versions in progress (it runs beside the run, which it leaves as it is).
    vote: Option<VoteJob>,
}

impl Session {
    pub fn new() -> Self {
        Self::default()
    }

    /// The loaded model.
    pub fn model(&self) -> Option<&LoadedModel> {
        self.model.as_ref()
    }

    /// The run in progress.
    pub fn run(&self) -> Option<&Run> {
        self.run.as_ref()
    }

    /// True while an `Advance` has work left: call [`Session::pump`] (after reading new requests).
    pub fn busy(&self) -> bool {
        self.job.is_some() || self.vote.is_some()
    }

    /// Handles one request. Quick requests are answered completely; an `Advance` only starts here
    /// and its frames come from [`Session::pump`]. Any request ends a running `Advance` first.
    pub fn handle(&mut self, input: WorkerInput, now_ms: &dyn Fn() -> f64) -> Vec<WorkerOutput> {
        let mut out = Vec::new();
        // What ends a running advance or vote: a cancel, or any other request (an interruption).
        let reason =
            if matches!(input, WorkerInput::Cancel { .. }) { DoneReason::Cancelled } else { DoneReason::Interrupted };
        if let Some(job) = self.job.take() {
            out.push(self.done(&job, reason));
        }
        if let Some(vote) = self.vote.take() {
            out.push(self.vote_done(&vote, reason));
        }
        let id = input.id();
        match self.dispatch(input, now_ms, &mut out) {
            Ok(()) => {}
            Err(e) => out.push(WorkerOutput::error_for(id, e.to_string())),
        }
        out
    }

    /// Handles a request and pumps until it is finished (for tests and callers without an event loop).
    pub fn handle_all(&mut self, input: WorkerInput, now_ms: &dyn Fn() -> f64) -> Vec<WorkerOutput> {
        let mut out = self.handle(input, now_ms);
        while self.busy() {
            out.extend(self.pump(now_ms, f64::INFINITY));
        }
        out
    }

    fn dispatch(&mut self, input: WorkerInput, now_ms: &dyn Fn() -> f64, out: &mut Vec<WorkerOutput>) -> Result<()> {
        match input {
            WorkerInput::Probe { side } => out.push(probe(side, now_ms)),
            WorkerInput::DiagnosticPanic => panic!("diagnostic panic requested by the page"),
            WorkerInput::LoadModel { id, model } => {
                // The old model and run go first, so two models are never held at once.
                self.run = None;
                self.model = None;
                let loaded = LoadedModel::load(&model)?;
                out.push(WorkerOutput::ModelLoaded { id, info: loaded.info.clone() });
                self.model = Some(loaded);
                out.push(self.quick_done(id));
            }
            WorkerInput::StartRun { id, puzzle } => {
                let model = self.model.as_ref().ok_or(EngineError::NoModel)?;
                let puzzle = Puzzle::encode(
                    &puzzle,
                    &model.info.supports,
                    model.identifiers.as_ref(),
                    model.info.config.num_puzzle_identifiers,
                )?;
                let c = &model.info.config;
                let info = RunInfo {
                    kind: puzzle.kind,
                    rows: puzzle.rows,
                    cols: puzzle.cols,
                    h_cycles: c.h_cycles,
                    l_cycles: c.l_cycles,
                    halt_max_steps: c.halt_max_steps,
                    solution_known: puzzle.solution.is_some(),
                    history_frames: 0,
                    note: puzzle.note.clone(),
                };
                self.run = None;
                let run = Run::start(&model.trm, puzzle)?;
                out.push(WorkerOutput::RunStarted { id, run: RunInfo { history_frames: run.history_cap(), ..info } });
                out.push(WorkerOutput::Frame { id, frame: Box::new(run.current().clone()) });
                self.run = Some(run);
                out.push(WorkerOutput::Done {
                    id,
                    reason: DoneReason::Completed,
                    frames: 1,
                    ms_per_application: None,
                    steps_done: 0,
                    halted: false,
                });
            }
            WorkerInput::Advance { id, unit, count, stop_on_halt, keep_thinking } => {
                self.model.as_ref().ok_or(EngineError::NoModel)?;
                let run = self.run.as_ref().ok_or(EngineError::NoRun)?;
                let job = Job { id, unit, remaining: count, stop_on_halt, keep_thinking, frames: 0, apply_ms: 0.0 };
                let max = self.max_steps();
                if count == 0 {
                    out.push(self.done(&job, DoneReason::Completed));
                } else if !keep_thinking && run.current().ends_step && run.steps_done() as usize >= max {
                    out.push(self.done(&job, DoneReason::MaxSteps));
                } else {
                    self.job = Some(job);
                }
            }
            WorkerInput::Back { id, frames } => {
                let run = self.run.as_mut().ok_or(EngineError::NoRun)?;
                let frame = run.back(frames)?.clone();
                out.push(WorkerOutput::Frame { id, frame: Box::new(frame) });
                out.push(self.quick_done(id));
            }
            WorkerInput::Seek { id, index } => {
                let run = self.run.as_mut().ok_or(EngineError::NoRun)?;
                let frame = run.seek(index)?.clone();
                out.push(WorkerOutput::Frame { id, frame: Box::new(frame) });
                out.push(self.quick_done(id));
            }
            WorkerInput::EditCell { id, cell, symbol } => {
                let run = self.run.as_mut().ok_or(EngineError::NoRun)?;
                let frame = run.edit(cell, symbol)?.clone();
                out.push(WorkerOutput::Frame { id, frame: Box::new(frame) });
                out.push(self.quick_done(id));
            }
            WorkerInput::Cancel { id } => out.push(self.quick_done(id)),
            WorkerInput::Vote { id, puzzle, versions } => {
                let model = self.model.as_ref().ok_or(EngineError::NoModel)?;
                let extra = versions.saturating_sub(1).min(MAX_VOTE_VERSIONS) as usize;
                let vote = VoteJob::new(id, &puzzle, extra, model)?;
                out.push(WorkerOutput::VoteStarted { id, versions: vote.total() });
                self.vote = Some(vote);
            }
        }
        Ok(())
    }

    fn vote_done(&self, vote: &VoteJob, reason: DoneReason) -> WorkerOutput {
        WorkerOutput::Done {
            id: vote.id,
            reason,
            frames: vote.frames,
            ms_per_application: (vote.frames > 0).then(|| vote.apply_ms / f64::from(vote.frames)),
            steps_done: 0,
            halted: false,
        }
    }

    /// Network applications of the running vote until it finishes or `budget_ms` has passed.
    fn pump_vote(&mut self, now_ms: &dyn Fn() -> f64, budget_ms: f64, out: &mut Vec<WorkerOutput>) {
        let start = now_ms();
        while let Some(mut vote) = self.vote.take() {
            let Some(model) = self.model.as_ref() else {
                out.push(WorkerOutput::error_for(Some(vote.id), EngineError::NoModel.to_string()));
                return;
            };
            match vote.apply(model, now_ms) {
                Ok((version, finished)) => {
                    if let Some(version) = version {
                        out.push(WorkerOutput::VoteVersion { id: vote.id, version: Box::new(version) });
                    }
                    if finished {
                        out.push(self.vote_done(&vote, DoneReason::Completed));
                        return;
                    }
                }
                Err(e) => {
                    out.push(WorkerOutput::error_for(Some(vote.id), e.to_string()));
                    return;
                }
            }
            self.vote = Some(vote);
            if now_ms() - start >= budget_ms {
                return;
            }
        }
    }

    fn max_steps(&self) -> usize {
        self.model.as_ref().map_or(usize::MAX, |m| m.info.config.halt_max_steps)
    }

    fn done(&self, job: &Job, reason: DoneReason) -> WorkerOutput {
        WorkerOutput::Done {
            id: job.id,
            reason,
            frames: job.frames,
            ms_per_application: (job.frames > 0).then(|| job.apply_ms / f64::from(job.frames)),
            steps_done: self.run.as_ref().map_or(0, Run::steps_done),
            halted: self.run.as_ref().is_some_and(Run::halted),
        }
    }

    fn quick_done(&self, id: u32) -> WorkerOutput {
        let job = Job {
            id,
            unit: Unit::Application,
            remaining: 0,
            stop_on_halt: false,
            keep_thinking: false,
            frames: 0,
            apply_ms: 0.0,
        };
        self.done(&job, DoneReason::Completed)
    }

    /// Does network applications of the running `Advance` until it finishes or `budget_ms` has
    /// passed (at least one), and returns their frames (and the final `Done`/`Error`).
    pub fn pump(&mut self, now_ms: &dyn Fn() -> f64, budget_ms: f64) -> Vec<WorkerOutput> {
        let mut out = Vec::new();
        if self.vote.is_some() {
            self.pump_vote(now_ms, budget_ms, &mut out);
            return out;
        }
        let start = now_ms();
        let max = self.max_steps();
        while let Some(mut job) = self.job.take() {
            let (Some(model), Some(run)) = (self.model.as_ref(), self.run.as_mut()) else {
                out.push(WorkerOutput::error_for(Some(job.id), EngineError::NoRun.to_string()));
                break;
            };
            let frame = match run.apply(&model.trm, now_ms) {
                Ok(frame) => frame.clone(),
                Err(e) => {
                    out.push(WorkerOutput::error_for(Some(job.id), e.to_string()));
                    break;
                }
            };
            job.frames += 1;
            job.apply_ms += frame.apply_ms;
            let unit_done = match job.unit {
                Unit::Application => true,
                Unit::Refresh => frame.kind == super::FrameKind::Refresh,
                Unit::Step => frame.ends_step,
            };
            if unit_done {
                job.remaining = job.remaining.saturating_sub(1);
            }
            let halted = run.halted();
            out.push(WorkerOutput::Frame { id: job.id, frame: Box::new(frame.clone()) });
            let reason = if frame.ends_step && job.stop_on_halt && halted {
                Some(DoneReason::Halted)
            } else if frame.ends_step && !job.keep_thinking && frame.step as usize >= max {
                Some(DoneReason::MaxSteps)
            } else if job.remaining == 0 {
                Some(DoneReason::Completed)
            } else {
                None
            };
            if let Some(reason) = reason {
                out.push(self.done(&job, reason));
                break;
            }
            self.job = Some(job);
            if now_ms() - start >= budget_ms {
                break;
            }
        }
        out
    }
}
