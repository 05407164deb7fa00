//! Builders that follow the official recipes (reference §7.2–§7.4), seeded with ChaCha8.
//!
//! Reproducibility: every group draws from its own ChaCha8 stream (`seed`, stream = the group's
//! position), so the same puzzles and seed give the same bytes on every platform, and adding puzzles at
//! the end leaves the earlier groups unchanged. The streams cannot reproduce numpy's draws; counts,
//! layout and rules are the official ones.

use std::collections::HashMap;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::{Dataset, DatasetError, DatasetMetadata, DatasetSplit};
use crate::arc::{
    self, ArcError, BLANK_NAME, DEFAULT_CANVAS_SIDE, Grid, NamedTask, augmented_versions_with, encode_example,
    tasks_to_json, training_offsets,
};
use crate::dihedral::Dihedral;
use crate::maze::Maze;
use crate::sudoku::{Augmentation, SUPPORTED_SIDES, Split, Sudoku};

/// How many times one Sudoku augmentation is redrawn when its solution lands in the held-out split.
/// About one grid in eight is held out, so 256 redraws fail with probability below 8⁻²⁵⁶.
const MAX_REDRAWS: usize = 256;

/// A ChaCha8 generator on stream `stream` of `seed`.
fn stream_rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

fn too_large(what: &str, count: usize) -> DatasetError {
    DatasetError::TooLarge { what: what.to_string(), count: count as u64, limit: i32::MAX as u64 }
}

/// Accumulates the arrays of one split.
struct SplitBuilder {
    seq_len: usize,
    inputs: Vec<u8>,
    labels: Vec<u8>,
    puzzle_identifiers: Vec<i32>,
    puzzle_indices: Vec<i32>,
    group_indices: Vec<i32>,
}

impl SplitBuilder {
    fn new(seq_len: usize) -> Self {
        Self {
            seq_len,
            inputs: Vec::new(),
            labels: Vec::new(),
            puzzle_identifiers: Vec::new(),
            puzzle_indices: vec![0],
            group_indices: vec![0],
        }
    }

    fn push_example(&mut self, input: &[u8], label: &[u8]) {
        debug_assert_eq!((input.len(), label.len()), (self.seq_len, self.seq_len));
        self.inputs.extend_from_slice(input);
        self.labels.extend_from_slice(label);
    }

    fn end_puzzle(&mut self, identifier: i32) -> Result<(), DatasetError> {
        let rows = self.inputs.len() / self.seq_len.max(1);
        self.puzzle_indices.push(i32::try_from(rows).map_err(|_| too_large("examples", rows))?);
        self.puzzle_identifiers.push(identifier);
        Ok(())
    }

    fn end_group(&mut self) -> Result<(), DatasetError> {
        let puzzles = self.puzzle_identifiers.len();
        self.group_indices.push(i32::try_from(puzzles).map_err(|_| too_large("puzzles", puzzles))?);
        Ok(())
    }

    fn num_examples(&self) -> usize {
        self.inputs.len() / self.seq_len.max(1)
    }

    fn num_puzzles(&self) -> usize {
        self.puzzle_identifiers.len()
    }

    fn num_groups(&self) -> usize {
        self.group_indices.len() - 1
    }

    fn finish(self, metadata: DatasetMetadata) -> DatasetSplit {
        DatasetSplit {
            metadata,
            inputs: self.inputs,
            labels: self.labels,
            puzzle_identifiers: self.puzzle_identifiers,
            puzzle_indices: self.puzzle_indices,
            group_indices: self.group_indices,
        }
    }
}

fn tokens_u8(tokens: Vec<u32>) -> Vec<u8> {
    // Sudoku and maze tokens are at most 10.
    tokens.into_iter().map(|t| t as u8).collect()
}

