//! Every shared fixture, through both file formats, against the official implementation's numbers.
#![cfg(not(target_arch = "wasm32"))] // reads fixture files; tests/wasm.rs covers the browser

mod common;

use candle_core::Tensor;
use common::*;
use trm_core::checkpoint::{build_model, read_state_dict, resolve_config};
use trm_core::parity::{ParityReport, compare};

fn parity(name: &str, weights: &str) -> ParityReport {
    let model = trm_core::load_model(&read(name, weights), &hint(name)).unwrap();
    compare(&model, &recording(name)).unwrap()
}

fn assert_passes(name: &str, weights: &str) {
    let report = parity(name, weights);
    for c in &report.comparisons {
        println!("{name}/{weights}: {:<40} max abs err {:.3e}", c.quantity, c.max_abs_error);
    }
    if let Some(failure) = report.first_failure() {
        panic!("{name}/{weights}: FAIL {failure:?}");
    }
    // Every tight point is covered: embeddings, 2 layers × 3 sublayers, step-0 states, teacher-forced steps.
    let has = |q: &str| report.comparisons.iter().any(|c| c.quantity == q);
    for q in [
        "input_embeddings",
        "step00.trace.h0.l0.layer1.out",
        "step00.logits",
        "step00.q_halt",
        "step15.logits",
        "step08.z_H",
        "eval.halted",
    ] {
        assert!(has(q), "{name}: {q} was not compared");
    }
}

#[test]
fn att_rope_safetensors() {
    assert_passes("att_rope", "weights.safetensors");
}
#[test]
fn att_rope_pytorch() {
    assert_passes("att_rope", "checkpoint.pt");
}
#[test]
fn mlp_t_safetensors() {
    assert_passes("mlp_t", "weights.safetensors");
}
#[test]
fn mlp_t_pytorch() {
    assert_passes("mlp_t", "checkpoint.pt");
}
#[test]
fn att_learned_safetensors() {
    assert_passes("att_learned", "weights.safetensors");
}
#[test]
fn att_learned_pytorch() {
    assert_passes("att_learned", "checkpoint.pt");
}

#[test]
fn both_formats_hold_the_same_tensors() {
    for name in FIXTURES {
        let a = read_state_dict(&read(name, "weights.safetensors")).unwrap();
        let b = read_state_dict(&read(name, "checkpoint.pt")).unwrap();
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "{name}");
        for (key, t) in &a {
            let diff = (t - &b[key]).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap();
            assert_eq!(diff, 0.0, "{name}: {key}");
        }
    }
}

#[test]
fn a_weight_changed_by_1e_3_fails() {
    for name in FIXTURES {
        let mut tensors = read_state_dict(&read(name, "weights.safetensors")).unwrap();
        let config = resolve_config(&tensors, &hint(name)).unwrap();
        let w = &tensors["lm_head.weight"];
        let mut values = w.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        values[3] += 1e-3;
        let changed = Tensor::from_vec(values, w.dims(), w.device()).unwrap();
        tensors.insert("lm_head.weight".into(), changed);
        let model = build_model(config, tensors).unwrap();
        let report = compare(&model, &recording(name)).unwrap();
        let failure = report.first_failure().unwrap_or_else(|| panic!("{name}: a perturbed model passed parity"));
        assert!(failure.quantity.contains("logits"), "{name}: {failure:?}");
    }
}
