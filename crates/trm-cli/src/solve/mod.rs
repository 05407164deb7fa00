//! `trm solve`: run a model on puzzles and show its reasoning step by step.
//!
//! The domains share model loading and the batched recursion ([`run_rows`]); each domain module
//! reads its puzzles, encodes them and prints answers in its own layout.

pub(crate) mod arc;
mod maze;
mod sudoku;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use candle_core::{DType, Device, Tensor};
use trm_core::checkpoint::PartialArch;
use trm_core::{Snapshot, Stepper, Trm};

use crate::checkpoint_files::config_hint;

/// Puzzle domains of `trm solve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Domain {
    Sudoku,
    Maze,
    Arc,
}

/// Options of `trm solve`.
#[derive(Debug, clap::Args)]
pub struct SolveArgs {
    /// Model weights: `.safetensors` or an official PyTorch checkpoint.
    #[arg(long)]
    pub model: PathBuf,
    /// Model card JSON or official all_config.yaml (default: `<model>.json` or `all_config.yaml` beside it).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Supervision steps (default: the model's `halt_max_steps`, as the official evaluation runs).
    #[arg(long)]
    pub steps: Option<usize>,
    /// Stop as soon as the halting head says every puzzle is done (q_halt > 0).
    #[arg(long)]
    pub stop_on_halt: bool,
    /// Read puzzles from a file: Sudoku one per line, mazes as blank-line-separated blocks, ARC a
    /// task or collection JSON, a directory of task files or a list file of `subset/id` lines.
    #[arg(long, conflicts_with = "puzzle")]
    pub file: Option<PathBuf>,
    /// Print answers only, in the input's layout and order.
    #[arg(long, conflicts_with = "json")]
    pub quiet: bool,
    /// Print one JSON object per puzzle (Sudoku, maze).
    #[arg(long)]
    pub json: bool,
    /// ARC: the official identifiers.json (row → task name); default: `identifiers.json` beside the
    /// model, else the model card's `identifiers`.
    #[arg(long)]
    pub identifiers: Option<PathBuf>,
    /// ARC: also run this many augmented versions of each task and vote over the de-augmented
    /// answers (versions the model was trained on first, from its identifiers).
    #[arg(long, default_value_t = 0)]
    pub augment: usize,
    /// ARC: seed for augmentations drawn when the identifiers list too few.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The puzzle domain.
    pub domain: Domain,
    /// One puzzle: a Sudoku line, or a maze with rows separated by newlines (ARC: use --file).
    pub puzzle: Option<String>,
}

/// The puzzle text: the argument, or the file's contents with the file's path for messages.
fn input_text(args: &SolveArgs) -> Result<(String, Option<&Path>)> {
    match (&args.puzzle, &args.file) {
        (Some(p), _) => Ok((p.clone(), None)),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            Ok((text, Some(path.as_path())))
        }
        (None, None) => bail!("give a puzzle or --file PATH"),
    }
}

/// Loads a model, filling what its config lacks with the domain's official defaults. `seq_len` is
/// the puzzles' length: used when no config gives one and, when `exact`, required of the model.
fn load(args: &SolveArgs, seq_len: usize, exact: bool, vocab_size: usize, defaults: PartialArch) -> Result<Trm> {
    load_model_file(&args.model, args.config.as_deref(), seq_len, exact, vocab_size, defaults)
}

/// [`load`] for a model file and an optional config file.
pub(crate) fn load_model_file(
    model: &Path,
    config: Option<&Path>,
    seq_len: usize,
    exact: bool,
    vocab_size: usize,
    defaults: PartialArch,
) -> Result<Trm> {
    let bytes = std::fs::read(model).with_context(|| format!("cannot read {}", model.display()))?;
    let mut hint = config_hint(model, config)?;
    hint.seq_len = Some(seq_len);
    hint.defaults = defaults;
    let trm = trm_core::load_model(&bytes, &hint).with_context(|| format!("cannot load {}", model.display()))?;
    let c = trm.config();
    if (exact && c.seq_len != seq_len) || c.vocab_size != vocab_size {
        bail!(
            "{} is a model for {} cells and {} tokens; these puzzles need {seq_len} cells and {vocab_size} tokens",
            model.display(),
            c.seq_len,
            c.vocab_size,
        );
    }
    Ok(trm)
}

/// The official recipe's cycles for checkpoints that come without a config.
pub(crate) fn official_defaults(h_cycles: usize, l_cycles: usize) -> PartialArch {
    PartialArch { h_cycles: Some(h_cycles), l_cycles: Some(l_cycles), halt_max_steps: Some(16), ..Default::default() }
}

/// Answers of one batch after its last step.
struct BatchAnswers {
    /// Predicted tokens per row.
    tokens: Vec<Vec<u32>>,
    /// Final halting logit per row.
    q_halt: Vec<f32>,
    /// Supervision steps run.
    steps: usize,
}

/// Runs the recursion on token rows with their puzzle-embedding rows, calling `on_step` after
/// every supervision step, and returns the final answers.
fn run_rows(
    model: &Trm,
    rows: &[Vec<u32>],
    ids: &[u32],
    args: &SolveArgs,
    mut on_step: impl FnMut(usize, usize, &Snapshot),
) -> Result<BatchAnswers> {
    let steps = args.steps.unwrap_or(model.config().halt_max_steps);
    let width = model.config().seq_len;
    let tokens = Tensor::from_vec(rows.concat(), (rows.len(), width), &Device::Cpu)?;
    let ids = Tensor::from_vec(ids.to_vec(), rows.len(), &Device::Cpu)?.to_dtype(DType::U32)?;
    let mut stepper = Stepper::new(model, &tokens, &ids)?;
    let mut snapshot = stepper.snapshot()?;
    let mut done = 0;
    for step in 1..=steps {
        stepper.supervision_step()?;
        snapshot = stepper.snapshot()?;
        done = step;
        on_step(step, steps, &snapshot);
        if args.stop_on_halt && snapshot.q_halt.iter().all(|&q| q > 0.0) {
            break;
        }
    }
    Ok(BatchAnswers { tokens: snapshot.answer.tokens, q_halt: snapshot.q_halt, steps: done })
}

/// Rows per batch: big batches for short sequences, small ones for 900-cell canvases.
fn batch_size(seq_len: usize) -> usize {
    trm_train::eval::default_batch_size(seq_len)
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// A changed cell: bold yellow on a terminal, `*` in its marker column otherwise.
fn mark(text: &str, changed: bool, colour: bool) -> String {
    match (changed, colour) {
        (true, true) => format!(" \x1b[1;33m{text}\x1b[0m"),
        (true, false) => format!("*{text}"),
        (false, _) => format!(" {text}"),
    }
}

/// `trm solve`.
pub fn run(args: &SolveArgs) -> Result<()> {
    match args.domain {
        Domain::Sudoku => sudoku::run(args),
        Domain::Maze => maze::run(args),
        Domain::Arc => arc::run(args),
    }
}
