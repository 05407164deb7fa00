//! The pieces of TRM's one shared network: weightless RMSNorm, SwiGLU, attention with RoPE, and the
//! sequence-axis MLP of `mlp_t` models. Module paths equal the official checkpoint keys.
//!
//! Every operation here is differentiable whenever gradients are tracked, so the trainer uses the
//! same code. The element-wise parts (residual add + RMSNorm, the SwiGLU activation, the attention
//! softmax, the head layout with RoPE) are the fused kernels of [`crate::ops`].

use candle_core::{D, Device, Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder};

use crate::ops::{self, RopeTable};

/// `x / sqrt(mean(x²) + eps)` over the last axis, without a gain (TRM's norms have none). Composed
/// from candle ops; the network itself uses the fused [`ops::add_rms_norm`].
pub fn rms_norm(x: &Tensor, eps: f64) -> Result<Tensor> {
    let mean_square = x.sqr()?.mean_keepdim(D::Minus1)?;
    x.broadcast_div(&(mean_square + eps)?.sqrt()?)
}

/// A bias-free linear layer `[out, in]` at `vb.pp(name)`.
pub fn linear_no_bias(vb: &VarBuilder, name: &str, inputs: usize, outputs: usize) -> Result<Linear> {
    let weight = vb.pp(name).get((outputs, inputs), "weight")?;
    Ok(Linear::new(weight, None))
}

/// SwiGLU: one fused `gate_up_proj` whose output is `[gate | up]`, then `down_proj(silu(gate) · up)`.
#[derive(Debug, Clone)]
pub struct SwiGlu {
    gate_up_proj: Linear,
    down_proj: Linear,
}

impl SwiGlu {
    pub fn new(vb: VarBuilder, width: usize, intermediate: usize) -> Result<Self> {
        Ok(Self {
            gate_up_proj: linear_no_bias(&vb, "gate_up_proj", width, 2 * intermediate)?,
            down_proj: linear_no_bias(&vb, "down_proj", intermediate, width)?,
        })
    }
}

impl Module for SwiGlu {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.down_proj.forward(&ops::swiglu(&self.gate_up_proj.forward(x)?)?)
    }
}

/// Rotary tables for positions `0..S` (prefix slots included), `[S, head_dim / 2]` each.
#[derive(Debug, Clone)]
pub struct RotaryTables {
    table: RopeTable,
}

impl RotaryTables {
    /// Computed in f32 like the official `RotaryEmbedding`.
    pub fn new(head_dim: usize, positions: usize, theta: f64, _device: &Device) -> Result<Self> {
        let half = head_dim / 2;
        let theta = theta as f32;
        let inv_freq: Vec<f32> = (0..half).map(|i| 1.0 / theta.powf((2 * i) as f32 / head_dim as f32)).collect();
        let mut cos = Vec::with_capacity(positions * half);
        let mut sin = Vec::with_capacity(positions * half);
        for p in 0..positions {
            for &f in &inv_freq {
                let angle = p as f32 * f;
                cos.push(angle.cos());
                sin.push(angle.sin());
            }
        }
        Ok(Self { table: RopeTable { cos: cos.into(), sin: sin.into(), half } })
    }

    /// The f32 tables, as the fused kernels read them.
    pub fn table(&self) -> &RopeTable {
        &self.table
    }

    /// Rotate-half (non-interleaved) RoPE on `x: [B, H, S, head_dim]`, composed from candle ops (the
    /// attention applies it fused, in [`ops::split_heads`]).
    pub fn apply(&self, x: &Tensor) -> Result<Tensor> {
        let (half, positions) = (self.table.half, self.table.cos.len() / self.table.half.max(1));
        let table = |v: &[f32]| Tensor::from_slice(v, (1, 1, positions, half), x.device());
        let seq = x.dim(2)?;
        let cos = table(&self.table.cos)?.narrow(2, 0, seq)?;
        let sin = table(&self.table.sin)?.narrow(2, 0, seq)?;
        let x1 = x.narrow(D::Minus1, 0, half)?;
        let x2 = x.narrow(D::Minus1, half, half)?;
        let first = (x1.broadcast_mul(&cos)? - x2.broadcast_mul(&sin)?)?;
        let second = (x2.broadcast_mul(&cos)? + x1.broadcast_mul(&sin)?)?;
        Tensor::cat(&[first, second], D::Minus1)
    }
}

