//! `trm solve`: run a model on puzzles and show its reasoning step by step.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use candle_core::{Device, Tensor};
use trm_core::Stepper;
use trm_core::checkpoint::PartialArch;
use trm_puzzles::Sudoku;

use crate::checkpoint_files::config_hint;

/// Puzzles per batch when solving a file.
const BATCH: usize = 64;

/// Puzzle domains `trm solve` handles so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Domain {
    Sudoku,
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
    /// Read puzzles from a file, one per line (`#` comments and blank lines skipped).
    #[arg(long, conflicts_with = "puzzle")]
    pub file: Option<PathBuf>,
    /// Print answers only, one per line, in the input's order.
    #[arg(long, conflicts_with = "json")]
    pub quiet: bool,
    /// Print one JSON object per puzzle.
    #[arg(long)]
    pub json: bool,
    /// The puzzle domain.
    pub domain: Domain,
    /// One puzzle (Sudoku: 16, 36 or 81 cells, `.` or `0` for blanks).
    pub puzzle: Option<String>,
}

fn read_puzzles(args: &SolveArgs) -> Result<Vec<Sudoku>> {
    let (text, origin) = match (&args.puzzle, &args.file) {
        (Some(p), _) => (p.clone(), None),
        (None, Some(path)) => {
            (std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?, Some(path))
        }
        (None, None) => bail!("give a puzzle or --file PATH"),
    };
    let mut puzzles = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let content = line.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let puzzle = Sudoku::parse(content).map_err(|e| match origin {
            Some(path) => anyhow::anyhow!("{}:{}: {e}", path.display(), n + 1),
            None => anyhow::anyhow!("invalid Sudoku: {e}"),
        })?;
        if let Some(first) = puzzles.first().map(Sudoku::side).filter(|&s| s != puzzle.side()) {
            bail!("line {}: a {0}×{0} puzzle among {first}×{first} ones; solve one size per run", n + 1);
        }
        puzzles.push(puzzle);
    }
    if puzzles.is_empty() {
        bail!("no puzzle found");
    }
    Ok(puzzles)
}

fn load(model: &Path, config: Option<&Path>, side: usize) -> Result<trm_core::Trm> {
    let bytes = std::fs::read(model).with_context(|| format!("cannot read {}", model.display()))?;
    let mut hint = config_hint(model, config)?;
    hint.seq_len = Some(side * side);
    // The official Sudoku recipe, for checkpoints that come without a config.
    hint.defaults =
        PartialArch { h_cycles: Some(3), l_cycles: Some(6), halt_max_steps: Some(16), ..Default::default() };
    let trm = trm_core::load_model(&bytes, &hint).with_context(|| format!("cannot load {}", model.display()))?;
    let c = trm.config();
    if c.seq_len != side * side || c.vocab_size != Sudoku::vocab_size(side) {
        bail!(
            "{} is a model for {} cells and {} tokens; a {side}×{side} Sudoku needs {} cells and {} tokens",
            model.display(),
            c.seq_len,
            c.vocab_size,
            side * side,
            Sudoku::vocab_size(side)
        );
    }
    Ok(trm)
}

/// `trm solve`.
pub fn run(args: &SolveArgs) -> Result<()> {
    let Domain::Sudoku = args.domain;
    let puzzles = read_puzzles(args)?;
    let side = puzzles[0].side();
    let model = load(&args.model, args.config.as_deref(), side)?;
    let steps = args.steps.unwrap_or(model.config().halt_max_steps);
    let verbose = puzzles.len() == 1 && !args.quiet && !args.json;
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();

    for (batch_index, batch) in puzzles.chunks(BATCH).enumerate() {
        let tokens: Vec<u32> = batch.iter().flat_map(Sudoku::to_tokens).collect();
        let tokens = Tensor::from_vec(tokens, (batch.len(), side * side), &Device::Cpu)?;
        let ids = Tensor::zeros(batch.len(), candle_core::DType::U32, &Device::Cpu)?;
        let mut stepper = Stepper::new(&model, &tokens, &ids)?;
        let mut snapshot = stepper.snapshot()?;
        let mut done = 0;
        for step in 1..=steps {
            stepper.supervision_step()?;
            snapshot = stepper.snapshot()?;
            done = step;
            if verbose {
                let grid = Sudoku::from_predicted_tokens(side, &snapshot.answer.tokens[0])?;
                let changed = &snapshot.changed[0];
                let q = snapshot.q_halt[0];
                println!(
                    "step {step}/{steps}  q_halt {q:+.3} (halt probability {:.2})  changed {} cells",
                    sigmoid(q),
                    changed.iter().filter(|&&c| c).count()
                );
                println!("{}", grid.boxed_with(|k, text| mark(text, changed[k], colour)));
            }
            if args.stop_on_halt && snapshot.q_halt.iter().all(|&q| q > 0.0) {
                break;
            }
        }
        for (k, puzzle) in batch.iter().enumerate() {
            let answer = Sudoku::from_predicted_tokens(side, &snapshot.answer.tokens[k])?;
            let q = snapshot.q_halt[k];
            if args.quiet {
                println!("{answer}");
            } else if args.json {
                let line = serde_json::json!({
                    "puzzle": puzzle.to_string(),
                    "answer": answer.to_string(),
                    "steps": done,
                    "q_halt": q,
                    "halt_probability": sigmoid(q),
                });
                println!("{line}");
            } else {
                let number = batch_index * BATCH + k + 1;
                println!(
                    "answer{}  (q_halt {q:+.3}, {done} steps)",
                    if verbose { String::new() } else { format!(" {number}") }
                );
                println!("{}", answer.boxed());
            }
        }
    }
    Ok(())
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
