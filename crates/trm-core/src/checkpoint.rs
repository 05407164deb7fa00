//! Loading TRM checkpoints from bytes (the browser has no file system).
//!
//! [`load_model`] sniffs the format — safetensors, or the official PyTorch zip-pickle `.pt`/`step_N`
//! (read with candle's pickle reader; nothing is executed) — strips the official key prefixes,
//! upcasts bf16/f16 to f32, resolves the configuration (model card JSON, then the official
//! `all_config.yaml`, then defaults; vocabulary size and puzzle-id count from tensor shapes) and checks
//! every tensor before the model is built. Every failure is a typed [`Error`] naming the key, shape or
//! offset.

use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read, Seek, SeekFrom};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use serde::Deserialize;

use crate::config::{PosEncoding, TrmConfig};
use crate::model::Trm;
use crate::{Error, Result};

/// Prefixes the official trainer puts in front of every key, stripped in this order.
const KEY_PREFIXES: [&str; 3] = ["_orig_mod.", "model.", "inner."];

/// The on-disk format of a checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightsFormat {
    Safetensors,
    /// PyTorch's zip container with a pickled state dict (`torch.save`).
    PyTorchZip,
}

/// Recognises the format from the first bytes.
pub fn sniff(bytes: &[u8]) -> Result<WeightsFormat> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok(WeightsFormat::PyTorchZip);
    }
    if bytes.len() >= 9 && bytes[8] == b'{' {
        return Ok(WeightsFormat::Safetensors);
    }
    if bytes.len() < 9 {
        return Err(Error::Format(format!("the file is {} bytes long: too short to be a checkpoint", bytes.len())));
    }
    Err(Error::Format("not a safetensors file nor a PyTorch checkpoint (zip)".into()))
}

/// Removes the official prefixes (`_orig_mod.`, `model.`, `inner.`) from a key.
pub fn strip_prefixes(key: &str) -> &str {
    let mut key = key;
    for prefix in KEY_PREFIXES {
        key = key.strip_prefix(prefix).unwrap_or(key);
    }
    key
}

/// Reads every tensor of a checkpoint, with its key as stored.
pub fn read_tensors(bytes: &[u8]) -> Result<Vec<(String, Tensor)>> {
    read_tensors_from(Cursor::new(bytes), None)
}

/// Largest safetensors header accepted (the official limit is 100 MB).
const MAX_HEADER: u64 = 100_000_000;

fn io_error(what: &str, e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        Error::Format(format!("{what}: the file ends early (truncated?)"))
    } else {
        Error::Format(format!("{what}: {e}"))
    }
}

fn is_puzzle_table(key: &str) -> bool {
    strip_prefixes(key) == "puzzle_emb.weights"
}

/// Reads every tensor from a seekable source (a file, or bytes in a `Cursor`). With `rows`, the
/// puzzle-embedding table is read only at those rows, in that order, by seeking — so an official
/// ARC checkpoint (1.8 GB of embeddings) costs only the rows asked for. Other tensors are read whole.
pub fn read_tensors_from<R: Read + Seek>(mut source: R, rows: Option<&[usize]>) -> Result<Vec<(String, Tensor)>> {
    let len = source.seek(SeekFrom::End(0)).map_err(|e| io_error("checkpoint", e))?;
    source.seek(SeekFrom::Start(0)).map_err(|e| io_error("checkpoint", e))?;
    let mut head = Vec::with_capacity(9);
    (&mut source).take(9).read_to_end(&mut head).map_err(|e| io_error("checkpoint", e))?;
    match sniff(&head)? {
        WeightsFormat::Safetensors => read_safetensors_from(source, len, rows),
        WeightsFormat::PyTorchZip => read_pytorch_zip_from(source, rows),
    }
}

