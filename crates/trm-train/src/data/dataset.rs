//! Training batches from dataset files, with the official training loader's rules (reference §6.6).
//!
//! The examples come from an [`ExampleStore`]: a split held in memory (the official layout, read
//! with [`Dataset::read_official_dir`]) or a compact file read row by row ([`CompactReader`]).
//!
//! The official loader (`puzzle_dataset.py`, `_iter_train`): iteration `i` (from 1) seeds a generator
//! with `seed + i`, draws `epochs_per_iter` permutations of the group ids up front and walks through
//! their concatenation; for each group it draws one of the group's puzzles uniformly and adds that
//! puzzle's examples in random order, without replacement, until the batch holds `B` rows (the rest of
//! a puzzle that does not fit is skipped); the incomplete batch at the end of an iteration is dropped.
//! Labels equal to `ignore_label_id` become −100. Differences: ChaCha8 instead of numpy's Philox, and
//! the example order is drawn from the same seeded stream (the official code uses numpy's unseeded
//! global generator there), so a run is reproducible and resumable.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use trm_puzzles::dataset::{CompactReader, Dataset, DatasetMetadata, DatasetSplit, SplitKind};

use super::{BatchSource, EvalSet, Rows, parse_state};
use crate::state::RngState;
use crate::{Batch, Error, IGNORE_LABEL_ID, Result};

/// One split's examples and index arrays.
pub trait ExampleStore: Send {
    /// The split's `dataset.json`.
    fn metadata(&self) -> &DatasetMetadata;
    /// `[N_puzzles]` embedding rows.
    fn puzzle_identifiers(&self) -> &[i32];
    /// `[N_puzzles + 1]` row offsets.
    fn puzzle_indices(&self) -> &[i32];
    /// `[N_groups + 1]` puzzle offsets.
    fn group_indices(&self) -> &[i32];
    /// Input and label tokens of rows `start .. start + count`, row-major.
    fn rows(&mut self, start: usize, count: usize) -> Result<(Vec<u8>, Vec<u8>)>;

    /// Number of examples.
    fn num_examples(&self) -> usize {
        self.puzzle_indices().last().map_or(0, |&n| n.max(0) as usize)
    }
}

impl ExampleStore for DatasetSplit {
    fn metadata(&self) -> &DatasetMetadata {
        &self.metadata
    }

    fn puzzle_identifiers(&self) -> &[i32] {
        &self.puzzle_identifiers
    }

    fn puzzle_indices(&self) -> &[i32] {
        &self.puzzle_indices
    }

    fn group_indices(&self) -> &[i32] {
        &self.group_indices
    }

    fn rows(&mut self, start: usize, count: usize) -> Result<(Vec<u8>, Vec<u8>)> {
        let l = self.seq_len();
        let span = start * l..(start + count) * l;
        match (self.inputs.get(span.clone()), self.labels.get(span)) {
            (Some(i), Some(o)) => Ok((i.to_vec(), o.to_vec())),
            _ => Err(Error::Config(format!("rows {start}..{} are outside the split", start + count))),
        }
    }
}

/// One split of a compact dataset file, read on demand.
pub struct CompactStore {
    reader: CompactReader<BufReader<File>>,
    kind: SplitKind,
}

impl CompactStore {
    /// Opens `path` and checks its head; rows are read (and their tokens checked) when needed.
    pub fn open(path: &Path, kind: SplitKind) -> Result<Self> {
        let file =
            File::open(path).map_err(|e| Error::Io { path: path.display().to_string(), message: e.to_string() })?;
        let reader = CompactReader::open(BufReader::new(file)).map_err(|e| data_error(path, e))?;
        Ok(Self { reader, kind })
    }

    /// The identifier names (`identifiers.json`).
    pub fn identifiers(&self) -> &[String] {
        self.reader.identifiers()
    }
}

impl ExampleStore for CompactStore {
    fn metadata(&self) -> &DatasetMetadata {
        self.reader.split(self.kind).metadata()
    }

    fn puzzle_identifiers(&self) -> &[i32] {
        self.reader.split(self.kind).puzzle_identifiers()
    }

    fn puzzle_indices(&self) -> &[i32] {
        self.reader.split(self.kind).puzzle_indices()
    }

