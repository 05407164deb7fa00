//! A deterministic candle computation used to prove that candle works on the current target.
//!
//! The playground's Web Worker runs [`matmul_probe`] when asked and the page shows the result; the
//! end-to-end test recomputes the same numbers in plain JavaScript and compares. Natively and in the
//! browser the unit tests compare against a naive triple loop.

use candle_core::{Device, Tensor};

use crate::{Error, Result};

/// Largest side accepted by [`matmul_probe`]; keeps the probe quick and its memory small.
pub const MAX_PROBE_SIDE: usize = 512;

/// What [`matmul_probe`] computed.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeResult {
    /// Side of the square matrices.
    pub side: usize,
    /// Sum of every entry of `A·B`.
    pub sum: f64,
    /// Trace of `A·B`.
    pub trace: f64,
}

/// Entry `(i, j)` of the probe's left matrix: a fixed, easily recomputed pattern in `[-0.5, 0.5)`.
pub fn probe_a(i: usize, j: usize) -> f32 {
    ((i * 7 + j * 3) % 11) as f32 / 11.0 - 0.5
}

/// Entry `(i, j)` of the probe's right matrix.
pub fn probe_b(i: usize, j: usize) -> f32 {
    ((i * 5 + j * 2 + 1) % 13) as f32 / 13.0 - 0.5
}

/// Multiplies two `side × side` pattern matrices with candle on the CPU and summarises the product.
pub fn matmul_probe(side: usize) -> Result<ProbeResult> {
    if side == 0 || side > MAX_PROBE_SIDE {
        return Err(Error::InvalidArgument(format!("probe side must be in 1..={MAX_PROBE_SIDE}, got {side}")));
    }
    let device = Device::Cpu;
    let a: Vec<f32> = (0..side * side).map(|k| probe_a(k / side, k % side)).collect();
    let b: Vec<f32> = (0..side * side).map(|k| probe_b(k / side, k % side)).collect();
    let a = Tensor::from_vec(a, (side, side), &device)?;
    let b = Tensor::from_vec(b, (side, side), &device)?;
    let c = a.matmul(&b)?;
    let sum = c.sum_all()?.to_scalar::<f32>()? as f64;
    let trace: f32 = (0..side).map(|i| c.get(i)?.get(i)?.to_scalar::<f32>()).sum::<candle_core::Result<f32>>()?;
    Ok(ProbeResult { side, sum, trace: trace as f64 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(side: usize) -> (f64, f64) {
        let mut sum = 0.0f64;
        let mut trace = 0.0f64;
        for i in 0..side {
            for j in 0..side {
                let v: f64 = (0..side).map(|k| probe_a(i, k) as f64 * probe_b(k, j) as f64).sum();
                sum += v;
                if i == j {
                    trace += v;
                }
            }
        }
        (sum, trace)
    }

    #[test]
    fn probe_matches_naive_loop() {
        for side in [1, 7, 64, 97] {
            let got = matmul_probe(side).unwrap();
            let (sum, trace) = naive(side);
            assert!((got.sum - sum).abs() < 1e-3 * (1.0 + sum.abs()), "side {side}: {got:?} vs {sum}");
            assert!((got.trace - trace).abs() < 1e-3 * (1.0 + trace.abs()), "side {side}: {got:?} vs {trace}");
        }
    }

    #[test]
    fn probe_rejects_bad_sides() {
        assert!(matches!(matmul_probe(0), Err(Error::InvalidArgument(_))));
        assert!(matches!(matmul_probe(MAX_PROBE_SIDE + 1), Err(Error::InvalidArgument(_))));
    }
}
