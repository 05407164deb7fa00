//! `rms_norm(a + b)`: the residual add and TRM's weightless RMSNorm (`x / sqrt(mean(x²) + eps)` over
//! the last axis) as one op.

use candle_core::{CpuStorage, CustomOp2, CustomOp3, Layout, Result, Shape, Tensor};

use super::{dot, f32_input, last_dim, output};

/// `rms_norm(a + b, eps)` over the last axis; `a` and `b` have the same shape.
pub fn add_rms_norm(a: &Tensor, b: &Tensor, eps: f64) -> Result<Tensor> {
    if a.dims() != b.dims() {
        candle_core::bail!("add_rms_norm: shapes {:?} and {:?} differ", a.dims(), b.dims());
    }
    a.contiguous()?.apply_op2(&b.contiguous()?, AddRmsNorm { eps: eps as f32 })
}

/// Calls `f` with each row's sum `x = a + b` (in `x`), its `1 / sqrt(mean(x²) + eps)` and its index.
fn for_each_row(a: &[f32], b: &[f32], n: usize, eps: f32, x: &mut [f32], mut f: impl FnMut(usize, &[f32], f32)) {
    for (row, (a, b)) in a.chunks_exact(n).zip(b.chunks_exact(n)).enumerate() {
        for ((x, a), b) in x.iter_mut().zip(a).zip(b) {
            *x = a + b;
        }
        let denom = (dot(x, x) / n as f32 + eps).sqrt();
        f(row, x, denom);
    }
}

struct AddRmsNorm {
    eps: f32,
}

impl CustomOp2 for AddRmsNorm {
    fn name(&self) -> &'static str {
        "add-rms-norm"
    }

    fn cpu_fwd(&self, s1: &CpuStorage, l1: &Layout, s2: &CpuStorage, l2: &Layout) -> Result<(CpuStorage, Shape)> {
        let (a, b) = (f32_input(s1, l1, self.name())?, f32_input(s2, l2, self.name())?);
        let n = last_dim(l1.shape())?;
        let mut out = Vec::with_capacity(a.len());
        let mut x = vec![0f32; n];
        for_each_row(a, b, n, self.eps, &mut x, |_, x, denom| out.extend(x.iter().map(|x| x / denom)));
        output(out, l1.shape().clone())
    }

    /// With `y = x / d`, `d = sqrt(mean(x²) + eps)`: `dx = (g − y · mean(g · y)) / d`, for `a` and `b` alike.
    fn bwd(&self, a: &Tensor, b: &Tensor, _res: &Tensor, grad: &Tensor) -> Result<(Option<Tensor>, Option<Tensor>)> {
        let dx = a.apply_op3_no_bwd(b, &grad.contiguous()?, &AddRmsNormBackward { eps: self.eps })?;
        Ok((Some(dx.clone()), Some(dx)))
    }
}

/// The input gradient of [`AddRmsNorm`] from `(a, b, grad)`; the norm is recomputed, not stored.
struct AddRmsNormBackward {
    eps: f32,
}

impl CustomOp3 for AddRmsNormBackward {
    fn name(&self) -> &'static str {
        "add-rms-norm-backward"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let name = self.name();
        let (a, b, g) = (f32_input(s1, l1, name)?, f32_input(s2, l2, name)?, f32_input(s3, l3, name)?);
        let n = last_dim(l1.shape())?;
        let mut dx = vec![0f32; a.len()];
        let mut x = vec![0f32; n];
        for_each_row(a, b, n, self.eps, &mut x, |row, x, denom| {
            let span = row * n..(row + 1) * n;
            let g = &g[span.clone()];
            let mean_dot = dot(x, g) / denom / n as f32;
            for ((dx, x), g) in dx[span].iter_mut().zip(x).zip(g) {
                *dx = (g - x / denom * mean_dot) / denom;
            }
        });
        output(dx, l1.shape().clone())
    }
}