    fn group_indices(&self) -> &[i32] {
        self.reader.split(self.kind).group_indices()
    }

    fn rows(&mut self, start: usize, count: usize) -> Result<(Vec<u8>, Vec<u8>)> {
        self.reader.read_examples(self.kind, start, count).map_err(|e| Error::Config(e.to_string()))
    }
}

fn data_error(path: &Path, e: trm_puzzles::dataset::DatasetError) -> Error {
    Error::Config(format!("{}: {e}", path.display()))
}

/// A dataset's train and test stores and its identifier names.
pub type OpenedDataset = (Box<dyn ExampleStore>, Box<dyn ExampleStore>, Vec<String>);

/// Opens a dataset: a directory in the official layout (read whole) or a compact file (read on
/// demand). Returns the train and test stores and the identifier names.
pub fn open_dataset(path: &Path) -> Result<OpenedDataset> {
    if path.is_dir() {
        let dataset = Dataset::read_official_dir(path).map_err(|e| data_error(path, e))?;
        let identifiers = dataset.identifiers.clone();
        Ok((Box::new(dataset.train), Box::new(dataset.test), identifiers))
    } else if path.is_file() {
        let train = CompactStore::open(path, SplitKind::Train)?;
        let test = CompactStore::open(path, SplitKind::Test)?;
        let identifiers = train.identifiers().to_vec();
        Ok((Box::new(train), Box::new(test), identifiers))
    } else {
        Err(Error::Io { path: path.display().to_string(), message: "no such dataset directory or file".into() })
    }
}

/// Offsets that start at 0, never decrease and end at the count they index, and identifiers inside the
/// table: what the loader's indexing relies on (files are checked on reading; this covers stores built
/// in memory).
fn check_index(store: &dyn ExampleStore) -> Result<()> {
    let monotone = |offsets: &[i32], end: usize, what: &str| -> Result<()> {
        let ok = offsets.first() == Some(&0)
            && offsets.windows(2).all(|w| w[0] < w[1])
            && offsets.last().is_some_and(|&last| last as usize == end);
        if ok { Ok(()) } else { Err(Error::Config(format!("the dataset's {what} are not valid offsets"))) }
    };
    let puzzles = store.puzzle_identifiers().len();
    monotone(store.group_indices(), puzzles, "group indices")?;
    let rows = store.puzzle_indices().last().map_or(0, |&n| n.max(0) as usize);
    monotone(store.puzzle_indices(), rows, "puzzle indices")?;
    if store.puzzle_indices().len() != puzzles + 1 {
        return Err(Error::Config("the dataset has puzzle indices for another number of puzzles".into()));
    }
    let ids = store.metadata().num_puzzle_identifiers as i64;
    if store.puzzle_identifiers().iter().any(|&id| !(0..ids).contains(&i64::from(id))) {
        return Err(Error::Config(format!("the dataset has puzzle identifiers outside 0..{ids}")));
    }
    Ok(())
}

/// The label the trainer sees for a stored label.
fn label_of(stored: u8, ignore: Option<u32>) -> i32 {
    if ignore == Some(u32::from(stored)) { IGNORE_LABEL_ID } else { i32::from(stored) }
}

/// The saved position of a [`DatasetSource`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct LoaderState {
    /// The current iteration (0 = none started yet).
    iteration: u64,
    /// The next position in the iteration's group order.
    cursor: usize,
    /// The iteration's generator, where it stands.
    rng: Option<RngState>,
    /// Batches handed out.
    batches: u64,
    /// The checksum of a dataset built in memory ([`DatasetSource::with_fingerprint`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fingerprint: Option<u32>,
}

/// The official training loader over one split.
pub struct DatasetSource {
    store: Box<dyn ExampleStore>,
    seed: u64,
    epochs_per_iter: usize,
    batch_size: usize,
    iteration: u64,
    order: Vec<u32>,
    cursor: usize,
    rng: ChaCha8Rng,
    batches: u64,
    fingerprint: Option<u32>,
}

