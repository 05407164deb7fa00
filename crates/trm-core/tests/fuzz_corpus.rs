//! Replays the fuzz corpora as ordinary tests, plus deterministic truncations and byte flips of real
//! checkpoints: every input must return (an error is fine), never panic.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use trm_core::checkpoint::{fuzz_all_config_yaml, fuzz_checkpoint_bytes, fuzz_model_card};

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    let inputs: Vec<_> = files.into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect();
    assert!(inputs.len() >= 4, "{target}: corpus too small");
    inputs
}

#[test]
fn checkpoint_corpus_replays() {
    for (path, bytes) in corpus("checkpoint_bytes") {
        println!("{}", path.display());
        fuzz_checkpoint_bytes(&bytes);
    }
}

#[test]
fn yaml_corpus_replays() {
    for (_, bytes) in corpus("all_config_yaml") {
        fuzz_all_config_yaml(&bytes);
    }
}

#[test]
fn model_card_corpus_replays() {
    for (_, bytes) in corpus("model_card_json") {
        fuzz_model_card(&bytes);
    }
}

/// Truncations at many lengths and single-byte corruptions spread over both formats.
#[test]
fn mutated_real_checkpoints_never_panic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/trm-parity/att_learned");
    for file in ["weights.safetensors", "checkpoint.pt"] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let n = bytes.len();
        for k in 0..64 {
            fuzz_checkpoint_bytes(&bytes[..k * n / 64]);
        }
        // Corrupt the header region densely and the rest sparsely.
        let positions = (0..400).chain((400..n).step_by(n / 97));
        for pos in positions {
            let mut mutated = bytes.clone();
            mutated[pos] ^= 0x5a;
            fuzz_checkpoint_bytes(&mutated);
        }
    }
}
