//! `trm export`: a checkpoint or a run's model in the official layout — safetensors with the official
//! key names, or the zip-pickle `torch.save` writes (loadable by the official code).

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use trm_core::checkpoint::{check_tensors, read_tensors_from, resolve_config, state_dict};
use trm_train::export::{archive_name, official_state_dict, write_pytorch, write_safetensors};

use crate::checkpoint_files::config_hint;

/// Output formats of `trm export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// safetensors with the official keys (`_orig_mod.model.inner.…`).
    Safetensors,
    /// The official `torch.save` zip of the state dict (`step_N` files).
    Pytorch,
}

/// Options of `trm export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// A checkpoint (`.safetensors`, official `.pt` or `step_N`), or a run folder holding one
    /// (`model.safetensors`, else its only `.safetensors`, else the highest `step_N`).
    pub checkpoint: PathBuf,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Output format (default: safetensors for a `.safetensors` name, else pytorch).
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,
    /// Model card JSON or official all_config.yaml (default: `<name>.json` or `all_config.yaml` beside it).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Puzzle tokens per example, when neither a config nor the tensors say it.
    #[arg(long)]
    pub seq_len: Option<usize>,
}

/// The checkpoint file of a path that may be a run folder.
fn source_file(path: &Path) -> Result<PathBuf> {
    if !path.is_dir() {
        if !path.exists() {
            bail!("{} does not exist", path.display());
        }
        return Ok(path.to_path_buf());
    }
    let model = path.join("model.safetensors");
    if model.is_file() {
        return Ok(model);
    }
    let mut safetensors = Vec::new();
    let mut steps = Vec::new();
    for entry in std::fs::read_dir(path).with_context(|| format!("cannot list {}", path.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.path().is_file() {
            continue;
        }
        if name.ends_with(".safetensors") {
            safetensors.push(entry.path());
        } else if let Some(n) = name.strip_prefix("step_").and_then(|n| n.parse::<u64>().ok()) {
            steps.push((n, entry.path()));
        }
    }
    match (safetensors.len(), steps.iter().max_by_key(|(n, _)| *n)) {
        (1, _) => Ok(safetensors.remove(0)),
        (0, Some((_, latest))) => Ok(latest.clone()),
        (0, None) => bail!("{} holds no checkpoint (model.safetensors, *.safetensors or step_N)", path.display()),
        (n, _) => bail!("{} holds {n} .safetensors files; name the one to export", path.display()),
    }
}

/// `trm export`.
pub fn run(args: &ExportArgs) -> Result<()> {
    let source = source_file(&args.checkpoint)?;
    if let (Ok(a), Ok(b)) = (source.canonicalize(), args.out.canonicalize())
        && a == b
    {
        bail!("--out {} is the checkpoint being exported; write to another file", args.out.display());
    }
    let file = std::fs::File::open(&source).with_context(|| format!("cannot open {}", source.display()))?;
    let raw = read_tensors_from(std::io::BufReader::new(file), None)
        .with_context(|| format!("cannot read {}", source.display()))?;
    let tensors = state_dict(raw.clone()).with_context(|| format!("{}", source.display()))?;
    let mut hint = config_hint(&source, args.config.as_deref())?;
    hint.seq_len = args.seq_len;
    // Attention models with rotary positions carry no tensor whose shape depends on the sequence
    // length, so when nothing says it any length resolves the same tensors.
    let config = match resolve_config(&tensors, &hint) {
        Ok(config) => config,
        Err(first) if args.seq_len.is_none() => {
            hint.seq_len = Some(1);
            resolve_config(&tensors, &hint).map_err(|_| first).with_context(|| format!("{}", source.display()))?
        }
        Err(e) => return Err(e).with_context(|| format!("{}", source.display())),
    };
    check_tensors(&config, &tensors).with_context(|| format!("{} is not a complete TRM", source.display()))?;
    let ordered = official_state_dict(&config, raw)?;

    let format = args.format.unwrap_or(if args.out.extension().is_some_and(|e| e == "safetensors") {
        ExportFormat::Safetensors
    } else {
        ExportFormat::Pytorch
    });
    let file_name = args.out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if file_name.is_empty() {
        bail!("--out {} names no file", args.out.display());
    }
    // Written beside the target and renamed, so a failed export leaves no half-written file.
    let partial = args.out.with_file_name(format!("{file_name}.partial"));
    let write = || -> Result<String> {
        match format {
            ExportFormat::Safetensors => {
                write_safetensors(&ordered, &partial)?;
                Ok("safetensors".to_string())
            }
            ExportFormat::Pytorch => {
                let archive = archive_name(&file_name);
                let out = std::fs::File::create(&partial)?;
                write_pytorch(&ordered, &config, &archive, BufWriter::new(out))?;
                Ok(format!("PyTorch zip, folder {archive}/"))
            }
        }
    };
    let described = match write() {
        Ok(d) => d,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e.context(format!("cannot write {}", args.out.display())));
        }
    };
    std::fs::rename(&partial, &args.out).with_context(|| format!("cannot write {}", args.out.display()))?;
    let bytes = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    let mut dtypes: Vec<String> = ordered.iter().map(|(_, t)| format!("{:?}", t.dtype()).to_lowercase()).collect();
    dtypes.sort();
    dtypes.dedup();
    println!(
        "exported {} tensors ({}) from {} to {} ({described}, {bytes} bytes)",
        ordered.len(),
        dtypes.join(", "),
        source.display(),
        args.out.display()
    );
    Ok(())
}
