//! `trm solve maze`: square mazes, blocks separated by a blank line.

use anyhow::{Result, bail};
use trm_puzzles::{Maze, maze};

use super::{SolveArgs, batch_size, input_text, load, official_defaults, run_rows, sigmoid};

fn read_mazes(args: &SolveArgs) -> Result<Vec<Maze>> {
    let (text, origin) = input_text(args)?;
    let mut mazes: Vec<Maze> = Vec::new();
    for (k, (line, block)) in Maze::blocks(&text).into_iter().enumerate() {
        let maze = Maze::parse(&block).map_err(|e| match origin {
            Some(path) => anyhow::anyhow!("{}:{line}: maze {}: {e}", path.display(), k + 1),
            None => anyhow::anyhow!("invalid maze: {e}"),
        })?;
        if let Some(first) = mazes.first().map(Maze::side).filter(|&s| s != maze.side()) {
            bail!("line {line}: a {0}×{0} maze among {first}×{first} ones; solve one size per run", maze.side());
        }
        mazes.push(maze.puzzle());
    }
    if mazes.is_empty() {
        bail!("no maze found");
    }
    Ok(mazes)
}

/// `trm solve maze`.
pub fn run(args: &SolveArgs) -> Result<()> {
    let mazes = read_mazes(args)?;
    let side = mazes[0].side();
    let model = load(args, side * side, true, Maze::vocab_size(), official_defaults(3, 4))?;
    let verbose = mazes.len() == 1 && !args.quiet && !args.json;
    let mut first = true;
    for batch in mazes.chunks(batch_size(side * side)) {
        let rows: Vec<Vec<u32>> = batch.iter().map(Maze::to_tokens).collect();
        let answers = run_rows(&model, &rows, &vec![0; rows.len()], args, |step, steps, snapshot| {
            if !verbose {
                return;
            }
            let Ok(predicted) = Maze::from_predicted_tokens(side, &snapshot.answer.tokens[0]) else { return };
            let changed = snapshot.changed[0].iter().filter(|&&c| c).count();
            let q = snapshot.q_halt[0];
            println!(
                "step {step}/{steps}  q_halt {q:+.3} (halt probability {:.2})  changed {changed} cells",
                sigmoid(q)
            );
            println!("{predicted}\n");
        })?;
        for (k, puzzle) in batch.iter().enumerate() {
            let answer = Maze::from_predicted_tokens(side, &answers.tokens[k])?;
            let verdict = maze::verify_answer(puzzle, &answer);
            let q = answers.q_halt[k];
            if args.json {
                let line = serde_json::json!({
                    "puzzle": puzzle.to_string(),
                    "answer": answer.to_string(),
                    "solved": verdict.is_ok(),
                    "verdict": verdict.as_ref().err().map(ToString::to_string),
                    "steps": answers.steps,
                    "q_halt": q,
                    "halt_probability": sigmoid(q),
                });
                println!("{line}");
                continue;
            }
            if !first {
                println!();
            }
            first = false;
            if !args.quiet {
                let check = match &verdict {
                    Ok(len) => format!("a shortest path of {len} cells"),
                    Err(e) => format!("not a solution: {e}"),
                };
                println!("answer (q_halt {q:+.3}, {} steps): {check}", answers.steps);
            }
            println!("{answer}");
        }
    }
    Ok(())
}
