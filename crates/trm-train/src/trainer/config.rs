//! The run configuration of `trm train`: architecture, optimizer settings, data recipe, evaluation
//! and checkpoint cadence, in one YAML or JSON file.
//!
//! # Schema
//!
//! ```yaml
//! name: sudoku4              # the model's name (model card)
//! domain: sudoku             # sudoku | maze | arc
//! size: 4                    # Sudoku side (4, 6, 9), maze side (5..=30), ARC canvas side (from the data)
//! arch:                      # TrmConfig, official field names (TinyRecursiveReasoningModel_ACTV1Config)
//!   hidden_size: 64
//!   num_heads: 4
//!   expansion: 4.0
//!   L_layers: 2
//!   H_cycles: 2
//!   L_cycles: 2
//!   mlp_t: false
//!   pos_encodings: rope      # rope | learned | none
//!   puzzle_emb_ndim: 64
//!   puzzle_emb_len: 1
//!   halt_max_steps: 8
//!   halt_exploration_prob: 0.1
//!   # seq_len, vocab_size and num_puzzle_identifiers come from the data
//! train:                     # TrainConfig, official names (cfg_pretrain.yaml)
//!   global_batch_size: 64
//!   total_steps: 5000        # optimizer steps of the run
//!   lr: 0.001
//!   lr_min_ratio: 1.0
//!   lr_warmup_steps: 100
//!   beta1: 0.9
//!   beta2: 0.95
//!   weight_decay: 0.1
//!   puzzle_emb_lr: 0.01
//!   puzzle_emb_weight_decay: 0.1
//!   ema: true
//!   ema_rate: 0.99
//!   freeze_weights: false
//!   seed: 0                  # weights and halting exploration
//! data:                      # source: generate | dataset | arc
//!   source: generate
//!   seed: 1                  # the puzzle stream (mazes: below 1,000,000)
//!   tiers: {easy: 1, medium: 1, hard: 1, extreme: 1}
//!   curriculum: []           # e.g. [{until_step: 1000, tiers: {easy: 1}}]
//!   augment: 0.5             # probability of the official augmentation per example
//! # data:
//! #   source: dataset
//! #   path: data/sudoku-extreme-1k-aug-1000   # official layout directory or compact file
//! #   seed: 0
//! #   epochs_per_iter: 1
//! # data:                    # ARC tasks, built into a dataset in memory at every start (deterministic)
//! #   source: arc
//! #   tasks: assets/puzzles/arc/small.txt  # list of subset/id lines (relative to the list's folder),
//! #                                        # a directory of task JSON files, or one task/collection JSON
//! #   num_aug: 100           # augmented versions per task beside the original
//! #   canvas: 10             # canvas side (seq_len = canvas²); every grid must fit
//! #   seed: 0                # augmentations, translations and the loader
//! #   epochs_per_iter: 100
//! #   # every listed task is a test task: its demonstrations (all versions) are trained on, its test
//! #   # pairs are the test split, never trained on
//! eval:
//!   interval: 250            # steps between quick evaluations of the EMA weights (0 = never)
//!   count: 500               # held-out examples (generated on the held-out side, or from the test split)
//!   tiers: {medium: 1}       # generated sample's tiers (default: the training mix)
//!   file: null               # or a puzzles file (Sudoku lines / maze blocks) ...
//!   solutions: null          # ... with its solutions file
//!   batch_size: 256
//!   augment: 8               # source arc: pass@1/pass@2 of every task's test inputs, voted over the
//!                            # original + this many trained versions (as trm eval --augment); count unused
//! checkpoint_interval: 250   # steps between checkpoints (one is always written at exit)
//! log_interval: 25           # steps averaged per log line
//! threads: 1                 # candle/rayon threads, one data-parallel part of each step per thread
//!                            # (null = every core; on a busy machine 1 is faster)
//! ```
//!
//! A config file may be partial: what it leaves out comes from the preset (see [`preset`]); a field it
//! gives replaces the preset's (a tier map or curriculum whole), and a `data` section with another
//! `source` replaces the data section. As in the official config (`puzzle_emb_ndim: ${.hidden_size}`),
//! changing `hidden_size` alone also changes `puzzle_emb_ndim` when the preset ties them. The data
//! decides `arch.seq_len`, `arch.vocab_size` and `arch.num_puzzle_identifiers`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use trm_core::{PosEncoding, TrmConfig};

use crate::data::Domain;
use crate::data::arc_tasks::ArcTasksRecipe;
use crate::data::generate::GenerateRecipe;
use crate::{Error, Result, TrainConfig};

