//! One optimizer step of the official trainer (`pretrain.train_batch`, reference §6.1): an ACT call
//! for every slot, backward of `loss / global_batch_size`, sign-SGD on the batch's puzzle-embedding
//! rows and AdamATan2 on the dense weights (both at their scheduled rate), then the EMA update.

use std::collections::BTreeMap;

use candle_core::backprop::GradStore;
use candle_core::{DType, Device, Tensor, Var};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use trm_core::TrmConfig;
use trm_core::checkpoint::TensorMap;

use crate::act::{ActCarry, LocalEmbedding};
use crate::batch::Batch;
use crate::loss::Metrics;
use crate::model::TrainableTrm;
use crate::optim::{AdamAtan2, Ema, LrSchedule, SignSgd};
use crate::{Error, Result};

/// Training hyper-parameters, with the official names and `cfg_pretrain.yaml` defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// Rows per optimizer step; the loss is divided by it before backward.
    pub global_batch_size: usize,
    /// Optimizer steps of the run: the official `epochs · total_groups · mean_puzzle_examples /
    /// global_batch_size`, computed by the data pipeline. Steps past it are refused.
    pub total_steps: usize,
    pub lr: f64,
    pub lr_min_ratio: f64,
    pub lr_warmup_steps: usize,
    pub beta1: f64,
    pub beta2: f64,
    pub weight_decay: f64,
    pub puzzle_emb_lr: f64,
    pub puzzle_emb_weight_decay: f64,
    pub ema: bool,
    pub ema_rate: f64,
    /// Train only the puzzle embeddings (test-time learning of new puzzles' rows).
    pub freeze_weights: bool,
    /// Seeds the halting-exploration draws.
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            global_batch_size: 768,
            total_steps: usize::MAX,
            lr: 1e-4,
            lr_min_ratio: 1.0,
            lr_warmup_steps: 2000,
            beta1: 0.9,
            beta2: 0.95,
            weight_decay: 0.1,
            puzzle_emb_lr: 1e-2,
            puzzle_emb_weight_decay: 0.1,
            ema: false,
            ema_rate: 0.999,
            freeze_weights: false,
            seed: 0,
        }
    }
}

impl TrainConfig {
    /// The README's Sudoku-Extreme and Maze-Hard runs: `lr = puzzle_emb_lr = 1e-4`, both weight decays
    /// 1.0, EMA on, 65104 steps (50000 epochs of 1000 one-example groups at batch 768).
    pub fn sudoku_reference() -> Self {
        TrainConfig {
            total_steps: 65_104,
            puzzle_emb_lr: 1e-4,
            weight_decay: 1.0,
            puzzle_emb_weight_decay: 1.0,
            ema: true,
            ..Self::default()
        }
    }

    /// The shared schedule of both optimizers.
    pub fn schedule(&self) -> LrSchedule {
        LrSchedule { warmup_steps: self.lr_warmup_steps, total_steps: self.total_steps, min_ratio: self.lr_min_ratio }
    }
}

/// What one optimizer step reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepOutput {
    /// The optimizer step just taken (from 1).
    pub step: usize,
    /// `lm_loss + 0.5 · q_halt_loss` of the batch, before the division by the global batch size.
    pub loss: f64,
    /// Raw metric sums of the call; see [`Metrics::averaged`] for the logged values.
    pub metrics: Metrics,
    /// The dense weights' learning rate at this step.
    pub lr: f64,
}

/// The whole training state: model, carry, optimizers, EMA, exploration RNG and step counter.
pub struct TrainState {
    config: TrainConfig,
    model: TrainableTrm,
    carry: Option<ActCarry>,
    adam: Option<AdamAtan2>,
    sign_sgd: Option<SignSgd>,
    ema: Option<Ema>,
    rng: ChaCha8Rng,
    step: usize,
    /// Data-parallel shards per step (1: the whole batch on the calling thread).
    shards: usize,
}

/// What the ACT call and backward pass of a batch (or of one data-parallel shard of it) return.
struct ShardResult {
    loss: f64,
    metrics: Metrics,
    local_embedding: Option<LocalEmbedding>,
    grads: GradStore,
}

/// `slots` cut into `shards` consecutive runs whose lengths differ by at most one.
fn shard_sizes(slots: usize, shards: usize) -> Vec<usize> {
    let shards = shards.clamp(1, slots.max(1));
    (0..shards).map(|k| slots / shards + usize::from(k < slots % shards)).collect()
}

