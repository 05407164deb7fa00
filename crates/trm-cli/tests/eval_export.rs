//! `trm eval` and `trm export` on real (randomly initialised, official-init) models written to disk:
//! the JSON line's numbers must equal a direct computation with trm-core, exports must read back
//! bitwise, and malformed inputs must give errors, never panics.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use candle_core::{D, DType, Device, Tensor};
use trm_core::TrmConfig;
use trm_puzzles::arc;
use trm_puzzles::{Maze, Sudoku, maze};

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/puzzles")
}

/// A small mlp_t model of the official Sudoku shape, resized for `seq_len` cells and `vocab` tokens.
fn config(seq_len: usize, vocab_size: usize) -> TrmConfig {
    TrmConfig {
        puzzle_emb_ndim: 32,
        h_cycles: 2,
        l_cycles: 2,
        hidden_size: 32,
        num_heads: 2,
        seq_len,
        vocab_size,
        num_puzzle_identifiers: 1,
        ..TrmConfig::sudoku_reference()
    }
}

/// Writes `model.safetensors` + `model.json` to a fresh folder.
fn write_model(tag: &str, c: &TrmConfig, domain: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trm-eval-export-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut tensors = trm_core::init::official_init(c, 7).unwrap();
    // A halting head with mixed signs and an output head strong enough to give varied answers.
    tensors.insert("q_head.bias".into(), Tensor::new(&[0.05f32, 0.0], &Device::Cpu).unwrap());
    let lm = Tensor::randn(0f32, 2.0, (c.vocab_size, c.hidden_size), &Device::Cpu).unwrap();
    tensors.insert("lm_head.weight".into(), lm);
    let bytes = safetensors::serialize(tensors.iter().map(|(k, v)| (k.clone(), v)), None).unwrap();
    std::fs::write(dir.join("model.safetensors"), bytes).unwrap();
    let card =
        serde_json::json!({"name": tag, "domain": domain, "seq_len": c.seq_len, "vocab_size": c.vocab_size, "arch": c});
    std::fs::write(dir.join("model.json"), card.to_string()).unwrap();
    dir
}

fn load(dir: &Path) -> trm_core::Trm {
    let bytes = std::fs::read(dir.join("model.safetensors")).unwrap();
    let card = std::fs::read_to_string(dir.join("model.json")).unwrap();
    trm_core::load_model(&bytes, &trm_core::ConfigHint { model_card: Some(card), ..Default::default() }).unwrap()
}

fn trm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trm")).args(args).output().expect("trm runs")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The last stdout line as JSON.
fn json_line(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.lines().last().expect("output")).unwrap()
}

