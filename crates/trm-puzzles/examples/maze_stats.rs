//! Prints, per side and tier, how many attempts generated mazes took, the spread of their
//! shortest-path lengths and the generation rate, then one hard 30×30 maze with its answer:
//! `cargo run --release -p trm-puzzles --example maze_stats`.

use std::time::Instant;

use trm_puzzles::maze::{Generator, MazeTier};

fn percentile(mut values: Vec<usize>, p: f64) -> usize {
    values.sort_unstable();
    values[((values.len() - 1) as f64 * p) as usize]
}

fn main() {
    for side in [5, 6, 9, 15, 20, 29, 30] {
        for tier in MazeTier::ALL {
            let mut generator = Generator::new(side, 7).expect("a supported side");
            let clock = Instant::now();
            let mazes: Vec<_> = (0..1000).map(|_| generator.next_maze(tier)).collect();
            let seconds = clock.elapsed().as_secs_f64();
            let lengths: Vec<usize> = mazes.iter().map(|m| m.path_len).collect();
            let attempts: u32 = mazes.iter().map(|m| m.attempts).sum();
            let open =
                mazes.iter().map(|m| m.puzzle.cells().iter().filter(|c| c.is_passable()).count() as f64).sum::<f64>()
                    / mazes.len() as f64;
            println!(
                "side {side:2} {tier:6} range {:?}: attempts/maze {:.2}; length p0 {} p50 {} p90 {} max {}; open cells {open:.0}; {:.0} mazes/s",
                tier.path_range(side),
                attempts as f64 / mazes.len() as f64,
                percentile(lengths.clone(), 0.0),
                percentile(lengths.clone(), 0.5),
                percentile(lengths.clone(), 0.9),
                percentile(lengths, 1.0),
                mazes.len() as f64 / seconds,
            );
        }
    }
    let mut generator = Generator::new(30, 1).expect("a supported side");
    let hard = generator.next_maze(MazeTier::Hard);
    println!("\nhard 30×30, path length {}:\n{}\n\n{}", hard.path_len, hard.puzzle, hard.solution);
}
