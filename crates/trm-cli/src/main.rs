//! `trm`: the command-line face of TRM Playground.
//!
//! Thin by design: it parses arguments, reads files, and calls `trm-core`, `trm-puzzles` and
//! `trm-train`. Grammar: `trm <verb> [options] <domain> [input]` (see the README).

mod arc_show;
mod checkpoint_files;
mod convert;
mod dataset;
mod eval;
mod export;
mod generate;
mod progress;
mod solve;
mod train;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

/// Tiny Recursive Models on your own machine: solve, evaluate, train and convert.
#[derive(Debug, Parser)]
#[command(name = "trm", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show a checkpoint: resolved config, parameter count, tensors and dtypes.
    Info {
        /// A `.safetensors` file or an official PyTorch checkpoint (`.pt`, `step_N`).
        checkpoint: PathBuf,
        /// Model card JSON or official all_config.yaml (default: `<name>.json` or `all_config.yaml` beside it).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Puzzle tokens per example, when no config gives it (81 for 9×9 Sudoku, 900 for 30×30).
        #[arg(long)]
        seq_len: Option<usize>,
    },
    /// Rewrite a checkpoint (safetensors or official PyTorch) as safetensors plus a model card,
    /// optionally keeping only some puzzle-embedding rows (by row or by ARC task name).
    Convert(convert::ConvertArgs),
    /// Compare this implementation with a fixture folder recorded from the official code.
    ///
    /// The folder holds `io.safetensors`, `all_config.yaml` and `weights.safetensors` and/or
    /// `checkpoint.pt`; every weights file present is checked. Prints the max abs error per quantity
    /// and ends with `PASS` or `FAIL <quantity>` (exit status 0 or 1).
    Parity {
        /// The fixture folder.
        dir: PathBuf,
    },
    /// Solve puzzles with a model, showing the answer after every supervision step.
    ///
    /// With one puzzle, prints the grid after each step (changed cells highlighted) with the halting
    /// head's q_halt, then the answer. With `--file`, prints each answer.
    Solve(solve::SolveArgs),
    /// Evaluate a model on a puzzle set with answers: exact, cell and halting-head accuracy after every
    /// supervision step (ARC: pass@1/pass@2 with the official voting). Ends with one JSON line.
    Eval(eval::EvalArgs),
    /// Write a checkpoint or a run's model in the official layout: safetensors with the official keys,
    /// or the `torch.save` zip the official trainer writes.
    Export(export::ExportArgs),
    /// Check answers against puzzles by the rules: a verdict per puzzle, then `N passed, M failed`
    /// (exit status 1 if any failed).
    Verify(verify::VerifyArgs),
    /// Generate puzzles of a difficulty tier, reproducibly from a seed; solutions with `--solutions`.
    ///
    /// Sudoku prints one puzzle per line, mazes print blocks separated by a blank line; `--json`
    /// prints one object per puzzle with its solution and measured metrics.
    Gen(generate::GenArgs),
    /// Train a model on puzzles generated on the fly or on a dataset; resumable (--resume DIR).
    ///
    /// Writes a run directory with a resumable checkpoint, the exported model (model.safetensors +
    /// model.json, for `trm solve --model`) and a log. Ctrl-C stops cleanly with a checkpoint.
    Train(train::TrainArgs),
    /// Build the ARC training data of `trm train`'s `data.source: arc` and write it in the official
    /// layout (for the official PyTorch trainer) or as a compact .trmds file.
    ///
    /// Every task is a test task: its demonstrations, in the original and --aug augmented versions,
    /// make the train split, its test pairs the test split; identifiers.json names every version.
    Dataset(dataset::DatasetArgs),
    /// ARC task files.
    Arc {
        #[command(subcommand)]
        command: ArcCommand,
    },
    /// Check that the numeric stack works here: multiply two pattern matrices with candle.
    Selfcheck {
        /// Side of the square matrices.
        #[arg(long, default_value_t = 256)]
        side: usize,
    },
}

#[derive(Debug, Subcommand)]
enum ArcCommand {
    /// Draw a task's train and test pairs in colour (digits with `--color never`).
    Show(arc_show::ShowArgs),
}

fn main() -> ExitCode {
    restore_default_sigpipe();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Info { checkpoint, config, seq_len } => {
            checkpoint_files::info(&checkpoint, config.as_deref(), seq_len).map(|_| true)
        }
        Command::Convert(args) => convert::run(&args).map(|_| true),
        Command::Solve(args) => solve::run(&args).map(|_| true),
        Command::Verify(args) => verify::run(&args),
        Command::Eval(args) => eval::run(&args).map(|_| true),
        Command::Export(args) => export::run(&args).map(|_| true),
        Command::Parity { dir } => checkpoint_files::parity(&dir),
        Command::Gen(args) => generate::run(&args).map(|_| true),
        Command::Train(args) => train::run(&args).map(|_| true),
        Command::Dataset(args) => dataset::run(&args).map(|_| true),
        Command::Arc { command: ArcCommand::Show(args) } => arc_show::run(&args).map(|_| true),
        Command::Selfcheck { side } => selfcheck(side).map(|_| true),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn selfcheck(side: usize) -> Result<()> {
    let probe = trm_core::selfcheck::matmul_probe(side).context("selfcheck failed")?;
    println!("candle matmul {0}x{0}: sum {1:.6}, trace {2:.6}", probe.side, probe.sum, probe.trace);
    Ok(())
}

/// Rust ignores SIGPIPE, so `trm info … | head` would panic on a closed pipe; behave like other
/// command-line tools and end quietly instead.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called once at start-up, before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
