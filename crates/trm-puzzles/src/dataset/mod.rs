//! Datasets for training: the official on-disk layout, a compact single-file format of our own, and
//! builders that turn our puzzles into either, following the official recipes.
//!
//! # In memory
//! A [`Dataset`] is what one official output directory holds: the puzzle-identifier names
//! (`identifiers.json`), a `train` and a `test` [`DatasetSplit`], and for ARC the original test puzzles
//! (`test_puzzles.json`). A split is one set (`"all"` for every official builder) of flat arrays
//! (implementation reference §7.1):
//!
//! - `inputs`, `labels`: `[N_examples × seq_len]` tokens, row-major; a label equal to `ignore_label_id`
//!   (0 in every official dataset) is not supervised;
//! - `puzzle_identifiers[k]`: the embedding row of puzzle `k`;
//! - `puzzle_indices`: `N_puzzles + 1` row offsets, rows `puzzle_indices[k] .. puzzle_indices[k + 1]` are the
//!   examples of puzzle `k`;
//! - `group_indices`: `N_groups + 1` puzzle offsets, a group being an original puzzle and its augmented
//!   versions (the training loader draws one puzzle per group);
//! - [`DatasetMetadata`]: exactly the fields of the official `dataset.json`.
//!
//! [`DatasetSplit::validate`] and [`Dataset::validate`] check everything the loaders rely on, and every
//! import runs them: offsets start at 0, increase strictly (no empty puzzle or group) and end at the row
//! and puzzle counts; tokens are below `vocab_size` (labels may also equal `ignore_label_id`); identifiers
//! are below `num_puzzle_identifiers`, which equals the number of names in `identifiers.json` (row 0
//! `"<blank>"`, no name twice); `total_groups` is the group count; `total_puzzles` is the puzzle count *or*
//! the group count (see the quirk below); train and test share `seq_len`, `vocab_size` and
//! `num_puzzle_identifiers`; exactly one set, named with ASCII letters, digits, `_` or `-`. Each error
//! names the file (or, for the compact format, the section) and the index.
//!
//! # The official layout (interchange)
//! [`Dataset::to_official_files`] / [`Dataset::from_official_files`] convert to and from the files of an
//! official output directory, as `(relative path, bytes)`, so they work without a filesystem (wasm32);
//! [`Dataset::write_official_dir`] / [`Dataset::read_official_dir`] do the same on disk:
//!
//! ```text
//! <dir>/identifiers.json                 ["<blank>", …]
//! <dir>/test_puzzles.json                ARC only: the original test-set tasks, with solutions
//! <dir>/train/dataset.json               DatasetMetadata
//! <dir>/train/all__inputs.npy            uint8 [N_examples, seq_len]
//! <dir>/train/all__labels.npy            uint8 [N_examples, seq_len]
//! <dir>/train/all__puzzle_identifiers.npy   int32 [N_puzzles]
//! <dir>/train/all__puzzle_indices.npy       int32 [N_puzzles + 1]
//! <dir>/train/all__group_indices.npy        int32 [N_groups + 1]
//! <dir>/test/…                           the same files
//! ```
//!
//! The `.npy` files are written byte-for-byte as `numpy.save` writes them ([`npy`]); import also accepts
//! other integer dtypes whose values fit (e.g. int64 indices), so the files the official Python builders
//! write load unchanged.
//!
//! # The compact format (for our trainer)
//! One file holding a whole [`Dataset`] ([`Dataset::to_compact_bytes`], [`Dataset::from_compact_bytes`],
//! [`CompactReader`] for streaming). All integers little-endian:
//!
//! ```text
//! offset  size         field
//! 0       8            magic 89 54 52 4D 44 53 0D 0A  ("\x89TRMDS\r\n")
//! 8       4            u32 format version = 1
//! 12      4            u32 J = length of the JSON header
//! 16      J            JSON header, UTF-8:
//!                        {"identifiers": [names…], "test_puzzles": string or null,
//!                         "train": {"metadata": {dataset.json fields}, "num_examples": N,
//!                                   "num_puzzles": P, "num_groups": G},
//!                         "test": {… the same …}}
//! 16+J    0–3          zero bytes up to a multiple of 4
//!         4·P          train puzzle_identifiers   i32
//!         4·(P+1)      train puzzle_indices       i32
//!         4·(G+1)      train group_indices        i32
//!         …            the same three arrays of test
//!         4            u32 CRC-32 of every byte before it (the "head")
//!         N·2·L        train rows: for each example, L input tokens then L label tokens (u8)
//!         4            u32 CRC-32 of the train rows
//!         …            test rows, then their CRC-32
//! ```
//!
//! `L` is the split's `seq_len`. The file ends there (trailing bytes are an error). CRC-32 is the
//! IEEE one (`zlib.crc32` in Python). The small index arrays come first, so a trainer reads the head once
//! and then seeks to any example: a puzzle's examples are one contiguous run of rows, inputs interleaved
//! with labels. Readers check the sizes against the file length before allocating anything, the head
//! checksum on opening and each split's row checksum when reading it whole ([`CompactReader::read_split`],
//! [`CompactReader::verify_rows`]); a single flipped bit anywhere is always reported. [`Dataset`] holds
//! everything in memory (the full official ARC-AGI-1 train split is ≈ 6.5 GB of tokens); a
//! [`CompactReader`] keeps only the head and reads rows on demand.
//!
//! # Builders
//! [`sudoku_dataset`], [`maze_dataset`] and [`arc_dataset`] follow the official builders (reference
//! §7.2–§7.4), seeded: every group draws from its own ChaCha8 stream (stream = the group's position; ARC
//! subset shuffles use streams counted down from `u64::MAX`), so the same puzzles and seed give the same
//! bytes on every platform, and appending puzzles leaves the earlier groups unchanged. (numpy's draws
//! cannot be reproduced; counts, layout and rules are the official ones.) Sudoku training sets keep the
//! held-out solution grids ([`crate::sudoku::Split::HeldOut`]) out: an augmentation landing on one is
//! redrawn ([`SudokuRecipe::guard_held_out`]). The official recipes' quirks are kept on purpose:
//! - Sudoku and maze metadata set `total_puzzles` to the *group* count, as `build_sudoku_dataset.py` and
//!   `build_maze_dataset.py` do, although with augmentation each group holds several single-example
//!   puzzles. Nothing in the official training code reads `total_puzzles`; validation accepts either value.
//! - Every Sudoku and maze puzzle has identifier 0 (`identifiers.json` is `["<blank>"]`).
//! - ARC test pairs without an output get the 1×1 grid `[[0]]`, as the official builder fills them.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::arc::{ArcError, Identifiers};

