//! The Sudoku reference model's speed in wasm32, in a Web Worker of headless Chromium (wasm-bindgen-test's own
//! criterion): milliseconds per network application and per supervision step, batch 1, one thread.
//!
//! Run by `cargo xtask bench` (step "wasm32"), or by hand:
//! `CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_WEBDRIVER_JSON=$PWD/web/tests/webdriver.json \
//!  cargo bench -p trm-core --bench wasm_recursion --target wasm32-unknown-unknown`
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use candle_core::{DType, Device, Tensor};
use trm_core::checkpoint::build_model;
use trm_core::init::official_init;
use trm_core::{Stepper, TrmConfig};
use wasm_bindgen_test::{Criterion, wasm_bindgen_bench, wasm_bindgen_test_configure};

// In a dedicated worker: the page stays free for the webdriver to poll while a step runs (as in the app).
wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_bench]
fn sudoku_reference_batch1(c: &mut Criterion) {
    let config = TrmConfig::sudoku_reference();
    let model = build_model(config.clone(), official_init(&config, 0).unwrap()).unwrap();
    let tokens: Vec<u32> = (0..config.seq_len).map(|k| 1 + (k * 7 % 10) as u32).collect();
    let tokens = Tensor::from_vec(tokens, (1, config.seq_len), &Device::Cpu).unwrap();
    let ids = Tensor::zeros(1, DType::U32, &Device::Cpu).unwrap();
    let mut stepper = Stepper::new(&model, &tokens, &ids).unwrap();
    let mut c =
        std::mem::take(c).sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    c.bench_function("wasm32/sudoku_mlp_t/batch1/application", |b| b.iter(|| stepper.apply().unwrap()));
    c.bench_function("wasm32/sudoku_mlp_t/batch1/supervision_step", |b| b.iter(|| stepper.supervision_step().unwrap()));
}
