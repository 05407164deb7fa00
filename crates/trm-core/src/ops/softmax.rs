//! `softmax(scale · scores)` over the last axis (the attention weights), with its backward pass.

use candle_core::{CpuStorage, CustomOp1, CustomOp2, Layout, Result, Shape, Tensor};

use super::{dot, exp_in_place, f32_input, last_dim, max_of, output, sum_of};

/// `softmax(scale · x)` over the last axis.
pub fn scaled_softmax(x: &Tensor, scale: f64) -> Result<Tensor> {
    x.contiguous()?.apply_op1(ScaledSoftmax { scale: scale as f32 })
}

struct ScaledSoftmax {
    scale: f32,
}

impl CustomOp1 for ScaledSoftmax {
    fn name(&self) -> &'static str {
        "scaled-softmax"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let input = f32_input(storage, layout, self.name())?;
        let n = last_dim(layout.shape())?;
        let mut out = Vec::with_capacity(input.len());
        for x in input.chunks_exact(n) {
            let start = out.len();
            out.extend(x.iter().map(|x| x * self.scale));
            let y = &mut out[start..];
            let max = max_of(y);
            for y in y.iter_mut() {
                *y -= max;
            }
            exp_in_place(y);
            let sum = sum_of(y);
            for y in y.iter_mut() {
                *y /= sum;
            }
        }
        output(out, layout.shape().clone())
    }

    fn bwd(&self, _arg: &Tensor, res: &Tensor, grad: &Tensor) -> Result<Option<Tensor>> {
        Ok(Some(res.apply_op2_no_bwd(&grad.contiguous()?, &ScaledSoftmaxBackward { scale: self.scale })?))
    }
}

/// `dx = scale · y · (g − Σ g·y)` per row, from `(y, g)`.
struct ScaledSoftmaxBackward {
    scale: f32,
}

impl CustomOp2 for ScaledSoftmaxBackward {
    fn name(&self) -> &'static str {
        "scaled-softmax-backward"
    }

    fn cpu_fwd(&self, s1: &CpuStorage, l1: &Layout, s2: &CpuStorage, l2: &Layout) -> Result<(CpuStorage, Shape)> {
        let (y, g) = (f32_input(s1, l1, self.name())?, f32_input(s2, l2, self.name())?);
        let n = last_dim(l1.shape())?;
        let mut out = Vec::with_capacity(y.len());
        for (y, g) in y.chunks_exact(n).zip(g.chunks_exact(n)) {
            let dot = dot(y, g);
            out.extend(y.iter().zip(g).map(|(y, g)| self.scale * (y * (g - dot))));
        }
        output(out, l1.shape().clone())
    }
}
