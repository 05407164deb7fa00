//! `trm solve arc`: ARC tasks, answered in the ARC Prize submission layout with pass@2 voting.
//!
//! Every test input runs once as given and, with `--augment N`, in N augmented versions; each
//! prediction is cropped, de-augmented and voted on as the official evaluator does, and the two
//! best-ranked grids become `attempt_1` and `attempt_2`.

use std::path::Path;

use anyhow::{Context, Result, bail};
use trm_puzzles::arc::{self, Identifiers, NamedTask, PredictionRow, Voter};
use trm_train::eval::arc::{arc_rows, canvas_side};

use super::{SolveArgs, batch_size, load, official_defaults, run_rows};
use crate::progress::Progress;

/// The identifiers that go with a model: `explicit`, else `identifiers.json` beside the model, else
/// the model card's `identifiers` list (the card is `card`, or `<model>.json`).
pub(crate) fn identifiers(model: &Path, explicit: Option<&Path>, card: Option<&Path>) -> Result<Option<Identifiers>> {
    let beside = model.parent().map(|d| d.join("identifiers.json"));
    let path = explicit.map(Path::to_path_buf).or(beside.filter(|p| p.is_file()));
    if let Some(path) = path {
        let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        return Ok(Some(Identifiers::from_json_bytes(&bytes).with_context(|| format!("{}", path.display()))?));
    }
    let card_path = card.map(Path::to_path_buf).unwrap_or_else(|| model.with_extension("json"));
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

/// `trm solve arc`.
pub fn run(args: &SolveArgs) -> Result<()> {
    let Some(path) = &args.file else { bail!("give the ARC task file with --file PATH") };
    let tasks: Vec<NamedTask> = arc::read_task_set(path).context("cannot read the tasks")?;
    let model = load(args, arc::DEFAULT_CANVAS_SIDE.pow(2), false, arc::VOCAB_SIZE, official_defaults(3, 4))?;
    let seq_len = model.config().seq_len;
    let side = canvas_side(seq_len)?;
    let ids = identifiers(&args.model, args.identifiers.as_deref(), args.config.as_deref())?;
    let embedding_rows = model.config().num_puzzle_identifiers as u32;
    if ids.is_none() {
        eprintln!("note: no identifiers for this model: every task runs with the blank embedding row 0");
    }
    let built = arc_rows(&tasks, side, args.augment, ids.as_ref(), embedding_rows, args.seed);
    for note in &built.notes {
        eprintln!("note: {note}");
    }
    let rows = built.rows;

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
