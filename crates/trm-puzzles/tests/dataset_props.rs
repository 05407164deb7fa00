//! Property tests of the dataset module: `.npy` and compact round trips, official export → import, and
//! parsers that never panic on random, truncated or bit-flipped bytes.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use trm_puzzles::dataset::npy::{self, NpyArray};
use trm_puzzles::dataset::{Dataset, DatasetMetadata, DatasetSplit, fuzz_dataset_bytes};

/// A 1-D or 2-D shape with at most 200 elements.
fn shape() -> impl Strategy<Value = Vec<usize>> {
    prop_oneof![(0usize..60).prop_map(|n| vec![n]), (0usize..12, 0usize..16).prop_map(|(r, c)| vec![r, c])]
}

/// `.npy` bytes of an arbitrary supported dtype (hand-built header, numpy's layout), with the values.
fn npy_bytes(descr: &str, shape: &[usize], values: &[i64]) -> Vec<u8> {
    let dims = match shape {
        [n] => format!("({n},)"),
        _ => format!("({}, {})", shape[0], shape[1]),
    };
    let mut dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {dims}, }}");
    while (10 + dict.len() + 1) % 64 != 0 {
        dict.push(' ');
    }
    dict.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    for &v in values {
        match descr {
            "|u1" => out.push(v as u8),
            "|i1" => out.push(v as i8 as u8),
            "<u2" => out.extend_from_slice(&(v as u16).to_le_bytes()),
            "<i2" => out.extend_from_slice(&(v as i16).to_le_bytes()),
            "<i4" => out.extend_from_slice(&(v as i32).to_le_bytes()),
            _ => out.extend_from_slice(&v.to_le_bytes()),
        }
    }
    out
}

/// One valid split: `groups` groups of 1–3 puzzles of 1–3 examples each.
fn split(seq_len: usize, vocab: u32, ids: u32, quirk: bool) -> impl Strategy<Value = DatasetSplit> {
    let puzzle = (1usize..4, 0..ids);
    let group = proptest::collection::vec(puzzle, 1..4);
    (proptest::collection::vec(group, 0..5), any::<u64>()).prop_map(move |(groups, salt)| {
        let mut s = DatasetSplit {
            metadata: DatasetMetadata {
                pad_id: 0,
                ignore_label_id: if salt % 3 == 0 { None } else { Some(0) },
                blank_identifier_id: 0,
                vocab_size: vocab,
                seq_len: seq_len as u32,
                num_puzzle_identifiers: ids,
                total_groups: groups.len() as u64,
                mean_puzzle_examples: 0.0,
                total_puzzles: 0,
                sets: vec!["all".into()],
            },
            inputs: vec![],
            labels: vec![],
            puzzle_identifiers: vec![],
            puzzle_indices: vec![0],
            group_indices: vec![0],
        };
        let mut state = salt;
        let mut token = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) % u64::from(vocab)) as u8
        };
        for group in &groups {
            for &(examples, id) in group {
                for _ in 0..examples * seq_len {
                    s.inputs.push(token());
                    s.labels.push(token());
                }
                s.puzzle_indices.push((s.inputs.len() / seq_len) as i32);
                s.puzzle_identifiers.push(id as i32);
            }
            s.group_indices.push(s.puzzle_identifiers.len() as i32);
        }
        let puzzles = s.puzzle_identifiers.len();
        s.metadata.total_puzzles = if quirk { groups.len() as u64 } else { puzzles as u64 };
        s.metadata.mean_puzzle_examples =
            if puzzles == 0 { 0.0 } else { (s.inputs.len() / seq_len) as f64 / puzzles as f64 };
        s
    })
}

fn dataset() -> impl Strategy<Value = Dataset> {
    (1usize..7, 2u32..30, 1u32..6, any::<bool>(), any::<bool>()).prop_flat_map(|(seq_len, vocab, ids, quirk, arc)| {
        (split(seq_len, vocab, ids, quirk), split(seq_len, vocab, ids, quirk)).prop_map(move |(train, test)| {
            let identifiers =
                std::iter::once("<blank>".to_string()).chain((1..ids).map(|k| format!("task{k}|||t1|||0123456789")));
            Dataset {
                identifiers: identifiers.collect(),
                train,
                test,
                test_puzzles: arc.then(|| "{\"t\": {\"train\": [], \"test\": []}}".to_string()),
            }
        })
    })
}

