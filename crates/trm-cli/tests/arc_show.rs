//! `trm arc show` on every committed ARC task, and its errors.

use std::path::{Path, PathBuf};
use std::process::Command;

fn trm(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_trm")).args(args).output().expect("trm runs")
}

fn arc_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/puzzles/arc")
}

#[test]
fn every_sample_task_shows() {
    let mut shown = 0;
    for split in ["training", "evaluation"] {
        for entry in std::fs::read_dir(arc_dir().join(split)).unwrap() {
            let path = entry.unwrap().path();
            let out = trm(&["arc", "show", "--color", "never", path.to_str().unwrap()]);
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
            let stem = path.file_stem().unwrap().to_string_lossy();
            assert!(text.starts_with(&format!("task {stem}: ")), "{text}");
            assert!(text.contains("train 1: ") && text.contains("test 1: "), "{text}");
            shown += 1;
        }
    }
    assert!(shown >= 80, "only {shown} sample tasks");
}

#[test]
fn colours_and_collections() {
    let path = arc_dir().join("training/0d3d703e.json");
    let out = trm(&["arc", "show", "--color", "always", path.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\x1b[48;2;"), "no colour codes");
    let plain = trm(&["arc", "show", "--color", "never", path.to_str().unwrap()]);
    assert!(!String::from_utf8_lossy(&plain.stdout).contains('\x1b'));

    let eval = arc_dir().join("eval/arc-agi-1-evaluation.json");
    let out = trm(&["arc", "show", "--color", "never", "--id", "00576224", eval.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(text.matches("task ").count(), 1, "{text}");
    let out = trm(&["arc", "show", "--id", "nope", eval.to_str().unwrap()]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("no task \"nope\""));
}

#[test]
fn malformed_tasks_are_clear_errors() {
    let dir = std::env::temp_dir().join(format!("trm-arc-show-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (text, message) in [
        (r#"{"train": [{"input": [[1, 12]], "output": [[1]]}], "test": [{"input": [[1]]}]}"#, "12 is not a colour"),
        (r#"{"train": [{"input": [[1]]}], "test": [{"input": [[1]]}]}"#, "missing key \"output\""),
        (r#"{"train": [{"input": [[1], [1, 2]], "output": [[1]]}], "test": []}"#, "row 1"),
        (r#"{"train": ["#, "invalid JSON"),
    ] {
        let path = dir.join("bad.json");
        std::fs::write(&path, text).unwrap();
        let out = trm(&["arc", "show", path.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(message), "{text}: {err}");
        assert!(!err.contains("panicked"));
    }
}
