//! Speed of the recursion on the paper's reference shapes, with random (official-init) weights:
//! milliseconds per network application and per supervision step.
//!
//! - Sudoku reference: `mlp_t`, hidden 512, 81 + 16 tokens, H = 3, L = 6 (21 applications a step),
//!   batch 1 and 64.
//! - Attention reference: RoPE, hidden 512, 900 + 16 tokens, H = 3, L = 4 (15 applications a step),
//!   batch 1 and 8.
//!
//! `cargo xtask bench` runs this single-threaded (`RAYON_NUM_THREADS=1`) to compare with the peer
//! figures; filter with e.g. `cargo xtask bench -- sudoku`.

use std::time::Duration;

use candle_core::{DType, Device, Tensor};
use criterion::{Criterion, criterion_group, criterion_main};
use trm_core::checkpoint::build_model;
use trm_core::init::official_init;
use trm_core::{Stepper, TrmConfig};

fn bench_config(c: &mut Criterion, name: &str, config: TrmConfig, batches: &[usize]) {
    let model = build_model(config.clone(), official_init(&config, 0).unwrap()).unwrap();
    for &batch in batches {
        let tokens: Vec<u32> =
            (0..batch * config.seq_len).map(|k| 1 + (k * 7 % (config.vocab_size - 1)) as u32).collect();
        let tokens = Tensor::from_vec(tokens, (batch, config.seq_len), &Device::Cpu).unwrap();
        let ids = Tensor::zeros(batch, DType::U32, &Device::Cpu).unwrap();
        let mut group = c.benchmark_group(format!("{name}/batch{batch}"));
        group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
        let mut stepper = Stepper::new(&model, &tokens, &ids).unwrap();
        group.bench_function("application", |b| b.iter(|| stepper.apply().unwrap()));
        let mut stepper = Stepper::new(&model, &tokens, &ids).unwrap();
        group.bench_function("supervision_step", |b| b.iter(|| stepper.supervision_step().unwrap()));
        group.finish();
    }
}

fn recursion(c: &mut Criterion) {
    bench_config(c, "sudoku_mlp_t", TrmConfig::sudoku_reference(), &[1, 64]);
    bench_config(c, "attention_rope", TrmConfig::attention_reference(), &[1, 8]);
}

criterion_group!(benches, recursion);
criterion_main!(benches);