mod build;
mod compact;
mod crc;
pub use crc::{Crc32, crc32};
pub mod npy;
mod official;

pub use build::{
    ArcRecipe, ArcSubset, SudokuRecipe, arc_dataset, maze_dataset, maze_split, sudoku_dataset, sudoku_split,
};
pub use compact::{
    COMPACT_MAGIC, COMPACT_VERSION, CompactReader, CompactSplitIndex, MAX_COMPACT_HEADER_BYTES, SplitKind,
};
pub use npy::NpyError;

/// Largest `dataset.json` accepted (1 MiB; the official ones are about 250 bytes).
pub const MAX_METADATA_BYTES: usize = 1 << 20;

/// Everything that can go wrong reading, checking, writing or building a dataset.
///
/// `file` fields name the file relative to the dataset directory (e.g. `train/all__puzzle_indices.npy`),
/// or for the compact format the section (e.g. `compact train.puzzle_indices`). Indices are 0-based.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DatasetError {
    /// Reading or writing a file failed.
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    /// A file the layout requires is absent.
    #[error("{file}: the file is missing")]
    MissingFile { file: String },
    /// An `.npy` file that cannot be read.
    #[error("{file}: {source}")]
    Npy { file: String, source: NpyError },
    /// A JSON file or header that does not parse or has the wrong fields.
    #[error("{file}: {message}")]
    Json { file: String, message: String },
    /// An array of the wrong rank or length.
    #[error("{file}: {message}")]
    Shape { file: String, message: String },
    /// An offset array that does not start at 0, increase strictly and end at the count it indexes.
    #[error("{file}: index {index}: {message}")]
    Offsets { file: String, index: usize, message: String },
    /// A token at or above `vocab_size` (and, for labels, not the ignore label).
    #[error("{file}: row {row}, column {column}: token {token} is not below vocab_size {vocab_size}")]
    Token { file: String, row: usize, column: usize, token: u8, vocab_size: u32 },
    /// A puzzle identifier outside `0..num_puzzle_identifiers`.
    #[error("{file}: index {index}: identifier {id} is outside 0..{count} (num_puzzle_identifiers)")]
    Identifier { file: String, index: usize, id: i32, count: u32 },
    /// A metadata field that is impossible or disagrees with the arrays.
    #[error("{file}: field {field}: {message}")]
    Metadata { file: String, field: &'static str, message: String },
    /// An unusable `identifiers.json` (or identifier list).
    #[error("{file}: {message}")]
    Identifiers { file: String, message: String },
    /// The compact file does not start with [`COMPACT_MAGIC`].
    #[error("not a compact TRM dataset: the magic bytes \\x89TRMDS\\r\\n are missing")]
    CompactMagic,
    /// A compact format version this code does not read.
    #[error("compact dataset format version {found} is not supported (this code reads version {COMPACT_VERSION})")]
    CompactVersion { found: u32 },
    /// The data ends before the named part is complete.
    #[error("truncated {what}: {needed} bytes needed, {available} present")]
    Truncated { what: String, needed: u64, available: u64 },
    /// Bytes after the end of the compact file's last section.
    #[error("compact dataset: {extra} unexpected bytes after the end")]
    TrailingBytes { extra: u64 },
    /// A stored checksum that does not match the data.
    #[error("compact dataset: checksum mismatch in {section} (stored {stored:#010x}, computed {computed:#010x})")]
    Checksum { section: String, stored: u32, computed: u32 },
    /// Non-zero bytes where the compact format has zero padding.
    #[error("compact dataset: non-zero padding at byte {offset}")]
    Padding { offset: u64 },
    /// A size that does not fit the format (e.g. offsets beyond `i32`).
    #[error("{what}: {count} is more than the format can hold ({limit})")]
    TooLarge { what: String, count: u64, limit: u64 },
    /// A request for examples that a split does not have.
    #[error("{split}: examples {start}..{end} requested, the split has {available}")]
    ExampleRange { split: &'static str, start: usize, end: usize, available: usize },
    /// A puzzle given to a builder that cannot be used.
    #[error("{split} puzzle {index}: {message}")]
    Input { split: &'static str, index: usize, message: String },
    /// An ARC task that cannot be encoded (e.g. a grid larger than the canvas).
    #[error("ARC task {task:?}: {source}")]
    Arc { task: String, source: ArcError },
}

/// The official `dataset.json` (`PuzzleDatasetMetadata`), field for field and in the same order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetMetadata {
    /// Padding token of inputs (0 in every official dataset).
    pub pad_id: u32,
    /// Label value that is not supervised (0 officially; `null` when every label counts).
    pub ignore_label_id: Option<u32>,
    /// Identifier of padding rows (0 = `"<blank>"`).
    pub blank_identifier_id: u32,
    /// Tokens are `0..vocab_size`.
    pub vocab_size: u32,
    /// Tokens per example.
    pub seq_len: u32,
    /// Rows of the puzzle-embedding table (names in `identifiers.json`, blank included).
    pub num_puzzle_identifiers: u32,
    /// Number of groups (the training loader's unit).
    pub total_groups: u64,
    /// Examples per puzzle on average (the loader's step count uses it).
    pub mean_puzzle_examples: f64,
    /// Number of puzzles; the official Sudoku and maze builders write the group count here.
    pub total_puzzles: u64,
    /// Set names; every official builder writes `["all"]`. This crate supports exactly one set.
    pub sets: Vec<String>,
}

impl DatasetMetadata {
    /// Parses `dataset.json`; errors name `file`.
    pub fn from_json_bytes(bytes: &[u8], file: &str) -> Result<Self, DatasetError> {
        if bytes.len() > MAX_METADATA_BYTES {
            return Err(DatasetError::TooLarge {
                what: file.to_string(),
                count: bytes.len() as u64,
                limit: MAX_METADATA_BYTES as u64,
            });
        }
        serde_json::from_slice(bytes).map_err(|e| json_error(file, &e))
    }

    /// The JSON text (one line, fields in the official order).
    pub fn to_json(&self) -> String {
        // Serialising plain numbers, strings and a finite float cannot fail; NaN becomes `null`.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The name of the only set (`"all"` officially), or `""` when there is none.
    pub fn set_name(&self) -> &str {
        self.sets.first().map(String::as_str).unwrap_or("")
    }

    /// Metadata as the official builders fill it: PAD 0, ignore label 0, blank identifier 0, set `all`.
    pub(crate) fn official(
        vocab_size: u32,
        seq_len: u32,
        num_puzzle_identifiers: u32,
        total_groups: u64,
        total_puzzles: u64,
        mean_puzzle_examples: f64,
    ) -> Self {
        Self {
            pad_id: 0,
            ignore_label_id: Some(0),
            blank_identifier_id: 0,
            vocab_size,
            seq_len,
            num_puzzle_identifiers,
            total_groups,
            mean_puzzle_examples,
            total_puzzles,
            sets: vec!["all".to_string()],
        }
    }
}

pub(crate) fn json_error(file: &str, e: &serde_json::Error) -> DatasetError {
    DatasetError::Json { file: file.to_string(), message: format!("invalid JSON: {e}") }
}

/// One split (one set) in memory: the official arrays and their metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetSplit {
    /// The split's `dataset.json`.
    pub metadata: DatasetMetadata,
    /// `[N_examples × seq_len]` input tokens, row-major.
    pub inputs: Vec<u8>,
    /// `[N_examples × seq_len]` label tokens, row-major (`ignore_label_id` = not supervised).
    pub labels: Vec<u8>,
    /// `[N_puzzles]` embedding row of each puzzle.
    pub puzzle_identifiers: Vec<i32>,
    /// `[N_puzzles + 1]` row offsets.
    pub puzzle_indices: Vec<i32>,
    /// `[N_groups + 1]` puzzle offsets.
    pub group_indices: Vec<i32>,
}

/// Names the file (or compact section) of each array in error messages.
pub(crate) trait Names {
    fn array(&self, array: &str) -> String;
    fn metadata(&self) -> String;
}

/// The official directory's file names for one split.
pub(crate) struct OfficialNames<'a> {
    pub split: &'a str,
    pub set: &'a str,
}

