//! `trm train`: train a model on puzzles generated on the fly or on a dataset, resumably.
//!
//! The run directory holds the resolved config, a resumable checkpoint, the exported model with its
//! card (usable by `trm solve --model DIR/model.safetensors` at any time) and a JSON-lines log; see
//! `trm_train::trainer::files`. Ctrl-C or SIGTERM finishes the current step, writes a checkpoint and
//! exits with status 0; a second Ctrl-C exits at once.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use trm_train::data::Domain as TrainDomain;
use trm_train::trainer::{self, DataConfig, DatasetRecipe, Event, Limits, Observer, Outcome, RunConfig, Trainer};

use crate::solve::Domain;

/// Shown under `trm train --help`: the presets, then how configs and run directories work.
fn long_help() -> String {
    let mut text = String::from(
        "Presets (--preset P; without one, the domain and --size pick sudoku4/6/9, maze11 resized to the side, \
         or arc-demo):\n",
    );
    for (name, what) in trainer::PRESETS {
        text.push_str(&format!("  {name:<9} {what}\n"));
    }
    text.push_str(CONFIG_HELP);
    text
}

const CONFIG_HELP: &str = "
A config file (--config, YAML or JSON) may be partial: its fields override the preset's. Sections:
name, domain, size, arch (official TrmConfig names: hidden_size, num_heads, L_layers, H_cycles,
L_cycles, mlp_t, pos_encodings, puzzle_emb_ndim, puzzle_emb_len, halt_max_steps, ...), train
(official names: global_batch_size, total_steps, lr, lr_warmup_steps, lr_min_ratio, beta1, beta2,
weight_decay, puzzle_emb_lr, puzzle_emb_weight_decay, ema, ema_rate, seed), data (source: generate
with seed, tiers, curriculum, augment; or source: dataset with path, seed, epochs_per_iter; or
source: arc with tasks (a list of subset/id lines, a directory of task files or a collection JSON),
num_aug, canvas, seed, epochs_per_iter: every task's demonstrations are trained on, in augmented
versions with their own puzzle embeddings, and its test pairs evaluated), eval (interval, count,
tiers, file, solutions, batch_size; augment for source: arc), checkpoint_interval, log_interval,
threads. --print-config shows the resolved config. Paths in data (path, tasks) are relative to the
current directory: run the arc-demo preset from the repository root.

