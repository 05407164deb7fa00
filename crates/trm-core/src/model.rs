//! The TRM: input embedding, the latent update `z ← f(z, y + x)`, the answer refresh `y ← f(y, z)`,
//! and the two heads. Built from a [`VarBuilder`] rooted at the official key prefix
//! (`_orig_mod.model.inner.` stripped).

use candle_core::{D, DType, Device, IndexOp, Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder};

use crate::config::{PosEncoding, TrmConfig};
use crate::layers::{BlockTrace, ReasoningModule, RotaryTables, linear_no_bias};

/// `1/sqrt(2)` exactly as the official learned-position variant writes it (9 digits).
#[allow(clippy::approx_constant)]
const LEARNED_POS_SCALE: f64 = 0.707106781;

/// The answer `y` (`z_H`) and the latent `z` (`z_L`), each `[B, S, D]`.
#[derive(Debug, Clone)]
pub struct Carry {
    pub y: Tensor,
    pub z: Tensor,
}

/// A Tiny Recursive Model.
#[derive(Debug, Clone)]
pub struct Trm {
    config: TrmConfig,
    embed_tokens: Tensor,
    embed_pos: Option<Tensor>,
    puzzle_emb: Option<Tensor>,
    lm_head: Linear,
    q_head: Linear,
    h_init: Tensor,
    l_init: Tensor,
    net: ReasoningModule,
    rotary: Option<RotaryTables>,
    device: Device,
}

impl Trm {
    /// Builds the model; `vb` must hold f32 tensors under the stripped official keys.
    pub fn new(config: TrmConfig, vb: VarBuilder) -> Result<Self> {
        let c = &config;
        let (d, s) = (c.hidden_size, c.total_seq_len());
        let device = vb.device().clone();
        let embed_tokens = vb.pp("embed_tokens").get((c.vocab_size, d), "embedding_weight")?;
        let embed_pos = match c.pos_encodings {
            PosEncoding::Learned => Some(vb.pp("embed_pos").get((s, d), "embedding_weight")?),
            _ => None,
        };
        let puzzle_emb = if c.puzzle_emb_ndim > 0 {
            Some(vb.pp("puzzle_emb").get((c.num_puzzle_identifiers, c.puzzle_emb_ndim), "weights")?)
        } else {
            None
        };
        let lm_head = linear_no_bias(&vb, "lm_head", d, c.vocab_size)?;
        let q_head = Linear::new(vb.pp("q_head").get((2, d), "weight")?, Some(vb.pp("q_head").get(2, "bias")?));
        let h_init = vb.get(d, "H_init")?;
        let l_init = vb.get(d, "L_init")?;
        let net = ReasoningModule::new(vb.pp("L_level"), c)?;
        let rotary = (c.pos_encodings == PosEncoding::Rope && !c.mlp_t)
            .then(|| RotaryTables::new(c.head_dim(), s, c.rope_theta, &device))
            .transpose()?;
        Ok(Self { config, embed_tokens, embed_pos, puzzle_emb, lm_head, q_head, h_init, l_init, net, rotary, device })
    }

