//! ARC-AGI tasks: strict JSON parsing, the official 30×30 token canvas, augmentation names, identifiers
//! and the official voting evaluator.
//!
//! Everything follows the implementation reference (§7.4 canvas and augmentation, §7.6 dihedral
//! transforms, §8 crop rule and voting) and the project's format contract (`docs/formats.md`, ARC):
//!
//! - [`parse_tasks`] reads a single task `{"train": [...], "test": [...]}` or a collection
//!   `{task_id: task, ...}`; [`merge_solutions`] fills test outputs from an ARC Prize solutions file
//!   `{task_id: [grid, ...]}`. Every rejection is an [`ArcError`] that names the task, the split, the
//!   pair, the grid and the row where they apply, plus the JSON line and column. Inputs larger than
//!   [`MAX_JSON_BYTES`] are refused before parsing.
//! - [`encode_grid`], [`encode_example`] and [`crop`] convert between grids and canvases (PAD 0, EOS 1,
//!   colour `c` → `c + 2`) of any side 1–30 ([`DEFAULT_CANVAS_SIDE`] is the official 30).
//! - [`Augmentation`] is a dihedral transform after a colour permutation, named
//!   `<id>|||t<t>|||<c0…c9>` ([`format_name`], [`parse_name`]); [`augmented_versions`] draws a task's
//!   augmented versions as the official builder does.
//! - [`Identifiers`] maps puzzle names to embedding rows (`identifiers.json`).
//! - [`Voter`] aggregates per-row predictions into ranked answers, pass@K and an ARC Prize submission.
//! - [`read_task_set`] resolves a path (a task or collection JSON, a directory of task files, or a
//!   list file of `subset/id` lines) into tasks, the one rule every command uses; [`check_canvas`]
//!   names a grid too large for a canvas.
//!
//! Indices in messages (pairs, rows, columns) are 0-based, as in the JSON arrays.

use std::fmt;

mod augment;
mod canvas;
mod grid;
mod identifiers;
mod parse;
mod task_set;
mod vote;

pub use augment::{
    Augmentation, AugmentedTask, NAME_SEPARATOR, augmented_versions, augmented_versions_with, format_name, parse_name,
};
pub use canvas::{
    COLOUR_OFFSET, DEFAULT_CANVAS_SIDE, EOS, PAD, VOCAB_SIZE, crop, encode_example, encode_grid, random_offset,
    training_offsets,
};
pub use grid::{Grid, MAX_SIDE, NamedTask, Pair, Task, TestPair, tasks_to_json};
pub use identifiers::{BLANK_NAME, EmbeddingRow, Identifiers, MAX_IDENTIFIERS_BYTES};
pub use parse::{MAX_JSON_BYTES, merge_solutions, parse_tasks, parse_tasks_bytes};
#[cfg(not(target_arch = "wasm32"))]
pub use task_set::read_task_set;
pub use task_set::{ListEntry, TaskSetError, check_canvas, entry_file_name, looks_like_json, parse_task_list};
pub use vote::{
    Candidate, Evaluation, PASS_KS, PairOutcome, PredictionRow, Submission, SubmissionTask, Voter, sigmoid,
};

/// Which list of a task a pair belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Split {
    /// The demonstration pairs (`"train"`).
    Train,
    /// The test pairs (`"test"`).
    Test,
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Split::Train => "train",
            Split::Test => "test",
        })
    }
}

/// Which grid of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GridRole {
    /// `"input"`.
    Input,
    /// `"output"`.
    Output,
}

impl fmt::Display for GridRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GridRole::Input => "input",
            GridRole::Output => "output",
        })
    }
}

/// Where in a task file something went wrong (boxed inside [`ArcError`] to keep results small).
/// Every part is optional; indices are 0-based.
///
/// Displayed like `task "007bbfb7", train[2].output, row 3, column 1 (JSON line 5, column 17)`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// The task's name (collection key, or the caller's name for a single task).
    pub task: Option<String>,
    /// `train` or `test`.
    pub split: Option<Split>,
    /// Index of the pair in its list.
    pub pair: Option<usize>,
    /// `input` or `output`.
    pub grid: Option<GridRole>,
    /// Row of the grid.
    pub row: Option<usize>,
    /// Column (cell) within the row.
    pub column: Option<usize>,
    /// Where the JSON parser stood when it stopped (1-based line and column, as `serde_json` counts
    /// them): at or just after the offending value, e.g. at the `]` that closes a grid with a ragged row.
    pub text: Option<(usize, usize)>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(task) = &self.task {
            parts.push(format!("task {task:?}"));
        }
        let mut path = String::new();
        if let Some(split) = self.split {
            path.push_str(&split.to_string());
        }
        if let Some(pair) = self.pair {
            path.push_str(&format!("[{pair}]"));
        }
        if let Some(grid) = self.grid {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&grid.to_string());
        }
        if !path.is_empty() {
            parts.push(path);
        }
        if let Some(row) = self.row {
            parts.push(format!("row {row}"));
        }
        if let Some(column) = self.column {
            parts.push(format!("column {column}"));
        }
        let mut text = if parts.is_empty() { "top level".to_string() } else { parts.join(", ") };
        if let Some((line, column)) = self.text {
            text.push_str(&format!(" (JSON line {line}, column {column})"));
        }
        f.write_str(&text)
    }
}

