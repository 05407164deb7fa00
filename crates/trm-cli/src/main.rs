//! `trm`: the command-line face of TRM Playground.
//!
//! Thin by design: it parses arguments and calls `trm-core`, `trm-puzzles` and `trm-train`.
//! Grammar: `trm <verb> [options] <domain> [input]` (see the README).

use anyhow::Result;
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
    /// Check that the numeric stack works here: multiply two pattern matrices with candle.
    Selfcheck {
        /// Side of the square matrices.
        #[arg(long, default_value_t = 256)]
        side: usize,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Selfcheck { side } => {
            let probe = trm_core::selfcheck::matmul_probe(side)?;
            println!("candle matmul {0}x{0}: sum {1:.6}, trace {2:.6}", probe.side, probe.sum, probe.trace);
        }
    }
    Ok(())
}
