//! The training loop of `trm train`: a [`Trainer`] steps a [`TrainState`] over a [`BatchSource`],
//! logs averaged metrics, evaluates the EMA weights on a held-out sample, and writes resumable
//! checkpoints into its run directory (layout in [`files`]).
//!
//! Runs are long and sessions end, so everything is resumable: [`Trainer::resume`] rebuilds the run
//! from its directory and continues bit for bit as if it had never stopped (same weights, optimizer
//! moments, EMA, ACT carry, random streams and data position). A stop flag (set by a signal handler)
//! ends the run cleanly after the current step, with a checkpoint.

pub mod config;
pub mod files;
pub mod lock;
pub mod quick_eval;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;
use trm_core::TrmConfig;
use trm_puzzles::arc::Identifiers;
use trm_puzzles::sudoku::Tier;
use trm_puzzles::{Maze, MazeTier, Sudoku};

use crate::data::arc_tasks::build_arc_tasks;
use crate::data::dataset::{DatasetSource, open_dataset, store_eval_set};
use crate::data::generate::{
    GenerateRecipe, MazeSource, SudokuSource, TierMix, final_mix, maze_eval_set, maze_pairs_eval_set, sudoku_eval_set,
    sudoku_pairs_eval_set,
};
use crate::data::{BatchSource, Domain, EvalSet};
use crate::eval::arc::arc_rows;
use crate::{Error, Metrics, Result, TrainState, TrainableTrm};
pub use config::{DataConfig, DatasetRecipe, EvalConfig, PRESETS, RunConfig, default_for, preset};
use files::{RunProgress, TrainerMeta};
pub use quick_eval::{ArcEvalSet, QuickEval, arc_quick_eval, quick_eval};

/// Averages of the training metrics over a log window, as the official log shows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainLog {
    pub step: usize,
    pub total_steps: usize,
    /// `lm_loss + 0.5 · q_halt_loss` per example.
    pub loss: f64,
    pub lm_loss: f64,
    pub q_halt_loss: f64,
    /// Token accuracy of the examples that halted in the window.
    pub accuracy: f64,
    /// Exact accuracy of the examples that halted in the window.
    pub exact_accuracy: f64,
    pub q_halt_accuracy: f64,
    /// Mean ACT steps of the examples that halted.
    pub steps: f64,
    /// Examples that halted in the window.
    pub halted: f64,
    pub lr: f64,
    /// Rows × optimizer steps per second of wall time in the window.
    pub example_steps_per_s: f64,
    pub wall_time: f64,
}

/// What the trainer tells its observer (the command line draws a progress bar from it).
#[derive(Debug)]
pub enum Event<'a> {
    /// One optimizer step done: the step and the running window's averages so far.
    Step(&'a TrainLog),
    /// A log window closed (also written to `log.jsonl`).
    Log(&'a TrainLog),
    Eval {
        step: usize,
        result: &'a QuickEval,
    },
    Checkpoint {
        step: usize,
        dir: &'a Path,
    },
}

/// Receives [`Event`]s.
pub trait Observer {
    fn event(&mut self, event: Event<'_>);
}

/// An observer that ignores everything.
pub struct Silent;

impl Observer for Silent {
    fn event(&mut self, _: Event<'_>) {}
}

/// Why [`Trainer::run`] returned (a checkpoint was written in every case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// `total_steps` reached.
    Finished,
    /// The stop flag was set.
    Stopped,
    /// `until_step` or the time limit reached.
    Paused,
}

/// Where a session ends besides the end of the run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    /// Stop once this optimizer step is done.
    pub until_step: Option<usize>,
    /// Stop after this much wall time in this session.
    pub time_limit: Option<Duration>,
}

/// The data side of a run, built from its config.
struct RunData {
    source: Box<dyn BatchSource>,
    eval_set: Option<EvalSet>,
    /// `source: arc`: the voting evaluation instead of `eval_set`.
    arc_eval: Option<ArcEvalSet>,
    identifiers: Option<Vec<String>>,
    /// `source: arc`: the names of the tasks trained on (the only ones the model knows).
    task_names: Option<Vec<String>>,
}

/// Versions per test input in the quick ARC evaluation when `eval.augment` is not given.
const DEFAULT_ARC_EVAL_AUGMENT: usize = 8;

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| files::io_error(path, &e))
}