impl TrainState {
    /// Starts training `model`. As in the official trainer, AdamATan2 is created unless
    /// `freeze_weights`, and sign-SGD only if the model has puzzle embeddings.
    pub fn new(model: TrainableTrm, config: TrainConfig) -> Result<Self> {
        if config.global_batch_size == 0 {
            return Err(Error::Config("global_batch_size must be positive".into()));
        }
        let adam = (!config.freeze_weights)
            .then(|| AdamAtan2::new(config.beta1, config.beta2, config.weight_decay))
            .transpose()?;
        let sign_sgd = model.puzzle_table().map(|_| SignSgd::new(config.puzzle_emb_weight_decay)).transpose()?;
        let ema = config.ema.then(|| Ema::new(model.params(), config.ema_rate)).transpose()?;
        let rng = ChaCha8Rng::seed_from_u64(config.seed);
        Ok(Self { config, model, carry: None, adam, sign_sgd, ema, rng, step: 0, shards: 1 })
    }

    /// Runs every step as `shards` data-parallel parts on rayon's thread pool (1, the default, runs
    /// the whole batch on the calling thread). The batch rows are cut into consecutive runs; each
    /// runs its ACT call and backward pass on its own, and the gradients are summed before the
    /// optimizers step. The loss is a sum over rows and the exploration draws are made for the whole
    /// batch first, so this computes the same step as one part up to float32 summation order: a run
    /// is reproducible bit for bit at a fixed shard count, and close to it at any other.
    pub fn set_data_shards(&mut self, shards: usize) {
        self.shards = shards.max(1);
    }

    /// The data-parallel parts per step (see [`Self::set_data_shards`]).
    pub fn data_shards(&self) -> usize {
        self.shards
    }

    /// One optimizer step on the freshly loaded `batch` (which must have the same size every step).
    pub fn step(&mut self, batch: &Batch) -> Result<StepOutput> {
        if self.step >= self.config.total_steps {
            return Err(Error::Finished { total_steps: self.config.total_steps });
        }
        let carry = match &mut self.carry {
            Some(carry) => carry,
            empty => empty.insert(ActCarry::new(&self.model, batch.batch_size())?),
        };
        let scale = 1.0 / self.config.global_batch_size as f64;
        let result = if self.shards > 1 && carry.batch_size() > 1 {
            self.model.check_call(carry, batch)?;
            let floor = self.model.exploration_floor(&mut self.rng, carry.batch_size());
            sharded_step(&self.model, carry, batch, floor.as_deref(), self.shards, scale)?
        } else {
            let out = self.model.act_step(carry, batch, &mut self.rng)?;
            let grads = (&out.loss * scale)?.backward()?;
            ShardResult {
                loss: out.loss.to_scalar::<f64>()?,
                metrics: out.metrics,
                local_embedding: out.local_embedding,
                grads,
            }
        };
        self.step += 1;
        let schedule = self.config.schedule();
        let lr = schedule.lr(self.step, self.config.lr);
        self.apply(&result, schedule.lr(self.step, self.config.puzzle_emb_lr), lr)?;
        Ok(StepOutput { step: self.step, loss: result.loss, metrics: result.metrics, lr })
    }

    fn apply(&mut self, out: &ShardResult, puzzle_lr: f64, lr: f64) -> Result<()> {
        let grads = &out.grads;
        if let (Some(sgd), Some(table), Some(local)) = (&self.sign_sgd, self.model.puzzle_table(), &out.local_embedding)
            && let Some(grad) = grads.get(local.weights.as_tensor())
        {
            sgd.step(table, local, grad, puzzle_lr)?;
        }
        if let Some(adam) = &mut self.adam {
            adam.step(self.model.params(), grads, lr)?;
        }
        if let Some(ema) = &mut self.ema {
            ema.update(self.model.params())?;
        }
        Ok(())
    }

    /// Optimizer steps taken so far.
    pub fn steps_done(&self) -> usize {
        self.step
    }

