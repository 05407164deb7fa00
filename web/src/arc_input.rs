//! ARC tasks in, as plain Rust (tested natively): the bundled tasks (`assets/puzzles/arc`), which of
//! them the bundled model knows (`small.txt`) and which fit a model's canvas, the task chosen
//! (bundled or read from a file) with its test input, and the official ARC palette.
//!
//! The page's ARC panel ([`crate::panels`]) renders an [`ArcDraft`]; the worker gets the draft's
//! [`PuzzleSource::Arc`], whose `name` picks the model's embedding row.

use trm_puzzles::arc::{self, Grid, Task};

use crate::engine::PuzzleSource;
use crate::view_model::overlay::{Mark, Overlay};

/// The tasks the bundled ARC model was trained on (`training/<id>` or `evaluation/<id>` a line).
pub const KNOWN_LIST: &str = include_str!("../../assets/puzzles/arc/small.txt");

/// The official ARC palette, colour 0 to 9.
pub const PALETTE: [&str; 10] =
    ["#000000", "#0074D9", "#FF4136", "#2ECC40", "#FFDC00", "#AAAAAA", "#F012BE", "#FF851B", "#7FDBFF", "#870C25"];

/// The colours' names, for screen readers.
pub const COLOUR_NAMES: [&str; 10] =
    ["black", "blue", "red", "green", "yellow", "grey", "magenta", "orange", "light blue", "maroon"];

/// A task shipped with the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BundledTask {
    /// `training/<id>` or `evaluation/<id>`.
    pub path: &'static str,
    /// The task file (standard ARC layout, test outputs included).
    pub json: &'static str,
}

macro_rules! task {
    ($split:literal, $id:literal) => {
        BundledTask {
            path: concat!($split, "/", $id),
            json: include_str!(concat!("../../assets/puzzles/arc/", $split, "/", $id, ".json")),
        }
    };
}

/// Every task of `assets/puzzles/arc/{training,evaluation}`, sorted by path.
pub const BUNDLED_TASKS: &[BundledTask] = &[
    task!("training", "007bbfb7"),
    task!("training", "00d62c1b"),
    task!("training", "017c7c7b"),
    task!("training", "05f2a901"),
    task!("training", "0a938d79"),
    task!("training", "0b148d64"),
    task!("training", "0d3d703e"),
    task!("training", "1cf80156"),
    task!("training", "1e0a9b12"),
    task!("training", "23b5c85d"),
    task!("training", "25ff71a9"),
    task!("training", "29ec7d0e"),
    task!("training", "2dee498d"),
    task!("training", "3631a71a"),
    task!("training", "3ac3eb23"),
    task!("training", "3c9b0459"),
    task!("training", "40853293"),
    task!("training", "4258a5f9"),
    task!("training", "44f52bb0"),
    task!("training", "484b58aa"),
    task!("training", "5521c0d9"),
    task!("training", "5ad4f10b"),
    task!("training", "6455b5f5"),
    task!("training", "6cdd2623"),
    task!("training", "73251a56"),
    task!("training", "7f4411dc"),
    task!("training", "91714a58"),
    task!("training", "9ecd008a"),
    task!("training", "a5313dff"),
    task!("training", "ae3edfdc"),
    task!("training", "b2862040"),
    task!("training", "b782dc8a"),
    task!("training", "b8825c91"),
    task!("training", "b91ae062"),
    task!("training", "be94b721"),
    task!("training", "beb8660c"),
    task!("training", "c909285e"),
    task!("training", "d0f5fe59"),
    task!("training", "d631b094"),
    task!("training", "d687bc17"),
    task!("evaluation", "00576224"),
    task!("evaluation", "00dbd492"),
    task!("evaluation", "0934a4d8"),
    task!("evaluation", "1a2e2828"),
    task!("evaluation", "1a6449f1"),
    task!("evaluation", "1e97544e"),
    task!("evaluation", "2697da3f"),
    task!("evaluation", "3194b014"),
    task!("evaluation", "3ee1011a"),
    task!("evaluation", "4aab4007"),
    task!("evaluation", "4cd1b7b2"),
    task!("evaluation", "5783df64"),
    task!("evaluation", "5b6cbef5"),
    task!("evaluation", "60c09cac"),
    task!("evaluation", "64a7c07e"),
    task!("evaluation", "66e6c45b"),
    task!("evaluation", "68b67ca3"),
    task!("evaluation", "6a11f6da"),
    task!("evaluation", "6ad5bdfd"),
    task!("evaluation", "705a3229"),
    task!("evaluation", "7bb29440"),
    task!("evaluation", "8dae5dfc"),
    task!("evaluation", "903d1b4a"),
    task!("evaluation", "981571dc"),
    task!("evaluation", "9b4c17c4"),
    task!("evaluation", "bc4146bd"),
    task!("evaluation", "c663677b"),
    task!("evaluation", "c97c0139"),
    task!("evaluation", "ccd554ac"),
    task!("evaluation", "d19f7514"),
    task!("evaluation", "d56f2372"),
    task!("evaluation", "e0fb7511"),
    task!("evaluation", "e133d23d"),
    task!("evaluation", "e1baa8a4"),
    task!("evaluation", "e21a174a"),
    task!("evaluation", "e74e1818"),
    task!("evaluation", "e7639916"),
    task!("evaluation", "e7dd8335"),
    task!("evaluation", "e872b94a"),
    task!("evaluation", "e9b4f6fc"),
];