/// Reads `count` (0 = all) pairs from a puzzles file and its solutions file.
fn file_eval_set(domain: Domain, eval: &EvalConfig, size: usize) -> Result<Option<EvalSet>> {
    let (Some(file), Some(solutions)) = (&eval.file, &eval.solutions) else { return Ok(None) };
    let (puzzles_text, solutions_text) = (read_text(file)?, read_text(solutions)?);
    let at = |path: &Path, n: usize, e: String| Error::Config(format!("{}:{n}: {e}", path.display()));
    let keep = |n: usize| if eval.count == 0 { n } else { n.min(eval.count) };
    let name = format!("{}", file.display());
    let set = match domain {
        Domain::Sudoku => {
            let parse = |text: &str, path: &Path| -> Result<Vec<Sudoku>> {
                let mut out = Vec::new();
                for (n, line) in text.lines().enumerate() {
                    let content = line.split('#').next().unwrap_or("").trim();
                    if !content.is_empty() {
                        out.push(Sudoku::parse(content).map_err(|e| at(path, n + 1, e.to_string()))?);
                    }
                }
                Ok(out)
            };
            let (p, s) = (parse(&puzzles_text, file)?, parse(&solutions_text, solutions)?);
            if p.len() != s.len() {
                return Err(Error::Config(format!("{} puzzles but {} solutions", p.len(), s.len())));
            }
            let pairs: Vec<(Sudoku, Sudoku)> = p.into_iter().zip(s).take(keep(usize::MAX)).collect();
            if let Some((k, _)) = pairs.iter().enumerate().find(|(_, (p, s))| p.side() != size || !p.is_solved_by(s)) {
                return Err(at(file, k + 1, format!("not a {size}×{size} puzzle solved by its solution line")));
            }
            sudoku_pairs_eval_set(name, &pairs)
        }
        Domain::Maze => {
            let p = Maze::parse_many(&puzzles_text).map_err(|e| Error::Config(format!("{}: {e}", file.display())))?;
            let s = Maze::parse_many(&solutions_text)
                .map_err(|e| Error::Config(format!("{}: {e}", solutions.display())))?;
            if p.len() != s.len() {
                return Err(Error::Config(format!("{} mazes but {} solutions", p.len(), s.len())));
            }
            let pairs: Vec<(Maze, Maze)> = p.into_iter().zip(s).take(keep(usize::MAX)).collect();
            if let Some((k, _)) = pairs.iter().enumerate().find(|(_, (p, s))| p.side() != size || s.side() != size) {
                return Err(Error::Config(format!("{}: maze {} is not {size}×{size}", file.display(), k + 1)));
            }
            maze_pairs_eval_set(name, &pairs)
        }
        Domain::Arc => {
            return Err(Error::Config("ARC evaluates on the dataset's test split; leave eval.file out".into()));
        }
    };
    Ok((!set.is_empty()).then_some(set))
}

/// The tiers of a generated evaluation sample: `eval.tiers`, else the training mix after the curriculum.
fn eval_mix<T: Copy + Ord + std::str::FromStr>(eval: &EvalConfig, recipe: &GenerateRecipe) -> Result<TierMix<T>> {
    match &eval.tiers {
        Some(tiers) => TierMix::parse(tiers).map_err(|e| Error::Config(format!("eval.tiers: {e}"))),
        None => final_mix(recipe),
    }
}

