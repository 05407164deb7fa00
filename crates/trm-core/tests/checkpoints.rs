//! Bad checkpoints give typed errors naming the key, shape or offset — never a panic.
#![cfg(not(target_arch = "wasm32"))] // reads fixture files; tests/wasm.rs covers the browser

mod common;

use std::collections::BTreeMap;

use candle_core::{DType, Tensor};
use common::*;
use trm_core::checkpoint::{ConfigHint, WeightsFormat, read_state_dict, sniff};
use trm_core::{Error, load_model};

fn tensors(name: &str) -> BTreeMap<String, Tensor> {
    read_state_dict(&read(name, "weights.safetensors")).unwrap()
}

fn to_bytes(tensors: &BTreeMap<String, Tensor>) -> Vec<u8> {
    safetensors::serialize(tensors.iter().map(|(k, v)| (k.clone(), v)), None).unwrap()
}

fn load(tensors: &BTreeMap<String, Tensor>) -> Result<trm_core::Trm, Error> {
    load_model(&to_bytes(tensors), &hint("att_rope"))
}

#[test]
fn formats_are_sniffed() {
    assert_eq!(sniff(&read("att_rope", "weights.safetensors")).unwrap(), WeightsFormat::Safetensors);
    assert_eq!(sniff(&read("att_rope", "checkpoint.pt")).unwrap(), WeightsFormat::PyTorchZip);
    assert!(matches!(sniff(b"hello world, not a model"), Err(Error::Format(_))));
    assert!(matches!(sniff(b"abc"), Err(Error::Format(_))));
}

