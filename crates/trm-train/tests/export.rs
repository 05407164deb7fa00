//! The PyTorch and safetensors writers against the official fixtures: from the fixture's
//! `weights.safetensors`, the PyTorch writer must reproduce `checkpoint.pt` (written by `torch.save`)
//! byte for byte except the random serialization id; every export must read back bitwise; and an
//! export with bf16 tensors and another folder name must keep the same structure.

mod common;

use std::io::{Cursor, Read};

use candle_core::{DType, Tensor};
use common::{FIXTURES, read, weights};
use trm_core::checkpoint::{read_tensors, strip_prefixes};
use trm_train::export::{OFFICIAL_PREFIX, archive_name, official_state_dict, pytorch_bytes, safetensors_bytes};

/// Raw bytes of a tensor (little-endian, contiguous).
fn bytes_of(t: &Tensor) -> Vec<u8> {
    use safetensors::View;
    t.data().into_owned()
}

/// One zip entry: name, where its data starts, its data and CRC, as the zip crate reads them.
struct ZipEntry {
    name: String,
    data_start: u64,
    data: Vec<u8>,
    crc: u32,
}

fn zip_entries(bytes: &[u8]) -> Vec<ZipEntry> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            assert_eq!(f.compression(), zip::CompressionMethod::Stored);
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            ZipEntry { name: f.name().unwrap().into_owned(), data_start: f.data_start().unwrap(), data, crc: f.crc32() }
        })
        .collect()
}

/// The opcodes of a protocol-2 pickle as `(name, argument)`, memo indices included.
fn disassemble(p: &[u8]) -> Vec<(&'static str, String)> {
    let mut ops = Vec::new();
    let mut i = 0;
    let le = |b: &[u8]| b.iter().rev().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
    while i < p.len() {
        let op = p[i];
        i += 1;
        let (name, len): (&str, usize) = match op {
            0x80 => ("PROTO", 1),
            b'c' => {
                let end = i + p[i..].iter().enumerate().filter(|(_, b)| **b == b'\n').nth(1).unwrap().0 + 1;
                ops.push(("GLOBAL", String::from_utf8_lossy(&p[i..end - 1]).replace('\n', " ")));
                i = end;
                continue;
            }
            b'q' => ("BINPUT", 1),
            b'r' => ("LONG_BINPUT", 4),
            b'h' => ("BINGET", 1),
            b'j' => ("LONG_BINGET", 4),
            b'X' => {
                let n = le(&p[i..i + 4]) as usize;
                ops.push(("BINUNICODE", String::from_utf8_lossy(&p[i + 4..i + 4 + n]).into_owned()));
                i += 4 + n;
                continue;
            }
            b'K' => ("BININT1", 1),
            b'M' => ("BININT2", 2),
            b'J' => ("BININT", 4),
            b'(' => ("MARK", 0),
            b't' => ("TUPLE", 0),
            0x85 => ("TUPLE1", 0),
            0x86 => ("TUPLE2", 0),
            0x87 => ("TUPLE3", 0),
            b')' => ("EMPTY_TUPLE", 0),
            b'}' => ("EMPTY_DICT", 0),
            b's' => ("SETITEM", 0),
            b'u' => ("SETITEMS", 0),
            b'R' => ("REDUCE", 0),
            b'Q' => ("BINPERSID", 0),
            0x89 => ("NEWFALSE", 0),
            b'b' => ("BUILD", 0),
            b'.' => ("STOP", 0),
            other => panic!("unexpected opcode {other:#x} at {}", i - 1),
        };
        ops.push((name, le(&p[i..i + len]).to_string()));
        i += len;
    }
    ops
}