/// Builds the source, the evaluation sample and (ARC) the identifier names; fills the data-given
/// architecture fields and the size into `config`.
fn build_data(config: &mut RunConfig) -> Result<RunData> {
    let batch = config.train.global_batch_size;
    let mut arc_eval = None;
    let mut task_names = None;
    let (source, mut eval_set, identifiers): (Box<dyn BatchSource>, Option<EvalSet>, Option<Vec<String>>) =
        match &config.data {
            DataConfig::Generate(recipe) => match config.domain {
                Domain::Sudoku => {
                    let source = SudokuSource::new(config.size, recipe)?;
                    let eval = (config.eval.interval > 0 && config.eval.count > 0 && config.eval.file.is_none())
                        .then(|| {
                            sudoku_eval_set(config.size, &eval_mix::<Tier>(&config.eval, recipe)?, config.eval.count)
                        })
                        .transpose()?;
                    (Box::new(source), eval, None)
                }
                Domain::Maze => {
                    let source = MazeSource::new(config.size, recipe)?;
                    let eval = (config.eval.interval > 0 && config.eval.count > 0 && config.eval.file.is_none())
                        .then(|| {
                            maze_eval_set(config.size, &eval_mix::<MazeTier>(&config.eval, recipe)?, config.eval.count)
                        })
                        .transpose()?;
                    (Box::new(source), eval, None)
                }
                Domain::Arc => {
                    return Err(Error::Config(
                        "ARC trains from task files (data.source: arc) or a dataset (data.source: dataset)".into(),
                    ));
                }
            },
            DataConfig::Dataset(recipe) => {
                if recipe.path.as_os_str().is_empty() {
                    return Err(Error::Config(
                        "no dataset given: set data.path (or --data) to a directory in the official layout or a \
                         compact dataset file"
                            .into(),
                    ));
                }
                let (train, mut test, names) = open_dataset(&recipe.path)?;
                let eval = if config.eval.interval > 0 && config.eval.count > 0 && config.eval.file.is_none() {
                    let name = format!("{} examples of the test split of {}", config.eval.count, recipe.path.display());
                    Some(store_eval_set(test.as_mut(), config.eval.count, name)?).filter(|s| !s.is_empty())
                } else {
                    None
                };
                let source = DatasetSource::new(train, recipe.seed, recipe.epochs_per_iter, batch)?;
                config.size = square_side(source.seq_len())?;
                let identifiers = (config.domain == Domain::Arc || names.len() > 1).then_some(names);
                (Box::new(source), eval, identifiers)
            }
            DataConfig::Arc(recipe) => {
                let built = build_arc_tasks(recipe)?;
                let checksum = built.dataset.checksum();
                let names = built.dataset.identifiers.clone();
                let source =
                    DatasetSource::new(Box::new(built.dataset.train), recipe.seed, recipe.epochs_per_iter, batch)?
                        .with_fingerprint(checksum);
                config.size = square_side(source.seq_len())?;
                if config.eval.interval > 0 {
                    let ids = Identifiers::from_names(names.clone()).map_err(|e| Error::Config(e.to_string()))?;
                    let augment = config.eval.augment.unwrap_or(DEFAULT_ARC_EVAL_AUGMENT);
                    let rows = arc_rows(&built.tasks, recipe.canvas, augment, Some(&ids), names.len() as u32, 0).rows;
                    let name = format!(
                        "the test inputs of the {} tasks of {}, {} versions each, voted",
                        built.tasks.len(),
                        recipe.tasks.display(),
                        augment + 1
                    );
                    arc_eval = Some(ArcEvalSet { name, tasks: built.tasks.clone(), rows });
                }
                task_names = Some(built.tasks.iter().map(|t| t.name.clone()).collect());
                (Box::new(source), None, Some(names))
            }
        };
    if config.eval.interval > 0 && eval_set.is_none() {
        eval_set = file_eval_set(config.domain, &config.eval, config.size)?;
    }
    config.arch.seq_len = source.seq_len();
    config.arch.vocab_size = source.vocab_size();
    config.arch.num_puzzle_identifiers = source.num_puzzle_identifiers();
    config.arch.validate().map_err(|e| Error::Config(format!("arch: {e}")))?;
    if let Some(set) = &eval_set {
        set.check(config.arch.seq_len, config.arch.vocab_size, config.arch.num_puzzle_identifiers)?;
    }
    Ok(RunData { source, eval_set, arc_eval, identifiers, task_names })
}

/// The side of a square grid of `seq_len` cells.
fn square_side(seq_len: usize) -> Result<usize> {
    let side = (seq_len as f64).sqrt().round() as usize;
    if side * side != seq_len {
        return Err(Error::Config(format!("the dataset's seq_len {seq_len} is not a square grid")));
    }
    Ok(side)
}

/// Sums of one log window.
#[derive(Debug, Default)]
struct Window {
    metrics: Metrics,
    loss: f64,
    steps: usize,
    started: Option<Instant>,
}

/// One data-parallel part per thread of candle's pool (`RAYON_NUM_THREADS`, which `--threads` sets):
/// each thread then runs a whole part of the batch, the element-wise work included, instead of
/// sharing only the matrix products.
fn default_data_shards() -> usize {
    candle_core::utils::get_num_threads()
}

/// A training run bound to its directory.
pub struct Trainer {
    config: RunConfig,
    dir: PathBuf,
    state: TrainState,
    data: RunData,
    progress: RunProgress,
    last_eval: Option<QuickEval>,
    session_start: Instant,
    wall_before_session: f64,
    window: Window,
    command: String,
    hardware: String,
    /// Keeps other trainers out of `dir` while this one lives.
    _lock: lock::RunLock,
}

