//! `trm solve` for mazes, 4×4 Sudoku and ARC on real (randomly initialised, official-init) models
//! written to disk: printed answers must equal what trm-core computes directly.

use std::path::{Path, PathBuf};
use std::process::Command;

use candle_core::{DType, Device, Tensor};
use trm_core::TrmConfig;
use trm_puzzles::arc::{self, Augmentation};
use trm_puzzles::{Maze, Sudoku};

/// A small mlp_t model of the official Sudoku shape, resized for `seq_len` cells and `vocab` tokens.
fn config(seq_len: usize, vocab_size: usize, rows: usize) -> TrmConfig {
    TrmConfig {
        puzzle_emb_ndim: 32,
        h_cycles: 2,
        l_cycles: 2,
        hidden_size: 32,
        num_heads: 2,
        seq_len,
        vocab_size,
        num_puzzle_identifiers: rows,
        ..TrmConfig::sudoku_reference()
    }
}

/// Writes `model.safetensors` + `model.json` (card, with `extra` fields merged in) to a fresh folder.
fn write_model(tag: &str, c: &TrmConfig, domain: &str, extra: serde_json::Value) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trm-solve-domains-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut tensors = trm_core::init::official_init(c, 5).unwrap();
    tensors.insert("q_head.weight".into(), Tensor::full(0.05f32, (2, 32), &Device::Cpu).unwrap());
    // Distinct puzzle-embedding rows, so the row a task selects changes the answer.
    if c.num_puzzle_identifiers > 1 {
        let rows = Tensor::randn(0f32, 1.0, (c.num_puzzle_identifiers, c.puzzle_emb_ndim), &Device::Cpu).unwrap();
        tensors.insert("puzzle_emb.weights".into(), rows);
    }
    let bytes = safetensors::serialize(tensors.iter().map(|(k, v)| (k.clone(), v)), None).unwrap();
    std::fs::write(dir.join("model.safetensors"), bytes).unwrap();
    let mut card =
        serde_json::json!({"name": tag, "domain": domain, "seq_len": c.seq_len, "vocab_size": c.vocab_size, "arch": c});
    if let (Some(card), Some(extra)) = (card.as_object_mut(), extra.as_object()) {
        card.extend(extra.clone());
    }
    std::fs::write(dir.join("model.json"), card.to_string()).unwrap();
    dir
}

fn trm(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_trm")).args(args).output().expect("trm runs")
}

/// Argmax tokens after `steps` supervision steps, computed by trm-core directly.
fn library_answers(dir: &Path, rows: &[Vec<u32>], ids: &[u32], steps: usize) -> Vec<Vec<u32>> {
    let bytes = std::fs::read(dir.join("model.safetensors")).unwrap();
    let card = std::fs::read_to_string(dir.join("model.json")).unwrap();
    let hint = trm_core::ConfigHint { model_card: Some(card), ..Default::default() };
    let model = trm_core::load_model(&bytes, &hint).unwrap();
    let tokens = Tensor::from_vec(rows.concat(), (rows.len(), rows[0].len()), &Device::Cpu).unwrap();
    let ids = Tensor::from_vec(ids.to_vec(), rows.len(), &Device::Cpu).unwrap().to_dtype(DType::U32).unwrap();
    let (logits, _) = trm_core::solve(&model, &tokens, &ids, steps).unwrap();
    logits.argmax(candle_core::D::Minus1).unwrap().to_vec2::<u32>().unwrap()
}

const MAZE_A: &str = "#######\n#S    #\n# ### #\n#   # #\n### # #\n#    G#\n#######";
const MAZE_B: &str = "#######\n#    G#\n# # # #\n# #   #\n# ### #\n#S    #\n#######";

