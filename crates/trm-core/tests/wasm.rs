//! In-browser tests of trm-core (headless Chromium through wasm-bindgen-test).
//!
//! Run by `cargo xtask test`, or by hand:
//! `WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver cargo test -p trm-core --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]

use trm_core::selfcheck::{matmul_probe, probe_a, probe_b};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn candle_matmul_in_the_browser_matches_a_naive_loop() {
    let side = 33;
    let got = matmul_probe(side).expect("probe runs in wasm32");
    let mut trace = 0.0f64;
    for i in 0..side {
        trace += (0..side).map(|k| probe_a(i, k) as f64 * probe_b(k, i) as f64).sum::<f64>();
    }
    assert!((got.trace - trace).abs() < 1e-3, "{got:?} vs trace {trace}");
}

#[wasm_bindgen_test]
fn bad_probe_side_is_an_error_not_a_panic() {
    assert!(matmul_probe(0).is_err());
}

/// Official parity inside the browser: the attention + RoPE fixture, through both file formats.
#[wasm_bindgen_test]
fn official_parity_holds_in_wasm32() {
    use trm_core::checkpoint::ConfigHint;
    use trm_core::parity::{Recording, compare};
    const WEIGHTS: &[u8] = include_bytes!("fixtures/trm-parity/att_rope/weights.safetensors");
    const PT: &[u8] = include_bytes!("fixtures/trm-parity/att_rope/checkpoint.pt");
    const IO: &[u8] = include_bytes!("fixtures/trm-parity/att_rope/io.safetensors");
    const YAML: &str = include_str!("fixtures/trm-parity/att_rope/all_config.yaml");
    let recording = Recording::from_bytes(IO).expect("io.safetensors");
    let hint = ConfigHint { all_config_yaml: Some(YAML.into()), seq_len: Some(36), ..Default::default() };
    for bytes in [WEIGHTS, PT] {
        let model = trm_core::load_model(bytes, &hint).expect("the fixture loads in wasm32");
        let report = compare(&model, &recording).expect("comparison runs");
        assert!(report.comparisons.len() > 40, "only {} comparisons", report.comparisons.len());
        assert!(report.first_failure().is_none(), "{:?}", report.first_failure());
    }
}
