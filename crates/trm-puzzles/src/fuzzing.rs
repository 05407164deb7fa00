//! Fuzzing entry points, shared by the cargo-fuzz targets in `crates/trm-puzzles/fuzz` and the corpus
//! replay test `tests/fuzz_corpus.rs`.
//!
//! Each function takes arbitrary bytes, feeds them to the parsers, and for every input that parses
//! checks the promises the API makes: text and token round trips, transform inverses, solver and
//! verifier consistency. A broken promise is a panic, which the fuzzer reports like a crash. Errors
//! from the parsers are fine; panics and hangs are not.
//!
//! Not part of the supported API (hidden from the docs); the fuzz targets are its only callers.

use std::collections::HashSet;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::arc::{self, ArcError, Augmentation, BLANK_NAME, Grid, Identifiers, NAME_SEPARATOR, NamedTask, Task};
use crate::dihedral::Dihedral;
use crate::maze::{self, MAX_SIDE as MAZE_MAX_SIDE, Maze, MazeCell, verify_answer};
use crate::sudoku::{self, SUPPORTED_SIDES, Sudoku, Unit};

/// 9×9 puzzles get the exact solver only with at least this many givens (or none at all, which is
/// quick). Sparse unsolvable grids send the depth-first search on long hunts: random conflict-free
/// grids with 10 givens took minutes, with 20 up to 3.3 million nodes, with 24 up to 140 000, with 28
/// at most about 2 000 (20 000 samples each, release build). 4×4 and 6×6 are always searched; their
/// trees stay below 10 000 nodes.
pub const SEARCH_MIN_GIVENS_9X9: usize = 28;

/// Node budget for [`Sudoku::search_within`] on sparse 9×9 grids (a few milliseconds).
const FUZZ_NODE_BUDGET: u64 = 20_000;

/// At most this many lines of one input are also tried one by one.
const MAX_LINES: usize = 32;

/// A seed for the augmentation draws, fixed by the input (FNV-1a), so a crash reproduces.
fn seed_of(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

// ---- Sudoku -----------------------------------------------------------------------------------

/// Any bytes as Sudoku text: the whole input as one line (newlines count as decoration), then each
/// line on its own.
#[doc(hidden)]
pub fn fuzz_sudoku_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let seed = seed_of(data);
    check_sudoku_line(&text, seed);
    for line in text.lines().take(MAX_LINES) {
        check_sudoku_line(line, seed);
    }
}

fn check_sudoku_line(line: &str, seed: u64) {
    let Ok(s) = Sudoku::parse(line) else { return };
    let n = s.side();
    assert!(SUPPORTED_SIDES.contains(&n), "side {n}");
    assert_eq!(s.cells().len(), n * n);
    assert!(s.cells().iter().all(|&v| usize::from(v) <= n), "digit above {n}: {s}");

    // Text round trips: the one-line form and the boxed drawing both parse back.
    let one_line = s.to_string();
    assert_eq!(one_line.len(), n * n);
    assert_eq!(Sudoku::parse(&one_line).as_ref(), Ok(&s), "one-line form {one_line:?}");
    assert_eq!(Sudoku::parse(&s.boxed()).as_ref(), Ok(&s), "boxed form of {one_line}");

    // Tokens: blank 1, digit d → d + 1, and back.
    let tokens = s.to_tokens();
    assert!(tokens.iter().all(|&t| (1..=n as u32 + 1).contains(&t)), "{tokens:?}");
    assert_eq!(Sudoku::from_predicted_tokens(n, &tokens).as_ref(), Ok(&s));

    // Conflicts name two distinct givens with the same digit in the unit they name.
    let conflicts = s.conflicts();
    for c in &conflicts {
        let (a, b) = (c.first, c.second);
        assert!(a.0 * n + a.1 < b.0 * n + b.1, "{c:?}");
        assert_eq!(s.get(a.0, a.1), Some(c.digit));
        assert_eq!(s.get(b.0, b.1), Some(c.digit));
        assert_ne!(c.digit, 0);
        let same_unit = match c.unit {
            Unit::Row(r) => a.0 == r && b.0 == r,
            Unit::Column(col) => a.1 == col && b.1 == col,
            Unit::Box(k) => s.box_index(a.0, a.1) == k && s.box_index(b.0, b.1) == k,
        };
        assert!(same_unit, "{c:?}");
    }
    let filled = s.givens() == n * n;
    assert_eq!(s.is_solved(), filled && conflicts.is_empty());
    assert_eq!(s.is_solved_by(&s), s.is_solved());

    // The solver: unbounded where it is sure to be quick, else with a node budget (as user-facing
    // code must), whose answer must agree with the unbounded one whenever it completes.
    let report = if n < 9 || s.givens() == 0 || s.givens() >= SEARCH_MIN_GIVENS_9X9 {
        let full = s.search(2);
        assert_eq!(s.search_within(2, u64::MAX).as_ref(), Some(&full));
        Some(full)
    } else {
        s.search_within(2, FUZZ_NODE_BUDGET)
    };
    if let Some(report) = &report {
        assert!(report.solutions <= 2);
        assert_eq!(report.first.is_some(), report.solutions > 0);
        if !conflicts.is_empty() {
            assert_eq!(report.solutions, 0, "a grid with conflicts has no solution: {s}");
        }
        if let Some(first) = &report.first {
            assert!(first.is_solved(), "{first}");
            assert!(s.is_solved_by(first), "{first} does not keep the givens of {s}");
        }
        if s.is_solved() {
            assert_eq!((report.solutions, report.first.as_ref()), (1, Some(&s)));
        }
    }

    // A validity-preserving augmentation: undone by its inverse, keeps givens, conflicts and solutions.
    let aug = sudoku::Augmentation::random(n, &mut ChaCha8Rng::seed_from_u64(seed));
    let moved = aug.apply(&s).expect("same side");
    assert_eq!(aug.inverse().apply(&moved).as_ref(), Some(&s), "inverse of {aug:?}");
    assert_eq!(moved.givens(), s.givens());
    assert_eq!(moved.conflicts().len(), conflicts.len(), "{aug:?} on {s}");
    if let Some(first) = report.and_then(|r| r.first) {
        let moved_solution = aug.apply(&first).expect("same side");
        assert!(moved.is_solved_by(&moved_solution), "{aug:?} on {s}");
    }
}

