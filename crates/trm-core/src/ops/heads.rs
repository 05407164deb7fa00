//! Moving between the token-major layout of the projections, `[B, S, H·hd]`, and the head-major
//! layout of the attention products, `[B, H, S, hd]`, with rotary position embedding applied on the
//! way in (queries and keys) and undone on the way out (its gradient is the inverse rotation).

use std::sync::Arc;

use candle_core::{CpuStorage, CustomOp1, Layout, Result, Shape, Tensor};

use super::{f32_input, output};

/// Rotate-half RoPE tables for positions `0..S`: `cos` and `sin`, `[S, head_dim / 2]` row-major.
#[derive(Debug, Clone)]
pub struct RopeTable {
    pub cos: Arc<[f32]>,
    pub sin: Arc<[f32]>,
    pub half: usize,
}

/// The geometry of one layout change.
#[derive(Debug, Clone, Copy)]
struct Dims {
    batch: usize,
    seq: usize,
    heads: usize,
    head_dim: usize,
}

/// `x: [B, S, H·hd]` (or `[B·S, H·hd]`) → `[B, H, S, hd]`, rotated by `rope` if given.
pub fn split_heads(x: &Tensor, batch: usize, seq: usize, heads: usize, rope: Option<&RopeTable>) -> Result<Tensor> {
    let head_dim = x.elem_count() / (batch * seq * heads).max(1);
    let dims = Dims { batch, seq, heads, head_dim };
    x.contiguous()?.apply_op1(Heads { dims, merge: false, rope: rope.cloned() })
}

/// `x: [B, H, S, hd]` → `[B, S, H·hd]`, rotated back by `rope` if given (the inverse of [`split_heads`]).
pub fn merge_heads(x: &Tensor, rope: Option<&RopeTable>) -> Result<Tensor> {
    let (batch, heads, seq, head_dim) = x.dims4()?;
    let dims = Dims { batch, seq, heads, head_dim };
    x.contiguous()?.apply_op1(Heads { dims, merge: true, rope: rope.cloned() })
}

/// Split (`merge = false`: token-major in, rotated forward) or merge (head-major in, rotated back).
struct Heads {
    dims: Dims,
    merge: bool,
    rope: Option<RopeTable>,
}

impl Heads {
    /// Copies one head vector `src` of position `pos` into `dst`, rotating by ±θ(pos).
    fn move_vector(&self, pos: usize, src: &[f32], dst: &mut [f32]) {
        let Some(rope) = &self.rope else {
            dst.copy_from_slice(src);
            return;
        };
        let half = rope.half;
        let (cos, sin) = (&rope.cos[pos * half..(pos + 1) * half], &rope.sin[pos * half..(pos + 1) * half]);
        let (x1, x2) = src.split_at(half);
        let (y1, y2) = dst.split_at_mut(half);
        for i in 0..half {
            if self.merge {
                y1[i] = x1[i] * cos[i] + x2[i] * sin[i];
                y2[i] = x2[i] * cos[i] - x1[i] * sin[i];
            } else {
                y1[i] = x1[i] * cos[i] - x2[i] * sin[i];
                y2[i] = x2[i] * cos[i] + x1[i] * sin[i];
            }
        }
    }
}

impl CustomOp1 for Heads {
    fn name(&self) -> &'static str {
        if self.merge { "merge-heads" } else { "split-heads" }
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let input = f32_input(storage, layout, self.name())?;
        let Dims { batch, seq, heads, head_dim } = self.dims;
        if input.len() != batch * seq * heads * head_dim || head_dim == 0 {
            candle_core::bail!(
                "{}: {:?} does not hold [{batch}, {seq}, {heads}, {head_dim}]",
                self.name(),
                layout.shape()
            );
        }
        if let Some(rope) = &self.rope
            && (2 * rope.half != head_dim || rope.cos.len() < seq * rope.half)
        {
            candle_core::bail!("{}: rotary tables do not fit {seq} positions of width {head_dim}", self.name());
        }
        let mut out = vec![0f32; input.len()];
        for b in 0..batch {
            for s in 0..seq {
                for h in 0..heads {
                    let token_major = ((b * seq + s) * heads + h) * head_dim;
                    let head_major = ((b * heads + h) * seq + s) * head_dim;
                    let (from, to) = if self.merge { (head_major, token_major) } else { (token_major, head_major) };
                    self.move_vector(s, &input[from..from + head_dim], &mut out[to..to + head_dim]);
                }
            }
        }
        let shape = if self.merge {
            Shape::from((batch, seq, heads * head_dim))
        } else {
            Shape::from((batch, heads, seq, head_dim))
        };
        output(out, shape)
    }

    /// The gradient goes the other way: split ↔ merge, the rotation inverted.
    fn bwd(&self, arg: &Tensor, _res: &Tensor, grad: &Tensor) -> Result<Option<Tensor>> {
        let inverse = Heads { dims: self.dims, merge: !self.merge, rope: self.rope.clone() };
        Ok(Some(grad.contiguous()?.apply_op1_no_bwd(&inverse)?.reshape(arg.shape())?))
    }
}