    /// True once `total_steps` steps have been taken.
    pub fn is_finished(&self) -> bool {
        self.step >= self.config.total_steps
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// The live model.
    pub fn model(&self) -> &TrainableTrm {
        &self.model
    }

    /// The slots' state (None before the first step).
    pub fn carry(&self) -> Option<&ActCarry> {
        self.carry.as_ref()
    }

    /// The EMA, if enabled.
    pub fn ema(&self) -> Option<&Ema> {
        self.ema.as_ref()
    }

    /// What the official trainer saves and evaluates: the EMA dense weights if EMA is on (with the
    /// live buffers), else the live weights.
    pub fn export_state_dict(&self) -> Result<TensorMap> {
        match &self.ema {
            Some(ema) => ema.state_dict(&self.model),
            None => self.model.state_dict(),
        }
    }
}

/// The ACT call and backward pass of `batch` on `carry`, cut into `shards` consecutive parts that run
/// side by side on rayon's pool; `floor` is the exploration floor of the whole batch. Leaves the
/// joined slots in `carry` and returns the merged result (see [`merge_shards`]).
fn sharded_step(
    model: &TrainableTrm,
    carry: &mut ActCarry,
    batch: &Batch,
    floor: Option<&[u32]>,
    shards: usize,
    scale: f64,
) -> Result<ShardResult> {
    let sizes = shard_sizes(carry.batch_size(), shards);
    let starts: Vec<usize> = sizes.iter().scan(0, |start, len| Some(std::mem::replace(start, *start + len))).collect();
    let (carries, results): (Vec<ActCarry>, Vec<ShardResult>) = carry
        .split(&sizes)?
        .into_par_iter()
        .zip(starts.into_par_iter().zip(sizes.into_par_iter()))
        .map(|(mut shard, (start, len))| {
            let part = batch.rows(start, len);
            let out = model.act_step_with_floor(&mut shard, &part, floor.map(|f| &f[start..start + len]))?;
            let grads = (&out.loss * scale)?.backward()?;
            let result = ShardResult {
                loss: out.loss.to_scalar::<f64>()?,
                metrics: out.metrics,
                local_embedding: out.local_embedding,
                grads,
            };
            Ok((shard, result))
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .unzip();
    *carry = ActCarry::concat(&carries)?;
    merge_shards(results)
}

/// One result for the whole batch from the shards': losses and metrics added, gradients summed
/// (the dense weights are shared, so each shard's store holds its part of their gradient), and the
/// puzzle-embedding rows of all shards joined into one set whose gradient is stored under it.
fn merge_shards(shards: Vec<ShardResult>) -> Result<ShardResult> {
    let mut merged =
        ShardResult { loss: 0.0, metrics: Metrics::default(), local_embedding: None, grads: GradStore::default() };
    // Rows whose copy had no gradient are left out, as a single-part step skips them.
    let mut locals: Vec<(LocalEmbedding, Tensor)> = Vec::new();
    for part in shards {
        merged.loss += part.loss;
        merged.metrics += part.metrics;
        if let Some(local) = part.local_embedding
            && let Some(grad) = part.grads.get(local.weights.as_tensor()).cloned()
        {
            locals.push((local, grad));
        }
        merged.grads.extend(part.grads)?;
    }
    if !locals.is_empty() {
        let rows: Vec<&Tensor> = locals.iter().map(|(local, _)| local.weights.as_tensor()).collect();
        let grads: Vec<&Tensor> = locals.iter().map(|(_, g)| g).collect();
        let ids = locals.iter().flat_map(|(local, _)| local.ids.iter().copied()).collect();
        let local = LocalEmbedding { weights: Var::from_tensor(&Tensor::cat(&rows, 0)?)?, ids };
        merged.grads.insert(local.weights.as_tensor(), Tensor::cat(&grads, 0)?);
        merged.local_embedding = Some(local);
    }
    Ok(merged)
}

/// The exact position of a ChaCha8 stream: seed, stream and word position. Restoring it continues
/// the stream where it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RngState {
    /// The 32-byte seed, hex.
    pub seed: String,
    pub stream: u64,
    /// The word position (a 68-bit number), decimal.
    pub word_pos: String,
}

impl RngState {
    /// Where `rng` stands.
    pub fn of(rng: &ChaCha8Rng) -> Self {
        let seed = rng.get_seed().iter().map(|b| format!("{b:02x}")).collect();
        Self { seed, stream: rng.get_stream(), word_pos: rng.get_word_pos().to_string() }
    }

    /// A generator at this position.
    pub fn restore(&self) -> Result<ChaCha8Rng> {
        let bad = || Error::Config(format!("invalid random-generator state {self:?}"));
        if self.seed.len() != 64 || !self.seed.is_ascii() {
            return Err(bad());
        }
        let mut seed = [0u8; 32];
        for (k, byte) in seed.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&self.seed[2 * k..2 * k + 2], 16).map_err(|_| bad())?;
        }
        let word_pos: u128 = self.word_pos.parse().map_err(|_| bad())?;
        let mut rng = ChaCha8Rng::from_seed(seed);
        rng.set_stream(self.stream);
        rng.set_word_pos(word_pos);
        Ok(rng)
    }
}