/// Reads a tensor of `dims` stored contiguously at `offset`; with `rows`, only those rows of a 2-D
/// tensor. `available` is how many bytes the tensor's storage has from `offset` on.
fn read_stored<R: Read + Seek>(
    source: &mut R,
    key: &str,
    dtype: DType,
    dims: &[usize],
    offset: u64,
    available: u64,
    rows: Option<&[usize]>,
) -> Result<Tensor> {
    let elem = dtype.size_in_bytes();
    let too_big = || Error::Format(format!("tensor {key}: shape {dims:?} is too large"));
    let total = dims.iter().try_fold(elem, |acc, &d| acc.checked_mul(d)).ok_or_else(too_big)?;
    if total as u64 > available {
        return Err(Error::Format(format!(
            "tensor {key}: needs {total} bytes at offset {offset}, the file has {available} (truncated?)"
        )));
    }
    let read_at = |source: &mut R, at: u64, buf: &mut [u8]| -> Result<()> {
        source.seek(SeekFrom::Start(at)).map_err(|e| io_error(key, e))?;
        source.read_exact(buf).map_err(|e| io_error(key, e))
    };
    match (rows, dims) {
        (Some(rows), &[table_rows, width]) if is_puzzle_table(key) => {
            let row_bytes = width * elem;
            let mut buf = vec![0u8; rows.len() * row_bytes];
            for (k, &r) in rows.iter().enumerate() {
                if r >= table_rows {
                    return Err(Error::InvalidArgument(format!("row {r} does not exist: {key} has {table_rows} rows")));
                }
                read_at(source, offset + (r * row_bytes) as u64, &mut buf[k * row_bytes..(k + 1) * row_bytes])?;
            }
            Ok(Tensor::from_raw_buffer(&buf, dtype, &[rows.len(), width], &Device::Cpu)?)
        }
        _ => {
            let mut buf = vec![0u8; total];
            read_at(source, offset, &mut buf)?;
            Ok(Tensor::from_raw_buffer(&buf, dtype, dims, &Device::Cpu)?)
        }
    }
}

fn float_dtype(key: &str, name: &str) -> Result<DType> {
    match name {
        "F32" => Ok(DType::F32),
        "F16" => Ok(DType::F16),
        "BF16" => Ok(DType::BF16),
        "F64" => Ok(DType::F64),
        other => Err(Error::UnsupportedDtype { key: key.to_string(), dtype: other.to_string() }),
    }
}

/// One entry of a safetensors header.
#[derive(Deserialize)]
struct HeaderEntry {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: [u64; 2],
}

fn read_safetensors_from<R: Read + Seek>(
    mut source: R,
    len: u64,
    rows: Option<&[usize]>,
) -> Result<Vec<(String, Tensor)>> {
    let bad = |what: String| Error::Format(format!("invalid safetensors file: {what}"));
    let mut n = [0u8; 8];
    source.seek(SeekFrom::Start(0)).map_err(|e| io_error("header", e))?;
    source.read_exact(&mut n).map_err(|e| io_error("header", e))?;
    let n = u64::from_le_bytes(n);
    if n > MAX_HEADER || 8 + n > len {
        return Err(bad(format!("header length {n} does not fit a {len}-byte file")));
    }
    let mut header = vec![0u8; n as usize];
    source.read_exact(&mut header).map_err(|e| io_error("header", e))?;
    let entries: BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(&header).map_err(|e| bad(format!("header is not JSON: {e}")))?;
    let data_start = 8 + n;
    let mut located = Vec::new();
    for (key, value) in entries {
        if key == "__metadata__" {
            continue;
        }
        let entry: HeaderEntry = serde_json::from_value(value).map_err(|e| bad(format!("entry {key}: {e}")))?;
        let dtype = float_dtype(&key, &entry.dtype)?;
        let [start, end] = entry.data_offsets;
        if start > end || data_start.saturating_add(end) > len {
            return Err(bad(format!("tensor {key}: data offsets {start}..{end} lie outside the file (truncated?)")));
        }
        let want = entry.shape.iter().try_fold(dtype.size_in_bytes() as u64, |acc, &d| acc.checked_mul(d as u64));
        if want != Some(end - start) {
            return Err(bad(format!(
                "tensor {key}: shape {:?} does not match {} data bytes",
                entry.shape,
                end - start
            )));
        }
        located.push((start, key, dtype, entry.shape, end - start));
    }
    located.sort_by_key(|entry| entry.0);
    let mut out = Vec::with_capacity(located.len());
    for (start, key, dtype, dims, available) in located {
        let tensor = read_stored(&mut source, &key, dtype, &dims, data_start + start, available, rows)?;
        out.push((key, tensor));
    }
    Ok(out)
}

