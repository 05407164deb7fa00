//! Puzzles generated on the fly: an endless, seeded, resumable stream of fresh training examples.
//!
//! Each source owns a `trm-puzzles` generator and a second ChaCha8 stream for its own draws (tier,
//! augmentation). Its state is the batch count and both streams' positions, so a resumed source
//! continues with exactly the puzzles an uninterrupted one would have drawn. Only the rows the
//! trainer will use (the halted slots) are generated.

use std::collections::BTreeMap;
use std::str::FromStr;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use trm_puzzles::maze::{self, MAX_SIDE};
use trm_puzzles::sudoku::{self, Augmentation, SUPPORTED_SIDES, Split, Tier};
use trm_puzzles::{Dihedral, Maze, MazeTier, Sudoku};

use super::{BatchSource, EvalSet, Rows, parse_state};
use crate::state::RngState;
use crate::{Batch, Error, Result};

/// Maze seeds from here on belong to evaluation sets (`assets/puzzles`): training never uses them.
pub const FIRST_EVAL_SEED: u64 = 1_000_000;

/// How many augmentations are tried before a Sudoku example is used unaugmented because every one
/// landed on a held-out grid (about one grid in eight is held out, so this practically never happens).
const MAX_AUGMENT_TRIES: usize = 16;

/// The stream of the source's own draws (the generator uses stream 0 of the same seed).
const OWN_STREAM: u64 = 1;

fn default_seed() -> u64 {
    1
}

/// How a generating source draws its puzzles (the `data` section of a run config with
/// `source: generate`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateRecipe {
    /// Seed of the puzzle stream. Mazes: below 1,000,000 (evaluation sets use seeds from there on).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Tier weights after the curriculum (or throughout without one), e.g. `{easy: 1, medium: 2}`.
    /// Sudoku tiers: easy, medium, hard, extreme; maze tiers: easy, medium, hard.
    pub tiers: BTreeMap<String, f64>,
    /// Earlier phases, each with its own tier weights, in order of `until_step`.
    #[serde(default)]
    pub curriculum: Vec<CurriculumPhase>,
    /// Probability that an example is augmented: Sudoku with the official relabelling, band/row and
    /// stack/column permutations and transpose; mazes with a random one of the 8 dihedral transforms.
    #[serde(default)]
    pub augment: f64,
}

/// One phase of a curriculum: its tier weights hold for optimizer steps `..= until_step`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurriculumPhase {
    pub until_step: usize,
    pub tiers: BTreeMap<String, f64>,
}

/// A weighted choice among tiers.
#[derive(Debug, Clone, PartialEq)]
pub struct TierMix<T> {
    tiers: Vec<(T, f64)>,
    total: f64,
}

impl<T: Copy + Ord + FromStr> TierMix<T> {
    /// Reads `{tier name: weight}`, easiest first; weights must be finite and ≥ 0 with a positive sum.
    pub fn parse(weights: &BTreeMap<String, f64>) -> Result<Self> {
        let mut tiers = Vec::new();
        for (name, &weight) in weights {
            let tier = name.parse::<T>().map_err(|_| Error::Config(format!("unknown tier `{name}`")))?;
            if !(weight.is_finite() && weight >= 0.0) {
                return Err(Error::Config(format!("tier `{name}` has weight {weight}; weights must be ≥ 0")));
            }
            if weight > 0.0 {
                tiers.push((tier, weight));
            }
        }
        tiers.sort_by_key(|a| a.0);
        let total = tiers.iter().map(|(_, w)| w).sum::<f64>();
        if tiers.is_empty() {
            return Err(Error::Config("a tier mix needs at least one tier with a positive weight".into()));
        }
        Ok(Self { tiers, total })
    }

    /// One tier, with probability proportional to its weight (one uniform draw).
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> T {
        let mut u = rng.random::<f64>() * self.total;
        for &(tier, weight) in &self.tiers {
            if u < weight {
                return tier;
            }
            u -= weight;
        }
        self.tiers[self.tiers.len() - 1].0
    }

    /// The tiers with a positive weight.
    pub fn tiers(&self) -> impl Iterator<Item = T> + '_ {
        self.tiers.iter().map(|(t, _)| *t)
    }
}

/// Tier mixes by optimizer step.
#[derive(Debug, Clone, PartialEq)]
struct Curriculum<T> {
    phases: Vec<(usize, TierMix<T>)>,
    last: TierMix<T>,
}

