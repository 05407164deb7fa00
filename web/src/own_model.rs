//! "Load your own model": which of the files the user chose is which, as plain Rust (tested
//! natively). The page reads the files' bytes and hands them here; the worker's loader checks the
//! checkpoint itself (shapes, truncation, non-finite values).
//!
//! A checkpoint is a `.safetensors` file or an official PyTorch checkpoint (`.pt`, `.pth`, `.ckpt`
//! or a file without an extension, as the official trainer writes `step_N`). A `.json` file is a
//! model card when it holds an object and ARC `identifiers.json` when it holds a list of names. A
//! `.yaml` / `.yml` file is the official `all_config.yaml`.

use serde::{Deserialize, Serialize};

use crate::engine::{ModelSource, PuzzleKind};

/// One file as the user chose it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChosenFile {
    pub name: String,
    #[serde(with = "crate::engine::bytes")]
    pub bytes: Vec<u8>,
}

/// What a file is, from its name alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRole {
    Checkpoint,
    /// A model card or identifiers.json: the content tells.
    Json,
    AllConfig,
}

/// The role of a file by its name; an error for a file the page cannot use.
pub fn role_of(name: &str) -> Result<FileRole, String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let ext = match base.rsplit_once('.') {
        // A leading dot (".hidden") is no extension.
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => return Ok(FileRole::Checkpoint),
    };
    match ext.as_str() {
        "safetensors" | "pt" | "pth" | "ckpt" | "bin" => Ok(FileRole::Checkpoint),
        "json" => Ok(FileRole::Json),
        "yaml" | "yml" => Ok(FileRole::AllConfig),
        _ => Err(format!(
            "\"{base}\" is not a file this page can use: choose a checkpoint (.safetensors, .pt or an official \
             checkpoint without an extension), and optionally its model card or identifiers.json (.json) and \
             all_config.yaml"
        )),
    }
}

/// Checks the names before anything is read: exactly one checkpoint, no unusable file.
pub fn check_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<(), String> {
    let mut checkpoints = Vec::new();
    let mut any = false;
    for name in names {
        any = true;
        if role_of(name)? == FileRole::Checkpoint {
            checkpoints.push(name);
        }
    }
    if !any {
        return Err("no file was chosen".into());
    }
    match checkpoints.as_slice() {
        [] => Err("no checkpoint among the chosen files: add a .safetensors or .pt file".into()),
        [_] => Ok(()),
        many => Err(format!("choose one checkpoint at a time, not {} ({})", many.len(), many.join(", "))),
    }
}

/// What the page shows while reading: `reading checkpoint.pt (0.9 MB)…`.
pub fn reading_note(name: &str, bytes: f64) -> String {
    let mb = bytes / 1_000_000.0;
    if mb >= 10.0 { format!("reading {name} ({mb:.0} MB)…") } else { format!("reading {name} ({mb:.1} MB)…") }
}

/// The user's model, sorted: one checkpoint and the optional texts that describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnModel {
    /// The checkpoint's file name (shown as the model's name unless its card names it).
    pub name: String,
    pub checkpoint: Vec<u8>,
    pub card: Option<String>,
    pub all_config_yaml: Option<String>,
    pub identifiers: Option<String>,
}

fn text_of(file: &ChosenFile) -> Result<String, String> {
    String::from_utf8(file.bytes.clone()).map_err(|_| format!("\"{}\" is not UTF-8 text", file.name))
}

fn only_one(slot: &mut Option<(String, String)>, name: &str, text: String, what: &str) -> Result<(), String> {
    if let Some((first, _)) = slot {
        return Err(format!("two {what} files were chosen (\"{first}\" and \"{name}\"): choose one"));
    }
    *slot = Some((name.to_string(), text));
    Ok(())
}

