//! Exponential moving average of the dense weights (`models/ema.py`, reference §6.5).
//!
//! The shadow starts as a copy of the parameters and after every optimizer step becomes
//! `rate · shadow + (1 − rate) · θ`. Buffers (`H_init`, `L_init`, puzzle embeddings) are not averaged:
//! an EMA checkpoint of the official trainer holds the shadow dense weights with the live buffers,
//! which is what [`Ema::state_dict`] returns.

use candle_core::{Tensor, Var};
use trm_core::checkpoint::TensorMap;

use crate::model::TrainableTrm;
use crate::{Error, Result};

/// The shadow copy of the dense weights.
#[derive(Debug, Clone)]
pub struct Ema {
    rate: f64,
    shadow: Vec<(String, Tensor)>,
}

impl Ema {
    /// Starts from a copy of `params`; `rate` in [0, 1] (official `ema_rate` 0.999).
    pub fn new(params: &[(String, Var)], rate: f64) -> Result<Self> {
        if !(0.0..=1.0).contains(&rate) {
            return Err(Error::Config(format!("ema_rate must be in [0, 1], got {rate}")));
        }
        let shadow =
            params.iter().map(|(k, v)| Ok((k.clone(), v.as_tensor().detach().copy()?))).collect::<Result<_>>()?;
        Ok(Self { rate, shadow })
    }

    /// `shadow ← rate · shadow + (1 − rate) · θ` for every parameter (same order as at creation).
    pub fn update(&mut self, params: &[(String, Var)]) -> Result<()> {
        if params.len() != self.shadow.len() {
            return Err(Error::Config(format!("EMA of {} tensors given {}", self.shadow.len(), params.len())));
        }
        for ((name, shadow), (key, var)) in self.shadow.iter_mut().zip(params) {
            if name != key {
                return Err(Error::Config(format!("EMA tensor {name} given {key}")));
            }
            let live = var.as_tensor().detach();
            *shadow = ((live * (1.0 - self.rate))? + (&*shadow * self.rate)?)?;
        }
        Ok(())
    }

    /// Replaces the shadow (from a checkpoint): the same names, in the same order, with the same shapes.
    pub fn set_shadow(&mut self, shadow: Vec<(String, Tensor)>) -> Result<()> {
        if shadow.len() != self.shadow.len() {
            return Err(Error::Config(format!("EMA of {} tensors given {}", self.shadow.len(), shadow.len())));
        }
        for ((name, old), (key, new)) in self.shadow.iter().zip(&shadow) {
            if name != key || old.dims() != new.dims() {
                return Err(Error::Config(format!("EMA tensor {name} {:?} given {key} {:?}", old.dims(), new.dims())));
            }
        }
        self.shadow = shadow;
        Ok(())
    }

    /// The rate (`ema_rate`).
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The averaged dense weights, in parameter order.
    pub fn shadow(&self) -> &[(String, Tensor)] {
        &self.shadow
    }

    /// A full state dict: averaged dense weights plus the live buffers of `model`.
    pub fn state_dict(&self, model: &TrainableTrm) -> Result<TensorMap> {
        model.state_dict_with(self.shadow.iter().cloned())
    }
}
