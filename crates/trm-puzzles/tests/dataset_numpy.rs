//! Proof against numpy itself, in both directions:
//!
//! - Rust writes Sudoku and ARC datasets in the official layout (and the compact format); a Python script
//!   loads every `.npy` with `numpy.load` (also memory-mapped, as the official loader does), checks dtypes,
//!   shapes, offsets and exact values given on its command line, checks that `numpy.save` of each array
//!   gives the file's bytes back, and decodes the compact file from its documented layout with `struct`,
//!   `numpy.frombuffer` and `zlib.crc32`.
//! - numpy writes arrays (uint8 2-D, int32 1-D, the other integer dtypes, Fortran order, float) and an
//!   official-style dataset directory the way `build_sudoku_dataset.py` does; Rust reads them.
//!
//! The Python comes from `TRM_PYTHON` (a python with numpy); the tests are ignored by plain `cargo test`
//! and, when run with `--ignored` without `TRM_PYTHON`, fail saying so.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::Command;

use trm_puzzles::arc::{NamedTask, Task};
use trm_puzzles::dataset::npy::{self, NpyError};
use trm_puzzles::dataset::{ArcRecipe, ArcSubset, Dataset, DatasetError, SudokuRecipe, arc_dataset, sudoku_dataset};
use trm_puzzles::sudoku::{Generator, Split};

/// The python named by `TRM_PYTHON`; a missing variable fails the test (it is never skipped).
fn python() -> PathBuf {
    match std::env::var_os("TRM_PYTHON") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => panic!(
            "TRM_PYTHON is not set: point it at a python that has numpy, e.g.\n  \
             python3 -m venv target/py && target/py/bin/pip install numpy\n  \
             TRM_PYTHON=target/py/bin/python cargo test -p trm-puzzles --test dataset_numpy -- --ignored"
        ),
    }
}

/// A fresh directory under the system temp dir.
fn temp_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("trm-dataset-numpy-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `script` with `args`; panics with its output unless it exits 0 and prints `OK` last.
fn run_python(dir: &Path, name: &str, script: &str, args: &[String]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, script).unwrap();
    let python = python();
    let out = Command::new(&python)
        .arg(&path)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run TRM_PYTHON={}: {e}", python.display()));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.trim_end().ends_with("OK"),
        "{name} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    eprint!("{stdout}");
    stdout
}

const CHECK_PY: &str = r#"
import io, json, os, struct, sys, zlib
import numpy as np

root, compact_path = sys.argv[1], sys.argv[2]
print("numpy", np.__version__)
FIELDS = ["pad_id", "ignore_label_id", "blank_identifier_id", "vocab_size", "seq_len",
          "num_puzzle_identifiers", "total_groups", "mean_puzzle_examples", "total_puzzles", "sets"]
ids = json.load(open(os.path.join(root, "identifiers.json")))
assert ids[0] == "<blank>" and len(set(ids)) == len(ids), ids[:3]
arrays, metas = {}, {}
for split in ("train", "test"):
    meta = json.load(open(os.path.join(root, split, "dataset.json")))
    assert list(meta) == FIELDS, list(meta)
    assert meta["sets"] == ["all"]
    a = {}
    for name in ("inputs", "labels", "puzzle_identifiers", "puzzle_indices", "group_indices"):
        path = os.path.join(root, split, "all__" + name + ".npy")
        arr = np.load(path)
        assert np.array_equal(arr, np.load(path, mmap_mode="r")), path
        buf = io.BytesIO()
        np.save(buf, arr)
        assert buf.getvalue() == open(path, "rb").read(), path + ": bytes differ from numpy.save's"
        a[name] = arr
    x, y = a["inputs"], a["labels"]
    pid, pi, gi = a["puzzle_identifiers"], a["puzzle_indices"], a["group_indices"]
    assert x.dtype == np.uint8 and y.dtype == np.uint8, (x.dtype, y.dtype)
    assert x.ndim == 2 and x.shape[1] == meta["seq_len"] and y.shape == x.shape, (x.shape, y.shape)
    for v in (pid, pi, gi):
        assert v.dtype == np.int32 and v.ndim == 1, (v.dtype, v.shape)
    assert len(pi) == len(pid) + 1 and pi[0] == 0 and pi[-1] == len(x) and (np.diff(pi) > 0).all(), pi
    assert gi[0] == 0 and gi[-1] == len(pid) and (np.diff(gi) > 0).all(), gi
    assert len(gi) - 1 == meta["total_groups"]
    assert meta["total_puzzles"] in (len(pid), len(gi) - 1)
    assert meta["num_puzzle_identifiers"] == len(ids)
    assert ((pid >= 0) & (pid < meta["num_puzzle_identifiers"])).all()
    assert x.max(initial=0) < meta["vocab_size"] and y.max(initial=0) < meta["vocab_size"]
    arrays[split], metas[split] = a, meta
