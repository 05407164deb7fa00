//! Times training steps of the paper's Sudoku TRM-MLP (hidden 512, 81 cells + 16 prefix slots, T = 3,
//! n = 6) at batch 32 on random Sudoku-shaped data, split into the ACT call (forward), backward and
//! the optimizer updates. Run with `cargo run --release -p trm-train --example step_timing [steps]`;
//! set `RAYON_NUM_THREADS` to pin the thread count.

use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use trm_core::TrmConfig;
use trm_train::{ActCarry, AdamAtan2, Batch, Ema, SignSgd, TrainConfig, TrainableTrm};

fn main() -> trm_train::Result<()> {
    let steps: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(3);
    let batch_size = 32;
    let config = TrmConfig::sudoku_reference();
    let model = TrainableTrm::fresh(config.clone(), 0)?;
    let train = TrainConfig { global_batch_size: batch_size, ..TrainConfig::sudoku_reference() };
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let cells = batch_size * config.seq_len;
    let inputs = (0..cells).map(|_| rng.random_range(1..=10)).collect();
    let labels = (0..cells).map(|_| rng.random_range(2..=10)).collect();
    let batch = Batch::new(config.seq_len, inputs, labels, vec![0; batch_size])?;

    let mut carry = ActCarry::new(&model, batch_size)?;
    let mut adam = AdamAtan2::new(train.beta1, train.beta2, train.weight_decay)?;
    let sgd = SignSgd::new(train.puzzle_emb_weight_decay)?;
    let mut ema = Ema::new(model.params(), train.ema_rate)?;
    println!(
        "Sudoku TRM-MLP, batch {batch_size}, {} dense parameters, {} threads",
        config.dense_parameter_count(),
        std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "default".into())
    );
    for step in 0..=steps {
        let t0 = Instant::now();
        let out = model.act_step(&mut carry, &batch, &mut rng)?;
        let t1 = Instant::now();
        let grads = (&out.loss * (1.0 / batch_size as f64))?.backward()?;
        let t2 = Instant::now();
        if let (Some(table), Some(local)) = (model.puzzle_table(), &out.local_embedding)
            && let Some(grad) = grads.get(local.weights.as_tensor())
        {
            sgd.step(table, local, grad, train.puzzle_emb_lr)?;
        }
        adam.step(model.params(), &grads, train.lr)?;
        ema.update(model.params())?;
        let t3 = Instant::now();
        let label = if step == 0 { "warm-up".to_string() } else { format!("step {step}") };
        println!(
            "{label:>8}: total {:6.2} s = forward {:6.2} s + backward {:6.2} s + optimizers/EMA {:5.3} s (loss {:.3})",
            (t3 - t0).as_secs_f64(),
            (t1 - t0).as_secs_f64(),
            (t2 - t1).as_secs_f64(),
            (t3 - t2).as_secs_f64(),
            out.loss.to_scalar::<f64>()?
        );
    }
    Ok(())
}