/// The official Sudoku recipe's parameters (reference §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SudokuRecipe {
    /// Augmented versions per training puzzle, beside the original (version 0). The official README uses
    /// 1000. The test split is never augmented.
    pub num_aug: usize,
    /// Seed of the ChaCha8 streams that draw the augmentations.
    pub seed: u64,
    /// Keep the held-out solution grids ([`Split::HeldOut`]) out of training: a training puzzle whose
    /// solution is held out is an error, and an augmentation that maps a training solution onto a
    /// held-out grid is redrawn. Turn off only for puzzles that do not come from this crate's split
    /// (e.g. the official Sudoku-Extreme CSVs).
    pub guard_held_out: bool,
}

impl Default for SudokuRecipe {
    /// No augmentation, seed 0, held-out guard on.
    fn default() -> Self {
        Self { num_aug: 0, seed: 0, guard_held_out: true }
    }
}

/// Checks one Sudoku pair and returns its side.
fn check_sudoku_pair(
    split: &'static str,
    index: usize,
    puzzle: &Sudoku,
    solution: &Sudoku,
) -> Result<usize, DatasetError> {
    let fail = |message: String| Err(DatasetError::Input { split, index, message });
    if puzzle.side() != solution.side() {
        return fail(format!("a {0}×{0} puzzle with a {1}×{1} solution", puzzle.side(), solution.side()));
    }
    if !SUPPORTED_SIDES.contains(&puzzle.side()) {
        return fail(format!("side {} is not supported", puzzle.side()));
    }
    if !puzzle.is_solved_by(solution) {
        return fail("the solution does not solve the puzzle".to_string());
    }
    Ok(puzzle.side())
}

/// One split of Sudoku puzzles, as `build_sudoku_dataset.py` builds it: every version (the original
/// first, then `recipe.num_aug` augmentations when `training`) is its own single-example puzzle,
/// identifier 0; one group per original. Labels are the full solution (every cell supervised).
///
/// All puzzles must have the same side (4, 6 or 9). Metadata: `vocab_size = side + 2`,
/// `seq_len = side²`, one identifier, `mean_puzzle_examples = 1`, and `total_puzzles` equal to the
/// *group* count, as the official builder writes it.
pub fn sudoku_split(
    pairs: &[(Sudoku, Sudoku)],
    training: bool,
    recipe: &SudokuRecipe,
) -> Result<DatasetSplit, DatasetError> {
    let split = if training { "train" } else { "test" };
    let side = match pairs.first() {
        Some((puzzle, solution)) => check_sudoku_pair(split, 0, puzzle, solution)?,
        None => 9,
    };
    let mut out = SplitBuilder::new(side * side);
    let num_aug = if training { recipe.num_aug } else { 0 };
    for (index, (puzzle, solution)) in pairs.iter().enumerate() {
        let this_side = check_sudoku_pair(split, index, puzzle, solution)?;
        if this_side != side {
            let message = format!("a {this_side}×{this_side} puzzle among {side}×{side} ones");
            return Err(DatasetError::Input { split, index, message });
        }
        let guard = training && recipe.guard_held_out;
        if guard && Split::of(solution) == Split::HeldOut {
            let message = "its solution grid is in the held-out split, which training must not see".to_string();
            return Err(DatasetError::Input { split, index, message });
        }
        out.push_example(&tokens_u8(puzzle.to_tokens()), &tokens_u8(solution.to_tokens()));
        out.end_puzzle(0)?;
        let mut rng = stream_rng(recipe.seed, index as u64);
        for _ in 0..num_aug {
            let mut drawn = None;
            for _ in 0..MAX_REDRAWS {
                let aug = Augmentation::random(side, &mut rng);
                if let (Some(p), Some(s)) = (aug.apply(puzzle), aug.apply(solution))
                    && (!guard || Split::of(&s) == Split::Train)
                {
                    drawn = Some((p, s));
                    break;
                }
            }
            let Some((p, s)) = drawn else {
                let message = format!("{MAX_REDRAWS} augmentations in a row landed in the held-out split");
                return Err(DatasetError::Input { split, index, message });
            };
            out.push_example(&tokens_u8(p.to_tokens()), &tokens_u8(s.to_tokens()));
            out.end_puzzle(0)?;
        }
        out.end_group()?;
    }
    let groups = out.num_groups() as u64;
    let metadata = DatasetMetadata::official(side as u32 + 2, (side * side) as u32, 1, groups, groups, 1.0);
    Ok(out.finish(metadata))
}

