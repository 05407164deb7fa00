//! The committed sample and evaluation sets in `assets/puzzles/` are what their names and the
//! README promise: valid puzzles with matching solutions, in their tier, held out where they
//! should be, and (ARC) exactly round-tripping through encode / augment / decode.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use trm_puzzles::arc::{self, Augmentation, Grid};
use trm_puzzles::sudoku::{Split, Tier};
use trm_puzzles::{Maze, MazeTier, Sudoku, maze};

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/puzzles")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `(puzzle file, solutions file, size, tier)` for every Sudoku set in `dir`.
fn sudoku_sets(dir: &Path) -> Vec<(PathBuf, PathBuf, usize, Tier)> {
    let mut sets = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".txt").filter(|s| !s.ends_with(".solutions")) else { continue };
        let (shape, tier) = stem.split_once('-').unwrap();
        let size: usize = shape.split_once('x').unwrap().0.parse().unwrap();
        sets.push((path.clone(), dir.join(format!("{stem}.solutions.txt")), size, tier.parse().unwrap()));
    }
    sets.sort();
    sets
}

fn check_sudoku_set(puzzles: &Path, solutions: &Path, size: usize, tier: Tier) -> Vec<Sudoku> {
    let (p, s) = (read(puzzles), read(solutions));
    let (p, s): (Vec<&str>, Vec<&str>) = (p.lines().collect(), s.lines().collect());
    assert_eq!(p.len(), s.len(), "{}", puzzles.display());
    let mut seen = HashSet::new();
    let mut grids = Vec::new();
    for (k, (p, s)) in p.iter().zip(&s).enumerate() {
        let (puzzle, solution) = (Sudoku::parse(p).unwrap(), Sudoku::parse(s).unwrap());
        assert_eq!(puzzle.side(), size);
        let report = puzzle.search(2);
        assert_eq!(report.first.as_ref(), Some(&solution), "{}:{}", puzzles.display(), k + 1);
        assert_eq!(report.solutions, 1, "{}:{}: not unique", puzzles.display(), k + 1);
        assert_eq!(Tier::classify(size, puzzle.givens(), &report), Some(tier), "{}:{}", puzzles.display(), k + 1);
        assert!(seen.insert(puzzle), "{}:{}: duplicate", puzzles.display(), k + 1);
        grids.push(solution);
    }
    grids
}

#[test]
fn sudoku_samples_cover_every_size_and_tier() {
    let sets = sudoku_sets(&assets().join("sudoku/samples"));
    assert_eq!(sets.len(), 12);
    for (p, s, size, tier) in sets {
        assert_eq!(check_sudoku_set(&p, &s, size, tier).len(), 20, "{}", p.display());
    }
}

#[test]
fn sudoku_eval_sets_are_large_and_held_out_by_solution_grid() {
    let sets = sudoku_sets(&assets().join("sudoku/eval"));
    assert!(sets.len() >= 3);
    for (p, s, size, tier) in sets {
        let grids = check_sudoku_set(&p, &s, size, tier);
        assert!(grids.len() >= 1000, "{}: {}", p.display(), grids.len());
        assert!(grids.iter().all(|g| Split::of(g) == Split::HeldOut), "{}", p.display());
    }
}

fn check_maze_set(puzzles: &Path) -> usize {
    let stem = puzzles.file_name().unwrap().to_string_lossy().trim_end_matches(".txt").to_string();
    let (shape, tier) = stem.split_once('-').unwrap();
    let side: usize = shape.split_once('x').unwrap().0.parse().unwrap();
    let tier: MazeTier = tier.parse().unwrap();
    let solutions = puzzles.with_file_name(format!("{stem}.solutions.txt"));
    let (p, s) = (Maze::parse_many(&read(puzzles)).unwrap(), Maze::parse_many(&read(&solutions)).unwrap());
    assert_eq!(p.len(), s.len());
    let mut seen = HashSet::new();
    for (k, (puzzle, solution)) in p.iter().zip(&s).enumerate() {
        let at = format!("{} maze {}", puzzles.display(), k + 1);
        assert_eq!(puzzle.side(), side, "{at}");
        let len = maze::verify_answer(puzzle, solution).unwrap_or_else(|e| panic!("{at}: {e}"));
        assert_eq!(puzzle.count_shortest_paths(2), 1, "{at}: the shortest path is not unique");
        assert!(puzzle.has_second_route(), "{at}: no loop");
        assert!(tier.path_range(side).contains(&len), "{at}: path {len}");
        if side == 30 && tier == MazeTier::Hard {
            assert!(len > 110, "{at}");
        }
        assert!(seen.insert(puzzle.clone()), "{at}: duplicate");
    }
    p.len()
}