impl OwnModel {
    /// Sorts the chosen files: which is the checkpoint, the card, the all_config.yaml, the identifiers.
    pub fn from_files(files: &[ChosenFile]) -> Result<OwnModel, String> {
        check_names(files.iter().map(|f| f.name.as_str()))?;
        let mut checkpoint = None;
        let mut card = None;
        let mut yaml = None;
        let mut identifiers = None;
        for file in files {
            match role_of(&file.name)? {
                FileRole::Checkpoint => checkpoint = Some(file),
                FileRole::AllConfig => only_one(&mut yaml, &file.name, text_of(file)?, "all_config.yaml")?,
                FileRole::Json => {
                    let text = text_of(file)?;
                    let value: serde_json::Value = serde_json::from_str(&text)
                        .map_err(|e| format!("\"{}\" is not readable JSON: {e}", file.name))?;
                    match value {
                        serde_json::Value::Object(_) => only_one(&mut card, &file.name, text, "model card")?,
                        serde_json::Value::Array(items) if items.iter().all(serde_json::Value::is_string) => {
                            only_one(&mut identifiers, &file.name, text, "identifiers")?
                        }
                        _ => {
                            return Err(format!(
                                "\"{}\" is neither a model card (a JSON object) nor identifiers.json (a list of names)",
                                file.name
                            ));
                        }
                    }
                }
            }
        }
        let checkpoint = checkpoint.ok_or("no checkpoint among the chosen files")?;
        if checkpoint.bytes.is_empty() {
            return Err(format!("\"{}\" is empty", checkpoint.name));
        }
        Ok(OwnModel {
            name: checkpoint.name.clone(),
            checkpoint: checkpoint.bytes.clone(),
            card: card.map(|(_, t)| t),
            all_config_yaml: yaml.map(|(_, t)| t),
            identifiers: identifiers.map(|(_, t)| t),
        })
    }

