//! The learning-rate schedule of the official trainer (reference §6.2): linear warm-up, then a cosine
//! from the base rate down to `min_ratio · base`. The shipped `lr_min_ratio` is 1.0, which makes the
//! second phase constant; every README run uses that.

use std::f64::consts::PI;

/// Warm-up and decay lengths, shared by both optimizers (each scales it by its own base rate).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LrSchedule {
    /// `lr_warmup_steps` (2000 in the official config).
    pub warmup_steps: usize,
    /// Total optimizer steps of the run (the end of the cosine).
    pub total_steps: usize,
    /// `lr_min_ratio` (1.0 = no decay).
    pub min_ratio: f64,
}

impl LrSchedule {
    /// The rate at optimizer step `step` (counted from 1, as the official trainer increments its
    /// counter before computing the rate).
    pub fn lr(&self, step: usize, base_lr: f64) -> f64 {
        if step < self.warmup_steps {
            return base_lr * step as f64 / self.warmup_steps.max(1) as f64;
        }
        let progress =
            (step - self.warmup_steps) as f64 / self.total_steps.saturating_sub(self.warmup_steps).max(1) as f64;
        let cosine = (1.0 - self.min_ratio) * 0.5 * (1.0 + (PI * progress).cos());
        base_lr * (self.min_ratio + cosine.max(0.0))
    }
}