fn maze_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_string_lossy().ends_with(".solutions.txt"))
        .collect();
    files.sort();
    files
}

#[test]
fn maze_samples_and_eval_sets_hold_their_promises() {
    let samples = maze_files(&assets().join("maze/samples"));
    assert_eq!(samples.len(), 12, "9×9, 11×11, 15×15 and 30×30, three tiers each");
    for file in samples {
        assert_eq!(check_maze_set(&file), 10);
    }
    let eval = maze_files(&assets().join("maze/eval"));
    assert!(eval.iter().any(|p| p.ends_with("30x30-hard.txt")));
    for file in eval {
        assert!(check_maze_set(&file) >= 1000);
    }
}

fn arc_tasks(dir: &str) -> Vec<arc::NamedTask> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(assets().join("arc").join(dir)).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let tasks = arc::parse_tasks(&read(&path), &stem).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].name, stem);
        out.extend(tasks);
    }
    out
}

fn all_grids(task: &arc::Task) -> Vec<&Grid> {
    let mut grids: Vec<&Grid> = task.train.iter().flat_map(|p| [&p.input, &p.output]).collect();
    for pair in &task.test {
        grids.push(&pair.input);
        grids.extend(pair.output.as_ref());
    }
    grids
}

/// Encode on a canvas, crop back, and augment / invert: all exact.
fn round_trips(task: &arc::NamedTask, canvas: usize, rng: &mut ChaCha8Rng) {
    let augs = [Augmentation::IDENTITY, Augmentation::random(rng), Augmentation::random(rng)];
    for grid in all_grids(&task.task) {
        for aug in &augs {
            let augmented = aug.apply(grid);
            let tokens = arc::encode_grid(&augmented, canvas, (0, 0)).unwrap();
            let decoded = arc::crop(&tokens, canvas).unwrap();
            assert_eq!(&aug.invert(&decoded), grid, "task {} on a {canvas} canvas", task.name);
        }
    }
}

#[test]
fn arc_samples_load_and_round_trip_exactly() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let training = arc_tasks("training");
    let evaluation = arc_tasks("evaluation");
    assert_eq!((training.len(), evaluation.len()), (40, 40));
    for task in training.iter().chain(&evaluation) {
        assert!(task.task.test.iter().all(|p| p.output.is_some()), "{}: solutions missing", task.name);
        round_trips(task, 30, &mut rng);
        let json = task.task.to_json();
        assert_eq!(arc::parse_tasks(&json, &task.name).unwrap()[0].task, task.task);
    }
    // The small tasks fit a 10×10 canvas and round-trip there too.
    let small = read(&assets().join("arc/small.txt"));
    let small: Vec<&str> = small.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(small.len() >= 15);
    for entry in small {
        let (dir, id) = entry.split_once('/').unwrap();
        let list = if dir == "training" { &training } else { &evaluation };
        let task = list.iter().find(|t| t.name == id).unwrap_or_else(|| panic!("{entry} missing"));
        assert!(all_grids(&task.task).iter().all(|g| g.rows() <= 10 && g.cols() <= 10), "{entry}");
        round_trips(task, 10, &mut rng);
    }
}

#[test]
fn arc_eval_collection_is_the_whole_evaluation_set() {
    let text = read(&assets().join("arc/eval/arc-agi-1-evaluation.json"));
    let tasks = arc::parse_tasks(&text, "collection").unwrap();
    assert_eq!(tasks.len(), 400);
    let pairs: usize = tasks.iter().map(|t| t.task.test.len()).sum();
    assert_eq!(pairs, 419, "ARC-AGI-1 evaluation has 419 test pairs");
    assert!(tasks.iter().all(|t| t.task.test.iter().all(|p| p.output.is_some())));
}