impl DatasetSource {
    /// A loader of `batch_size` rows over `store`, seeded with `seed`, `epochs_per_iter` epochs per
    /// iteration (the official value is `eval_interval`; an incomplete batch is dropped once per
    /// iteration).
    pub fn new(store: Box<dyn ExampleStore>, seed: u64, epochs_per_iter: usize, batch_size: usize) -> Result<Self> {
        check_index(store.as_ref())?;
        let groups = store.group_indices().len().saturating_sub(1);
        if groups == 0 {
            return Err(Error::Config("the training split has no examples".into()));
        }
        if epochs_per_iter == 0 || batch_size == 0 {
            return Err(Error::Config("epochs_per_iter and the batch size must be positive".into()));
        }
        // The fewest rows an iteration can yield: every group contributes its smallest puzzle.
        let (gi, pi) = (store.group_indices(), store.puzzle_indices());
        let smallest_rows: usize = (0..groups)
            .map(|g| (gi[g] as usize..gi[g + 1] as usize).map(|p| (pi[p + 1] - pi[p]) as usize).min().unwrap_or(0))
            .sum();
        if smallest_rows.saturating_mul(epochs_per_iter) < batch_size {
            return Err(Error::Config(format!(
                "an iteration of {epochs_per_iter} epoch(s) over {groups} groups may yield only {} rows, fewer than \
                 one batch of {batch_size}; raise epochs_per_iter or lower the batch size",
                smallest_rows * epochs_per_iter
            )));
        }
        Ok(Self {
            store,
            seed,
            epochs_per_iter,
            batch_size,
            iteration: 0,
            order: Vec::new(),
            cursor: 0,
            rng: ChaCha8Rng::seed_from_u64(seed),
            batches: 0,
            fingerprint: None,
        })
    }

    /// Records a checksum of the data (for a dataset rebuilt from its recipe at every start): it is
    /// saved with the position, and [`BatchSource::restore`] refuses a state saved with another one.
    pub fn with_fingerprint(mut self, fingerprint: u32) -> Self {
        self.fingerprint = Some(fingerprint);
        self
    }

    /// The generator and group order of iteration `iteration`, freshly drawn.
    fn begin(&self, iteration: u64) -> (ChaCha8Rng, Vec<u32>) {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed.wrapping_add(iteration));
        let groups = self.store.group_indices().len() - 1;
        let mut order = Vec::with_capacity(groups * self.epochs_per_iter);
        for _ in 0..self.epochs_per_iter {
            let mut epoch: Vec<u32> = (0..groups as u32).collect();
            epoch.shuffle(&mut rng);
            order.extend(epoch);
        }
        (rng, order)
    }

    fn start_iteration(&mut self) {
        self.iteration += 1;
        let (rng, order) = self.begin(self.iteration);
        self.rng = rng;
        self.order = order;
        self.cursor = 0;
    }

    /// `_sample_batch`: one batch from the current iteration, or `None` when it runs out first.
    fn sample(&mut self) -> Result<Option<Batch>> {
        let seq_len = self.store.metadata().seq_len as usize;
        let ignore = self.store.metadata().ignore_label_id;
        let mut rows = Rows::padding(seq_len, self.batch_size);
        let mut filled = 0;
        while self.cursor < self.order.len() && filled < self.batch_size {
            let group = self.order[self.cursor] as usize;
            self.cursor += 1;
            let gi = self.store.group_indices();
            let puzzle = self.rng.random_range(gi[group] as usize..gi[group + 1] as usize);
            let pi = self.store.puzzle_indices();
            let (start, size) = (pi[puzzle] as usize, (pi[puzzle + 1] - pi[puzzle]) as usize);
            let take = size.min(self.batch_size - filled);
            let id = self.store.puzzle_identifiers()[puzzle] as u32;
            let (inputs, labels) = self.store.rows(start, size)?;
            let mut chosen: Vec<usize> = (0..size).collect();
            let (picked, _) = chosen.partial_shuffle(&mut self.rng, take);
            for &k in picked.iter() {
                let span = k * seq_len..(k + 1) * seq_len;
                let input: Vec<u32> = inputs[span.clone()].iter().map(|&t| u32::from(t)).collect();
                let label: Vec<i32> = labels[span].iter().map(|&t| label_of(t, ignore)).collect();
                rows.set(filled, &input, &label, id);
                filled += 1;
            }
        }
        if filled < self.batch_size { Ok(None) } else { rows.into_batch().map(Some) }
    }
}