impl Names for OfficialNames<'_> {
    fn array(&self, array: &str) -> String {
        format!("{}/{}__{array}.npy", self.split, self.set)
    }
    fn metadata(&self) -> String {
        format!("{}/dataset.json", self.split)
    }
}

fn metadata_error(names: &dyn Names, field: &'static str, message: String) -> DatasetError {
    DatasetError::Metadata { file: names.metadata(), field, message }
}

/// Checks the metadata alone.
pub(crate) fn check_metadata(meta: &DatasetMetadata, names: &dyn Names) -> Result<(), DatasetError> {
    match &meta.sets[..] {
        [name] if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') => {}
        [name] => {
            return Err(metadata_error(
                names,
                "sets",
                format!("set name {name:?} must be ASCII letters, digits, '_' or '-'"),
            ));
        }
        sets => {
            return Err(metadata_error(
                names,
                "sets",
                format!("{} sets {sets:?}: exactly one set is supported", sets.len()),
            ));
        }
    }
    if meta.seq_len == 0 {
        return Err(metadata_error(names, "seq_len", "must be at least 1".into()));
    }
    if meta.pad_id >= meta.vocab_size {
        return Err(metadata_error(
            names,
            "pad_id",
            format!("{} is not below vocab_size {}", meta.pad_id, meta.vocab_size),
        ));
    }
    if meta.blank_identifier_id >= meta.num_puzzle_identifiers {
        return Err(metadata_error(
            names,
            "blank_identifier_id",
            format!("{} is not below num_puzzle_identifiers {}", meta.blank_identifier_id, meta.num_puzzle_identifiers),
        ));
    }
    if !meta.mean_puzzle_examples.is_finite() || meta.mean_puzzle_examples < 0.0 {
        return Err(metadata_error(
            names,
            "mean_puzzle_examples",
            format!("{} is not a finite non-negative number", meta.mean_puzzle_examples),
        ));
    }
    Ok(())
}

