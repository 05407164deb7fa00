//! The trainable model: a [`Trm`] whose dense weights are candle [`Var`]s held in a [`VarMap`].
//!
//! What the official code registers as buffers is kept out of the variables, because the optimizer
//! and the EMA must not see it: `H_init`/`L_init` (fixed random vectors, never trained) and the
//! puzzle-embedding table (trained row by row by sign-SGD through a per-batch copy, see
//! [`crate::optim::SignSgd`]).
//!
//! Two views of the same weights are built. The tracked one records the autograd graph and is used for
//! the last recursion cycle. The untracked one shares the storage of the variables (so optimizer
//! updates reach it) but records nothing; it runs the cycles the official code wraps in `no_grad`,
//! which saves building and holding a graph that would be cut anyway, and serves evaluation.

use std::collections::HashMap;

use candle_core::{DType, Device, Shape, Tensor, Var};
use candle_nn::var_builder::SimpleBackend;
use candle_nn::{Init, VarBuilder, VarMap};
use trm_core::checkpoint::{ConfigHint, TensorMap, check_tensors, expected_tensors, read_state_dict, resolve_config};
use trm_core::{Trm, TrmConfig};

use crate::Result;

/// Keys of the tensors that are buffers in the official model, not parameters.
const BUFFER_KEYS: [&str; 3] = ["H_init", "L_init", PUZZLE_TABLE_KEY];
const PUZZLE_TABLE_KEY: &str = "puzzle_emb.weights";

/// Serves the dense weights from the `VarMap` and the buffers from plain tensors. Unlike a bare
/// `VarMap`, it never creates a missing variable: a wrong key is an error, not a fresh random weight.
struct TrainBackend {
    vars: VarMap,
    buffers: HashMap<String, Tensor>,
}

impl SimpleBackend for TrainBackend {
    fn get(&self, s: Shape, name: &str, h: Init, dtype: DType, dev: &Device) -> candle_core::Result<Tensor> {
        if self.buffers.contains_key(name) {
            return SimpleBackend::get(&self.buffers, s, name, h, dtype, dev);
        }
        if !self.contains_tensor(name) {
            candle_core::bail!("no trainable tensor `{name}`");
        }
        self.vars.get(s, name, h, dtype, dev)
    }

    fn get_unchecked(&self, name: &str, dtype: DType, dev: &Device) -> candle_core::Result<Tensor> {
        match self.vars.data().lock().expect("VarMap lock poisoned").get(name) {
            Some(var) => var.as_tensor().to_dtype(dtype)?.to_device(dev),
            None => SimpleBackend::get_unchecked(&self.buffers, name, dtype, dev),
        }
    }

    fn contains_tensor(&self, name: &str) -> bool {
        self.buffers.contains_key(name) || self.vars.data().lock().expect("VarMap lock poisoned").contains_key(name)
    }
}

/// A TRM ready for training: dense weights as variables, buffers beside them.
pub struct TrainableTrm {
    config: TrmConfig,
    tracked: Trm,
    untracked: Trm,
    varmap: VarMap,
    params: Vec<(String, Var)>,
    buffers: TensorMap,
    puzzle_table: Option<Tensor>,
}

