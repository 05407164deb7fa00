//! Speed in wasm32, in a Web Worker of headless Chromium (wasm-bindgen-test's own criterion), batch 1, one
//! thread: the Sudoku reference model (random official-init weights) per network application and per
//! supervision step, and every bundled model of `assets/models/` per application and per answer refresh.
//!
//! Run by `cargo xtask bench` (step "wasm32"), or by hand:
//! `CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_WEBDRIVER_JSON=$PWD/web/tests/webdriver.json \
//!  cargo bench -p trm-core --bench wasm_recursion --target wasm32-unknown-unknown`
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use candle_core::{DType, Device, Tensor};
use trm_core::checkpoint::{ConfigHint, build_model, load_model};
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

/// A shipped model as the playground loads it: the weights and the model card beside them.
struct BundledModel {
    name: &'static str,
    weights: &'static [u8],
    card: &'static str,
}

/// Every model in `assets/models/` (the playground's bundled models; add a line when one ships).
macro_rules! bundled {
    ($($name:literal),* $(,)?) => {
        [$(BundledModel {
            name: $name,
            weights: include_bytes!(concat!("../../../assets/models/", $name, ".safetensors")),
            card: include_str!(concat!("../../../assets/models/", $name, ".json")),
        }),*]
    };
}

/// Each bundled model's speed as the playground's worker runs it, batch 1: one network application
/// (what the page shows per frame) and one answer refresh (n latent updates then the refresh: the
/// frames between two y updates on the grid). Weights and card come from `assets/models/`.
#[wasm_bindgen_bench]
fn bundled_models_batch1(c: &mut Criterion) {
    let mut c =
        std::mem::take(c).sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    for bundled in bundled!["sudoku4", "sudoku6", "sudoku9", "maze11", "arc-demo"] {
        let hint = ConfigHint { model_card: Some(bundled.card.to_string()), ..ConfigHint::default() };
        let model = load_model(bundled.weights, &hint).unwrap();
        let config = model.config().clone();
        // Any in-vocabulary puzzle: the cost of an application does not depend on the tokens.
        let vocab = config.vocab_size.max(2) as u32;
        let tokens: Vec<u32> = (0..config.seq_len as u32).map(|k| 1 + k % (vocab - 1)).collect();
        let tokens = Tensor::from_vec(tokens, (1, config.seq_len), &Device::Cpu).unwrap();
        let ids = Tensor::zeros(1, DType::U32, &Device::Cpu).unwrap();
        let mut stepper = Stepper::new(&model, &tokens, &ids).unwrap();
        let name = bundled.name;
        c.bench_function(&format!("wasm32/{name}/batch1/application"), |b| b.iter(|| stepper.apply().unwrap()));
        c.bench_function(&format!("wasm32/{name}/batch1/refresh"), |b| b.iter(|| stepper.refresh().unwrap()));
    }
}