/// The data section: where the training examples come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "lowercase")]
pub enum DataConfig {
    /// Puzzles generated on the fly (Sudoku and mazes).
    Generate(GenerateRecipe),
    /// A dataset in the official layout or the compact format.
    Dataset(DatasetRecipe),
    /// ARC tasks, built into a dataset when the run starts.
    Arc(ArcTasksRecipe),
}

fn one() -> usize {
    1
}

/// A dataset source (`source: dataset`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetRecipe {
    /// A directory in the official layout, or a compact dataset file.
    pub path: PathBuf,
    /// Seeds the loader: iteration `i` draws from `seed + i`, as the official loader does.
    #[serde(default)]
    pub seed: u64,
    /// Epochs per loader iteration (official: `eval_interval`); one incomplete batch is dropped per
    /// iteration.
    #[serde(default = "one")]
    pub epochs_per_iter: usize,
}

fn default_eval_batch() -> usize {
    256
}

/// The quick evaluation during training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvalConfig {
    /// Steps between evaluations (0 = never; the end of the run is always evaluated when > 0).
    #[serde(default)]
    pub interval: usize,
    /// Examples: drawn from the generator's held-out side, or spread over the dataset's test split.
    #[serde(default)]
    pub count: usize,
    /// Generated samples: tier weights of the sample (default: the training mix after the curriculum).
    /// With one tier the sample is the start of the committed evaluation set of that size and tier
    /// where one exists (same seed and split).
    #[serde(default)]
    pub tiers: Option<BTreeMap<String, f64>>,
    /// A puzzles file instead (Sudoku lines or maze blocks), with `solutions`.
    #[serde(default)]
    pub file: Option<PathBuf>,
    #[serde(default)]
    pub solutions: Option<PathBuf>,
    /// Rows per evaluation batch.
    #[serde(default = "default_eval_batch")]
    pub batch_size: usize,
    /// `source: arc`: the evaluation is `trm eval`'s on the tasks' test inputs, each in the original
    /// and this many trained versions, voted (pass@1 is reported as `exact`, plus pass@2). Default 8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub augment: Option<usize>,
}

/// A whole run configuration. See the [module docs](self) for the schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    pub name: String,
    pub domain: Domain,
    pub size: usize,
    pub arch: TrmConfig,
    pub train: TrainConfig,
    pub data: DataConfig,
    pub eval: EvalConfig,
    pub checkpoint_interval: usize,
    pub log_interval: usize,
    #[serde(default)]
    pub threads: Option<usize>,
}

/// The built-in presets, with what they are for. Throughput: `cargo xtask bench train_step` on the
/// 2-core AMD EPYC development machine, one thread, nothing else running (example-steps = rows ×
/// optimizer steps).
pub const PRESETS: [(&str, &str); 5] = [
    (
        "sudoku4",
        "4×4 Sudoku: attention, hidden 64, 2 layers, H=2 L=2, 132 k parameters, batch 64, 5000 steps, 1 thread; \
         ~700 example-steps/s (5000 steps ≈ 8 min); ≥ 99% exact on held-out grids after ~4000 steps",
    ),
    (
        "sudoku6",
        "6×6 Sudoku: attention, hidden 96, 2 layers, H=2 L=3, 223 k parameters, batch 64, 10000 steps, 1 thread; \
         ~165 example-steps/s (~65 min); 99.6% exact on held-out hard 6×6 (with lr_min_ratio 0.1)",
    ),
    (
        "sudoku9",
        "9×9 Sudoku: mlp_t, hidden 128, 2 layers, H=2 L=4, 522 k parameters, batch 64, 10000 steps, \
         easy → medium → hard curriculum; ~26 example-steps/s (~7 h: resume across sessions)",
    ),
    (
        "maze11",
        "11×11 mazes: mlp_t (token mixing over the fixed grid), hidden 128, 2 layers, H=2 L=4, 770 k parameters, \
         batch 64, 10000 steps, 12 supervision steps, dihedral augmentation; ~11-15 example-steps/s on one thread \
         (~13 h: resume across sessions). An attention variant stayed on the copy-the-maze plateau",
    ),
    (
        "arc-demo",
        "ARC, the 16 bundled tasks of assets/puzzles/arc/small.txt (grids ≤ 10×10) on a 10×10 canvas, 20 \
         augmented versions each with their own puzzle embedding (337 rows, 4-token prefix): mlp_t, hidden 128, \
         2 layers, H=2 L=2, 716 k dense parameters, batch 32, 8000 steps, 1 thread; ~30 example-steps/s (~2.4 h); \
         knows only these tasks. (Attention with 100 versions stayed at the background-everywhere baseline)",
    ),
];

