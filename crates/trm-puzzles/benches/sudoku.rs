//! Sudoku throughput on one core: generating minimal unique 9×9 puzzles, and solving them.
//! Run with `cargo xtask bench -- sudoku_puzzles`.

use criterion::{Criterion, criterion_group, criterion_main};
use trm_puzzles::sudoku::Generator;

fn sudoku(c: &mut Criterion) {
    let mut group = c.benchmark_group("sudoku_puzzles");
    group.sample_size(20);
    let mut generator = Generator::new(9, 1).unwrap();
    group.bench_function("generate_minimal_9x9", |b| b.iter(|| generator.next_puzzle(0)));
    let mut generator = Generator::new(9, 2).unwrap();
    let puzzles: Vec<_> = (0..100).map(|_| generator.next_puzzle(0).puzzle).collect();
    let mut k = 0;
    group.bench_function("solve_minimal_9x9_count_to_2", |b| {
        b.iter(|| {
            k = (k + 1) % puzzles.len();
            puzzles[k].search(2)
        })
    });
    let mut generator = Generator::new(9, 3).unwrap();
    let typical: Vec<_> = (0..100).map(|_| generator.next_puzzle(30).puzzle).collect();
    group.bench_function("solve_30_clue_9x9_count_to_2", |b| {
        b.iter(|| {
            k = (k + 1) % typical.len();
            typical[k].search(2)
        })
    });
    group.finish();
}

criterion_group!(benches, sudoku);
criterion_main!(benches);
