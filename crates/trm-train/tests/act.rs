//! The ACT carry in training mode on a tiny fresh model: refilling of halted slots, halting with and
//! without exploration, and a few full optimizer steps.

use candle_core::{Device, IndexOp, Tensor};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use trm_core::{PosEncoding, TrmConfig};
use trm_train::act::draw_min_halt_steps;
use trm_train::{ActCarry, Batch, TrainConfig, TrainState, TrainableTrm};

fn tiny_config(halt_exploration_prob: f64, halt_max_steps: usize) -> TrmConfig {
    TrmConfig {
        seq_len: 6,
        puzzle_emb_ndim: 16,
        num_puzzle_identifiers: 4,
        vocab_size: 5,
        h_cycles: 2,
        l_cycles: 2,
        h_layers: 0,
        l_layers: 1,
        hidden_size: 16,
        expansion: 2.0,
        num_heads: 2,
        pos_encodings: PosEncoding::Rope,
        rms_norm_eps: 1e-5,
        rope_theta: 1e4,
        halt_max_steps,
        halt_exploration_prob,
        mlp_t: false,
        puzzle_emb_len: 2,
        no_act_continue: true,
    }
}

/// A fresh model whose `q_halt` is exactly `q_halt_bias` (official init zeroes the `q_head` weight).
fn tiny_model(halt_exploration_prob: f64, halt_max_steps: usize, q_halt_bias: f32) -> TrainableTrm {
    let config = tiny_config(halt_exploration_prob, halt_max_steps);
    let mut tensors = trm_core::init::official_init(&config, 7).unwrap();
    tensors.insert("q_head.bias".into(), Tensor::new(&[q_halt_bias, -5.0], &Device::Cpu).unwrap());
    // Non-zero puzzle rows, so that which row a slot holds matters.
    let rows: Vec<f32> = (0..4 * 16).map(|i| ((i * 37 % 11) as f32 - 5.0) * 0.05).collect();
    tensors.insert("puzzle_emb.weights".into(), Tensor::from_vec(rows, (4, 16), &Device::Cpu).unwrap());
    TrainableTrm::new(config, tensors).unwrap()
}

/// Batch number `k`: every row distinct, and distinct from the rows of other batches.
fn numbered_batch(k: usize, rows: usize) -> Batch {
    let seq_len = 6;
    let inputs = (0..rows * seq_len).map(|i| ((i + 3 * k + i / seq_len) % 5) as u32).collect();
    let labels = (0..rows * seq_len).map(|i| if i % 4 == 0 { -100 } else { ((i * 7 + k) % 5) as i32 }).collect();
    let ids = (0..rows).map(|r| ((r + k) % 4) as u32).collect();
    Batch::new(seq_len, inputs, labels, ids).unwrap()
}

fn row(batch: &Batch, b: usize) -> (Vec<u32>, Vec<i32>, u32) {
    let span = b * batch.seq_len()..(b + 1) * batch.seq_len();
    (batch.inputs()[span.clone()].to_vec(), batch.labels()[span].to_vec(), batch.puzzle_ids()[b])
}

fn max_diff(a: &Tensor, b: &Tensor) -> f32 {
    (a - b).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap()
}

