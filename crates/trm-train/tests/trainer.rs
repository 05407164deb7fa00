//! The training loop: bit-for-bit resume, learning on a micro config, run-config parsing.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use trm_train::StateCheckpoint;
use trm_train::trainer::files::{MODEL_FILE, TRAINER_FILE, TrainerMeta, read_trainer, write_trainer};
use trm_train::trainer::{Limits, Outcome, RunConfig, Silent, Trainer, preset};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trm-train-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A 4×4 Sudoku run small enough for debug builds, with everything that carries state switched on:
/// EMA, puzzle embedding (sign-SGD), halting exploration, augmentation, evaluation in between.
fn tiny(total_steps: usize) -> RunConfig {
    let text = format!(
        r#"
name: tiny
arch: {{hidden_size: 16, num_heads: 2, H_cycles: 1, L_cycles: 1, L_layers: 1, puzzle_emb_ndim: 16,
        puzzle_emb_len: 1, halt_max_steps: 3, halt_exploration_prob: 0.5}}
train: {{global_batch_size: 8, total_steps: {total_steps}, lr_warmup_steps: 2, ema_rate: 0.9}}
data: {{augment: 0.5}}
eval: {{interval: 2, count: 8}}
checkpoint_interval: 1000
log_interval: 2
"#
    );
    RunConfig::overlay(&preset("sudoku4").unwrap(), &text).unwrap()
}

fn run(trainer: &mut Trainer, until: Option<usize>) -> Outcome {
    let stop = AtomicBool::new(false);
    trainer.run(&mut Silent, &stop, Limits { until_step: until, time_limit: None }).unwrap()
}

/// Every tensor of a trainer checkpoint, as raw bytes, plus its JSON state without timings.
fn fingerprint(dir: &Path) -> (Vec<(String, Vec<u8>)>, serde_json::Value, serde_json::Value) {
    let (checkpoint, meta) = read_trainer(&dir.join(TRAINER_FILE)).unwrap();
    let tensors = checkpoint
        .tensors
        .iter()
        .map(|(k, t)| {
            let bytes: Vec<u8> = match t.dtype() {
                candle_core::DType::F32 => t
                    .flatten_all()
                    .unwrap()
                    .to_vec1::<f32>()
                    .unwrap()
                    .iter()
                    .flat_map(|v| v.to_bits().to_le_bytes())
                    .collect(),
                _ => t
                    .flatten_all()
                    .unwrap()
                    .to_dtype(candle_core::DType::I64)
                    .unwrap()
                    .to_vec1::<i64>()
                    .unwrap()
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect(),
            };
            (k.clone(), bytes)
        })
        .collect();
    (tensors, serde_json::to_value(&meta.state).unwrap(), meta.source)
}

