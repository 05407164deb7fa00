//! Writing a model's state dict as the official trainer does (reference §9): safetensors with the
//! official key names, or the zip-pickle that `torch.save(model.state_dict(), path)` writes.
//!
//! The PyTorch writer mirrors torch 2.x byte for byte (checked against `torch.save` output in the
//! parity fixtures, whose files differ from ours only in the random `.data/serialization_id`):
//!
//! - a zip of stored (uncompressed) entries under one folder named after the file (`step_N/`,
//!   `checkpoint/` for `checkpoint.pt`): `data.pkl`, `.format_version` (`1`), `.storage_alignment`
//!   (`64`), `byteorder` (`little`), one `data/<n>` per tensor in state-dict order, `version` (`3\n`)
//!   and `.data/serialization_id` (40 digits; here derived from the content, so exports are
//!   reproducible);
//! - every entry's data starts at a multiple of 64 bytes, padded by an `FB` extra field of `Z`s in its
//!   local header; local headers carry zero CRC and sizes and each entry is followed by a data
//!   descriptor; all DOS times are zero; the archive always ends with a zip64 end record and locator;
//! - `data.pkl` is pickle protocol 2: a `collections.OrderedDict` of
//!   `torch._utils._rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())`
//!   with storages `('storage', torch.FloatStorage, '<n>', 'cpu', numel)` (`BFloat16Storage`,
//!   `HalfStorage`, `DoubleStorage` for other dtypes), then the `_metadata` attribute
//!   (`{module path: {'version': 1}}` for every module of the compiled `ACTLossHead`), with Python's
//!   memoisation (`BINPUT`/`BINGET`) and batching (`SETITEMS` per 1000 items).
//!
//! Tensors keep their dtype: an official checkpoint's bf16 `H_init`/`L_init` stay bf16.

use std::io::Write;

use candle_core::{DType, Tensor};
use safetensors::View;
use trm_core::checkpoint::{TensorMap, expected_tensors, strip_prefixes};
use trm_core::{PosEncoding, TrmConfig};

use crate::{Error, Result};

/// The prefix of every key in checkpoints written by the official trainer (`torch.compile` of
/// `ACTLossHead` around the model).
pub const OFFICIAL_PREFIX: &str = "_orig_mod.model.inner.";

/// Data of every zip entry starts at a multiple of this (torch's `kFieldAlignment`).
const ALIGNMENT: u64 = 64;

/// Python's pickler writes dict items in batches of this many.
const PICKLE_BATCH: usize = 1000;

/// The tensors of `config`'s model in the official state-dict order (own buffers, then children in
/// registration order), each under its official key (`_orig_mod.model.inner.…`). `tensors` may be
/// keyed with or without the official prefixes and in any float dtype; each keeps its dtype. Fails if
/// a tensor is missing, has the wrong shape, or is not part of the model.
pub fn official_state_dict(config: &TrmConfig, tensors: Vec<(String, Tensor)>) -> Result<Vec<(String, Tensor)>> {
    let mut by_key = TensorMap::new();
    for (key, tensor) in tensors {
        let stripped = strip_prefixes(&key).to_string();
        if by_key.insert(stripped.clone(), tensor).is_some() {
            return Err(Error::Export(format!("tensor {stripped} appears twice")));
        }
    }
    let mut out = Vec::new();
    for (key, shape) in expected_tensors(config) {
        let tensor = by_key.remove(&key).ok_or_else(|| trm_core::Error::MissingTensor { key: key.clone() })?;
        if tensor.dims() != shape.as_slice() {
            return Err(trm_core::Error::ShapeMismatch {
                key,
                expected: format!("{shape:?}"),
                found: tensor.dims().to_vec(),
            }
            .into());
        }
        out.push((format!("{OFFICIAL_PREFIX}{key}"), tensor));
    }
    if let Some(extra) = by_key.keys().next() {
        return Err(trm_core::Error::UnexpectedTensor { key: extra.clone() }.into());
    }
    Ok(out)
}