fn read_pytorch_zip_from<R: Read + Seek>(source: R, rows: Option<&[usize]>) -> Result<Vec<(String, Tensor)>> {
    use candle_core::pickle::{Object, Stack};
    let zip_err = |e: zip::result::ZipError| Error::Format(format!("invalid PyTorch checkpoint (zip): {e}"));
    let mut archive = zip::ZipArchive::new(source).map_err(zip_err)?;
    let pickle_name = archive
        .file_names()
        .filter_map(|n| n.ok())
        .find(|n| n.ends_with("data.pkl"))
        .map(|n| n.into_owned())
        .ok_or_else(|| Error::Format("the zip holds no data.pkl: not a PyTorch checkpoint".into()))?;
    let dir = std::path::PathBuf::from(pickle_name.trim_end_matches(".pkl"));
    let mut pickle = Vec::new();
    archive.by_name(&pickle_name).map_err(zip_err)?.read_to_end(&mut pickle).map_err(|e| io_error("data.pkl", e))?;
    let mut stack = Stack::empty();
    stack
        .read_loop(&mut Cursor::new(&pickle))
        .map_err(|e| Error::Format(format!("cannot read the pickled state dict: {e}")))?;
    let object = stack.finalize().map_err(|e| Error::Format(format!("cannot read the pickled state dict: {e}")))?;
    let Object::Dict(entries) = object else {
        return Err(Error::Format("the checkpoint's pickle is not a state dict".into()));
    };
    // Locate every tensor's bytes inside the (uncompressed) zip, then read them by seeking.
    let mut located = Vec::new();
    for (name, value) in entries {
        let key = match &name {
            Object::Unicode(s) => s.clone(),
            other => return Err(Error::Format(format!("state dict key is not a string: {other:?}"))),
        };
        if key == "_metadata" {
            continue; // the state dict's module-version record, not a tensor
        }
        let info = value
            .into_tensor_info(name, &dir)
            .map_err(|e| Error::Format(format!("entry {key}: {e}")))?
            .ok_or_else(|| Error::Format(format!("entry {key} is not a tensor")))?;
        if !matches!(info.dtype, DType::F32 | DType::F16 | DType::BF16 | DType::F64) {
            return Err(Error::UnsupportedDtype { key, dtype: format!("{:?}", info.dtype) });
        }
        if !info.layout.is_contiguous() {
            return Err(Error::Format(format!("tensor {key} is stored non-contiguously, which is not supported")));
        }
        let entry = archive
            .by_name(&info.path)
            .map_err(|e| Error::Format(format!("tensor {key}: storage {} missing: {e}", info.path)))?;
        if entry.compression() != zip::CompressionMethod::Stored {
            return Err(Error::Format(format!("tensor {key}: compressed storage is not supported")));
        }
        let start = entry.data_start().ok_or_else(|| Error::Format(format!("tensor {key}: storage offset unknown")))?;
        let skip = (info.layout.start_offset() * info.dtype.size_in_bytes()) as u64;
        let available = entry.size().saturating_sub(skip);
        located.push((key, info.dtype, info.layout.dims().to_vec(), start + skip, available));
    }
    let mut source = archive.into_inner();
    let mut out = Vec::with_capacity(located.len());
    for (key, dtype, dims, offset, available) in located {
        let tensor = read_stored(&mut source, &key, dtype, &dims, offset, available, rows)?;
        out.push((key, tensor));
    }
    Ok(out)
}