/// Everything that can go wrong in the ARC domain: parsing, encoding, names, identifiers, voting.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ArcError {
    /// The text is longer than the documented cap.
    #[error("the input is {bytes} bytes, more than the limit of {limit} bytes")]
    TooLarge { bytes: usize, limit: usize },
    /// Not JSON at all (syntax error, truncated text, invalid UTF-8).
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json { line: usize, column: usize, message: String },
    /// A JSON value of the wrong type (e.g. a string where a grid belongs).
    #[error("{at}: expected {expected}, found {found}")]
    WrongType { at: Box<Location>, expected: &'static str, found: String },
    /// A required key is absent.
    #[error("{at}: missing key \"{key}\"")]
    MissingKey { at: Box<Location>, key: &'static str },
    /// A key this format does not have (caught so that typos such as `"ouput"` are not ignored).
    #[error("{at}: unexpected key {key:?} (allowed: {allowed})")]
    UnknownKey { at: Box<Location>, key: String, allowed: &'static str },
    /// The same key twice in one object.
    #[error("{at}: duplicate key {key:?}")]
    DuplicateKey { at: Box<Location>, key: String },
    /// An empty `train` or `test` list.
    #[error("{at}: the list is empty (a task needs at least one pair)")]
    EmptyList { at: Box<Location> },
    /// A collection without tasks (`{}`).
    #[error("no tasks: the JSON object is empty")]
    NoTasks,
    /// A task name that cannot be used (empty, or containing the augmentation separator `|||`).
    #[error("{at}: unusable task name: {reason}")]
    BadTaskName { at: Box<Location>, reason: &'static str },
    /// A grid without rows (`[]`).
    #[error("{at}: the grid has no rows")]
    EmptyGrid { at: Box<Location> },
    /// A row without cells (`[]`).
    #[error("{at}: the row is empty")]
    EmptyRow { at: Box<Location> },
    /// More than 30 rows or columns.
    #[error("{at}: more than {MAX_SIDE} {what}")]
    GridTooLarge { at: Box<Location>, what: &'static str },
    /// A row whose length differs from row 0's.
    #[error("{at}: {found} cells, but row 0 has {expected}")]
    RaggedRow { at: Box<Location>, expected: usize, found: usize },
    /// A number that is not an integer colour 0–9.
    #[error("{at}: {found} is not a colour (integers 0-9)")]
    BadColour { at: Box<Location>, found: String },
    /// `Task::from_json` got a collection of several tasks.
    #[error("expected one task, found a collection of {count} tasks")]
    NotSingleTask { count: usize },
    /// A solutions file names a task that is not among the tasks.
    #[error("the solutions name task {task:?}, which is not among the tasks")]
    UnknownSolutionTask { task: String },
    /// A solutions entry whose length differs from the task's number of test pairs.
    #[error("task {task:?}: {found} solution grids for {expected} test pairs")]
    SolutionCount { task: String, expected: usize, found: usize },
    /// A solution that differs from an output the task already has.
    #[error("{at}: the solution differs from the output already in the task")]
    SolutionConflict { at: Box<Location> },
    /// `Grid::new` with an impossible shape.
    #[error("a {rows}x{cols} grid with {cells} cells: sides must be 1-{MAX_SIDE} and cells = rows x cols")]
    GridShape { rows: usize, cols: usize, cells: usize },
    /// `Grid::new` with a value above 9.
    #[error("cell {index} has value {value}, not a colour 0-9")]
    GridValue { index: usize, value: u8 },
    /// A canvas side outside 1–30.
    #[error("canvas side {side} is not supported (1-{MAX_SIDE})")]
    CanvasSide { side: usize },
    /// A grid that does not fit the canvas at the given offset.
    #[error("a {rows}x{cols} grid at offset ({r0}, {c0}) does not fit a {side}x{side} canvas")]
    DoesNotFit { rows: usize, cols: usize, r0: usize, c0: usize, side: usize },
    /// The empty (0×0) grid has no canvas encoding.
    #[error("an empty grid cannot be encoded")]
    EncodeEmpty,
    /// A token sequence whose length is not `side²`.
    #[error("{len} tokens do not make a {side}x{side} canvas")]
    CanvasLength { len: usize, side: usize },
    /// A malformed augmented puzzle name.
    #[error("malformed puzzle name {name:?}: {reason}")]
    BadName { name: String, reason: &'static str },
    /// A colour map that is not a permutation keeping 0 fixed.
    #[error("colour map {colours:?} is not a permutation of 0-9 with 0 fixed")]
    BadColourMap { colours: [u8; 10] },
    /// An unusable `identifiers.json`.
    #[error("identifiers: {message}")]
    Identifiers { message: String },
    /// A halting logit that is NaN.
    #[error("q_halt logit is NaN for puzzle {name:?}")]
    BadLogit { name: String },
}

impl ArcError {
    /// The location inside a task file, for the variants that have one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            ArcError::WrongType { at, .. }
            | ArcError::MissingKey { at, .. }
            | ArcError::UnknownKey { at, .. }
            | ArcError::DuplicateKey { at, .. }
            | ArcError::EmptyList { at }
            | ArcError::BadTaskName { at, .. }
            | ArcError::EmptyGrid { at }
            | ArcError::EmptyRow { at }
            | ArcError::GridTooLarge { at, .. }
            | ArcError::RaggedRow { at, .. }
            | ArcError::BadColour { at, .. }
            | ArcError::SolutionConflict { at } => Some(&**at),
            _ => None,
        }
    }

    fn location_mut(&mut self) -> Option<&mut Location> {
        match self {
            ArcError::WrongType { at, .. }
            | ArcError::MissingKey { at, .. }
            | ArcError::UnknownKey { at, .. }
            | ArcError::DuplicateKey { at, .. }
            | ArcError::EmptyList { at }
            | ArcError::BadTaskName { at, .. }
            | ArcError::EmptyGrid { at }
            | ArcError::EmptyRow { at }
            | ArcError::GridTooLarge { at, .. }
            | ArcError::RaggedRow { at, .. }
            | ArcError::BadColour { at, .. }
            | ArcError::SolutionConflict { at } => Some(&mut **at),
            _ => None,
        }
    }
}