impl BundledTask {
    /// The task id (the file stem): what the model's embedding rows are named by.
    pub fn id(&self) -> &'static str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }

    /// `training` or `evaluation`.
    pub fn split(&self) -> &'static str {
        self.path.split('/').next().unwrap_or("")
    }

    /// The parsed task.
    pub fn task(&self) -> Result<Task, String> {
        Task::from_json(self.json).map_err(|e| format!("{}: {e}", self.path))
    }
}

/// The entries of [`KNOWN_LIST`] (`training/<id>` …), in order.
pub fn known_paths() -> Vec<&'static str> {
    KNOWN_LIST.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
}

/// The bundled task at `path` (`training/<id>`).
pub fn bundled_task(path: &str) -> Option<&'static BundledTask> {
    BUNDLED_TASKS.iter().find(|t| t.path == path)
}

/// A grid's size as words: "3×4".
pub fn shape_text(grid: &Grid) -> String {
    format!("{}×{}", grid.rows(), grid.cols())
}

/// A grid as text: rows of digits joined by `/` ("012/340"), empty for the empty grid.
pub fn grid_text(grid: &Grid) -> String {
    grid.to_rows()
        .iter()
        .map(|row| row.iter().map(|&v| char::from(b'0' + v.min(9))).collect::<String>())
        .collect::<Vec<_>>()
        .join("/")
}

/// Why `task` cannot run on a `canvas × canvas` model: the first test input or output that does not
/// fit (the model sees the test input and writes the output on the canvas); `None` when all fit.
pub fn fit_problem(task: &Task, canvas: usize) -> Option<String> {
    for (k, pair) in task.test.iter().enumerate() {
        let grids = [("input", Some(&pair.input)), ("output", pair.output.as_ref())];
        for (role, grid) in grids {
            let Some(grid) = grid else { continue };
            if arc::encode_grid(grid, canvas, (0, 0)).is_err() {
                return Some(format!(
                    "test {} {role} is {}: it does not fit this model's {canvas}×{canvas} canvas",
                    k + 1,
                    shape_text(grid)
                ));
            }
        }
    }
    None
}

/// One line of the task list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskEntry {
    pub path: &'static str,
    /// The bundled model was trained on it (it is in [`KNOWN_LIST`]).
    pub known: bool,
    /// Why it cannot run on the canvas, if it cannot.
    pub problem: Option<String>,
    /// How many test inputs it has.
    pub tests: usize,
}