/// The architecture fields a model card or an official `all_config.yaml` may give; anything left out
/// comes from tensor shapes or defaults. Unknown fields (`name`, `loss`, …) are ignored.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct PartialArch {
    pub seq_len: Option<usize>,
    pub vocab_size: Option<usize>,
    pub num_puzzle_identifiers: Option<usize>,
    pub puzzle_emb_ndim: Option<usize>,
    #[serde(rename = "H_cycles")]
    pub h_cycles: Option<usize>,
    #[serde(rename = "L_cycles")]
    pub l_cycles: Option<usize>,
    #[serde(rename = "H_layers")]
    pub h_layers: Option<usize>,
    #[serde(rename = "L_layers")]
    pub l_layers: Option<usize>,
    pub hidden_size: Option<usize>,
    pub expansion: Option<f64>,
    pub num_heads: Option<usize>,
    pub pos_encodings: Option<PosEncoding>,
    pub rms_norm_eps: Option<f64>,
    pub rope_theta: Option<f64>,
    pub halt_max_steps: Option<usize>,
    pub halt_exploration_prob: Option<f64>,
    pub mlp_t: Option<bool>,
    pub puzzle_emb_len: Option<usize>,
    #[serde(rename = "no_ACT_continue")]
    pub no_act_continue: Option<bool>,
}

#[derive(Deserialize)]
struct OfficialAllConfig {
    arch: PartialArch,
}

#[derive(Deserialize)]
struct CardArch {
    seq_len: Option<usize>,
    vocab_size: Option<usize>,
    #[serde(default)]
    arch: PartialArch,
}

impl PartialArch {
    /// Every field this one leaves unset, taken from `fallback`.
    pub fn or(self, fallback: PartialArch) -> PartialArch {
        PartialArch {
            seq_len: self.seq_len.or(fallback.seq_len),
            vocab_size: self.vocab_size.or(fallback.vocab_size),
            num_puzzle_identifiers: self.num_puzzle_identifiers.or(fallback.num_puzzle_identifiers),
            puzzle_emb_ndim: self.puzzle_emb_ndim.or(fallback.puzzle_emb_ndim),
            h_cycles: self.h_cycles.or(fallback.h_cycles),
            l_cycles: self.l_cycles.or(fallback.l_cycles),
            h_layers: self.h_layers.or(fallback.h_layers),
            l_layers: self.l_layers.or(fallback.l_layers),
            hidden_size: self.hidden_size.or(fallback.hidden_size),
            expansion: self.expansion.or(fallback.expansion),
            num_heads: self.num_heads.or(fallback.num_heads),
            pos_encodings: self.pos_encodings.or(fallback.pos_encodings),
            rms_norm_eps: self.rms_norm_eps.or(fallback.rms_norm_eps),
            rope_theta: self.rope_theta.or(fallback.rope_theta),
            halt_max_steps: self.halt_max_steps.or(fallback.halt_max_steps),
            halt_exploration_prob: self.halt_exploration_prob.or(fallback.halt_exploration_prob),
            mlp_t: self.mlp_t.or(fallback.mlp_t),
            puzzle_emb_len: self.puzzle_emb_len.or(fallback.puzzle_emb_len),
            no_act_continue: self.no_act_continue.or(fallback.no_act_continue),
        }
    }

    /// The `arch` section of an official `all_config.yaml`.
    pub fn from_all_config_yaml(text: &str) -> Result<Self> {
        let parsed: OfficialAllConfig =
            serde_saphyr::from_str(text).map_err(|e| Error::Config(format!("all_config.yaml: {e}")))?;
        Ok(parsed.arch)
    }