for spec in sys.argv[3:]:
    key, value = spec.split("=")
    split, name, index = key.split(":")
    got = arrays[split][name][tuple(int(i) for i in index.split(","))]
    assert int(got) == int(value), (spec, int(got))

data = open(compact_path, "rb").read()
assert data[:8] == b"\x89TRMDS\r\n"
version, jlen = struct.unpack_from("<II", data, 8)
assert version == 1
header = json.loads(data[16:16 + jlen].decode("utf-8"))
assert header["identifiers"] == ids
pos = 16 + jlen
pos += (-pos) % 4
for split in ("train", "test"):
    h = header[split]
    assert h["metadata"] == metas[split]
    for name, n in (("puzzle_identifiers", h["num_puzzles"]), ("puzzle_indices", h["num_puzzles"] + 1),
                    ("group_indices", h["num_groups"] + 1)):
        assert np.array_equal(np.frombuffer(data, dtype="<i4", count=n, offset=pos), arrays[split][name]), name
        pos += 4 * n
assert struct.unpack_from("<I", data, pos)[0] == zlib.crc32(data[:pos]), "head CRC"
pos += 4
for split in ("train", "test"):
    n, l = header[split]["num_examples"], metas[split]["seq_len"]
    rows = np.frombuffer(data, dtype=np.uint8, count=n * 2 * l, offset=pos).reshape(n, 2, l)
    assert np.array_equal(rows[:, 0], arrays[split]["inputs"]) and np.array_equal(rows[:, 1], arrays[split]["labels"])
    assert struct.unpack_from("<I", data, pos + n * 2 * l)[0] == zlib.crc32(data[pos:pos + n * 2 * l]), split + " CRC"
    pos += n * 2 * l + 4
assert pos == len(data), (pos, len(data))
print("checked", root, {s: arrays[s]["inputs"].shape for s in arrays})
print("OK")
"#;

/// `split:array:index=value` for a few positions, so Python checks exact values.
fn specs(d: &Dataset) -> Vec<String> {
    let mut out = Vec::new();
    for (name, split) in [("train", &d.train), ("test", &d.test)] {
        let l = split.seq_len();
        let n = split.num_examples();
        for row in [0, n / 2, n - 1] {
            for col in [0, l / 3, l - 1] {
                out.push(format!("{name}:inputs:{row},{col}={}", split.inputs[row * l + col]));
                out.push(format!("{name}:labels:{row},{col}={}", split.labels[row * l + col]));
            }
        }
        let p = split.num_puzzles();
        out.push(format!("{name}:puzzle_identifiers:{}={}", p - 1, split.puzzle_identifiers[p - 1]));
        out.push(format!("{name}:puzzle_indices:{}={}", p / 2, split.puzzle_indices[p / 2]));
        out.push(format!("{name}:group_indices:1={}", split.group_indices[1]));
    }
    out
}

fn check_with_numpy(tag: &str, d: &Dataset) {
    let dir = temp_dir(tag);
    let official = dir.join("official");
    d.write_official_dir(&official).unwrap();
    let compact = dir.join("set.trmds");
    d.write_compact_file(&compact).unwrap();
    let mut args = vec![official.display().to_string(), compact.display().to_string()];
    args.extend(specs(d));
    run_python(&dir, "check.py", CHECK_PY, &args);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[ignore = "needs numpy: run through cargo xtask test"]
fn numpy_reads_what_rust_writes() {
    python();
    let pairs = |side, count, split, seed| {
        let mut g = Generator::new(side, seed).unwrap().with_split(split);
        (0..count)
            .map(|_| {
                let p = g.next_puzzle(side * side / 2);
                (p.puzzle, p.solution)
            })
            .collect::<Vec<_>>()
    };
    let sudoku = sudoku_dataset(
        &pairs(9, 4, Split::Train, 1),
        &pairs(9, 3, Split::HeldOut, 2),
        &SudokuRecipe { num_aug: 5, seed: 3, guard_held_out: true },
    )
    .unwrap();
    check_with_numpy("sudoku", &sudoku);

    let task = |k: u8| -> Task {
        let text = format!(
            r#"{{"train": [{{"input": [[{k}, 0], [0, 1]], "output": [[1, 2, {k}]]}},
                         {{"input": [[3, 3, 3]], "output": [[{k}], [5]]}}],
               "test": [{{"input": [[0, {k}, 7]], "output": [[{k}, 2], [2, 8]]}}]}}"#
        );
        Task::from_json(&text).unwrap()
    };
    let named = |name: &str, k| NamedTask { name: name.into(), task: task(k) };
    let arc = arc_dataset(
        &[
            ArcSubset { name: "training".into(), tasks: vec![named("a1", 4), named("a2", 6)], test_set: false },
            ArcSubset { name: "evaluation".into(), tasks: vec![named("e1", 9)], test_set: true },
        ],
        &ArcRecipe { num_aug: 4, seed: 42, canvas_side: 30 },
    )
    .unwrap();
    check_with_numpy("arc", &arc);
}