impl TaskEntry {
    /// The list's text: "007bbfb7 (training) · known to the model".
    pub fn label(&self) -> String {
        let (split, id) = self.path.split_once('/').unwrap_or(("", self.path));
        let mut label = format!("{id} ({split})");
        if self.known {
            label.push_str(" · known to the model");
        }
        if self.tests > 1 {
            label.push_str(&format!(" · {} tests", self.tests));
        }
        if self.problem.is_some() {
            label.push_str(" · too big for the canvas");
        }
        label
    }
}

/// The bundled tasks for a `canvas × canvas` model: the known ones first (in [`KNOWN_LIST`] order),
/// then those that fit the canvas, then the rest (each group by path). A task that does not parse
/// (it cannot happen with the committed files; a test checks) is left out.
pub fn task_list(canvas: usize) -> Vec<TaskEntry> {
    let known = known_paths();
    let mut entries: Vec<TaskEntry> = BUNDLED_TASKS
        .iter()
        .filter_map(|t| {
            let task = t.task().ok()?;
            Some(TaskEntry {
                path: t.path,
                known: known.contains(&t.path),
                problem: fit_problem(&task, canvas),
                tests: task.test.len(),
            })
        })
        .collect();
    let rank = |e: &TaskEntry| match known.iter().position(|&p| p == e.path) {
        Some(k) => (0, k),
        None if e.problem.is_none() => (1, 0),
        None => (2, 0),
    };
    entries.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.path.cmp(b.path)));
    entries
}

/// The ARC task chosen in the page: bundled or read from a file, with its test input.
#[derive(Debug, Clone, PartialEq)]
pub struct ArcDraft {
    /// The task's name (its id; a file's stem or its collection key): it picks the embedding row.
    pub name: String,
    /// The bundled task's path, when it is one.
    pub bundled: Option<&'static str>,
    /// Where it came from, for the page ("bundled task training/007bbfb7", "your file mine.json").
    pub origin: String,
    pub task: Task,
    /// Index of the test input to run.
    pub test: usize,
    /// Why the last file chosen could not be used (the task above stays).
    pub error: Option<String>,
}

impl ArcDraft {
    /// The bundled task at `path`.
    pub fn from_bundled(path: &str) -> Result<ArcDraft, String> {
        let bundled = bundled_task(path).ok_or_else(|| format!("no bundled task {path}"))?;
        Ok(ArcDraft {
            name: bundled.id().to_string(),
            bundled: Some(bundled.path),
            origin: format!("bundled task {}", bundled.path),
            task: bundled.task()?,
            test: 0,
            error: None,
        })
    }

    /// The first task the bundled model knows (else the first bundled task, else an empty task).
    pub fn first() -> ArcDraft {
        let paths = known_paths().into_iter().chain(BUNDLED_TASKS.iter().map(|t| t.path));
        for path in paths {
            if let Ok(draft) = ArcDraft::from_bundled(path) {
                return draft;
            }
        }
        let empty = arc::TestPair { input: Grid::empty(), output: None };
        ArcDraft {
            name: "none".into(),
            bundled: None,
            origin: "no task".into(),
            task: Task { train: Vec::new(), test: vec![empty] },
            test: 0,
            error: Some("no bundled task could be read".into()),
        }
    }

    /// Replaces the task by a task file's (one task: a task object, or a collection holding one).
    /// On failure the task stays and [`ArcDraft::error`] says why; returns whether it was replaced.
    pub fn load_file(&mut self, file_name: &str, bytes: &[u8]) -> bool {
        let stem = file_name.strip_suffix(".json").unwrap_or(file_name);
        let stem = if stem.trim().is_empty() { "task" } else { stem.trim() };
        let parsed = arc::parse_tasks_bytes(bytes, stem).map_err(|e| e.to_string()).and_then(|mut tasks| {
            if tasks.len() == 1 {
                Ok(tasks.remove(0))
            } else {
                Err(format!("the file holds {} tasks; choose a file with one task", tasks.len()))
            }
        });
        match parsed {
            Ok(named) => {
                *self = ArcDraft {
                    name: named.name,
                    bundled: None,
                    origin: format!("your file {file_name}"),
                    task: named.task,
                    test: 0,
                    error: None,
                };
                true
            }
            Err(e) => {
                self.error = Some(format!("{file_name} cannot be used (the task shown stays): {e}"));
                false
            }
        }
    }

