//! Batch sources: the held-out guard of the Sudoku generator, resumable positions, and the official
//! loader over a dataset written by `trm_puzzles::dataset`.

use std::collections::{BTreeMap, HashMap, HashSet};

use trm_puzzles::dataset::{DatasetMetadata, DatasetSplit, SudokuRecipe, sudoku_dataset};
use trm_puzzles::sudoku::{Generator, Split};
use trm_puzzles::{Maze, Sudoku};
use trm_train::data::dataset::{DatasetSource, open_dataset};
use trm_train::data::generate::{GenerateRecipe, MazeSource, SudokuSource};
use trm_train::data::{BatchSource, ExampleStore};
use trm_train::{Batch, IGNORE_LABEL_ID};

fn recipe(tiers: &[&str], augment: f64) -> GenerateRecipe {
    GenerateRecipe {
        seed: 3,
        tiers: tiers.iter().map(|t| (t.to_string(), 1.0)).collect(),
        curriculum: Vec::new(),
        augment,
    }
}

fn grid_of_labels(side: usize, labels: &[i32]) -> Sudoku {
    let text: String = labels.iter().map(|&l| char::from(b'0' + (l - 1) as u8)).collect();
    assert_eq!(text.len(), side * side);
    Sudoku::parse(&text).unwrap()
}

fn grid_of_inputs(inputs: &[u32]) -> Sudoku {
    let text: String = inputs.iter().map(|&t| if t <= 1 { '.' } else { char::from(b'0' + (t - 1) as u8) }).collect();
    Sudoku::parse(&text).unwrap()
}

#[test]
fn sudoku_4x4_source_never_emits_a_held_out_grid() {
    let mut source = SudokuSource::new(4, &recipe(&["easy", "medium", "hard", "extreme"], 1.0)).expect("source");
    let needed = vec![true; 64];
    let mut grids = HashSet::new();
    for _ in 0..150 {
        let batch = source.next_batch(&needed).unwrap();
        for b in 0..64 {
            let row = b * 16..(b + 1) * 16;
            let solution = grid_of_labels(4, &batch.labels()[row.clone()]);
            let puzzle = grid_of_inputs(&batch.inputs()[row]);
            assert!(solution.is_solved(), "{solution}");
            assert!(puzzle.is_solved_by(&solution), "{puzzle} / {solution}");
            assert_eq!(Split::of(&solution), Split::Train, "held-out grid {solution} was emitted");
            grids.insert(solution.to_string());
        }
        assert!(batch.puzzle_ids().iter().all(|&id| id == 0));
    }
    // 9600 examples reach (nearly) every one of the 259 training grids, and none of the 29 held out.
    assert!(grids.len() > 240, "only {} distinct grids", grids.len());
    let held_out: HashSet<String> = (0..2000)
        .map(|s| Generator::new(4, s).unwrap().with_split(Split::HeldOut).solution_grid().to_string())
        .collect();
    assert!(held_out.len() > 20, "the held-out side has {} grids", held_out.len());
    assert!(held_out.iter().all(|g| !grids.contains(g)));
}