const WRITE_PY: &str = r#"
import json, os, sys
import numpy as np

out = sys.argv[1]
print("numpy", np.__version__)
np.save(os.path.join(out, "u8_2d.npy"), (np.arange(3 * 7).reshape(3, 7) * 37 % 256).astype(np.uint8))
np.save(os.path.join(out, "i32_1d.npy"), np.array([0, -1, 2**31 - 1, -2**31, 42], dtype=np.int32))
np.save(os.path.join(out, "i64.npy"), np.array([5, 300, -2], dtype=np.int64))
np.save(os.path.join(out, "u16.npy"), np.array([[1, 65535]], dtype=np.uint16))
np.save(os.path.join(out, "i16.npy"), np.array([-300, 7], dtype=np.int16))
np.save(os.path.join(out, "i8.npy"), np.array([-1, 2], dtype=np.int8))
np.save(os.path.join(out, "empty.npy"), np.zeros((0, 81), dtype=np.uint8))
np.save(os.path.join(out, "fortran.npy"), np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3)))
np.save(os.path.join(out, "f32.npy"), np.zeros(2, dtype=np.float32))
np.save(os.path.join(out, "three_d.npy"), np.zeros((2, 2, 2), dtype=np.uint8))
np.save(os.path.join(out, "big_endian.npy"), np.array([1, 2], dtype=">i4"))

# An official-style directory, built the way build_sudoku_dataset.py builds one: 2 puzzles of a 4x4
# "sudoku" (seq_len 16), each with 1 augmented version, identifier 0, total_puzzles = groups.
root = os.path.join(out, "official")
rng = np.random.RandomState(0)
for split, groups, versions in (("train", 2, 2), ("test", 1, 1)):
    results = {k: [] for k in ("inputs", "labels", "puzzle_identifiers", "puzzle_indices", "group_indices")}
    results["puzzle_indices"].append(0)
    results["group_indices"].append(0)
    example_id = puzzle_id = 0
    for g in range(groups):
        for v in range(versions):
            results["inputs"].append(rng.randint(1, 6, size=16).astype(np.uint8))
            results["labels"].append(rng.randint(2, 6, size=16).astype(np.uint8))
            example_id += 1
            puzzle_id += 1
            results["puzzle_indices"].append(example_id)
            results["puzzle_identifiers"].append(0)
        results["group_indices"].append(puzzle_id)
    arrays = {
        "inputs": np.vstack(results["inputs"]),
        "labels": np.vstack(results["labels"]),
        "group_indices": np.array(results["group_indices"], dtype=np.int32),
        "puzzle_indices": np.array(results["puzzle_indices"], dtype=np.int32),
        "puzzle_identifiers": np.array(results["puzzle_identifiers"], dtype=np.int32),
    }
    metadata = dict(pad_id=0, ignore_label_id=0, blank_identifier_id=0, vocab_size=6, seq_len=16,
                    num_puzzle_identifiers=1, total_groups=groups, mean_puzzle_examples=1, total_puzzles=groups,
                    sets=["all"])
    os.makedirs(os.path.join(root, split), exist_ok=True)
    with open(os.path.join(root, split, "dataset.json"), "w") as f:
        json.dump(metadata, f)
    for k, v in arrays.items():
        np.save(os.path.join(root, split, "all__" + k + ".npy"), v)
    # The exact values, for Rust to compare against.
    with open(os.path.join(out, split + "_expected.json"), "w") as f:
        json.dump({k: v.reshape(-1).tolist() for k, v in arrays.items()}, f)
with open(os.path.join(root, "identifiers.json"), "w") as f:
    json.dump(["<blank>"], f)
print("OK")
"#;

