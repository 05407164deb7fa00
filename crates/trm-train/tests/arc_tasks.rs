//! `data.source: arc`: ARC task files built into a dataset when the run starts, trained with puzzle
//! embeddings, evaluated by voting, resumed bit for bit; bad task lists are clear errors.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use trm_train::data::{ArcTasksRecipe, build_arc_tasks};
use trm_train::trainer::files::{MODEL_FILE, TRAINER_FILE, read_trainer};
use trm_train::trainer::{DataConfig, Limits, Outcome, RunConfig, Silent, Trainer, preset};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trm-train-arc-tasks-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn bundled(entry: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/puzzles/arc").join(format!("{entry}.json"))
}

/// A folder with a `list.txt` of the given bundled entries, copied under the same relative paths.
fn task_list(name: &str, entries: &[&str]) -> (PathBuf, PathBuf) {
    let dir = temp_dir(name);
    for entry in entries {
        let to = dir.join(format!("{entry}.json"));
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(bundled(entry), &to).unwrap();
    }
    let list = dir.join("list.txt");
    std::fs::write(&list, format!("# two small tasks\n{}\n", entries.join("\n"))).unwrap();
    (dir, list)
}

const TWO: [&str; 2] = ["training/0d3d703e", "training/3c9b0459"];

/// The arc-demo preset on `list` with a model small enough for debug builds.
fn tiny(list: &Path, total_steps: usize) -> RunConfig {
    let text = format!(
        r#"
arch: {{hidden_size: 16, num_heads: 2, H_cycles: 1, L_cycles: 1, L_layers: 1, puzzle_emb_len: 2, halt_max_steps: 2}}
train: {{global_batch_size: 4, total_steps: {total_steps}, lr_warmup_steps: 2}}
data: {{tasks: {}, num_aug: 2, epochs_per_iter: 2}}
eval: {{interval: 2, augment: 2}}
checkpoint_interval: 1000
log_interval: 1
"#,
        list.display()
    );
    RunConfig::overlay(&preset("arc-demo").unwrap(), &text).unwrap()
}

fn run(trainer: &mut Trainer, until: Option<usize>) -> Outcome {
    let stop = AtomicBool::new(false);
    trainer.run(&mut Silent, &stop, Limits { until_step: until, time_limit: None }).unwrap()
}