impl<T: Copy + Ord + FromStr> Curriculum<T> {
    fn parse(recipe: &GenerateRecipe) -> Result<Self> {
        let mut phases = Vec::new();
        let mut previous = 0;
        for (k, phase) in recipe.curriculum.iter().enumerate() {
            if phase.until_step <= previous && k > 0 {
                return Err(Error::Config(format!(
                    "curriculum phase {} ends at step {}, not after the previous phase ({previous})",
                    k + 1,
                    phase.until_step
                )));
            }
            previous = phase.until_step;
            let mix =
                TierMix::parse(&phase.tiers).map_err(|e| Error::Config(format!("curriculum phase {}: {e}", k + 1)))?;
            phases.push((phase.until_step, mix));
        }
        Ok(Self { phases, last: TierMix::parse(&recipe.tiers)? })
    }

    /// The mix of optimizer step `step` (from 1).
    fn at(&self, step: usize) -> &TierMix<T> {
        self.phases.iter().find(|(until, _)| step <= *until).map_or(&self.last, |(_, mix)| mix)
    }
}

fn check_augment(p: f64) -> Result<()> {
    if (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(Error::Config(format!("augment must be a probability in [0, 1], got {p}")))
    }
}

fn tokens_as_labels(tokens: &[u32]) -> Vec<i32> {
    tokens.iter().map(|&t| t as i32).collect()
}

/// The saved position of a generating source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct GeneratorState {
    /// Batches handed out (the next one is for optimizer step `batches + 1`).
    batches: u64,
    /// Examples generated.
    examples: u64,
    /// The puzzle generator's stream position (decimal).
    generator: String,
    /// The source's own stream.
    rng: RngState,
}

fn parse_position(s: &str) -> Result<u128> {
    s.parse().map_err(|_| Error::Config(format!("invalid generator position {s:?}")))
}

/// One puzzle family as a generating source draws it: the generator, its augmentation and its tokens.
/// [`GeneratedSource`] adds what both families share (tier draws, batches, the resumable position).
pub trait PuzzleStream: Send {
    /// The family's difficulty tiers (parsed from the recipe's tier names).
    type Tier: Copy + Ord + FromStr + Send;
    /// Names the family in errors about a saved state ("Sudoku generator").
    const NAME: &'static str;
    /// Grid side; an example has `side²` tokens.
    fn side(&self) -> usize;
    /// Token vocabulary of inputs and labels.
    fn vocab_size(&self) -> usize;
    /// One training pair of `tier` as (input tokens, label tokens), augmented with probability
    /// `augment` using `rng` (the source's own stream).
    fn example(&mut self, tier: Self::Tier, augment: f64, rng: &mut ChaCha8Rng) -> (Vec<u32>, Vec<u32>);
    /// The generator's stream position (saved in checkpoints).
    fn position(&self) -> u128;
    /// Moves the generator to a saved position.
    fn seek(&mut self, position: u128);
    /// One line for the progress output, e.g. "9×9 Sudoku generated on the fly (seed 1, ...)".
    fn describe(&self, seed: u64) -> String;
}

/// Sudoku puzzles of one side from the training side of the held-out split.
pub struct SudokuStream {
    side: usize,
    generator: sudoku::Generator,
}

impl PuzzleStream for SudokuStream {
    type Tier = Tier;
    const NAME: &'static str = "Sudoku generator";

    fn side(&self) -> usize {
        self.side
    }

    fn vocab_size(&self) -> usize {
        Sudoku::vocab_size(self.side)
    }

    /// A puzzle on a training grid, augmented (with the official relabelling and permutations)
    /// only onto another training grid.
    fn example(&mut self, tier: Tier, augment: f64, rng: &mut ChaCha8Rng) -> (Vec<u32>, Vec<u32>) {
        let generated = self.generator.puzzle_in(tier);
        let (puzzle, solution) = (generated.puzzle, generated.solution);
        if augment > 0.0 && rng.random::<f64>() < augment {
            for _ in 0..MAX_AUGMENT_TRIES {
                let aug = Augmentation::random(self.side, rng);
                if let (Some(p), Some(s)) = (aug.apply(&puzzle), aug.apply(&solution))
                    && Split::of(&s) == Split::Train
                {
                    return (p.to_tokens(), s.to_tokens());
                }
            }
        }
        (puzzle.to_tokens(), solution.to_tokens())
    }

    fn position(&self) -> u128 {
        self.generator.position()
    }

    fn seek(&mut self, position: u128) {
        self.generator.seek(position);
    }

    fn describe(&self, seed: u64) -> String {
        format!("{0}×{0} Sudoku generated on the fly (seed {seed}, training grids only)", self.side)
    }
}

/// Mazes of one side.
pub struct MazeStream {
    side: usize,
    generator: maze::Generator,
}

impl PuzzleStream for MazeStream {
    type Tier = MazeTier;
    const NAME: &'static str = "maze generator";

    fn side(&self) -> usize {
        self.side
    }