#[test]
#[ignore = "needs numpy: run through cargo xtask test"]
fn rust_reads_what_numpy_writes() {
    python();
    let dir = temp_dir("from-numpy");
    run_python(&dir, "write.py", WRITE_PY, &[dir.display().to_string()]);
    let file = |name: &str| std::fs::read(dir.join(name)).unwrap();
    assert_eq!(npy::read_u8_file(&dir.join("u8_2d.npy")).unwrap().shape, vec![3, 7]);
    let err = npy::read_i32_file(&dir.join("fortran.npy")).unwrap_err();
    assert!(
        err.to_string().ends_with(
            "fortran.npy: Fortran-order arrays are not supported: save a C-order array (numpy.ascontiguousarray)"
        ),
        "{err}"
    );
    npy::write_i32_file(&dir.join("copy.npy"), &[5], &[0, -1, i32::MAX, i32::MIN, 42]).unwrap();
    assert_eq!(file("copy.npy"), file("i32_1d.npy"));

    let u8_2d = npy::read_u8(&file("u8_2d.npy")).unwrap();
    assert_eq!(u8_2d.shape, vec![3, 7]);
    assert_eq!(u8_2d.data, (0..21u32).map(|k| (k * 37 % 256) as u8).collect::<Vec<_>>());
    let i32_1d = npy::read_i32(&file("i32_1d.npy")).unwrap();
    assert_eq!((i32_1d.shape, i32_1d.data), (vec![5], vec![0, -1, i32::MAX, i32::MIN, 42]));
    assert_eq!(npy::read_i32(&file("i64.npy")).unwrap().data, vec![5, 300, -2]);
    assert_eq!(
        npy::read_u8(&file("i64.npy")).unwrap_err(),
        NpyError::ValueOutOfRange { index: 1, value: 300, target: "uint8" }
    );
    let u16 = npy::read_i32(&file("u16.npy")).unwrap();
    assert_eq!((u16.shape, u16.data), (vec![1, 2], vec![1, 65535]));
    assert_eq!(npy::read_i32(&file("i16.npy")).unwrap().data, vec![-300, 7]);
    assert_eq!(npy::read_i32(&file("i8.npy")).unwrap().data, vec![-1, 2]);
    assert_eq!(npy::read_u8(&file("empty.npy")).unwrap().shape, vec![0, 81]);
    assert_eq!(npy::read_i32(&file("fortran.npy")).unwrap_err(), NpyError::FortranOrder);
    assert_eq!(npy::read_i32(&file("f32.npy")).unwrap_err(), NpyError::UnsupportedDtype("<f4".into()));
    assert_eq!(npy::read_u8(&file("three_d.npy")).unwrap_err(), NpyError::UnsupportedRank { rank: 3 });
    assert_eq!(npy::read_i32(&file("big_endian.npy")).unwrap_err(), NpyError::UnsupportedDtype(">i4".into()));
    // Byte-identical to what numpy wrote.
    assert_eq!(npy::write_u8(&[3, 7], &u8_2d.data).unwrap(), file("u8_2d.npy"));
    assert_eq!(npy::write_i32(&[5], &[0, -1, i32::MAX, i32::MIN, 42]).unwrap(), file("i32_1d.npy"));

    let d = Dataset::read_official_dir(&dir.join("official")).unwrap();
    assert_eq!(d.identifiers, vec!["<blank>".to_string()]);
    for (name, split) in [("train", &d.train), ("test", &d.test)] {
        let expected: serde_json::Value = serde_json::from_slice(&file(&format!("{name}_expected.json"))).unwrap();
        let list =
            |k: &str| -> Vec<i64> { expected[k].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect() };
        let widen = |v: &[u8]| v.iter().map(|&t| i64::from(t)).collect::<Vec<_>>();
        let widen32 = |v: &[i32]| v.iter().map(|&t| i64::from(t)).collect::<Vec<_>>();
        assert_eq!(widen(&split.inputs), list("inputs"), "{name} inputs");
        assert_eq!(widen(&split.labels), list("labels"), "{name} labels");
        assert_eq!(widen32(&split.puzzle_identifiers), list("puzzle_identifiers"));
        assert_eq!(widen32(&split.puzzle_indices), list("puzzle_indices"));
        assert_eq!(widen32(&split.group_indices), list("group_indices"));
    }
    assert_eq!((d.train.num_examples(), d.train.num_puzzles(), d.train.num_groups()), (4, 4, 2));
    assert_eq!((d.train.metadata.total_puzzles, d.train.metadata.mean_puzzle_examples), (2, 1.0));
    // A broken copy is refused with the file named.
    std::fs::write(dir.join("official/test/all__puzzle_indices.npy"), file("i64.npy")).unwrap();
    let err = Dataset::read_official_dir(&dir.join("official")).unwrap_err();
    assert!(matches!(&err, DatasetError::Shape { file, .. } if file == "test/all__puzzle_indices.npy"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