/// The op names with memo traffic abstracted: `BINPUT` dropped, `GLOBAL` and `BINGET` both `REF`.
fn shape(ops: &[(&'static str, String)]) -> Vec<&'static str> {
    ops.iter()
        .filter(|(n, _)| *n != "BINPUT")
        .map(|(n, _)| if matches!(*n, "GLOBAL" | "BINGET") { "REF" } else { n })
        .collect()
}

/// Keys, dtypes, shapes and bytes of a checkpoint as trm-core reads it, in file order.
fn read_back(bytes: &[u8]) -> Vec<(String, DType, Vec<usize>, Vec<u8>)> {
    read_tensors(bytes).unwrap().into_iter().map(|(k, t)| (k, t.dtype(), t.dims().to_vec(), bytes_of(&t))).collect()
}

#[test]
fn pytorch_export_equals_torch_save_except_the_serialization_id() {
    for name in FIXTURES {
        let (config, _) = weights(name);
        let raw = read_tensors(&read(name, "weights.safetensors")).unwrap();
        let ordered = official_state_dict(&config, raw).unwrap();
        let ours = pytorch_bytes(&ordered, &config, &archive_name("checkpoint.pt")).unwrap();
        let torch = read(name, "checkpoint.pt");
        assert_eq!(ours.len(), torch.len(), "{name}: file length");

        let (a, b) = (zip_entries(&ours), zip_entries(&torch));
        let names = |e: &[ZipEntry]| e.iter().map(|e| e.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&a), names(&b), "{name}: entry names and order");
        let id = a.iter().position(|e| e.name == "checkpoint/.data/serialization_id").unwrap();
        for (k, (x, y)) in a.iter().zip(&b).enumerate() {
            assert_eq!(x.data_start, y.data_start, "{name}: {} data offset", x.name);
            assert_eq!(x.data_start % 64, 0, "{name}: {} alignment", x.name);
            if k != id {
                assert!(x.data == y.data, "{name}: {} content", x.name);
                assert_eq!(x.crc, y.crc);
            } else {
                assert_eq!(x.data.len(), 40);
                assert!(x.data.iter().all(u8::is_ascii_digit));
            }
        }

        // Everything else is byte-identical: headers, padding, descriptors, central directory, end records.
        let id_entry = &a[id];
        let allowed = |pos: usize| {
            let start = id_entry.data_start as usize;
            let in_id = (start..start + 40).contains(&pos);
            let in_descriptor_crc = (start + 44..start + 48).contains(&pos);
            in_id || in_descriptor_crc
        };
        let cd_crc_of_id = {
            // The central directory record of the id entry: its CRC sits 16 bytes after its signature.
            let needle = b"checkpoint/.data/serialization_id";
            let name_at = ours.windows(needle.len()).rposition(|w| w == needle).unwrap();
            let record = name_at - 46;
            record + 16..record + 20
        };
        let differing: Vec<usize> =
            ours.iter().zip(&torch).enumerate().filter(|(_, (x, y))| x != y).map(|(i, _)| i).collect();
        assert!(
            differing.iter().all(|&i| allowed(i) || cd_crc_of_id.contains(&i)),
            "{name}: bytes differ outside the serialization id: {:?}",
            differing.iter().filter(|&&i| !allowed(i) && !cd_crc_of_id.contains(&i)).take(10).collect::<Vec<_>>()
        );

        // And the pickle is the same opcode for opcode (it is byte-identical, checked above).
        let ops = disassemble(&a[0].data);
        assert_eq!(ops.first().unwrap().0, "PROTO");
        assert_eq!(ops.last().unwrap().0, "STOP");
    }
}

#[test]
fn exports_read_back_bitwise_in_both_formats() {
    for name in FIXTURES {
        let (config, _) = weights(name);
        let raw = read_tensors(&read(name, "checkpoint.pt")).unwrap();
        let ordered = official_state_dict(&config, raw.clone()).unwrap();
        let want: Vec<_> = read_back(&read(name, "checkpoint.pt"));
        let pt = pytorch_bytes(&ordered, &config, "step_7").unwrap();
        assert_eq!(read_back(&pt), want, "{name}: .pt round trip");
        let st = safetensors_bytes(&ordered).unwrap();
        let mut from_st = read_back(&st);
        let mut sorted_want = want.clone();
        from_st.sort_by(|a, b| a.0.cmp(&b.0));
        sorted_want.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(from_st, sorted_want, "{name}: safetensors round trip");
        assert!(want.iter().all(|(k, ..)| k.starts_with(OFFICIAL_PREFIX)));
        // The header says `format: pt`, as PyTorch-side writers do.
        let n = u64::from_le_bytes(st[..8].try_into().unwrap()) as usize;
        let header: serde_json::Value = serde_json::from_slice(&st[8..8 + n]).unwrap();
        assert_eq!(header["__metadata__"]["format"], "pt");

        // Another folder name changes the entry names only.
        let torch = zip_entries(&read(name, "checkpoint.pt"));
        let renamed = zip_entries(&pt);
        for (x, y) in renamed.iter().zip(&torch) {
            assert_eq!(x.name.strip_prefix("step_7/"), y.name.strip_prefix("checkpoint/"));
            if !x.name.ends_with("serialization_id") {
                assert!(x.data == y.data, "{name}: {}", x.name);
            }
        }
    }
}

#[test]
fn bf16_buffers_keep_their_dtype_and_the_pickle_keeps_its_shape() {
    // Official checkpoints store H_init/L_init in bfloat16.
    let name = "att_rope";
    let (config, _) = weights(name);
    let raw: Vec<(String, Tensor)> = read_tensors(&read(name, "checkpoint.pt"))
        .unwrap()
        .into_iter()
        .map(|(k, t)| {
            let bf16 = matches!(strip_prefixes(&k), "H_init" | "L_init");
            (k, if bf16 { t.to_dtype(DType::BF16).unwrap() } else { t })
        })
        .collect();
    let ordered = official_state_dict(&config, raw.clone()).unwrap();
    let pt = pytorch_bytes(&ordered, &config, "step_100").unwrap();
    let back = read_back(&pt);
    let want: Vec<_> = raw.iter().map(|(k, t)| (k.clone(), t.dtype(), t.dims().to_vec(), bytes_of(t))).collect();
    assert_eq!(back, want);
    // (trm-core's reader lists a pickled dict last key first.)
    let h_init = back.iter().find(|b| b.0 == format!("{OFFICIAL_PREFIX}H_init")).unwrap();
    assert_eq!(h_init.1, DType::BF16);
    assert_eq!(h_init.3.len(), 64 * 2, "bf16 storage is 2 bytes per value");

    let ours = disassemble(&zip_entries(&pt)[0].data);
    let torch = disassemble(&zip_entries(&read(name, "checkpoint.pt"))[0].data);
    assert_eq!(shape(&ours), shape(&torch), "same opcodes modulo memoisation");
    let globals =
        |ops: &[(&str, String)]| ops.iter().filter(|(n, _)| *n == "GLOBAL").map(|(_, a)| a.clone()).collect::<Vec<_>>();
    assert_eq!(
        globals(&ours),
        ["collections OrderedDict", "torch._utils _rebuild_tensor_v2", "torch BFloat16Storage", "torch FloatStorage"]
    );
    assert_eq!(globals(&torch), ["collections OrderedDict", "torch._utils _rebuild_tensor_v2", "torch FloatStorage"]);
    let entries: Vec<String> = zip_entries(&pt).into_iter().map(|e| e.name).collect();
    assert_eq!(
        entries[..4],
        ["step_100/data.pkl", "step_100/.format_version", "step_100/.storage_alignment", "step_100/byteorder"]
    );
    assert_eq!(entries[entries.len() - 2..], ["step_100/version", "step_100/.data/serialization_id"]);
}

#[test]
fn state_dicts_that_do_not_fit_the_model_are_refused() {
    let (config, _) = weights("mlp_t");
    let raw = read_tensors(&read("mlp_t", "weights.safetensors")).unwrap();
    let mut missing = raw.clone();
    missing.retain(|(k, _)| !k.ends_with("lm_head.weight"));
    assert!(official_state_dict(&config, missing).unwrap_err().to_string().contains("lm_head.weight"));
    let mut extra = raw.clone();
    extra.push((
        "_orig_mod.model.inner.unknown".into(),
        Tensor::zeros(3, DType::F32, &candle_core::Device::Cpu).unwrap(),
    ));
    assert!(official_state_dict(&config, extra).unwrap_err().to_string().contains("unknown"));
    let mut twice = raw.clone();
    twice.push(("H_init".into(), raw[0].1.clone()));
    assert!(official_state_dict(&config, twice).is_err());
    let ints = vec![("x".to_string(), Tensor::zeros(2, DType::U32, &candle_core::Device::Cpu).unwrap())];
    assert!(pytorch_bytes(&ints, &config, "a").is_err());
    assert!(pytorch_bytes(&[], &config, "a/b").is_err());
}

#[test]
fn exports_are_reproducible() {
    let (config, _) = weights("att_learned");
    let raw = read_tensors(&read("att_learned", "weights.safetensors")).unwrap();
    let ordered = official_state_dict(&config, raw).unwrap();
    assert_eq!(pytorch_bytes(&ordered, &config, "x").unwrap(), pytorch_bytes(&ordered, &config, "x").unwrap());
}
