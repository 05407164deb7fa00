//! `trm info` and `trm parity`: reading checkpoint files and their companions from disk.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use std::io::Read;

use trm_core::checkpoint::{ConfigHint, read_tensors_from, resolve_config, sniff, state_dict};
use trm_core::parity::{Recording, compare};

/// Weights files a parity folder may hold, in the order they are checked.
const PARITY_WEIGHTS: [&str; 2] = ["weights.safetensors", "checkpoint.pt"];

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// The config beside a checkpoint: an explicit file, else `<stem>.json`, else `all_config.yaml`.
pub(crate) fn config_hint(checkpoint: &Path, explicit: Option<&Path>) -> Result<ConfigHint> {
    let mut hint = ConfigHint::default();
    let candidates: Vec<PathBuf> = match explicit {
        Some(p) => vec![p.to_path_buf()],
        None => {
            let dir = checkpoint.parent().unwrap_or(Path::new("."));
            let card = checkpoint.with_extension("json");
            vec![card, dir.join("all_config.yaml")]
        }
    };
    for path in candidates {
        if !path.is_file() {
            if explicit.is_some() {
                bail!("config file {} does not exist", path.display());
            }
            continue;
        }
        let text = String::from_utf8(read(&path)?).with_context(|| format!("{} is not UTF-8 text", path.display()))?;
        if text.trim_start().starts_with('{') {
            hint.model_card = Some(text);
        } else {
            hint.all_config_yaml = Some(text);
        }
        break;
    }
    Ok(hint)
}

/// `trm info`.
pub fn info(checkpoint: &Path, config: Option<&Path>, seq_len: Option<usize>) -> Result<()> {
    let open = || std::fs::File::open(checkpoint).with_context(|| format!("cannot open {}", checkpoint.display()));
    let size = open()?.metadata()?.len();
    let mut head = Vec::new();
    open()?.take(9).read_to_end(&mut head)?;
    let format = sniff(&head).with_context(|| format!("{}", checkpoint.display()))?;
    println!("file:    {} ({size} bytes, {format:?})", checkpoint.display());
    let mut raw = read_tensors_from(std::io::BufReader::new(open()?), None)
        .with_context(|| format!("cannot read {}", checkpoint.display()))?;
    raw.sort_by(|a, b| a.0.cmp(&b.0));
    let mut hint = config_hint(checkpoint, config)?;
    hint.seq_len = seq_len;
    let tensors = state_dict(raw.clone())?;
    match resolve_config(&tensors, &hint) {
        Ok(config) => {
            println!("config:  {}", serde_json::to_string(&config)?);
            let model = trm_core::checkpoint::build_model(config, tensors)?;
            println!("dense parameters: {}", model.dense_parameter_count());
        }
        Err(e) => println!("config:  not resolved ({e})"),
    }
    println!("tensors: {}", raw.len());
    for (name, tensor) in &raw {
        println!("  {name:<60} {:<6} {:?}", format!("{:?}", tensor.dtype()).to_lowercase(), tensor.dims());
    }
    Ok(())
}

/// `trm parity`; returns whether every quantity passed.
pub fn parity(dir: &Path) -> Result<bool> {
    let recording = Recording::from_bytes(&read(&dir.join("io.safetensors"))?)?;
    let mut hint = config_hint(&dir.join("weights.safetensors"), None)?;
    hint.model_card = None; // a fixture's weights file has no card; its all_config.yaml is the config
    hint.seq_len = Some(recording.seq_len()?);
    let files: Vec<&str> = PARITY_WEIGHTS.into_iter().filter(|f| dir.join(f).is_file()).collect();
    if files.is_empty() {
        bail!("{} holds neither weights.safetensors nor checkpoint.pt", dir.display());
    }
    let mut first_failure = None;
    for file in files {
        let model = trm_core::load_model(&read(&dir.join(file))?, &hint).with_context(|| format!("loading {file}"))?;
        println!("{file}:");
        for c in compare(&model, &recording)?.comparisons {
            let verdict = if c.passed { "ok" } else { "FAIL" };
            println!("  {:<44} max abs err {:>10.3e}  {verdict}", c.quantity, c.max_abs_error);
            if !c.passed && first_failure.is_none() {
                first_failure = Some(format!("{file}:{}", c.quantity));
            }
        }
    }
    match first_failure {
        None => {
            println!("PASS");
            Ok(true)
        }
        Some(q) => {
            println!("FAIL {q}");
            Ok(false)
        }
    }
}