/// Checks that `offsets` starts at 0, increases strictly and ends at `end`.
fn check_offsets(offsets: &[i32], end: usize, file: String, what: &str, unit: &str) -> Result<(), DatasetError> {
    let fail = |index: usize, message: String| Err(DatasetError::Offsets { file: file.clone(), index, message });
    match offsets.first() {
        None => {
            return Err(DatasetError::Shape {
                file,
                message: "the offset array is empty (it needs at least [0])".into(),
            });
        }
        Some(&first) if first != 0 => return fail(0, format!("the first offset is {first}, expected 0")),
        Some(_) => {}
    }
    for (k, w) in offsets.windows(2).enumerate() {
        if w[1] <= w[0] {
            return fail(
                k + 1,
                format!("offset {} does not exceed the previous {} ({what} {k} would have no {unit})", w[1], w[0]),
            );
        }
    }
    let last = offsets[offsets.len() - 1];
    if usize::try_from(last).ok() != Some(end) {
        return fail(offsets.len() - 1, format!("the last offset is {last}, expected {end} (the number of {unit})"));
    }
    Ok(())
}

/// Checks everything but the tokens: metadata, offsets, identifiers, counts.
pub(crate) fn check_structure(
    meta: &DatasetMetadata,
    num_examples: usize,
    puzzle_identifiers: &[i32],
    puzzle_indices: &[i32],
    group_indices: &[i32],
    names: &dyn Names,
) -> Result<(), DatasetError> {
    check_metadata(meta, names)?;
    if puzzle_indices.len() != puzzle_identifiers.len() + 1 {
        return Err(DatasetError::Shape {
            file: names.array("puzzle_indices"),
            message: format!(
                "{} offsets for {} puzzle identifiers (expected {})",
                puzzle_indices.len(),
                puzzle_identifiers.len(),
                puzzle_identifiers.len() + 1
            ),
        });
    }
    check_offsets(puzzle_indices, num_examples, names.array("puzzle_indices"), "puzzle", "examples")?;
    let num_puzzles = puzzle_identifiers.len();
    check_offsets(group_indices, num_puzzles, names.array("group_indices"), "group", "puzzles")?;
    let count = meta.num_puzzle_identifiers;
    if let Some((index, &id)) =
        puzzle_identifiers.iter().enumerate().find(|&(_, &id)| u32::try_from(id).map_or(true, |id| id >= count))
    {
        return Err(DatasetError::Identifier { file: names.array("puzzle_identifiers"), index, id, count });
    }
    let num_groups = group_indices.len() - 1;
    if meta.total_groups != num_groups as u64 {
        return Err(metadata_error(
            names,
            "total_groups",
            format!("{} but {} has {num_groups} groups", meta.total_groups, names.array("group_indices")),
        ));
    }
    if meta.total_puzzles != num_puzzles as u64 && meta.total_puzzles != num_groups as u64 {
        return Err(metadata_error(
            names,
            "total_puzzles",
            format!(
                "{} but the split has {num_puzzles} puzzles in {num_groups} groups (either count is accepted)",
                meta.total_puzzles
            ),
        ));
    }
    Ok(())
}