/// The command failed with a message containing `want`, without panicking.
fn fails_with(out: &Output, want: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "succeeded; stderr: {err}");
    assert!(err.contains(want), "expected {want:?} in: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Argmax tokens and q_halt after `steps` steps, by trm-core directly.
fn direct(model: &trm_core::Trm, rows: &[Vec<u32>], ids: &[u32], steps: usize) -> (Vec<Vec<u32>>, Vec<f32>) {
    let tokens = Tensor::from_vec(rows.concat(), (rows.len(), rows[0].len()), &Device::Cpu).unwrap();
    let ids = Tensor::from_vec(ids.to_vec(), rows.len(), &Device::Cpu).unwrap().to_dtype(DType::U32).unwrap();
    let (logits, q) = trm_core::solve(model, &tokens, &ids, steps).unwrap();
    (logits.argmax(D::Minus1).unwrap().to_vec2().unwrap(), q.to_vec1().unwrap())
}

fn close(a: &serde_json::Value, b: f64) -> bool {
    (a.as_f64().unwrap() - b).abs() < 1e-12
}

#[test]
fn sudoku_eval_json_equals_a_direct_computation() {
    let c = config(16, 6);
    let dir = write_model("s4", &c, "sudoku");
    let set = assets().join("sudoku/eval/4x4-medium.txt");
    let out = trm(&[
        "eval",
        "--model",
        s(&dir.join("model.safetensors")),
        "--set",
        s(&set),
        "--steps",
        "3",
        "--limit",
        "30",
        "--batch",
        "7",
        "sudoku",
    ]);
    let line = json_line(&out);
    for key in ["set", "count", "exact", "cell", "q_halt_accuracy", "by_step", "steps", "model", "command"] {
        assert!(line.get(key).is_some(), "missing {key}: {line}");
    }
    assert_eq!(line["set"], s(&set));
    assert_eq!(line["count"], 30);
    assert_eq!(line["steps"], 3);
    assert!(line["command"].as_str().unwrap().starts_with("trm eval --model "));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("q_halt acc") && text.contains("mean step"), "{text}");

    let model = load(&dir);
    let read = |f: &str| -> Vec<Sudoku> {
        std::fs::read_to_string(assets().join("sudoku/eval").join(f))
            .unwrap()
            .lines()
            .take(30)
            .map(|l| Sudoku::parse(l).unwrap())
            .collect()
    };
    let (puzzles, solutions) = (read("4x4-medium.txt"), read("4x4-medium.solutions.txt"));
    let rows: Vec<Vec<u32>> = puzzles.iter().map(Sudoku::to_tokens).collect();
    let mut seen_cell = false;
    for step in 1..=3 {
        let (predicted, q) = direct(&model, &rows, &[0; 30], step);
        let (mut exact, mut cell, mut q_ok) = (0.0, 0.0, 0.0);
        for k in 0..30 {
            let solved = puzzles[k].is_solved_by(&Sudoku::from_predicted_tokens(4, &predicted[k]).unwrap());
            exact += f64::from(u8::from(solved));
            cell += predicted[k].iter().zip(solutions[k].to_tokens()).filter(|(a, b)| **a == *b).count() as f64 / 16.0;
            q_ok += f64::from(u8::from((q[k] >= 0.0) == solved));
        }
        let m = &line["by_step"][step - 1];
        assert_eq!(m["step"], step);
        assert!(close(&m["exact"], exact / 30.0), "{m}");
        assert!(close(&m["cell"], cell / 30.0), "{m} vs {}", cell / 30.0);
        assert!(close(&m["q_halt_accuracy"], q_ok / 30.0), "{m}");
        seen_cell |= cell > 0.0;
        if step == 3 {
            assert!(close(&line["exact"], exact / 30.0) && close(&line["cell"], cell / 30.0));
            assert!(close(&line["q_halt_accuracy"], q_ok / 30.0));
        }
    }
    assert!(seen_cell, "a random model still gets some cells right");
}

#[test]
fn maze_eval_uses_the_verifier_and_equals_a_direct_computation() {
    let c = config(121, Maze::vocab_size());
    let dir = write_model("m11", &c, "maze");
    let set = assets().join("maze/eval/11x11-hard.txt");
    let line = json_line(&trm(&[
        "eval",
        "--model",
        s(&dir.join("model.safetensors")),
        "--set",
        s(&set),
        "--steps",
        "2",
        "--limit",
        "6",
        "maze",
    ]));
    assert_eq!(line["count"], 6);
    assert!(line["exact_rule"].as_str().unwrap().contains("shortest path"));
    let model = load(&dir);
    let text = std::fs::read_to_string(&set).unwrap();
    let puzzles: Vec<Maze> = Maze::parse_many(&text).unwrap().into_iter().take(6).collect();
    let solutions: Vec<Maze> =
        Maze::parse_many(&std::fs::read_to_string(assets().join("maze/eval/11x11-hard.solutions.txt")).unwrap())
            .unwrap();
    let rows: Vec<Vec<u32>> = puzzles.iter().map(Maze::to_tokens).collect();
    let (predicted, _) = direct(&model, &rows, &[0; 6], 2);
    let mut exact = 0.0;
    let mut cell = 0.0;
    for k in 0..6 {
        let answer = Maze::from_predicted_tokens(11, &predicted[k]).unwrap();
        exact += f64::from(u8::from(maze::verify_answer(&puzzles[k], &answer).is_ok()));
        cell += predicted[k].iter().zip(solutions[k].to_tokens()).filter(|(a, b)| **a == *b).count() as f64 / 121.0;
    }
    assert!(close(&line["exact"], exact / 6.0));
    assert!(close(&line["cell"], cell / 6.0), "{} vs {}", line["cell"], cell / 6.0);
    assert!(close(&line["by_step"][1]["cell"], cell / 6.0));
}

