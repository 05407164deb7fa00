//! `trm solve sudoku`: 4×4, 6×6 and 9×9 grids, one per line.

use std::io::IsTerminal;

use anyhow::{Result, anyhow, bail};
use trm_puzzles::Sudoku;

use super::{SolveArgs, batch_size, input_text, load, mark, official_defaults, run_rows, sigmoid};

fn read_puzzles(args: &SolveArgs) -> Result<Vec<Sudoku>> {
    let (text, origin) = input_text(args)?;
    let mut puzzles = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let content = line.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let puzzle = Sudoku::parse(content).map_err(|e| match origin {
            Some(path) => anyhow!("{}:{}: {e}", path.display(), n + 1),
            None => anyhow!("invalid Sudoku: {e}"),
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

/// `trm solve sudoku`.
pub fn run(args: &SolveArgs) -> Result<()> {
    let puzzles = read_puzzles(args)?;
    let side = puzzles[0].side();
    let model = load(args, side * side, true, Sudoku::vocab_size(side), official_defaults(3, 6))?;
    let verbose = puzzles.len() == 1 && !args.quiet && !args.json;
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let batch_len = batch_size(side * side);
    for (batch_index, batch) in puzzles.chunks(batch_len).enumerate() {
        let rows: Vec<Vec<u32>> = batch.iter().map(Sudoku::to_tokens).collect();
        let answers = run_rows(&model, &rows, &vec![0; rows.len()], args, |step, steps, snapshot| {
            if !verbose {
                return;
            }
            let Ok(grid) = Sudoku::from_predicted_tokens(side, &snapshot.answer.tokens[0]) else { return };
            let changed = &snapshot.changed[0];
            let q = snapshot.q_halt[0];
            println!(
                "step {step}/{steps}  q_halt {q:+.3} (halt probability {:.2})  changed {} cells",
                sigmoid(q),
                changed.iter().filter(|&&c| c).count()
            );
            println!("{}", grid.boxed_with(|k, text| mark(text, changed[k], colour)));
        })?;
        for (k, puzzle) in batch.iter().enumerate() {
            let answer = Sudoku::from_predicted_tokens(side, &answers.tokens[k])?;
            let q = answers.q_halt[k];
            let done = answers.steps;
            if args.quiet {
                println!("{answer}");
            } else if args.json {
                let line = serde_json::json!({
                    "puzzle": puzzle.to_string(),
                    "answer": answer.to_string(),
                    "solved": puzzle.is_solved_by(&answer),
                    "steps": done,
                    "q_halt": q,
                    "halt_probability": sigmoid(q),
                });
                println!("{line}");
            } else {
                let number = batch_index * batch_len + k + 1;
                println!(
                    "answer{}  (q_halt {q:+.3}, {done} steps{})",
                    if verbose { String::new() } else { format!(" {number}") },
                    if puzzle.is_solved_by(&answer) { ", solves the puzzle" } else { "" }
                );
                println!("{}", answer.boxed());
            }
        }
    }
    Ok(())
}