#[test]
fn generators_fill_only_the_needed_rows_and_resume_exactly() {
    let needed: Vec<bool> = (0..8).map(|k| k % 3 == 0).collect();
    let mut a = SudokuSource::new(6, &recipe(&["easy", "medium"], 0.5)).unwrap();
    let batch = a.next_batch(&needed).unwrap();
    for (b, &n) in needed.iter().enumerate() {
        let labels = &batch.labels()[b * 36..(b + 1) * 36];
        assert_eq!(labels.iter().all(|&l| l == IGNORE_LABEL_ID), !n, "row {b}");
    }
    let saved = a.state();
    let next_a: Vec<Batch> = (0..3).map(|_| a.next_batch(&needed).unwrap()).collect();
    let mut b = SudokuSource::new(6, &recipe(&["easy", "medium"], 0.5)).unwrap();
    b.restore(&saved).unwrap();
    let next_b: Vec<Batch> = (0..3).map(|_| b.next_batch(&needed).unwrap()).collect();
    assert_eq!(next_a, next_b);

    let mut m = MazeSource::new(9, &recipe(&["medium"], 1.0)).unwrap();
    m.next_batch(&[true; 4]).unwrap();
    let saved = m.state();
    let after = m.next_batch(&[true; 4]).unwrap();
    let mut m2 = MazeSource::new(9, &recipe(&["medium"], 1.0)).unwrap();
    m2.restore(&saved).unwrap();
    assert_eq!(m2.next_batch(&[true; 4]).unwrap(), after);
    // Labels are answers of the inputs: same walls, a path added.
    for b in 0..4 {
        let span = b * 81..(b + 1) * 81;
        let puzzle = Maze::from_tokens(9, &after.inputs()[span.clone()]).unwrap();
        let labels: Vec<u32> = after.labels()[span].iter().map(|&l| l as u32).collect();
        let answer = Maze::from_tokens(9, &labels).unwrap();
        assert!(trm_puzzles::maze::verify_answer(&puzzle, &answer).is_ok());
    }
    // Evaluation seeds are refused for training.
    let mut bad = recipe(&["easy"], 0.0);
    bad.seed = 1_000_000;
    assert!(MazeSource::new(9, &bad).err().unwrap().to_string().contains("below 1000000"));
    assert!(SudokuSource::new(5, &recipe(&["easy"], 0.0)).is_err());
    assert!(SudokuSource::new(4, &recipe(&["easy"], 1.5)).is_err());
}