    /// Chooses test input `k` (ignored when there is no such test).
    pub fn select_test(&mut self, k: usize) {
        if k < self.task.test.len() {
            self.test = k;
        }
    }

    /// The expected output of the chosen test, when the task has it.
    pub fn expected(&self) -> Option<&Grid> {
        self.task.test.get(self.test).and_then(|p| p.output.as_ref())
    }

    /// Why this task cannot run on a `canvas × canvas` model, if it cannot.
    pub fn problem(&self, canvas: usize) -> Option<String> {
        fit_problem(&self.task, canvas)
    }

    /// What the worker runs.
    pub fn source(&self) -> PuzzleSource {
        PuzzleSource::Arc { task_json: self.task.to_json(), name: self.name.clone(), test: self.test }
    }

    /// The draft of a running puzzle (a share link, a restart): `None` unless it is a valid ARC task.
    pub fn from_source(source: &PuzzleSource) -> Option<ArcDraft> {
        let PuzzleSource::Arc { task_json, name, test } = source else { return None };
        let task = Task::from_json(task_json).ok()?;
        let bundled = BUNDLED_TASKS.iter().find(|t| t.id() == name && t.task().ok().as_ref() == Some(&task));
        let origin = match bundled {
            Some(t) => format!("bundled task {}", t.path),
            None => format!("task {name}"),
        };
        let mut draft =
            ArcDraft { name: name.clone(), bundled: bundled.map(|t| t.path), origin, task, test: 0, error: None };
        draft.select_test(*test);
        Some(draft)
    }
}

/// The expected output of an ARC puzzle source's test, when it has one (bad JSON: `None`).
pub fn expected_output(source: &PuzzleSource) -> Option<Grid> {
    let PuzzleSource::Arc { task_json, test, .. } = source else { return None };
    Task::from_json(task_json).ok()?.test.get(*test)?.output.clone()
}

/// One cell of the diff between the prediction and the expected output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiffCell {
    /// The colour drawn: the predicted one, else (a cell the prediction misses) the expected one.
    pub colour: Option<u8>,
    pub mark: Mark,
}

/// The diff of an ARC overlay (marks on the `canvas × canvas` answer) over the area both grids
/// cover: `(rows, cols, cells)` row-major.
pub fn diff_cells(predicted: &Grid, expected: &Grid, overlay: &Overlay) -> (usize, usize, Vec<DiffCell>) {
    let rows = predicted.rows().max(expected.rows());
    let cols = predicted.cols().max(expected.cols());
    let mut cells = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        for c in 0..cols {
            let mark = overlay.marks.get(r * overlay.cols + c).copied().filter(|_| c < overlay.cols);
            cells.push(DiffCell {
                colour: predicted.get(r, c).or_else(|| expected.get(r, c)),
                mark: mark.unwrap_or(Mark::Plain),
            });
        }
    }
    (rows, cols, cells)
}

/// The class and words of a diff mark.
pub fn mark_words(mark: Mark) -> (&'static str, &'static str) {
    match mark {
        Mark::Right => ("mark-right", "right"),
        Mark::Wrong => ("mark-wrong", "wrong"),
        Mark::Extra => ("mark-extra", "predicted outside the expected grid"),
        Mark::Missing => ("mark-missing", "expected but not predicted"),
        _ => ("mark-plain", ""),
    }
}

