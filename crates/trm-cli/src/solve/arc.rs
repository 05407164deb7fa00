//! `trm solve arc`: ARC tasks, answered in the ARC Prize submission layout with pass@2 voting.
//!
//! Every test input runs once as given and, with `--augment N`, in N augmented versions; each
//! prediction is cropped, de-augmented and voted on as the official evaluator does, and the two
//! best-ranked grids become `attempt_1` and `attempt_2`.

use anyhow::{Context, Result, bail};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use trm_puzzles::arc::{self, Augmentation, Identifiers, NamedTask, PredictionRow, Voter};

use super::{SolveArgs, batch_size, load, official_defaults, run_rows};
use crate::progress::Progress;

/// One row to run: which task version, its embedding row and its input canvas.
struct Row {
    name: String,
    embedding_row: u32,
    canvas: Vec<u8>,
}

/// The identifiers that go with the model: `--identifiers`, else `identifiers.json` beside it, else
/// the model card's `identifiers` list.
fn identifiers(args: &SolveArgs) -> Result<Option<Identifiers>> {
    let beside = args.model.parent().map(|d| d.join("identifiers.json"));
    let path = args.identifiers.clone().or(beside.filter(|p| p.is_file()));
    if let Some(path) = path {
        let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        return Ok(Some(Identifiers::from_json_bytes(&bytes).with_context(|| format!("{}", path.display()))?));
    }
    let card_path = args.config.clone().unwrap_or_else(|| args.model.with_extension("json"));
    let Ok(text) = std::fs::read_to_string(&card_path) else { return Ok(None) };
    let Ok(card) = serde_json::from_str::<serde_json::Value>(&text) else { return Ok(None) };
    match card.get("identifiers") {
        Some(list) => Ok(Some(
            Identifiers::from_json(&list.to_string())
                .with_context(|| format!("identifiers in {}", card_path.display()))?,
        )),
        None => Ok(None),
    }
}

/// The augmentations to run for task `id`: the identity, then up to `count` versions the model
/// was trained on (from its identifiers), then random ones.
fn versions(id: &str, count: usize, ids: Option<&Identifiers>, rng: &mut ChaCha8Rng) -> Vec<Augmentation> {
    let mut out = vec![Augmentation::IDENTITY];
    if let Some(ids) = ids {
        for name in ids.names() {
            if out.len() > count {
                break;
            }
            if let Ok((base, aug)) = arc::parse_name(name)
                && base == id
                && !out.contains(&aug)
            {
                out.push(aug);
            }
        }
    }
    let mut attempts = 0;
    while out.len() <= count && attempts < 100 * (count + 1) {
        attempts += 1;
        let aug = Augmentation::random(rng);
        if !out.contains(&aug) {
            out.push(aug);
        }
    }
    out
}

/// `trm solve arc`.
pub fn run(args: &SolveArgs) -> Result<()> {
    let Some(path) = &args.file else { bail!("give the ARC task file with --file PATH") };
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "task".into());
    let tasks: Vec<NamedTask> = arc::parse_tasks_bytes(&bytes, &stem).with_context(|| format!("{}", path.display()))?;
    let model = load(args, arc::DEFAULT_CANVAS_SIDE.pow(2), false, arc::VOCAB_SIZE, official_defaults(3, 4))?;
    let seq_len = model.config().seq_len;
    let side = (1..=arc::MAX_SIDE).find(|s| s * s == seq_len).with_context(|| {
        format!("the model's {seq_len} cells are not a square canvas of side 1-30, so it is not an ARC model")
    })?;
    let ids = identifiers(args)?;
    let embedding_rows = model.config().num_puzzle_identifiers as u32;
    if ids.is_none() {
        eprintln!("note: no identifiers for this model: every task runs with the blank embedding row 0");
    }

    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let mut rows = Vec::new();
    for named in &tasks {
        let augs = versions(&named.name, args.augment, ids.as_ref(), &mut rng);
        let mut seen = false;
        for aug in &augs {
            let name = arc::format_name(&named.name, aug);
            let row = ids.as_ref().map(|i| i.lookup(&name)).filter(|r| r.row < embedding_rows);
            seen |= row.is_some_and(|r| r.seen);
            for (k, pair) in named.task.test.iter().enumerate() {
                match arc::encode_grid(&aug.apply(&pair.input), side, (0, 0)) {
                    Ok(canvas) => {
                        rows.push(Row { name: name.clone(), embedding_row: row.map_or(0, |r| r.row), canvas })
                    }
                    Err(e) => eprintln!("note: task {} test {}: {e}; no prediction", named.name, k + 1),
                }
            }
        }
        if ids.is_some() && !seen {
            eprintln!("note: the model has never seen task {} (no embedding row): it runs with row 0", named.name);
        }
    }

    let mut voter = Voter::new(side)?;
    let progress = Progress::new(rows.len() as u64, "solving");
    for batch in rows.chunks(batch_size(seq_len)) {
        let tokens: Vec<Vec<u32>> = batch.iter().map(|r| r.canvas.iter().map(|&t| u32::from(t)).collect()).collect();
        let puzzle_rows: Vec<u32> = batch.iter().map(|r| r.embedding_row).collect();
        let answers = run_rows(&model, &tokens, &puzzle_rows, args, |_, _, _| {})?;
        for (k, row) in batch.iter().enumerate() {
            // Tokens come from a 12-token vocabulary, so they fit a byte.
            let prediction: Vec<u8> = answers.tokens[k].iter().map(|&t| t.min(255) as u8).collect();
            voter.add(&PredictionRow {
                puzzle_name: &row.name,
                input: &row.canvas,
                prediction: &prediction,
                q_halt_logit: f64::from(answers.q_halt[k]),
            })?;
            progress.inc();
        }
    }
    progress.finish();

    println!("{}", voter.submission(&tasks).to_json());
    let scored = tasks.iter().any(|t| t.task.test.iter().any(|p| p.output.is_some()));
    if scored {
        let evaluation = voter.evaluate(&tasks, &[1, 2]);
        eprintln!(
            "pass@1 {:.3}, pass@2 {:.3} over {} tasks ({} versions each)",
            evaluation.pass_at_k(1).unwrap_or(0.0),
            evaluation.pass_at_k(2).unwrap_or(0.0),
            evaluation.puzzles,
            args.augment + 1
        );
    }
    Ok(())
}
