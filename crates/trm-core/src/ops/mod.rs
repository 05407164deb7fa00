//! Fused CPU kernels for the element-wise parts of the network, each with its backward pass.
//!
//! Composed from candle's primitives, one RMSNorm is eight graph nodes, a SwiGLU activation five and a
//! softmax six; on the CPU every node is a full pass over its tensor plus a fresh allocation, and in
//! the backward pass every node costs a zero-filled gradient buffer and an addition on top of its own
//! derivative. For the small models trained here that element-wise traffic cost as much as the
//! matrix products. Each op below is one node: one pass forward, one pass backward.
//!
//! The kernels read contiguous f32 (the callers make their inputs contiguous; the model is f32
//! throughout) and run on one thread, which is also what the playground's wasm build has. The
//! arithmetic follows the composed ops it replaces, so results agree to float32 rounding.

mod heads;
mod rms_norm;
mod softmax;
mod swiglu;

pub use heads::{RopeTable, merge_heads, split_heads};
pub use rms_norm::add_rms_norm;
pub use softmax::scaled_softmax;
pub use swiglu::swiglu;

use candle_core::{CpuStorage, Layout, Result, Shape};

/// The contiguous f32 elements of a kernel input.
fn f32_input<'a>(storage: &'a CpuStorage, layout: &Layout, op: &str) -> Result<&'a [f32]> {
    let data = match storage {
        CpuStorage::F32(data) => data.as_slice(),
        _ => candle_core::bail!("{op}: expected f32 input"),
    };
    match layout.contiguous_offsets() {
        Some((start, end)) => Ok(&data[start..end]),
        None => candle_core::bail!("{op}: the input must be contiguous"),
    }
}

/// The size of the last axis (rows are the rest).
fn last_dim(shape: &Shape) -> Result<usize> {
    match shape.dims().last() {
        Some(&n) if n > 0 => Ok(n),
        _ => candle_core::bail!("expected a non-empty last axis, got shape {shape:?}"),
    }
}

/// `e^x` without a libm call, so that the loops using it vectorise. Evaluated in float64 and rounded
/// once, so it agrees with a correctly rounded `expf` to within 1 ulp (almost always exactly):
/// `x = n·ln 2 + r` with `|r| ≤ ln 2 / 2`, a degree-8 Taylor polynomial for `e^r` (relative error
/// below 3e-10), then `2^n` written into the exponent bits. `x` is clamped to `[−87, 88]` first, so
/// very negative arguments give ~1.6e-38 instead of 0 and large ones ~1.7e38 instead of infinity.
#[inline(always)]
fn exp(x: f32) -> f32 {
    const LOG2_E: f64 = std::f64::consts::LOG2_E;
    const LN_2: f64 = std::f64::consts::LN_2;
    /// 1.5 · 2^52: adding it rounds to an integer, which lands in the low mantissa bits.
    const ROUND: f64 = 6_755_399_441_055_744.0;
    let x = f64::from(x.clamp(-87.0, 88.0));
    let shifted = x * LOG2_E + ROUND;
    let n = shifted - ROUND;
    let r = x - n * LN_2;
    let mut p = 1.0 / 40_320.0;
    for c in [1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0] {
        p = p * r + c;
    }
    let n_bits = shifted.to_bits().wrapping_sub(ROUND.to_bits());
    (p * f64::from_bits(n_bits.wrapping_add(1023) << 52)) as f32
}

/// `x ← e^x` over a slice (a loop LLVM vectorises, which it does not do for `exp` inside longer loops).
fn exp_in_place(xs: &mut [f32]) {
    for x in xs {
        *x = exp(*x);
    }
}

/// The largest element, in eight interleaved lanes so that the loop vectorises.
fn max_of(xs: &[f32]) -> f32 {
    let mut lanes = [f32::NEG_INFINITY; 8];
    let mut chunks = xs.chunks_exact(8);
    for chunk in &mut chunks {
        for (lane, &x) in lanes.iter_mut().zip(chunk) {
            *lane = if x > *lane { x } else { *lane };
        }
    }
    chunks.remainder().iter().chain(&lanes).fold(f32::NEG_INFINITY, |m, &x| if x > m { x } else { m })
}

/// The sum, in eight interleaved lanes so that the loop vectorises.
fn sum_of(xs: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let mut chunks = xs.chunks_exact(8);
    for chunk in &mut chunks {
        for (lane, &x) in lanes.iter_mut().zip(chunk) {
            *lane += x;
        }
    }
    lanes.iter().sum::<f32>() + chunks.remainder().iter().sum::<f32>()
}

/// `Σ a·b`, in eight interleaved lanes so that the loop vectorises.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (mut a_chunks, mut b_chunks) = (a.chunks_exact(8), b.chunks_exact(8));
    for (a, b) in (&mut a_chunks).zip(&mut b_chunks) {
        for ((lane, a), b) in lanes.iter_mut().zip(a).zip(b) {
            *lane += a * b;
        }
    }
    let tail: f32 = a_chunks.remainder().iter().zip(b_chunks.remainder()).map(|(a, b)| a * b).sum();
    lanes.iter().sum::<f32>() + tail
}

/// Wraps a kernel's output.
fn output(data: Vec<f32>, shape: impl Into<Shape>) -> Result<(CpuStorage, Shape)> {
    Ok((CpuStorage::F32(data), shape.into()))
}

#[cfg(test)]
mod tests {
    use candle_core::{D, DType, Device, Tensor, Var};

    use super::*;
    use crate::layers::{RotaryTables, rms_norm};

    /// Deterministic values in about [−2, 2].
    fn values(shape: &[usize], k: usize) -> Tensor {
        let n: usize = shape.iter().product();
        let v: Vec<f32> = (0..n).map(|i| ((i * k + 3) % 29) as f32 / 7.0 - 2.0).collect();
        Tensor::from_vec(v, shape, &Device::Cpu).unwrap()
    }