fn sudoku_pairs(count: usize, seed: u64, split: Split) -> Vec<(Sudoku, Sudoku)> {
    let mut g = Generator::new(4, seed).unwrap().with_split(split);
    (0..count)
        .map(|_| {
            let p = g.next_puzzle(6);
            (p.puzzle, p.solution)
        })
        .collect()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("trm-train-data-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Rows of a batch as (inputs, labels) strings, to compare with dataset rows.
fn rows(batch: &Batch) -> Vec<(Vec<u32>, Vec<i32>)> {
    let l = batch.seq_len();
    (0..batch.batch_size())
        .map(|b| (batch.inputs()[b * l..(b + 1) * l].to_vec(), batch.labels()[b * l..(b + 1) * l].to_vec()))
        .collect()
}

#[test]
fn official_layout_and_compact_file_load_with_the_official_loader_rules() {
    let train = sudoku_pairs(10, 1, Split::Train);
    let test = sudoku_pairs(6, 2, Split::HeldOut);
    let dataset = sudoku_dataset(&train, &test, &SudokuRecipe { num_aug: 3, seed: 5, guard_held_out: true }).unwrap();
    let dir = temp_dir("official");
    dataset.write_official_dir(&dir).unwrap();
    let compact = dir.with_extension("trmds");
    dataset.write_compact_file(&compact).unwrap();

    // Which group each (input, label) row belongs to.
    let mut group_of: HashMap<(Vec<u32>, Vec<i32>), usize> = HashMap::new();
    for g in 0..dataset.train.num_groups() {
        for p in dataset.train.group_puzzles(g).unwrap() {
            for k in dataset.train.puzzle_rows(p).unwrap() {
                let (i, l) = dataset.train.example(k).unwrap();
                let key = (i.iter().map(|&t| u32::from(t)).collect(), l.iter().map(|&t| i32::from(t)).collect());
                group_of.insert(key, g);
            }
        }
    }

    let mut batches_by_store = Vec::new();
    for path in [&dir, &compact] {
        let (store, _, identifiers) = open_dataset(path).unwrap();
        assert_eq!(identifiers, ["<blank>"]);
        let mut source = DatasetSource::new(store, 7, 1, 4).unwrap();
        assert_eq!((source.seq_len(), source.vocab_size(), source.num_puzzle_identifiers()), (16, 6, 1));
        let needed = [false; 4]; // ignored: the loader fills every row, as the official one does
        let batches: Vec<Batch> = (0..6).map(|_| source.next_batch(&needed).unwrap()).collect();
        // 10 groups per epoch at 4 rows: two batches per iteration, the incomplete third dropped, so
        // every pair of batches covers 8 distinct groups.
        for pair in batches.chunks(2) {
            let groups: Vec<usize> = pair.iter().flat_map(rows).map(|r| group_of[&r]).collect();
            assert_eq!(groups.iter().collect::<HashSet<_>>().len(), 8, "{groups:?}");
        }
        assert_eq!(source.state()["iteration"], 3);
        batches_by_store.push(batches);
    }
    assert_eq!(batches_by_store[0], batches_by_store[1], "official layout and compact file differ");

    // Resuming mid-iteration continues identically.
    let (store, _, _) = open_dataset(&dir).unwrap();
    let mut a = DatasetSource::new(store, 7, 2, 4).unwrap();
    for _ in 0..3 {
        a.next_batch(&[true; 4]).unwrap();
    }
    let saved = a.state();
    let next_a: Vec<Batch> = (0..4).map(|_| a.next_batch(&[true; 4]).unwrap()).collect();
    let (store, _, _) = open_dataset(&compact).unwrap();
    let mut b = DatasetSource::new(store, 7, 2, 4).unwrap();
    b.restore(&saved).unwrap();
    let next_b: Vec<Batch> = (0..4).map(|_| b.next_batch(&[true; 4]).unwrap()).collect();
    assert_eq!(next_a, next_b);

    // A batch larger than an iteration can fill is refused up front.
    let (store, _, _) = open_dataset(&dir).unwrap();
    assert!(DatasetSource::new(store, 7, 1, 11).err().unwrap().to_string().contains("fewer than one batch"));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&compact);
}

/// Puzzles with several examples: examples of one puzzle without replacement, the remainder skipped
/// when the batch fills; labels equal to `ignore_label_id` become −100; identifiers per puzzle.
#[test]
fn multi_example_puzzles_ignore_labels_and_identifiers() {
    let seq_len = 2;
    // Group 0: puzzles 0 (3 examples) and 1 (2 examples); group 1: puzzle 2 (4 examples).
    let examples = 9;
    let inputs: Vec<u8> = (0..examples as u8).flat_map(|k| [k + 1, k + 1]).collect();
    let labels: Vec<u8> = (0..examples as u8).flat_map(|k| [0, k + 1]).collect();
    let split = DatasetSplit {
        metadata: DatasetMetadata {
            pad_id: 0,
            ignore_label_id: Some(0),
            blank_identifier_id: 0,
            vocab_size: 12,
            seq_len: seq_len as u32,
            num_puzzle_identifiers: 4,
            total_groups: 2,
            mean_puzzle_examples: 3.0,
            total_puzzles: 3,
            sets: vec!["all".into()],
        },
        inputs,
        labels,
        puzzle_identifiers: vec![1, 2, 3],
        puzzle_indices: vec![0, 3, 5, 9],
        group_indices: vec![0, 2, 3],
    };
    let mut source = DatasetSource::new(Box::new(split.clone()), 0, 1, 3).unwrap();
    let id_of_row = |row: u32| match row {
        1..=3 => 1,
        4..=5 => 2,
        _ => 3,
    };
    let mut seen_ids = BTreeMap::new();
    for _ in 0..40 {
        let batch = source.next_batch(&[true; 3]).unwrap();
        let mut rows_seen = HashSet::new();
        for b in 0..3 {
            let (i, l) = (&batch.inputs()[b * 2..b * 2 + 2], &batch.labels()[b * 2..b * 2 + 2]);
            assert_eq!(l[0], IGNORE_LABEL_ID);
            assert_eq!(l[1], i[1] as i32);
            assert_eq!(batch.puzzle_ids()[b], id_of_row(i[0]));
            assert!(rows_seen.insert(i[0]), "row {} twice in one batch", i[0]);
            *seen_ids.entry(batch.puzzle_ids()[b]).or_insert(0) += 1;
        }
        // One puzzle of group 1 has 4 examples: a batch starting with it is 3 of them.
        let ids: Vec<u32> = batch.puzzle_ids().to_vec();
        assert!(ids.windows(2).all(|w| w[0] == w[1] || w[0] != 3), "{ids:?}");
    }
    assert_eq!(seen_ids.keys().copied().collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(split.num_examples(), 9);
    assert_eq!(ExampleStore::num_examples(&split), 9);
}
