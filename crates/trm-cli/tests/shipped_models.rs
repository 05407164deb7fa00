//! The models shipped in `assets/models/` load, and `trm eval` reproduces their cards' accuracy on
//! the start of the committed evaluation sets.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn sudoku4_matches_its_card() {
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("assets/models/sudoku4.json")).unwrap()).unwrap();
    let claimed = card["accuracy"][0]["exact"].as_f64().unwrap();
    let set = root().join(card["accuracy"][0]["set"].as_str().unwrap());
    let out = Command::new(env!("CARGO_BIN_EXE_trm"))
        .args(["eval", "--model"])
        .arg(root().join("assets/models/sudoku4.safetensors"))
        .arg("--set")
        .arg(&set)
        .args(["--limit", "200", "sudoku"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["count"], 200);
    let exact = last["exact"].as_f64().unwrap();
    // 200 of the card's 1000 puzzles: within one puzzle per hundred of the card's figure.
    assert!((exact - claimed).abs() <= 0.01, "card says {claimed}, measured {exact}");
    assert!(exact >= 0.99, "sudoku4 must solve ≥ 99 % of held-out puzzles, got {exact}");
}
