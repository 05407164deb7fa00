//! The model's configuration, with the official field names (`TinyRecursiveReasoningModel_ACTV1Config`).
//!
//! A checkpoint does not record its cycles, position encoding or halting settings, so they come from a
//! model card, the official `all_config.yaml`, or the per-domain defaults; vocabulary size and
//! puzzle-identifier count come from tensor shapes, and the sequence length from the puzzle domain.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// How positions enter the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PosEncoding {
    /// Rotary embeddings on queries and keys (attention variant only).
    #[serde(rename = "rope")]
    #[default]
    Rope,
    /// A learned `[S, D]` table added to the input embedding.
    #[serde(rename = "learned")]
    Learned,
    /// No positional information (the official Sudoku `mlp_t` model uses `none`). The official code
    /// treats any value other than `rope` and `learned` this way.
    #[serde(rename = "none", other)]
    None,
}

fn default_eps() -> f64 {
    1e-5
}
fn default_theta() -> f64 {
    10_000.0
}
fn default_puzzle_emb_len() -> usize {
    16
}
fn default_true() -> bool {
    true
}
fn default_halt_max_steps() -> usize {
    16
}

/// Architecture of one TRM. Field names and defaults follow the official config class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrmConfig {
    /// Puzzle tokens per example (81 for 9×9 Sudoku, 900 for 30×30 canvases).
    pub seq_len: usize,
    /// Width of the per-puzzle embedding vector; 0 disables puzzle embeddings.
    #[serde(default)]
    pub puzzle_emb_ndim: usize,
    /// Rows of the puzzle-embedding table.
    #[serde(default = "one")]
    pub num_puzzle_identifiers: usize,
    pub vocab_size: usize,
    /// T: answer refreshes per supervision step.
    #[serde(rename = "H_cycles")]
    pub h_cycles: usize,
    /// n: latent updates before each answer refresh.
    #[serde(rename = "L_cycles")]
    pub l_cycles: usize,
    /// Ignored by TRM (kept for round-trips of official configs).
    #[serde(rename = "H_layers", default)]
    pub h_layers: usize,
    /// Blocks in the one shared network.
    #[serde(rename = "L_layers")]
    pub l_layers: usize,
    pub hidden_size: usize,
    pub expansion: f64,
    pub num_heads: usize,
    #[serde(default)]
    pub pos_encodings: PosEncoding,
    #[serde(default = "default_eps")]
    pub rms_norm_eps: f64,
    #[serde(default = "default_theta")]
    pub rope_theta: f64,
    /// Supervision steps of the official evaluation.
    #[serde(default = "default_halt_max_steps")]
    pub halt_max_steps: usize,
    #[serde(default)]
    pub halt_exploration_prob: f64,
    /// Replace attention by an MLP over the sequence axis.
    #[serde(default)]
    pub mlp_t: bool,
    /// Prefix positions; 0 means `ceil(puzzle_emb_ndim / hidden_size)`.
    #[serde(default = "default_puzzle_emb_len")]
    pub puzzle_emb_len: usize,
    #[serde(rename = "no_ACT_continue", default = "default_true")]
    pub no_act_continue: bool,
}

fn one() -> usize {
    1
}

/// Python's `round` (ties to even), as the official SwiGLU width formula uses.
fn round_half_even(v: f64) -> f64 {
    let r = v.round();
    if (v - v.trunc()).abs() == 0.5 { 2.0 * (v / 2.0).round() } else { r }
}

/// Inner width of a SwiGLU over `width` inputs: `round(expansion · width · 2/3)` rounded up to 256.
pub fn swiglu_intermediate(width: usize, expansion: f64) -> usize {
    let raw = round_half_even(expansion * width as f64 * 2.0 / 3.0) as usize;
    raw.div_ceil(256) * 256
}

impl TrmConfig {
    /// The paper's Sudoku-Extreme TRM-MLP: `mlp_t`, hidden 512, 81 cells + 16 prefix slots, T = 3,
    /// n = 6, no positions (5.03 M dense parameters).
    pub fn sudoku_reference() -> Self {
        TrmConfig {
            seq_len: 81,
            puzzle_emb_ndim: 512,
            num_puzzle_identifiers: 1,
            vocab_size: 11,
            h_cycles: 3,
            l_cycles: 6,
            h_layers: 0,
            l_layers: 2,
            hidden_size: 512,
            expansion: 4.0,
            num_heads: 8,
            pos_encodings: PosEncoding::None,
            rms_norm_eps: 1e-5,
            rope_theta: 1e4,
            halt_max_steps: 16,
            halt_exploration_prob: 0.1,
            mlp_t: true,
            puzzle_emb_len: 16,
            no_act_continue: true,
        }
    }

    /// The paper's ARC-AGI TRM-Att: attention with RoPE, hidden 512, 900 cells + 16 prefix slots,
    /// T = 3, n = 4 (6.83 M dense parameters; the puzzle-embedding table is sized by the caller).
    pub fn attention_reference() -> Self {
        TrmConfig {
            seq_len: 900,
            vocab_size: 12,
            l_cycles: 4,
            pos_encodings: PosEncoding::Rope,
            mlp_t: false,
            ..Self::sudoku_reference()
        }
    }