#[test]
fn the_source_builds_every_version_of_two_tasks() {
    let (dir, list) = task_list("counts", &TWO);
    let recipe = ArcTasksRecipe { tasks: list, num_aug: 2, canvas: 10, seed: 0, epochs_per_iter: 1 };
    let built = build_arc_tasks(&recipe).unwrap();
    let names: Vec<&str> = built.tasks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["0d3d703e", "3c9b0459"]);
    let d = &built.dataset;
    // <blank> + 2 tasks × (original + 2 augmentations).
    assert_eq!(d.identifiers.len(), 7);
    assert_eq!(d.identifiers[0], "<blank>");
    for name in names {
        assert_eq!(d.identifiers.iter().filter(|n| n.split("|||").next() == Some(name)).count(), 3, "{name}");
    }
    // Train: 4 demonstrations per version; test: the one test pair per version.
    assert_eq!((d.train.num_groups(), d.train.num_puzzles(), d.train.num_examples()), (2, 6, 24));
    assert_eq!((d.test.num_groups(), d.test.num_puzzles(), d.test.num_examples()), (2, 6, 6));
    let m = &d.train.metadata;
    assert_eq!((m.seq_len, m.vocab_size, m.num_puzzle_identifiers), (100, 12, 7));
    // Deterministic from the seed; another seed draws other versions.
    let again = build_arc_tasks(&recipe).unwrap();
    assert_eq!(again.dataset.checksum(), d.checksum());
    let other = build_arc_tasks(&ArcTasksRecipe { seed: 1, ..recipe.clone() }).unwrap();
    assert_ne!(other.dataset.checksum(), d.checksum());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_run_on_task_files_trains_evaluates_and_resumes_bit_for_bit() {
    let (dir, list) = task_list("run", &TWO);
    let straight = dir.join("straight");
    let mut a = Trainer::create(tiny(&list, 4), &straight, "test").unwrap();
    let c = a.config();
    assert_eq!((c.size, c.arch.seq_len, c.arch.vocab_size, c.arch.num_puzzle_identifiers), (10, 100, 12, 7));
    let eval = a.arc_eval_set().expect("the voting evaluation");
    // 2 tasks × (original + 2 trained versions) × 1 test pair, each with its own embedding row.
    assert_eq!(eval.rows.len(), 6);
    assert!(eval.rows.iter().all(|r| r.embedding_row > 0), "test inputs use their version's row");
    assert!(a.eval_set().is_none());
    assert_eq!(run(&mut a, None), Outcome::Finished);
    drop(a);

    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(straight.join("model.json")).unwrap()).unwrap();
    assert_eq!(card["domain"], "arc");
    assert_eq!(card["size"], 10);
    assert_eq!(card["identifiers"].as_array().unwrap().len(), 7);
    assert_eq!(card["training"]["tasks"], serde_json::json!(["0d3d703e", "3c9b0459"]));
    assert!(card["note"].as_str().unwrap().contains("2 ARC tasks only"), "{}", card["note"]);
    let last = &card["training"]["last_eval"];
    assert!(last["pass_at_2"].is_number() && last["exact"].is_number() && last["cell"].is_number(), "{last}");
    assert_eq!(last["count"], 2);

    let split = dir.join("split");
    let mut b = Trainer::create(tiny(&list, 4), &split, "test").unwrap();
    assert_eq!(run(&mut b, Some(2)), Outcome::Paused);
    drop(b);
    let mut b = Trainer::resume(&split, None, "test").unwrap();
    assert_eq!(run(&mut b, None), Outcome::Finished);
    drop(b);
    let (ca, ma) = read_trainer(&straight.join(TRAINER_FILE)).unwrap();
    let (cb, mb) = read_trainer(&split.join(TRAINER_FILE)).unwrap();
    assert_eq!(ma.source, mb.source, "data position differs");
    assert!(ma.source["fingerprint"].is_number(), "{}", ma.source);
    assert_eq!(serde_json::to_value(&ma.state).unwrap(), serde_json::to_value(&mb.state).unwrap());
    assert_eq!(ca.tensors.len(), cb.tensors.len());
    for ((k, t), (kb, u)) in ca.tensors.iter().zip(&cb.tensors) {
        assert_eq!(k, kb);
        let (x, y) = (t.flatten_all().unwrap(), u.flatten_all().unwrap());
        let same = match t.dtype() {
            candle_core::DType::F32 => {
                let (x, y) = (x.to_vec1::<f32>().unwrap(), y.to_vec1::<f32>().unwrap());
                x.iter().map(|v| v.to_bits()).eq(y.iter().map(|v| v.to_bits()))
            }
            _ => {
                let to =
                    |t: candle_core::Tensor| t.to_dtype(candle_core::DType::I64).unwrap().to_vec1::<i64>().unwrap();
                to(x) == to(y)
            }
        };
        assert!(same, "tensor {k} differs after resume");
    }
    assert!(
        std::fs::read(straight.join(MODEL_FILE)).unwrap() == std::fs::read(split.join(MODEL_FILE)).unwrap(),
        "exported model differs"
    );

    // Changed task files cannot continue the run as if nothing happened.
    let file = dir.join("training/0d3d703e.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let changed = text.replacen("[[4,5,6],[4,5,6],[4,5,6]]", "[[4,5,6],[4,5,6],[4,5,7]]", 1);
    assert_ne!(changed, text, "the edit must change the file");
    std::fs::write(&file, changed).unwrap();
    let err = Trainer::resume(&split, Some(6), "test").err().expect("resumed with other data").to_string();
    assert!(err.contains("differs from the data the run started with"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_task_lists_are_clear_errors() {
    let (dir, list) = task_list("bad", &TWO);
    let create = |config: RunConfig, name: &str| {
        Trainer::create(config, &dir.join(name), "test").err().map(|e| e.to_string()).unwrap_or_default()
    };
    std::fs::write(&list, "training/0d3d703e\ntraining/missing\n").unwrap();
    let e = create(tiny(&list, 2), "missing");
    assert!(e.contains("list.txt:2: entry `training/missing`: cannot read"), "{e}");

    let big = dir.join("training/a5313dff.json");
    std::fs::copy(bundled("training/a5313dff"), &big).unwrap();
    std::fs::write(&list, "training/0d3d703e\ntraining/a5313dff\n").unwrap();
    let e = create(tiny(&list, 2), "big");
    assert!(e.contains("task \"a5313dff\"") && e.contains("larger than the 10x10 canvas"), "{e}");

    std::fs::write(&list, "training/0d3d703e\n").unwrap();
    let mut small_canvas = tiny(&list, 2);
    if let DataConfig::Arc(recipe) = &mut small_canvas.data {
        recipe.canvas = 2;
    }
    let e = create(small_canvas, "canvas");
    assert!(e.contains("3x3, larger than the 2x2 canvas"), "{e}");

    std::fs::write(dir.join("training/broken.json"), "{\"train\": [{\"input\": [[1]]}]}").unwrap();
    std::fs::write(&list, "training/broken\n").unwrap();
    let e = create(tiny(&list, 2), "broken");
    assert!(e.contains("broken.json") && e.contains("output"), "{e}");

    let base = preset("arc-demo").unwrap();
    let err = |text: &str| RunConfig::overlay(&base, text).unwrap_err().to_string();
    assert!(err("data: {canvas: 31}").contains("data.canvas must be 1-30"));
    assert!(err("data: {tasks: ''}").contains("data.tasks is empty"));
    assert!(err("domain: sudoku").contains("data.source: arc is for the arc domain"));
    assert!(err("data: {num_aug: 2, nmu_aug: 3}").contains("nmu_aug"));
    let _ = std::fs::remove_dir_all(dir);
}
