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