    fn vocab_size(&self) -> usize {
        Maze::VOCAB_SIZE
    }

    /// A maze under a random one of the 8 dihedral transforms with probability `augment`.
    fn example(&mut self, tier: MazeTier, augment: f64, rng: &mut ChaCha8Rng) -> (Vec<u32>, Vec<u32>) {
        let generated = self.generator.next_maze(tier);
        let (mut puzzle, mut solution) = (generated.puzzle, generated.solution);
        if augment > 0.0 && rng.random::<f64>() < augment {
            let d = Dihedral::ALL[rng.random_range(0..Dihedral::ALL.len())];
            (puzzle, solution) = (puzzle.transform(d), solution.transform(d));
        }
        (puzzle.to_tokens(), solution.to_tokens())
    }

    fn position(&self) -> u128 {
        self.generator.position()
    }

    fn seek(&mut self, position: u128) {
        self.generator.seek(position);
    }

    fn describe(&self, seed: u64) -> String {
        format!("{0}×{0} mazes generated on the fly (seed {seed})", self.side)
    }
}

/// A batch source over a [`PuzzleStream`]: tiers drawn by the recipe's curriculum, only the needed
/// rows filled, and a position that resumes exactly.
pub struct GeneratedSource<S: PuzzleStream> {
    stream: S,
    recipe: GenerateRecipe,
    curriculum: Curriculum<S::Tier>,
    rng: ChaCha8Rng,
    batches: u64,
    examples: u64,
}

/// Sudoku puzzles of one side from the training side of the held-out split.
pub type SudokuSource = GeneratedSource<SudokuStream>;

/// Mazes of one side.
pub type MazeSource = GeneratedSource<MazeStream>;

impl<S: PuzzleStream> GeneratedSource<S> {
    fn with_stream(stream: S, recipe: &GenerateRecipe) -> Result<Self> {
        check_augment(recipe.augment)?;
        let mut rng = ChaCha8Rng::seed_from_u64(recipe.seed);
        rng.set_stream(OWN_STREAM);
        Ok(Self {
            stream,
            recipe: recipe.clone(),
            curriculum: Curriculum::parse(recipe)?,
            rng,
            batches: 0,
            examples: 0,
        })
    }

    /// Examples generated so far.
    pub fn examples(&self) -> u64 {
        self.examples
    }
}

impl SudokuSource {
    /// A source of `side × side` puzzles (4, 6 or 9).
    pub fn new(side: usize, recipe: &GenerateRecipe) -> Result<Self> {
        if !SUPPORTED_SIDES.contains(&side) {
            return Err(Error::Config(format!("Sudoku side {side} is not supported (4, 6 or 9)")));
        }
        let generator = sudoku::Generator::new(side, recipe.seed)
            .map_err(|e| Error::Config(e.to_string()))?
            .with_split(Split::Train);
        Self::with_stream(SudokuStream { side, generator }, recipe)
    }
}

impl MazeSource {
    /// A source of `side × side` mazes. The seed must be below [`FIRST_EVAL_SEED`].
    pub fn new(side: usize, recipe: &GenerateRecipe) -> Result<Self> {
        if recipe.seed >= FIRST_EVAL_SEED {
            return Err(Error::Config(format!(
                "maze training seeds must be below {FIRST_EVAL_SEED} (evaluation sets use the seeds from there on), got {}",
                recipe.seed
            )));
        }
        let generator = maze::Generator::new(side, recipe.seed).map_err(|e| Error::Config(e.to_string()))?;
        Self::with_stream(MazeStream { side, generator }, recipe)
    }
}

impl<S: PuzzleStream> BatchSource for GeneratedSource<S> {
    fn seq_len(&self) -> usize {
        self.stream.side() * self.stream.side()
    }

    fn vocab_size(&self) -> usize {
        self.stream.vocab_size()
    }

    fn num_puzzle_identifiers(&self) -> usize {
        1
    }

    fn next_batch(&mut self, needed: &[bool]) -> Result<Batch> {
        self.batches += 1;
        let step = self.batches as usize;
        let mut rows = Rows::padding(self.seq_len(), needed.len());
        for (row, _) in needed.iter().enumerate().filter(|(_, n)| **n) {
            let tier = self.curriculum.at(step).draw(&mut self.rng);
            let (inputs, labels) = self.stream.example(tier, self.recipe.augment, &mut self.rng);
            rows.set(row, &inputs, &tokens_as_labels(&labels), 0);
            self.examples += 1;
        }
        rows.into_batch()
    }

    fn state(&self) -> serde_json::Value {
        let state = GeneratorState {
            batches: self.batches,
            examples: self.examples,
            generator: self.stream.position().to_string(),
            rng: RngState::of(&self.rng),
        };
        serde_json::to_value(state).unwrap_or_default()
    }

