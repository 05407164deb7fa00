//! `trm convert`: rewrite a checkpoint as safetensors, optionally keeping only some puzzle-embedding
//! rows (official ARC checkpoints carry ~876 K rows, 1.8 GB; the browser needs a handful).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use trm_core::checkpoint::{read_state_dict, read_tensors_from, resolve_config, strip_prefixes};

use crate::checkpoint_files::config_hint;

/// The blank row every official table starts with; kept first so unseen tasks still run.
const BLANK: &str = "<blank>";

/// Options of `trm convert`.
#[derive(Debug, clap::Args)]
pub struct ConvertArgs {
    /// A `.safetensors` file or an official PyTorch checkpoint (`.pt`, `step_N`).
    pub input: PathBuf,
    /// Where to write the safetensors file; a model card `<out>.json` is written beside it.
    #[arg(long)]
    pub out: PathBuf,
    /// Model card JSON or official all_config.yaml (default: beside the input).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Puzzle tokens per example, when no config gives it (e.g. 900 for ARC).
    #[arg(long)]
    pub seq_len: Option<usize>,
    /// Keep only these puzzle-embedding rows (row 0, the blank, is always kept first).
    #[arg(long, value_delimiter = ',', conflicts_with = "tasks")]
    pub rows: Vec<usize>,
    /// Keep only the rows of these ARC tasks and all their augmentations (needs --identifiers).
    #[arg(long, value_delimiter = ',', requires = "identifiers")]
    pub tasks: Vec<String>,
    /// The official identifiers.json (row → name) that goes with the checkpoint.
    #[arg(long)]
    pub identifiers: Option<PathBuf>,
}

/// Rows of the puzzle-embedding table to keep, and their names when identifiers were given.
struct Selection {
    rows: Vec<usize>,
    names: Option<Vec<String>>,
}

/// The rows to keep, blank first, each once, in table order; `None` keeps the whole table. Rows past
/// the end of the table are reported by the reader, which knows its size.
fn select_rows(args: &ConvertArgs) -> Result<Option<Selection>> {
    let names: Option<Vec<String>> = match &args.identifiers {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            Some(
                serde_json::from_str(&text)
                    .with_context(|| format!("{} is not a JSON list of names", path.display()))?,
            )
        }
        None => None,
    };
    let mut rows: Vec<usize> = if !args.tasks.is_empty() {
        let names = names.as_ref().expect("clap requires --identifiers with --tasks");
        let mut rows = Vec::new();
        for task in &args.tasks {
            let prefix = format!("{task}|||");
            let found: Vec<usize> =
                (0..names.len()).filter(|&i| names[i] == *task || names[i].starts_with(&prefix)).collect();
            if found.is_empty() {
                bail!(
                    "task {task} has no row in {}",
                    args.identifiers.as_ref().map(|p| p.display().to_string()).unwrap_or_default()
                );
            }
            rows.extend(found);
        }
        rows
    } else if !args.rows.is_empty() {
        args.rows.clone()
    } else {
        return Ok(None);
    };
    rows.push(0);
    rows.sort_unstable();
    rows.dedup();
    let names = names.map(|n| rows.iter().map(|&r| if r == 0 { BLANK.to_string() } else { n[r].clone() }).collect());
    Ok(Some(Selection { rows, names }))
}

/// `trm convert`. The input is read by seeking, so only the selected puzzle-embedding rows of a
/// large table are ever loaded.
pub fn run(args: &ConvertArgs) -> Result<()> {
    let selection = select_rows(args)?;
    let file = std::fs::File::open(&args.input).with_context(|| format!("cannot open {}", args.input.display()))?;
    let rows = selection.as_ref().map(|s| s.rows.as_slice());
    let mut tensors = read_tensors_from(std::io::BufReader::new(file), rows)
        .with_context(|| format!("cannot read {}", args.input.display()))?;
    let has_table = tensors.iter().any(|(k, _)| strip_prefixes(k) == "puzzle_emb.weights");
    let kept_names = match selection {
        Some(_) if !has_table => bail!("the checkpoint has no puzzle-embedding table to select rows from"),
        Some(Selection { rows, names }) => {
            eprintln!("kept {} puzzle-embedding rows", rows.len());
            names
        }
        None => None,
    };
    tensors.sort_by(|a, b| a.0.cmp(&b.0));
    let data = safetensors::serialize(tensors.iter().map(|(k, t)| (k.clone(), t)), None)?;
    std::fs::write(&args.out, &data).with_context(|| format!("cannot write {}", args.out.display()))?;

    // The card: the resolved config when it can be resolved, the kept identifiers, the source.
    let mut hint = config_hint(&args.input, args.config.as_deref())?;
    hint.seq_len = args.seq_len;
    let state = read_state_dict(&data)?;
    let mut card = serde_json::json!({
        "name": args.out.file_stem().map(|s| s.to_string_lossy().into_owned()),
        "converted_from": args.input.file_name().map(|s| s.to_string_lossy().into_owned()),
    });
    match resolve_config(&state, &hint) {
        Ok(config) => {
            card["seq_len"] = config.seq_len.into();
            card["vocab_size"] = config.vocab_size.into();
            card["arch"] = serde_json::to_value(&config)?;
        }
        Err(e) => eprintln!("note: the card has no config ({e}); give --config or --seq-len to include it"),
    }
    if let Some(names) = kept_names {
        card["identifiers"] = names.into();
    }
    let card_path = card_path(&args.out);
    std::fs::write(&card_path, serde_json::to_string_pretty(&card)?)
        .with_context(|| format!("cannot write {}", card_path.display()))?;
    println!("wrote {} ({} bytes) and {}", args.out.display(), data.len(), card_path.display());
    Ok(())
}

fn card_path(out: &Path) -> PathBuf {
    out.with_extension("json")
}
