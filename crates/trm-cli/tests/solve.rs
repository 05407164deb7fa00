//! `trm solve` on a real (randomly initialised, official-init) Sudoku model written to disk: the
//! printed answers must equal trm-core's own computation.

use std::path::PathBuf;
use std::process::Command;

use candle_core::{DType, Device, Tensor};
use trm_core::TrmConfig;
use trm_puzzles::Sudoku;

const PUZZLE: &str = "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79";
const OTHER: &str = "..9748...7.........2.1.9.....7...24..64.1.59..98...3.....8.3.2.........6...2759..";

/// A small mlp_t model with a 16-slot puzzle prefix: the shape of the official Sudoku checkpoints.
fn config() -> TrmConfig {
    TrmConfig {
        puzzle_emb_ndim: 32,
        h_cycles: 2,
        l_cycles: 2,
        hidden_size: 32,
        num_heads: 2,
        ..TrmConfig::sudoku_reference()
    }
}

/// Writes `model.safetensors` + `model.json` (card) into a fresh folder.
fn write_model(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trm-solve-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut tensors = trm_core::init::official_init(&config(), 3).unwrap();
    // Make q_head non-trivial so q_halt varies.
    tensors.insert("q_head.weight".into(), Tensor::full(0.05f32, (2, 32), &Device::Cpu).unwrap());
    let bytes =
        safetensors::serialize(tensors.iter().map(|(k, v)| (format!("_orig_mod.model.inner.{k}"), v)), None).unwrap();
    std::fs::write(dir.join("model.safetensors"), bytes).unwrap();
    let card = serde_json::json!({"name": "test", "domain": "sudoku", "size": 9, "seq_len": 81, "vocab_size": 11, "arch": config()});
    std::fs::write(dir.join("model.json"), card.to_string()).unwrap();
    dir
}

fn trm(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_trm")).args(args).output().expect("trm runs")
}

fn expected_answers(dir: &std::path::Path, puzzles: &[&str], steps: usize) -> Vec<String> {
    let bytes = std::fs::read(dir.join("model.safetensors")).unwrap();
    let card = std::fs::read_to_string(dir.join("model.json")).unwrap();
    let hint = trm_core::ConfigHint { model_card: Some(card), ..Default::default() };
    let model = trm_core::load_model(&bytes, &hint).unwrap();
    let tokens: Vec<u32> = puzzles.iter().flat_map(|p| Sudoku::parse(p).unwrap().to_tokens()).collect();
    let tokens = Tensor::from_vec(tokens, (puzzles.len(), 81), &Device::Cpu).unwrap();
    let ids = Tensor::zeros(puzzles.len(), DType::U32, &Device::Cpu).unwrap();
    let (logits, _) = trm_core::solve(&model, &tokens, &ids, steps).unwrap();
    let predicted = logits.argmax(candle_core::D::Minus1).unwrap().to_vec2::<u32>().unwrap();
    predicted.iter().map(|row| Sudoku::from_predicted_tokens(9, row).unwrap().to_string()).collect()
}

#[test]
fn solve_prints_every_step_then_the_answer() {
    let dir = write_model("steps");
    let model = dir.join("model.safetensors");
    let out = trm(&["solve", "--model", model.to_str().unwrap(), "--steps", "3", "sudoku", PUZZLE]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    for step in 1..=3 {
        assert!(text.contains(&format!("step {step}/3  q_halt")), "{text}");
    }
    assert!(!text.contains("step 4/3"));
    assert!(text.contains("answer  (q_halt"), "{text}");
    assert_eq!(text.matches("+-------+-------+-------+").count(), 4 * 4, "{text}");
}

#[test]
fn quiet_and_json_answers_equal_the_library() {
    let dir = write_model("quiet");
    let model = dir.join("model.safetensors");
    let want = expected_answers(&dir, &[PUZZLE], 16);
    let out = trm(&["solve", "--model", model.to_str().unwrap(), "--quiet", "sudoku", PUZZLE]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().collect::<Vec<_>>(), want);

    let out = trm(&["solve", "--model", model.to_str().unwrap(), "--json", "--steps", "16", "sudoku", PUZZLE]);
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["answer"], want[0].as_str());
    assert_eq!(line["puzzle"], PUZZLE);
    assert_eq!(line["steps"], 16);
}

#[test]
fn a_file_of_puzzles_is_answered_in_order() {
    let dir = write_model("file");
    let model = dir.join("model.safetensors");
    let file = dir.join("puzzles.txt");
    std::fs::write(&file, format!("# two puzzles\n{PUZZLE}\n\n{OTHER}  # second\n")).unwrap();
    let want = expected_answers(&dir, &[PUZZLE, OTHER], 4);
    let out = trm(&[
        "solve",
        "--model",
        model.to_str().unwrap(),
        "--steps",
        "4",
        "--quiet",
        "--file",
        file.to_str().unwrap(),
        "sudoku",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().collect::<Vec<_>>(), want);
}

#[test]
fn bad_puzzles_and_mismatched_models_are_clear_errors() {
    let dir = write_model("errors");
    let model = dir.join("model.safetensors");
    let model = model.to_str().unwrap();
    let out = trm(&["solve", "--model", model, "sudoku", "53..7x..."]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("unexpected character 'x'"), "{err}");

    let out = trm(&["solve", "--model", model, "sudoku", "12..3412....21.."]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("these puzzles need 16 cells"), "{err}");

    let truncated = dir.join("truncated.safetensors");
    let bytes = std::fs::read(model).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let out = trm(&[
        "solve",
        "--model",
        truncated.to_str().unwrap(),
        "--config",
        dir.join("model.json").to_str().unwrap(),
        "sudoku",
        PUZZLE,
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("cannot load"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