    /// The `arch` section of a model card (plus its top-level `seq_len`/`vocab_size`).
    pub fn from_model_card(json: &str) -> Result<Self> {
        let card: CardArch = serde_json::from_str(json).map_err(|e| Error::Config(format!("model card: {e}")))?;
        let mut arch = card.arch;
        arch.seq_len = arch.seq_len.or(card.seq_len);
        arch.vocab_size = arch.vocab_size.or(card.vocab_size);
        Ok(arch)
    }
}

/// What is known about a checkpoint besides its tensors.
#[derive(Debug, Clone, Default)]
pub struct ConfigHint {
    /// A model card JSON beside the weights (preferred).
    pub model_card: Option<String>,
    /// The official `all_config.yaml` beside the weights.
    pub all_config_yaml: Option<String>,
    /// Puzzle tokens per example, from the puzzle domain, when no config says it.
    pub seq_len: Option<usize>,
    /// The puzzle domain's defaults (e.g. `L_cycles` 6 for Sudoku, 4 for mazes and ARC), used for
    /// what neither the card nor the yaml says.
    pub defaults: PartialArch,
}

/// Tensors keyed by their stripped names, all f32.
pub type TensorMap = BTreeMap<String, Tensor>;

/// Reads, strips and upcasts a checkpoint's tensors.
pub fn read_state_dict(bytes: &[u8]) -> Result<TensorMap> {
    state_dict(read_tensors(bytes)?)
}

/// Strips the official prefixes from raw tensors and upcasts them to f32.
pub fn state_dict(raw: Vec<(String, Tensor)>) -> Result<TensorMap> {
    let mut map = TensorMap::new();
    for (key, tensor) in raw {
        let stripped = strip_prefixes(&key).to_string();
        let tensor = tensor.to_dtype(DType::F32)?;
        if map.insert(stripped.clone(), tensor).is_some() {
            return Err(Error::Format(format!("key {stripped} appears twice after removing prefixes")));
        }
    }
    Ok(map)
}

fn dims_of(map: &TensorMap, key: &str) -> Option<Vec<usize>> {
    map.get(key).map(|t| t.dims().to_vec())
}