/// Non-causal multi-head self-attention with a fused `qkv_proj` (`[Q heads | K heads | V heads]`).
///
/// The query, key and value projections are row blocks of `qkv_proj`'s weight, applied one by one:
/// slicing the weight is cheaper, backward, than slicing the `[B, S, 3·D]` projection.
#[derive(Debug, Clone)]
pub struct Attention {
    q_proj: Linear,
    k_proj: Linear,
    v_proj: Linear,
    o_proj: Linear,
    num_heads: usize,
}

impl Attention {
    pub fn new(vb: VarBuilder, hidden: usize, num_heads: usize) -> Result<Self> {
        let head_dim = hidden / num_heads;
        let qkv_proj = linear_no_bias(&vb, "qkv_proj", hidden, 3 * num_heads * head_dim)?;
        let o_proj = linear_no_bias(&vb, "o_proj", num_heads * head_dim, hidden)?;
        Self::from_weights(qkv_proj.weight(), o_proj, num_heads)
    }

    /// From the fused `qkv_proj` weight `[3·H·hd, D]` and `o_proj`.
    fn from_weights(qkv_weight: &Tensor, o_proj: Linear, num_heads: usize) -> Result<Self> {
        let width = qkv_weight.dim(0)? / 3;
        let block = |i: usize| Ok::<_, candle_core::Error>(Linear::new(qkv_weight.narrow(0, i * width, width)?, None));
        Ok(Self { q_proj: block(0)?, k_proj: block(1)?, v_proj: block(2)?, o_proj, num_heads })
    }

    pub fn forward(&self, x: &Tensor, rotary: Option<&RotaryTables>) -> Result<Tensor> {
        let (batch, seq, _) = x.dims3()?;
        let rope = rotary.map(|r| &r.table);
        let heads = |proj: &Linear, rope| ops::split_heads(&proj.forward(x)?, batch, seq, self.num_heads, rope);
        let (q, k, v) = (heads(&self.q_proj, rope)?, heads(&self.k_proj, rope)?, heads(&self.v_proj, None)?);
        let head_dim = q.dim(D::Minus1)?;
        let weights = ops::scaled_softmax(&q.matmul(&k.t()?)?, 1.0 / (head_dim as f64).sqrt())?;
        self.o_proj.forward(&ops::merge_heads(&weights.matmul(&v)?, None)?)
    }
}

/// The token-mixing sublayer of a block.
#[derive(Debug, Clone)]
pub enum TokenMixer {
    /// `self_attn.*`
    Attention(Attention),
    /// `mlp_t.*`: a SwiGLU over the sequence axis, applied to the transposed state.
    SequenceMlp(SwiGlu),
}

/// Sublayer outputs of one block, before their residual add and norm (for parity tests).
#[derive(Debug, Clone)]
pub struct BlockTrace {
    /// `attn_out` `[B, S, D]`, or `mlp_t_out` `[B, D, S]`.
    pub mixer_out: Tensor,
    pub mlp_out: Tensor,
    pub out: Tensor,
}

/// One post-norm block: `h = norm(h + mix(h)); h = norm(h + mlp(h))`.
#[derive(Debug, Clone)]
pub struct Block {
    mixer: TokenMixer,
    mlp: SwiGlu,
    eps: f64,
}

impl Block {
    pub fn new(vb: VarBuilder, config: &crate::TrmConfig) -> Result<Self> {
        let mixer = if config.mlp_t {
            TokenMixer::SequenceMlp(SwiGlu::new(vb.pp("mlp_t"), config.total_seq_len(), config.mlp_t_intermediate())?)
        } else {
            TokenMixer::Attention(Attention::new(vb.pp("self_attn"), config.hidden_size, config.num_heads)?)
        };
        let mlp = SwiGlu::new(vb.pp("mlp"), config.hidden_size, config.mlp_intermediate())?;
        Ok(Self { mixer, mlp, eps: config.rms_norm_eps })
    }