/// A Sudoku dataset: `train` augmented by `recipe`, `test` as given (reference §7.2);
/// `identifiers.json` is `["<blank>"]`. Both splits must share one side.
pub fn sudoku_dataset(
    train: &[(Sudoku, Sudoku)],
    test: &[(Sudoku, Sudoku)],
    recipe: &SudokuRecipe,
) -> Result<Dataset, DatasetError> {
    let train_split = sudoku_split(train, true, recipe)?;
    let test_split = sudoku_split(test, false, recipe)?;
    single_identifier_dataset(train_split, test_split, train.is_empty(), test.is_empty(), "puzzles")
}

/// One split of mazes, as `build_maze_dataset.py` builds it: each maze is one group; with `training`
/// and `augment` its 8 dihedral versions (identity first, reference §7.6) are 8 single-example puzzles,
/// otherwise the maze alone is (the official builder augments the train split only). Identifier 0
/// everywhere; `vocab_size = 6`, `seq_len = side²`, `mean_puzzle_examples = 1`, `total_puzzles` = the
/// group count (the official quirk). All mazes must have the same side.
pub fn maze_split(pairs: &[(Maze, Maze)], training: bool, augment: bool) -> Result<DatasetSplit, DatasetError> {
    let split = if training { "train" } else { "test" };
    let side = pairs.first().map_or(1, |(p, _)| p.side());
    let mut out = SplitBuilder::new(side * side);
    let transforms: &[Dihedral] = if training && augment { &Dihedral::ALL } else { &[Dihedral::IDENTITY] };
    for (index, (puzzle, solution)) in pairs.iter().enumerate() {
        if puzzle.side() != side || solution.side() != side {
            let message =
                format!("side {} (answer side {}) among mazes of side {side}", puzzle.side(), solution.side());
            return Err(DatasetError::Input { split, index, message });
        }
        for &d in transforms {
            out.push_example(
                &tokens_u8(puzzle.transform(d).to_tokens()),
                &tokens_u8(solution.transform(d).to_tokens()),
            );
            out.end_puzzle(0)?;
        }
        out.end_group()?;
    }
    let groups = out.num_groups() as u64;
    let metadata = DatasetMetadata::official(Maze::VOCAB_SIZE as u32, (side * side) as u32, 1, groups, groups, 1.0);
    Ok(out.finish(metadata))
}

/// A maze dataset (reference §7.3): `train` with the 8 dihedral versions per maze when `augment` (the
/// official builder's `aug` flag, off by default there), `test` never augmented. Both splits must share
/// one side; `identifiers.json` is `["<blank>"]`.
pub fn maze_dataset(train: &[(Maze, Maze)], test: &[(Maze, Maze)], augment: bool) -> Result<Dataset, DatasetError> {
    let train_split = maze_split(train, true, augment)?;
    let test_split = maze_split(test, false, augment)?;
    single_identifier_dataset(train_split, test_split, train.is_empty(), test.is_empty(), "mazes")
}

/// Pairs two splits of a single-identifier domain; an empty split takes the other's shape.
fn single_identifier_dataset(
    mut train: DatasetSplit,
    mut test: DatasetSplit,
    train_empty: bool,
    test_empty: bool,
    what: &str,
) -> Result<Dataset, DatasetError> {
    if test_empty {
        test.metadata.vocab_size = train.metadata.vocab_size;
        test.metadata.seq_len = train.metadata.seq_len;
    } else if train_empty {
        train.metadata.vocab_size = test.metadata.vocab_size;
        train.metadata.seq_len = test.metadata.seq_len;
    } else if test.metadata.seq_len != train.metadata.seq_len {
        let message = format!("its side differs from the training {what}'");
        return Err(DatasetError::Input { split: "test", index: 0, message });
    }
    let dataset = Dataset { identifiers: vec![BLANK_NAME.to_string()], train, test, test_puzzles: None };
    dataset.validate()?;
    Ok(dataset)
}

