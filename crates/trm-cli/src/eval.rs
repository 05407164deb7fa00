//! `trm eval`: the official evaluation of a model on a puzzle set with known answers.
//!
//! Prints a per-step table, then as the last line one JSON object (`docs/formats.md`): `set`,
//! `count`, `exact`, `cell`, `q_halt_accuracy`, `by_step`, `steps`, `model`, `command`, plus the
//! domain's extras (halting statistics; ARC pass@1/pass@2; `augment` for a vote over versions).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use trm_puzzles::arc::{self, NamedTask};
use trm_puzzles::{Maze, Sudoku, maze};
use trm_train::eval::arc::{arc_rows, canvas_side, evaluate_arc};
use trm_train::eval::{
    EvalOptions, EvalReport, EvalSet, StepMetrics, default_batch_size, evaluate, evaluate_dihedral_vote,
};

use crate::progress::Progress;
use crate::solve::arc::identifiers;
use crate::solve::{Domain, load_model_file, official_defaults};

/// Options of `trm eval`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Model weights: `.safetensors` or an official PyTorch checkpoint.
    #[arg(long)]
    pub model: PathBuf,
    /// Model card JSON or official all_config.yaml (default: `<model>.json` or `all_config.yaml` beside it).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The puzzles: Sudoku one per line, mazes as blank-line-separated blocks; ARC a task or collection
    /// JSON with the test outputs inside, a directory of task files, or a list file of `subset/id`
    /// lines (resolved relative to the list's folder, e.g. assets/puzzles/arc/small.txt).
    #[arg(long)]
    pub set: PathBuf,
    /// The answers, in the set's order (default for Sudoku and mazes: `<set>.solutions.txt` beside
    /// it; for ARC an ARC Prize solutions JSON, needed only when the set lacks test outputs).
    #[arg(long)]
    pub solutions: Option<PathBuf>,
    /// Supervision steps (default: the model's `halt_max_steps`, as the official evaluation runs).
    #[arg(long)]
    pub steps: Option<usize>,
    /// Puzzles run at once (default: 64 for short puzzles, 8 for large canvases).
    #[arg(long)]
    pub batch: Option<usize>,
    /// Evaluate only the first N puzzles (ARC: tasks).
    #[arg(long)]
    pub limit: Option<usize>,
    /// ARC: the official identifiers.json (default: beside the model, else the model card's list).
    #[arg(long)]
    pub identifiers: Option<PathBuf>,
    /// ARC: also run this many augmented versions of each task and vote over them. Mazes: also run
    /// this many of the other 7 symmetries of each maze (rotations, flips, transposes) and vote.
    #[arg(long, default_value_t = 0)]
    pub augment: usize,
    /// ARC: seed for the augmentations drawn when the identifiers list too few.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// ARC: write the ARC Prize submission (after the last step) to this file.
    #[arg(long)]
    pub submission: Option<PathBuf>,
    /// Also record the result in this model card's `accuracy` table (replacing an entry for the same
    /// set and --augment), with the command that produced it. Needs the whole set (no --limit).
    #[arg(long)]
    pub record: Option<PathBuf>,
    /// The puzzle domain.
    pub domain: Domain,
}

/// `trm eval`.
pub fn run(args: &EvalArgs) -> Result<()> {
    if args.limit == Some(0) {
        bail!("--limit must be at least 1");
    }
    if args.record.is_some() && args.limit.is_some() {
        bail!("--record writes a model card's accuracy, which is measured on the whole set: drop --limit");
    }
    match args.domain {
        Domain::Sudoku => run_sudoku(args),
        Domain::Maze => run_maze(args),
        Domain::Arc => run_arc(args),
    }
}

fn read_text(path: &Path, what: &str) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read the {what} {}", path.display()))?;
    String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", path.display()))
}

/// The solutions file: `--solutions`, else `<set>.solutions.txt` beside the set.
fn solutions_path(args: &EvalArgs) -> Result<PathBuf> {
    if let Some(path) = &args.solutions {
        return Ok(path.clone());
    }
    let beside = args.set.with_extension("solutions.txt");
    if !beside.is_file() {
        bail!("no solutions for {}: {} does not exist (give --solutions FILE)", args.set.display(), beside.display());
    }
    Ok(beside)
}