/// `trm eval maze --augment 7`: the JSON line equals the library's dihedral vote (checked against a
/// by-hand vote in trm-train's tests), `--record` keeps the plain and the voted entry of one set side
/// by side, and out-of-range counts or Sudoku are refused.
#[test]
fn maze_eval_votes_over_symmetries_and_records_beside_the_plain_entry() {
    let c = config(121, Maze::vocab_size());
    let dir = write_model("m11vote", &c, "maze");
    let weights = dir.join("model.safetensors");
    let card_path = dir.join("model.json");
    let text = std::fs::read_to_string(assets().join("maze/eval/11x11-hard.txt")).unwrap();
    let answers = std::fs::read_to_string(assets().join("maze/eval/11x11-hard.solutions.txt")).unwrap();
    let blocks = |t: &str| Maze::blocks(t).into_iter().take(4).map(|(_, b)| b).collect::<Vec<_>>().join("\n\n") + "\n";
    let set = dir.join("four.txt");
    std::fs::write(&set, blocks(&text)).unwrap();
    std::fs::write(dir.join("four.solutions.txt"), blocks(&answers)).unwrap();
    let voted = ["eval", "--model", s(&weights), "--set", s(&set), "--steps", "2", "--augment", "7"];
    let line = json_line(&trm(&[&voted[..], &["--record", s(&card_path), "maze"]].concat()));
    assert_eq!((line["count"].as_u64(), line["augment"].as_u64()), (Some(4), Some(7)));
    assert!(line["exact_rule"].as_str().unwrap().contains("8 dihedral versions"), "{line}");

    let model = load(&dir);
    let puzzles = Maze::parse_many(&std::fs::read_to_string(&set).unwrap()).unwrap();
    let solutions = Maze::parse_many(&std::fs::read_to_string(dir.join("four.solutions.txt")).unwrap()).unwrap();
    let eval_set = trm_train::eval::EvalSet::maze(&puzzles, &solutions).unwrap();
    let options = trm_train::eval::EvalOptions { steps: 2, batch_size: 8 };
    let report = trm_train::eval::evaluate_dihedral_vote(&model, &eval_set, 8, &options, |_| {}).unwrap();
    assert!(close(&line["exact"], report.last().exact));
    assert!(close(&line["cell"], report.last().cell), "{} vs {}", line["cell"], report.last().cell);

    // The plain run on the same set adds its own entry; a voted rerun replaces only the voted one.
    let plain = ["eval", "--model", s(&weights), "--set", s(&set), "--steps", "2", "--record", s(&card_path), "maze"];
    json_line(&trm(&plain));
    json_line(&trm(&[&voted[..], &["--record", s(&card_path), "maze"]].concat()));
    let card: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&card_path).unwrap()).unwrap();
    let augments: Vec<Option<u64>> =
        card["accuracy"].as_array().unwrap().iter().map(|e| e.get("augment").and_then(|a| a.as_u64())).collect();
    assert_eq!(augments, [None, Some(7)]);

    fails_with(&trm(&[&voted[..7], &["--augment", "8", "maze"]].concat()), "0 to 7");
    let sudoku = assets().join("sudoku/eval/4x4-medium.txt");
    fails_with(
        &trm(&["eval", "--model", s(&weights), "--set", s(&sudoku), "--augment", "1", "sudoku"]),
        "Sudoku is evaluated",
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn arc_eval_votes_and_scores_like_a_direct_computation() {
    let c = TrmConfig { num_puzzle_identifiers: 1, ..config(100, arc::VOCAB_SIZE) };
    let dir = write_model("arc", &c, "arc");
    // A collection of small training tasks (the canvas is 10×10).
    let names = ["0d3d703e", "25ff71a9", "d631b094", "3c9b0459"];
    let mut collection = serde_json::Map::new();
    for n in names {
        let text = std::fs::read_to_string(assets().join(format!("arc/training/{n}.json"))).unwrap();
        collection.insert(n.to_string(), serde_json::from_str(&text).unwrap());
    }
    let set = dir.join("small-arc.json");
    std::fs::write(&set, serde_json::Value::Object(collection).to_string()).unwrap();
    let submission = dir.join("submission.json");
    let model_path = dir.join("model.safetensors");
    let out = trm(&[
        "eval",
        "--model",
        s(&model_path),
        "--set",
        s(&set),
        "--steps",
        "2",
        "--submission",
        s(&submission),
        "arc",
    ]);
    let line = json_line(&out);
    assert_eq!(line["count"], 4);
    assert_eq!(line["exact"], line["pass@1"]);
    assert_eq!(line["by_step"].as_array().unwrap().len(), 2);
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&submission).unwrap()).unwrap();
    assert_eq!(written.as_object().unwrap().len(), 4);

    // Direct: with no augmentation each test input has one candidate, its crop.
    let model = load(&dir);
    let tasks = arc::parse_tasks(&std::fs::read_to_string(&set).unwrap(), "x").unwrap();
    let mut rows = Vec::new();
    let mut truths = Vec::new();
    for t in &tasks {
        for pair in &t.task.test {
            rows.push(
                arc::encode_grid(&pair.input, 10, (0, 0)).unwrap().iter().map(|&x| u32::from(x)).collect::<Vec<u32>>(),
            );
            truths.push((t.name.clone(), pair.output.clone().unwrap()));
        }
    }
    let (predicted, _) = direct(&model, &rows, &vec![0; rows.len()], 2);
    let mut per_task: std::collections::BTreeMap<String, (f64, f64)> = Default::default();
    let mut cell = 0.0;
    for (p, (name, truth)) in predicted.iter().zip(&truths) {
        let bytes: Vec<u8> = p.iter().map(|&t| t as u8).collect();
        let right = arc::crop(&bytes, 10).is_ok_and(|g| &g == truth);
        let e = per_task.entry(name.clone()).or_default();
        e.0 += f64::from(u8::from(right));
        e.1 += 1.0;
        let labels = arc::encode_grid(truth, 10, (0, 0)).unwrap();
        let supervised: Vec<(u8, u32)> =
            labels.iter().zip(p).filter(|(l, _)| **l != arc::PAD).map(|(l, p)| (*l, *p)).collect();
        cell += supervised.iter().filter(|(l, p)| u32::from(*l) == *p).count() as f64 / supervised.len() as f64;
    }
    let pass = per_task.values().map(|(r, n)| r / n).sum::<f64>() / 4.0;
    assert!(close(&line["pass@1"], pass) && close(&line["pass@2"], pass), "{line}");
    assert!(close(&line["cell"], cell / rows.len() as f64), "{} vs {}", line["cell"], cell / rows.len() as f64);
    assert_eq!(line["labelled_rows"], rows.len());

    // Augmented versions run too (the identity first, then random ones), reproducibly.
    let run = || trm(&["eval", "--model", s(&model_path), "--set", s(&set), "--steps", "1", "--augment", "2", "arc"]);
    let (a, b) = (json_line(&run()), json_line(&run()));
    assert_eq!(a["rows"], 3 * rows.len());
    assert_eq!(a["pass@2"], b["pass@2"]);
}

