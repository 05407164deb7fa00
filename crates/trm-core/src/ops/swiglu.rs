//! The SwiGLU activation `silu(gate) · up` on the `[gate | up]` output of a fused `gate_up_proj`.

use candle_core::{CpuStorage, CustomOp1, CustomOp2, Layout, Result, Shape, Tensor};

use super::{exp_in_place, f32_input, last_dim, output};

/// `silu(gate) · up` where `gate_up` is `[..., 2·I]` = `[gate | up]`; returns `[..., I]`.
pub fn swiglu(gate_up: &Tensor) -> Result<Tensor> {
    gate_up.contiguous()?.apply_op1(SwiGlu)
}

/// `e^{−g}` of every gate value into `scratch`.
fn exp_neg(gate: &[f32], scratch: &mut Vec<f32>) {
    scratch.clear();
    scratch.extend(gate.iter().map(|g| -g));
    exp_in_place(scratch);
}

/// The output shape `[..., I]` of an input `[..., 2·I]`.
fn halved(shape: &Shape) -> Result<(usize, Shape)> {
    let width = last_dim(shape)?;
    if width % 2 != 0 {
        candle_core::bail!("swiglu: the last axis ({width}) must be [gate | up]");
    }
    let mut dims = shape.dims().to_vec();
    *dims.last_mut().expect("non-empty") = width / 2;
    Ok((width / 2, Shape::from(dims)))
}

struct SwiGlu;

impl CustomOp1 for SwiGlu {
    fn name(&self) -> &'static str {
        "swiglu"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let input = f32_input(storage, layout, self.name())?;
        let (half, shape) = halved(layout.shape())?;
        let mut out = Vec::with_capacity(input.len() / 2);
        let mut e = Vec::with_capacity(half);
        for row in input.chunks_exact(2 * half) {
            let (gate, up) = row.split_at(half);
            exp_neg(gate, &mut e);
            // silu(g) = g / (1 + e^{−g}), as candle's `silu` writes it.
            out.extend(gate.iter().zip(up).zip(&e).map(|((g, u), e)| g / (1.0 + e) * u));
        }
        output(out, shape)
    }

    fn bwd(&self, arg: &Tensor, _res: &Tensor, grad: &Tensor) -> Result<Option<Tensor>> {
        Ok(Some(arg.apply_op2_no_bwd(&grad.contiguous()?, &SwiGluBackward)?))
    }
}

/// `[d gate | d up]` from `(gate_up, grad)`: `d up = g · silu(gate)`,
/// `d gate = g · up · σ(gate) · (1 + gate · (1 − σ(gate)))`.
struct SwiGluBackward;

impl CustomOp2 for SwiGluBackward {
    fn name(&self) -> &'static str {
        "swiglu-backward"
    }

    fn cpu_fwd(&self, s1: &CpuStorage, l1: &Layout, s2: &CpuStorage, l2: &Layout) -> Result<(CpuStorage, Shape)> {
        let (input, grad) = (f32_input(s1, l1, self.name())?, f32_input(s2, l2, self.name())?);
        let (half, _) = halved(l1.shape())?;
        let mut out = vec![0f32; input.len()];
        let mut e = Vec::with_capacity(half);
        for ((row, g), d) in
            input.chunks_exact(2 * half).zip(grad.chunks_exact(half)).zip(out.chunks_exact_mut(2 * half))
        {
            let (gate, up) = row.split_at(half);
            let (d_gate, d_up) = d.split_at_mut(half);
            exp_neg(gate, &mut e);
            for i in 0..half {
                let denom = 1.0 + e[i];
                let (s, silu) = (1.0 / denom, gate[i] / denom);
                d_up[i] = g[i] * silu;
                d_gate[i] = g[i] * up[i] * (s * (1.0 + gate[i] * (1.0 - s)));
            }
        }
        output(out, l1.shape().clone())
    }
}
