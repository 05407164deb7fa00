//! Runs the real `trm` binary.

use std::process::Command;

fn trm(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_trm")).args(args).output().expect("trm runs")
}

#[test]
fn help_lists_the_commands() {
    let out = trm(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Usage: trm"), "{text}");
    assert!(text.contains("selfcheck"), "{text}");
}

#[test]
fn selfcheck_prints_the_probe() {
    let out = trm(&["selfcheck", "--side", "16"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let expected = trm_core::selfcheck::matmul_probe(16).unwrap();
    assert!(text.contains(&format!("trace {:.6}", expected.trace)), "{text}");
}

#[test]
fn bad_argument_is_a_clear_error() {
    let out = trm(&["selfcheck", "--side", "0"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("probe side must be in"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../trm-core/tests/fixtures/trm-parity").join(name)
}

#[test]
fn parity_passes_on_every_shared_fixture() {
    for name in ["att_rope", "mlp_t", "att_learned"] {
        let dir = fixture(name);
        let out = trm(&["parity", dir.to_str().unwrap()]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{name}: {text}\n{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(text.lines().last(), Some("PASS"), "{name}: {text}");
        assert!(text.contains("checkpoint.pt:") && text.contains("weights.safetensors:"), "{text}");
    }
}

#[test]
fn parity_fails_on_a_copy_with_one_weight_changed_by_1e_3() {
    let src = fixture("att_rope");
    let dir = std::env::temp_dir().join(format!("trm-parity-perturbed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["io.safetensors", "all_config.yaml"] {
        std::fs::copy(src.join(file), dir.join(file)).unwrap();
    }
    let bytes = std::fs::read(src.join("weights.safetensors")).unwrap();
    let mut tensors = trm_core::checkpoint::read_state_dict(&bytes).unwrap();
    let w = &tensors["L_level.layers.0.mlp.down_proj.weight"];
    let mut values = w.flatten_all().unwrap().to_vec1::<f32>().unwrap();
    values[0] += 1e-3;
    let changed = candle_core::Tensor::from_vec(values, w.dims(), w.device()).unwrap();
    tensors.insert("L_level.layers.0.mlp.down_proj.weight".into(), changed);
    let perturbed = safetensors::serialize(tensors.iter().map(|(k, v)| (k.clone(), v)), None).unwrap();
    std::fs::write(dir.join("weights.safetensors"), perturbed).unwrap();

    let out = trm(&["parity", dir.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let last = text.lines().last().unwrap_or_default();
    assert!(last.starts_with("FAIL weights.safetensors:"), "{text}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn info_shows_config_parameters_and_tensors() {
    let pt = fixture("mlp_t").join("checkpoint.pt");
    let out = trm(&["info", pt.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("PyTorchZip"), "{text}");
    assert!(text.contains("\"mlp_t\":true"), "{text}");
    assert!(text.contains("_orig_mod.model.inner.L_level.layers.1.mlp_t.down_proj.weight"), "{text}");
    assert!(text.contains("dense parameters:"), "{text}");
}

#[test]
fn info_on_a_non_checkpoint_is_a_clear_error() {
    let yaml = fixture("mlp_t").join("all_config.yaml");
    let out = trm(&["info", yaml.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a safetensors file nor a PyTorch checkpoint"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