    /// The request's model. A card says the domain and size itself; without one, the puzzle kind
    /// the user has selected gives them (the loader still prefers what the yaml says).
    pub fn source(&self, selected: PuzzleKind) -> ModelSource {
        let has_card = self.card.is_some();
        ModelSource {
            name: self.name.clone(),
            bytes: self.checkpoint.clone(),
            card: self.card.clone(),
            all_config_yaml: self.all_config_yaml.clone(),
            identifiers: self.identifiers.clone(),
            domain: (!has_card).then(|| selected.domain()),
            seq_len: (!has_card).then(|| selected.seq_len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Domain, LoadedModel};

    fn file(name: &str, bytes: &[u8]) -> ChosenFile {
        ChosenFile { name: name.into(), bytes: bytes.to_vec() }
    }

    #[test]
    fn roles_follow_the_extension() {
        assert_eq!(role_of("m.safetensors"), Ok(FileRole::Checkpoint));
        assert_eq!(role_of("checkpoint.PT"), Ok(FileRole::Checkpoint));
        assert_eq!(role_of("step_26040"), Ok(FileRole::Checkpoint));
        assert_eq!(role_of(".hidden"), Ok(FileRole::Checkpoint));
        assert_eq!(role_of("card.json"), Ok(FileRole::Json));
        assert_eq!(role_of("all_config.yaml"), Ok(FileRole::AllConfig));
        assert_eq!(role_of("x.YML"), Ok(FileRole::AllConfig));
        assert!(role_of("notes.txt").unwrap_err().contains("notes.txt"));
    }

    #[test]
    fn names_are_checked_before_reading() {
        assert_eq!(check_names(["a.pt", "all_config.yaml"]), Ok(()));
        assert!(check_names([]).unwrap_err().contains("no file"));
        assert!(check_names(["card.json"]).unwrap_err().contains("no checkpoint"));
        let two = check_names(["a.pt", "b.safetensors"]).unwrap_err();
        assert!(two.contains("one checkpoint") && two.contains("a.pt, b.safetensors"), "{two}");
        assert!(check_names(["a.pt", "b.zip"]).unwrap_err().contains("b.zip"));
    }

    #[test]
    fn json_files_are_told_apart_by_content() {
        let files = [
            file("ids.json", br#"["<blank>", "007bbfc7"]"#),
            file("m.safetensors", b"bytes"),
            file("card.json", br#"{"name": "mine"}"#),
            file("all_config.yaml", b"arch:\n  H_cycles: 3\n"),
        ];
        let own = OwnModel::from_files(&files).unwrap();
        assert_eq!(own.name, "m.safetensors");
        assert_eq!(own.checkpoint, b"bytes");
        assert_eq!(own.card.as_deref(), Some(r#"{"name": "mine"}"#));
        assert!(own.identifiers.unwrap().contains("007bbfc7"));
        assert!(own.all_config_yaml.unwrap().contains("H_cycles"));
    }

    #[test]
    fn unusable_files_are_clear_errors() {
        let err = |files: &[ChosenFile]| OwnModel::from_files(files).unwrap_err();
        let broken = err(&[file("m.pt", b"x"), file("card.json", b"{\"name\": ")]);
        assert!(broken.contains("card.json") && broken.contains("not readable JSON"), "{broken}");
        assert!(err(&[file("m.pt", b"x"), file("n.json", b"12")]).contains("neither a model card"));
        let two_cards = err(&[file("m.pt", b"x"), file("a.json", b"{}"), file("b.json", b"{}")]);
        assert!(two_cards.contains("two model card files"), "{two_cards}");
        assert!(err(&[file("m.pt", b"x"), file("c.yaml", &[0xff, 0xfe])]).contains("not UTF-8"));
        assert!(err(&[file("m.pt", b"")]).contains("empty"));
        assert!(err(&[file("c.yaml", b"a: 1")]).contains("no checkpoint"));
    }

    #[test]
    fn the_card_or_the_selected_kind_gives_domain_and_size() {
        let plain = OwnModel::from_files(&[file("m.pt", b"x")]).unwrap();
        let src = plain.source(PuzzleKind::Sudoku { side: 9 });
        assert_eq!((src.domain, src.seq_len, src.name.as_str()), (Some(Domain::Sudoku), Some(81), "m.pt"));
        let carded = OwnModel::from_files(&[file("m.pt", b"x"), file("m.json", b"{}")]).unwrap();
        let src = carded.source(PuzzleKind::Sudoku { side: 9 });
        assert_eq!((src.domain, src.seq_len), (None, None));
        assert_eq!(src.card.as_deref(), Some("{}"));
    }

    /// The fixture of the e2e check: an official `.pt` with its all_config.yaml, sorted here and
    /// loaded by the worker's loader as a 9×9 Sudoku model.
    #[test]
    fn the_official_fixture_loads_as_a_9x9_sudoku_model() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/trm-parity/mlp_t/");
        let (Ok(pt), Ok(yaml)) =
            (std::fs::read(format!("{dir}checkpoint.pt")), std::fs::read(format!("{dir}all_config.yaml")))
        else {
            eprintln!("skipped: the fixture is not at {dir}");
            return;
        };
        let own = OwnModel::from_files(&[
            file("all_config.yaml", &yaml),
            ChosenFile { name: "checkpoint.pt".into(), bytes: pt },
        ])
        .unwrap();
        let loaded = LoadedModel::load(&own.source(PuzzleKind::Sudoku { side: 9 })).unwrap();
        assert_eq!(loaded.info.name, "checkpoint.pt");
        assert_eq!(loaded.info.supports, [PuzzleKind::Sudoku { side: 9 }]);
        assert_eq!((loaded.info.config.h_cycles, loaded.info.config.l_cycles), (3, 6));
        let mut cut = own.clone();
        cut.checkpoint.truncate(1000);
        let err = LoadedModel::load(&cut.source(PuzzleKind::Sudoku { side: 9 })).err().unwrap().to_string();
        assert!(err.contains("cannot load the model"), "{err}");
    }
}
