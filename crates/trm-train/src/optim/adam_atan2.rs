//! AdamATan2 (package `adam-atan2`, reference §6.3): Adam whose update is `atan2(m̂, √v̂)` instead of
//! `m̂ / (√v̂ + ε)`, so it needs no epsilon and is bounded by `lr·π/2`.
//!
//! Per parameter, with zero-initialised moments `m`, `v` and a step count `t`:
//!
//! ```text
//! t ← t + 1
//! θ ← θ · (1 − lr·λ)                        decoupled weight decay, before the moments
//! m ← m + (1 − β1)·(g − m)
//! v ← v + (1 − β2)·(g² − v)
//! θ ← θ − lr · atan2(m / (1 − β1^t), √v / √(1 − β2^t))
//! ```
//!
//! As in the fused kernel, the per-step scalars (`1 − lr·λ`, `1/(1 − β1^t)`, `√(1 − β2^t)`) are
//! computed in float64 and used in float32, the elementwise arithmetic is float32, the step count is
//! kept per parameter, and a parameter without a gradient is skipped (its count does not advance).
//! candle has no `atan2`, so the update runs on the host; that costs a copy of each weight per step,
//! small next to the forward and backward passes on the CPU.

use std::collections::HashMap;

use candle_core::backprop::GradStore;
use candle_core::{Tensor, Var};

use crate::{Error, Result};

/// Moments and step count of one parameter.
#[derive(Debug, Clone)]
struct Moments {
    m: Vec<f32>,
    v: Vec<f32>,
    t: f32,
}

/// The AdamATan2 optimizer; the learning rate is given at every step (it follows the schedule).
#[derive(Debug, Clone)]
pub struct AdamAtan2 {
    beta1: f64,
    beta2: f64,
    weight_decay: f64,
    state: HashMap<String, Moments>,
}

impl AdamAtan2 {
    /// `betas` in [0, 1), decoupled `weight_decay` ≥ 0 (official: 0.9, 0.95, 0.1 or 1.0).
    pub fn new(beta1: f64, beta2: f64, weight_decay: f64) -> Result<Self> {
        let beta_ok = |b: f64| (0.0..1.0).contains(&b);
        if !beta_ok(beta1) || !beta_ok(beta2) || weight_decay.is_nan() || weight_decay < 0.0 {
            return Err(Error::Config(format!(
                "AdamATan2 needs betas in [0, 1) and weight decay ≥ 0, got {beta1}, {beta2}, {weight_decay}"
            )));
        }
        Ok(Self { beta1, beta2, weight_decay, state: HashMap::new() })
    }

    /// Updates every parameter of `params` that has a gradient in `grads`.
    pub fn step(&mut self, params: &[(String, Var)], grads: &GradStore, lr: f64) -> Result<()> {
        for (name, var) in params {
            let Some(grad) = grads.get(var.as_tensor()) else { continue };
            let mut theta = var.as_tensor().flatten_all()?.to_vec1::<f32>()?;
            let grad = grad.flatten_all()?.to_vec1::<f32>()?;
            let n = theta.len();
            let moments =
                self.state.entry(name.clone()).or_insert_with(|| Moments { m: vec![0.0; n], v: vec![0.0; n], t: 0.0 });
            moments.t += 1.0;
            let t = f64::from(moments.t);
            let decay = (1.0 - lr * self.weight_decay) as f32;
            let bias1_recip = (1.0 / (1.0 - self.beta1.powf(t))) as f32;
            let bias2_sqrt = (1.0 - self.beta2.powf(t)).sqrt() as f32;
            let (one_minus_b1, one_minus_b2) = ((1.0 - self.beta1) as f32, (1.0 - self.beta2) as f32);
            let lr32 = lr as f32;
            for i in 0..n {
                let g = grad[i];
                let m = moments.m[i] + one_minus_b1 * (g - moments.m[i]);
                let v = moments.v[i] + one_minus_b2 * (g * g - moments.v[i]);
                moments.m[i] = m;
                moments.v[i] = v;
                let p = theta[i] * decay;
                theta[i] = p - lr32 * (bias1_recip * m).atan2(v.sqrt() / bias2_sqrt);
            }
            var.set(&Tensor::from_vec(theta, var.shape(), var.device())?)?;
        }
        Ok(())
    }

    /// The per-parameter state, by parameter name: first moments, second moments and step count
    /// (parameters that never had a gradient are absent). For checkpoints.
    pub fn moments(&self) -> impl Iterator<Item = (&str, &[f32], &[f32], f32)> {
        self.state.iter().map(|(name, s)| (name.as_str(), s.m.as_slice(), s.v.as_slice(), s.t))
    }

    /// Restores one parameter's state, as [`AdamAtan2::moments`] gave it.
    pub fn set_moments(&mut self, name: &str, m: Vec<f32>, v: Vec<f32>, t: f32) -> Result<()> {
        if m.len() != v.len() || !(t.is_finite() && t >= 0.0) {
            return Err(Error::Config(format!(
                "AdamATan2 state of {name}: {} first and {} second moments, step count {t}",
                m.len(),
                v.len()
            )));
        }
        self.state.insert(name.to_string(), Moments { m, v, t });
        Ok(())
    }

    /// Steps taken by parameter `name` (0 before its first gradient).
    pub fn steps_of(&self, name: &str) -> usize {
        self.state.get(name).map_or(0, |s| s.t as usize)
    }
}