/// What a [`TrainState`] saves besides tensors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateMeta {
    pub config: TrainConfig,
    /// Optimizer steps taken.
    pub step: usize,
    /// The halting-exploration generator.
    pub rng: RngState,
    /// AdamATan2's step count per parameter (parameters that never had a gradient are absent).
    pub adam_steps: BTreeMap<String, f32>,
    /// Whether the carry is saved (it exists from the first step on).
    pub has_carry: bool,
}

/// Everything a [`TrainState`] needs to continue bit for bit, apart from its architecture.
///
/// Tensor names: `model/<key>` (the live state dict: dense weights, `H_init`, `L_init` and the
/// puzzle-embedding table under the stripped official keys), `ema/<key>` (the shadow),
/// `adam.m/<key>` and `adam.v/<key>` (flat moments), and `carry/y`, `carry/z`, `carry/inputs`
/// (u32), `carry/labels` (i64, −100 = ignored), `carry/puzzle_ids` (u32), `carry/steps` (u32),
/// `carry/halted` (u8).
pub struct StateCheckpoint {
    pub tensors: Vec<(String, Tensor)>,
    pub meta: StateMeta,
}

impl TrainState {
    /// A copy of the whole state, for a checkpoint.
    pub fn checkpoint(&self) -> Result<StateCheckpoint> {
        let mut tensors = Vec::new();
        for (key, t) in self.model.state_dict()? {
            tensors.push((format!("model/{key}"), t));
        }
        if let Some(ema) = &self.ema {
            for (key, t) in ema.shadow() {
                tensors.push((format!("ema/{key}"), t.copy()?));
            }
        }
        let mut adam_steps = BTreeMap::new();
        if let Some(adam) = &self.adam {
            for (key, m, v, t) in adam.moments() {
                tensors.push((format!("adam.m/{key}"), Tensor::from_slice(m, m.len(), &Device::Cpu)?));
                tensors.push((format!("adam.v/{key}"), Tensor::from_slice(v, v.len(), &Device::Cpu)?));
                adam_steps.insert(key.to_string(), t);
            }
        }
        if let Some(carry) = &self.carry {
            let data = carry.data();
            let (b, l) = (data.batch_size(), data.seq_len());
            let labels: Vec<i64> = data.labels().iter().map(|&v| i64::from(v)).collect();
            let halted: Vec<u8> = carry.halted().iter().map(|&h| u8::from(h)).collect();
            tensors.push(("carry/y".into(), carry.y().copy()?));
            tensors.push(("carry/z".into(), carry.z().copy()?));
            tensors.push(("carry/inputs".into(), Tensor::from_slice(data.inputs(), (b, l), &Device::Cpu)?));
            tensors.push(("carry/labels".into(), Tensor::from_vec(labels, (b, l), &Device::Cpu)?));
            tensors.push(("carry/puzzle_ids".into(), Tensor::from_slice(data.puzzle_ids(), b, &Device::Cpu)?));
            tensors.push(("carry/steps".into(), Tensor::from_slice(carry.steps(), b, &Device::Cpu)?));
            tensors.push(("carry/halted".into(), Tensor::from_vec(halted, b, &Device::Cpu)?));
        }
        let meta = StateMeta {
            config: self.config.clone(),
            step: self.step,
            rng: RngState::of(&self.rng),
            adam_steps,
            has_carry: self.carry.is_some(),
        };
        Ok(StateCheckpoint { tensors, meta })
    }

