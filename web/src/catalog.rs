//! What the page offers: the bundled models and the bundled puzzle samples, as data.
//!
//! The page only offers a domain and size when a model for it is in [`BUNDLED_MODELS`]; shipping
//! another model (say `assets/models/sudoku9.{safetensors,json}`) means adding one line there. Maze
//! models of other sides run through "Load your own model" (the samples below cover 9, 11, 15, 30).

use crate::engine::{ModelSource, PuzzleKind, PuzzleSource};

/// A model shipped with the page (trunk copies `assets/models/` to `./models/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BundledModel {
    /// File stem under `assets/models/` and the name shown.
    pub name: &'static str,
    /// The puzzles it runs.
    pub kind: PuzzleKind,
    /// Shown in the domain/size switch.
    pub label: &'static str,
}

/// The bundled models, in the order the switch lists them.
pub const BUNDLED_MODELS: &[BundledModel] = &[
    BundledModel { name: "sudoku4", kind: PuzzleKind::Sudoku { side: 4 }, label: "Sudoku 4×4" },
    BundledModel { name: "sudoku6", kind: PuzzleKind::Sudoku { side: 6 }, label: "Sudoku 6×6" },
    BundledModel { name: "sudoku9", kind: PuzzleKind::Sudoku { side: 9 }, label: "Sudoku 9×9" },
    BundledModel { name: "maze11", kind: PuzzleKind::Maze { side: 11 }, label: "Maze 11×11" },
    BundledModel { name: "arc-demo", kind: PuzzleKind::Arc { canvas: 10 }, label: "ARC (10×10 canvas)" },
];

impl BundledModel {
    /// Where the page fetches the checkpoint (relative: works under any sub-path).
    pub fn model_url(&self) -> String {
        format!("./models/{}.safetensors", self.name)
    }

    /// Where the page fetches the model card.
    pub fn card_url(&self) -> String {
        format!("./models/{}.json", self.name)
    }

    /// The request's model for these bytes (and card).
    pub fn source(&self, bytes: Vec<u8>, card: Option<String>) -> ModelSource {
        ModelSource {
            name: self.name.into(),
            bytes,
            card,
            all_config_yaml: None,
            identifiers: None,
            domain: Some(self.kind.domain()),
            seq_len: Some(self.kind.seq_len()),
        }
    }

    /// The bundled samples of this model's puzzle kind, easiest tier first.
    pub fn samples(&self) -> Vec<SampleSet> {
        samples_for(self.kind)
    }
}

/// The puzzle a model starts with: the first sample of its easiest bundled set.
pub fn default_sample(model: &BundledModel) -> Option<Sample> {
    model.samples().first().and_then(|set| set.get(0))
}

/// The first sample of the easiest bundled set of a puzzle kind, as a request's puzzle; for ARC, the
/// first task the bundled ARC model knows.
pub fn default_source(kind: PuzzleKind) -> Option<PuzzleSource> {
    if let PuzzleKind::Arc { .. } = kind {
        return Some(crate::arc_input::ArcDraft::first().source());
    }
    samples_for(kind).first().and_then(|set| set.get(0)).map(|s| s.source(kind))
}

/// The index of a bundled model by name.
pub fn bundled_index(name: &str) -> Option<usize> {
    BUNDLED_MODELS.iter().position(|m| m.name == name)
}

/// One file of bundled samples: a tier of one size, with the solutions in the same order (Sudoku:
/// one per line; mazes: blocks separated by blank lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleSet {
    pub tier: &'static str,
    pub puzzles: &'static str,
    pub solutions: &'static str,
    /// Mazes: one puzzle per block of lines (a `#` line is a row of walls, not a comment).
    pub blocks: bool,
}

/// One puzzle of a sample set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub puzzle: String,
    pub solution: Option<String>,
}

impl Sample {
    /// The request's puzzle for a model of `kind`.
    pub fn source(&self, kind: PuzzleKind) -> PuzzleSource {
        match kind {
            PuzzleKind::Maze { .. } => PuzzleSource::Maze { text: self.puzzle.clone() },
            _ => PuzzleSource::Sudoku { text: self.puzzle.clone(), solution: self.solution.clone() },
        }
    }
}

/// The maze blocks of a file (split at blank lines).
pub fn maze_blocks(text: &str) -> impl Iterator<Item = String> {
    trm_puzzles::Maze::blocks(text).into_iter().map(|(_, block)| block)
}