#[test]
fn six_steps_equal_three_plus_resume_plus_three_bitwise() {
    let straight = temp_dir("straight");
    let mut a = Trainer::create(tiny(6), &straight, "test").unwrap();
    assert_eq!(run(&mut a, None), Outcome::Finished);
    assert_eq!(a.step_count(), 6);
    drop(a);

    let split = temp_dir("split");
    let mut b = Trainer::create(tiny(6), &split, "test").unwrap();
    assert_eq!(run(&mut b, Some(3)), Outcome::Paused);
    assert_eq!(b.step_count(), 3);
    drop(b);
    let mut b = Trainer::resume(&split, None, "test").unwrap();
    assert_eq!(b.step_count(), 3);
    assert_eq!(run(&mut b, None), Outcome::Finished);
    drop(b);

    let (ta, sa, da) = fingerprint(&straight);
    let (tb, sb, db) = fingerprint(&split);
    assert_eq!(ta.len(), tb.len());
    let names: Vec<&str> = ta.iter().map(|(k, _)| k.as_str()).collect();
    for prefix in ["model/", "ema/", "adam.m/", "adam.v/", "carry/y", "carry/halted"] {
        assert!(names.iter().any(|n| n.starts_with(prefix)), "no {prefix} tensor in {names:?}");
    }
    for ((ka, va), (kb, vb)) in ta.iter().zip(&tb) {
        assert_eq!(ka, kb);
        assert!(va == vb, "tensor {ka} differs after resume");
    }
    assert_eq!(sa, sb, "optimizer/RNG state differs");
    assert_eq!(da, db, "data position differs");
    let ma = std::fs::read(straight.join(MODEL_FILE)).unwrap();
    let mb = std::fs::read(split.join(MODEL_FILE)).unwrap();
    assert!(ma == mb, "exported model differs");

    // A different seed really changes the weights (so the comparison above can fail).
    let other = temp_dir("other-seed");
    let mut config = tiny(6);
    config.train.seed = 1;
    let mut c = Trainer::create(config, &other, "test").unwrap();
    run(&mut c, None);
    drop(c);
    let (tc, _, _) = fingerprint(&other);
    assert!(ta.iter().zip(&tc).any(|((_, x), (_, y))| x != y));
    for dir in [straight, split, other] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn the_run_directory_holds_a_usable_model_and_log() {
    let dir = temp_dir("files");
    let mut t = Trainer::create(tiny(4), &dir, "trm train test").unwrap();
    run(&mut t, None);
    drop(t);
    for file in ["run.json", "trainer.safetensors", "model.safetensors", "model.json", "log.jsonl"] {
        assert!(dir.join(file).is_file(), "{file} missing");
    }
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("model.json")).unwrap()).unwrap();
    assert_eq!(card["domain"], "sudoku");
    assert_eq!(card["size"], 4);
    assert_eq!(card["seq_len"], 16);
    assert_eq!(card["vocab_size"], 6);
    assert_eq!(card["arch"]["H_cycles"], 1);
    assert_eq!(card["training"]["steps"], 4);
    assert_eq!(card["training"]["example_steps"], 32);
    assert_eq!(card["training"]["command"], "trm train test");
    assert!(card["training"]["last_eval"]["exact"].is_number());
    // The card and weights load as a model, as `trm solve` loads them.
    let hint = trm_core::ConfigHint {
        model_card: Some(std::fs::read_to_string(dir.join("model.json")).unwrap()),
        ..Default::default()
    };
    let model = trm_core::load_model(&std::fs::read(dir.join("model.safetensors")).unwrap(), &hint).unwrap();
    assert_eq!(model.config().hidden_size, 16);
    let log = std::fs::read_to_string(dir.join("log.jsonl")).unwrap();
    let events: Vec<String> = log
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(events.first().map(String::as_str), Some("start"));
    assert_eq!(events.last().map(String::as_str), Some("finished"));
    for e in ["train", "eval", "checkpoint"] {
        assert!(events.iter().any(|x| x == e), "no {e} event in {events:?}");
    }
    // Resuming a finished run with a later end continues; a zero time limit pauses at once, saved.
    let mut t = Trainer::resume(&dir, Some(6), "test").unwrap();
    let stop = AtomicBool::new(false);
    let limits = Limits { until_step: None, time_limit: Some(std::time::Duration::ZERO) };
    assert_eq!(t.run(&mut Silent, &stop, limits).unwrap(), Outcome::Paused);
    assert_eq!(t.step_count(), 4);
    assert_eq!(run(&mut t, None), Outcome::Finished);
    assert_eq!(t.step_count(), 6);
    // While this trainer holds the directory, no second one may resume it.
    let err = Trainer::resume(&dir, Some(8), "test").err().unwrap().to_string();
    assert!(err.contains("in use by trainer process"), "{err}");
    drop(t);
    // A set stop flag stops before the next step.
    let stop = AtomicBool::new(true);
    let mut t = Trainer::resume(&dir, Some(8), "test").unwrap();
    assert_eq!(t.run(&mut Silent, &stop, Limits::default()).unwrap(), Outcome::Stopped);
    assert_eq!(t.step_count(), 6);
    drop(t);
    // A second run cannot take over the directory.
    let err = Trainer::create(tiny(4), &dir, "test").err().unwrap().to_string();
    assert!(err.contains("--resume"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The micro config learns: the loss of the last steps is clearly below that of the first ones.
#[test]
fn loss_decreases_over_twenty_steps() {
    let text = r#"
arch: {hidden_size: 32, num_heads: 2, H_cycles: 1, L_cycles: 1, L_layers: 1, puzzle_emb_ndim: 32, halt_max_steps: 2}
train: {global_batch_size: 32, total_steps: 20, lr: 0.003, lr_warmup_steps: 1}
eval: {interval: 0}
log_interval: 1
"#;
    let config = RunConfig::overlay(&preset("sudoku4").unwrap(), text).unwrap();
    let dir = temp_dir("learn");
    let mut t = Trainer::create(config, &dir, "test").unwrap();
    let losses: Vec<f64> = (0..20).map(|_| t.step().unwrap().loss).collect();
    drop(t);
    let _ = std::fs::remove_dir_all(dir);
    let first = losses[..4].iter().sum::<f64>() / 4.0;
    let last = losses[16..].iter().sum::<f64>() / 4.0;
    assert!(last < 0.8 * first, "loss {first:.4} → {last:.4}: {losses:?}");
}

#[test]
fn presets_are_valid_and_configs_overlay() {
    for (name, _) in trm_train::trainer::PRESETS {
        let p = preset(name).unwrap();
        p.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(RunConfig::from_text(&p.to_json()).unwrap(), p, "{name} round trip");
    }
    let base = preset("sudoku4").unwrap();
    let c = RunConfig::overlay(&base, "arch: {hidden_size: 32}\ntrain: {lr: 0.01}\n").unwrap();
    assert_eq!((c.arch.hidden_size, c.arch.num_heads, c.train.lr), (32, 4, 0.01));
    assert_eq!(c.arch.puzzle_emb_ndim, 32, "the puzzle embedding follows the hidden size");
    let c = RunConfig::overlay(&base, "arch: {hidden_size: 32, puzzle_emb_ndim: 0}").unwrap();
    assert_eq!(c.arch.puzzle_emb_ndim, 0);
    assert_eq!(c.train.global_batch_size, base.train.global_batch_size);
    // JSON is YAML.
    let c = RunConfig::overlay(&base, r#"{"train": {"total_steps": 7}}"#).unwrap();
    assert_eq!(c.train.total_steps, 7);
    // A tier map given replaces the preset's whole.
    let c = RunConfig::overlay(&base, "data: {tiers: {easy: 1}}").unwrap();
    match &c.data {
        trm_train::trainer::DataConfig::Generate(g) => {
            assert_eq!(g.tiers.keys().collect::<Vec<_>>(), ["easy"]);
            assert_eq!(g.augment, 0.5);
        }
        other => panic!("{other:?}"),
    }
    // Another data source replaces the data section whole.
    let c = RunConfig::overlay(&base, "data: {source: dataset, path: some/dir}").unwrap();
    assert!(matches!(c.data, trm_train::trainer::DataConfig::Dataset(ref d) if d.path == Path::new("some/dir")));

    let err = |text: &str| RunConfig::overlay(&base, text).unwrap_err().to_string();
    assert!(err("arch: {hiden_size: 3}").contains("arch.hiden_size"), "{}", err("arch: {hiden_size: 3}"));
    assert!(err("train: {learning_rate: 3}").contains("train.learning_rate"));
    assert!(err("checkpoint_every: 3").contains("checkpoint_every"));
    assert!(err("train: {global_batch_size: 0}").contains("global_batch_size"));
    assert!(err("arch: {hidden_size: 30, num_heads: 4}").contains("multiple of num_heads"));
    assert!(err("domain: arc").contains("dataset"));
    assert!(err("[1, 2]").contains("mapping"));
    assert!(err("train: {lr: -1}").contains("train.lr"));
    assert!(err("eval: {interval: 5, file: x.txt}").contains("solutions"));
    // Tier names are checked when the data is built.
    let bad_tier = RunConfig::overlay(&base, "data: {tiers: {brutal: 1}}").unwrap();
    let e = Trainer::create(bad_tier, &temp_dir("bad-tier"), "test").err().unwrap().to_string();
    assert!(e.contains("unknown tier `brutal`"), "{e}");
}

/// ARC from a compact dataset built by `trm_puzzles::dataset::arc_dataset`: puzzle identifiers come
/// from the dataset, the card lists their names, the quick evaluation uses the test split.
#[test]
fn arc_trains_from_a_compact_dataset() {
    use trm_puzzles::dataset::{ArcRecipe, ArcSubset, arc_dataset};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/puzzles/arc/training");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    let small = |t: &trm_puzzles::NamedTask| {
        let json: serde_json::Value =
            serde_json::from_str(&trm_puzzles::arc::tasks_to_json(std::slice::from_ref(t))).unwrap();
        let fits = |g: &serde_json::Value| {
            g.as_array().is_some_and(|rows| rows.len() <= 10 && rows.iter().all(|r| r.as_array().unwrap().len() <= 10))
        };
        json.to_string().len() < 4000
            && json.as_object().unwrap().values().all(|task| {
                ["train", "test"].iter().all(|split| {
                    task[split]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|pair| fits(&pair["input"]) && pair.get("output").is_none_or(fits))
                })
            })
    };
    let tasks: Vec<trm_puzzles::NamedTask> = names
        .iter()
        .flat_map(|p| trm_puzzles::arc::parse_tasks(&std::fs::read_to_string(p).unwrap(), "task").unwrap())
        .filter(small)
        .take(3)
        .collect();
    assert_eq!(tasks.len(), 3, "three small training tasks");
    let subsets = [
        ArcSubset { name: "training".into(), tasks: tasks[..2].to_vec(), test_set: false },
        ArcSubset { name: "evaluation".into(), tasks: tasks[2..].to_vec(), test_set: true },
    ];
    let dataset = arc_dataset(&subsets, &ArcRecipe { num_aug: 2, seed: 0, canvas_side: 10 }).unwrap();
    let tmp = temp_dir("arc");
    std::fs::create_dir_all(&tmp).unwrap();
    let file = tmp.join("arc.trmds");
    dataset.write_compact_file(&file).unwrap();
    let text = format!(
        r#"
arch: {{hidden_size: 16, num_heads: 2, H_cycles: 1, L_cycles: 1, L_layers: 1, halt_max_steps: 2}}
train: {{global_batch_size: 4, total_steps: 3}}
data: {{source: dataset, path: {}}}
eval: {{interval: 3, count: 4}}
"#,
        file.display()
    );
    let config = RunConfig::overlay(&preset("arc-demo").unwrap(), &text).unwrap();
    let run_dir = tmp.join("run");
    let mut t = Trainer::create(config, &run_dir, "test").unwrap();
    assert_eq!(t.config().size, 10);
    assert_eq!(t.config().arch.seq_len, 100);
    assert_eq!(t.config().arch.vocab_size, 12);
    assert_eq!(t.config().arch.num_puzzle_identifiers, dataset.identifiers.len());
    assert!(t.eval_set().unwrap().puzzle_ids.iter().all(|&id| id > 0), "test examples use their task's row");
    assert_eq!(run(&mut t, None), Outcome::Finished);
    drop(t);
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("model.json")).unwrap()).unwrap();
    assert_eq!(card["domain"], "arc");
    assert_eq!(card["identifiers"].as_array().unwrap().len(), dataset.identifiers.len());
    assert!(card["training"]["last_eval"]["cell"].is_number());
    let _ = std::fs::remove_dir_all(tmp);
}