#[test]
fn missing_tensor_is_named() {
    let mut t = tensors("att_rope");
    t.remove("L_level.layers.1.mlp.down_proj.weight");
    match load(&t) {
        Err(Error::MissingTensor { key }) => assert_eq!(key, "L_level.layers.1.mlp.down_proj.weight"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unexpected_tensor_is_named() {
    let mut t = tensors("att_rope");
    t.insert("L_level.layers.7.extra.weight".into(), Tensor::zeros(3, DType::F32, &candle_core::Device::Cpu).unwrap());
    match load(&t) {
        Err(Error::UnexpectedTensor { key }) => assert_eq!(key, "L_level.layers.7.extra.weight"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_shape_is_named() {
    let mut t = tensors("att_rope");
    t.insert("q_head.bias".into(), Tensor::zeros(3, DType::F32, &candle_core::Device::Cpu).unwrap());
    match load(&t) {
        Err(Error::ShapeMismatch { key, found, .. }) => assert_eq!((key.as_str(), found), ("q_head.bias", vec![3])),
        other => panic!("{other:?}"),
    }
}

#[test]
fn config_that_contradicts_the_weights_is_rejected() {
    let yaml =
        String::from_utf8(read("att_rope", "all_config.yaml")).unwrap().replace("hidden_size: 64", "hidden_size: 128");
    let hint = ConfigHint { all_config_yaml: Some(yaml), seq_len: Some(36), ..Default::default() };
    match load_model(&read("att_rope", "weights.safetensors"), &hint) {
        Err(Error::ConfigMismatch(msg)) => assert!(msg.contains("hidden_size"), "{msg}"),
        other => panic!("{other:?}"),
    }
    // mlp_t weights with a config that says attention.
    let yaml = String::from_utf8(read("mlp_t", "all_config.yaml")).unwrap().replace("mlp_t: true", "mlp_t: false");
    let hint = ConfigHint { all_config_yaml: Some(yaml), seq_len: Some(81), ..Default::default() };
    assert!(matches!(load_model(&read("mlp_t", "weights.safetensors"), &hint), Err(Error::ConfigMismatch(_))));
}

#[test]
fn truncated_files_are_format_errors() {
    for file in ["weights.safetensors", "checkpoint.pt"] {
        let bytes = read("att_rope", file);
        for cut in [bytes.len() / 3, bytes.len() - 100, 12] {
            match load_model(&bytes[..cut], &hint("att_rope")) {
                Err(Error::Format(msg)) => assert!(!msg.is_empty()),
                other => panic!("{file} cut at {cut}: {other:?}"),
            }
        }
    }
}

#[test]
fn non_finite_values_are_located() {
    let mut t = tensors("att_rope");
    let w = &t["lm_head.weight"];
    let mut v = w.flatten_all().unwrap().to_vec1::<f32>().unwrap();
    v[17] = f32::NAN;
    t.insert("lm_head.weight".into(), Tensor::from_vec(v, w.dims(), w.device()).unwrap());
    match load(&t) {
        Err(Error::NonFinite { key, index, .. }) => assert_eq!((key.as_str(), index), ("lm_head.weight", 17)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn integer_weights_are_an_unsupported_dtype() {
    let mut t = tensors("att_rope");
    t.insert("q_head.bias".into(), t["q_head.bias"].to_dtype(DType::I64).unwrap());
    match load(&t) {
        Err(Error::UnsupportedDtype { key, .. }) => assert_eq!(key, "q_head.bias"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn bf16_init_vectors_load_like_real_checkpoints() {
    let mut t = tensors("att_rope");
    for key in ["H_init", "L_init"] {
        t.insert(key.into(), t[key].to_dtype(DType::BF16).unwrap());
    }
    let model = load(&t).unwrap();
    let carry = model.initial_carry(1).unwrap();
    let expected = t["H_init"].to_dtype(DType::F32).unwrap().to_vec1::<f32>().unwrap();
    let got = carry.y.get(0).unwrap().get(5).unwrap().to_vec1::<f32>().unwrap();
    assert_eq!(got, expected);
}

#[test]
fn prefixes_are_stripped_in_every_official_form() {
    let t = tensors("att_rope");
    for prefix in ["", "model.inner.", "_orig_mod.model.inner."] {
        let renamed: BTreeMap<String, Tensor> = t.iter().map(|(k, v)| (format!("{prefix}{k}"), v.clone())).collect();
        load(&renamed).unwrap_or_else(|e| panic!("prefix {prefix:?}: {e}"));
    }
}

#[test]
fn unknown_sequence_length_is_a_config_error() {
    let yaml = String::from_utf8(read("att_rope", "all_config.yaml")).unwrap();
    let hint = ConfigHint { all_config_yaml: Some(yaml), ..Default::default() };
    assert!(matches!(load_model(&read("att_rope", "weights.safetensors"), &hint), Err(Error::Config(_))));
}

#[test]
fn garbage_yaml_is_a_config_error() {
    for yaml in ["arch: [1, 2", "arch:\n  hidden_size: lots", "no_arch: 1", "\u{0}\u{1}"] {
        let hint = ConfigHint { all_config_yaml: Some(yaml.into()), seq_len: Some(36), ..Default::default() };
        assert!(
            matches!(load_model(&read("att_rope", "weights.safetensors"), &hint), Err(Error::Config(_))),
            "{yaml:?}"
        );
    }
}

#[test]
fn selected_rows_are_read_by_seeking_in_both_formats() {
    use std::io::Cursor;
    use trm_core::checkpoint::{read_tensors, read_tensors_from, strip_prefixes};
    for file in ["weights.safetensors", "checkpoint.pt"] {
        let bytes = read("att_rope", file);
        let full = read_tensors(&bytes).unwrap();
        let picked = read_tensors_from(Cursor::new(&bytes), Some(&[4, 0, 2])).unwrap();
        assert_eq!(full.len(), picked.len());
        for ((k, a), (k2, b)) in full.iter().zip(&picked) {
            assert_eq!(k, k2);
            if strip_prefixes(k) == "puzzle_emb.weights" {
                assert_eq!(b.dims(), &[3, 64], "{file}");
                for (new, old) in [(0, 4), (1, 0), (2, 2)] {
                    assert_eq!(
                        b.get(new).unwrap().to_vec1::<f32>().unwrap(),
                        a.get(old).unwrap().to_vec1::<f32>().unwrap()
                    );
                }
            } else {
                assert_eq!(
                    a.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
                    b.flatten_all().unwrap().to_vec1::<f32>().unwrap()
                );
            }
        }
        match read_tensors_from(Cursor::new(&bytes), Some(&[5])) {
            Err(Error::InvalidArgument(msg)) => assert!(msg.contains("row 5 does not exist"), "{msg}"),
            other => panic!("{file}: {other:?}"),
        }
    }
}

#[test]
fn domain_defaults_fill_only_what_the_config_leaves_open() {
    use trm_core::checkpoint::PartialArch;
    let weights = read("att_rope", "weights.safetensors");
    let defaults = PartialArch { l_cycles: Some(9), halt_max_steps: Some(20), ..Default::default() };
    // No config file: the defaults apply.
    let bare = ConfigHint { seq_len: Some(36), defaults: defaults.clone(), ..Default::default() };
    let model = load_model(&weights, &bare).unwrap();
    assert_eq!((model.config().l_cycles, model.config().halt_max_steps), (9, 20));
    // The yaml says L_cycles 4: it wins; halt_max_steps (also in the yaml) too.
    let with_yaml = ConfigHint { defaults, ..hint("att_rope") };
    let model = load_model(&weights, &with_yaml).unwrap();
    assert_eq!((model.config().l_cycles, model.config().halt_max_steps), (4, 16));
}