/// Checks tokens of whole rows; `first_row` numbers the rows in messages.
pub(crate) fn check_tokens(
    meta: &DatasetMetadata,
    inputs: &[u8],
    labels: &[u8],
    first_row: usize,
    names: &dyn Names,
) -> Result<(), DatasetError> {
    let vocab = meta.vocab_size;
    let seq_len = meta.seq_len.max(1) as usize;
    let at = |array: &str, pos: usize, token: u8| DatasetError::Token {
        file: names.array(array),
        row: first_row + pos / seq_len,
        column: pos % seq_len,
        token,
        vocab_size: vocab,
    };
    if let Some(pos) = inputs.iter().position(|&t| u32::from(t) >= vocab) {
        return Err(at("inputs", pos, inputs[pos]));
    }
    let ignore = meta.ignore_label_id;
    if let Some(pos) = labels.iter().position(|&t| u32::from(t) >= vocab && Some(u32::from(t)) != ignore) {
        return Err(at("labels", pos, labels[pos]));
    }
    Ok(())
}

impl DatasetSplit {
    /// Tokens per example.
    pub fn seq_len(&self) -> usize {
        self.metadata.seq_len as usize
    }

    /// Number of examples (rows).
    pub fn num_examples(&self) -> usize {
        self.inputs.len().checked_div(self.seq_len()).unwrap_or(0)
    }

    /// Number of puzzles.
    pub fn num_puzzles(&self) -> usize {
        self.puzzle_identifiers.len()
    }

    /// Number of groups.
    pub fn num_groups(&self) -> usize {
        self.group_indices.len().saturating_sub(1)
    }

    /// Input and label tokens of example `k`.
    pub fn example(&self, k: usize) -> Option<(&[u8], &[u8])> {
        let l = self.seq_len();
        let range = k.checked_mul(l)?..k.checked_add(1)?.checked_mul(l)?;
        Some((self.inputs.get(range.clone())?, self.labels.get(range)?))
    }

    /// The rows (examples) of puzzle `p`.
    pub fn puzzle_rows(&self, p: usize) -> Option<Range<usize>> {
        offset_range(&self.puzzle_indices, p)
    }

    /// The puzzles of group `g`.
    pub fn group_puzzles(&self, g: usize) -> Option<Range<usize>> {
        offset_range(&self.group_indices, g)
    }

    /// Checks the split as described in the [module docs](self); errors name the files of split `split`
    /// (`"train"` or `"test"`) in the official layout.
    pub fn validate(&self, split: &str) -> Result<(), DatasetError> {
        let set = self.metadata.set_name();
        self.validate_with(&OfficialNames { split, set })
    }

    pub(crate) fn validate_with(&self, names: &dyn Names) -> Result<(), DatasetError> {
        check_metadata(&self.metadata, names)?;
        let seq_len = self.seq_len();
        if !self.inputs.len().is_multiple_of(seq_len) {
            return Err(DatasetError::Shape {
                file: names.array("inputs"),
                message: format!("{} tokens are not a whole number of rows of seq_len {seq_len}", self.inputs.len()),
            });
        }
        if self.labels.len() != self.inputs.len() {
            return Err(DatasetError::Shape {
                file: names.array("labels"),
                message: format!("{} label tokens for {} input tokens", self.labels.len(), self.inputs.len()),
            });
        }
        check_structure(
            &self.metadata,
            self.num_examples(),
            &self.puzzle_identifiers,
            &self.puzzle_indices,
            &self.group_indices,
            names,
        )?;
        check_tokens(&self.metadata, &self.inputs, &self.labels, 0, names)
    }
}

fn offset_range(offsets: &[i32], k: usize) -> Option<Range<usize>> {
    let start = usize::try_from(*offsets.get(k)?).ok()?;
    let end = usize::try_from(*offsets.get(k.checked_add(1)?)?).ok()?;
    (start <= end).then_some(start..end)
}

/// A whole dataset: what one official output directory (or one compact file) holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// `identifiers.json`: the name of each embedding row, `"<blank>"` at 0.
    pub identifiers: Vec<String>,
    /// The training split.
    pub train: DatasetSplit,
    /// The evaluation split (may have no examples).
    pub test: DatasetSplit,
    /// `test_puzzles.json` (ARC only): the original test-set tasks with solutions, as JSON text.
    pub test_puzzles: Option<String>,
}

/// The name of the identifiers file.
pub(crate) const IDENTIFIERS_FILE: &str = "identifiers.json";
/// The name of the ARC test-puzzles file.
pub(crate) const TEST_PUZZLES_FILE: &str = "test_puzzles.json";

/// Checks what ties the splits together; `names_of(split)` names each split's files.
pub(crate) fn check_dataset_level(
    identifiers: &[String],
    train: &DatasetMetadata,
    test: &DatasetMetadata,
    test_puzzles: Option<&str>,
    identifiers_file: &str,
    train_names: &dyn Names,
    test_names: &dyn Names,
) -> Result<(), DatasetError> {
    Identifiers::from_names(identifiers.to_vec())
        .map_err(|e| DatasetError::Identifiers { file: identifiers_file.to_string(), message: e.to_string() })?;
    for (names, meta) in [(train_names, train), (test_names, test)] {
        if meta.num_puzzle_identifiers as usize != identifiers.len() {
            return Err(metadata_error(
                names,
                "num_puzzle_identifiers",
                format!("{} but {identifiers_file} lists {} names", meta.num_puzzle_identifiers, identifiers.len()),
            ));
        }
    }
    for (field, a, b) in [("seq_len", train.seq_len, test.seq_len), ("vocab_size", train.vocab_size, test.vocab_size)] {
        if a != b {
            return Err(metadata_error(test_names, field, format!("{b} but the train split has {a}")));
        }
    }
    if let Some(text) = test_puzzles {
        serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|e| json_error(TEST_PUZZLES_FILE, &e))?;
    }
    Ok(())
}