/// The symbol an edit of a running ARC task sends ([`crate::protocol::WorkerInput::EditCell`]) for a
/// key: a colour digit `0`–`9` recolours the test input's cell (Delete and Backspace paint it black,
/// colour 0). Unlike a Sudoku, `0` is a colour here, not a blank.
pub fn arc_edit_symbol(key: &str) -> Option<char> {
    match key {
        "Delete" | "Backspace" => Some('0'),
        d if d.len() == 1 && d.as_bytes()[0].is_ascii_digit() => d.chars().next(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_keys_of_a_running_task_are_colours() {
        assert_eq!(arc_edit_symbol("0"), Some('0'), "0 is black, not a blank");
        assert_eq!(arc_edit_symbol("9"), Some('9'));
        assert_eq!(arc_edit_symbol("Delete"), Some('0'));
        assert_eq!(arc_edit_symbol("."), None);
        assert_eq!(arc_edit_symbol("a"), None);
        assert_eq!(arc_edit_symbol("ArrowUp"), None);
        assert_eq!(arc_edit_symbol("10"), None);
    }

    #[test]
    fn the_bundled_list_is_every_task_file_and_each_parses() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/puzzles/arc/");
        let mut on_disk = Vec::new();
        for split in ["training", "evaluation"] {
            for entry in std::fs::read_dir(format!("{root}{split}")).unwrap() {
                let name = entry.unwrap().file_name().into_string().unwrap();
                on_disk.push(format!("{split}/{}", name.strip_suffix(".json").unwrap()));
            }
        }
        on_disk.sort();
        let mut listed: Vec<String> = BUNDLED_TASKS.iter().map(|t| t.path.to_string()).collect();
        listed.sort();
        assert_eq!(listed, on_disk);
        for t in BUNDLED_TASKS {
            assert!(t.task().is_ok(), "{}", t.path);
        }
        assert_eq!(bundled_task("training/007bbfb7").map(BundledTask::id), Some("007bbfb7"));
        assert_eq!(bundled_task("training/007bbfb7").map(BundledTask::split), Some("training"));
        assert_eq!(bundled_task("training/nope"), None);
    }

    #[test]
    fn the_list_puts_the_known_tasks_first_and_says_which_do_not_fit() {
        let known = known_paths();
        assert_eq!(known.len(), 16);
        let list = task_list(10);
        assert_eq!(list.len(), BUNDLED_TASKS.len());
        let first: Vec<&str> = list.iter().take(16).map(|e| e.path).collect();
        assert_eq!(first, known, "small.txt's tasks first, in its order");
        assert!(list.iter().take(16).all(|e| e.known && e.problem.is_none()), "every known task fits 10×10");
        assert!(list.iter().skip(16).all(|e| !e.known));
        // Fitting tasks come before the others.
        let first_misfit = list.iter().position(|e| e.problem.is_some()).unwrap();
        assert!(list[first_misfit..].iter().all(|e| e.problem.is_some()));
        assert!(first_misfit > 16, "some unknown tasks fit 10×10");
        // On a 30×30 canvas everything fits.
        assert!(task_list(30).iter().all(|e| e.problem.is_none()));
        let e = &list[0];
        assert!(e.label().starts_with(&format!("{} (", known[0].rsplit('/').next().unwrap())), "{}", e.label());
        assert!(e.label().contains("known to the model"));
        assert!(list.last().unwrap().label().contains("too big"));
        let two = list.iter().find(|e| e.path == "training/25ff71a9").unwrap();
        assert_eq!(two.tests, 2);
        assert!(two.label().contains("2 tests"));
    }

    #[test]
    fn a_task_that_does_not_fit_says_which_grid_and_why() {
        let json =
            r#"{"train":[{"input":[[1]],"output":[[2]]}],"test":[{"input":[[1,2,3]],"output":[[1],[2],[3],[4]]}]}"#;
        let task = Task::from_json(json).unwrap();
        assert_eq!(fit_problem(&task, 4), None);
        assert_eq!(fit_problem(&task, 3).unwrap(), "test 1 output is 4×1: it does not fit this model's 3×3 canvas");
        assert_eq!(fit_problem(&task, 2).unwrap(), "test 1 input is 1×3: it does not fit this model's 2×2 canvas");
    }

    #[test]
    fn drafts_run_their_test_and_keep_the_task_on_a_bad_file() {
        let mut d = ArcDraft::first();
        assert_eq!(d.bundled, Some(known_paths()[0]));
        assert_eq!(d.error, None);
        let PuzzleSource::Arc { name, test, task_json } = d.source() else { panic!() };
        assert_eq!((name.as_str(), test), (d.name.as_str(), 0));
        assert_eq!(Task::from_json(&task_json).unwrap(), d.task);
        assert_eq!(ArcDraft::from_source(&d.source()), Some(d.clone()));

        let before = d.clone();
        for bad in [&b"{not json"[..], b"{\"train\": []}", b"[1,2]", b"\xff\xfe", b""] {
            assert!(!d.load_file("bad.json", bad));
            let e = d.error.clone().unwrap();
            assert!(e.starts_with("bad.json cannot be used (the task shown stays): "), "{e}");
            assert_eq!(ArcDraft { error: None, ..d.clone() }, before, "the task stays");
        }
        let two = br#"{"a":{"train":[{"input":[[1]],"output":[[2]]}],"test":[{"input":[[1]]}]},
                        "b":{"train":[{"input":[[1]],"output":[[2]]}],"test":[{"input":[[1]]}]}}"#;
        assert!(!d.load_file("two.json", two));
        assert!(d.error.as_deref().unwrap().contains("holds 2 tasks"));

        let json =
            br#"{"train":[{"input":[[1]],"output":[[2]]}],"test":[{"input":[[3]],"output":[[4]]},{"input":[[5,5]]}]}"#;
        assert!(d.load_file("mine.json", json));
        assert_eq!((d.name.as_str(), d.bundled, d.error.as_ref()), ("mine", None, None));
        assert_eq!(d.origin, "your file mine.json");
        assert_eq!(d.expected().map(grid_text).as_deref(), Some("4"));
        d.select_test(1);
        assert_eq!((d.test, d.expected()), (1, None));
        d.select_test(7);
        assert_eq!(d.test, 1, "no such test: unchanged");
        assert_eq!(expected_output(&d.source()), None);
        d.select_test(0);
        assert_eq!(expected_output(&d.source()).map(|g| grid_text(&g)).as_deref(), Some("4"));
        assert_eq!(ArcDraft::from_source(&d.source()).unwrap().origin, "task mine");
        assert_eq!(ArcDraft::from_source(&PuzzleSource::Maze { text: "#".into() }), None);
    }

    #[test]
    fn the_diff_covers_both_grids_with_the_overlay_marks() {
        use crate::engine::PuzzleKind;
        use crate::view_model::overlay::{arc_prediction, overlay};
        use crate::view_model::testdata::frame_of;
        // Canvas 3: the prediction is 2×2 (`12` / `34`), the expected output 1×3 (`153`).
        let f = frame_of(b"_________", b"12|34|||_");
        let predicted = arc_prediction(&f, 3).unwrap();
        assert_eq!(grid_text(&predicted), "12/34", "cropped by the library's EOS rule");
        let expected = Grid::from_rows(&[[1u8, 5, 3]]).unwrap();
        let o = overlay(&f, PuzzleKind::Arc { canvas: 3 }, 3, 3, Some(&expected)).unwrap();
        let (rows, cols, cells) = diff_cells(&predicted, &expected, &o);
        assert_eq!((rows, cols), (2, 3));
        let marks: Vec<Mark> = cells.iter().map(|c| c.mark).collect();
        use Mark::*;
        assert_eq!(marks, [Right, Wrong, Missing, Extra, Extra, Plain]);
        let colours: Vec<Option<u8>> = cells.iter().map(|c| c.colour).collect();
        assert_eq!(colours, [Some(1), Some(2), Some(3), Some(3), Some(4), None]);
        assert_eq!(mark_words(Wrong), ("mark-wrong", "wrong"));
        assert!(o.summary().contains("size mismatch"), "{}", o.summary());
    }

    #[test]
    fn grids_as_text_and_the_palette() {
        let g = Grid::from_rows(&[[0u8, 1, 2], [3, 4, 9]]).unwrap();
        assert_eq!(grid_text(&g), "012/349");
        assert_eq!(shape_text(&g), "2×3");
        assert_eq!(grid_text(&Grid::empty()), "");
        assert_eq!(PALETTE[1], "#0074D9");
        assert_eq!(PALETTE[9], "#870C25");
        assert_eq!(COLOUR_NAMES.len(), PALETTE.len());
    }
}