    pub fn forward(
        &self,
        h: &Tensor,
        rotary: Option<&RotaryTables>,
        trace: Option<&mut Vec<BlockTrace>>,
    ) -> Result<Tensor> {
        let (h, mixer_out) = match &self.mixer {
            TokenMixer::Attention(attention) => {
                let out = attention.forward(h, rotary)?;
                (ops::add_rms_norm(h, &out, self.eps)?, out)
            }
            TokenMixer::SequenceMlp(mlp) => {
                // Normalised over the sequence axis, because it runs on the transposed state.
                let transposed = h.transpose(1, 2)?.contiguous()?;
                let out = mlp.forward(&transposed)?;
                (ops::add_rms_norm(&transposed, &out, self.eps)?.transpose(1, 2)?.contiguous()?, out)
            }
        };
        let mlp_out = self.mlp.forward(&h)?;
        let out = ops::add_rms_norm(&h, &mlp_out, self.eps)?;
        if let Some(trace) = trace {
            trace.push(BlockTrace { mixer_out, mlp_out, out: out.clone() });
        }
        Ok(out)
    }
}

/// `L_level`: the one shared network, `f(h, injection) = blocks(h + injection)`.
#[derive(Debug, Clone)]
pub struct ReasoningModule {
    layers: Vec<Block>,
}

impl ReasoningModule {
    pub fn new(vb: VarBuilder, config: &crate::TrmConfig) -> Result<Self> {
        let layers = (0..config.l_layers).map(|i| Block::new(vb.pp("layers").pp(i), config)).collect::<Result<_>>()?;
        Ok(Self { layers })
    }

    pub fn forward(
        &self,
        h: &Tensor,
        injection: &Tensor,
        rotary: Option<&RotaryTables>,
        mut trace: Option<&mut Vec<BlockTrace>>,
    ) -> Result<Tensor> {
        let mut h = (h + injection)?;
        for layer in &self.layers {
            h = layer.forward(&h, rotary, trace.as_deref_mut())?;
        }
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{DType, Var};

    /// The attention scores must stay on the autograd graph: the gradient of the query/key rows of
    /// `qkv_proj` matches a central finite difference.
    #[test]
    fn attention_backpropagates_through_the_softmax() {
        let device = Device::Cpu;
        let (hidden, heads, seq) = (8, 2, 5);
        let values = |n: usize, k: usize| (0..n).map(|i| ((i * k % 17) as f32 - 8.0) * 0.15).collect::<Vec<_>>();
        let qkv = Tensor::from_vec(values(3 * hidden * hidden, 7), (3 * hidden, hidden), &device).unwrap();
        let o = Tensor::from_vec(values(hidden * hidden, 5), (hidden, hidden), &device).unwrap();
        let x = Tensor::from_vec(values(seq * hidden, 3), (1, seq, hidden), &device).unwrap();
        let probe = Tensor::from_vec(values(seq * hidden, 11), (1, seq, hidden), &device).unwrap();
        let loss = |qkv: &Tensor| -> Tensor {
            let attention = Attention::from_weights(qkv, Linear::new(o.clone(), None), heads).unwrap();
            (attention.forward(&x, None).unwrap() * &probe).unwrap().sum_all().unwrap()
        };
        let var = Var::from_tensor(&qkv).unwrap();
        let grads = loss(var.as_tensor()).backward().unwrap();
        let grad = grads.get(var.as_tensor()).unwrap().to_dtype(DType::F64).unwrap().to_vec2::<f64>().unwrap();
        // Row 1 feeds a query, row `hidden + 2` a key: both reach the output only through the softmax.
        for (row, col) in [(1, 3), (hidden + 2, 0)] {
            let h = 1e-2f32;
            let nudged = |d: f32| {
                let mut v = qkv.to_vec2::<f32>().unwrap();
                v[row][col] += d;
                let t = Tensor::new(v, &device).unwrap();
                loss(&t).to_dtype(DType::F64).unwrap().to_scalar::<f64>().unwrap()
            };
            let numeric = (nudged(h) - nudged(-h)) / (2.0 * f64::from(h));
            assert!(numeric.abs() > 1e-2, "the probe barely depends on this weight ({numeric})");
            let err = (grad[row][col] - numeric).abs();
            assert!(err < 0.02 * numeric.abs(), "analytic {} vs numeric {numeric}", grad[row][col]);
        }
    }
}