impl Dataset {
    /// Checks both splits and what ties them together (see the [module docs](self)).
    pub fn validate(&self) -> Result<(), DatasetError> {
        self.train.validate("train")?;
        self.test.validate("test")?;
        check_dataset_level(
            &self.identifiers,
            &self.train.metadata,
            &self.test.metadata,
            self.test_puzzles.as_deref(),
            IDENTIFIERS_FILE,
            &OfficialNames { split: "train", set: self.train.metadata.set_name() },
            &OfficialNames { split: "test", set: self.test.metadata.set_name() },
        )
    }

    /// A CRC-32 over everything the dataset holds (identifiers, both splits' metadata, index arrays and
    /// rows, the test puzzles), each part preceded by its length: equal datasets give equal checksums,
    /// so a run can tell whether a dataset it rebuilds is the one it started with. (Not the compact
    /// file's checksums: a CRC over data followed by its own CRC is the same for all data.)
    pub fn checksum(&self) -> u32 {
        let mut crc = crc::Crc32::new();
        let mut part = |bytes: &[u8]| {
            crc.update(&(bytes.len() as u64).to_le_bytes());
            crc.update(bytes);
        };
        for name in &self.identifiers {
            part(name.as_bytes());
        }
        for split in [&self.train, &self.test] {
            part(split.metadata.to_json().as_bytes());
            for array in [&split.puzzle_identifiers, &split.puzzle_indices, &split.group_indices] {
                let bytes: Vec<u8> = array.iter().flat_map(|v| v.to_le_bytes()).collect();
                part(&bytes);
            }
            part(&split.inputs);
            part(&split.labels);
        }
        part(self.test_puzzles.as_deref().unwrap_or("").as_bytes());
        crc.finish()
    }

    /// The split of `kind`.
    pub fn split(&self, kind: SplitKind) -> &DatasetSplit {
        match kind {
            SplitKind::Train => &self.train,
            SplitKind::Test => &self.test,
        }
    }
}

