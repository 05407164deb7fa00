//! One training call from the initial carry on every fixture, against the official `ACTLossHead` in
//! training mode: loss, metrics, outputs, halting, and every recorded gradient after
//! `backward(loss · backward_scale)`.

mod common;

use candle_core::Tensor;
use common::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use trm_core::checkpoint::strip_prefixes;
use trm_train::{ActCarry, ActStep};

const METRICS: [&str; 7] =
    ["count", "accuracy", "exact_accuracy", "q_halt_accuracy", "steps", "lm_loss", "q_halt_loss"];

/// Tolerances of the fixtures' README: outputs as the eval parity (1e-4 attention, 5e-4 mlp_t, rtol
/// 1e-4), losses and metrics atol 1e-5, gradients `1e-5 + 1e-3·|ref|` (attention) or
/// `1e-4 + 5e-3·|ref|` (mlp_t).
struct Tolerances {
    outputs: (f64, f64),
    grads: (f64, f64),
}

fn tolerances(mlp_t: bool) -> Tolerances {
    if mlp_t {
        Tolerances { outputs: (5e-4, 1e-4), grads: (1e-4, 5e-3) }
    } else {
        Tolerances { outputs: (1e-4, 1e-4), grads: (1e-5, 1e-3) }
    }
}

struct Report {
    name: &'static str,
    failures: Vec<String>,
}

impl Report {
    fn check(&mut self, quantity: &str, ours: &[f64], reference: &[f64], (atol, rtol): (f64, f64)) {
        let (max_abs, worst) = errors(ours, reference, atol, rtol);
        println!("{}: {quantity:<58} max abs err {max_abs:.3e}", self.name);
        if worst > 0.0 {
            self.failures.push(format!("{quantity}: max abs err {max_abs:.3e} (excess {worst:.3e})"));
        }
    }

    fn exact(&mut self, quantity: &str, ours: &[i64], reference: &[i64]) {
        println!("{}: {quantity:<58} ours {ours:?} reference {reference:?}", self.name);
        if ours != reference {
            self.failures.push(format!("{quantity}: {ours:?} != {reference:?}"));
        }
    }
}

fn train_call(name: &'static str) -> Report {
    let io = io(name);
    let model = trainable(name);
    assert_eq!(model.config().halt_exploration_prob, 0.0, "{name}: the fixture was recorded without exploration");
    let tol = tolerances(model.config().mlp_t);
    let batch = batch(&io);
    let mut carry = ActCarry::new(&model, batch.batch_size()).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let out: ActStep = model.act_step(&mut carry, &batch, &mut rng).unwrap();
    let mut report = Report { name, failures: Vec::new() };

    report.check("train.loss", &[scalar(&out.loss)], &[scalar(&io["train.loss"])], (1e-5, 0.0));
    let m = out.metrics;
    let ours = [m.count, m.accuracy, m.exact_accuracy, m.q_halt_accuracy, m.steps, m.lm_loss, m.q_halt_loss];
    for (metric, value) in METRICS.iter().zip(ours) {
        let key = format!("train.metrics.{metric}");
        report.check(&key, &[value], &[scalar(&io[&key])], (1e-5, 0.0));
    }
    report.check("train.logits", &to_f64(&out.logits), &to_f64(&io["train.logits"]), tol.outputs);
    report.check("train.q_halt", &to_f64(&out.q_halt), &to_f64(&io["train.q_halt"]), tol.outputs);
    report.check("train.q_continue", &to_f64(&out.q_continue), &to_f64(&io["train.q_continue"]), tol.outputs);
    let halted: Vec<i64> = carry.halted().iter().map(|&h| i64::from(h)).collect();
    report.exact("train.halted", &halted, &to_i64(&io["train.halted"]));
    let steps: Vec<i64> = carry.steps().iter().map(|&s| i64::from(s)).collect();
    report.exact("train.steps", &steps, &to_i64(&io["train.steps"]));

    // Backward with the trainer's scale, then every recorded gradient.
    let grads = (&out.loss * scalar(&io["train.backward_scale"])).unwrap().backward().unwrap();
    let mut compared = 0;
    let mut keys: Vec<&String> = io.keys().filter(|k| k.starts_with("train.grad.")).collect();
    keys.sort();
    for key in keys {
        let reference = &io[key];
        let ours: &Tensor = if key == "train.grad.puzzle_emb.local_weights" {
            let local = out.local_embedding.as_ref().expect("the model has puzzle embeddings");
            let ids: Vec<i64> = local.ids.iter().map(|&i| i64::from(i)).collect();
            report.exact("train.puzzle_emb.local_ids", &ids, &to_i64(&io["train.puzzle_emb.local_ids"]));
            grads.get(local.weights.as_tensor()).expect("no gradient on local_weights")
        } else {
            let param = strip_prefixes(key.strip_prefix("train.grad.").unwrap());
            let (_, var) = model.params().iter().find(|(k, _)| k == param).unwrap_or_else(|| panic!("no {param}"));
            grads.get(var.as_tensor()).unwrap_or_else(|| panic!("no gradient for {param}"))
        };
        assert_eq!(ours.dims(), reference.dims(), "{name}: {key}");
        report.check(key, &to_f64(ours), &to_f64(reference), tol.grads);
        compared += 1;
    }
    let expected = 7
        + usize::from(model.puzzle_table().is_some())
        + usize::from(io.contains_key("train.grad._orig_mod.model.inner.embed_pos.embedding_weight"))
        + usize::from(!model.config().mlp_t);
    assert_eq!(compared, expected, "{name}: gradients compared");
    report
}

fn assert_passes(name: &'static str) {
    let report = train_call(name);
    assert!(report.failures.is_empty(), "{name}: {:#?}", report.failures);
}

#[test]
fn att_rope_training_call() {
    assert_passes("att_rope");
}

#[test]
fn mlp_t_training_call() {
    assert_passes("mlp_t");
}

#[test]
fn att_learned_training_call() {
    assert_passes("att_learned");
}

/// The comparison can fail: a weight moved by 1e-3 must show in the gradients or outputs.
#[test]
fn a_perturbed_weight_fails() {
    let name = "att_rope";
    let io = io(name);
    let (config, mut tensors) = weights(name);
    let w = &tensors["L_level.layers.1.mlp.down_proj.weight"];
    let mut values = w.flatten_all().unwrap().to_vec1::<f32>().unwrap();
    values[5] += 1e-3;
    let changed = Tensor::from_vec(values, w.dims(), w.device()).unwrap();
    tensors.insert("L_level.layers.1.mlp.down_proj.weight".into(), changed);
    let model = trm_train::TrainableTrm::new(config, tensors).unwrap();
    let batch = batch(&io);
    let mut carry = ActCarry::new(&model, batch.batch_size()).unwrap();
    let out = model.act_step(&mut carry, &batch, &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    let grads = (&out.loss * scalar(&io["train.backward_scale"])).unwrap().backward().unwrap();
    let (_, var) = model.params().iter().find(|(k, _)| k == "lm_head.weight").unwrap();
    let ours = to_f64(grads.get(var.as_tensor()).unwrap());
    let reference = to_f64(&io["train.grad._orig_mod.model.inner.lm_head.weight"]);
    let logits = errors(&to_f64(&out.logits), &to_f64(&io["train.logits"]), 1e-4, 1e-4).1;
    let grad = errors(&ours, &reference, 1e-5, 1e-3).1;
    assert!(logits > 0.0 || grad > 0.0, "a perturbed model passed (excess logits {logits:.2e}, grad {grad:.2e})");
}