    /// Continues from a [`TrainState::checkpoint`] of a model with architecture `arch`, under
    /// `config` (normally `checkpoint.meta.config`; a different one changes the run from here on, e.g.
    /// a longer `total_steps`). Every saved part is checked against the architecture.
    pub fn from_checkpoint(arch: TrmConfig, checkpoint: StateCheckpoint, config: TrainConfig) -> Result<Self> {
        let StateCheckpoint { tensors, meta } = checkpoint;
        let mut parts: BTreeMap<String, Tensor> = tensors.into_iter().collect();
        let mut take_prefix = |prefix: &str| -> TensorMap {
            let keys: Vec<String> = parts.keys().filter(|k| k.starts_with(prefix)).cloned().collect();
            keys.into_iter().filter_map(|k| parts.remove(&k).map(|t| (k[prefix.len()..].to_string(), t))).collect()
        };
        let model_tensors = take_prefix("model/");
        let ema_tensors = take_prefix("ema/");
        let adam_m = take_prefix("adam.m/");
        let mut adam_v = take_prefix("adam.v/");
        let carry_tensors = take_prefix("carry/");
        if let Some(extra) = parts.keys().next() {
            return Err(Error::Config(format!("unexpected tensor `{extra}` in the training state")));
        }
        let model = TrainableTrm::new(arch, model_tensors)?;
        let mut state = TrainState::new(model, config)?;
        state.step = meta.step;
        state.rng = meta.rng.restore()?;

        match (&mut state.ema, ema_tensors.is_empty()) {
            (Some(ema), false) => {
                let shadow = state
                    .model
                    .params()
                    .iter()
                    .map(|(key, _)| {
                        let t = ema_tensors
                            .get(key)
                            .ok_or_else(|| Error::Config(format!("the saved EMA has no tensor `{key}`")))?;
                        Ok((key.clone(), t.to_dtype(DType::F32)?.contiguous()?))
                    })
                    .collect::<Result<Vec<_>>>()?;
                ema.set_shadow(shadow)?;
            }
            (None, true) => {}
            (Some(_), true) => return Err(Error::Config("EMA is on but the checkpoint has no EMA weights".into())),
            (None, false) => return Err(Error::Config("EMA is off but the checkpoint has EMA weights".into())),
        }

        if let Some(adam) = &mut state.adam {
            let sizes: BTreeMap<&str, usize> =
                state.model.params().iter().map(|(k, v)| (k.as_str(), v.as_tensor().elem_count())).collect();
            for (key, m) in adam_m {
                let v = adam_v
                    .remove(&key)
                    .ok_or_else(|| Error::Config(format!("AdamATan2 state of {key} is incomplete")))?;
                let t = *meta
                    .adam_steps
                    .get(&key)
                    .ok_or_else(|| Error::Config(format!("no AdamATan2 step count for {key}")))?;
                let (m, v) = (m.flatten_all()?.to_vec1::<f32>()?, v.flatten_all()?.to_vec1::<f32>()?);
                if sizes.get(key.as_str()) != Some(&m.len()) {
                    return Err(Error::Config(format!("AdamATan2 state of {key} does not fit the model")));
                }
                adam.set_moments(&key, m, v, t)?;
            }
        }
        if let Some(key) = adam_v.keys().next() {
            return Err(Error::Config(format!("AdamATan2 state of {key} is incomplete")));
        }

        if meta.has_carry {
            let get = |name: &str| {
                carry_tensors.get(name).ok_or_else(|| Error::Config(format!("the saved carry has no `{name}`")))
            };
            let inputs = get("inputs")?.to_dtype(DType::U32)?;
            let (b, l) = inputs.dims2()?;
            let inputs = inputs.flatten_all()?.to_vec1::<u32>()?;
            let labels: Vec<i32> = get("labels")?
                .to_dtype(DType::I64)?
                .flatten_all()?
                .to_vec1::<i64>()?
                .into_iter()
                .map(|v| i32::try_from(v).unwrap_or(i32::MIN))
                .collect();
            let ids = get("puzzle_ids")?.to_dtype(DType::U32)?.flatten_all()?.to_vec1::<u32>()?;
            let steps = get("steps")?.to_dtype(DType::U32)?.flatten_all()?.to_vec1::<u32>()?;
            let halted = get("halted")?.to_dtype(DType::U8)?.flatten_all()?.to_vec1::<u8>()?;
            if labels.len() != b * l {
                return Err(Error::Config(format!("the saved carry has {} labels for [{b}, {l}]", labels.len())));
            }
            let data = Batch::new(l, inputs, labels, ids)?;
            let carry = ActCarry::from_parts(
                &state.model,
                get("y")?.clone(),
                get("z")?.clone(),
                steps,
                halted.into_iter().map(|h| h != 0).collect(),
                data,
            )?;
            state.carry = Some(carry);
        }
        Ok(state)
    }
}