    fn restore(&mut self, state: &serde_json::Value) -> Result<()> {
        let state: GeneratorState = parse_state(S::NAME, state)?;
        self.stream.seek(parse_position(&state.generator)?);
        (self.rng, self.batches, self.examples) = (state.rng.restore()?, state.batches, state.examples);
        Ok(())
    }

    fn describe(&self) -> String {
        self.stream.describe(self.recipe.seed)
    }
}

/// A held-out Sudoku sample: `count` puzzles on held-out grids, tiers drawn from `mix`, from the
/// evaluation seed (1,000,000, as the committed evaluation sets; with a one-tier mix the sample is
/// the start of the committed set of that size and tier).
pub fn sudoku_eval_set(side: usize, mix: &TierMix<Tier>, count: usize) -> Result<EvalSet> {
    let generator = sudoku::Generator::new(side, FIRST_EVAL_SEED)
        .map_err(|e| Error::Config(e.to_string()))?
        .with_split(Split::HeldOut);
    let tiers: Vec<&str> = mix.tiers().map(Tier::name).collect();
    let name = format!("{count} held-out {side}×{side} {} (generated)", tiers.join("/"));
    Ok(eval_sample(SudokuStream { side, generator }, mix, count, name))
}

/// A maze sample from the evaluation seed (1,000,000, as the committed evaluation sets).
pub fn maze_eval_set(side: usize, mix: &TierMix<MazeTier>, count: usize) -> Result<EvalSet> {
    if !(maze::generator::MIN_SIDE..=MAX_SIDE).contains(&side) {
        return Err(Error::Config(format!("maze side {side} is not supported")));
    }
    let generator = maze::Generator::new(side, FIRST_EVAL_SEED).map_err(|e| Error::Config(e.to_string()))?;
    let tiers: Vec<&str> = mix.tiers().map(MazeTier::name).collect();
    let name = format!("{count} held-out {side}×{side} {} mazes (seed {FIRST_EVAL_SEED})", tiers.join("/"));
    Ok(eval_sample(MazeStream { side, generator }, mix, count, name))
}

/// `count` unaugmented examples of `stream`, tiers drawn from `mix` (no draw with a single tier, so
/// that such a sample is the start of the committed set of its tier).
fn eval_sample<S: PuzzleStream>(mut stream: S, mix: &TierMix<S::Tier>, count: usize, name: String) -> EvalSet {
    let mut rng = ChaCha8Rng::seed_from_u64(FIRST_EVAL_SEED);
    rng.set_stream(OWN_STREAM);
    let single = mix.tiers.len() == 1;
    let pairs: Vec<(Vec<u32>, Vec<u32>)> = (0..count)
        .map(|_| {
            let tier = if single { mix.tiers[0].0 } else { mix.draw(&mut rng) };
            stream.example(tier, 0.0, &mut rng)
        })
        .collect();
    token_pairs_eval_set(name, stream.side() * stream.side(), pairs.into_iter())
}

/// An evaluation set of Sudoku pairs (all of one side).
pub fn sudoku_pairs_eval_set(name: String, pairs: &[(Sudoku, Sudoku)]) -> EvalSet {
    let side = pairs.first().map_or(0, |(p, _)| p.side());
    token_pairs_eval_set(name, side * side, pairs.iter().map(|(p, s)| (p.to_tokens(), s.to_tokens())))
}

/// An evaluation set of maze pairs (all of one side).
pub fn maze_pairs_eval_set(name: String, pairs: &[(Maze, Maze)]) -> EvalSet {
    let side = pairs.first().map_or(0, |(p, _)| p.side());
    token_pairs_eval_set(name, side * side, pairs.iter().map(|(p, s)| (p.to_tokens(), s.to_tokens())))
}

/// An evaluation set of (input tokens, answer tokens) pairs of `seq_len` tokens each, puzzle id 0.
fn token_pairs_eval_set(name: String, seq_len: usize, pairs: impl Iterator<Item = (Vec<u32>, Vec<u32>)>) -> EvalSet {
    let (mut inputs, mut labels, mut puzzle_ids) = (Vec::new(), Vec::new(), Vec::new());
    for (input, answer) in pairs {
        inputs.extend(input);
        labels.extend(tokens_as_labels(&answer));
        puzzle_ids.push(0);
    }
    EvalSet { name, seq_len, inputs, labels, puzzle_ids }
}

/// The tier mix a recipe ends with (what the evaluation sample is drawn from).
pub fn final_mix<T: Copy + Ord + FromStr>(recipe: &GenerateRecipe) -> Result<TierMix<T>> {
    TierMix::parse(&recipe.tiers)
}