The run directory (--out, default runs/<name>) holds run.json, trainer.safetensors (the resumable
state), model.safetensors + model.json (EMA weights and card, for trm solve) and log.jsonl.
Ctrl-C / SIGTERM: finish the step, checkpoint, exit 0. Continue with --resume DIR (bit for bit at
the same thread count).
Threads: --threads N (or the config's threads) sets RAYON_NUM_THREADS for candle. With N > 1 every
step is cut into N data-parallel parts of the batch, one per thread, whose gradients are summed: the
same step up to float32 summation order; on two cores 1.7-2.1x the throughput of one thread (see
the README). On a machine whose cores are busy with other work, one thread is often fastest.";

/// Options of `trm train`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = long_help())]
pub struct TrainArgs {
    /// The puzzle domain (not needed with --resume).
    #[arg(required_unless_present = "resume")]
    pub domain: Option<Domain>,
    /// Sudoku side (4, 6, 9) or maze side (5..=30).
    #[arg(long)]
    pub size: Option<usize>,
    /// A built-in preset: sudoku4, sudoku6, sudoku9, maze11, arc-demo (see below).
    #[arg(long)]
    pub preset: Option<String>,
    /// A run config (YAML or JSON), laid over the preset.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Train from a dataset (official layout directory or compact file) instead of generating.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Continue the run in this directory from its last checkpoint.
    #[arg(long, conflicts_with_all = ["domain", "size", "preset", "config", "data", "out"])]
    pub resume: Option<PathBuf>,
    /// The run directory (default: runs/<name>, made unique).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Total optimizer steps of the run (overrides train.total_steps; with --resume, extends the run).
    #[arg(long)]
    pub steps: Option<usize>,
    /// Compute threads (candle/rayon); default: the config's `threads`, else every core.
    #[arg(long)]
    pub threads: Option<usize>,
    /// End this session (with a checkpoint) once this step is done; continue later with --resume.
    #[arg(long)]
    pub stop_at: Option<usize>,
    /// End this session (with a checkpoint) after this many minutes.
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// Print the resolved run config as JSON and exit.
    #[arg(long)]
    pub print_config: bool,
}

/// Set by SIGINT/SIGTERM; a second signal exits at once.
static STOP: AtomicBool = AtomicBool::new(false);

#[cfg(unix)]
extern "C" fn on_signal(_: libc::c_int) {
    if STOP.swap(true, Ordering::SeqCst) {
        // SAFETY: `_exit` is async-signal-safe.
        unsafe { libc::_exit(130) };
    }
}

fn install_signal_handlers() {
    #[cfg(unix)]
    // SAFETY: the handler only touches an atomic and calls `_exit`, both async-signal-safe.
    unsafe {
        let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

fn train_domain(d: Domain) -> TrainDomain {
    match d {
        Domain::Sudoku => TrainDomain::Sudoku,
        Domain::Maze => TrainDomain::Maze,
        Domain::Arc => TrainDomain::Arc,
    }
}

/// The run config from preset, config file and flags.
fn resolve_config(args: &TrainArgs) -> Result<RunConfig> {
    let domain = train_domain(args.domain.context("give a domain: sudoku, maze or arc")?);
    let mut config = match &args.preset {
        Some(name) => trainer::preset(name)?,
        None => trainer::default_for(domain, args.size)?,
    };
    if config.domain != domain {
        bail!("preset {} is for {}, not {domain}", config.name, config.domain);
    }
    if let Some(size) = args.size
        && size != config.size
    {
        if args.preset.is_some() {
            bail!("preset {} is for size {}; leave out --size or the preset", config.name, config.size);
        }
        config.size = size;
        // ARC task sources build their canvas at the given side.
        if let DataConfig::Arc(recipe) = &mut config.data {
            recipe.canvas = size;
        }
    }
    if let Some(path) = &args.config {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        config = RunConfig::overlay(&config, &text).with_context(|| format!("config {}", path.display()))?;
    }
    if let Some(path) = &args.data {
        match &mut config.data {
            DataConfig::Dataset(recipe) => recipe.path = path.clone(),
            data => *data = DataConfig::Dataset(DatasetRecipe { path: path.clone(), seed: 0, epochs_per_iter: 1 }),
        }
    }
    if let Some(steps) = args.steps {
        config.train.total_steps = steps;
    }
    if let Some(threads) = args.threads {
        config.threads = Some(threads);
    }
    config.validate()?;
    Ok(config)
}

/// `runs/<name>`, or `runs/<name>-2`, `-3`, … if taken.
fn default_out(name: &str) -> PathBuf {
    let base = Path::new("runs").join(name);
    (1..)
        .map(|k| if k == 1 { base.clone() } else { PathBuf::from(format!("{}-{k}", base.display())) })
        .find(|p| !p.exists())
        .unwrap_or(base)
}

/// Sets the compute threads before candle starts any.
fn set_threads(threads: Option<usize>) {
    if let Some(n) = threads {
        // SAFETY: called before any other thread of this process exists (candle and rayon start their
        // pools lazily, on the first tensor operation, which comes later).
        unsafe {
            std::env::set_var("RAYON_NUM_THREADS", n.to_string());
            std::env::set_var("CANDLE_NUM_THREADS", n.to_string());
        }
    }
}

fn percent(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// Progress bar and log lines on stderr.
struct Console {
    bar: ProgressBar,
}

impl Console {
    fn new(step: usize, total: usize) -> Self {
        let bar = ProgressBar::new(total as u64);
        if let Ok(style) = ProgressStyle::with_template("{prefix} [{bar:25}] {pos}/{len} {msg} (eta {eta})") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix("train");
        bar.set_position(step as u64);
        bar.reset_eta();
        Self { bar }
    }

    fn say(&self, line: &str) {
        self.bar.suspend(|| eprintln!("{line}"));
    }
}

impl Observer for Console {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Step(log) => {
                self.bar.set_position(log.step as u64);
                self.bar.set_message(format!(
                    "loss {:.3} acc {} exact {} q_halt {} {:.0} ex-steps/s",
                    log.loss,
                    percent(log.accuracy),
                    percent(log.exact_accuracy),
                    percent(log.q_halt_accuracy),
                    log.example_steps_per_s
                ));
            }
            Event::Log(log) => {
                // Accuracies are over the examples that halted in the window; early on none may have.
                let halted = if log.halted > 0.0 {
                    format!(
                        "acc {}  exact {}  q_halt acc {}  steps {:.2}",
                        percent(log.accuracy),
                        percent(log.exact_accuracy),
                        percent(log.q_halt_accuracy),
                        log.steps
                    )
                } else {
                    "(no example halted yet)".to_string()
                };
                self.say(&format!(
                    "step {:>6}/{}  loss {:.4} (lm {:.4}, q_halt {:.4})  {halted}  lr {:.2e}  {:.1} ex-steps/s",
                    log.step, log.total_steps, log.loss, log.lm_loss, log.q_halt_loss, log.lr, log.example_steps_per_s
                ))
            }
            Event::Eval { step, result } => {
                let by_step: Vec<String> = result.by_step.iter().map(|e| format!("{:.0}", 100.0 * e)).collect();
                let (exact, pass_at_2) = match result.pass_at_2 {
                    Some(p) => ("pass@1", format!("  pass@2 {}", percent(p))),
                    None => ("exact", String::new()),
                };
                self.say(&format!(
                    "step {step:>6} eval (EMA): {exact} {}{pass_at_2}  cell {}  on {}  [{exact} % by step: {}]",
                    percent(result.exact),
                    percent(result.cell),
                    result.set,
                    by_step.join(" ")
                ));
            }
            Event::Checkpoint { .. } => {}
        }
    }
}

/// `trm train`.
pub fn run(args: &TrainArgs) -> Result<()> {
    // Recorded in the model card: named `trm` whatever the binary file is called (a copy kept
    // outside the build folder, so rebuilding does not disturb a running training), so the command
    // reads the same for every reader.
    let command = std::iter::once("trm".to_string()).chain(std::env::args().skip(1)).collect::<Vec<_>>().join(" ");
    let mut trainer = match &args.resume {
        Some(dir) => {
            let text = std::fs::read_to_string(dir.join(trainer::files::CONFIG_FILE))
                .with_context(|| format!("{} holds no run to resume", dir.display()))?;
            let saved = RunConfig::from_text(&text).with_context(|| format!("{}", dir.display()))?;
            set_threads(args.threads.or(saved.threads));
            Trainer::resume(dir, args.steps, &command).with_context(|| format!("cannot resume {}", dir.display()))?
        }
        None => {
            let config = resolve_config(args)?;
            if args.print_config {
                println!("{}", config.to_json());
                return Ok(());
            }
            set_threads(config.threads);
            let out = args.out.clone().unwrap_or_else(|| default_out(&config.name));
            Trainer::create(config, &out, &command)?
        }
    };
    install_signal_handlers();
    trm_train::alloc::retain_freed_memory();
    let c = trainer.config().clone();
    let dir = trainer.dir().to_path_buf();
    eprintln!(
        "{} {} in {}: {}; model {} dense parameters (hidden {}, {} layers, H={} L={}, {}), batch {}, {} threads{}",
        if args.resume.is_some() { "resuming" } else { "training" },
        c.name,
        dir.display(),
        trainer.source_description(),
        c.arch.dense_parameter_count(),
        c.arch.hidden_size,
        c.arch.l_layers,
        c.arch.h_cycles,
        c.arch.l_cycles,
        if c.arch.mlp_t { "mlp_t" } else { "attention" },
        c.train.global_batch_size,
        candle_core::utils::get_num_threads(),
        match trainer.state().data_shards() {
            1 => String::new(),
            n => format!(" ({n} data-parallel parts)"),
        },
    );
    if let Some(set) = trainer.eval_description() {
        eprintln!("evaluating every {} steps on {set}", c.eval.interval);
    }
    let limits = Limits {
        until_step: args.stop_at,
        time_limit: args.time_limit.map(|m| Duration::from_secs_f64((m * 60.0).max(0.0))),
    };
    if let Some(m) = args.time_limit
        && !(m.is_finite() && m >= 0.0)
    {
        bail!("--time-limit must be a number of minutes ≥ 0");
    }
    let mut console = Console::new(trainer.step_count(), c.train.total_steps);
    let outcome = trainer.run(&mut console, &STOP, limits);
    console.bar.finish_and_clear();
    let outcome = outcome?;
    let step = trainer.step_count();
    let model = dir.join(trainer::files::MODEL_FILE);
    match outcome {
        Outcome::Finished => eprintln!("finished {step} steps; model: {}", model.display()),
        Outcome::Stopped => eprintln!(
            "stopped at step {step}: checkpoint written to {}; continue with: trm train --resume {}",
            dir.display(),
            dir.display()
        ),
        Outcome::Paused => eprintln!(
            "paused at step {step}: checkpoint written to {}; continue with: trm train --resume {}",
            dir.display(),
            dir.display()
        ),
    }
    Ok(())
}
