//! `trm dataset arc`: builds the ARC training data of `data.source: arc` and writes it to disk, in the
//! official layout (for the official PyTorch trainer) or as one compact file (for `trm train --data`).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use trm_train::data::{ArcTasksRecipe, build_arc_tasks};

use crate::solve::Domain;

/// Options of `trm dataset`.
#[derive(Debug, clap::Args)]
pub struct DatasetArgs {
    /// The tasks: a list file of `subset/id` lines (resolved relative to its folder), a directory of
    /// task JSON files, or one task or collection JSON. Every task is a test task: its demonstrations
    /// go to the train split, its test pairs to the test split.
    #[arg(long)]
    pub tasks: PathBuf,
    /// Augmented versions per task beside the original (official: 1000).
    #[arg(long, default_value_t = 0)]
    pub aug: usize,
    /// Canvas side, 1-30 (seq_len = side²); every grid must fit.
    #[arg(long, default_value_t = 30)]
    pub canvas: usize,
    /// Seed of the augmentations and translations.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output: a directory (official layout: identifiers.json, test_puzzles.json, train/ and test/
    /// with dataset.json and .npy files) or a file ending in .trmds (the compact format).
    #[arg(long)]
    pub out: PathBuf,
    /// The puzzle domain (arc).
    pub domain: Domain,
}

/// `trm dataset`.
pub fn run(args: &DatasetArgs) -> Result<()> {
    if args.domain != Domain::Arc {
        bail!("trm dataset builds ARC datasets; Sudoku and maze training generates its puzzles on the fly");
    }
    let recipe = ArcTasksRecipe {
        tasks: args.tasks.clone(),
        num_aug: args.aug,
        canvas: args.canvas,
        seed: args.seed,
        epochs_per_iter: 1,
    };
    let built = build_arc_tasks(&recipe)?;
    let d = &built.dataset;
    let compact = args.out.extension().is_some_and(|x| x == "trmds");
    if compact {
        d.write_compact_file(&args.out).with_context(|| format!("cannot write {}", args.out.display()))?;
    } else {
        if args.out.is_file() {
            bail!("{} is a file; give a directory, or a file name ending in .trmds", args.out.display());
        }
        d.write_official_dir(&args.out).with_context(|| format!("cannot write {}", args.out.display()))?;
    }
    let checksum = d.checksum();
    eprintln!(
        "{} tasks, {} identifiers; train: {} examples in {} versions; test: {} examples; canvas {}x{}; written to {} ({})",
        built.tasks.len(),
        d.identifiers.len(),
        d.train.num_examples(),
        d.train.num_puzzles(),
        d.test.num_examples(),
        args.canvas,
        args.canvas,
        args.out.display(),
        if compact { "compact file" } else { "official layout" }
    );
    let summary = serde_json::json!({
        "out": args.out.display().to_string(),
        "format": if compact { "compact" } else { "official" },
        "tasks": built.tasks.len(),
        "identifiers": d.identifiers.len(),
        "train_examples": d.train.num_examples(),
        "train_puzzles": d.train.num_puzzles(),
        "test_examples": d.test.num_examples(),
        "seq_len": d.train.metadata.seq_len,
        "checksum": format!("{checksum:#010x}"),
    });
    println!("{summary}");
    Ok(())
}