fn official_map(d: &Dataset) -> BTreeMap<String, Vec<u8>> {
    d.to_official_files().unwrap().into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn npy_u8_and_i32_round_trip(shape in shape(), seed in any::<u64>()) {
        let n: usize = shape.iter().product();
        let bytes: Vec<u8> = (0..n).map(|k| (seed.wrapping_add(k as u64).wrapping_mul(2654435761) >> 7) as u8).collect();
        let ints: Vec<i32> = (0..n).map(|k| seed.wrapping_mul(k as u64 + 1) as i32).collect();
        let file = npy::write_u8(&shape, &bytes).unwrap();
        let header = npy::parse_header(&file).unwrap();
        prop_assert_eq!(header.data_offset % 64, 0);
        prop_assert_eq!(npy::read_u8(&file).unwrap(), NpyArray { shape: shape.clone(), data: bytes });
        let file = npy::write_i32(&shape, &ints).unwrap();
        prop_assert_eq!(npy::parse_header(&file).unwrap().data_offset % 64, 0);
        prop_assert_eq!(npy::read_i32(&file).unwrap(), NpyArray { shape, data: ints });
    }

    #[test]
    fn npy_other_dtypes_convert_with_range_checks(
        shape in shape(),
        dtype in 0usize..6,
        seed in any::<u64>(),
    ) {
        let (descr, lo, hi): (&str, i64, i64) = [
            ("|u1", 0, 255),
            ("|i1", -128, 127),
            ("<u2", 0, 65535),
            ("<i2", -32768, 32767),
            ("<i4", i64::from(i32::MIN), i64::from(i32::MAX)),
            ("<i8", i64::MIN, i64::MAX),
        ][dtype];
        let n: usize = shape.iter().product();
        let values: Vec<i64> = (0..n)
            .map(|k| {
                let r = seed.wrapping_add(k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                let span = (hi as i128 - lo as i128 + 1) as u128;
                (lo as i128 + (u128::from(r) % span) as i128) as i64
            })
            .collect();
        let file = npy_bytes(descr, &shape, &values);
        match npy::read_i32(&file) {
            Ok(a) => {
                prop_assert_eq!(&a.shape, &shape);
                prop_assert_eq!(a.data.iter().map(|&v| i64::from(v)).collect::<Vec<_>>(), values.clone());
            }
            Err(npy::NpyError::ValueOutOfRange { index, value, .. }) => {
                prop_assert_eq!(values[index], value);
                prop_assert!(i32::try_from(value).is_err());
                prop_assert!(values[..index].iter().all(|&v| i32::try_from(v).is_ok()));
            }
            Err(e) => prop_assert!(false, "{}", e),
        }
        match npy::read_u8(&file) {
            Ok(a) => prop_assert_eq!(a.data.iter().map(|&v| i64::from(v)).collect::<Vec<_>>(), values),
            Err(npy::NpyError::ValueOutOfRange { index, value, .. }) => {
                prop_assert_eq!(values[index], value);
                prop_assert!(u8::try_from(value).is_err());
            }
            Err(e) => prop_assert!(false, "{}", e),
        }
    }

    #[test]
    fn compact_round_trip_is_exact(d in dataset()) {
        d.validate().unwrap();
        let bytes = d.to_compact_bytes().unwrap();
        prop_assert_eq!(Dataset::from_compact_bytes(&bytes).unwrap(), d.clone());
        // Writing twice gives the same bytes.
        prop_assert_eq!(d.to_compact_bytes().unwrap(), bytes);
    }

    #[test]
    fn official_export_import_round_trip(d in dataset()) {
        let files = official_map(&d);
        let back = Dataset::from_official_files(|name| Ok(files.get(name).cloned())).unwrap();
        prop_assert_eq!(&back, &d);
        prop_assert_eq!(official_map(&back), files);
    }

    #[test]
    fn compact_damage_is_always_reported(d in dataset(), at in any::<prop::sample::Index>(), bit in 0u8..8, cut in any::<prop::sample::Index>()) {
        let bytes = d.to_compact_bytes().unwrap();
        let mut flipped = bytes.clone();
        flipped[at.index(bytes.len())] ^= 1 << bit;
        prop_assert!(Dataset::from_compact_bytes(&flipped).is_err());
        fuzz_dataset_bytes(&flipped);
        let short = &bytes[..cut.index(bytes.len())];
        prop_assert!(Dataset::from_compact_bytes(short).is_err());
        fuzz_dataset_bytes(short);
    }

    #[test]
    fn official_files_damaged_never_panic(
        d in dataset(),
        file in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        bit in 0u8..8,
        cut in any::<bool>(),
    ) {
        let mut files = official_map(&d);
        let name = files.keys().nth(file.index(files.len())).unwrap().clone();
        let bytes = files.get_mut(&name).unwrap();
        if !bytes.is_empty() {
            let k = at.index(bytes.len());
            if cut { bytes.truncate(k) } else { bytes[k] ^= 1 << bit }
        }
        let damaged = bytes.clone();
        // May load (a flipped token that is still in range) or fail, but never panics.
        let _ = Dataset::from_official_files(|n| Ok(files.get(n).cloned()));
        fuzz_dataset_bytes(&damaged);
        if name.ends_with(".npy") && cut {
            prop_assert!(npy::read_u8(&damaged).is_err() && npy::read_i32(&damaged).is_err());
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        fuzz_dataset_bytes(&bytes);
        let mut with_magic = b"\x93NUMPY\x01\x00".to_vec();
        with_magic.extend_from_slice(&bytes);
        fuzz_dataset_bytes(&with_magic);
        let mut compact = b"\x89TRMDS\r\n\x01\x00\x00\x00".to_vec();
        compact.extend_from_slice(&bytes);
        fuzz_dataset_bytes(&compact);
    }

    #[test]
    fn random_headers_never_panic(text in "\\{[ -~]{0,120}\\}\n?", tail in proptest::collection::vec(any::<u8>(), 0..40)) {
        let mut file = b"\x93NUMPY\x01\x00".to_vec();
        file.extend_from_slice(&(text.len() as u16).to_le_bytes());
        file.extend_from_slice(text.as_bytes());
        file.extend_from_slice(&tail);
        fuzz_dataset_bytes(&file);
    }

    #[test]
    fn header_like_text_never_panics(
        descr in prop_oneof![Just("'|u1'".to_string()), Just("'<i4'".to_string()), "[ -~]{0,8}"],
        fortran in prop_oneof![Just("False".to_string()), Just("True".to_string()), "[ -~]{0,6}"],
        dims in proptest::collection::vec(prop_oneof![Just("0".to_string()), "[0-9]{1,22}L?", "[ -~]{0,4}"], 0..4),
        trailing in any::<bool>(),
        data in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let shape = format!("({}{})", dims.join(", "), if trailing { "," } else { "" });
        let dict = format!("{{'descr': {descr}, 'fortran_order': {fortran}, 'shape': {shape}, }}\n");
        let mut file = b"\x93NUMPY\x01\x00".to_vec();
        file.extend_from_slice(&(dict.len() as u16).to_le_bytes());
        file.extend_from_slice(dict.as_bytes());
        file.extend_from_slice(&data);
        fuzz_dataset_bytes(&file);
    }
}

#[test]
fn official_dir_on_disk_round_trips() {
    let dir = std::env::temp_dir().join(format!(
        "trm-dataset-props-{}-{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
    ));
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let d = dataset().new_tree(&mut runner).unwrap().current();
    d.write_official_dir(&dir).unwrap();
    assert_eq!(Dataset::read_official_dir(&dir).unwrap(), d);
    let compact = dir.join("set.trmds");
    d.write_compact_file(&compact).unwrap();
    assert_eq!(Dataset::read_compact_file(&compact).unwrap(), d);
    std::fs::remove_file(dir.join("train/all__labels.npy")).unwrap();
    let err = Dataset::read_official_dir(&dir).unwrap_err();
    assert_eq!(err.to_string(), "train/all__labels.npy: the file is missing");
    std::fs::remove_dir_all(&dir).unwrap();
    let err = Dataset::read_compact_file(&compact).unwrap_err();
    assert!(err.to_string().contains("set.trmds"), "{err}");
}