/// Sudoku lines of a file with their line numbers, all of one size.
fn read_sudokus(path: &Path, what: &str) -> Result<Vec<(usize, Sudoku)>> {
    let text = read_text(path, what)?;
    let mut out: Vec<(usize, Sudoku)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let content = line.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let grid = Sudoku::parse(content).map_err(|e| anyhow::anyhow!("{}:{}: {e}", path.display(), n + 1))?;
        if let Some(first) = out.first().map(|(_, s)| s.side()).filter(|&s| s != grid.side()) {
            bail!("{}:{}: a {1}×{1} grid among {first}×{first} ones; one size per set", path.display(), n + 1);
        }
        out.push((n + 1, grid));
    }
    if out.is_empty() {
        bail!("{} holds no Sudoku", path.display());
    }
    Ok(out)
}

/// Mazes of a file with their first line numbers, all of one side.
fn read_mazes(path: &Path, what: &str) -> Result<Vec<(usize, Maze)>> {
    let text = read_text(path, what)?;
    let mut out: Vec<(usize, Maze)> = Vec::new();
    for (k, (line, block)) in Maze::blocks(&text).into_iter().enumerate() {
        let m = Maze::parse(&block).map_err(|e| anyhow::anyhow!("{}:{line}: maze {}: {e}", path.display(), k + 1))?;
        if let Some(first) = out.first().map(|(_, m)| m.side()).filter(|&s| s != m.side()) {
            bail!("{}:{line}: a {1}×{1} maze among {first}×{first} ones; one size per set", path.display(), m.side());
        }
        out.push((line, m));
    }
    if out.is_empty() {
        bail!("{} holds no maze", path.display());
    }
    Ok(out)
}

fn check_counts(args: &EvalArgs, solutions: &Path, puzzles: usize, answers: usize) -> Result<()> {
    if puzzles != answers {
        bail!(
            "{} has {puzzles} puzzles but {} has {answers} solutions; they must pair up line by line",
            args.set.display(),
            solutions.display()
        );
    }
    Ok(())
}

fn options(args: &EvalArgs, model: &trm_core::Trm) -> Result<EvalOptions> {
    let c = model.config();
    let options = EvalOptions {
        steps: args.steps.unwrap_or(c.halt_max_steps),
        batch_size: args.batch.unwrap_or_else(|| default_batch_size(c.seq_len)),
    };
    if options.steps == 0 {
        bail!("--steps must be at least 1");
    }
    if options.batch_size == 0 {
        bail!("--batch must be at least 1");
    }
    Ok(options)
}

fn run_sudoku(args: &EvalArgs) -> Result<()> {
    if args.augment > 0 {
        bail!("--augment votes over versions of ARC tasks and mazes; Sudoku is evaluated as it is");
    }
    let puzzles = read_sudokus(&args.set, "puzzle set")?;
    let solutions_file = solutions_path(args)?;
    let solutions = read_sudokus(&solutions_file, "solutions")?;
    check_counts(args, &solutions_file, puzzles.len(), solutions.len())?;
    for ((line, p), (sline, s)) in puzzles.iter().zip(&solutions) {
        if !p.is_solved_by(s) {
            bail!(
                "{}:{sline}: not a solution of the puzzle at {}:{line} (a solution is a complete valid grid \
                 keeping the puzzle's givens)",
                solutions_file.display(),
                args.set.display()
            );
        }
    }
    let count = args.limit.unwrap_or(usize::MAX).min(puzzles.len());
    let puzzles: Vec<Sudoku> = puzzles.into_iter().take(count).map(|(_, p)| p).collect();
    let solutions: Vec<Sudoku> = solutions.into_iter().take(count).map(|(_, s)| s).collect();
    let side = puzzles[0].side();
    let model = load_model_file(
        &args.model,
        args.config.as_deref(),
        side * side,
        true,
        Sudoku::vocab_size(side),
        official_defaults(3, 6),
    )?;
    let set = EvalSet::sudoku(&puzzles, &solutions)?;
    let report = run_set(args, &model, &set)?;
    let rule = "a valid solution of the puzzle: every row, column and box complete, every given kept";
    finish(args, &report, rule)
}