    /// Prefix positions actually prepended (P).
    pub fn prefix_len(&self) -> usize {
        if self.puzzle_emb_len != 0 { self.puzzle_emb_len } else { self.puzzle_emb_ndim.div_ceil(self.hidden_size) }
    }

    /// Full internal sequence length S = P + L.
    pub fn total_seq_len(&self) -> usize {
        self.prefix_len() + self.seq_len
    }

    /// Width of one attention head.
    pub fn head_dim(&self) -> usize {
        self.hidden_size / self.num_heads
    }

    /// Inner width of the channel SwiGLU.
    pub fn mlp_intermediate(&self) -> usize {
        swiglu_intermediate(self.hidden_size, self.expansion)
    }

    /// Inner width of the sequence-axis SwiGLU of `mlp_t` models.
    pub fn mlp_t_intermediate(&self) -> usize {
        swiglu_intermediate(self.total_seq_len(), self.expansion)
    }

    /// `sqrt(hidden_size)`, the input-embedding scale.
    pub fn embed_scale(&self) -> f64 {
        (self.hidden_size as f64).sqrt()
    }

    /// Network applications per supervision step: T · (n + 1).
    pub fn applications_per_step(&self) -> usize {
        self.h_cycles * (self.l_cycles + 1)
    }

    /// Number of dense parameters (`model.parameters()` of the official code: no puzzle embeddings,
    /// no `H_init`/`L_init`).
    pub fn dense_parameter_count(&self) -> usize {
        let (d, v, s) = (self.hidden_size, self.vocab_size, self.total_seq_len());
        let swiglu = |width: usize, inner: usize| 3 * inner * width;
        let mixer = if self.mlp_t { swiglu(s, self.mlp_t_intermediate()) } else { 4 * d * d };
        let block = mixer + swiglu(d, self.mlp_intermediate());
        let positions = if self.pos_encodings == PosEncoding::Learned { s * d } else { 0 };
        self.l_layers * block + 2 * v * d + 2 * d + 2 + positions
    }

    /// Rejects configurations the model cannot be built from, naming the field.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: &str| Err(Error::Config(what.to_string()));
        if self.hidden_size == 0 || self.vocab_size == 0 || self.seq_len == 0 {
            return bad("hidden_size, vocab_size and seq_len must be positive");
        }
        if self.h_cycles == 0 || self.l_cycles == 0 || self.l_layers == 0 {
            return bad("H_cycles, L_cycles and L_layers must be positive");
        }
        if !self.mlp_t && (self.num_heads == 0 || !self.hidden_size.is_multiple_of(self.num_heads)) {
            return bad("hidden_size must be a multiple of num_heads");
        }
        if !self.mlp_t && self.pos_encodings == PosEncoding::Rope && !self.head_dim().is_multiple_of(2) {
            return bad("RoPE needs an even head dimension");
        }
        if !(self.expansion.is_finite() && self.expansion > 0.0) {
            return bad("expansion must be a positive number");
        }
        if self.puzzle_emb_ndim > self.prefix_len() * self.hidden_size {
            return bad("puzzle_emb_ndim does not fit in puzzle_emb_len prefix rows");
        }
        if self.puzzle_emb_ndim > 0 && self.num_puzzle_identifiers == 0 {
            return bad("num_puzzle_identifiers must be positive when puzzle embeddings are used");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_widths() {
        assert_eq!(swiglu_intermediate(512, 4.0), 1536);
        assert_eq!(swiglu_intermediate(97, 4.0), 512);
        assert_eq!(swiglu_intermediate(916, 4.0), 2560);
        assert_eq!(swiglu_intermediate(64, 4.0), 256);
        assert_eq!(round_half_even(2.5), 2.0);
        assert_eq!(round_half_even(3.5), 4.0);
    }

    #[test]
    fn parameter_counts_match_the_paper() {
        assert_eq!(TrmConfig::sudoku_reference().dense_parameter_count(), 5_028_866);
        let attention = TrmConfig::attention_reference();
        assert_eq!(attention.dense_parameter_count(), 6_829_058);
        assert_eq!(TrmConfig { vocab_size: 6, ..attention.clone() }.dense_parameter_count(), 6_822_914);
        let maze_mlp_t = TrmConfig { mlp_t: true, vocab_size: 6, pos_encodings: PosEncoding::None, ..attention };
        assert_eq!(maze_mlp_t.dense_parameter_count(), 18_795_522);
    }

    #[test]
    fn unknown_position_encoding_means_none() {
        let p: PosEncoding = serde_json::from_str("\"whatever\"").unwrap();
        assert_eq!(p, PosEncoding::None);
        let p: PosEncoding = serde_json::from_str("\"learned\"").unwrap();
        assert_eq!(p, PosEncoding::Learned);
    }
}
