//! `trm convert`: PyTorch → safetensors, and puzzle-embedding row selection by row or task name.

use std::path::{Path, PathBuf};
use std::process::Command;

use trm_core::checkpoint::{TensorMap, read_state_dict};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../trm-core/tests/fixtures/trm-parity").join(name)
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trm-convert-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn trm(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_trm")).args(args).output().expect("trm runs")
}

fn max_diff(a: &candle_core::Tensor, b: &candle_core::Tensor) -> f32 {
    (a - b).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap()
}

/// Runs `trm convert src --out out extra…`, which must succeed; returns the state dicts of both files.
fn convert(src: &Path, out: &Path, extra: &[&str]) -> (TensorMap, TensorMap) {
    let mut args = vec!["convert", src.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let run = trm(&args);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let read = |p: &Path| read_state_dict(&std::fs::read(p).unwrap()).unwrap();
    (read(src), read(out))
}

#[test]
fn pytorch_to_safetensors_keeps_every_tensor_and_writes_a_card() {
    let dir = scratch("pt");
    let out = dir.join("att_rope.safetensors");
    let pt = fixture("att_rope").join("checkpoint.pt");
    let (original, converted) = convert(&pt, &out, &["--seq-len", "36"]);
    assert_eq!(original.keys().collect::<Vec<_>>(), converted.keys().collect::<Vec<_>>());
    for (k, t) in &original {
        assert_eq!(max_diff(t, &converted[k]), 0.0, "{k}");
    }
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("att_rope.json")).unwrap()).unwrap();
    assert_eq!(card["arch"]["L_cycles"], 4);
    assert_eq!(card["seq_len"], 36);
    // The converted model loads by itself (card beside it) and still passes parity.
    let parity_dir = scratch("pt-parity");
    std::fs::copy(&out, parity_dir.join("weights.safetensors")).unwrap();
    for f in ["io.safetensors", "all_config.yaml"] {
        std::fs::copy(fixture("att_rope").join(f), parity_dir.join(f)).unwrap();
    }
    let run = trm(&["parity", parity_dir.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stdout));
}

#[test]
fn selected_rows_are_kept_blank_first() {
    let dir = scratch("rows");
    let out = dir.join("small.safetensors");
    let src = fixture("att_rope").join("weights.safetensors");
    let (original, converted) = convert(&src, &out, &["--rows", "3,1"]);
    let table = &converted["puzzle_emb.weights"];
    assert_eq!(table.dims(), &[3, 64]);
    for (new, old) in [(0, 0), (1, 1), (2, 3)] {
        let a = table.get(new).unwrap();
        let b = original["puzzle_emb.weights"].get(old).unwrap();
        assert_eq!(max_diff(&a, &b), 0.0, "row {new} ← {old}");
    }
    let run = trm(&["convert", src.to_str().unwrap(), "--out", out.to_str().unwrap(), "--rows", "9"]);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("row 9 does not exist"));
}

#[test]
fn tasks_select_every_augmentation_through_identifiers() {
    let dir = scratch("tasks");
    let ids = dir.join("identifiers.json");
    std::fs::write(&ids, r#"["<blank>", "007bbfb7", "00d62c1b", "007bbfb7|||t3|||0528147369", "017c7c7b"]"#).unwrap();
    let out = dir.join("arc.safetensors");
    let src = fixture("att_rope").join("weights.safetensors");
    let (_, converted) =
        convert(&src, &out, &["--tasks", "007bbfb7", "--identifiers", ids.to_str().unwrap(), "--seq-len", "36"]);
    assert_eq!(converted["puzzle_emb.weights"].dims(), &[3, 64]);
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("arc.json")).unwrap()).unwrap();
    assert_eq!(card["identifiers"], serde_json::json!(["<blank>", "007bbfb7", "007bbfb7|||t3|||0528147369"]));
    assert_eq!(card["arch"]["num_puzzle_identifiers"], 3);

    let run = trm(&[
        "convert",
        src.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--tasks",
        "nope",
        "--identifiers",
        ids.to_str().unwrap(),
    ]);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("task nope has no row"));
}