fn run_maze(args: &EvalArgs) -> Result<()> {
    if args.augment > 7 {
        bail!("a maze has 7 symmetries besides itself: --augment takes 0 to 7, not {}", args.augment);
    }
    let puzzles = read_mazes(&args.set, "puzzle set")?;
    let solutions_file = solutions_path(args)?;
    let solutions = read_mazes(&solutions_file, "solutions")?;
    check_counts(args, &solutions_file, puzzles.len(), solutions.len())?;
    for ((line, p), (sline, s)) in puzzles.iter().zip(&solutions) {
        if let Err(e) = maze::verify_answer(&p.puzzle(), s) {
            bail!(
                "{}:{sline}: not a shortest path through the maze at {}:{line}: {e}",
                solutions_file.display(),
                args.set.display()
            );
        }
    }
    let count = args.limit.unwrap_or(usize::MAX).min(puzzles.len());
    let puzzles: Vec<Maze> = puzzles.into_iter().take(count).map(|(_, p)| p).collect();
    let solutions: Vec<Maze> = solutions.into_iter().take(count).map(|(_, s)| s).collect();
    let side = puzzles[0].side();
    let model = load_model_file(
        &args.model,
        args.config.as_deref(),
        side * side,
        true,
        Maze::vocab_size(),
        official_defaults(3, 4),
    )?;
    let set = EvalSet::maze(&puzzles, &solutions)?;
    let rule = "a shortest path from S to G as the verifier accepts it (any shortest path, not only the label's)";
    if args.augment > 0 {
        return run_maze_vote(args, &model, &set, rule);
    }
    let report = run_set(args, &model, &set)?;
    finish(args, &report, rule)
}

/// `trm eval maze --augment N`: every maze also runs in N of its other symmetries; the answers, turned
/// back, are voted on as the official ARC evaluator votes (most votes, then mean sigmoid(q_halt)).
fn run_maze_vote(args: &EvalArgs, model: &trm_core::Trm, set: &EvalSet, rule: &str) -> Result<()> {
    let options = options(args, model)?;
    let versions = args.augment + 1;
    let progress = Progress::new((set.len() * versions * options.steps) as u64, "evaluating");
    let report = evaluate_dihedral_vote(model, set, versions, &options, |n| progress.advance(n as u64))?;
    progress.finish();
    println!(
        "{} mazes in {versions} versions each (the original, rotated, flipped, transposed), {} supervision steps; \
         the answer is the vote over the versions; exact = {rule}",
        report.count, report.steps
    );
    print_table(&report.by_step);
    let rule = format!(
        "the most frequent answer over {versions} dihedral versions (ties: higher mean sigmoid(q_halt)) is {rule}"
    );
    let line = result_line(args, report.count, &report.by_step, &rule, ("augment", j(json!(args.augment))));
    println!("{line}");
    record(args, &line)
}

fn print_table(by_step: &[StepMetrics]) {
    println!("{:>5}  {:>8}  {:>8}  {:>10}", "step", "exact", "cell", "q_halt acc");
    for s in by_step {
        println!("{:>5}  {:>8.4}  {:>8.4}  {:>10.4}", s.step, s.exact, s.cell, s.q_halt_accuracy);
    }
}

fn by_step_json(by_step: &[StepMetrics]) -> String {
    let steps: Vec<String> = by_step
        .iter()
        .map(|s| {
            object(&[
                ("step", j(json!(s.step))),
                ("exact", j(json!(s.exact))),
                ("cell", j(json!(s.cell))),
                ("q_halt_accuracy", j(json!(s.q_halt_accuracy))),
            ])
        })
        .collect();
    format!("[{}]", steps.join(","))
}

/// The JSON line of a Sudoku or maze evaluation (formats.md), with one field of its kind (`halting`
/// for one pass, `augment` for a vote).
fn result_line(args: &EvalArgs, count: usize, by_step: &[StepMetrics], rule: &str, extra: (&str, String)) -> String {
    let last = by_step.last().expect("at least one step is run");
    object(&[
        ("set", j(json!(args.set.display().to_string()))),
        ("domain", j(json!(domain_name(args.domain)))),
        ("count", j(json!(count))),
        ("exact", j(json!(last.exact))),
        ("cell", j(json!(last.cell))),
        ("q_halt_accuracy", j(json!(last.q_halt_accuracy))),
        ("exact_rule", j(json!(rule))),
        extra,
        ("by_step", by_step_json(by_step)),
        ("steps", j(json!(by_step.len()))),
        ("model", j(json!(args.model.display().to_string()))),
        ("command", j(json!(command_line()))),
    ])
}