/// One subset of ARC tasks (e.g. `training`, `evaluation`, `concept`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArcSubset {
    /// The subset's name (for messages).
    pub name: String,
    /// Its tasks, test outputs filled where solutions are known.
    pub tasks: Vec<NamedTask>,
    /// Whether this is a test set: its demonstrations go to the train split and its test pairs to the
    /// test split. Other subsets put both into the train split.
    pub test_set: bool,
}

/// The official ARC recipe's parameters (reference §7.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArcRecipe {
    /// Augmented versions per task beside the original (official: 1000); fewer when a task saturates.
    pub num_aug: usize,
    /// Seed of the ChaCha8 streams (subset shuffles, augmentations, translations).
    pub seed: u64,
    /// Canvas side (official 30, `seq_len = side²`); every grid, augmented ones included, must fit.
    pub canvas_side: usize,
}

impl Default for ArcRecipe {
    /// No augmentation, seed 0, the official 30×30 canvas.
    fn default() -> Self {
        Self { num_aug: 0, seed: 0, canvas_side: DEFAULT_CANVAS_SIDE }
    }
}

/// An ARC dataset as `build_arc_dataset.py` builds it (reference §7.4):
///
/// - each subset's tasks are shuffled (stream `u64::MAX − subset index` of the seed);
/// - each task becomes one group per split it has examples in; its versions (the original first, then up
///   to `num_aug` distinct augmentations, [`augmented_versions_with`]) are the group's puzzles;
/// - a test-set task's demonstrations go to train and its test pairs to test; any other task's
///   demonstrations and test pairs all go to train; a missing test output is the grid `[[0]]`;
/// - train-split examples are translated at random on the canvas except one per version
///   ([`training_offsets`]); test-split examples never are;
/// - identifiers: `<blank>` is 0, then every version name in order of first appearance in the train split
///   (subsets in the given order, shuffled task order, original before its augmentations); the test split
///   reuses them;
/// - metadata: `vocab_size` 12, `seq_len = canvas_side²`, `total_puzzles` = versions,
///   `mean_puzzle_examples` = examples / versions (0 for an empty split);
/// - `test_puzzles.json`: the test-set tasks as given, in subset order.
///
/// Task `k` overall (in shuffled order) draws its augmentations and translations from stream `k`.
pub fn arc_dataset(subsets: &[ArcSubset], recipe: &ArcRecipe) -> Result<Dataset, DatasetError> {
    let side = recipe.canvas_side;
    if !(1..=arc::MAX_SIDE).contains(&side) {
        return Err(DatasetError::Arc { task: String::new(), source: ArcError::CanvasSide { side } });
    }
    let blank_output = Grid::from_parts(1, 1, vec![0]);
    let mut train = SplitBuilder::new(side * side);
    let mut test = SplitBuilder::new(side * side);
    let mut names = vec![BLANK_NAME.to_string()];
    let mut ids: HashMap<String, i32> = HashMap::new();
    let mut test_tasks = Vec::new();
    let mut stream = 0u64;
    for (s, subset) in subsets.iter().enumerate() {
        if subset.test_set {
            test_tasks.extend(subset.tasks.iter().cloned());
        }
        let mut order: Vec<usize> = (0..subset.tasks.len()).collect();
        order.shuffle(&mut stream_rng(recipe.seed, u64::MAX - s as u64));
        for &t in &order {
            let named = &subset.tasks[t];
            let arc_error = |source: ArcError| DatasetError::Arc { task: named.name.clone(), source };
            let mut rng = stream_rng(recipe.seed, stream);
            stream += 1;
            let versions = augmented_versions_with(&named.name, &named.task, recipe.num_aug, &mut rng);
            for v in &versions {
                let id = match ids.get(&v.name) {
                    Some(&id) => id,
                    None => {
                        let id = i32::try_from(names.len()).map_err(|_| too_large("identifiers", names.len()))?;
                        ids.insert(v.name.clone(), id);
                        names.push(v.name.clone());
                        id
                    }
                };
                let tests = v.task.test.iter().map(|p| (&p.input, p.output.as_ref().unwrap_or(&blank_output)));
                let mut examples: Vec<(&Grid, &Grid)> = v.task.train.iter().map(|p| (&p.input, &p.output)).collect();
                if !subset.test_set {
                    examples.extend(tests.clone());
                }
                let offsets = training_offsets(&examples, side, &mut rng).map_err(arc_error)?;
                for (&(input, output), &offset) in examples.iter().zip(&offsets) {
                    let (i, o) = encode_example(input, output, side, offset).map_err(arc_error)?;
                    train.push_example(&i, &o);
                }
                train.end_puzzle(id)?;
                if subset.test_set {
                    for (input, output) in tests {
                        let (i, o) = encode_example(input, output, side, (0, 0)).map_err(arc_error)?;
                        test.push_example(&i, &o);
                    }
                    test.end_puzzle(id)?;
                }
            }
            train.end_group()?;
            if subset.test_set {
                test.end_group()?;
            }
        }
    }
    let count = u32::try_from(names.len()).map_err(|_| too_large("identifiers", names.len()))?;
    let metadata = |b: &SplitBuilder| {
        let mean = if b.num_puzzles() == 0 { 0.0 } else { b.num_examples() as f64 / b.num_puzzles() as f64 };
        DatasetMetadata::official(
            arc::VOCAB_SIZE as u32,
            (side * side) as u32,
            count,
            b.num_groups() as u64,
            b.num_puzzles() as u64,
            mean,
        )
    };
    let (train_meta, test_meta) = (metadata(&train), metadata(&test));
    let test_puzzles = (!test_tasks.is_empty()).then(|| tasks_to_json(&test_tasks));
    let dataset =
        Dataset { identifiers: names, train: train.finish(train_meta), test: test.finish(test_meta), test_puzzles };
    dataset.validate()?;
    Ok(dataset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arc::{Pair, Task, TestPair, crop, parse_name};
    use crate::maze::{Generator as MazeGenerator, MazeTier};
    use crate::sudoku::Generator;

    fn sudoku_pairs(side: usize, count: usize, split: Split, seed: u64) -> Vec<(Sudoku, Sudoku)> {
        let mut g = Generator::new(side, seed).unwrap().with_split(split);
        (0..count)
            .map(|_| {
                let p = g.next_puzzle(side * side / 2);
                (p.puzzle, p.solution)
            })
            .collect()
    }

    fn decode(side: usize, tokens: &[u8]) -> Sudoku {
        let t: Vec<u32> = tokens.iter().map(|&t| u32::from(t)).collect();
        Sudoku::from_predicted_tokens(side, &t).unwrap()
    }

    #[test]
    fn sudoku_counts_and_metadata_follow_the_official_builder() {
        let train = sudoku_pairs(9, 5, Split::Train, 1);
        let test = sudoku_pairs(9, 2, Split::HeldOut, 2);
        let recipe = SudokuRecipe { num_aug: 3, seed: 7, guard_held_out: true };
        let d = sudoku_dataset(&train, &test, &recipe).unwrap();
        let t = &d.train;
        assert_eq!((t.num_examples(), t.num_puzzles(), t.num_groups()), (20, 20, 5));
        assert!(t.puzzle_identifiers.iter().all(|&id| id == 0));
        assert_eq!(t.puzzle_indices, (0..=20).collect::<Vec<i32>>());
        assert_eq!(t.group_indices, vec![0, 4, 8, 12, 16, 20]);
        let m = &t.metadata;
        assert_eq!((m.pad_id, m.ignore_label_id, m.blank_identifier_id), (0, Some(0), 0));
        assert_eq!((m.vocab_size, m.seq_len, m.num_puzzle_identifiers), (11, 81, 1));
        // The official quirk: total_puzzles is the group count.
        assert_eq!((m.total_groups, m.total_puzzles, m.mean_puzzle_examples), (5, 5, 1.0));
        assert_eq!(m.sets, vec!["all".to_string()]);
        assert_eq!(d.identifiers, vec!["<blank>".to_string()]);
        // Version 0 is the original; every version is a valid pair with a training solution.
        assert_eq!(t.example(4).unwrap().0, &tokens_u8(train[1].0.to_tokens())[..]);
        for k in 0..20 {
            let (input, label) = t.example(k).unwrap();
            let (p, s) = (decode(9, input), decode(9, label));
            assert!(p.is_solved_by(&s), "example {k}");
            assert_eq!(Split::of(&s), Split::Train);
            assert_eq!(p.givens(), train[k / 4].0.givens());
        }
        // The test split is not augmented.
        assert_eq!((d.test.num_examples(), d.test.num_puzzles(), d.test.num_groups()), (2, 2, 2));
        assert_eq!(d.test.metadata.total_puzzles, 2);
        // Reproducible, and the seed matters.
        assert_eq!(sudoku_dataset(&train, &test, &recipe).unwrap(), d);
        let other = sudoku_dataset(&train, &test, &SudokuRecipe { seed: 8, ..recipe }).unwrap();
        assert_ne!(other.train.inputs, d.train.inputs);
        // Adding puzzles leaves the earlier groups as they were.
        let more = sudoku_split(&sudoku_pairs(9, 6, Split::Train, 1), true, &recipe).unwrap();
        assert_eq!(more.inputs[..20 * 81], d.train.inputs[..]);
    }

    #[test]
    fn held_out_grids_never_enter_training() {
        // 4×4 has 288 grids, 29 held out: augmentations hit them often.
        let train = sudoku_pairs(4, 3, Split::Train, 3);
        let guarded = sudoku_split(&train, true, &SudokuRecipe { num_aug: 60, seed: 1, guard_held_out: true }).unwrap();
        assert_eq!(guarded.num_examples(), 3 * 61);
        for k in 0..guarded.num_examples() {
            assert_eq!(Split::of(&decode(4, guarded.example(k).unwrap().1)), Split::Train, "example {k}");
        }
        let unguarded =
            sudoku_split(&train, true, &SudokuRecipe { num_aug: 60, seed: 1, guard_held_out: false }).unwrap();
        let held = (0..unguarded.num_examples())
            .filter(|&k| Split::of(&decode(4, unguarded.example(k).unwrap().1)) == Split::HeldOut)
            .count();
        assert!(held > 0, "the guard had nothing to do");
        let held_out = sudoku_pairs(4, 1, Split::HeldOut, 4);
        let err = sudoku_split(&held_out, true, &SudokuRecipe::default()).unwrap_err();
        assert!(err.to_string().contains("train puzzle 0") && err.to_string().contains("held-out"), "{err}");
        // Held-out grids are what the test split is for.
        assert!(sudoku_split(&held_out, false, &SudokuRecipe::default()).is_ok());
    }

    #[test]
    fn sudoku_sizes_and_bad_inputs() {
        let six = sudoku_pairs(6, 2, Split::Train, 5);
        let d = sudoku_dataset(&six, &[], &SudokuRecipe { num_aug: 1, ..SudokuRecipe::default() }).unwrap();
        assert_eq!((d.train.metadata.vocab_size, d.train.metadata.seq_len), (8, 36));
        assert_eq!((d.test.metadata.vocab_size, d.test.metadata.seq_len, d.test.num_examples()), (8, 36, 0));
        let four = sudoku_pairs(4, 1, Split::Train, 6);
        let mixed = [six[0].clone(), four[0].clone()];
        let err = sudoku_split(&mixed, true, &SudokuRecipe::default()).unwrap_err();
        assert!(matches!(err, DatasetError::Input { split: "train", index: 1, .. }), "{err}");
        let wrong = [(six[0].0.clone(), six[1].1.clone())];
        let err = sudoku_split(&wrong, false, &SudokuRecipe::default()).unwrap_err();
        assert!(err.to_string().contains("does not solve"), "{err}");
        let err = sudoku_dataset(&six, &four, &SudokuRecipe::default()).unwrap_err();
        assert!(matches!(err, DatasetError::Input { split: "test", .. }), "{err}");
    }

    #[test]
    fn maze_versions_are_the_dihedral_transforms() {
        let mut g = MazeGenerator::new(9, 1).unwrap();
        let pairs: Vec<(Maze, Maze)> = (0..3)
            .map(|_| {
                let m = g.next_maze(MazeTier::Easy);
                (m.puzzle, m.solution)
            })
            .collect();
        let d = maze_dataset(&pairs, &pairs[..1], true).unwrap();
        let t = &d.train;
        assert_eq!((t.num_examples(), t.num_puzzles(), t.num_groups()), (24, 24, 3));
        assert_eq!(t.group_indices, vec![0, 8, 16, 24]);
        assert_eq!((t.metadata.vocab_size, t.metadata.seq_len, t.metadata.total_puzzles), (6, 81, 3));
        for (k, d8) in Dihedral::ALL.into_iter().enumerate() {
            let (input, label) = t.example(8 + k).unwrap();
            assert_eq!(input, &tokens_u8(pairs[1].0.transform(d8).to_tokens())[..]);
            assert_eq!(label, &tokens_u8(pairs[1].1.transform(d8).to_tokens())[..]);
        }
        assert_eq!((d.test.num_examples(), d.test.num_groups()), (1, 1));
        let plain = maze_dataset(&pairs, &[], false).unwrap();
        assert_eq!((plain.train.num_examples(), plain.train.num_groups()), (3, 3));
        let mut other = MazeGenerator::new(11, 1).unwrap();
        let big = other.next_maze(MazeTier::Easy);
        let err = maze_split(&[pairs[0].clone(), (big.puzzle, big.solution)], true, true).unwrap_err();
        assert!(matches!(err, DatasetError::Input { index: 1, .. }), "{err}");
    }

    fn grid(rows: &[&[u8]]) -> Grid {
        Grid::from_rows(rows).unwrap()
    }

    fn arc_task(colour: u8, with_output: bool) -> Task {
        let a = grid(&[&[colour, 0], &[0, 0], &[1, 2]]);
        let b = grid(&[&[0, colour, 3]]);
        Task {
            train: vec![Pair { input: a.clone(), output: b.clone() }, Pair { input: b.clone(), output: a.clone() }],
            test: vec![TestPair { input: a, output: with_output.then_some(b) }],
        }
    }

    fn named(name: &str, task: Task) -> NamedTask {
        NamedTask { name: name.to_string(), task }
    }

    #[test]
    fn arc_follows_the_official_builder() {
        let subsets = vec![
            ArcSubset {
                name: "training".into(),
                tasks: vec![named("t1", arc_task(4, true)), named("t2", arc_task(5, false))],
                test_set: false,
            },
            ArcSubset { name: "evaluation".into(), tasks: vec![named("e1", arc_task(6, true))], test_set: true },
        ];
        let recipe = ArcRecipe { num_aug: 3, seed: 11, canvas_side: 10 };
        let d = arc_dataset(&subsets, &recipe).unwrap();
        assert_eq!(d.identifiers[0], "<blank>");
        // 3 tasks × 4 versions, each name once, originals before their augmentations.
        assert_eq!(d.identifiers.len(), 13);
        for group in 0..3 {
            let first = &d.identifiers[1 + 4 * group];
            assert!(!first.contains("|||"), "{first}");
            for k in 1..4 {
                assert_eq!(parse_name(&d.identifiers[1 + 4 * group + k]).unwrap().0, first.as_str());
            }
        }
        // The test set comes last: its names are identifiers 9..=12.
        assert_eq!(d.identifiers[9], "e1");
        let t = &d.train;
        assert_eq!((t.num_groups(), t.num_puzzles()), (3, 12));
        assert_eq!(t.puzzle_identifiers, (1..=12).collect::<Vec<i32>>());
        // Training tasks: 2 demonstrations + 1 test pair; the test set's task: its 2 demonstrations.
        let sizes: Vec<usize> = (0..12).map(|p| t.puzzle_rows(p).unwrap().len()).collect();
        assert_eq!(sizes, [3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2]);
        assert_eq!((t.metadata.vocab_size, t.metadata.seq_len), (12, 100));
        assert_eq!((t.metadata.total_groups, t.metadata.total_puzzles, t.metadata.num_puzzle_identifiers), (3, 12, 13));
        assert!((t.metadata.mean_puzzle_examples - 32.0 / 12.0).abs() < 1e-12);
        // One untranslated example per version: its canvas starts with a colour.
        for p in 0..12 {
            let at_origin = t.puzzle_rows(p).unwrap().filter(|&r| t.example(r).unwrap().0[0] >= 2).count();
            assert!(at_origin >= 1, "puzzle {p}");
        }
        // The test split: the evaluation task's test pair in each version, untranslated, same identifiers.
        let s = &d.test;
        assert_eq!((s.num_groups(), s.num_puzzles(), s.num_examples()), (1, 4, 4));
        assert_eq!(s.puzzle_identifiers, vec![9, 10, 11, 12]);
        assert_eq!((s.metadata.total_puzzles, s.metadata.mean_puzzle_examples), (4, 1.0));
        let (input, label) = s.example(0).unwrap();
        assert_eq!(crop(input, 10).unwrap(), subsets[1].tasks[0].task.test[0].input);
        assert_eq!(crop(label, 10).unwrap(), grid(&[&[0, 6, 3]]));
        for p in 1..4 {
            let name = &d.identifiers[s.puzzle_identifiers[p] as usize];
            let (_, aug) = parse_name(name).unwrap();
            let (input, _) = s.example(p).unwrap();
            assert_eq!(crop(input, 10).unwrap(), aug.apply(&subsets[1].tasks[0].task.test[0].input));
        }
        assert!(d.test_puzzles.as_deref().unwrap().starts_with("{\"e1\": "));
        assert_eq!(arc_dataset(&subsets, &recipe).unwrap(), d);
    }

    #[test]
    fn arc_missing_outputs_shuffles_and_canvas() {
        let tasks: Vec<NamedTask> = (0..6).map(|k| named(&format!("t{k}"), arc_task(4 + k as u8 % 5, false))).collect();
        let subsets = vec![ArcSubset { name: "training".into(), tasks, test_set: false }];
        let d = arc_dataset(&subsets, &ArcRecipe { num_aug: 0, seed: 1, canvas_side: 30 }).unwrap();
        assert_eq!(d.identifiers.len(), 7);
        assert!(d.test_puzzles.is_none());
        assert_eq!((d.test.num_examples(), d.test.num_groups(), d.test.metadata.seq_len), (0, 0, 900));
        let mut order = d.identifiers[1..].to_vec();
        assert_ne!(order, (0..6).map(|k| format!("t{k}")).collect::<Vec<_>>(), "the subset was not shuffled");
        order.sort();
        assert_eq!(order, (0..6).map(|k| format!("t{k}")).collect::<Vec<_>>());
        // The missing test output is [[0]]: one colour cell, colour 0 (token 2), wherever it was placed.
        let (_, label) = d.train.example(2).unwrap();
        let colours: Vec<u8> = label.iter().copied().filter(|&t| t >= 2).collect();
        assert_eq!(colours, vec![2]);
        let err = arc_dataset(&subsets, &ArcRecipe { canvas_side: 2, ..ArcRecipe::default() }).unwrap_err();
        assert!(matches!(&err, DatasetError::Arc { source: ArcError::DoesNotFit { .. }, .. }), "{err}");
        let err = arc_dataset(&subsets, &ArcRecipe { canvas_side: 31, ..ArcRecipe::default() }).unwrap_err();
        assert!(matches!(&err, DatasetError::Arc { source: ArcError::CanvasSide { side: 31 }, .. }), "{err}");
    }
}