fn tiers(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// A small attention model (the data fills in seq_len, vocab_size and num_puzzle_identifiers).
fn small_arch(hidden: usize, heads: usize, h_cycles: usize, l_cycles: usize, halt_max_steps: usize) -> TrmConfig {
    TrmConfig {
        seq_len: 1,
        puzzle_emb_ndim: hidden,
        num_puzzle_identifiers: 1,
        vocab_size: 2,
        h_cycles,
        l_cycles,
        h_layers: 0,
        l_layers: 2,
        hidden_size: hidden,
        expansion: 4.0,
        num_heads: heads,
        pos_encodings: PosEncoding::Rope,
        rms_norm_eps: 1e-5,
        rope_theta: 10_000.0,
        halt_max_steps,
        halt_exploration_prob: 0.1,
        mlp_t: false,
        puzzle_emb_len: 1,
        no_act_continue: true,
    }
}

fn small_train(batch: usize, steps: usize) -> TrainConfig {
    TrainConfig {
        global_batch_size: batch,
        total_steps: steps,
        lr: 1e-3,
        lr_min_ratio: 1.0,
        lr_warmup_steps: 100,
        weight_decay: 0.1,
        puzzle_emb_lr: 1e-2,
        puzzle_emb_weight_decay: 0.1,
        ema: true,
        ema_rate: 0.99,
        seed: 0,
        ..TrainConfig::default()
    }
}

fn generate(tier_weights: &[(&str, f64)], augment: f64) -> DataConfig {
    DataConfig::Generate(GenerateRecipe { seed: 1, tiers: tiers(tier_weights), curriculum: Vec::new(), augment })
}

fn eval(interval: usize, count: usize, tier: Option<&str>) -> EvalConfig {
    EvalConfig {
        interval,
        count,
        tiers: tier.map(|t| tiers(&[(t, 1.0)])),
        file: None,
        solutions: None,
        batch_size: default_eval_batch(),
        augment: None,
    }
}

/// A built-in preset by name (see [`PRESETS`]).
pub fn preset(name: &str) -> Result<RunConfig> {
    let config = match name {
        "sudoku4" => RunConfig {
            name: "sudoku4".into(),
            domain: Domain::Sudoku,
            size: 4,
            arch: small_arch(64, 4, 2, 2, 8),
            train: small_train(64, 5000),
            data: generate(&[("easy", 1.0), ("medium", 1.0), ("hard", 1.0), ("extreme", 1.0)], 0.5),
            eval: eval(250, 500, Some("medium")),
            checkpoint_interval: 250,
            log_interval: 25,
            threads: Some(1),
        },
        "sudoku6" => RunConfig {
            name: "sudoku6".into(),
            domain: Domain::Sudoku,
            size: 6,
            arch: small_arch(96, 4, 2, 3, 12),
            train: small_train(64, 10_000),
            data: generate(&[("easy", 1.0), ("medium", 1.0), ("hard", 1.0), ("extreme", 1.0)], 0.5),
            eval: eval(500, 500, Some("hard")),
            checkpoint_interval: 250,
            log_interval: 25,
            threads: Some(1),
        },
        "sudoku9" => {
            let mut arch = small_arch(128, 4, 2, 4, 16);
            arch.mlp_t = true;
            arch.pos_encodings = PosEncoding::None;
            let mut data = generate(&[("easy", 1.0), ("medium", 2.0), ("hard", 2.0)], 0.5);
            if let DataConfig::Generate(recipe) = &mut data {
                recipe.curriculum = vec![
                    crate::data::generate::CurriculumPhase { until_step: 2000, tiers: tiers(&[("easy", 1.0)]) },
                    crate::data::generate::CurriculumPhase {
                        until_step: 6000,
                        tiers: tiers(&[("easy", 1.0), ("medium", 1.0)]),
                    },
                ];
            }
            RunConfig {
                name: "sudoku9".into(),
                domain: Domain::Sudoku,
                size: 9,
                arch,
                train: small_train(64, 10_000),
                data,
                eval: eval(1000, 500, Some("medium")),
                checkpoint_interval: 250,
                log_interval: 25,
                threads: None,
            }
        }
        "maze11" => {
            // Token mixing learns the fixed neighbour stencil of dead-end filling directly; attention
            // with 1-D RoPE stayed on the copy plateau (training/README.md).
            let mut arch = small_arch(128, 4, 2, 4, 12);
            arch.mlp_t = true;
            arch.pos_encodings = PosEncoding::None;
            RunConfig {
                name: "maze11".into(),
                domain: Domain::Maze,
                size: 11,
                arch,
                train: small_train(64, 10_000),
                data: generate(&[("easy", 1.0), ("medium", 1.0), ("hard", 2.0)], 1.0),
                eval: eval(500, 500, Some("hard")),
                checkpoint_interval: 250,
                log_interval: 25,
                threads: None,
            }
        }
        "arc-demo" => {
            let mut arch = small_arch(128, 4, 2, 2, 8);
            arch.puzzle_emb_len = 4;
            arch.mlp_t = true;
            arch.pos_encodings = PosEncoding::None;
            RunConfig {
                name: "arc-demo".into(),
                domain: Domain::Arc,
                size: 10,
                arch,
                train: small_train(32, 8000),
                data: DataConfig::Arc(ArcTasksRecipe {
                    tasks: PathBuf::from("assets/puzzles/arc/small.txt"),
                    // Fewer versions than the allowed 100: each embedding row is then trained five
                    // times as often in the steps one CPU affords.
                    num_aug: 20,
                    canvas: 10,
                    seed: 0,
                    epochs_per_iter: 100,
                }),
                eval: EvalConfig { augment: Some(8), ..eval(500, 0, None) },
                checkpoint_interval: 250,
                log_interval: 25,
                threads: Some(1),
            }
        }
        other => {
            let names: Vec<&str> = PRESETS.iter().map(|(n, _)| *n).collect();
            return Err(Error::Config(format!("unknown preset `{other}` (known: {})", names.join(", "))));
        }
    };
    Ok(with_data_shape(config))
}

/// Sets `arch.seq_len` and `arch.vocab_size` to what the domain and size give (the data has the
/// last word; this only makes printed configs read right).
fn with_data_shape(mut config: RunConfig) -> RunConfig {
    let (seq_len, vocab) = match config.domain {
        Domain::Sudoku => (config.size * config.size, config.size + 2),
        Domain::Maze => (config.size * config.size, 6),
        Domain::Arc => (config.size * config.size, 12),
    };
    config.arch.seq_len = seq_len;
    config.arch.vocab_size = vocab;
    config
}

/// The default preset of a domain and size: `sudokuN` for Sudoku, `maze11` resized to the side for
/// mazes, `arc-demo` for ARC.
pub fn default_for(domain: Domain, size: Option<usize>) -> Result<RunConfig> {
    match (domain, size) {
        (Domain::Sudoku, None) => preset("sudoku9"),
        (Domain::Sudoku, Some(n @ (4 | 6 | 9))) => preset(&format!("sudoku{n}")),
        (Domain::Sudoku, Some(n)) => Err(Error::Config(format!("Sudoku side {n} is not supported (4, 6 or 9)"))),
        (Domain::Maze, size) => {
            let mut config = preset("maze11")?;
            if let Some(side) = size.filter(|&s| s != 11) {
                config.size = side;
                config.name = format!("maze{side}");
            }
            Ok(with_data_shape(config))
        }
        (Domain::Arc, _) => preset("arc-demo"),
    }
}

/// Overlays `patch` on `base`, section by section: a field the patch gives replaces the base's (a
/// tier map or curriculum is replaced whole, not merged), fields it leaves out stay. A `data` section
/// that names another `source` replaces the base's data section whole.
fn merge(base: &mut serde_json::Map<String, serde_json::Value>, patch: serde_json::Map<String, serde_json::Value>) {
    for (key, value) in patch {
        let other_source = key == "data"
            && value.get("source").is_some()
            && base.get("data").and_then(|d| d.get("source")) != value.get("source");
        match (base.get_mut(&key), value) {
            (Some(serde_json::Value::Object(section)), serde_json::Value::Object(fields)) if !other_source => {
                section.extend(fields);
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Names the keys of `patch` that `known` (a serialised complete config) does not have, for the
/// sections whose fields are fixed (`arch`, `train`).
fn unknown_keys(known: &serde_json::Value, patch: &serde_json::Value) -> Vec<String> {
    let mut unknown = Vec::new();
    for section in ["arch", "train"] {
        if let (Some(serde_json::Value::Object(k)), Some(serde_json::Value::Object(p))) =
            (known.get(section), patch.get(section))
        {
            unknown.extend(p.keys().filter(|key| !k.contains_key(*key)).map(|key| format!("{section}.{key}")));
        }
    }
    unknown
}

impl RunConfig {
    /// `base` with the (partial) YAML or JSON config `text` laid over it.
    pub fn overlay(base: &RunConfig, text: &str) -> Result<RunConfig> {
        let patch: serde_json::Value =
            serde_saphyr::from_str(text).map_err(|e| Error::Config(format!("cannot parse the config: {e}")))?;
        if patch.is_null() {
            return Ok(base.clone());
        }
        if !patch.is_object() {
            return Err(Error::Config("the config must be a mapping of sections (name, arch, train, data, …)".into()));
        }
        let mut value = serde_json::to_value(base).map_err(|e| Error::Config(e.to_string()))?;
        let unknown = unknown_keys(&value, &patch);
        if !unknown.is_empty() {
            return Err(Error::Config(format!("unknown field(s): {}", unknown.join(", "))));
        }
        // As the official `puzzle_emb_ndim: ${.hidden_size}`: a preset whose puzzle embedding is as wide
        // as its hidden size keeps it so when only the hidden size is changed.
        let follows_hidden = base.arch.puzzle_emb_ndim == base.arch.hidden_size
            && patch.get("arch").is_some_and(|a| a.get("hidden_size").is_some() && a.get("puzzle_emb_ndim").is_none());
        if let (serde_json::Value::Object(base), serde_json::Value::Object(patch)) = (&mut value, patch) {
            merge(base, patch);
        }
        if follows_hidden && let Some(arch) = value.get_mut("arch") {
            arch["puzzle_emb_ndim"] = arch["hidden_size"].clone();
        }
        let config: RunConfig =
            serde_json::from_value(value).map_err(|e| Error::Config(format!("invalid config: {e}")))?;
        config.validate()?;
        Ok(config)
    }

    /// Parses a complete config (as written into a run directory).
    pub fn from_text(text: &str) -> Result<RunConfig> {
        let config: RunConfig =
            serde_saphyr::from_str(text).map_err(|e| Error::Config(format!("cannot parse the config: {e}")))?;
        config.validate()?;
        Ok(config)
    }

    /// Pretty JSON (also valid YAML).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks what can be checked before the data is opened.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::Config(m));
        if self.name.trim().is_empty() {
            return bad("name must not be empty".into());
        }
        if self.train.global_batch_size == 0 {
            return bad("train.global_batch_size must be positive".into());
        }
        if self.train.total_steps == 0 {
            return bad("train.total_steps must be positive".into());
        }
        for (field, v) in [
            ("train.lr", self.train.lr),
            ("train.puzzle_emb_lr", self.train.puzzle_emb_lr),
            ("train.weight_decay", self.train.weight_decay),
            ("train.puzzle_emb_weight_decay", self.train.puzzle_emb_weight_decay),
            ("train.lr_min_ratio", self.train.lr_min_ratio),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return bad(format!("{field} must be a finite number ≥ 0, got {v}"));
            }
        }
        if self.checkpoint_interval == 0 || self.log_interval == 0 {
            return bad("checkpoint_interval and log_interval must be positive".into());
        }
        if self.eval.interval > 0 && self.eval.batch_size == 0 {
            return bad("eval.batch_size must be positive".into());
        }
        if self.eval.file.is_some() != self.eval.solutions.is_some() {
            return bad("eval.file and eval.solutions go together".into());
        }
        if self.threads == Some(0) {
            return bad("threads must be positive".into());
        }
        if !(0.0..=1.0).contains(&self.arch.halt_exploration_prob) || self.arch.halt_max_steps == 0 {
            return bad("arch.halt_max_steps must be ≥ 1 and halt_exploration_prob in [0, 1]".into());
        }
        if self.domain == Domain::Arc && matches!(self.data, DataConfig::Generate(_)) {
            return bad(
                "ARC trains from task files (data.source: arc, data.tasks) or a dataset (data.source: dataset, \
                 data.path)"
                    .into(),
            );
        }
        if let DataConfig::Arc(recipe) = &self.data {
            if self.domain != Domain::Arc {
                return bad(format!("data.source: arc is for the arc domain, not {}", self.domain));
            }
            recipe.validate()?;
        }
        let mut arch = self.arch.clone();
        // The data fills these in; any positive stand-in lets the rest be checked now.
        arch.seq_len = arch.seq_len.max(1);
        arch.vocab_size = arch.vocab_size.max(1);
        arch.num_puzzle_identifiers = arch.num_puzzle_identifiers.max(1);
        arch.validate().map_err(|e| Error::Config(format!("arch: {e}")))
    }
}