// ---- Mazes ------------------------------------------------------------------------------------

/// Any bytes as maze text (blank-line separated blocks), and the same bytes as predicted tokens.
#[doc(hidden)]
pub fn fuzz_maze_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parsed = Maze::parse_many(&text);
    if let Ok(mazes) = &parsed {
        for m in mazes {
            check_maze(m);
        }
        let joined: Vec<String> = mazes.iter().map(Maze::to_string).collect();
        assert_eq!(Maze::parse_many(&joined.join("\n\n")).as_ref(), Ok(mazes), "blocks of {text:?}");
    }
    if let Ok(m) = Maze::parse(&text) {
        check_maze(&m);
        // One block that parses alone is also a one-element list.
        if !text.replace("\r\n", "\n").contains("\n\n") {
            assert_eq!(parsed, Ok(vec![m]));
        }
    }
    let first = parsed.ok().and_then(|mazes| mazes.into_iter().next());
    check_predicted_maze(data, first.as_ref());
}

fn check_maze(m: &Maze) {
    let n = m.side();
    assert!((1..=MAZE_MAX_SIDE).contains(&n));
    assert_eq!(m.cells().len(), n * n);
    assert_eq!(m.check_endpoints(), Ok(()));
    let (start, goal) = (m.start().expect("one S"), m.goal().expect("one G"));
    assert_eq!(m.get(start.0, start.1), Some(MazeCell::Start));
    assert_eq!(m.get(goal.0, goal.1), Some(MazeCell::Goal));

    // Text and token round trips.
    let text = m.to_string();
    assert_eq!(Maze::parse(&text).as_ref(), Ok(m), "{text:?}");
    let tokens = m.to_tokens();
    assert_eq!(Maze::from_tokens(n, &tokens).as_ref(), Ok(m));
    assert_eq!(Maze::from_predicted_tokens(n, &tokens).as_ref(), Ok(m));

    // The question: no `o`, same walls and endpoints.
    let puzzle = m.puzzle();
    assert_eq!(puzzle.path_cell_count(), 0);
    assert_eq!(puzzle.puzzle(), puzzle);

    // Shortest paths: consistent with each other, and the marked path is accepted by the verifier.
    let path = m.shortest_path();
    let len = m.shortest_path_len();
    let count = m.count_shortest_paths(2);
    assert_eq!(path.as_ref().map(|p| p.len() - 2), len, "{text}");
    assert_eq!(puzzle.shortest_path_len(), len, "`o` cells are passable");
    assert_eq!(m.count_shortest_paths(0), 0);
    assert_eq!(m.count_shortest_paths(1), usize::from(len.is_some()));
    match &path {
        None => {
            assert_eq!(count, 0);
            assert!(!m.has_second_route());
            assert_eq!(verify_answer(&puzzle, m), Err(maze::PathError::Unsolvable));
        }
        Some(p) => {
            assert!(count == 1 || count == 2, "{count}");
            assert_eq!((p.first(), p.last()), (Some(&start), Some(&goal)));
            let distinct: HashSet<_> = p.iter().collect();
            assert_eq!(distinct.len(), p.len(), "a shortest path visits each cell once");
            for w in p.windows(2) {
                let ((r0, c0), (r1, c1)) = (w[0], w[1]);
                assert_eq!(r0.abs_diff(r1) + c0.abs_diff(c1), 1, "{p:?}");
                assert!(m.get(r1, c1).is_some_and(MazeCell::is_passable));
            }
            if count == 2 {
                assert!(m.has_second_route(), "two shortest paths make a loop: {text}");
            }
            let answer = puzzle.with_path(p);
            assert_eq!(answer.path_cell_count(), p.len() - 2);
            assert_eq!(verify_answer(&puzzle, &answer), Ok(p.len() - 2), "{answer}");
            assert_eq!(verify_answer(m, &answer), Ok(p.len() - 2), "{answer}");
        }
    }
    // Whatever the maze holds as an answer: never a panic, and an accepted answer is a shortest path.
    if let Ok(found) = verify_answer(&puzzle, m) {
        assert_eq!(Some(found), len);
    }
    let _ = verify_answer(m, m);

    // The 8 symmetries keep the maze's shape and its path lengths, and their inverses undo them.
    for d in Dihedral::ALL {
        let t = m.transform(d);
        assert_eq!(t.transform(d.inverse()), *m, "transform {}", d.id());
        assert_eq!(t.check_endpoints(), Ok(()));
        assert_eq!(t.shortest_path_len(), len, "transform {}", d.id());
        assert_eq!(t.count_shortest_paths(2), count, "transform {}", d.id());
    }
}

