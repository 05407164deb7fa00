//! `trm train` end to end with the real binary: a clean stop on SIGTERM with a checkpoint, resume,
//! the exported model working with `trm solve`, clear errors for bad configs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn trm() -> Command {
    Command::new(env!("CARGO_BIN_EXE_trm"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trm-cli-train-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A 4×4 config that takes well under a second per step in a debug build.
const TINY: &str = r#"
name: tiny
arch: {hidden_size: 16, num_heads: 2, H_cycles: 1, L_cycles: 1, L_layers: 1, puzzle_emb_ndim: 16, halt_max_steps: 3}
train: {global_batch_size: 8, lr_warmup_steps: 2}
eval: {interval: 0}
checkpoint_interval: 1000
log_interval: 1
threads: 1
"#;

fn log_events(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("log.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[cfg(unix)]
#[test]
fn sigterm_stops_cleanly_with_a_checkpoint_and_the_run_resumes() {
    let tmp = temp_dir("sigterm");
    let config = tmp.join("tiny.yaml");
    std::fs::write(&config, TINY).unwrap();
    let run = tmp.join("run");
    let child = trm()
        .args(["train", "sudoku", "--size", "4", "--steps", "1000000", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&run)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until it has trained a few steps.
    let start = Instant::now();
    while log_events(&run).iter().filter(|e| e["event"] == "train").count() < 3 {
        assert!(start.elapsed() < Duration::from_secs(300), "no training steps logged");
        std::thread::sleep(Duration::from_millis(100));
    }
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) }, 0);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}: {stderr}", out.status);
    assert!(stderr.contains("stopped at step"), "{stderr}");
    assert!(stderr.contains("--resume"), "{stderr}");
    for file in ["trainer.safetensors", "model.safetensors", "model.json", "run.json"] {
        assert!(run.join(file).is_file(), "{file} missing");
    }
    let events = log_events(&run);
    assert_eq!(events.last().unwrap()["event"], "stopped");
    let stopped_at = events.last().unwrap()["step"].as_u64().unwrap();
    assert!(stopped_at >= 3);
    assert!(!run.join("trainer.safetensors.tmp").exists());

    // The exported model answers with `trm solve`.
    let solve = trm()
        .args(["solve", "sudoku", "--quiet", "--model"])
        .arg(run.join("model.safetensors"))
        .arg("1.3..2.12.3..1.4")
        .output()
        .unwrap();
    assert!(solve.status.success(), "{}", String::from_utf8_lossy(&solve.stderr));
    assert_eq!(String::from_utf8_lossy(&solve.stdout).trim().len(), 16);

    // Resume and run two more steps to the (new) end.
    let target = (stopped_at + 2).to_string();
    let resumed = trm().args(["train", "--resume"]).arg(&run).args(["--steps", &target]).output().unwrap();
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert!(resumed.status.success(), "{stderr}");
    assert!(stderr.contains(&format!("finished {target} steps")), "{stderr}");
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("model.json")).unwrap()).unwrap();
    assert_eq!(card["training"]["steps"].as_u64(), Some(stopped_at + 2));
    assert_eq!(card["training"]["sessions"], 2);
    let _ = std::fs::remove_dir_all(tmp);
}

#[test]
fn bad_configs_are_clear_errors() {
    let tmp = temp_dir("bad");
    let cases = [
        ("arch: {hiden_size: 8}", "arch.hiden_size"),
        ("train: [1, 2", "cannot parse the config"),
        ("data: {tiers: {brutal: 1}}", "unknown tier `brutal`"),
        ("train: {global_batch_size: 0}", "global_batch_size must be positive"),
        ("eval: {interval: 5, file: nowhere.txt, solutions: nowhere.txt}", "nowhere.txt"),
    ];
    for (k, (text, expected)) in cases.iter().enumerate() {
        let config = tmp.join(format!("c{k}.yaml"));
        std::fs::write(&config, text).unwrap();
        let out = trm()
            .args(["train", "sudoku", "--size", "4", "--config"])
            .arg(&config)
            .arg("--out")
            .arg(tmp.join(format!("run{k}")))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{text}: succeeded");
        assert!(stderr.contains(expected), "{text}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let out = trm().args(["train", "sudoku", "--preset", "maze11"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("preset maze11 is for maze"));
    let out = trm().args(["train", "--resume"]).arg(tmp.join("none")).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no run"));
    let _ = std::fs::remove_dir_all(tmp);
}

#[test]
fn print_config_and_help_show_the_presets() {
    let out = trm().args(["train", "sudoku", "--size", "6", "--print-config"]).output().unwrap();
    assert!(out.status.success());
    let config: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(config["name"], "sudoku6");
    assert_eq!(config["arch"]["seq_len"], 36);
    assert_eq!(config["data"]["source"], "generate");
    let out = trm().args(["train", "maze", "--size", "15", "--steps", "9", "--print-config"]).output().unwrap();
    let config: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((config["size"].as_u64(), config["train"]["total_steps"].as_u64()), (Some(15), Some(9)));
    let help = trm().args(["train", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&help.stdout);
    for preset in ["sudoku4", "sudoku6", "sudoku9", "maze11", "arc-demo", "--resume"] {
        assert!(text.contains(preset), "{preset} not in help: {text}");
    }
}