impl BatchSource for DatasetSource {
    fn seq_len(&self) -> usize {
        self.store.metadata().seq_len as usize
    }

    fn vocab_size(&self) -> usize {
        self.store.metadata().vocab_size as usize
    }

    fn num_puzzle_identifiers(&self) -> usize {
        self.store.metadata().num_puzzle_identifiers as usize
    }

    fn next_batch(&mut self, needed: &[bool]) -> Result<Batch> {
        if needed.len() != self.batch_size {
            return Err(Error::InvalidBatch(format!(
                "the loader makes batches of {}, {} rows were asked for",
                self.batch_size,
                needed.len()
            )));
        }
        // Two fresh iterations in a row without a batch cannot happen (checked in `new`), but a bound
        // keeps a wrong index from looping forever.
        for _ in 0..3 {
            if self.iteration == 0 || self.cursor >= self.order.len() {
                self.start_iteration();
            }
            if let Some(batch) = self.sample()? {
                self.batches += 1;
                return Ok(batch);
            }
        }
        Err(Error::Config("the dataset yields no complete batch".into()))
    }

    fn state(&self) -> serde_json::Value {
        let state = LoaderState {
            iteration: self.iteration,
            cursor: self.cursor,
            rng: (self.iteration > 0).then(|| RngState::of(&self.rng)),
            batches: self.batches,
            fingerprint: self.fingerprint,
        };
        serde_json::to_value(state).unwrap_or_default()
    }

    fn restore(&mut self, state: &serde_json::Value) -> Result<()> {
        let state: LoaderState = parse_state("dataset loader", state)?;
        if let (Some(saved), Some(now)) = (state.fingerprint, self.fingerprint)
            && saved != now
        {
            return Err(Error::Config(format!(
                "the data differs from the data the run started with (checksum {now:#010x}, saved {saved:#010x}): \
                 the task files or the recipe changed, so the run cannot continue bit for bit"
            )));
        }
        if state.iteration > 0 {
            let (_, order) = self.begin(state.iteration);
            if state.cursor > order.len() {
                return Err(Error::Config(format!(
                    "saved loader position {} is past the iteration's end",
                    state.cursor
                )));
            }
            let rng = state.rng.ok_or_else(|| Error::Config("saved loader state has no generator".into()))?;
            self.order = order;
            self.rng = rng.restore()?;
        }
        self.iteration = state.iteration;
        self.cursor = state.cursor;
        self.batches = state.batches;
        Ok(())
    }

    fn describe(&self) -> String {
        let m = self.store.metadata();
        format!(
            "dataset: {} groups, {} examples, seq_len {}, vocab {}, {} puzzle identifiers",
            m.total_groups,
            self.store.num_examples(),
            m.seq_len,
            m.vocab_size,
            m.num_puzzle_identifiers
        )
    }
}

/// Up to `count` examples of a split, evenly spread over it, as an evaluation set.
pub fn store_eval_set(store: &mut dyn ExampleStore, count: usize, name: String) -> Result<EvalSet> {
    let n = store.num_examples();
    let count = count.min(n);
    let seq_len = store.metadata().seq_len as usize;
    let ignore = store.metadata().ignore_label_id;
    let mut set = EvalSet { name, seq_len, inputs: Vec::new(), labels: Vec::new(), puzzle_ids: Vec::new() };
    for k in 0..count {
        let row = k * n / count;
        let (inputs, labels) = store.rows(row, 1)?;
        // The puzzle holding the row: the last puzzle whose first row is at or before it.
        let pi = store.puzzle_indices();
        let puzzle = pi.partition_point(|&start| start as usize <= row).saturating_sub(1);
        let id = store.puzzle_identifiers().get(puzzle).copied().unwrap_or(0).max(0) as u32;
        set.inputs.extend(inputs.iter().map(|&t| u32::from(t)));
        set.labels.extend(labels.iter().map(|&t| label_of(t, ignore)));
        set.puzzle_ids.push(id);
    }
    Ok(set)
}
