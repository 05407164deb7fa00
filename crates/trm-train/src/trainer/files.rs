//! The files of a run directory, written atomically (a temporary file, synced, then renamed over the
//! old one), so a run killed at any moment leaves the previous complete checkpoint behind.
//!
//! ```text
//! <run>/run.json              the resolved run config (JSON, also valid YAML)
//! <run>/trainer.safetensors   everything needed to continue bit for bit (see below)
//! <run>/model.safetensors     the exportable model: EMA weights (live ones without EMA) with the
//!                             live buffers, under the stripped official key names
//! <run>/model.json            its model card
//! <run>/log.jsonl             one JSON object per line: start/resume, train, eval, checkpoint, stop
//! <run>/lock                  the process id of the trainer using the directory (see `lock`)
//! ```
//!
//! `trainer.safetensors` holds the tensors of [`crate::StateCheckpoint`] (live model, EMA shadow,
//! AdamATan2 moments, ACT carry) and, under the metadata key `trm_trainer`, a JSON object
//! ([`TrainerMeta`]): the format version, the architecture, the optimizer step counts and the
//! exploration generator ([`crate::state::StateMeta`]), the data source's position, and the run's
//! progress counters.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use candle_core::{Device, Tensor};
use serde::{Deserialize, Serialize};
use trm_core::TrmConfig;

use super::quick_eval::QuickEval;
use crate::state::{StateCheckpoint, StateMeta};
use crate::{Error, Result};

pub const CONFIG_FILE: &str = "run.json";
pub const TRAINER_FILE: &str = "trainer.safetensors";
pub const MODEL_FILE: &str = "model.safetensors";
pub const CARD_FILE: &str = "model.json";
pub const LOG_FILE: &str = "log.jsonl";

/// The metadata key of the trainer state in `trainer.safetensors`.
const META_KEY: &str = "trm_trainer";
/// Version of the trainer checkpoint layout.
pub const FORMAT_VERSION: u32 = 1;

/// Counters that span sessions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunProgress {
    /// Rows processed by optimizer steps (batch size × steps).
    pub example_steps: u64,
    /// Seconds spent training, over every session.
    pub wall_time: f64,
    /// Sessions that trained (the first, then one per resume).
    pub sessions: u32,
}

/// The JSON part of `trainer.safetensors`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainerMeta {
    pub format: u32,
    pub arch: TrmConfig,
    pub state: StateMeta,
    /// The data source's position ([`crate::data::BatchSource::state`]).
    pub source: serde_json::Value,
    pub progress: RunProgress,
    pub last_eval: Option<QuickEval>,
}

pub(crate) fn io_error(path: &Path, e: &std::io::Error) -> Error {
    Error::Io { path: path.display().to_string(), message: e.to_string() }
}

/// Writes `bytes` to `path` atomically: `<path>.tmp`, fsync, rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_error(path, &e)
    })?;
    // Make the rename itself durable; not every platform can open a directory, so this is best effort.
    if let Some(dir) = path.parent()
        && let Ok(d) = std::fs::File::open(if dir.as_os_str().is_empty() { Path::new(".") } else { dir })
    {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Safetensors bytes of `tensors` (sorted by name) with optional metadata.
pub fn safetensors_bytes(tensors: &[(String, Tensor)], metadata: Option<HashMap<String, String>>) -> Result<Vec<u8>> {
    let mut sorted: Vec<&(String, Tensor)> = tensors.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    safetensors::serialize(sorted.into_iter().map(|(k, t)| (k.as_str(), t)), metadata)
        .map_err(|e| Error::Checkpoint(format!("cannot serialise tensors: {e}")))
}

/// Writes the trainer checkpoint.
pub fn write_trainer(path: &Path, checkpoint: &StateCheckpoint, meta: &TrainerMeta) -> Result<()> {
    let json = serde_json::to_string(meta).map_err(|e| Error::Checkpoint(e.to_string()))?;
    let bytes = safetensors_bytes(&checkpoint.tensors, Some(HashMap::from([(META_KEY.to_string(), json)])))?;
    write_atomic(path, &bytes)
}

/// Reads a trainer checkpoint: its tensors (for [`crate::TrainState::from_checkpoint`]) and metadata.
pub fn read_trainer(path: &Path) -> Result<(StateCheckpoint, TrainerMeta)> {
    let bytes = std::fs::read(path).map_err(|e| io_error(path, &e))?;
    let bad = |m: String| Error::Checkpoint(format!("{}: {m}", path.display()));
    let (_, header) = safetensors::SafeTensors::read_metadata(&bytes).map_err(|e| bad(e.to_string()))?;
    let json = header
        .metadata()
        .as_ref()
        .and_then(|m| m.get(META_KEY))
        .ok_or_else(|| bad(format!("no `{META_KEY}` metadata: not a trainer checkpoint")))?;
    let meta: TrainerMeta = serde_json::from_str(json).map_err(|e| bad(format!("metadata: {e}")))?;
    if meta.format != FORMAT_VERSION {
        return Err(bad(format!("checkpoint format {} (this trainer reads {FORMAT_VERSION})", meta.format)));
    }
    let tensors = candle_core::safetensors::load_buffer(&bytes, &Device::Cpu).map_err(|e| bad(e.to_string()))?;
    let mut tensors: Vec<(String, Tensor)> = tensors.into_iter().collect();
    tensors.sort_by(|a, b| a.0.cmp(&b.0));
    Ok((StateCheckpoint { tensors, meta: meta.state.clone() }, meta))
}

/// Appends one JSON line to the run log.
pub fn append_log(path: &Path, line: &serde_json::Value) -> Result<()> {
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| io_error(path, &e))?;
    writeln!(file, "{line}").map_err(|e| io_error(path, &e))
}

/// A short description of this machine for the model card: CPU model and thread count.
pub fn hardware_description() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    format!("{cpu}, {} threads (CPU, f32)", candle_core::utils::get_num_threads())
}