/// Feeds arbitrary bytes to every dataset parser (the `.npy` reader, the compact reader, the
/// `dataset.json` and `identifiers.json` parsers). For fuzzing: it must never panic, whatever the bytes.
#[doc(hidden)]
pub fn fuzz_dataset_bytes(data: &[u8]) {
    let _ = npy::parse_header(data);
    let _ = npy::read_u8(data);
    let _ = npy::read_i32(data);
    let _ = Dataset::from_compact_bytes(data);
    if let Ok(mut reader) = CompactReader::open(std::io::Cursor::new(data)) {
        let _ = reader.read_examples(SplitKind::Train, 0, 1);
        let _ = reader.verify_rows(SplitKind::Test);
    }
    let _ = DatasetMetadata::from_json_bytes(data, "dataset.json");
    let _ = Dataset::from_official_files(|_| Ok(Some(data.to_vec())));
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Two puzzles of 2 and 1 examples in one group (train), one puzzle (test); seq_len 3, vocab 5.
    pub(crate) fn tiny() -> Dataset {
        let meta = |groups, puzzles, mean| DatasetMetadata::official(5, 3, 3, groups, puzzles, mean);
        Dataset {
            identifiers: vec!["<blank>".into(), "a".into(), "b".into()],
            train: DatasetSplit {
                metadata: meta(1, 2, 1.5),
                inputs: vec![1, 2, 3, 4, 0, 1, 2, 2, 2],
                labels: vec![0, 2, 3, 4, 4, 1, 0, 0, 1],
                puzzle_identifiers: vec![1, 2],
                puzzle_indices: vec![0, 2, 3],
                group_indices: vec![0, 2],
            },
            test: DatasetSplit {
                metadata: meta(1, 1, 1.0),
                inputs: vec![3, 3, 3],
                labels: vec![4, 4, 4],
                puzzle_identifiers: vec![2],
                puzzle_indices: vec![0, 1],
                group_indices: vec![0, 1],
            },
            test_puzzles: None,
        }
    }

    fn err_of(f: impl FnOnce(&mut Dataset)) -> String {
        let mut d = tiny();
        f(&mut d);
        d.validate().unwrap_err().to_string()
    }

    #[test]
    fn tiny_is_valid_and_accessors_work() {
        let d = tiny();
        d.validate().unwrap();
        let t = &d.train;
        assert_eq!((t.num_examples(), t.num_puzzles(), t.num_groups(), t.seq_len()), (3, 2, 1, 3));
        assert_eq!(t.example(1), Some((&[4, 0, 1][..], &[4, 4, 1][..])));
        assert_eq!(t.example(3), None);
        assert_eq!(t.example(usize::MAX), None);
        assert_eq!((t.puzzle_rows(0), t.puzzle_rows(1), t.puzzle_rows(2)), (Some(0..2), Some(2..3), None));
        assert_eq!(t.group_puzzles(0), Some(0..2));
        assert_eq!(d.split(SplitKind::Test).num_examples(), 1);
    }

    #[test]
    fn every_violation_names_file_and_index() {
        type Mutation = Box<dyn FnOnce(&mut Dataset)>;
        let cases: Vec<(Mutation, &str)> = vec![
            (
                Box::new(|d| d.train.puzzle_indices[0] = 1),
                "train/all__puzzle_indices.npy: index 0: the first offset is 1",
            ),
            (
                Box::new(|d| d.train.puzzle_indices[1] = 0),
                "train/all__puzzle_indices.npy: index 1: offset 0 does not exceed",
            ),
            (
                Box::new(|d| d.train.puzzle_indices[2] = 4),
                "train/all__puzzle_indices.npy: index 2: the last offset is 4, expected 3",
            ),
            (
                Box::new(|d| d.train.group_indices = vec![0, 1]),
                "train/all__group_indices.npy: index 1: the last offset is 1, expected 2",
            ),
            (Box::new(|d| d.test.group_indices = vec![]), "test/all__group_indices.npy: the offset array is empty"),
            (
                Box::new(|d| d.train.puzzle_identifiers.push(1)),
                "train/all__puzzle_indices.npy: 3 offsets for 3 puzzle identifiers",
            ),
            (
                Box::new(|d| d.train.inputs[4] = 5),
                "train/all__inputs.npy: row 1, column 1: token 5 is not below vocab_size 5",
            ),
            (Box::new(|d| d.test.labels[2] = 9), "test/all__labels.npy: row 0, column 2: token 9"),
            (
                Box::new(|d| d.train.labels.pop().map(|_| ()).unwrap_or(())),
                "train/all__labels.npy: 8 label tokens for 9",
            ),
            (Box::new(|d| d.train.inputs.push(0)), "train/all__inputs.npy: 10 tokens are not a whole number of rows"),
            (
                Box::new(|d| d.train.puzzle_identifiers[1] = 3),
                "train/all__puzzle_identifiers.npy: index 1: identifier 3 is outside 0..3",
            ),
            (
                Box::new(|d| d.test.puzzle_identifiers[0] = -1),
                "test/all__puzzle_identifiers.npy: index 0: identifier -1",
            ),
            (Box::new(|d| d.train.metadata.total_groups = 2), "train/dataset.json: field total_groups"),
            (Box::new(|d| d.train.metadata.total_puzzles = 3), "train/dataset.json: field total_puzzles"),
            (Box::new(|d| d.train.metadata.pad_id = 5), "train/dataset.json: field pad_id"),
            (Box::new(|d| d.train.metadata.seq_len = 0), "train/dataset.json: field seq_len"),
            (
                Box::new(|d| d.test.metadata.mean_puzzle_examples = f64::NAN),
                "test/dataset.json: field mean_puzzle_examples",
            ),
            (Box::new(|d| d.test.metadata.sets = vec![]), "test/dataset.json: field sets: 0 sets"),
            (
                Box::new(|d| d.test.metadata.sets = vec!["../x".into()]),
                "test/dataset.json: field sets: set name \"../x\"",
            ),
            (
                Box::new(|d| d.identifiers.push("c".into())),
                "train/dataset.json: field num_puzzle_identifiers: 3 but identifiers.json lists 4",
            ),
            (Box::new(|d| d.identifiers[0] = "x".into()), "identifiers.json: identifiers: row 0 is \"x\""),
            (
                Box::new(|d| d.identifiers[2] = "a".into()),
                "identifiers.json: identifiers: \"a\" appears at rows 1 and 2",
            ),
            (
                Box::new(|d| {
                    d.test.metadata.seq_len = 1;
                    d.test.metadata.total_groups = 3;
                    d.test.metadata.total_puzzles = 3;
                    d.test.puzzle_identifiers = vec![0, 0, 0];
                    d.test.puzzle_indices = vec![0, 1, 2, 3];
                    d.test.group_indices = vec![0, 1, 2, 3];
                }),
                "test/dataset.json: field seq_len: 1 but the train split has 3",
            ),
            (Box::new(|d| d.test_puzzles = Some("{".into())), "test_puzzles.json: invalid JSON"),
        ];
        for (mutate, expected) in cases {
            let message = err_of(mutate);
            assert!(message.starts_with(expected), "{message}\n  expected: {expected}");
        }
        // The ignore label may exceed the vocabulary; the group count is accepted as total_puzzles.
        let mut d = tiny();
        d.train.metadata.ignore_label_id = Some(200);
        d.train.labels[0] = 200;
        d.train.metadata.total_puzzles = 1;
        d.validate().unwrap();
    }

    #[test]
    fn metadata_json_is_exactly_the_official_fields() {
        let text = r#"{"pad_id": 0, "ignore_label_id": 0, "blank_identifier_id": 0, "vocab_size": 11, "seq_len": 81,
            "num_puzzle_identifiers": 1, "total_groups": 1000, "mean_puzzle_examples": 1, "total_puzzles": 1000,
            "sets": ["all"]}"#;
        let m = DatasetMetadata::from_json_bytes(text.as_bytes(), "train/dataset.json").unwrap();
        assert_eq!(m, DatasetMetadata::official(11, 81, 1, 1000, 1000, 1.0));
        assert_eq!(
            m.to_json(),
            r#"{"pad_id":0,"ignore_label_id":0,"blank_identifier_id":0,"vocab_size":11,"seq_len":81,"num_puzzle_identifiers":1,"total_groups":1000,"mean_puzzle_examples":1.0,"total_puzzles":1000,"sets":["all"]}"#
        );
        let null = text.replace(r#""ignore_label_id": 0"#, r#""ignore_label_id": null"#);
        assert_eq!(DatasetMetadata::from_json_bytes(null.as_bytes(), "x").unwrap().ignore_label_id, None);
        let extra = text.replace(r#""sets""#, r#""extra": 1, "sets""#);
        let err = DatasetMetadata::from_json_bytes(extra.as_bytes(), "train/dataset.json").unwrap_err();
        assert!(err.to_string().starts_with("train/dataset.json: invalid JSON: unknown field `extra`"), "{err}");
        let negative = text.replace(r#""pad_id": 0"#, r#""pad_id": -1"#);
        assert!(DatasetMetadata::from_json_bytes(negative.as_bytes(), "x").is_err());
        let missing = text.replace(r#""seq_len": 81,"#, "");
        assert!(DatasetMetadata::from_json_bytes(missing.as_bytes(), "x").unwrap_err().to_string().contains("seq_len"));
    }

    #[test]
    fn official_files_round_trip_and_name_what_is_missing() {
        let d = tiny();
        let files = d.to_official_files().unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names[..3], ["identifiers.json", "train/dataset.json", "train/all__inputs.npy"]);
        assert_eq!(names.len(), 13);
        let map: std::collections::BTreeMap<String, Vec<u8>> = files.into_iter().collect();
        assert_eq!(Dataset::from_official_files(|n| Ok(map.get(n).cloned())).unwrap(), d);
        for missing in ["identifiers.json", "test/dataset.json", "train/all__group_indices.npy"] {
            let err = Dataset::from_official_files(|n| Ok(map.get(n).filter(|_| n != missing).cloned())).unwrap_err();
            assert_eq!(err, DatasetError::MissingFile { file: missing.into() });
        }
        let with = |name: &str, bytes: Vec<u8>| {
            let mut m = map.clone();
            m.insert(name.to_string(), bytes);
            Dataset::from_official_files(|n| Ok(m.get(n).cloned())).unwrap_err().to_string()
        };
        let e = with("train/all__inputs.npy", npy::write_u8(&[9], &[1; 9]).unwrap());
        assert!(e.starts_with("train/all__inputs.npy: expected a 2-D array"), "{e}");
        let e = with("train/all__inputs.npy", npy::write_u8(&[3, 2], &[1; 6]).unwrap());
        assert!(e.contains("does not match seq_len 3"), "{e}");
        let e = with("train/all__labels.npy", npy::write_u8(&[2, 3], &[1; 6]).unwrap());
        assert!(e.starts_with("train/all__labels.npy: shape [2, 3] differs"), "{e}");
        let e = with("test/all__puzzle_indices.npy", b"garbage".to_vec());
        assert!(e.starts_with("test/all__puzzle_indices.npy: not an .npy file"), "{e}");
        let e = with("test/all__puzzle_indices.npy", npy::write_i32(&[1, 2], &[0, 1]).unwrap());
        assert!(e.starts_with("test/all__puzzle_indices.npy: expected a 1-D array"), "{e}");
        let e = with("train/all__puzzle_indices.npy", npy::write_i32(&[3], &[0, 2, 2]).unwrap());
        assert!(
            e.starts_with("train/all__puzzle_indices.npy: index 2: offset 2 does not exceed the previous 2"),
            "{e}"
        );
        let e = with("test_puzzles.json", vec![0xff]);
        assert!(e.starts_with("test_puzzles.json: invalid UTF-8"), "{e}");
        // int64 indices (as `np.array(list)` gives without a dtype) load when the values fit.
        let mut wide = map.clone();
        let mut i64_bytes = b"\x93NUMPY\x01\x00".to_vec();
        let dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }\n";
        i64_bytes.extend_from_slice(&(dict.len() as u16).to_le_bytes());
        i64_bytes.extend_from_slice(dict.as_bytes());
        for v in [0i64, 1] {
            i64_bytes.extend_from_slice(&v.to_le_bytes());
        }
        wide.insert("test/all__group_indices.npy".into(), i64_bytes);
        assert_eq!(Dataset::from_official_files(|n| Ok(wide.get(n).cloned())).unwrap(), d);
    }

    #[test]
    fn fuzz_entry_point_survives_garbage() {
        let d = tiny();
        let compact = d.to_compact_bytes().unwrap();
        for bytes in [&b""[..], b"\x93NUMPY", b"{}", &compact, &compact[..compact.len() / 2]] {
            fuzz_dataset_bytes(bytes);
        }
    }
}