impl TrainableTrm {
    /// Builds the model from every tensor of `config` under the stripped official keys (as
    /// [`trm_core::checkpoint::read_state_dict`] or [`trm_core::init::official_init`] give them).
    /// The tensors are copied: training never writes into the caller's tensors.
    pub fn new(config: TrmConfig, tensors: TensorMap) -> Result<Self> {
        check_tensors(&config, &tensors)?;
        let device = Device::Cpu;
        let varmap = VarMap::new();
        let mut params = Vec::new();
        let mut buffers = TensorMap::new();
        let mut puzzle_table = None;
        for (key, _) in expected_tensors(&config) {
            let tensor = tensors[&key].to_device(&device)?.to_dtype(DType::F32)?;
            if key == PUZZLE_TABLE_KEY {
                puzzle_table = Some(tensor.copy()?);
            } else if BUFFER_KEYS.contains(&key.as_str()) {
                buffers.insert(key, tensor.copy()?);
            } else {
                let var = Var::from_tensor(&tensor.copy()?)?;
                varmap.data().lock().expect("VarMap lock poisoned").insert(key.clone(), var.clone());
                params.push((key, var));
            }
        }
        let mut all_buffers: HashMap<String, Tensor> = buffers.clone().into_iter().collect();
        if let Some(table) = &puzzle_table {
            all_buffers.insert(PUZZLE_TABLE_KEY.into(), table.clone());
        }
        let backend = TrainBackend { vars: varmap.clone(), buffers: all_buffers.clone() };
        let tracked =
            Trm::new(config.clone(), VarBuilder::from_backend(Box::new(backend), DType::F32, device.clone()))?;
        // Detached views share the variables' storage: `Var::set` writes in place, so they follow.
        let mut views = all_buffers;
        for (key, var) in &params {
            views.insert(key.clone(), var.as_tensor().detach());
        }
        let untracked = Trm::new(config.clone(), VarBuilder::from_tensors(views, DType::F32, &device))?;
        Ok(Self { config, tracked, untracked, varmap, params, buffers, puzzle_table })
    }

    /// Fresh weights with the official initialisation (deterministic for `seed`).
    pub fn fresh(config: TrmConfig, seed: u64) -> Result<Self> {
        let tensors = trm_core::init::official_init(&config, seed)?;
        Self::new(config, tensors)
    }

    /// Continues from checkpoint bytes (safetensors or the official PyTorch format).
    pub fn from_checkpoint(bytes: &[u8], hint: &ConfigHint) -> Result<Self> {
        let tensors = read_state_dict(bytes)?;
        let config = resolve_config(&tensors, hint)?;
        Self::new(config, tensors)
    }

    pub fn config(&self) -> &TrmConfig {
        &self.config
    }

    /// The model that records gradients (dense weights are variables).
    pub fn tracked(&self) -> &Trm {
        &self.tracked
    }

    /// The same weights without gradient tracking, always current: for `no_grad` cycles and evaluation.
    pub fn model(&self) -> &Trm {
        &self.untracked
    }

    /// The dense parameters in the official state-dict order: what AdamATan2 and the EMA update.
    pub fn params(&self) -> &[(String, Var)] {
        &self.params
    }

    /// The `VarMap` holding the dense parameters.
    pub fn varmap(&self) -> &VarMap {
        &self.varmap
    }

    /// The puzzle-embedding table `[num_puzzle_identifiers, puzzle_emb_ndim]`, if the model has one.
    /// Its rows are updated in place by [`crate::SignSgd`].
    pub fn puzzle_table(&self) -> Option<&Tensor> {
        self.puzzle_table.as_ref()
    }

    /// Every tensor under the stripped official keys, with the current values (copies), ready to be
    /// written as a checkpoint.
    pub fn state_dict(&self) -> Result<TensorMap> {
        let dense = self.params.iter().map(|(k, v)| (k.clone(), v.as_tensor().clone()));
        self.state_dict_with(dense)
    }

    /// The state dict with `dense` in place of the live dense weights and the live buffers (what an
    /// EMA checkpoint of the official trainer holds).
    pub(crate) fn state_dict_with(&self, dense: impl Iterator<Item = (String, Tensor)>) -> Result<TensorMap> {
        let mut map = TensorMap::new();
        for (key, tensor) in dense {
            map.insert(key, tensor.detach().copy()?);
        }
        for (key, tensor) in &self.buffers {
            map.insert(key.clone(), tensor.copy()?);
        }
        if let Some(table) = &self.puzzle_table {
            map.insert(PUZZLE_TABLE_KEY.into(), table.copy()?);
        }
        Ok(map)
    }
}
