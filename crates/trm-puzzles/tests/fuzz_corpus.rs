//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/`) through the fuzz targets' own entry
//! points, so every seed and every regression found by fuzzing runs with the ordinary tests.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use trm_puzzles::fuzzing::{fuzz_arc_json, fuzz_arc_names, fuzz_dataset_files, fuzz_maze_text, fuzz_sudoku_text};

/// Every file of one target's corpus, sorted by name; the corpus must hold at least 4.
fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    assert!(paths.len() >= 4, "{target}: only {} corpus files in {}", paths.len(), dir.display());
    paths
        .into_iter()
        .map(|p| (p.clone(), std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))))
        .collect()
}

/// Runs `entry` on every file, naming the file that fails.
fn replay(target: &str, entry: fn(&[u8])) {
    for (path, bytes) in corpus(target) {
        let outcome = std::panic::catch_unwind(|| entry(&bytes));
        assert!(outcome.is_ok(), "{target}: {} fails", path.display());
    }
}

#[test]
fn sudoku_text_corpus_replays() {
    replay("sudoku_text", fuzz_sudoku_text);
}

#[test]
fn maze_text_corpus_replays() {
    replay("maze_text", fuzz_maze_text);
}

#[test]
fn arc_json_corpus_replays() {
    replay("arc_json", fuzz_arc_json);
}

#[test]
fn arc_names_corpus_replays() {
    replay("arc_names", fuzz_arc_names);
}

#[test]
fn dataset_files_corpus_replays() {
    replay("dataset_files", fuzz_dataset_files);
}
