//! Maze throughput on one core: generating 30×30 mazes by tier (loops, one shortest path), and
//! verifying answers. Run with `cargo xtask bench -- maze_puzzles`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use trm_puzzles::maze::{Generator, MazeTier, verify_answer};

fn maze(c: &mut Criterion) {
    let mut group = c.benchmark_group("maze_puzzles");
    group.sample_size(20);
    group.throughput(Throughput::Elements(1));
    for tier in MazeTier::ALL {
        let mut generator = Generator::new(30, 1).unwrap();
        group.bench_function(format!("generate_{tier}_30x30"), |b| b.iter(|| generator.next_maze(tier)));
    }
    let mut generator = Generator::new(30, 2).unwrap();
    let hard: Vec<_> = (0..100).map(|_| generator.next_maze(MazeTier::Hard)).collect();
    let mut k = 0;
    group.bench_function("verify_hard_30x30", |b| {
        b.iter(|| {
            k = (k + 1) % hard.len();
            verify_answer(&hard[k].puzzle, &hard[k].solution)
        })
    });
    group.finish();
}

criterion_group!(benches, maze);
criterion_main!(benches);