    fn max_diff(a: &Tensor, b: &Tensor) -> f32 {
        assert_eq!(a.dims(), b.dims());
        (a - b).unwrap().abs().unwrap().flatten_all().unwrap().max(0).unwrap().to_scalar::<f32>().unwrap()
    }

    /// Runs `fused` and `composed` on variables made from `inputs`, and checks that the outputs and
    /// the gradients of `Σ out · probe` with respect to every input agree.
    fn check(inputs: &[Tensor], fused: impl Fn(&[Tensor]) -> Tensor, composed: impl Fn(&[Tensor]) -> Tensor) {
        let run = |f: &dyn Fn(&[Tensor]) -> Tensor| {
            let vars: Vec<Var> = inputs.iter().map(|t| Var::from_tensor(t).unwrap()).collect();
            let tensors: Vec<Tensor> = vars.iter().map(|v| v.as_tensor().clone()).collect();
            let out = f(&tensors);
            let probe = values(out.dims(), 11);
            let grads = (&out * &probe).unwrap().sum_all().unwrap().backward().unwrap();
            let grads: Vec<Tensor> = vars.iter().map(|v| grads.get(v.as_tensor()).unwrap().clone()).collect();
            (out, grads)
        };
        let (out_f, grads_f) = run(&fused);
        let (out_c, grads_c) = run(&composed);
        assert!(max_diff(&out_f, &out_c) < 1e-5, "outputs differ by {}", max_diff(&out_f, &out_c));
        for (i, (f, c)) in grads_f.iter().zip(&grads_c).enumerate() {
            assert!(max_diff(f, c) < 1e-4, "gradient {i} differs by {}", max_diff(f, c));
        }
    }

    #[test]
    fn add_rms_norm_matches_the_composed_ops() {
        let inputs = [values(&[2, 5, 8], 7), values(&[2, 5, 8], 5)];
        check(
            &inputs,
            |t| add_rms_norm(&t[0], &t[1], 1e-5).unwrap(),
            |t| rms_norm(&(&t[0] + &t[1]).unwrap(), 1e-5).unwrap(),
        );
    }

    #[test]
    fn swiglu_matches_the_composed_ops() {
        check(
            &[values(&[3, 4, 12], 7)],
            |t| swiglu(&t[0]).unwrap(),
            |t| {
                let (gate, up) = (t[0].narrow(D::Minus1, 0, 6).unwrap(), t[0].narrow(D::Minus1, 6, 6).unwrap());
                (candle_nn::ops::silu(&gate).unwrap() * up).unwrap()
            },
        );
    }

    #[test]
    fn scaled_softmax_matches_the_composed_ops() {
        check(
            &[values(&[2, 3, 4, 7], 5)],
            |t| scaled_softmax(&t[0], 0.37).unwrap(),
            |t| candle_nn::ops::softmax(&(&t[0] * 0.37).unwrap(), D::Minus1).unwrap(),
        );
    }

    #[test]
    fn head_layouts_match_transposes_and_rope() {
        let (batch, seq, heads, head_dim) = (2, 5, 3, 4);
        let rotary = RotaryTables::new(head_dim, seq + 2, 10_000.0, &Device::Cpu).unwrap();
        let table = rotary_table(&rotary);
        let split = |t: &Tensor| t.reshape((batch, seq, heads, head_dim)).unwrap().transpose(1, 2).unwrap();
        check(
            &[values(&[batch, seq, heads * head_dim], 7)],
            |t| split_heads(&t[0], batch, seq, heads, Some(&table)).unwrap(),
            |t| rotary.apply(&split(&t[0]).contiguous().unwrap()).unwrap(),
        );
        check(
            &[values(&[batch, heads, seq, head_dim], 5)],
            |t| merge_heads(&t[0], None).unwrap(),
            |t| t[0].transpose(1, 2).unwrap().reshape((batch, seq, heads * head_dim)).unwrap(),
        );
        // Merging with the rotation undoes the split.
        let x = values(&[batch, seq, heads * head_dim], 3);
        let back = merge_heads(&split_heads(&x, batch, seq, heads, Some(&table)).unwrap(), Some(&table)).unwrap();
        assert!(max_diff(&x, &back) < 1e-5);
    }

    /// The f32 tables of `rotary`, as the attention layer uses them.
    fn rotary_table(rotary: &RotaryTables) -> RopeTable {
        rotary.table().clone()
    }

    #[test]
    fn exp_is_within_one_ulp_of_libm() {
        let mut worst = 0u32;
        for i in 0..=1_000_000 {
            let x = -87.0 + 175.0 * i as f32 / 1_000_000.0;
            let (ours, libm) = (exp(x), x.exp());
            worst = worst.max(ours.to_bits().abs_diff(libm.to_bits()));
        }
        assert!(worst <= 1, "{worst} ulp");
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(-1000.0) < 1e-37 && exp(1000.0).is_finite() && exp(f32::NAN).is_nan());
        assert_eq!(max_of(&[1.0, -3.0, 7.5, 2.0, 0.0, 1.0, 1.0, 1.0, 9.0, -1.0]), 9.0);
        let ramp: Vec<f32> = (1..=11).map(|i| i as f32).collect();
        assert_eq!(sum_of(&ramp), 66.0);
        assert_eq!(dot(&ramp, &ramp), 506.0);
    }

    #[test]
    fn kernels_refuse_other_dtypes() {
        let x = values(&[2, 4], 3).to_dtype(DType::F64).unwrap();
        assert!(swiglu(&x).is_err());
        assert!(scaled_softmax(&x, 1.0).is_err());
    }
}