/// Resolves the configuration of `tensors` from the hint, tensor shapes and defaults.
pub fn resolve_config(tensors: &TensorMap, hint: &ConfigHint) -> Result<TrmConfig> {
    let arch = match (&hint.model_card, &hint.all_config_yaml) {
        (Some(card), _) => PartialArch::from_model_card(card)?,
        (None, Some(yaml)) => PartialArch::from_all_config_yaml(yaml)?,
        (None, None) => PartialArch::default(),
    }
    .or(hint.defaults.clone());
    let embed = dims_of(tensors, "embed_tokens.embedding_weight")
        .ok_or_else(|| Error::MissingTensor { key: "embed_tokens.embedding_weight".into() })?;
    let [vocab, hidden] = embed[..] else {
        return Err(Error::ShapeMismatch {
            key: "embed_tokens.embedding_weight".into(),
            expected: "[vocab, hidden]".into(),
            found: embed.clone(),
        });
    };
    let mismatch = |field: &str, config: String, weights: String| {
        Err(Error::ConfigMismatch(format!("the config says {field} = {config} but the weights say {weights}")))
    };
    if let Some(v) = arch.vocab_size.filter(|&v| v != vocab) {
        return mismatch("vocab_size", v.to_string(), vocab.to_string());
    }
    if let Some(h) = arch.hidden_size.filter(|&h| h != hidden) {
        return mismatch("hidden_size", h.to_string(), hidden.to_string());
    }
    let has_mlp_t = tensors.keys().any(|k| k.contains(".mlp_t."));
    if let Some(m) = arch.mlp_t.filter(|&m| m != has_mlp_t) {
        return mismatch("mlp_t", m.to_string(), has_mlp_t.to_string());
    }
    let has_learned = tensors.contains_key("embed_pos.embedding_weight");
    let pos_encodings = match arch.pos_encodings {
        Some(PosEncoding::Learned) if !has_learned => {
            return mismatch("pos_encodings", "learned".into(), "no embed_pos table".into());
        }
        Some(p) if p != PosEncoding::Learned && has_learned => {
            return mismatch("pos_encodings", format!("{p:?}"), "learned (embed_pos table present)".into());
        }
        Some(p) => p,
        None if has_learned => PosEncoding::Learned,
        None if has_mlp_t => PosEncoding::None,
        None => PosEncoding::Rope,
    };
    let (ids, ndim) = match dims_of(tensors, "puzzle_emb.weights") {
        Some(d) if d.len() == 2 => (d[0], d[1]),
        Some(d) => {
            return Err(Error::ShapeMismatch {
                key: "puzzle_emb.weights".into(),
                expected: "[ids, ndim]".into(),
                found: d,
            });
        }
        None => (arch.num_puzzle_identifiers.unwrap_or(1), 0),
    };
    if let Some(n) = arch.puzzle_emb_ndim.filter(|&n| n != ndim) {
        return mismatch("puzzle_emb_ndim", n.to_string(), ndim.to_string());
    }
    let puzzle_emb_len = arch.puzzle_emb_len.unwrap_or(if ndim == 0 { 0 } else { 16 });
    let prefix = if puzzle_emb_len != 0 { puzzle_emb_len } else { ndim.div_ceil(hidden) };
    let l_layers = arch.l_layers.unwrap_or_else(|| {
        (0..).take_while(|i| tensors.contains_key(&format!("L_level.layers.{i}.mlp.down_proj.weight"))).count()
    });
    // The sequence length: config, then the domain, then shapes that carry it.
    let from_shapes = if has_mlp_t {
        dims_of(tensors, "L_level.layers.0.mlp_t.down_proj.weight").and_then(|d| d.first().copied())
    } else {
        dims_of(tensors, "embed_pos.embedding_weight").and_then(|d| d.first().copied())
    }
    .and_then(|s| s.checked_sub(prefix));
    let seq_len = arch.seq_len.or(hint.seq_len).or(from_shapes).ok_or_else(|| {
        Error::Config("the puzzle length (seq_len) is unknown: give a model card or the puzzle domain".into())
    })?;
    let config = TrmConfig {
        seq_len,
        puzzle_emb_ndim: ndim,
        num_puzzle_identifiers: ids,
        vocab_size: vocab,
        h_cycles: arch.h_cycles.unwrap_or(3),
        l_cycles: arch.l_cycles.unwrap_or(6),
        h_layers: arch.h_layers.unwrap_or(0),
        l_layers,
        hidden_size: hidden,
        expansion: arch.expansion.unwrap_or(4.0),
        num_heads: arch.num_heads.unwrap_or(if hidden >= 64 { hidden / 64 } else { 1 }),
        pos_encodings,
        rms_norm_eps: arch.rms_norm_eps.unwrap_or(1e-5),
        rope_theta: arch.rope_theta.unwrap_or(10_000.0),
        halt_max_steps: arch.halt_max_steps.unwrap_or(16),
        halt_exploration_prob: arch.halt_exploration_prob.unwrap_or(0.1),
        mlp_t: has_mlp_t,
        puzzle_emb_len,
        no_act_continue: arch.no_act_continue.unwrap_or(true),
    };
    config.validate()?;
    Ok(config)
}

