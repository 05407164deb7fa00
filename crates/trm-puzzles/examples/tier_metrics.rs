//! Prints the distribution of solver metrics (clues, guesses, nodes) over generated puzzles of each side, to
//! choose difficulty-tier thresholds: `cargo run --release -p trm-puzzles --example tier_metrics`.

use trm_puzzles::sudoku::Generator;

fn percentile(mut values: Vec<u64>, p: f64) -> u64 {
    values.sort_unstable();
    values[((values.len() - 1) as f64 * p) as usize]
}

fn main() {
    let floors: [(usize, &[usize]); 3] = [(4, &[0, 6, 8]), (6, &[0, 12, 16]), (9, &[0, 26, 30, 36])];
    for (side, side_floors) in floors {
        for &floor in side_floors {
            let mut generator = Generator::new(side, 7).expect("a supported side");
            let rows: Vec<(usize, u64, u64)> = (0..2000)
                .map(|_| {
                    let g = generator.next_puzzle(floor);
                    (g.puzzle.givens(), g.report.guesses, g.report.nodes)
                })
                .collect();
            let guesses: Vec<u64> = rows.iter().map(|r| r.1).collect();
            let nodes: Vec<u64> = rows.iter().map(|r| r.2).collect();
            let zero = guesses.iter().filter(|&&g| g == 0).count();
            let mean_clues = rows.iter().map(|r| r.0).sum::<usize>() as f64 / rows.len() as f64;
            println!(
                "side {side} clue floor {floor:2}: mean clues {mean_clues:.1}; no guess {:.1}%; guesses p50 {} p90 {} p99 {} max {}; nodes p50 {} p99 {}",
                100.0 * zero as f64 / rows.len() as f64,
                percentile(guesses.clone(), 0.5),
                percentile(guesses.clone(), 0.9),
                percentile(guesses.clone(), 0.99),
                percentile(guesses, 1.0),
                percentile(nodes.clone(), 0.5),
                percentile(nodes, 0.99),
            );
        }
    }
}