#[test]
fn malformed_inputs_give_errors_not_panics() {
    let c = config(16, 6);
    let dir = write_model("errors", &c, "sudoku");
    let model = dir.join("model.safetensors");
    let eval = |set: &Path, extra: &[&str], domain: &str| {
        let mut args = vec!["eval", "--model", s(&model), "--set", s(set)];
        args.extend_from_slice(extra);
        args.push(domain);
        trm(&args)
    };
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    // No solutions beside the set.
    let lone = write("lone.txt", "1.....3..1.....2\n");
    fails_with(&eval(&lone, &[], "sudoku"), "lone.solutions.txt does not exist");
    // Counts that do not pair up.
    let two = write("two.txt", "1.....3..1.....2\n.2..1.........4.\n");
    write("two.solutions.txt", "1243341221344321\n");
    fails_with(&eval(&two, &[], "sudoku"), "has 2 puzzles but");
    // A solution that does not solve its puzzle, with the line.
    let one = write("one.txt", "1.....3..1.....2\n");
    write("one.solutions.txt", "2143341243211234\n");
    fails_with(&eval(&one, &[], "sudoku"), "one.solutions.txt:1: not a solution");
    // A malformed puzzle line.
    let bad = write("bad.txt", "1.....3..1.....2\n1x3\n");
    write("bad.solutions.txt", "1234341221434321\n1234341221434321\n");
    fails_with(&eval(&bad, &[], "sudoku"), "bad.txt:2:");
    // A 9×9 set for a 4×4 model.
    let nine = assets().join("sudoku/eval/9x9-easy.txt");
    fails_with(&eval(&nine, &["--limit", "2"], "sudoku"), "these puzzles need 81 cells");
    // Zero steps, zero limit, a missing set, a maze file given as Sudoku (all `#` comments).
    let good = assets().join("sudoku/eval/4x4-medium.txt");
    fails_with(&eval(&good, &["--steps", "0"], "sudoku"), "--steps must be at least 1");
    fails_with(&eval(&good, &["--limit", "0"], "sudoku"), "--limit must be at least 1");
    fails_with(&eval(&dir.join("absent.txt"), &[], "sudoku"), "cannot read the puzzle set");
    fails_with(&eval(&assets().join("maze/eval/11x11-hard.txt"), &[], "sudoku"), "holds no Sudoku");
    // Mazes: a solution that is not a shortest path.
    let m = write("m.txt", "#####\n#S  #\n# # #\n#  G#\n#####\n");
    write("m.solutions.txt", "#####\n#Soo#\n# #o#\n#o G#\n#####\n");
    fails_with(&eval(&m, &[], "maze"), "m.solutions.txt:1: not a shortest path");
    // ARC: no test outputs, broken JSON.
    let no_outputs =
        write("no-out.json", r#"{"t": {"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[1]]}]}}"#);
    fails_with(&eval(&no_outputs, &[], "arc"), "no test outputs");
    let broken = write("broken.json", r#"{"t": {"train": [{"input": [[1]"#);
    fails_with(&eval(&broken, &[], "arc"), "broken.json");
}

#[test]
fn export_round_trips_bitwise_and_refuses_what_is_not_a_model() {
    let c = config(16, 6);
    let dir = write_model("export", &c, "sudoku");
    let source = dir.join("model.safetensors");
    let original = trm_core::checkpoint::read_tensors(&std::fs::read(&source).unwrap()).unwrap();
    let bits = |t: &Tensor| {
        t.flatten_all().unwrap().to_vec1::<f32>().unwrap().iter().map(|v| v.to_bits()).collect::<Vec<u32>>()
    };

    for (out_name, format) in [("step_42", None), ("model.pt", Some("pytorch")), ("official.safetensors", None)] {
        let out_path = dir.join(out_name);
        let mut args = vec!["export", s(&dir), "--out", s(&out_path)];
        if let Some(f) = format {
            args.extend_from_slice(&["--format", f]);
        }
        let out = trm(&args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(
            String::from_utf8_lossy(&out.stdout).starts_with("exported 15 tensors (f32)"),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let back = trm_core::checkpoint::read_tensors(&std::fs::read(&out_path).unwrap()).unwrap();
        assert_eq!(back.len(), original.len());
        for (key, tensor) in &back {
            let stripped = key.strip_prefix("_orig_mod.model.inner.").expect("official prefix");
            let (_, want) = original.iter().find(|(k, _)| k == stripped).unwrap();
            assert_eq!(tensor.dims(), want.dims());
            assert_eq!(bits(tensor), bits(want), "{key}");
        }
        if !out_name.ends_with(".safetensors") {
            let bytes = std::fs::read(&out_path).unwrap();
            let folder = out_name.split('.').next().unwrap();
            let needle = format!("{folder}/data.pkl");
            assert!(bytes.windows(needle.len()).any(|w| w == needle.as_bytes()), "{out_name}");
        }
        // The export loads as a model and answers like the original.
        let card = std::fs::read_to_string(dir.join("model.json")).unwrap();
        let hint = trm_core::ConfigHint { model_card: Some(card), ..Default::default() };
        let exported = trm_core::load_model(&std::fs::read(&out_path).unwrap(), &hint).unwrap();
        let rows = vec![Sudoku::parse("1.....3..1.....2").unwrap().to_tokens()];
        assert_eq!(direct(&exported, &rows, &[0], 2).0, direct(&load(&dir), &rows, &[0], 2).0);
    }

    // The official fixture: .pt → safetensors → .pt gives back torch's file except its random id.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../trm-core/tests/fixtures/trm-parity/att_rope");
    let st = dir.join("att.safetensors");
    let out = trm(&["export", s(&fixture.join("checkpoint.pt")), "--out", s(&st)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pt = dir.join("checkpoint.pt");
    let out = trm(&["export", s(&st), "--config", s(&fixture.join("all_config.yaml")), "--out", s(&pt)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (ours, torch) = (std::fs::read(&pt).unwrap(), std::fs::read(fixture.join("checkpoint.pt")).unwrap());
    assert_eq!(ours.len(), torch.len());
    let differing = ours.iter().zip(&torch).filter(|(a, b)| a != b).count();
    assert!(differing <= 48, "{differing} bytes differ (only the 40-digit id and its two CRCs may)");

    // Errors: not a checkpoint, a missing file, an empty folder, exporting onto itself.
    let text = dir.join("notes.txt");
    std::fs::write(&text, "hello, not a model").unwrap();
    fails_with(
        &trm(&["export", s(&text), "--out", s(&dir.join("x.pt"))]),
        "not a safetensors file nor a PyTorch checkpoint",
    );
    fails_with(&trm(&["export", s(&dir.join("absent.pt")), "--out", s(&dir.join("x.pt"))]), "does not exist");
    let empty = dir.join("empty-run");
    std::fs::create_dir_all(&empty).unwrap();
    fails_with(&trm(&["export", s(&empty), "--out", s(&dir.join("x.pt"))]), "holds no checkpoint");
    fails_with(&trm(&["export", s(&source), "--out", s(&source)]), "is the checkpoint being exported");
    assert!(!dir.join("x.pt").exists() && !dir.join("x.pt.partial").exists());
    // A tensor too many: not a complete TRM.
    let mut tensors: Vec<(String, Tensor)> = original.clone();
    tensors.push(("extra.weight".into(), Tensor::zeros(2, DType::F32, &Device::Cpu).unwrap()));
    let extra = dir.join("extra.safetensors");
    std::fs::write(&extra, safetensors::serialize(tensors.iter().map(|(k, v)| (k.clone(), v)), None).unwrap()).unwrap();
    std::fs::copy(dir.join("model.json"), dir.join("extra.json")).unwrap();
    fails_with(&trm(&["export", s(&extra), "--out", s(&dir.join("x.pt"))]), "extra.weight");
}

/// `--record CARD` puts the result into the card's accuracy table, replacing an entry for the same
/// set on a rerun and keeping the rest of the card; with `--limit` it is refused.
#[test]
fn eval_records_its_result_in_a_model_card() {
    let c = config(16, 6);
    let dir = write_model("record", &c, "sudoku");
    let card_path = dir.join("model.json");
    let puzzles: Vec<&str> =
        include_str!("../../../assets/puzzles/sudoku/eval/4x4-medium.txt").lines().take(12).collect();
    let answers: Vec<&str> =
        include_str!("../../../assets/puzzles/sudoku/eval/4x4-medium.solutions.txt").lines().take(12).collect();
    let set = dir.join("twelve.txt");
    std::fs::write(&set, puzzles.join("\n") + "\n").unwrap();
    std::fs::write(dir.join("twelve.solutions.txt"), answers.join("\n") + "\n").unwrap();
    let model = dir.join("model.safetensors");
    let args = ["eval", "--model", s(&model), "--set", s(&set), "--steps", "2", "--record", s(&card_path), "sudoku"];
    let line = json_line(&trm(&args));
    let card: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&card_path).unwrap()).unwrap();
    assert_eq!(card["name"], "record", "the rest of the card stays");
    let table = card["accuracy"].as_array().unwrap();
    assert_eq!(table.len(), 1);
    let entry = &table[0];
    assert_eq!(entry["set"], s(&set));
    assert_eq!(entry["count"], 12);
    assert_eq!(entry["exact"], line["exact"]);
    assert_eq!(entry["cell"], line["cell"]);
    assert_eq!(entry["command"], line["command"]);
    let by_step: Vec<_> = line["by_step"].as_array().unwrap().iter().map(|s| s["exact"].clone()).collect();
    assert_eq!(entry["by_step"], serde_json::Value::from(by_step));
    // A rerun replaces the entry instead of adding a second one.
    json_line(&trm(&args));
    let card: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&card_path).unwrap()).unwrap();
    assert_eq!(card["accuracy"].as_array().unwrap().len(), 1);
    let limited = ["eval", "--model", s(&model), "--set", s(&set), "--limit", "3", "--record", s(&card_path), "sudoku"];
    fails_with(&trm(&limited), "drop --limit");
    let _ = std::fs::remove_dir_all(dir);
}