#[test]
fn mazes_are_answered_as_blocks_equal_to_the_library() {
    let c = config(49, Maze::vocab_size(), 1);
    let dir = write_model("maze", &c, "maze", serde_json::json!({}));
    let file = dir.join("mazes.txt");
    std::fs::write(&file, format!("{MAZE_A}\n\n{MAZE_B}\n")).unwrap();
    let model = dir.join("model.safetensors");
    let out = trm(&[
        "solve",
        "--model",
        model.to_str().unwrap(),
        "--steps",
        "3",
        "--quiet",
        "--file",
        file.to_str().unwrap(),
        "maze",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: Vec<Vec<u32>> = [MAZE_A, MAZE_B].iter().map(|m| Maze::parse(m).unwrap().to_tokens()).collect();
    let want: Vec<String> = library_answers(&dir, &rows, &[0, 0], 3)
        .iter()
        .map(|t| Maze::from_predicted_tokens(7, t).unwrap().to_string())
        .collect();
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{}\n", want.join("\n\n")));

    // One maze: every step, then the answer with the verifier's verdict.
    let out = trm(&["solve", "--model", model.to_str().unwrap(), "--steps", "2", "maze", MAZE_A]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("step 1/2  q_halt") && text.contains("step 2/2  q_halt"), "{text}");
    assert!(
        text.contains("answer (q_halt") && (text.contains("not a solution") || text.contains("shortest path")),
        "{text}"
    );

    // A 9×9 maze does not fit a 7×7 model.
    let nine = "#########\n#S      #\n#########\n#       #\n#       #\n#       #\n#       #\n#      G#\n#########";
    let out = trm(&["solve", "--model", model.to_str().unwrap(), "maze", nine]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("these puzzles need 81 cells"), "{err}");
}

#[test]
fn four_by_four_sudoku_is_solved_with_its_own_model() {
    let c = config(16, 6, 1);
    let dir = write_model("s4", &c, "sudoku", serde_json::json!({"size": 4}));
    let puzzle = "1.....3..1.....2";
    let out = trm(&[
        "solve",
        "--model",
        dir.join("model.safetensors").to_str().unwrap(),
        "--steps",
        "2",
        "--json",
        "sudoku",
        puzzle,
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let want = library_answers(&dir, &[Sudoku::parse(puzzle).unwrap().to_tokens()], &[0], 2);
    assert_eq!(line["answer"], Sudoku::from_predicted_tokens(4, &want[0]).unwrap().to_string());
}

#[test]
fn arc_tasks_get_two_attempts_per_test_pair() {
    // A 10×10-canvas model with rows for one task and one of its augmentations.
    let aug_name = "0d3d703e|||t1|||0123456789";
    let c = config(100, arc::VOCAB_SIZE, 3);
    let ids = serde_json::json!({"identifiers": ["<blank>", "0d3d703e", aug_name]});
    let dir = write_model("arc", &c, "arc", ids);
    let task_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/puzzles/arc/training/0d3d703e.json");
    let model = dir.join("model.safetensors");
    let run = |augment: &str| {
        trm(&[
            "solve",
            "--model",
            model.to_str().unwrap(),
            "--steps",
            "2",
            "--augment",
            augment,
            "--file",
            task_path.to_str().unwrap(),
            "arc",
        ])
    };
    let out = run("0");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let submission: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let attempts = submission["0d3d703e"].as_array().expect("one list per task");
    let task = &arc::parse_tasks(&std::fs::read_to_string(&task_path).unwrap(), "0d3d703e").unwrap()[0].task;
    assert_eq!(attempts.len(), task.test.len());

    // Without augmentation, attempt 1 is the crop of the model's answer for the plain input (row 1).
    let canvas = arc::encode_grid(&task.test[0].input, 10, (0, 0)).unwrap();
    let predicted = &library_answers(&dir, &[canvas.iter().map(|&t| u32::from(t)).collect()], &[1], 2)[0];
    let bytes: Vec<u8> = predicted.iter().map(|&t| t as u8).collect();
    let grid = arc::crop(&bytes, 10).unwrap();
    assert_eq!(attempts[0]["attempt_1"], serde_json::from_str::<serde_json::Value>(&grid.to_json()).unwrap());

    // With augmentation the known version runs too; the output stays well-formed and reproducible.
    let (a, b) = (run("2"), run("2"));
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, b.stdout);
    let voted: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert!(voted["0d3d703e"][0]["attempt_2"].is_array());
    let (_, aug) = arc::parse_name(aug_name).unwrap();
    assert_ne!(aug, Augmentation::IDENTITY);
}

#[test]
fn arc_errors_are_clear() {
    let c = config(100, arc::VOCAB_SIZE, 1);
    let dir = write_model("arc-errors", &c, "arc", serde_json::json!({}));
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"train": [{"input": [[1, 2], [3]], "output": [[1]]}], "test": [{"input": [[1]]}]}"#)
        .unwrap();
    let out = trm(&[
        "solve",
        "--model",
        dir.join("model.safetensors").to_str().unwrap(),
        "--file",
        bad.to_str().unwrap(),
        "arc",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("train[0].input, row 1"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // A Sudoku model is not an ARC model.
    let s = write_model("arc-sudoku", &config(81, 11, 1), "sudoku", serde_json::json!({}));
    let task = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/puzzles/arc/training/0d3d703e.json");
    let out = trm(&[
        "solve",
        "--model",
        s.join("model.safetensors").to_str().unwrap(),
        "--file",
        task.to_str().unwrap(),
        "arc",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("12 tokens"), "{err}");
}