fn run_set(args: &EvalArgs, model: &trm_core::Trm, set: &EvalSet) -> Result<EvalReport> {
    let options = options(args, model)?;
    let progress = Progress::new((set.len() * options.steps) as u64, "evaluating");
    let report = evaluate(model, set, &options, |n| progress.advance(n as u64))?;
    progress.finish();
    Ok(report)
}

/// The per-step table and the JSON line of a Sudoku or maze evaluation.
fn finish(args: &EvalArgs, report: &EvalReport, rule: &str) -> Result<()> {
    println!("{} puzzles, {} supervision steps; exact = {rule}", report.count, report.steps);
    print_table(&report.by_step);
    let h = &report.halting;
    println!(
        "stopping at the first q_halt > 0: mean step {:.2}, exact {:.4} ({} of {} puzzles said q_halt > 0 at some step)",
        h.mean_step, h.exact, h.halted, report.count
    );
    let halting = json!({"mean_step": h.mean_step, "exact": h.exact, "halted": h.halted});
    let line = result_line(args, report.count, &report.by_step, rule, ("halting", j(halting)));
    println!("{line}");
    record(args, &line)
}

fn run_arc(args: &EvalArgs) -> Result<()> {
    let mut tasks: Vec<NamedTask> = arc::read_task_set(&args.set).context("cannot read the task set")?;
    if let Some(path) = &args.solutions {
        let text = read_text(path, "solutions")?;
        arc::merge_solutions(&mut tasks, &text).with_context(|| format!("{}", path.display()))?;
    }
    tasks.truncate(args.limit.unwrap_or(usize::MAX));
    if !tasks.iter().any(|t| t.task.test.iter().any(|p| p.output.is_some())) {
        bail!(
            "{} has no test outputs, so there is nothing to score; give the answers with --solutions FILE \
             (an ARC Prize solutions JSON)",
            args.set.display()
        );
    }
    let model = load_model_file(
        &args.model,
        args.config.as_deref(),
        arc::DEFAULT_CANVAS_SIDE.pow(2),
        false,
        arc::VOCAB_SIZE,
        official_defaults(3, 4),
    )?;
    let side = canvas_side(model.config().seq_len)?;
    let ids = identifiers(&args.model, args.identifiers.as_deref(), args.config.as_deref())?;
    if ids.is_none() {
        eprintln!("note: no identifiers for this model: every task runs with the blank embedding row 0");
    }
    let embedding_rows = model.config().num_puzzle_identifiers as u32;
    let built = arc_rows(&tasks, side, args.augment, ids.as_ref(), embedding_rows, args.seed);
    for note in &built.notes {
        eprintln!("note: {note}");
    }
    let options = options(args, &model)?;
    let progress = Progress::new((built.rows.len() * options.steps) as u64, "evaluating");
    let report = evaluate_arc(&model, &tasks, &built.rows, &options, |n| progress.advance(n as u64))?;
    progress.finish();
    if let Some(path) = &args.submission {
        std::fs::write(path, report.submission.to_json() + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
    }

    println!(
        "{} tasks, {} rows ({} versions of each test input, {} with an output on the canvas), {} supervision steps",
        report.tasks,
        report.rows,
        args.augment + 1,
        report.labelled_rows,
        report.steps
    );
    println!(
        "{:>5}  {:>8}  {:>8}  {:>8}  {:>9}  {:>10}",
        "step", "pass@1", "pass@2", "cell", "row exact", "q_halt acc"
    );
    for s in &report.by_step {
        println!(
            "{:>5}  {:>8.4}  {:>8.4}  {:>8.4}  {:>9.4}  {:>10.4}",
            s.step, s.pass_at_1, s.pass_at_2, s.cell, s.row_exact, s.q_halt_accuracy
        );
    }
    let last = report.last();
    let by_step: Vec<String> = report
        .by_step
        .iter()
        .map(|s| {
            object(&[
                ("step", j(json!(s.step))),
                ("exact", j(json!(s.pass_at_1))),
                ("pass@1", j(json!(s.pass_at_1))),
                ("pass@2", j(json!(s.pass_at_2))),
                ("cell", j(json!(s.cell))),
                ("row_exact", j(json!(s.row_exact))),
                ("q_halt_accuracy", j(json!(s.q_halt_accuracy))),
            ])
        })
        .collect();
    let line = object(&[
        ("set", j(json!(args.set.display().to_string()))),
        ("domain", j(json!("arc"))),
        ("count", j(json!(report.tasks))),
        ("exact", j(json!(last.pass_at_1))),
        ("pass@1", j(json!(last.pass_at_1))),
        ("pass@2", j(json!(last.pass_at_2))),
        ("cell", j(json!(last.cell))),
        ("row_exact", j(json!(last.row_exact))),
        ("q_halt_accuracy", j(json!(last.q_halt_accuracy))),
        (
            "exact_rule",
            j(json!(
                "pass@1 of the official vote over the versions (votes, then mean sigmoid(q_halt)): mean over \
                 tasks of the share of their test pairs whose top-ranked grid is right"
            )),
        ),
        ("rows", j(json!(report.rows))),
        ("labelled_rows", j(json!(report.labelled_rows))),
        ("augment", j(json!(args.augment))),
        ("by_step", format!("[{}]", by_step.join(","))),
        ("steps", j(json!(report.steps))),
        ("model", j(json!(args.model.display().to_string()))),
        ("command", j(json!(command_line()))),
    ]);
    println!("{line}");
    record(args, &line)
}

/// With `--record CARD`: puts this evaluation into the card's `accuracy` table (formats.md: `set`,
/// `count`, `exact`, `cell`, `by_step` as exact accuracy per step, `command`, plus q_halt accuracy and
/// ARC's pass@2, and `augment` for a vote over versions), replacing an earlier entry for the same set
/// and the same `--augment` (a maze card keeps its plain and its voted figure side by side). The card
/// is rewritten atomically.
fn record(args: &EvalArgs, line: &str) -> Result<()> {
    let Some(path) = &args.record else { return Ok(()) };
    let result: Value = serde_json::from_str(line).context("the result line is not JSON")?;
    let mut card: Value = serde_json::from_str(&read_text(path, "model card")?)
        .with_context(|| format!("{} is not a JSON model card", path.display()))?;
    let Some(fields) = card.as_object_mut() else { bail!("{} is not a JSON object", path.display()) };
    let by_step: Vec<Value> = result["by_step"]
        .as_array()
        .map(|steps| steps.iter().map(|s| s["exact"].clone()).collect())
        .unwrap_or_default();
    let mut entry = json!({
        "set": result["set"],
        "count": result["count"],
        "exact": result["exact"],
        "cell": result["cell"],
        "q_halt_accuracy": result["q_halt_accuracy"],
        "by_step": by_step,
        "command": result["command"],
    });
    if let Some(pass_at_2) = result.get("pass@2") {
        entry["pass@2"] = pass_at_2.clone();
    }
    if let Some(augment) = result.get("augment") {
        entry["augment"] = augment.clone();
    }
    let table = fields.entry("accuracy").or_insert_with(|| json!([]));
    let Some(entries) = table.as_array_mut() else { bail!("{}: `accuracy` is not a list", path.display()) };
    entries.retain(|e| e["set"] != entry["set"] || e.get("augment") != entry.get("augment"));
    entries.push(entry);
    let text = serde_json::to_string_pretty(&card)? + "\n";
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    eprintln!("recorded in {}", path.display());
    Ok(())
}

/// A JSON object with its fields in the given order; the values are JSON texts.
fn object(fields: &[(&str, String)]) -> String {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{}:{v}", Value::from(*k))).collect();
    format!("{{{}}}", body.join(","))
}

/// A value as JSON text.
fn j(value: Value) -> String {
    value.to_string()
}

fn domain_name(domain: Domain) -> &'static str {
    match domain {
        Domain::Sudoku => "sudoku",
        Domain::Maze => "maze",
        Domain::Arc => "arc",
    }
}

/// This invocation as a shell command line, starting with `trm`.
pub(crate) fn command_line() -> String {
    let quote = |arg: String| {
        let plain = !arg.is_empty() && arg.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
        if plain { arg } else { format!("'{}'", arg.replace('\'', r"'\''")) }
    };
    std::iter::once("trm".to_string()).chain(std::env::args().skip(1).map(quote)).collect::<Vec<_>>().join(" ")
}