/// The metadata PyTorch-side safetensors writers put in the header.
fn safetensors_metadata() -> std::collections::HashMap<String, String> {
    std::collections::HashMap::from([("format".to_string(), "pt".to_string())])
}

/// The tensors as a safetensors file, with the metadata `{"format": "pt"}`.
pub fn safetensors_bytes(tensors: &[(String, Tensor)]) -> Result<Vec<u8>> {
    safetensors::serialize(tensors.iter().map(|(k, t)| (k.as_str(), t)), Some(safetensors_metadata()))
        .map_err(|e| Error::Export(format!("cannot write safetensors: {e}")))
}

/// [`safetensors_bytes`] written straight to a file (no copy of the whole file in memory).
pub fn write_safetensors(tensors: &[(String, Tensor)], path: &std::path::Path) -> Result<()> {
    safetensors::serialize_to_file(tensors.iter().map(|(k, t)| (k.as_str(), t)), Some(safetensors_metadata()), path)
        .map_err(|e| Error::Export(format!("cannot write {}: {e}", path.display())))
}

/// The folder name torch puts inside the zip for a file name: the name up to its first `.`
/// (`step_500` → `step_500`, `model.pt` → `model`), `archive` if that is empty.
pub fn archive_name(file_name: &str) -> String {
    let base = file_name.split('.').next().unwrap_or("");
    if base.is_empty() { "archive".to_string() } else { base.to_string() }
}

/// The modules whose versions `state_dict()` records in `_metadata`, in `named_modules` order, for the
/// official model wrapped as the trainer saves it.
pub fn module_paths(config: &TrmConfig) -> Vec<String> {
    let inner = OFFICIAL_PREFIX.trim_end_matches('.');
    let mut out: Vec<String> = ["", "_orig_mod", "_orig_mod.model", inner].iter().map(|s| s.to_string()).collect();
    for child in ["embed_tokens", "lm_head", "q_head"] {
        out.push(format!("{inner}.{child}"));
    }
    if config.puzzle_emb_ndim > 0 {
        out.push(format!("{inner}.puzzle_emb"));
    }
    match config.pos_encodings {
        PosEncoding::Rope => out.push(format!("{inner}.rotary_emb")),
        PosEncoding::Learned => out.push(format!("{inner}.embed_pos")),
        PosEncoding::None => {}
    }
    out.push(format!("{inner}.L_level"));
    out.push(format!("{inner}.L_level.layers"));
    for layer in 0..config.l_layers {
        let p = format!("{inner}.L_level.layers.{layer}");
        out.push(p.clone());
        let mixer = if config.mlp_t { "mlp_t" } else { "self_attn" };
        let projections = if config.mlp_t { ["gate_up_proj", "down_proj"] } else { ["qkv_proj", "o_proj"] };
        out.push(format!("{p}.{mixer}"));
        for proj in projections {
            out.push(format!("{p}.{mixer}.{proj}"));
        }
        out.push(format!("{p}.mlp"));
        for proj in ["gate_up_proj", "down_proj"] {
            out.push(format!("{p}.mlp.{proj}"));
        }
    }
    out
}

/// Row-major strides of a contiguous tensor of `dims`, in elements.
fn contiguous_strides(dims: &[usize]) -> Vec<usize> {
    let mut strides = vec![1; dims.len()];
    for k in (0..dims.len().saturating_sub(1)).rev() {
        strides[k] = strides[k + 1] * dims[k + 1];
    }
    strides
}

/// The storage class torch pickles for a dtype.
fn storage_class(dtype: DType) -> Result<&'static str> {
    Ok(match dtype {
        DType::F32 => "FloatStorage",
        DType::BF16 => "BFloat16Storage",
        DType::F16 => "HalfStorage",
        DType::F64 => "DoubleStorage",
        other => return Err(Error::Export(format!("cannot export tensors of dtype {other:?}"))),
    })
}