/// Every tensor a model of `config` has, with its shape, in the official order.
pub fn expected_tensors(config: &TrmConfig) -> Vec<(String, Vec<usize>)> {
    let c = config;
    let (d, v, s) = (c.hidden_size, c.vocab_size, c.total_seq_len());
    let mut out = vec![
        ("H_init".to_string(), vec![d]),
        ("L_init".to_string(), vec![d]),
        ("embed_tokens.embedding_weight".to_string(), vec![v, d]),
        ("lm_head.weight".to_string(), vec![v, d]),
        ("q_head.weight".to_string(), vec![2, d]),
        ("q_head.bias".to_string(), vec![2]),
    ];
    if c.puzzle_emb_ndim > 0 {
        out.push(("puzzle_emb.weights".into(), vec![c.num_puzzle_identifiers, c.puzzle_emb_ndim]));
    }
    if c.pos_encodings == PosEncoding::Learned {
        out.push(("embed_pos.embedding_weight".into(), vec![s, d]));
    }
    let (i, it) = (c.mlp_intermediate(), c.mlp_t_intermediate());
    for layer in 0..c.l_layers {
        let p = format!("L_level.layers.{layer}");
        if c.mlp_t {
            out.push((format!("{p}.mlp_t.gate_up_proj.weight"), vec![2 * it, s]));
            out.push((format!("{p}.mlp_t.down_proj.weight"), vec![s, it]));
        } else {
            out.push((format!("{p}.self_attn.qkv_proj.weight"), vec![3 * d, d]));
            out.push((format!("{p}.self_attn.o_proj.weight"), vec![d, d]));
        }
        out.push((format!("{p}.mlp.gate_up_proj.weight"), vec![2 * i, d]));
        out.push((format!("{p}.mlp.down_proj.weight"), vec![d, i]));
    }
    out
}

/// Checks names, shapes and values of `tensors` against `config`.
pub fn check_tensors(config: &TrmConfig, tensors: &TensorMap) -> Result<()> {
    let expected = expected_tensors(config);
    for (key, shape) in &expected {
        let tensor = tensors.get(key).ok_or_else(|| Error::MissingTensor { key: key.clone() })?;
        if tensor.dims() != shape.as_slice() {
            return Err(Error::ShapeMismatch {
                key: key.clone(),
                expected: format!("{shape:?}"),
                found: tensor.dims().to_vec(),
            });
        }
    }
    let known: std::collections::HashSet<&str> = expected.iter().map(|(k, _)| k.as_str()).collect();
    if let Some(extra) = tensors.keys().find(|k| !known.contains(k.as_str())) {
        return Err(Error::UnexpectedTensor { key: extra.clone() });
    }
    for (key, tensor) in tensors {
        let values = tensor.flatten_all()?.to_vec1::<f32>()?;
        if let Some((index, value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::NonFinite { key: key.clone(), index, value: *value });
        }
    }
    Ok(())
}

/// Builds a model from checked tensors.
pub fn build_model(config: TrmConfig, tensors: TensorMap) -> Result<Trm> {
    check_tensors(&config, &tensors)?;
    let map: HashMap<String, Tensor> = tensors.into_iter().collect();
    let vb = VarBuilder::from_tensors(map, DType::F32, &Device::Cpu);
    Ok(Trm::new(config, vb)?)
}

/// The one entry point: checkpoint bytes (+ optional card/config) → a ready model.
pub fn load_model(bytes: &[u8], hint: &ConfigHint) -> Result<Trm> {
    let tensors = read_state_dict(bytes)?;
    let config = resolve_config(&tensors, hint)?;
    build_model(config, tensors)
}

/// Fuzzing entry point (and corpus replay in tests): any bytes as a checkpoint. The result is
/// ignored; the point is that it returns.
#[doc(hidden)]
pub fn fuzz_checkpoint_bytes(data: &[u8]) {
    let hint = ConfigHint { seq_len: Some(16), ..Default::default() };
    let _ = load_model(data, &hint);
}

/// Fuzzing entry point: any bytes as an official `all_config.yaml`.
#[doc(hidden)]
pub fn fuzz_all_config_yaml(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = PartialArch::from_all_config_yaml(text);
    }
}

/// Fuzzing entry point: any bytes as a model card.
#[doc(hidden)]
pub fn fuzz_model_card(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = PartialArch::from_model_card(text);
    }
}
