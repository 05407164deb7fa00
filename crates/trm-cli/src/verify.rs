//! `trm verify`: check answers against puzzles by the rules, one verdict per puzzle, then
//! `N passed, M failed`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use trm_puzzles::sudoku::Unit;
use trm_puzzles::{Maze, Sudoku, maze};

/// Puzzle domains `trm verify` handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Domain {
    Sudoku,
    Maze,
}

/// Options of `trm verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The puzzle domain.
    pub domain: Domain,
    /// Puzzles: Sudoku one per line (`#` comments and blank lines skipped); mazes as blocks
    /// separated by one blank line.
    pub puzzles: PathBuf,
    /// Answers in the same order.
    pub answers: PathBuf,
}

/// Non-comment lines of a file with their 1-based line numbers.
fn lines(path: &Path) -> Result<Vec<(usize, String)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(text
        .lines()
        .enumerate()
        .map(|(n, l)| (n + 1, l.split('#').next().unwrap_or("").trim().to_string()))
        .filter(|(_, l)| !l.is_empty())
        .collect())
}

/// Why `answer` does not solve `puzzle`, or `None` if it does.
pub fn sudoku_verdict(puzzle: &Sudoku, answer: &Sudoku) -> Option<String> {
    if puzzle.side() != answer.side() {
        return Some(format!("a {0}×{0} answer to a {1}×{1} puzzle", answer.side(), puzzle.side()));
    }
    let n = puzzle.side();
    if let Some(k) = (0..n * n).find(|&k| puzzle.cells()[k] != 0 && puzzle.cells()[k] != answer.cells()[k]) {
        return Some(format!("given {} at row {}, column {} was changed", puzzle.cells()[k], k / n + 1, k % n + 1));
    }
    if let Some(k) = answer.cells().iter().position(|&v| v == 0) {
        return Some(format!("row {}, column {} is empty", k / n + 1, k % n + 1));
    }
    answer.conflicts().first().map(|c| {
        let unit = match c.unit {
            Unit::Row(r) => format!("row {}", r + 1),
            Unit::Column(col) => format!("column {}", col + 1),
            Unit::Box(b) => format!("box {}", b + 1),
        };
        format!(
            "{} appears twice in {unit} (row {}, column {} and row {}, column {})",
            c.digit,
            c.first.0 + 1,
            c.first.1 + 1,
            c.second.0 + 1,
            c.second.1 + 1
        )
    })
}

/// Prints one verdict line and counts it.
fn report(number: usize, verdict: Option<String>, passed: &mut usize, failed: &mut usize) {
    match verdict {
        None => {
            *passed += 1;
            println!("{number}: ok");
        }
        Some(reason) => {
            *failed += 1;
            println!("{number}: FAIL: {reason}");
        }
    }
}

/// `trm verify`; returns whether every answer passed.
pub fn run(args: &VerifyArgs) -> Result<bool> {
    match args.domain {
        Domain::Sudoku => run_sudoku(args),
        Domain::Maze => run_maze(args),
    }
}

/// Maze blocks of a file with the line each starts on.
fn maze_blocks(path: &Path) -> Result<Vec<(usize, String)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Maze::blocks(&text))
}

fn run_maze(args: &VerifyArgs) -> Result<bool> {
    let puzzles = maze_blocks(&args.puzzles)?;
    let answers = maze_blocks(&args.answers)?;
    if puzzles.len() != answers.len() {
        bail!("{} mazes but {} answers", puzzles.len(), answers.len());
    }
    let (mut passed, mut failed) = (0, 0);
    for (k, ((pl, p), (al, a))) in puzzles.iter().zip(&answers).enumerate() {
        let puzzle = Maze::parse(p).with_context(|| format!("{}:{pl}: maze {}", args.puzzles.display(), k + 1))?;
        // A malformed answer is a failed answer, not a reason to stop checking the others.
        let verdict = match Maze::parse(a) {
            Ok(answer) => maze::verify_answer(&puzzle, &answer).err().map(|e| e.to_string()),
            Err(e) => Some(format!("{}:{al}: {e}", args.answers.display())),
        };
        report(k + 1, verdict, &mut passed, &mut failed);
    }
    println!("{passed} passed, {failed} failed");
    Ok(failed == 0)
}

fn run_sudoku(args: &VerifyArgs) -> Result<bool> {
    let puzzles = lines(&args.puzzles)?;
    let answers = lines(&args.answers)?;
    if puzzles.len() != answers.len() {
        bail!("{} puzzles but {} answers", puzzles.len(), answers.len());
    }
    let (mut passed, mut failed) = (0, 0);
    for (k, ((pl, p), (al, a))) in puzzles.iter().zip(&answers).enumerate() {
        let puzzle = Sudoku::parse(p).with_context(|| format!("{}:{pl}", args.puzzles.display()))?;
        let verdict = match Sudoku::parse(a) {
            Ok(answer) => sudoku_verdict(&puzzle, &answer),
            Err(e) => Some(format!("{}:{al}: {e}", args.answers.display())),
        };
        report(k + 1, verdict, &mut passed, &mut failed);
    }
    println!("{passed} passed, {failed} failed");
    Ok(failed == 0)
}