/// The puzzle lines of a file (comments and blank lines skipped).
pub fn puzzle_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

impl SampleSet {
    /// How many puzzles the set has.
    pub fn len(&self) -> usize {
        if self.blocks { maze_blocks(self.puzzles).count() } else { puzzle_lines(self.puzzles).count() }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `k`-th puzzle and its solution.
    pub fn get(&self, k: usize) -> Option<Sample> {
        if self.blocks {
            let puzzle = maze_blocks(self.puzzles).nth(k)?;
            return Some(Sample { puzzle, solution: maze_blocks(self.solutions).nth(k) });
        }
        let puzzle = puzzle_lines(self.puzzles).nth(k)?.to_string();
        let solution = puzzle_lines(self.solutions).nth(k).map(str::to_string);
        Some(Sample { puzzle, solution })
    }
}

macro_rules! sudoku_set {
    ($size:literal, $tier:literal) => {
        SampleSet {
            tier: $tier,
            puzzles: include_str!(concat!("../../assets/puzzles/sudoku/samples/", $size, "-", $tier, ".txt")),
            solutions: include_str!(concat!(
                "../../assets/puzzles/sudoku/samples/",
                $size,
                "-",
                $tier,
                ".solutions.txt"
            )),
            blocks: false,
        }
    };
}

macro_rules! maze_set {
    ($size:literal, $tier:literal) => {
        SampleSet {
            tier: $tier,
            puzzles: include_str!(concat!("../../assets/puzzles/maze/samples/", $size, "-", $tier, ".txt")),
            solutions: include_str!(concat!("../../assets/puzzles/maze/samples/", $size, "-", $tier, ".solutions.txt")),
            blocks: true,
        }
    };
}

const MAZE9: [SampleSet; 3] = [maze_set!("9x9", "easy"), maze_set!("9x9", "medium"), maze_set!("9x9", "hard")];
const MAZE11: [SampleSet; 3] = [maze_set!("11x11", "easy"), maze_set!("11x11", "medium"), maze_set!("11x11", "hard")];
const MAZE15: [SampleSet; 3] = [maze_set!("15x15", "easy"), maze_set!("15x15", "medium"), maze_set!("15x15", "hard")];
const MAZE30: [SampleSet; 3] = [maze_set!("30x30", "easy"), maze_set!("30x30", "medium"), maze_set!("30x30", "hard")];

const SUDOKU4: [SampleSet; 4] = [
    sudoku_set!("4x4", "easy"),
    sudoku_set!("4x4", "medium"),
    sudoku_set!("4x4", "hard"),
    sudoku_set!("4x4", "extreme"),
];
const SUDOKU6: [SampleSet; 4] = [
    sudoku_set!("6x6", "easy"),
    sudoku_set!("6x6", "medium"),
    sudoku_set!("6x6", "hard"),
    sudoku_set!("6x6", "extreme"),
];
const SUDOKU9: [SampleSet; 4] = [
    sudoku_set!("9x9", "easy"),
    sudoku_set!("9x9", "medium"),
    sudoku_set!("9x9", "hard"),
    sudoku_set!("9x9", "extreme"),
];

/// The bundled samples of a puzzle kind (empty where none are bundled yet).
pub fn samples_for(kind: PuzzleKind) -> Vec<SampleSet> {
    match kind {
        PuzzleKind::Sudoku { side: 4 } => SUDOKU4.to_vec(),
        PuzzleKind::Sudoku { side: 6 } => SUDOKU6.to_vec(),
        PuzzleKind::Sudoku { side: 9 } => SUDOKU9.to_vec(),
        PuzzleKind::Maze { side: 9 } => MAZE9.to_vec(),
        PuzzleKind::Maze { side: 11 } => MAZE11.to_vec(),
        PuzzleKind::Maze { side: 15 } => MAZE15.to_vec(),
        PuzzleKind::Maze { side: 30 } => MAZE30.to_vec(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Domain;
    use trm_puzzles::Sudoku;

    #[test]
    fn every_bundled_model_is_shipped_with_a_card_that_agrees() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/models/");
        for m in BUNDLED_MODELS {
            assert!(std::path::Path::new(&format!("{root}{}.safetensors", m.name)).is_file(), "{}", m.name);
            let card = std::fs::read_to_string(format!("{root}{}.json", m.name)).unwrap();
            let card: serde_json::Value = serde_json::from_str(&card).unwrap();
            assert_eq!(card["name"], m.name);
            assert_eq!(card["seq_len"].as_u64(), Some(m.kind.seq_len() as u64), "{}", m.name);
            let domain = match m.kind.domain() {
                Domain::Sudoku => "sudoku",
                Domain::Maze => "maze",
                Domain::Arc => "arc",
            };
            assert_eq!(card["domain"], domain, "{}", m.name);
            if let PuzzleKind::Arc { canvas } = m.kind {
                assert_eq!(card["arch"]["seq_len"].as_u64(), Some((canvas * canvas) as u64));
                assert!(card["identifiers"].as_array().is_some_and(|ids| ids.len() > 1), "{}", m.name);
            }
        }
        assert_eq!(bundled_index("sudoku6"), Some(1));
        assert_eq!(bundled_index("sudoku9"), Some(2));
        assert_eq!(bundled_index("maze11"), Some(3));
        assert_eq!(bundled_index("arc-demo"), Some(4));
        assert_eq!(bundled_index("no-such-model"), None);
        let Some(PuzzleSource::Arc { name, test: 0, .. }) = default_source(PuzzleKind::Arc { canvas: 10 }) else {
            panic!("ARC starts with a task")
        };
        assert_eq!(format!("training/{name}"), crate::arc_input::known_paths()[0]);
        assert_eq!(default_sample(&BUNDLED_MODELS[4]), None, "ARC has tasks, not samples");
    }

    #[test]
    fn samples_parse_at_the_model_size_and_match_their_solutions() {
        for m in BUNDLED_MODELS {
            let PuzzleKind::Sudoku { side } = m.kind else { continue };
            let sets = m.samples();
            assert_eq!(sets.len(), 4);
            for set in sets {
                assert!(!set.is_empty());
                for k in 0..set.len() {
                    let s = set.get(k).unwrap();
                    let puzzle = Sudoku::parse(&s.puzzle).unwrap();
                    assert_eq!(puzzle.side(), side);
                    let solution = Sudoku::parse(s.solution.as_deref().unwrap()).unwrap();
                    assert!(puzzle.is_solved_by(&solution), "{} {} #{k}", m.name, set.tier);
                }
                assert_eq!(set.get(set.len()), None);
            }
        }
    }

    #[test]
    fn maze_samples_parse_at_their_size_and_their_solutions_are_valid_shortest_paths() {
        use trm_puzzles::Maze;
        use trm_puzzles::maze::verify_answer;
        for side in [9, 11, 15, 30] {
            let kind = PuzzleKind::Maze { side };
            let sets = samples_for(kind);
            assert_eq!(sets.iter().map(|s| s.tier).collect::<Vec<_>>(), ["easy", "medium", "hard"]);
            for set in sets {
                assert!(set.len() >= 5, "{side} {}", set.tier);
                for k in 0..set.len() {
                    let s = set.get(k).unwrap();
                    let puzzle = Maze::parse(&s.puzzle).unwrap();
                    assert_eq!(puzzle.side(), side);
                    let solution = Maze::parse(s.solution.as_deref().unwrap()).unwrap();
                    assert!(verify_answer(&puzzle, &solution).is_ok(), "{side} {} #{k}", set.tier);
                }
                assert_eq!(set.get(set.len()), None);
            }
        }
        let Some(PuzzleSource::Maze { text }) = default_source(PuzzleKind::Maze { side: 11 }) else { panic!() };
        assert_eq!(Maze::parse(&text).unwrap().side(), 11);
        assert!(matches!(default_source(PuzzleKind::Sudoku { side: 4 }), Some(PuzzleSource::Sudoku { .. })));
        assert_eq!(default_source(PuzzleKind::Maze { side: 12 }), None);
    }

    #[test]
    fn urls_are_relative() {
        let m = BUNDLED_MODELS[0];
        assert_eq!(m.model_url(), "./models/sudoku4.safetensors");
        assert_eq!(m.card_url(), "./models/sudoku4.json");
        let src = m.source(vec![1], None);
        assert_eq!((src.domain, src.seq_len), (Some(Domain::Sudoku), Some(16)));
    }
}
