//! `trm gen`: seeded, reproducible puzzles of a chosen tier, with their solutions.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use trm_puzzles::maze::{self, MazeTier};
use trm_puzzles::sudoku::{self, Split, Tier};

use crate::progress::Progress;

/// Domains `trm gen` can generate (ARC tasks are curated, not generated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Domain {
    Sudoku,
    Maze,
}

/// Which solution grids a Sudoku may use (see `trm_puzzles::sudoku::Split`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SplitArg {
    /// Only grids reserved for training.
    Train,
    /// Only grids held out for evaluation.
    HeldOut,
}

/// Options of `trm gen`.
#[derive(Debug, clap::Args)]
pub struct GenArgs {
    /// The puzzle domain.
    pub domain: Domain,
    /// How many distinct puzzles to write.
    #[arg(long, default_value_t = 1)]
    pub count: usize,
    /// Difficulty: easy, medium, hard, or extreme (Sudoku only). Thresholds: see the README.
    #[arg(long, default_value = "hard")]
    pub tier: String,
    /// Sudoku side (4, 6 or 9) or maze side (5–30).
    #[arg(long)]
    pub size: Option<usize>,
    /// Random seed: the same seed and options give the same puzzles on every machine.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Write the solutions here, in the same order (Sudoku: one line each; mazes: blocks).
    #[arg(long)]
    pub solutions: Option<PathBuf>,
    /// Sudoku only: draw solution grids from one side of the train / held-out split.
    #[arg(long, value_enum)]
    pub split: Option<SplitArg>,
    /// One JSON object per puzzle (with its solution and measured metrics) instead of plain text.
    #[arg(long)]
    pub json: bool,
}

/// Gives up when this many candidates in a row were duplicates of earlier puzzles.
const MAX_DUPLICATE_RUN: usize = 100_000;

/// One generated puzzle, ready to print.
struct Item {
    puzzle: String,
    solution: String,
    json: serde_json::Value,
}

/// `trm gen`.
pub fn run(args: &GenArgs) -> Result<()> {
    let mut next: Box<dyn FnMut() -> Item> = match args.domain {
        Domain::Sudoku => sudoku_source(args)?,
        Domain::Maze => maze_source(args)?,
    };
    let mut solutions = match &args.solutions {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => None,
    };
    let separator = if args.domain == Domain::Maze { "\n" } else { "" };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let progress = Progress::new(args.count as u64, "generating");
    let mut seen = HashSet::new();
    let mut duplicate_run = 0;
    while seen.len() < args.count {
        let item = next();
        if !seen.insert(item.puzzle.clone()) {
            duplicate_run += 1;
            if duplicate_run >= MAX_DUPLICATE_RUN {
                bail!("only {} distinct puzzles found for these options; ask for fewer", seen.len());
            }
            continue;
        }
        duplicate_run = 0;
        let first = seen.len() == 1;
        if args.json {
            writeln!(out, "{}", item.json)?;
        } else {
            if !first {
                write!(out, "{separator}")?;
            }
            writeln!(out, "{}", item.puzzle)?;
        }
        if let Some(file) = solutions.as_mut() {
            if !first {
                write!(file, "{separator}")?;
            }
            writeln!(file, "{}", item.solution)?;
        }
        progress.inc();
    }
    progress.finish();
    out.flush()?;
    if let Some(mut file) = solutions {
        file.flush()?;
    }
    Ok(())
}

fn sudoku_source(args: &GenArgs) -> Result<Box<dyn FnMut() -> Item>> {
    let tier: Tier = args.tier.parse()?;
    let side = args.size.unwrap_or(9);
    let mut generator = sudoku::Generator::new(side, args.seed)?;
    if let Some(split) = args.split {
        generator = generator.with_split(match split {
            SplitArg::Train => Split::Train,
            SplitArg::HeldOut => Split::HeldOut,
        });
    }
    Ok(Box::new(move || {
        let g = generator.puzzle_in(tier);
        let json = serde_json::json!({
            "puzzle": g.puzzle.to_string(),
            "solution": g.solution.to_string(),
            "size": side,
            "tier": tier.name(),
            "clues": g.puzzle.givens(),
            "guesses": g.report.guesses,
            "nodes": g.report.nodes,
            "attempts": g.attempts,
        });
        Item { puzzle: g.puzzle.to_string(), solution: g.solution.to_string(), json }
    }))
}

fn maze_source(args: &GenArgs) -> Result<Box<dyn FnMut() -> Item>> {
    let tier: MazeTier = args.tier.parse().context("mazes have the tiers easy, medium and hard")?;
    if args.split.is_some() {
        bail!("--split applies to Sudoku (mazes are split by seed)");
    }
    let side = args.size.unwrap_or(30);
    let mut generator = maze::Generator::new(side, args.seed)?;
    Ok(Box::new(move || {
        let g = generator.next_maze(tier);
        let json = serde_json::json!({
            "puzzle": g.puzzle.to_string(),
            "solution": g.solution.to_string(),
            "side": side,
            "tier": tier.name(),
            "path_len": g.path_len,
            "attempts": g.attempts,
        });
        Item { puzzle: g.puzzle.to_string(), solution: g.solution.to_string(), json }
    }))
}
