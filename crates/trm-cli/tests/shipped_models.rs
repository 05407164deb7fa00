//! The models shipped in `assets/models/` load, and `trm eval` reproduces their cards' accuracy on
//! the start of the committed evaluation sets.
//!
//! Every card's `accuracy` entry comes from a full `trm eval` run (its `command`). Evaluating all of
//! every set here would take minutes in a debug build, so each entry is checked on its first
//! [`prefix`] puzzles: the exact accuracy there must lie within three binomial standard deviations
//! (plus one puzzle) of the card's figure. A model that no longer solves what its card claims fails.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Puzzles per checked set: 200, or 50 for grids of more than 36 cells. A 9×9 Sudoku costs about
/// 0.8 s per puzzle in a debug build (16 supervision steps of H·(L+1) applications on 81 tokens), so
/// four 9×9 entries at 200 would take ten minutes of CI; at 50 the check still fails a model that
/// lost a quarter of its accuracy on an easy set.
fn prefix(card: &serde_json::Value) -> usize {
    if card["arch"]["seq_len"].as_u64().unwrap_or(u64::MAX) <= 36 { 200 } else { 50 }
}

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Every shipped model card with its weights file.
fn shipped_cards() -> Vec<(PathBuf, serde_json::Value)> {
    let dir = root().join("assets/models");
    let mut cards = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let card: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            cards.push((path.with_extension("safetensors"), card));
        }
    }
    cards.sort_by(|a, b| a.0.cmp(&b.0));
    cards
}

/// `trm eval` on the first `limit` puzzles of `set` (each in `augment` more versions, voted); its
/// final JSON line.
fn eval_prefix(model: &Path, set: &Path, domain: &str, limit: usize, augment: u64) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_trm"))
        .args(["eval", "--model"])
        .arg(model)
        .arg("--set")
        .arg(set)
        .args(["--limit", &limit.to_string(), "--augment", &augment.to_string(), domain])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}: {}", model.display(), String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.lines().last().unwrap()).unwrap()
}

#[test]
fn every_shipped_model_matches_its_card() {
    let cards = shipped_cards();
    assert!(cards.iter().any(|(_, c)| c["name"] == "sudoku4"), "sudoku4 must be shipped");
    for (weights, card) in cards {
        assert!(weights.is_file(), "{} has no weights beside its card", weights.display());
        let size = std::fs::metadata(&weights).unwrap().len();
        assert!(size <= 25 * 1024 * 1024, "{} is {size} bytes, over the 25 MB limit", weights.display());
        let domain = card["domain"].as_str().unwrap();
        let entries = card["accuracy"].as_array().cloned().unwrap_or_default();
        assert!(!entries.is_empty(), "{} has no accuracy table", weights.display());
        for entry in entries {
            assert!(entry["count"].as_u64().unwrap() >= 1000 || domain == "arc", "{entry}");
            assert!(entry["command"].as_str().unwrap().starts_with("trm eval"), "{entry}");
            if domain == "arc" {
                continue; // checked by its own test: its voting needs the card's augmentation count
            }
            let claimed = entry["exact"].as_f64().unwrap();
            let set = root().join(entry["set"].as_str().unwrap());
            // A maze entry voted over its symmetries runs every maze `augment + 1` times: fewer mazes.
            let augment = entry.get("augment").and_then(serde_json::Value::as_u64).unwrap_or(0);
            let count = prefix(&card) / (1 + augment as usize).min(2);
            let measured = eval_prefix(&weights, &set, domain, count, augment);
            assert_eq!(measured.get("augment").and_then(serde_json::Value::as_u64).unwrap_or(0), augment);
            assert_eq!(measured["count"], count);
            let exact = measured["exact"].as_f64().unwrap();
            let spread = 3.0 * (claimed * (1.0 - claimed) / count as f64).sqrt() + 1.0 / count as f64;
            assert!(
                (exact - claimed).abs() <= spread,
                "{}: the card says {claimed} on {}, the first {count} give {exact}",
                weights.display(),
                set.display()
            );
        }
    }
}

/// The floors issue #5 sets for the Sudoku models whose sets are fully learnable.
#[test]
fn small_sudoku_models_solve_held_out_puzzles() {
    for (_, card) in shipped_cards() {
        let name = card["name"].as_str().unwrap();
        if !matches!(name, "sudoku4" | "sudoku6") {
            continue;
        }
        let entry = &card["accuracy"][0];
        assert!(entry["exact"].as_f64().unwrap() >= 0.99, "{name}: {entry}");
    }
}

/// ARC cards: every `accuracy` entry is rerun whole with the arguments of its `command` (16 small
/// tasks with their augmented versions take seconds). Voting over augmentations is seeded, so the
/// rerun must give the card's pass@1 and pass@2 up to one task (summation order may differ between
/// thread counts and flip one close vote).
#[test]
fn arc_models_reproduce_their_cards() {
    let cards = shipped_cards();
    assert!(cards.iter().any(|(_, c)| c["name"] == "arc-demo"), "arc-demo must be shipped");
    for (weights, card) in cards {
        if card["domain"] != "arc" {
            continue;
        }
        let entries = card["accuracy"].as_array().cloned().unwrap_or_default();
        assert!(!entries.is_empty(), "{} has no accuracy table", weights.display());
        assert!(card["identifiers"].as_array().is_some_and(|ids| !ids.is_empty()), "an ARC card lists its identifiers");
        for entry in entries {
            let command = entry["command"].as_str().unwrap();
            let mut words = command.split_whitespace();
            assert_eq!(words.next(), Some("trm"), "{command}");
            let mut args = Vec::new();
            while let Some(word) = words.next() {
                if word == "--record" {
                    words.next(); // the card itself: the rerun only measures
                } else {
                    args.push(word);
                }
            }
            let out = Command::new(env!("CARGO_BIN_EXE_trm")).args(&args).current_dir(root()).output().unwrap();
            assert!(out.status.success(), "{command}: {}", String::from_utf8_lossy(&out.stderr));
            let text = String::from_utf8_lossy(&out.stdout);
            let measured: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
            assert_eq!(measured["count"], entry["count"], "{command}");
            let tasks = entry["count"].as_f64().unwrap();
            for key in ["exact", "pass@2"] {
                let (claimed, got) = (entry[key].as_f64().unwrap(), measured[key].as_f64().unwrap());
                assert!((claimed - got).abs() <= 1.0 / tasks + 1e-9, "{command}: {key} {got}, the card says {claimed}");
            }
        }
    }
}