/// A pickle protocol 2 writer for the few object kinds a state dict needs, memoising like Python's
/// pickler: every string, tuple, dict and global is put in the memo, and an object Python would
/// reuse (a shared global, a string constant) is fetched from it.
struct Pickler {
    out: Vec<u8>,
    next_memo: u32,
    /// Memo indices of objects Python shares by identity: globals and constant strings.
    shared: std::collections::HashMap<String, u32>,
}

impl Pickler {
    fn new() -> Self {
        let mut p = Pickler { out: Vec::new(), next_memo: 0, shared: Default::default() };
        p.out.extend_from_slice(&[0x80, 2]); // PROTO 2
        p
    }

    fn put(&mut self) {
        let index = self.next_memo;
        self.next_memo += 1;
        match u8::try_from(index) {
            Ok(i) => self.out.extend_from_slice(&[b'q', i]),
            Err(_) => {
                self.out.push(b'r');
                self.out.extend_from_slice(&index.to_le_bytes());
            }
        }
    }

    fn get(&mut self, index: u32) {
        match u8::try_from(index) {
            Ok(i) => self.out.extend_from_slice(&[b'h', i]),
            Err(_) => {
                self.out.push(b'j');
                self.out.extend_from_slice(&index.to_le_bytes());
            }
        }
    }

    /// Writes a shared object once and fetches it from the memo afterwards.
    fn shared(&mut self, id: &str, write: impl FnOnce(&mut Self)) {
        if let Some(&index) = self.shared.get(id) {
            self.get(index);
        } else {
            write(self);
            self.shared.insert(id.to_string(), self.next_memo);
            self.put();
        }
    }

    fn global(&mut self, module: &str, name: &str) {
        self.shared(&format!("global {module} {name}"), |p| {
            p.out.push(b'c');
            p.out.extend_from_slice(format!("{module}\n{name}\n").as_bytes());
        });
    }

    fn raw_string(&mut self, s: &str) {
        self.out.push(b'X'); // BINUNICODE
        self.out.extend_from_slice(&(s.len() as u32).to_le_bytes());
        self.out.extend_from_slice(s.as_bytes());
    }

    /// A string that is a new object (memoised, never fetched).
    fn string(&mut self, s: &str) {
        self.raw_string(s);
        self.put();
    }

    /// A string constant Python shares by identity (`'storage'`, `'cpu'`, `'version'`).
    fn constant(&mut self, s: &str) {
        self.shared(&format!("str {s}"), |p| p.raw_string(s));
    }

    fn int(&mut self, v: i64) {
        if (0..=0xff).contains(&v) {
            self.out.extend_from_slice(&[b'K', v as u8]);
        } else if (0..=0xffff).contains(&v) {
            self.out.push(b'M');
            self.out.extend_from_slice(&(v as u16).to_le_bytes());
        } else if let Ok(v32) = i32::try_from(v) {
            self.out.push(b'J');
            self.out.extend_from_slice(&v32.to_le_bytes());
        } else {
            // LONG1: little-endian two's complement, as short as Python makes it.
            let bytes = v.to_le_bytes();
            let mut n = 8;
            while n > 1 {
                let (last, prev) = (bytes[n - 1], bytes[n - 2]);
                if (last == 0 && prev & 0x80 == 0) || (last == 0xff && prev & 0x80 != 0) {
                    n -= 1;
                } else {
                    break;
                }
            }
            self.out.extend_from_slice(&[0x8a, n as u8]);
            self.out.extend_from_slice(&bytes[..n]);
        }
    }

    /// A tuple of already-written items: `EMPTY_TUPLE`, `TUPLE1..3`, or `MARK … TUPLE` (the caller
    /// wrote the `MARK` when `len > 3`).
    fn end_tuple(&mut self, len: usize) {
        match len {
            0 => self.out.push(b')'),
            1 => self.out.push(0x85),
            2 => self.out.push(0x86),
            3 => self.out.push(0x87),
            _ => self.out.push(b't'),
        }
        if len > 0 {
            self.put();
        }
    }

