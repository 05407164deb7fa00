//! The optimizers against numbers computed by hand from the reference formulas (§6.2–§6.5).

use candle_core::{Device, Tensor, Var};
use trm_train::{AdamAtan2, Ema, LocalEmbedding, LrSchedule, SignSgd};

fn var(values: &[f32]) -> Var {
    Var::from_tensor(&Tensor::new(values, &Device::Cpu).unwrap()).unwrap()
}

fn values(t: &Tensor) -> Vec<f32> {
    t.flatten_all().unwrap().to_vec1::<f32>().unwrap()
}

/// Gradients equal to `g` for `v`: the gradient of `Σ v·g`.
fn grads_of(v: &Var, g: &[f32]) -> candle_core::backprop::GradStore {
    let g = Tensor::new(g, &Device::Cpu).unwrap();
    (v.as_tensor() * g).unwrap().sum_all().unwrap().backward().unwrap()
}

fn assert_close(ours: &[f32], expected: &[f64], tol: f64) {
    for (i, (a, b)) in ours.iter().zip(expected).enumerate() {
        assert!((f64::from(*a) - b).abs() <= tol, "element {i}: {a} vs {b}");
    }
}

#[test]
fn adam_atan2_first_steps_by_hand() {
    let (lr, wd, b1, b2) = (0.01, 0.1, 0.9, 0.95);
    let theta0 = [0.5f32, -1.0, 2.0, 0.0];
    let g1 = [0.1f32, -0.2, 0.0, 3.0];
    let g2 = [-0.3f32, -0.2, 0.5, 1.0];
    let v = var(&theta0);
    let params = vec![("w".to_string(), v.clone())];
    let mut adam = AdamAtan2::new(b1, b2, wd).unwrap();

    // Step 1: m = 0.1·g, v = 0.05·g², so m̂ = g and √v̂ = |g|: the update is lr·atan2(g, |g|) = lr·π/4·sign(g)
    // (0 where g = 0), after the decay by 1 − lr·wd = 0.999.
    adam.step(&params, &grads_of(&v, &g1), lr).unwrap();
    let q = std::f64::consts::FRAC_PI_4;
    let step1 = [0.5 * 0.999 - 0.01 * q, -0.999 + 0.01 * q, 2.0 * 0.999, 0.0 - 0.01 * q];
    assert_close(&values(v.as_tensor()), &step1, 1e-6);

    // Step 2, written out: m₂ = 0.9·0.1·g1 + 0.1·g2, v₂ = 0.95·0.05·g1² + 0.05·g2²,
    // m̂ = m₂ / (1 − 0.81), √v̂ = √v₂ / √(1 − 0.9025).
    adam.step(&params, &grads_of(&v, &g2), lr).unwrap();
    let expected: Vec<f64> = (0..4)
        .map(|i| {
            let (a, b) = (f64::from(g1[i]), f64::from(g2[i]));
            let m = 0.09 * a + 0.1 * b;
            let s = 0.0475 * a * a + 0.05 * b * b;
            step1[i] * 0.999 - 0.01 * (m / 0.19).atan2(s.sqrt() / 0.0975f64.sqrt())
        })
        .collect();
    assert_close(&values(v.as_tensor()), &expected, 1e-6);
    assert_eq!(adam.steps_of("w"), 2);
}

#[test]
fn adam_atan2_skips_parameters_without_gradient() {
    let a = var(&[1.0, 2.0]);
    let b = var(&[3.0, 4.0]);
    let params = vec![("a".to_string(), a.clone()), ("b".to_string(), b.clone())];
    let mut adam = AdamAtan2::new(0.9, 0.95, 0.1).unwrap();
    adam.step(&params, &grads_of(&a, &[1.0, -1.0]), 0.1).unwrap();
    assert_eq!(values(b.as_tensor()), vec![3.0, 4.0]);
    assert_eq!((adam.steps_of("a"), adam.steps_of("b")), (1, 0));
}

#[test]
fn ema_update_by_hand() {
    let v = var(&[1.0, -2.0, 4.0]);
    let params = vec![("w".to_string(), v.clone())];
    let mut ema = Ema::new(&params, 0.999).unwrap();
    v.set(&Tensor::new(&[3.0f32, 0.0, 4.0], &Device::Cpu).unwrap()).unwrap();
    ema.update(&params).unwrap();
    // 0.999·old + 0.001·new
    assert_close(&values(&ema.shadow()[0].1), &[1.002, -1.998, 4.0], 1e-6);
    ema.update(&params).unwrap();
    assert_close(&values(&ema.shadow()[0].1), &[0.999 * 1.002 + 0.003, 0.999 * -1.998, 4.0], 1e-6);
    // The live weights are untouched.
    assert_eq!(values(v.as_tensor()), vec![3.0, 0.0, 4.0]);
}

#[test]
fn sign_sgd_updates_only_the_batch_rows_with_decay() {
    let table =
        Tensor::new(&[[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0], [-1.0, 0.5, 2.0], [7.0, 8.0, 9.0]], &Device::Cpu).unwrap();
    let view = table.clone(); // a model's copy of the table shares its storage
    let grad = Tensor::new(&[[1.0f32, -2.0, 0.5], [0.0, 0.0, -1.0], [-1.0, 1.0, 0.25]], &Device::Cpu).unwrap();
    let local = LocalEmbedding {
        weights: Var::from_tensor(&Tensor::zeros((3, 3), candle_core::DType::F32, &Device::Cpu).unwrap()).unwrap(),
        ids: vec![2, 0, 2],
    };
    SignSgd::new(0.5).unwrap().step(&table, &local, &grad, 0.1).unwrap();
    // id 2: summed gradient [0, −1, 0.75] → sign [0, −1, 1]; id 0: [0, 0, −1] → [0, 0, −1].
    // w ← w·(1 − 0.1·0.5) − 0.1·sign.
    let expected = [[0.95, 1.9, 2.85 + 0.1], [4.0, 5.0, 6.0], [-0.95, 0.475 + 0.1, 1.9 - 0.1], [7.0, 8.0, 9.0]];
    let got = view.to_vec2::<f32>().unwrap();
    for (row, want) in got.iter().zip(expected) {
        assert_close(row, &want, 1e-6);
    }
}

#[test]
fn schedule_warms_up_then_follows_the_cosine() {
    let constant = LrSchedule { warmup_steps: 2000, total_steps: 10_000, min_ratio: 1.0 };
    assert_eq!(constant.lr(1, 1e-4), 1e-4 / 2000.0);
    assert_eq!(constant.lr(1000, 1e-4), 0.5e-4);
    assert_eq!(constant.lr(2000, 1e-4), 1e-4);
    assert_eq!(constant.lr(9000, 1e-4), 1e-4);
    let cosine = LrSchedule { warmup_steps: 100, total_steps: 300, min_ratio: 0.1 };
    assert!((cosine.lr(100, 1.0) - 1.0).abs() < 1e-12);
    assert!((cosine.lr(200, 1.0) - (0.1 + 0.9 * 0.5)).abs() < 1e-12); // cos(π/2) = 0
    assert!((cosine.lr(300, 1.0) - 0.1).abs() < 1e-12);
    let no_warmup = LrSchedule { warmup_steps: 0, total_steps: 10, min_ratio: 1.0 };
    assert_eq!(no_warmup.lr(1, 0.5), 0.5);
}