impl Trainer {
    /// Starts a new run of `config` in `dir` (created if needed; it must not hold a run already).
    /// `command` is recorded in the model card.
    pub fn create(mut config: RunConfig, dir: &Path, command: &str) -> Result<Self> {
        config.validate()?;
        if dir.join(files::CONFIG_FILE).exists() || dir.join(files::TRAINER_FILE).exists() {
            return Err(Error::Config(format!(
                "{} already holds a run; continue it with --resume or choose another directory",
                dir.display()
            )));
        }
        let data = build_data(&mut config)?;
        std::fs::create_dir_all(dir).map_err(|e| files::io_error(dir, &e))?;
        let run_lock = lock::RunLock::acquire(dir)?;
        files::write_atomic(&dir.join(files::CONFIG_FILE), config.to_json().as_bytes())?;
        let model = TrainableTrm::fresh(config.arch.clone(), config.train.seed)?;
        let mut state = TrainState::new(model, config.train.clone())?;
        state.set_data_shards(default_data_shards());
        let trainer = Self {
            config,
            dir: dir.to_path_buf(),
            state,
            data,
            progress: RunProgress { sessions: 1, ..RunProgress::default() },
            last_eval: None,
            session_start: Instant::now(),
            wall_before_session: 0.0,
            window: Window::default(),
            command: command.to_string(),
            hardware: files::hardware_description(),
            _lock: run_lock,
        };
        trainer.log_event("start", serde_json::json!({"source": trainer.data.source.describe()}))?;
        Ok(trainer)
    }

    /// Continues the run in `dir` from its last checkpoint. `total_steps`, if given, changes the
    /// run's length (which changes the learning-rate schedule only with `lr_min_ratio < 1`).
    pub fn resume(dir: &Path, total_steps: Option<usize>, command: &str) -> Result<Self> {
        let config_path = dir.join(files::CONFIG_FILE);
        if !config_path.is_file() {
            return Err(Error::Config(format!("{} holds no run ({} is missing)", dir.display(), files::CONFIG_FILE)));
        }
        let run_lock = lock::RunLock::acquire(dir)?;
        let mut config = RunConfig::from_text(&read_text(&config_path)?)
            .map_err(|e| Error::Config(format!("{}: {e}", config_path.display())))?;
        let saved_arch: TrmConfig = config.arch.clone();
        let mut data = build_data(&mut config)?;
        if config.arch != saved_arch {
            return Err(Error::Config(format!(
                "the data no longer fits the run's model (seq_len {} / vocab {} / {} puzzle ids, the run has {} / {} / {})",
                config.arch.seq_len,
                config.arch.vocab_size,
                config.arch.num_puzzle_identifiers,
                saved_arch.seq_len,
                saved_arch.vocab_size,
                saved_arch.num_puzzle_identifiers
            )));
        }
        if let Some(n) = total_steps {
            config.train.total_steps = n;
            config.validate()?;
            files::write_atomic(&config_path, config.to_json().as_bytes())?;
        }
        let trainer_path = dir.join(files::TRAINER_FILE);
        let (checkpoint, meta) = files::read_trainer(&trainer_path)?;
        if meta.arch != config.arch {
            return Err(Error::Checkpoint(format!(
                "{}: the checkpoint's architecture differs from run.json",
                trainer_path.display()
            )));
        }
        let mut state = TrainState::from_checkpoint(config.arch.clone(), checkpoint, config.train.clone())?;
        state.set_data_shards(default_data_shards());
        data.source.restore(&meta.source)?;
        let mut progress = meta.progress;
        progress.sessions += 1;
        let trainer = Self {
            config,
            dir: dir.to_path_buf(),
            state,
            data,
            wall_before_session: progress.wall_time,
            progress,
            last_eval: meta.last_eval,
            session_start: Instant::now(),
            window: Window::default(),
            command: command.to_string(),
            hardware: files::hardware_description(),
            _lock: run_lock,
        };
        trainer.log_event("resume", serde_json::json!({"step": trainer.state.steps_done()}))?;
        Ok(trainer)
    }

    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn state(&self) -> &TrainState {
        &self.state
    }

    /// Cuts every step into `shards` data-parallel parts (see [`TrainState::set_data_shards`]);
    /// a run starts with one part per thread of the pool.
    pub fn set_data_shards(&mut self, shards: usize) {
        self.state.set_data_shards(shards);
    }

