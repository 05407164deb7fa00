//! Helpers shared by the integration tests: the official fixtures, read from trm-core's copy.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;

use candle_core::{DType, Device, Tensor};
use trm_core::TrmConfig;
use trm_core::checkpoint::{ConfigHint, TensorMap, read_state_dict, resolve_config};
use trm_train::{Batch, TrainableTrm};

pub const FIXTURES: [&str; 3] = ["att_rope", "mlp_t", "att_learned"];

pub fn fixture_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../trm-core/tests/fixtures/trm-parity").join(name)
}

pub fn read(name: &str, file: &str) -> Vec<u8> {
    let path = fixture_dir(name).join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The recorded tensors of `io.safetensors`.
pub fn io(name: &str) -> HashMap<String, Tensor> {
    candle_core::safetensors::load_buffer(&read(name, "io.safetensors"), &Device::Cpu).unwrap()
}

/// The fixture's weights and resolved configuration.
pub fn weights(name: &str) -> (TrmConfig, TensorMap) {
    let tensors = read_state_dict(&read(name, "weights.safetensors")).unwrap();
    let yaml = String::from_utf8(read(name, "all_config.yaml")).unwrap();
    let seq_len = io(name)["inputs"].dim(1).unwrap();
    let hint = ConfigHint { all_config_yaml: Some(yaml), seq_len: Some(seq_len), ..Default::default() };
    let config = resolve_config(&tensors, &hint).unwrap();
    (config, tensors)
}

pub fn trainable(name: &str) -> TrainableTrm {
    let (config, tensors) = weights(name);
    TrainableTrm::new(config, tensors).unwrap()
}

pub fn to_i64(t: &Tensor) -> Vec<i64> {
    t.to_dtype(DType::I64).unwrap().flatten_all().unwrap().to_vec1::<i64>().unwrap()
}

pub fn to_f64(t: &Tensor) -> Vec<f64> {
    t.to_dtype(DType::F64).unwrap().flatten_all().unwrap().to_vec1::<f64>().unwrap()
}

pub fn scalar(t: &Tensor) -> f64 {
    t.to_dtype(DType::F64).unwrap().to_scalar::<f64>().unwrap()
}

/// The fixture's batch.
pub fn batch(io: &HashMap<String, Tensor>) -> Batch {
    let seq_len = io["inputs"].dim(1).unwrap();
    let inputs = to_i64(&io["inputs"]).into_iter().map(|v| v as u32).collect();
    let labels = to_i64(&io["labels"]).into_iter().map(|v| v as i32).collect();
    let ids = to_i64(&io["puzzle_identifiers"]).into_iter().map(|v| v as u32).collect();
    Batch::new(seq_len, inputs, labels, ids).unwrap()
}

/// Largest `|a − b|` and largest excess over `atol + rtol·|b|` (≤ 0 passes).
pub fn errors(a: &[f64], b: &[f64], atol: f64, rtol: f64) -> (f64, f64) {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).fold((0.0f64, f64::NEG_INFINITY), |(max_abs, worst), (x, y)| {
        let err = (x - y).abs();
        let err = if err.is_nan() { f64::INFINITY } else { err };
        (max_abs.max(err), worst.max(err - atol - rtol * y.abs()))
    })
}