#[test]
fn halted_slots_take_new_data_and_reset_state_others_keep_theirs() {
    // q_halt = +10 > 0: a slot halts as soon as its exploration floor allows; with probability 0.5
    // the floor is 2..=16, so halting times differ between slots.
    let model = tiny_model(0.5, 16, 10.0);
    let rows = 8;
    let mut carry = ActCarry::new(&model, rows).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut expected: Vec<_> = (0..rows).map(|_| None).collect();
    let (mut refills, mut continuations) = (0, 0);
    for k in 0..12 {
        let batch = numbered_batch(k, rows);
        let was_halted = carry.halted().to_vec();
        let steps_before = carry.steps().to_vec();
        model.act_step(&mut carry, &batch, &mut rng).unwrap();
        // The same examples in a brand-new carry: what a refilled slot must equal.
        let mut fresh = ActCarry::new(&model, rows).unwrap();
        model.act_step(&mut fresh, carry.data(), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
        for b in 0..rows {
            if was_halted[b] {
                expected[b] = Some(row(&batch, b));
                assert_eq!(carry.steps()[b], 1, "call {k} slot {b}: a refilled slot restarts its count");
                let d = max_diff(&carry.y().i(b).unwrap(), &fresh.y().i(b).unwrap());
                assert!(d < 1e-5, "call {k} slot {b}: refilled state differs from a fresh start by {d}");
                refills += 1;
            } else {
                assert_eq!(carry.steps()[b], steps_before[b] + 1, "call {k} slot {b}");
                let d = max_diff(&carry.y().i(b).unwrap(), &fresh.y().i(b).unwrap());
                assert!(d > 1e-3, "call {k} slot {b}: a continuing slot was reset");
                continuations += 1;
            }
            assert_eq!(Some(row(carry.data(), b)), expected[b], "call {k} slot {b}: wrong example");
        }
    }
    assert!(refills > rows && continuations > rows, "refills {refills}, continuations {continuations}");
}

#[test]
fn without_exploration_halting_follows_q_halt_and_the_step_limit() {
    let rows = 4;
    // q_halt > 0: every slot halts after each call.
    let eager = tiny_model(0.0, 16, 10.0);
    let mut carry = ActCarry::new(&eager, rows).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for k in 0..5 {
        eager.act_step(&mut carry, &numbered_batch(k, rows), &mut rng).unwrap();
        assert_eq!(carry.halted(), &[true; 4]);
        assert_eq!(carry.steps(), &[1; 4]);
    }
    // q_halt < 0: only the step limit halts.
    let patient = tiny_model(0.0, 3, -10.0);
    let mut carry = ActCarry::new(&patient, rows).unwrap();
    for k in 0..6 {
        let out = patient.act_step(&mut carry, &numbered_batch(k, rows), &mut rng).unwrap();
        let done = k % 3 == 2;
        assert_eq!(carry.halted(), &[done; 4], "call {k}");
        assert_eq!(carry.steps(), &[(k % 3 + 1) as u32; 4]);
        // Metrics count halted slots only.
        assert_eq!(out.metrics.count, if done { 4.0 } else { 0.0 });
        assert_eq!(out.metrics.steps, if done { 12.0 } else { 0.0 });
    }
}

#[test]
fn exploration_delays_halting_to_a_random_floor_of_two_or_more() {
    let rows = 64;
    // Probability 1: no slot may halt at its first step, even though q_halt > 0; all halt by the
    // limit. Halting steps vary.
    let model = tiny_model(1.0, 5, 10.0);
    let mut carry = ActCarry::new(&model, rows).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut halted_at = vec![0u32; rows];
    for k in 0..5 {
        model.act_step(&mut carry, &numbered_batch(0, rows), &mut rng).unwrap();
        for ((at, &halted), &steps) in halted_at.iter_mut().zip(carry.halted()).zip(carry.steps()) {
            if halted && *at == 0 {
                *at = steps;
            }
        }
        if k == 0 {
            assert!(carry.halted().iter().all(|&h| !h), "a slot halted at step 1 despite exploration");
        }
    }
    assert!(halted_at.iter().all(|&s| (2..=5).contains(&s)), "{halted_at:?}");
    assert!(halted_at.contains(&2) && halted_at.contains(&5), "{halted_at:?}");

    // Probability 0.5: at step 1 a slot halts exactly when it did not explore, about half of them.
    let model = tiny_model(0.5, 16, 10.0);
    let mut carry = ActCarry::new(&model, rows).unwrap();
    model.act_step(&mut carry, &numbered_batch(0, rows), &mut rng).unwrap();
    let halted = carry.halted().iter().filter(|&&h| h).count();
    assert!((20..=44).contains(&halted), "{halted} of {rows} halted at step 1");
}

#[test]
fn the_exploration_draw_is_seeded_and_uniform_over_two_to_max() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let draws = draw_min_halt_steps(&mut rng, 1.0, 16, 15_000);
    assert!(draws.iter().all(|&m| (2..=16).contains(&m)));
    for value in 2..=16 {
        let n = draws.iter().filter(|&&m| m == value).count();
        assert!((800..=1200).contains(&n), "{value} drawn {n} times of 15000");
    }
    let again = draw_min_halt_steps(&mut ChaCha8Rng::seed_from_u64(5), 1.0, 16, 15_000);
    assert_eq!(draws, again);
    assert!(draw_min_halt_steps(&mut rng, 0.0, 16, 1000).iter().all(|&m| m == 0));
    let some = draw_min_halt_steps(&mut rng, 0.1, 16, 10_000);
    let explored = some.iter().filter(|&&m| m > 0).count();
    assert!((850..=1150).contains(&explored), "{explored} of 10000 explored at p = 0.1");
}