/// The bytes as a model's predicted tokens (each byte's low 3 bits; 7 stands for a huge token).
fn check_predicted_maze(data: &[u8], parsed: Option<&Maze>) {
    let tokens: Vec<u32> = data.iter().map(|&b| if b & 7 == 7 { u32::MAX } else { u32::from(b & 7) }).collect();
    let side = tokens.len().isqrt();
    let Ok(predicted) = Maze::from_predicted_tokens(side, &tokens) else {
        assert!(side == 0 || side > MAZE_MAX_SIDE || side * side != tokens.len());
        return;
    };
    assert_eq!(predicted.side() * predicted.side(), tokens.len());
    let strict = Maze::from_tokens(side, &tokens);
    if let Ok(strict) = &strict {
        assert_eq!(strict, &predicted);
    }
    let text = predicted.to_string();
    match Maze::parse(&text) {
        Ok(reparsed) => {
            assert_eq!(reparsed, predicted);
            check_maze(&predicted);
        }
        Err(_) => {
            assert!(predicted.check_endpoints().is_err(), "{text:?}");
            assert_eq!(predicted.shortest_path(), None);
            assert_eq!(predicted.shortest_path_len(), None);
            assert_eq!(predicted.count_shortest_paths(2), 0);
            assert!(!predicted.has_second_route());
            assert!(matches!(verify_answer(&predicted, &predicted), Err(maze::PathError::BadPuzzle(_))));
        }
    }
    if let Some(puzzle) = parsed {
        let verdict = verify_answer(puzzle, &predicted);
        if puzzle.side() != predicted.side() {
            assert!(matches!(verdict, Err(maze::PathError::SideMismatch { .. })));
        } else if let Ok(found) = verdict {
            assert_eq!(Some(found), puzzle.shortest_path_len());
        }
    }
}

// ---- ARC tasks --------------------------------------------------------------------------------

