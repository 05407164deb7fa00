//! `trm verify`: check answers against puzzles by the rules, one verdict per puzzle, then
//! `N passed, M failed`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use trm_puzzles::Sudoku;
use trm_puzzles::sudoku::Unit;

/// Puzzle domains `trm verify` handles so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Domain {
    Sudoku,
}

/// Options of `trm verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The puzzle domain.
    pub domain: Domain,
    /// Puzzles, one per line (`#` comments and blank lines skipped).
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

/// `trm verify`; returns whether every answer passed.
pub fn run(args: &VerifyArgs) -> Result<bool> {
    let Domain::Sudoku = args.domain;
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
        match verdict {
            None => {
                passed += 1;
                println!("{}: ok", k + 1);
            }
            Some(reason) => {
                failed += 1;
                println!("{}: FAIL: {reason}", k + 1);
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(failed == 0)
}