#[test]
fn a_batch_of_the_wrong_size_is_refused() {
    let model = tiny_model(0.0, 16, 0.0);
    let mut carry = ActCarry::new(&model, 4).unwrap();
    let err = model.act_step(&mut carry, &numbered_batch(0, 3), &mut ChaCha8Rng::seed_from_u64(0));
    assert!(matches!(err, Err(trm_train::Error::InvalidBatch(_))));
}

#[test]
fn training_steps_move_weights_rows_and_ema_and_lower_the_loss() {
    // q_halt < 0 and no exploration: the same examples stay for 16 steps, so the loss on them must fall.
    let model = tiny_model(0.0, 16, -10.0);
    let before = model.state_dict().unwrap();
    let config = TrainConfig {
        global_batch_size: 4,
        lr: 3e-3,
        lr_warmup_steps: 0,
        puzzle_emb_lr: 1e-2,
        ema: true,
        ..TrainConfig::default()
    };
    let mut state = TrainState::new(model, config).unwrap();
    let batch = numbered_batch(1, 4); // ids 1, 2, 3, 0
    let mut losses = Vec::new();
    for _ in 0..12 {
        let out = state.step(&batch).unwrap();
        assert!(out.loss.is_finite());
        losses.push(out.metrics.lm_loss);
    }
    assert_eq!(state.steps_done(), 12);
    assert!(losses[11] < losses[0], "lm loss did not fall: {losses:?}");
    let after = state.model().state_dict().unwrap();
    let moved = |key: &str| max_diff(&before[key], &after[key]);
    assert!(moved("lm_head.weight") > 0.0 && moved("L_level.layers.0.mlp.down_proj.weight") > 0.0);
    assert_eq!(moved("H_init"), 0.0);
    assert_eq!(moved("L_init"), 0.0);
    assert!(moved("puzzle_emb.weights") > 0.0);
    // The EMA sits between the start and the live weights; the export holds it with the live table.
    let exported = state.export_state_dict().unwrap();
    let ema_moved = max_diff(&before["lm_head.weight"], &exported["lm_head.weight"]);
    assert!(ema_moved > 0.0 && ema_moved < moved("lm_head.weight"));
    assert_eq!(max_diff(&exported["puzzle_emb.weights"], &after["puzzle_emb.weights"]), 0.0);
    assert_eq!(exported.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
}

#[test]
fn only_the_rows_of_the_carried_examples_are_trained() {
    let model = tiny_model(0.0, 16, -10.0);
    let before = model.puzzle_table().unwrap().to_vec2::<f32>().unwrap();
    let config = TrainConfig { global_batch_size: 2, lr_warmup_steps: 0, ..TrainConfig::default() };
    let mut state = TrainState::new(model, config).unwrap();
    let batch = Batch::new(6, vec![1; 12], vec![2; 12], vec![3, 1]).unwrap();
    state.step(&batch).unwrap();
    let after = state.model().puzzle_table().unwrap().to_vec2::<f32>().unwrap();
    assert_eq!(before[0], after[0]);
    assert_eq!(before[2], after[2]);
    assert_ne!(before[1], after[1]);
    assert_ne!(before[3], after[3]);
    // The untracked model (evaluation) sees the new rows.
    let ids = Tensor::new(&[3u32], &Device::Cpu).unwrap();
    let tokens = Tensor::new(&[[1u32; 6]], &Device::Cpu).unwrap();
    let x = state.model().model().input_embeddings(&tokens, &ids).unwrap();
    let prefix = x.i((0, 0)).unwrap().to_vec1::<f32>().unwrap();
    let scale = 4.0; // sqrt(16)
    for (p, w) in prefix.iter().zip(&after[3]) {
        assert!((p - w * scale).abs() < 1e-6);
    }
}

/// Runs `steps` optimizer steps over rotating batches of 7 rows with exploration on, cut into
/// `shards` data-parallel parts; returns the state and every step's output.
fn run_sharded(shards: usize, steps: usize) -> (TrainState, Vec<trm_train::StepOutput>) {
    let config = TrainConfig {
        global_batch_size: 7,
        lr: 3e-3,
        lr_warmup_steps: 0,
        puzzle_emb_lr: 1e-2,
        ema: true,
        ..TrainConfig::default()
    };
    let mut state = TrainState::new(tiny_model(0.5, 4, 0.3), config).unwrap();
    state.set_data_shards(shards);
    let outputs = (0..steps).map(|k| state.step(&numbered_batch(k, 7)).unwrap()).collect();
    (state, outputs)
}

#[test]
fn data_parallel_steps_compute_the_single_thread_step() {
    let steps = 6;
    let (single, reference) = run_sharded(1, steps);
    for shards in [2, 3, 7] {
        let (sharded, outputs) = run_sharded(shards, steps);
        assert_eq!(sharded.data_shards(), shards);
        for (ours, theirs) in outputs.iter().zip(&reference) {
            assert_eq!(ours.step, theirs.step);
            assert!(
                (ours.loss - theirs.loss).abs() < 1e-5 * theirs.loss.abs().max(1.0),
                "{shards} shards: {ours:?} vs {theirs:?}"
            );
            // Which slots halted, how many steps they used and whether they were right: identical.
            assert_eq!(ours.metrics.count, theirs.metrics.count);
            assert_eq!(ours.metrics.exact_accuracy, theirs.metrics.exact_accuracy);
            assert_eq!(ours.metrics.steps, theirs.metrics.steps);
        }
        let (a, b) = (sharded.carry().unwrap(), single.carry().unwrap());
        assert_eq!(a.steps(), b.steps());
        assert_eq!(a.halted(), b.halted());
        assert_eq!(a.data(), b.data());
        assert!(max_diff(a.y(), b.y()) < 1e-4 && max_diff(a.z(), b.z()) < 1e-4);
        // The weights (dense, EMA, and the puzzle rows that repeat across shards) moved alike.
        let (ours, theirs) = (sharded.export_state_dict().unwrap(), single.export_state_dict().unwrap());
        for (key, t) in &theirs {
            assert!(max_diff(&ours[key], t) < 1e-5, "{shards} shards: {key} differs by {}", max_diff(&ours[key], t));
        }
        let (ours, theirs) = (sharded.model().state_dict().unwrap(), single.model().state_dict().unwrap());
        assert!(max_diff(&ours["puzzle_emb.weights"], &theirs["puzzle_emb.weights"]) < 1e-5);
        assert!(max_diff(&ours["lm_head.weight"], &theirs["lm_head.weight"]) < 1e-5);
    }
    // Exploration made the slots halt at different times, so refills and carried slots were mixed.
    assert!(reference.iter().any(|o| o.metrics.count > 0.0 && o.metrics.count < 7.0));
}