/// Any bytes as an ARC task file; tasks that parse are written back, re-parsed, encoded on canvases,
/// augmented, and given solutions.
#[doc(hidden)]
pub fn fuzz_arc_json(data: &[u8]) {
    let parsed = arc::parse_tasks_bytes(data, "fuzz");
    let Ok(text) = std::str::from_utf8(data) else {
        assert!(matches!(parsed, Err(ArcError::Json { .. } | ArcError::TooLarge { .. })), "{parsed:?}");
        return;
    };
    assert_eq!(arc::parse_tasks(text, "fuzz"), parsed);
    let tasks = match parsed {
        Ok(tasks) => tasks,
        Err(_) => {
            // The same text as a solutions file, merged into no tasks: only `{}` can succeed.
            let mut none: Vec<NamedTask> = Vec::new();
            if arc::merge_solutions(&mut none, text).is_ok() {
                assert!(
                    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
                        .is_ok_and(|m| m.is_empty())
                );
            }
            return;
        }
    };
    assert!(!tasks.is_empty());
    let names: HashSet<&str> = tasks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names.len(), tasks.len(), "task names are distinct");

    let mut rng = ChaCha8Rng::seed_from_u64(seed_of(data));
    for named in &tasks {
        check_task(named, &mut rng);
    }
    // The whole collection round trips.
    let json = arc::tasks_to_json(&tasks);
    assert_eq!(arc::parse_tasks(&json, "other").as_ref(), Ok(&tasks), "{json}");

    // The file itself as solutions: must not panic, and changes nothing when rejected.
    let mut merged = tasks.clone();
    if arc::merge_solutions(&mut merged, text).is_err() {
        assert_eq!(merged, tasks);
    }
    // Solutions built from the tasks (the known outputs, else the inputs) always merge.
    let mut solutions = String::from("{");
    for (k, named) in tasks.iter().enumerate() {
        if k > 0 {
            solutions.push_str(", ");
        }
        solutions.push_str(&serde_json::to_string(&named.name).expect("a string"));
        solutions.push_str(": [");
        let grids: Vec<String> =
            named.task.test.iter().map(|p| p.output.as_ref().unwrap_or(&p.input).to_json()).collect();
        solutions.push_str(&grids.join(", "));
        solutions.push(']');
    }
    solutions.push('}');
    let mut merged = tasks.clone();
    assert_eq!(arc::merge_solutions(&mut merged, &solutions), Ok(()), "{solutions}");
    for (before, after) in tasks.iter().zip(&merged) {
        assert_eq!(before.task.train, after.task.train);
        for (b, a) in before.task.test.iter().zip(&after.task.test) {
            assert_eq!(a.input, b.input);
            assert_eq!(a.output.as_ref(), Some(b.output.as_ref().unwrap_or(&b.input)));
        }
    }
    // Merging the same solutions again agrees with what is there.
    let again = merged.clone();
    assert_eq!(arc::merge_solutions(&mut merged, &solutions), Ok(()));
    assert_eq!(merged, again);
}

fn check_task(named: &NamedTask, rng: &mut ChaCha8Rng) {
    let task = &named.task;
    assert!(!task.train.is_empty() && !task.test.is_empty());
    assert!(!named.name.is_empty() && !named.name.contains(NAME_SEPARATOR), "{:?}", named.name);

    // One task round trips through its JSON, under its own name.
    let json = task.to_json();
    assert_eq!(arc::parse_tasks(&json, &named.name), Ok(vec![named.clone()]), "{json}");
    assert_eq!(Task::from_json(&json).as_ref(), Ok(task));

    for grid in all_grids(task) {
        check_grid(grid);
    }

    // An augmentation and its inverse; the name carries it.
    let aug = Augmentation::random(rng);
    let moved = aug.apply_task(task);
    assert_eq!(moved.map_grids(|g| aug.invert(g)), *task, "{aug:?}");
    let name = arc::format_name(&named.name, &aug);
    assert_eq!(arc::parse_name(&name), Ok((named.name.as_str(), aug)), "{name:?}");
}

fn all_grids(task: &Task) -> impl Iterator<Item = &Grid> {
    let train = task.train.iter().flat_map(|p| [&p.input, &p.output]);
    let test = task.test.iter().flat_map(|p| std::iter::once(&p.input).chain(p.output.as_ref()));
    train.chain(test)
}

fn check_grid(grid: &Grid) {
    let (rows, cols) = grid.shape();
    assert!((1..=arc::MAX_SIDE).contains(&rows) && (1..=arc::MAX_SIDE).contains(&cols), "{rows}x{cols}");
    assert_eq!(grid.cells().len(), rows * cols);
    assert!(grid.cells().iter().all(|&v| v <= 9));
    assert_eq!(Grid::new(rows, cols, grid.cells().to_vec()).as_ref(), Ok(grid));
    assert_eq!(Grid::from_rows(&grid.to_rows()).as_ref(), Ok(grid));
    // The crop rule reads a grid placed at the top-left corner back, on the official canvas and on
    // the smallest one it fits.
    for side in [arc::DEFAULT_CANVAS_SIDE, rows.max(cols)] {
        let canvas = arc::encode_grid(grid, side, (0, 0)).expect("fits");
        assert_eq!(canvas.len(), side * side);
        assert_eq!(arc::crop(&canvas, side).as_ref(), Ok(grid), "{rows}x{cols} on a {side}-canvas");
    }
}

// ---- ARC names and identifiers ----------------------------------------------------------------