    /// The data source's description.
    pub fn source_description(&self) -> String {
        self.data.source.describe()
    }

    /// The evaluation sample, if the run evaluates examples one by one.
    pub fn eval_set(&self) -> Option<&EvalSet> {
        self.data.eval_set.as_ref()
    }

    /// The ARC tasks and rows of the voting evaluation (`data.source: arc`).
    pub fn arc_eval_set(&self) -> Option<&ArcEvalSet> {
        self.data.arc_eval.as_ref()
    }

    /// What the quick evaluation runs on, if the run evaluates.
    pub fn eval_description(&self) -> Option<String> {
        match (&self.data.arc_eval, &self.data.eval_set) {
            (Some(set), _) => Some(set.name.clone()),
            (None, Some(set)) => Some(set.name.clone()),
            (None, None) => None,
        }
    }

    /// Optimizer steps done.
    pub fn step_count(&self) -> usize {
        self.state.steps_done()
    }

    /// Seconds trained over all sessions.
    pub fn wall_time(&self) -> f64 {
        self.wall_before_session + self.session_start.elapsed().as_secs_f64()
    }

    fn log_event(&self, event: &str, mut fields: serde_json::Value) -> Result<()> {
        if let serde_json::Value::Object(map) = &mut fields {
            map.insert("event".into(), event.into());
            map.entry("step").or_insert(self.state.steps_done().into());
            map.insert("wall_time".into(), self.wall_time().into());
        }
        files::append_log(&self.dir.join(files::LOG_FILE), &fields)
    }

    /// One optimizer step on the next batch; returns the running window's averages.
    pub fn step(&mut self) -> Result<TrainLog> {
        let b = self.config.train.global_batch_size;
        let needed: Vec<bool> = match self.state.carry() {
            Some(carry) => carry.halted().to_vec(),
            None => vec![true; b],
        };
        let batch = self.data.source.next_batch(&needed)?;
        let window_start = *self.window.started.get_or_insert_with(Instant::now);
        let out = self.state.step(&batch)?;
        self.progress.example_steps += b as u64;
        self.window.metrics += out.metrics;
        self.window.loss += out.loss;
        self.window.steps += 1;
        let n = self.window.steps;
        let avg = self.window.metrics.averaged(b * n);
        let elapsed = window_start.elapsed().as_secs_f64().max(1e-9);
        Ok(TrainLog {
            step: out.step,
            total_steps: self.config.train.total_steps,
            loss: self.window.loss / (b * n) as f64,
            lm_loss: avg.lm_loss,
            q_halt_loss: avg.q_halt_loss,
            accuracy: avg.accuracy,
            exact_accuracy: avg.exact_accuracy,
            q_halt_accuracy: avg.q_halt_accuracy,
            steps: avg.steps,
            halted: self.window.metrics.count,
            lr: out.lr,
            example_steps_per_s: (b * n) as f64 / elapsed,
            wall_time: self.wall_time(),
        })
    }

    /// Evaluates the exported (EMA) weights on the held-out sample; `None` without one.
    pub fn evaluate(&mut self) -> Result<Option<QuickEval>> {
        if self.data.eval_set.is_none() && self.data.arc_eval.is_none() {
            return Ok(None);
        }
        let model = trm_core::checkpoint::build_model(self.config.arch.clone(), self.state.export_state_dict()?)?;
        let (steps, batch) = (self.config.arch.halt_max_steps, self.config.eval.batch_size);
        let result = match (&self.data.arc_eval, &self.data.eval_set) {
            (Some(set), _) => arc_quick_eval(&model, set, steps, batch)?,
            (None, Some(set)) => quick_eval(&model, set, steps, batch)?,
            (None, None) => return Ok(None),
        };
        let fields = serde_json::to_value(&result).map_err(|e| Error::Checkpoint(e.to_string()))?;
        self.log_event("eval", fields)?;
        self.last_eval = Some(result.clone());
        Ok(Some(result))
    }

