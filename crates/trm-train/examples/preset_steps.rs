//! Runs a fixed number of optimizer steps of a built-in preset (or of the peer figures' Sudoku shapes
//! `reference` / `h128`) exactly as `trm train` would, evaluation off, and prints the throughput and
//! the loss of the last step. Made for profiling: `perf record` / `perf stat` around
//!
//! ```sh
//! RAYON_NUM_THREADS=1 cargo run --release -p trm-train --example preset_steps -- maze11 20 2
//! ```
//!
//! Arguments: preset (`sudoku4`, `sudoku6`, `sudoku9`, `maze11`, `reference`, `h128`), timed steps
//! (default 10), untimed warm-up steps before them (default 2). The run is deterministic, so the
//! printed loss changes only when the arithmetic does.

use std::time::Instant;

use trm_core::TrmConfig;
use trm_train::trainer::{self, RunConfig, Trainer};

/// The 9×9 preset with the architecture and batch replaced (the peer figures' Sudoku shapes).
fn sudoku_shape(arch: TrmConfig, batch: usize) -> trm_train::Result<RunConfig> {
    let mut config = trainer::preset("sudoku9")?;
    config.arch = TrmConfig { seq_len: 81, vocab_size: 11, num_puzzle_identifiers: 1, ..arch };
    config.train.global_batch_size = batch;
    Ok(config)
}

fn main() -> trm_train::Result<()> {
    trm_train::alloc::retain_freed_memory();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let name = args.first().map_or("maze11", String::as_str);
    let steps: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let warm_up: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2);
    let mut config = match name {
        "reference" => sudoku_shape(TrmConfig::sudoku_reference(), 32)?,
        "h128" => {
            sudoku_shape(TrmConfig { hidden_size: 128, puzzle_emb_ndim: 128, ..TrmConfig::sudoku_reference() }, 64)?
        }
        preset => trainer::preset(preset)?,
    };
    config.name = "profile".into();
    config.eval.interval = 0;
    config.train.total_steps = 1_000_000;
    config.threads = None;
    let batch = config.train.global_batch_size;

    let dir = std::env::temp_dir().join(format!("trm-preset-steps-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut run = Trainer::create(config, &dir, "preset_steps")?;
    for _ in 0..warm_up {
        run.step()?;
    }
    let start = Instant::now();
    let mut last = None;
    for _ in 0..steps {
        last = Some(run.step()?);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&dir);
    let loss = last.map_or(f64::NAN, |log| log.loss);
    println!(
        "{name}: {steps} steps of batch {batch} in {elapsed:.2} s = {:.1} example-steps/s; mean loss {loss:.9}",
        (steps * batch) as f64 / elapsed
    );
    Ok(())
}