    fn int_tuple(&mut self, values: &[usize]) {
        if values.len() > 3 {
            self.mark();
        }
        for &v in values {
            self.int(v as i64);
        }
        self.end_tuple(values.len());
    }

    fn mark(&mut self) {
        self.out.push(b'(');
    }

    /// `OrderedDict()`: the shared global, an empty argument tuple, `REDUCE`.
    fn new_ordered_dict(&mut self) {
        self.global("collections", "OrderedDict");
        self.out.push(b')');
        self.out.push(b'R');
        self.put();
    }

    /// Writes `items` as Python's `_batch_setitems` does.
    fn set_items<T>(&mut self, items: &[T], mut write: impl FnMut(&mut Self, &T)) {
        for batch in items.chunks(PICKLE_BATCH) {
            if batch.len() > 1 {
                self.mark();
            }
            for item in batch {
                write(self, item);
            }
            self.out.push(if batch.len() > 1 { b'u' } else { b's' });
        }
    }

    fn finish(mut self) -> Vec<u8> {
        self.out.push(b'.');
        self.out
    }
}

/// `data.pkl` for `tensors` (official keys, storages numbered from 0 in order) with `_metadata` for
/// `modules`.
fn state_dict_pickle(tensors: &[(String, Tensor)], modules: &[String]) -> Result<Vec<u8>> {
    let mut p = Pickler::new();
    p.new_ordered_dict();
    let indexed: Vec<(usize, &(String, Tensor))> = tensors.iter().enumerate().collect();
    let mut failure = None;
    p.set_items(&indexed, |p, (n, (key, tensor))| {
        p.string(key);
        p.global("torch._utils", "_rebuild_tensor_v2");
        p.mark();
        // The persistent id of the storage.
        p.mark();
        p.constant("storage");
        match storage_class(tensor.dtype()) {
            Ok(class) => p.global("torch", class),
            Err(e) => failure = Some(e),
        }
        p.string(&n.to_string());
        p.constant("cpu");
        p.int(tensor.elem_count() as i64);
        p.end_tuple(5);
        p.out.push(b'Q'); // BINPERSID
        p.int(0); // storage offset
        p.int_tuple(tensor.dims());
        p.int_tuple(&contiguous_strides(tensor.dims()));
        p.out.push(0x89); // NEWFALSE: requires_grad
        p.new_ordered_dict(); // backward hooks
        p.end_tuple(6);
        p.out.push(b'R');
        p.put();
    });
    if let Some(e) = failure {
        return Err(e);
    }
    // The state of the OrderedDict: {'_metadata': OrderedDict(module → {'version': 1})}.
    p.out.push(b'}');
    p.put();
    p.string("_metadata");
    p.new_ordered_dict();
    p.set_items(modules, |p, module| {
        p.string(module);
        p.out.push(b'}');
        p.put();
        p.constant("version");
        p.int(1);
        p.out.push(b's');
    });
    p.out.push(b's');
    p.out.push(b'b'); // BUILD
    Ok(p.finish())
}

/// One written entry, for the central directory.
struct Entry {
    name: String,
    offset: u64,
    size: u64,
    crc: u32,
}

/// Writes zip entries the way torch's `PyTorchStreamWriter` (miniz) does.
struct ZipWriter<W: Write> {
    out: W,
    position: u64,
    entries: Vec<Entry>,
    /// Two running hashes for the serialization id.
    id_hashes: [u64; 2],
}

fn too_large() -> Error {
    Error::Export("the checkpoint would exceed 4 GiB, which needs zip64 entries: not supported".into())
}

fn io_error(e: std::io::Error) -> Error {
    Error::Export(format!("cannot write the checkpoint: {e}"))
}

impl<W: Write> ZipWriter<W> {
    fn new(out: W) -> Self {
        // FNV-1a offset bases with two different seeds.
        ZipWriter { out, position: 0, entries: Vec::new(), id_hashes: [0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4] }
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.out.write_all(bytes).map_err(io_error)?;
        self.position += bytes.len() as u64;
        Ok(())
    }