    pub fn config(&self) -> &TrmConfig {
        &self.config
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// x: token embeddings `[B, L, D]` with the puzzle prefix `[B, P, D]` in front, scaled by sqrt(D).
    /// `tokens` is `[B, L]` and `puzzle_ids` `[B]`, both u32.
    pub fn input_embeddings(&self, tokens: &Tensor, puzzle_ids: &Tensor) -> Result<Tensor> {
        let batch = tokens.dim(0)?;
        let rows = match &self.puzzle_emb {
            Some(table) => table.index_select(puzzle_ids, 0)?,
            None => Tensor::zeros((batch, 0), DType::F32, &self.device)?,
        };
        self.input_embeddings_with(tokens, &rows)
    }

    /// Like [`Self::input_embeddings`], but with the puzzle-embedding rows `[B, puzzle_emb_ndim]`
    /// supplied by the caller instead of looked up in the model's table. Training needs this: the
    /// official trainer copies the batch's rows into a separate gradient-carrying buffer
    /// (`local_weights`) that its sparse optimizer reads, so the table itself never enters autograd.
    /// `puzzle_rows` may be `[B, 0]` for models without puzzle embeddings.
    pub fn input_embeddings_with(&self, tokens: &Tensor, puzzle_rows: &Tensor) -> Result<Tensor> {
        let c = &self.config;
        let (batch, len) = tokens.dims2()?;
        let (rows_batch, ndim) = puzzle_rows.dims2()?;
        if rows_batch != batch || ndim != c.puzzle_emb_ndim {
            candle_core::bail!(
                "puzzle rows have shape [{rows_batch}, {ndim}], expected [{batch}, {}]",
                c.puzzle_emb_ndim
            );
        }
        let mut x = self.embed_tokens.index_select(&tokens.flatten_all()?, 0)?.reshape((batch, len, c.hidden_size))?;
        let prefix = c.prefix_len();
        if prefix > 0 {
            let pad = prefix * c.hidden_size - ndim;
            let rows = if pad > 0 {
                Tensor::cat(&[puzzle_rows.clone(), Tensor::zeros((batch, pad), DType::F32, &self.device)?], 1)?
            } else {
                puzzle_rows.clone()
            };
            x = Tensor::cat(&[rows.reshape((batch, prefix, c.hidden_size))?, x], 1)?;
        }
        if let Some(pos) = &self.embed_pos {
            x = (x.broadcast_add(&pos.unsqueeze(0)?)? * LEARNED_POS_SCALE)?;
        }
        x * c.embed_scale()
    }

    /// The starting carry: `H_init` and `L_init` broadcast to every position of `batch` examples.
    pub fn initial_carry(&self, batch: usize) -> Result<Carry> {
        let shape = (batch, self.config.total_seq_len(), self.config.hidden_size);
        let fill = |v: &Tensor| v.reshape((1, 1, self.config.hidden_size))?.broadcast_as(shape)?.contiguous();
        Ok(Carry { y: fill(&self.h_init)?, z: fill(&self.l_init)? })
    }

    /// One latent update: `z ← f(z, y + x)`.
    pub fn latent_update(&self, carry: &Carry, x: &Tensor, trace: Option<&mut Vec<BlockTrace>>) -> Result<Tensor> {
        let injection = (&carry.y + x)?;
        self.net.forward(&carry.z, &injection, self.rotary.as_ref(), trace)
    }

    /// One answer refresh: `y ← f(y, z)` (the question is not injected).
    pub fn answer_refresh(&self, carry: &Carry) -> Result<Tensor> {
        self.net.forward(&carry.y, &carry.z, self.rotary.as_ref(), None)
    }

    /// One supervision step: T cycles of n latent updates then one answer refresh.
    pub fn supervision_step(&self, carry: &Carry, x: &Tensor) -> Result<Carry> {
        let mut carry = carry.clone();
        for _ in 0..self.config.h_cycles {
            for _ in 0..self.config.l_cycles {
                carry.z = self.latent_update(&carry, x, None)?;
            }
            carry.y = self.answer_refresh(&carry)?;
        }
        Ok(carry)
    }

    /// Logits of the puzzle cells, `[B, L, V]`: `lm_head` on `state` without its prefix. Applied to
    /// `y` this is the answer; applied to `z` it is the "logit lens" view of the scratch paper.
    pub fn logits(&self, state: &Tensor) -> Result<Tensor> {
        let c = &self.config;
        self.lm_head.forward(&state.narrow(1, c.prefix_len(), c.seq_len)?)
    }

    /// `(q_halt, q_continue)` logits, `[B]` each, read from position 0 of `y`.
    pub fn q_values(&self, y: &Tensor) -> Result<(Tensor, Tensor)> {
        let q = self.q_head.forward(&y.i((.., 0, ..))?)?;
        Ok((q.i((.., 0))?, q.i((.., 1))?))
    }

    /// Number of dense parameters (what the paper counts: no puzzle embeddings, no init vectors).
    pub fn dense_parameter_count(&self) -> usize {
        self.config.dense_parameter_count()
    }
}

/// Stable-max probabilities over the last axis: `s(v) = v + 1` for `v ≥ 0`, `1 / (1 − v)` otherwise,
/// normalised. TRM is trained with this instead of softmax.
pub fn stablemax(logits: &Tensor) -> Result<Tensor> {
    let positive = logits.ge(0.0)?;
    let s_pos = (logits + 1.0)?;
    let s_neg = (1.0 / (1.0 - logits)?)?;
    let s = positive.where_cond(&s_pos, &s_neg)?;
    s.broadcast_div(&s.sum_keepdim(D::Minus1)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supplied_puzzle_rows_equal_the_table_lookup() {
        let config = TrmConfig {
            seq_len: 4,
            num_puzzle_identifiers: 3,
            hidden_size: 8,
            num_heads: 2,
            puzzle_emb_ndim: 8,
            puzzle_emb_len: 2,
            ..TrmConfig::sudoku_reference()
        };
        let mut tensors = crate::init::official_init(&config, 3).unwrap();
        let table: Vec<f32> = (0..24).map(|i| i as f32 * 0.1 - 1.0).collect();
        let table = Tensor::from_vec(table, (3, 8), &Device::Cpu).unwrap();
        tensors.insert("puzzle_emb.weights".into(), table.clone());
        let model = crate::checkpoint::build_model(config, tensors).unwrap();
        let tokens = Tensor::new(&[[1u32, 2, 3, 4], [5, 6, 7, 8]], &Device::Cpu).unwrap();
        let ids = Tensor::new(&[2u32, 0], &Device::Cpu).unwrap();
        let looked_up = model.input_embeddings(&tokens, &ids).unwrap();
        let supplied = model.input_embeddings_with(&tokens, &table.index_select(&ids, 0).unwrap()).unwrap();
        let diff = (looked_up - supplied).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap();
        assert_eq!(diff, 0.0);
        let wrong = Tensor::zeros((2, 5), DType::F32, &Device::Cpu).unwrap();
        assert!(model.input_embeddings_with(&tokens, &wrong).is_err());
    }

    #[test]
    fn stablemax_matches_its_definition() {
        let logits = Tensor::new(&[[0.0f32, 1.0, -1.0, 3.0]], &Device::Cpu).unwrap();
        let p = stablemax(&logits).unwrap().to_vec2::<f32>().unwrap();
        let s = [1.0f32, 2.0, 0.5, 4.0];
        let total: f32 = s.iter().sum();
        for (got, want) in p[0].iter().zip(s.iter().map(|v| v / total)) {
            assert!((got - want).abs() < 1e-6);
        }
    }
}