    /// The model card of the exported weights (formats.md).
    pub fn model_card(&self) -> serde_json::Value {
        let c = &self.config;
        let mut card = serde_json::json!({
            "name": c.name,
            "domain": c.domain,
            "size": c.size,
            "seq_len": c.arch.seq_len,
            "vocab_size": c.arch.vocab_size,
            "arch": c.arch,
            "training": {
                "data": c.data,
                "source": self.data.source.describe(),
                "seed": c.train.seed,
                "steps": self.state.steps_done(),
                "total_steps": c.train.total_steps,
                "batch_size": c.train.global_batch_size,
                "example_steps": self.progress.example_steps,
                "wall_time": (self.wall_time() * 10.0).round() / 10.0,
                "sessions": self.progress.sessions,
                "hardware": self.hardware,
                "command": self.command,
                "weights": if c.train.ema { "EMA" } else { "live" },
                "train": c.train,
                "last_eval": self.last_eval,
            },
        });
        if let Some(names) = &self.data.identifiers {
            card["identifiers"] = names.clone().into();
        }
        if let Some(tasks) = &self.data.task_names {
            card["training"]["tasks"] = tasks.clone().into();
            card["note"] = format!(
                "Trained with puzzle embeddings on {} ARC tasks only (training.tasks, in up to {} versions each): it knows \
                 these tasks and no others. A task outside this list runs with the blank embedding row 0 and is not \
                 expected to be solved.",
                tasks.len(),
                match &c.data {
                    DataConfig::Arc(recipe) => recipe.num_aug + 1,
                    _ => 1,
                }
            )
            .into();
        }
        card
    }

    /// Writes `trainer.safetensors`, `model.safetensors` and `model.json`.
    pub fn checkpoint(&mut self) -> Result<()> {
        self.progress.wall_time = self.wall_time();
        let checkpoint = self.state.checkpoint()?;
        let meta = TrainerMeta {
            format: files::FORMAT_VERSION,
            arch: self.config.arch.clone(),
            state: checkpoint.meta.clone(),
            source: self.data.source.state(),
            progress: self.progress.clone(),
            last_eval: self.last_eval.clone(),
        };
        files::write_trainer(&self.dir.join(files::TRAINER_FILE), &checkpoint, &meta)?;
        let exported: Vec<(String, candle_core::Tensor)> = self.state.export_state_dict()?.into_iter().collect();
        files::write_atomic(&self.dir.join(files::MODEL_FILE), &files::safetensors_bytes(&exported, None)?)?;
        let card = serde_json::to_string_pretty(&self.model_card()).map_err(|e| Error::Checkpoint(e.to_string()))?;
        files::write_atomic(&self.dir.join(files::CARD_FILE), card.as_bytes())?;
        self.log_event("checkpoint", serde_json::json!({"example_steps": self.progress.example_steps}))
    }

    /// Trains until the run is finished, `stop` is set, or a limit is reached; evaluates every
    /// `eval.interval` steps, logs every `log_interval` steps, checkpoints every
    /// `checkpoint_interval` steps and always before returning.
    pub fn run(&mut self, observer: &mut dyn Observer, stop: &AtomicBool, limits: Limits) -> Result<Outcome> {
        let c = self.config.clone();
        let mut last_saved = self.state.steps_done();
        let outcome = loop {
            let step = self.state.steps_done();
            if step >= c.train.total_steps {
                break Outcome::Finished;
            }
            if stop.load(Ordering::SeqCst) {
                break Outcome::Stopped;
            }
            let over_time = limits.time_limit.is_some_and(|t| self.session_start.elapsed() >= t);
            if limits.until_step.is_some_and(|u| step >= u) || over_time {
                break Outcome::Paused;
            }
            let log = self.step()?;
            let step = log.step;
            observer.event(Event::Step(&log));
            if step.is_multiple_of(c.log_interval) || step == c.train.total_steps {
                let fields = serde_json::to_value(&log).map_err(|e| Error::Checkpoint(e.to_string()))?;
                self.log_event("train", fields)?;
                observer.event(Event::Log(&log));
                self.window = Window::default();
            }
            if c.eval.interval > 0
                && (step.is_multiple_of(c.eval.interval) || step == c.train.total_steps)
                && let Some(result) = self.evaluate()?
            {
                observer.event(Event::Eval { step, result: &result });
            }
            if step.is_multiple_of(c.checkpoint_interval) {
                self.checkpoint()?;
                last_saved = step;
                observer.event(Event::Checkpoint { step, dir: &self.dir });
            }
        };
        let step = self.state.steps_done();
        if last_saved != step || !self.dir.join(files::TRAINER_FILE).exists() {
            self.checkpoint()?;
            observer.event(Event::Checkpoint { step, dir: &self.dir });
        }
        let how = match outcome {
            Outcome::Finished => "finished",
            Outcome::Stopped => "stopped",
            Outcome::Paused => "paused",
        };
        self.log_event(how, serde_json::json!({}))?;
        Ok(outcome)
    }
}
