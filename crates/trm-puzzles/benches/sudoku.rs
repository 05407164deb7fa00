//! Sudoku throughput on one core: generating unique puzzles per tier, and solving them.
//! Run with `cargo xtask bench -- sudoku_puzzles` (issue targets: ≥ 10,000 hard 9×9 per minute
//! generated, ≥ 100,000 typical puzzles per second solved).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use trm_puzzles::Sudoku;
use trm_puzzles::sudoku::{Generator, Tier};

/// Typical puzzles: the committed held-out 9×9 `medium` samples (30 clues, a few guesses) and the
/// `hard` evaluation set (minimal puzzles).
const MEDIUM: &str = include_str!("../../../assets/puzzles/sudoku/samples/9x9-medium.txt");
const HARD: &str = include_str!("../../../assets/puzzles/sudoku/eval/9x9-hard.txt");

fn parse(text: &str) -> Vec<Sudoku> {
    text.lines().map(|l| Sudoku::parse(l).expect("committed puzzles parse")).collect()
}

fn sudoku(c: &mut Criterion) {
    let mut group = c.benchmark_group("sudoku_puzzles");
    group.sample_size(20);
    group.throughput(Throughput::Elements(1));
    for (side, tier) in
        [(9, Tier::Easy), (9, Tier::Medium), (9, Tier::Hard), (9, Tier::Extreme), (6, Tier::Hard), (4, Tier::Hard)]
    {
        let mut generator = Generator::new(side, 1).expect("supported side");
        group.bench_function(format!("generate_{tier}_{side}x{side}"), |b| b.iter(|| generator.puzzle_in(tier)));
    }
    for (name, puzzles) in [("solve_medium_9x9_count_to_2", parse(MEDIUM)), ("solve_hard_9x9_count_to_2", parse(HARD))]
    {
        let mut k = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                k = (k + 1) % puzzles.len();
                puzzles[k].search(2)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, sudoku);
criterion_main!(benches);