/// Any bytes as an augmented puzzle name (whole and line by line) and as `identifiers.json`.
#[doc(hidden)]
pub fn fuzz_arc_names(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    check_name(&text);
    for line in text.lines().take(MAX_LINES) {
        check_name(line);
    }

    match Identifiers::from_json_bytes(data) {
        Ok(ids) => check_identifiers(&ids),
        Err(e) => assert!(matches!(e, ArcError::Identifiers { .. } | ArcError::TooLarge { .. }), "{e:?}"),
    }

    // The lines as names after the blank row: accepted exactly when no name repeats.
    let names: Vec<String> =
        std::iter::once(BLANK_NAME).chain(text.lines().take(4 * MAX_LINES)).map(str::to_string).collect();
    let distinct = names.iter().collect::<HashSet<_>>().len() == names.len();
    match Identifiers::from_names(names) {
        Ok(ids) => {
            assert!(distinct);
            check_identifiers(&ids);
        }
        Err(e) => assert!(!distinct, "{e}"),
    }
}

fn check_name(name: &str) {
    let parsed = arc::parse_name(name);
    let Ok((id, aug)) = parsed else {
        assert!(matches!(parsed, Err(ArcError::BadName { .. })), "{parsed:?}");
        assert!(name.contains(NAME_SEPARATOR));
        return;
    };
    if !name.contains(NAME_SEPARATOR) {
        assert_eq!((id, aug), (name, Augmentation::IDENTITY));
    }
    assert!(!id.contains(NAME_SEPARATOR), "{id:?}");
    let colours = aug.colours();
    assert_eq!(colours[0], 0);
    assert_eq!(Augmentation::new(aug.dihedral(), colours), Ok(aug));
    // Writing the name again gives it back (exactly, unless it spelled out the identity).
    let formatted = arc::format_name(id, &aug);
    if !aug.is_identity() {
        assert_eq!(formatted, name);
    }
    assert_eq!(arc::parse_name(&formatted), Ok((id, aug)), "{formatted:?}");
    // The augmentation is undone by its inverse on a grid with every colour.
    let cells: Vec<u8> = (0..12).map(|k| (k % 10) as u8).collect();
    let grid = Grid::new(3, 4, cells).expect("valid");
    let moved = aug.apply(&grid);
    assert_eq!(moved.shape(), aug.dihedral().shape(3, 4));
    assert_eq!(aug.invert(&moved), grid, "{name:?}");
}

fn check_identifiers(ids: &Identifiers) {
    assert!(!ids.is_empty());
    assert_eq!(ids.len(), ids.names().len());
    assert_eq!(ids.names()[0], BLANK_NAME);
    for (k, name) in ids.names().iter().enumerate() {
        let row = u32::try_from(k).expect("rows fit u32");
        assert_eq!(ids.row(name), Some(row), "{name:?}");
        assert_eq!(ids.name(row), Some(name.as_str()));
        let looked = ids.lookup(name);
        assert_eq!((looked.row, looked.seen), (row, k != 0), "{name:?}");
    }
    assert_eq!(ids.name(ids.len() as u32), None);
    // The list written as JSON parses to the same identifiers.
    let json = serde_json::to_string(ids.names()).expect("strings");
    assert_eq!(Identifiers::from_json(&json).as_ref(), Ok(ids));
    for name in ids.names().iter().take(MAX_LINES) {
        check_name(name);
    }
}

/// Dataset files: every parser on the bytes (never a panic), and for what parses, the promised
/// round trips: `.npy` arrays and compact datasets write back and read back equal.
pub fn fuzz_dataset_files(data: &[u8]) {
    use crate::dataset::{Dataset, npy};
    crate::dataset::fuzz_dataset_bytes(data);
    if let Ok(array) = npy::read_u8(data)
        && let Ok((rows, cols, cells)) = array.into_2d()
    {
        let written = npy::write_u8(&[rows, cols], &cells).expect("a parsed array writes");
        let again = npy::read_u8(&written).expect("written arrays read back");
        assert_eq!(again.into_2d().ok(), Some((rows, cols, cells)));
    }
    if let Ok(array) = npy::read_i32(data)
        && let Ok(values) = array.into_1d()
    {
        let written = npy::write_i32(&[values.len()], &values).expect("a parsed array writes");
        assert_eq!(npy::read_i32(&written).ok().and_then(|a| a.into_1d().ok()), Some(values));
    }
    if let Ok(dataset) = Dataset::from_compact_bytes(data) {
        let bytes = dataset.to_compact_bytes().expect("a parsed dataset writes");
        assert_eq!(Dataset::from_compact_bytes(&bytes).ok(), Some(dataset));
    }
}
