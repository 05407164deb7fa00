//! Helpers shared by the integration tests: the official fixtures copied into this crate.
#![cfg(not(target_arch = "wasm32"))] // reads fixture files; tests/wasm.rs covers the browser
#![allow(dead_code)]

use std::path::PathBuf;

use trm_core::checkpoint::ConfigHint;
use trm_core::parity::Recording;

pub const FIXTURES: [&str; 3] = ["att_rope", "mlp_t", "att_learned"];

pub fn fixture_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/trm-parity").join(name)
}

pub fn read(name: &str, file: &str) -> Vec<u8> {
    let path = fixture_dir(name).join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn recording(name: &str) -> Recording {
    Recording::from_bytes(&read(name, "io.safetensors")).unwrap()
}

/// The hint a user has for a fixture folder: its all_config.yaml and the puzzle length.
pub fn hint(name: &str) -> ConfigHint {
    let yaml = String::from_utf8(read(name, "all_config.yaml")).unwrap();
    ConfigHint { all_config_yaml: Some(yaml), seq_len: Some(recording(name).seq_len().unwrap()), ..Default::default() }
}

pub fn model(name: &str) -> trm_core::Trm {
    trm_core::load_model(&read(name, "weights.safetensors"), &hint(name)).unwrap()
}