    fn record(&mut self, name: &str, data: &[u8]) -> Result<()> {
        let offset = self.position;
        let size = data.len() as u64;
        if offset >= u64::from(u32::MAX) || size >= u64::from(u32::MAX) {
            return Err(too_large());
        }
        let start = offset + 30 + name.len() as u64 + 4;
        let padding = (ALIGNMENT - start % ALIGNMENT) % ALIGNMENT;
        let mut header = Vec::with_capacity(30 + name.len() + 4 + padding as usize);
        header.extend_from_slice(b"PK\x03\x04");
        header.extend_from_slice(&0u16.to_le_bytes()); // version needed
        header.extend_from_slice(&0x0808u16.to_le_bytes()); // data descriptor follows, UTF-8 names
        header.extend_from_slice(&[0; 2 + 2 + 2 + 4 + 4 + 4]); // stored, time, date, crc, sizes
        header.extend_from_slice(&(name.len() as u16).to_le_bytes());
        header.extend_from_slice(&(4 + padding as u16).to_le_bytes());
        header.extend_from_slice(name.as_bytes());
        header.extend_from_slice(b"FB");
        header.extend_from_slice(&(padding as u16).to_le_bytes());
        header.resize(header.len() + padding as usize, b'Z');
        self.write(&header)?;
        self.write(data)?;
        let crc = trm_puzzles::dataset::crc32(data);
        let mut descriptor = Vec::with_capacity(16);
        descriptor.extend_from_slice(b"PK\x07\x08");
        descriptor.extend_from_slice(&crc.to_le_bytes());
        descriptor.extend_from_slice(&(size as u32).to_le_bytes());
        descriptor.extend_from_slice(&(size as u32).to_le_bytes());
        self.write(&descriptor)?;
        for (k, hash) in self.id_hashes.iter_mut().enumerate() {
            for byte in name.bytes().chain(crc.to_le_bytes()).chain(size.to_le_bytes()).chain([k as u8]) {
                *hash = (*hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        self.entries.push(Entry { name: name.to_string(), offset, size, crc });
        Ok(())
    }

    fn serialization_id(&self) -> String {
        format!("{:020}{:020}", self.id_hashes[0], self.id_hashes[1])
    }

    fn finish(mut self) -> Result<W> {
        let cd_offset = self.position;
        let mut cd = Vec::new();
        for e in &self.entries {
            cd.extend_from_slice(b"PK\x01\x02");
            cd.extend_from_slice(&0u16.to_le_bytes()); // made by
            cd.extend_from_slice(&0u16.to_le_bytes()); // needed
            cd.extend_from_slice(&0x0808u16.to_le_bytes());
            cd.extend_from_slice(&[0; 2 + 2 + 2]); // stored, time, date
            cd.extend_from_slice(&e.crc.to_le_bytes());
            cd.extend_from_slice(&(e.size as u32).to_le_bytes());
            cd.extend_from_slice(&(e.size as u32).to_le_bytes());
            cd.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            cd.extend_from_slice(&[0; 2 + 2 + 2 + 2 + 4]); // extra, comment, disk, attributes
            cd.extend_from_slice(&(e.offset as u32).to_le_bytes());
            cd.extend_from_slice(e.name.as_bytes());
        }
        let count = self.entries.len() as u64;
        let cd_size = cd.len() as u64;
        if cd_offset + cd_size >= u64::from(u32::MAX) {
            return Err(too_large());
        }
        self.write(&cd)?;
        let zip64_offset = self.position;
        let mut end = Vec::new();
        end.extend_from_slice(b"PK\x06\x06");
        end.extend_from_slice(&44u64.to_le_bytes());
        end.extend_from_slice(&0x031eu16.to_le_bytes()); // made by: Unix, zip 3.0
        end.extend_from_slice(&0x002du16.to_le_bytes()); // needed: 4.5 (zip64)
        end.extend_from_slice(&[0; 4 + 4]);
        end.extend_from_slice(&count.to_le_bytes());
        end.extend_from_slice(&count.to_le_bytes());
        end.extend_from_slice(&cd_size.to_le_bytes());
        end.extend_from_slice(&cd_offset.to_le_bytes());
        end.extend_from_slice(b"PK\x06\x07");
        end.extend_from_slice(&0u32.to_le_bytes());
        end.extend_from_slice(&zip64_offset.to_le_bytes());
        end.extend_from_slice(&1u32.to_le_bytes());
        end.extend_from_slice(b"PK\x05\x06");
        end.extend_from_slice(&[0; 2 + 2]);
        let short_count = count.min(0xffff) as u16;
        end.extend_from_slice(&short_count.to_le_bytes());
        end.extend_from_slice(&short_count.to_le_bytes());
        end.extend_from_slice(&(cd_size as u32).to_le_bytes());
        end.extend_from_slice(&(cd_offset as u32).to_le_bytes());
        end.extend_from_slice(&0u16.to_le_bytes());
        self.write(&end)?;
        self.out.flush().map_err(io_error)?;
        Ok(self.out)
    }
}

/// Writes `tensors` (official keys, in order; see [`official_state_dict`]) as `torch.save` writes a
/// state dict, with `archive` as the zip's folder (see [`archive_name`]) and `_metadata` for the
/// modules of `config`'s model. Returns the writer.
pub fn write_pytorch<W: Write>(tensors: &[(String, Tensor)], config: &TrmConfig, archive: &str, out: W) -> Result<W> {
    if archive.is_empty() || archive.contains(['/', '\\']) {
        return Err(Error::Export(format!("invalid archive folder name {archive:?}")));
    }
    let pickle = state_dict_pickle(tensors, &module_paths(config))?;
    let mut zip = ZipWriter::new(out);
    zip.record(&format!("{archive}/data.pkl"), &pickle)?;
    zip.record(&format!("{archive}/.format_version"), b"1")?;
    zip.record(&format!("{archive}/.storage_alignment"), ALIGNMENT.to_string().as_bytes())?;
    zip.record(&format!("{archive}/byteorder"), b"little")?;
    for (n, (_, tensor)) in tensors.iter().enumerate() {
        // Contiguous little-endian bytes, as candle keeps them on the CPU.
        let tensor = tensor.to_device(&candle_core::Device::Cpu)?.contiguous()?;
        zip.record(&format!("{archive}/data/{n}"), &tensor.data())?;
    }
    zip.record(&format!("{archive}/version"), b"3\n")?;
    let id = zip.serialization_id();
    zip.record(&format!("{archive}/.data/serialization_id"), id.as_bytes())?;
    zip.finish()
}

/// [`write_pytorch`] into memory.
pub fn pytorch_bytes(tensors: &[(String, Tensor)], config: &TrmConfig, archive: &str) -> Result<Vec<u8>> {
    write_pytorch(tensors, config, archive, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_names_follow_torch() {
        assert_eq!(archive_name("step_500"), "step_500");
        assert_eq!(archive_name("checkpoint.pt"), "checkpoint");
        assert_eq!(archive_name("model.v2.pt"), "model");
        assert_eq!(archive_name(".pt"), "archive");
    }

    #[test]
    fn integers_use_the_shortest_opcode() {
        let mut p = Pickler::new();
        for v in [0, 255, 256, 65535, 65536, -1, i64::from(i32::MAX) + 1, -(1 << 40)] {
            p.int(v);
        }
        let body = &p.out[2..];
        let want: Vec<u8> = [
            vec![b'K', 0],
            vec![b'K', 255],
            vec![b'M', 0, 1],
            vec![b'M', 255, 255],
            vec![b'J', 0, 0, 1, 0],
            vec![b'J', 255, 255, 255, 255],
            vec![0x8a, 5, 0, 0, 0, 0x80, 0],
            vec![0x8a, 6, 0, 0, 0, 0, 0, 0xff],
        ]
        .concat();
        assert_eq!(body, want.as_slice());
    }
}