/// A damaged run directory is an error on resume, never a panic.
#[test]
fn damaged_checkpoints_are_errors() {
    let dir = temp_dir("damaged");
    let mut t = Trainer::create(tiny(2), &dir, "test").unwrap();
    run(&mut t, None);
    drop(t);
    let good = std::fs::read(dir.join(TRAINER_FILE)).unwrap();
    let damaged: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", good[..good.len() / 2].to_vec()),
        ("garbage", b"not a checkpoint at all".to_vec()),
        ("model only", std::fs::read(dir.join(MODEL_FILE)).unwrap()),
        ("empty", Vec::new()),
    ];
    for (what, bytes) in damaged {
        std::fs::write(dir.join(TRAINER_FILE), &bytes).unwrap();
        let err = Trainer::resume(&dir, None, "test").err().unwrap_or_else(|| panic!("{what}: resumed"));
        assert!(!err.to_string().is_empty(), "{what}");
    }
    // Checkpoints whose parts do not fit together.
    let path = dir.join(TRAINER_FILE);
    type Edit = Box<dyn Fn(&mut StateCheckpoint, &mut TrainerMeta)>;
    let edits: Vec<(&str, Edit)> = vec![
        ("no carry/y", Box::new(|c, _| c.tensors.retain(|(k, _)| k != "carry/y"))),
        ("no adam steps", Box::new(|_, m| m.state.adam_steps.clear())),
        (
            "wrong shape",
            Box::new(|c, _| {
                for (k, t) in &mut c.tensors {
                    if k.starts_with("adam.m/") {
                        *t = t.narrow(0, 0, 1).unwrap();
                    }
                }
            }),
        ),
        (
            "carry past max steps",
            Box::new(|c, _| {
                for (k, t) in &mut c.tensors {
                    if k == "carry/steps" {
                        *t = (t.ones_like().unwrap() * 99.0).unwrap();
                    }
                }
            }),
        ),
        ("extra tensor", Box::new(|c, _| c.tensors.push(("stray".into(), c.tensors[0].1.clone())))),
    ];
    for (what, edit) in edits {
        std::fs::write(&path, &good).unwrap();
        let (mut checkpoint, mut meta) = read_trainer(&path).unwrap();
        edit(&mut checkpoint, &mut meta);
        write_trainer(&path, &checkpoint, &meta).unwrap();
        assert!(Trainer::resume(&dir, None, "test").is_err(), "{what}: resumed");
    }
    std::fs::write(dir.join(TRAINER_FILE), &good).unwrap();
    std::fs::write(dir.join("run.json"), "{\"name\": 3}").unwrap();
    assert!(Trainer::resume(&dir, None, "test").err().unwrap().to_string().contains("run.json"));
    let _ = std::fs::remove_dir_all(dir);
}
