//! ARC end to end with the real binary: `trm train arc` on a task list (the arc-demo preset with a
//! tiny model), then `trm eval` and `trm solve` on the run's model with the same list, `trm dataset
//! arc`, and clear errors for bad task lists.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn trm() -> Command {
    Command::new(env!("CARGO_BIN_EXE_trm"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trm-cli-arc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn arc_assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/puzzles/arc")
}

/// A folder with `list.txt` naming the given bundled tasks, copied under the same relative paths.
fn task_list(dir: &Path, entries: &[&str]) -> PathBuf {
    for entry in entries {
        let to = dir.join(format!("{entry}.json"));
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(arc_assets().join(format!("{entry}.json")), &to).unwrap();
    }
    let list = dir.join("list.txt");
    std::fs::write(&list, entries.join("\n") + "\n").unwrap();
    list
}

fn tiny_config(dir: &Path, list: &Path) -> PathBuf {
    let text = format!(
        r#"
arch: {{hidden_size: 16, num_heads: 2, H_cycles: 1, L_cycles: 1, L_layers: 1, puzzle_emb_len: 2, halt_max_steps: 2}}
train: {{global_batch_size: 4, total_steps: 3, lr_warmup_steps: 2}}
data: {{tasks: {}, num_aug: 2, epochs_per_iter: 2}}
eval: {{interval: 3, augment: 2}}
checkpoint_interval: 1000
log_interval: 1
"#,
        list.display()
    );
    let path = dir.join("tiny.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn ok(out: Output) -> Output {
    assert!(out.status.success(), "exit {:?}: {}", out.status, stderr(&out));
    out
}

fn last_json_line(out: &Output) -> serde_json::Value {
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("last line is not JSON ({e}): {text}"))
}

#[test]
fn train_on_a_task_list_then_eval_and_solve_with_the_same_list() {
    let dir = temp_dir("e2e");
    let list = task_list(&dir, &["training/0d3d703e", "training/3c9b0459"]);
    let config = tiny_config(&dir, &list);
    let run = dir.join("run");
    let out = ok(trm()
        .args(["train", "arc", "--preset", "arc-demo", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&run)
        .output()
        .unwrap());
    let log = stderr(&out);
    assert!(log.contains("7 puzzle identifiers"), "{log}");
    assert!(log.contains("pass@2"), "the quick evaluation reports pass@2: {log}");
    assert!(log.contains("finished 3 steps"), "{log}");

    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("model.json")).unwrap()).unwrap();
    let identifiers: Vec<String> = serde_json::from_value(card["identifiers"].clone()).unwrap();
    assert_eq!(identifiers.len(), 7);
    assert_eq!(identifiers[0], "<blank>");
    assert_eq!((card["size"].as_u64(), card["seq_len"].as_u64()), (Some(10), Some(100)));
    assert!(card["note"].as_str().unwrap().contains("knows these tasks and no others"));

    // `trm eval` reads the same list, finds every task's rows in the card and votes over the versions.
    let model = run.join("model.safetensors");
    let out = ok(trm()
        .args(["eval", "--model"])
        .arg(&model)
        .arg("--set")
        .arg(&list)
        .args(["--augment", "2", "arc"])
        .output()
        .unwrap());
    let e = stderr(&out);
    assert!(!e.contains("never seen"), "every task has its embedding rows: {e}");
    let line = last_json_line(&out);
    assert_eq!(line["domain"], "arc");
    assert_eq!(line["count"], 2);
    assert_eq!(line["rows"], 6, "2 tasks × 3 versions × 1 test input");
    assert_eq!(line["augment"], 2);
    for key in ["pass@1", "pass@2", "exact", "cell"] {
        assert!(line[key].as_f64().is_some_and(|v| (0.0..=1.0).contains(&v)), "{key}: {line}");
    }
    assert_eq!(line["by_step"].as_array().unwrap().len(), 2);
    // The quick evaluation at the last step was the same evaluation.
    let last_eval = &card["training"]["last_eval"];
    assert_eq!(last_eval["exact"], line["pass@1"]);
    assert_eq!(last_eval["pass_at_2"], line["pass@2"]);

    // The same tasks as one collection give the same result.
    let collection = dir.join("two.json");
    let tasks = trm_puzzles::arc::read_task_set(&list).unwrap();
    std::fs::write(&collection, trm_puzzles::arc::tasks_to_json(&tasks)).unwrap();
    let out = ok(trm()
        .args(["eval", "--model"])
        .arg(&model)
        .arg("--set")
        .arg(&collection)
        .args(["--augment", "2", "arc"])
        .output()
        .unwrap());
    let again = last_json_line(&out);
    assert_eq!((&again["pass@2"], &again["cell"]), (&line["pass@2"], &line["cell"]));

    // `trm solve` answers the list's tasks in the ARC Prize layout.
    let out = ok(trm().args(["solve", "--model"]).arg(&model).arg("--file").arg(&list).arg("arc").output().unwrap());
    let submission: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for id in ["0d3d703e", "3c9b0459"] {
        assert!(submission[id][0]["attempt_1"].is_array(), "{id}: {submission}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn dataset_arc_writes_the_official_layout_and_the_compact_file() {
    let dir = temp_dir("dataset");
    let list = task_list(&dir, &["training/0d3d703e", "training/3c9b0459"]);
    let official = dir.join("official");
    let out = ok(trm()
        .args(["dataset", "arc", "--tasks"])
        .arg(&list)
        .args(["--aug", "2", "--canvas", "10", "--out"])
        .arg(&official)
        .output()
        .unwrap());
    let summary = last_json_line(&out);
    assert_eq!((summary["identifiers"].as_u64(), summary["train_examples"].as_u64()), (Some(7), Some(24)));
    let d = trm_puzzles::dataset::Dataset::read_official_dir(&official).unwrap();
    assert_eq!((d.identifiers.len(), d.train.metadata.seq_len, d.test.num_examples()), (7, 100, 6));
    assert!(official.join("test_puzzles.json").is_file());
    let compact = dir.join("two.trmds");
    ok(trm()
        .args(["dataset", "arc", "--tasks"])
        .arg(&list)
        .args(["--aug", "2", "--canvas", "10", "--out"])
        .arg(&compact)
        .output()
        .unwrap());
    let c = trm_puzzles::dataset::Dataset::read_compact_file(&compact).unwrap();
    assert_eq!(c, d, "both outputs hold the same dataset");
    let out = trm().args(["dataset", "sudoku", "--tasks"]).arg(&list).arg("--out").arg(&official).output().unwrap();
    assert!(!out.status.success() && stderr(&out).contains("ARC"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_task_lists_are_clear_errors() {
    let dir = temp_dir("bad");
    let list = task_list(&dir, &["training/0d3d703e", "training/a5313dff"]);
    let config = tiny_config(&dir, &list);
    let train = |name: &str| {
        trm()
            .args(["train", "arc", "--preset", "arc-demo", "--config"])
            .arg(&config)
            .arg("--out")
            .arg(dir.join(name))
            .output()
            .unwrap()
    };
    let cases = [
        (
            "training/0d3d703e\ntraining/a5313dff\n",
            "task \"a5313dff\": train[2].input is 12x12, larger than the 10x10 canvas",
        ),
        ("training/0d3d703e\n\ntraining/nope\n", "list.txt:3: entry `training/nope`: cannot read"),
        ("# nothing here\n", "no tasks"),
    ];
    for (k, (text, expected)) in cases.iter().enumerate() {
        std::fs::write(&list, text).unwrap();
        let out = train(&format!("run{k}"));
        let e = stderr(&out);
        assert!(!out.status.success(), "{text}: succeeded");
        assert!(e.contains(expected), "{text}: {e}");
        assert!(!e.contains("panicked"), "{e}");
        // `trm eval` resolves the list by the same rule and fails the same way on a missing file.
        if k == 1 {
            let out =
                trm().args(["eval", "--model", "nowhere.safetensors", "--set"]).arg(&list).arg("arc").output().unwrap();
            assert!(stderr(&out).contains("entry `training/nope`"), "{}", stderr(&out));
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}
