//! One optimizer step of the official trainer (`pretrain.train_batch`, reference §6.1): an ACT call
//! for every slot, backward of `loss / global_batch_size`, sign-SGD on the batch's puzzle-embedding
//! rows and AdamATan2 on the dense weights (both at their scheduled rate), then the EMA update.

use candle_core::backprop::GradStore;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use trm_core::checkpoint::TensorMap;

use crate::act::{ActCarry, ActStep};
use crate::batch::Batch;
use crate::loss::Metrics;
use crate::model::TrainableTrm;
use crate::optim::{AdamAtan2, Ema, LrSchedule, SignSgd};
use crate::{Error, Result};

/// Training hyper-parameters, with the official names and `cfg_pretrain.yaml` defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
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
        Ok(Self { config, model, carry: None, adam, sign_sgd, ema, rng, step: 0 })
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
        let out: ActStep = self.model.act_step(carry, batch, &mut self.rng)?;
        let grads = (&out.loss * (1.0 / self.config.global_batch_size as f64))?.backward()?;
        self.step += 1;
        let schedule = self.config.schedule();
        let lr = schedule.lr(self.step, self.config.lr);
        self.apply(&out, &grads, schedule.lr(self.step, self.config.puzzle_emb_lr), lr)?;
        Ok(StepOutput { step: self.step, loss: out.loss.to_scalar::<f64>()?, metrics: out.metrics, lr })
    }

    fn apply(&mut self, out: &ActStep, grads: &GradStore, puzzle_lr: f64, lr: f64) -> Result<()> {
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
