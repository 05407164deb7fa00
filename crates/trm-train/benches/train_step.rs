//! Training throughput: example-steps per second of one optimizer step (data, the ACT call, backward,
//! AdamATan2, sign-SGD, EMA), as `trm train` runs it, for
//!
//! - `sudoku_reference`: the peer figures' Sudoku config S (`mlp_t`, hidden 512, 81 + 16 tokens, H = 3,
//!   L = 6) at batch 32 — the official PyTorch trainer does 1.9 example-steps/s on this machine
//!   (`shared/docs/peer-figures.md`, 2 threads);
//! - `sudoku_h128`: the same shape at hidden 128, batch 64 (official PyTorch: 12.4, 2 threads);
//! - every built-in preset (`sudoku4`, `sudoku6`, `sudoku9`, `maze11`, `arc-demo`), i.e. what the
//!   shipped models were trained with.
//!
//! Criterion's `elem/s` is example-steps/s (one element = one batch row through one supervision
//! step). `ACT forward` benches the forward alone, so `optimizer_step − ACT forward` is what backward
//! and the optimizers cost. `cargo xtask bench train_step` runs this single-threaded; pause any
//! training first, the machine has two cores.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use trm_core::TrmConfig;
use trm_train::data::BatchSource;
use trm_train::data::generate::{GenerateRecipe, SudokuSource};
use trm_train::trainer::{self, DataConfig, RunConfig, Trainer};
use trm_train::{ActCarry, TrainableTrm};

/// A scratch run directory, removed when dropped.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("trm-bench-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Self(dir)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `config` with evaluation off and room for any number of steps.
fn for_bench(mut config: RunConfig) -> RunConfig {
    config.eval.interval = 0;
    config.train.total_steps = 1_000_000;
    config.threads = None;
    config
}

/// The 9×9 preset with the architecture and batch replaced (the data recipe stays: fresh puzzles).
fn sudoku_shape(arch: TrmConfig, batch: usize) -> RunConfig {
    let mut config = trainer::preset("sudoku9").expect("preset");
    config.name = "bench".into();
    config.arch = TrmConfig { seq_len: 81, vocab_size: 11, num_puzzle_identifiers: 1, ..arch };
    config.train.global_batch_size = batch;
    config
}

/// Times `iters` optimizer steps of a fresh run of `config` (after `WARM_UP` steps so that the slots
/// are in their steady mix of continuing and refilled examples).
fn bench_run(c: &mut Criterion, name: &str, config: RunConfig) {
    const WARM_UP: usize = 2;
    let config = for_bench(config);
    let batch = config.train.global_batch_size as u64;
    let scratch = ScratchDir::new(name);
    let mut run = Trainer::create(config, &scratch.0, "bench").expect("run");
    for _ in 0..WARM_UP {
        run.step().expect("step");
    }
    let mut group = c.benchmark_group(format!("train_step/{name}"));
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(20)).throughput(Throughput::Elements(batch));
    group.bench_function("optimizer_step", |b| b.iter_custom(|iters| time_steps(&mut run, iters)));
    // With more than one thread, the same step with the batch in one part: only the matrix
    // products use the other threads.
    if candle_core::utils::get_num_threads() > 1 {
        run.set_data_shards(1);
        group.bench_function("optimizer_step, one part", |b| b.iter_custom(|iters| time_steps(&mut run, iters)));
    }
    group.finish();
}

/// The time of `iters` optimizer steps of `run`.
fn time_steps(run: &mut Trainer, iters: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        run.step().expect("step");
    }
    start.elapsed()
}

/// Times the training-mode ACT call alone (no backward, no optimizer) on the config's shape.
fn bench_forward(c: &mut Criterion, name: &str, config: RunConfig) {
    let batch = config.train.global_batch_size;
    let model = TrainableTrm::fresh(config.arch.clone(), 0).expect("model");
    let DataConfig::Generate(recipe) = &config.data else { panic!("a generated source") };
    let recipe: GenerateRecipe = recipe.clone();
    let mut source = SudokuSource::new(config.size, &recipe).expect("source");
    let data = source.next_batch(&vec![true; batch]).expect("batch");
    let mut carry = ActCarry::new(&model, batch).expect("carry");
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut group = c.benchmark_group(format!("train_step/{name}"));
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(10)).throughput(Throughput::Elements(batch as u64));
    group.bench_function("ACT forward", |b| {
        b.iter(|| {
            let out = model.act_step(&mut carry, &data, &mut rng).expect("ACT call");
            out.loss.to_scalar::<f64>().expect("loss")
        })
    });
    group.finish();
}

fn train_step(c: &mut Criterion) {
    trm_train::alloc::retain_freed_memory();
    let reference = sudoku_shape(TrmConfig::sudoku_reference(), 32);
    bench_forward(c, "sudoku_reference", reference.clone());
    bench_run(c, "sudoku_reference", reference);
    let h128 = TrmConfig { hidden_size: 128, puzzle_emb_ndim: 128, ..TrmConfig::sudoku_reference() };
    bench_run(c, "sudoku_h128", sudoku_shape(h128, 64));
    for (name, _) in trainer::PRESETS {
        let mut config = trainer::preset(name).expect("preset");
        // Benches run in the crate's folder; the ARC preset names the bundled task list from the root.
        if let DataConfig::Arc(recipe) = &mut config.data {
            recipe.tasks = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(&recipe.tasks);
        }
        bench_run(c, name, config);
    }
}

criterion_group!(benches, train_step);
criterion_main!(benches);
