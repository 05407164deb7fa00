//! Models in: checkpoint bytes (safetensors or official `.pt`) with an optional model card, official
//! `all_config.yaml` and ARC `identifiers.json`, through trm-core's loader, which checks every tensor
//! (truncated files, wrong shapes and non-finite values are errors naming the key or offset).

use serde::{Deserialize, Serialize};
use trm_core::checkpoint::{ConfigHint, PartialArch};
use trm_core::{Trm, TrmConfig};
use trm_puzzles::Identifiers;
use trm_puzzles::sudoku::SUPPORTED_SIDES;

use super::puzzle::{Domain, PuzzleKind};
use super::{EngineError, Result};

/// A model as the page sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSource {
    /// Shown in the page ("sudoku4", a file name).
    pub name: String,
    /// The checkpoint file's bytes.
    #[serde(with = "super::bytes")]
    pub bytes: Vec<u8>,
    /// The model card JSON (`<name>.json`), when there is one.
    #[serde(default)]
    pub card: Option<String>,
    /// The official `all_config.yaml`, when there is one (used when there is no card).
    #[serde(default)]
    pub all_config_yaml: Option<String>,
    /// ARC: the official `identifiers.json` (else the card's `identifiers`).
    #[serde(default)]
    pub identifiers: Option<String>,
    /// The domain the user chose, for checkpoints whose card does not say (it picks the official
    /// cycle defaults and narrows the supported puzzle kinds).
    #[serde(default)]
    pub domain: Option<Domain>,
    /// Puzzle tokens per example, for checkpoints whose length neither a config nor a tensor shape gives.
    #[serde(default)]
    pub seq_len: Option<usize>,
}

/// What the page shows about a loaded model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub name: String,
    /// From the card or the request; `None` when neither says.
    pub domain: Option<Domain>,
    /// Puzzle kinds this model can run (the page offers only these).
    pub supports: Vec<PuzzleKind>,
    /// Dense parameters (as the paper counts them).
    pub parameters: usize,
    /// The resolved architecture (official field names).
    pub config: TrmConfig,
    /// Network applications per supervision step: `H_cycles · (L_cycles + 1)`.
    pub applications_per_step: usize,
    /// Rows named by the identifiers (ARC), 0 when there are none.
    pub identifiers: usize,
}

/// A model ready to run, with what is known about it.
pub struct LoadedModel {
    pub trm: Trm,
    pub info: ModelInfo,
    pub identifiers: Option<Identifiers>,
}

/// The fields of a model card the engine reads (the rest is for the page to show).
#[derive(Deserialize)]
struct CardHead {
    name: Option<String>,
    domain: Option<String>,
    identifiers: Option<Vec<String>>,
}

/// The official cycles for a domain (Sudoku `T = 3, n = 6`; mazes and ARC `T = 3, n = 4`), used only
/// for what neither the card nor the yaml says.
fn official_defaults(domain: Option<Domain>) -> PartialArch {
    let l_cycles = match domain {
        Some(Domain::Sudoku) => 6,
        Some(Domain::Maze | Domain::Arc) => 4,
        None => return PartialArch::default(),
    };
    PartialArch { h_cycles: Some(3), l_cycles: Some(l_cycles), halt_max_steps: Some(16), ..Default::default() }
}

/// Every puzzle kind a model of `config` can run, narrowed to `domain` when known.
pub fn supported_kinds(config: &TrmConfig, domain: Option<Domain>) -> Vec<PuzzleKind> {
    let mut kinds: Vec<PuzzleKind> = SUPPORTED_SIDES.iter().map(|&side| PuzzleKind::Sudoku { side }).collect();
    if let Some(side) = (1..=trm_puzzles::maze::MAX_SIDE).find(|s| s * s == config.seq_len) {
        kinds.push(PuzzleKind::Maze { side });
        kinds.push(PuzzleKind::Arc { canvas: side });
    }
    kinds.retain(|k| {
        k.seq_len() == config.seq_len && k.vocab_size() == config.vocab_size && domain.is_none_or(|d| d == k.domain())
    });
    kinds
}

impl LoadedModel {
    /// Loads and checks a model. Nothing the bytes contain can make this panic.
    pub fn load(source: &ModelSource) -> Result<LoadedModel> {
        let head = match &source.card {
            Some(card) => Some(serde_json::from_str::<CardHead>(card).map_err(|e| EngineError::Card(e.to_string()))?),
            None => None,
        };
        let card_domain = match head.as_ref().and_then(|h| h.domain.as_deref()) {
            Some(name) => {
                Some(Domain::parse(name).ok_or_else(|| EngineError::Card(format!("unknown domain \"{name}\"")))?)
            }
            None => None,
        };
        if let (Some(card), Some(asked)) = (card_domain, source.domain)
            && card != asked
        {
            return Err(EngineError::Unsupported(format!(
                "the model card says this is a {card:?} model, not a {asked:?} one"
            )));
        }
        let domain = card_domain.or(source.domain);
        let hint = ConfigHint {
            model_card: source.card.clone(),
            all_config_yaml: source.all_config_yaml.clone(),
            seq_len: source.seq_len,
            defaults: official_defaults(domain),
        };
        let trm = trm_core::load_model(&source.bytes, &hint).map_err(EngineError::Load)?;
        let identifiers = match (&source.identifiers, head.as_ref().and_then(|h| h.identifiers.clone())) {
            (Some(json), _) => {
                Some(Identifiers::from_json(json).map_err(|e| EngineError::Card(format!("identifiers.json: {e}")))?)
            }
            (None, Some(names)) => Some(
                Identifiers::from_names(names)
                    .map_err(|e| EngineError::Card(format!("identifiers in the card: {e}")))?,
            ),
            (None, None) => None,
        };
        let config = trm.config().clone();
        let supports = supported_kinds(&config, domain);
        let name = head.and_then(|h| h.name).unwrap_or_else(|| source.name.clone());
        let info = ModelInfo {
            name,
            domain,
            supports,
            parameters: trm.dense_parameter_count(),
            applications_per_step: config.applications_per_step(),
            identifiers: identifiers.as_ref().map_or(0, Identifiers::len),
            config,
        };
        Ok(LoadedModel { trm, info, identifiers })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_shape_vocabulary_and_domain() {
        let mut c = TrmConfig::sudoku_reference();
        assert_eq!(supported_kinds(&c, None), [PuzzleKind::Sudoku { side: 9 }]);
        c.seq_len = 16;
        c.vocab_size = 6;
        // A 4×4 Sudoku and a 4×4 maze share shape and vocabulary; the domain tells them apart.
        assert_eq!(supported_kinds(&c, None), [PuzzleKind::Sudoku { side: 4 }, PuzzleKind::Maze { side: 4 }]);
        assert_eq!(supported_kinds(&c, Some(Domain::Sudoku)), [PuzzleKind::Sudoku { side: 4 }]);
        c.seq_len = 900;
        c.vocab_size = 12;
        assert_eq!(supported_kinds(&c, None), [PuzzleKind::Arc { canvas: 30 }]);
    }
}
