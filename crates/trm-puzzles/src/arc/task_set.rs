//! Task sets: the one rule by which the trainer, `trm eval`, `trm solve` and `trm dataset` turn a path
//! into a list of ARC tasks.
//!
//! A path names one of:
//!
//! - a **directory**: every `*.json` file directly inside it (sorted by file name), each a single task
//!   named by its file stem, or a collection whose tasks are named by their keys;
//! - a **JSON file** (extension `.json`, or any file whose first non-blank character is `{`): a single task
//!   named by the file stem, or a collection `{task_id: task, …}`;
//! - a **list file** (anything else, e.g. `assets/puzzles/arc/small.txt`): one entry per line, such as
//!   `training/007bbfb7`, resolved relative to the list's own folder as `<folder>/<entry>.json` (an entry
//!   that already ends in `.json` is taken as it is); text after `#` and blank lines are ignored. Each
//!   entry's file is read as above, so `training/007bbfb7` is the task `007bbfb7`.
//!
//! Two tasks with the same name are an error (their puzzle-embedding rows would be confused), and so is
//! a set without tasks. [`check_canvas`] says which grid, if any, does not fit a canvas.

use std::fmt;

use super::grid::NamedTask;
use super::{ArcError, GridRole, Split};

/// A task set that cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TaskSetError {
    /// A file or directory that cannot be read.
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    /// A list entry whose task file is missing or unreadable.
    #[error("{list}:{line}: entry `{entry}`: cannot read {path}: {message}")]
    Entry { list: String, line: usize, entry: String, path: String, message: String },
    /// A task file that does not parse.
    #[error("{path}: {source}")]
    Parse { path: String, source: ArcError },
    /// The same task name twice.
    #[error("task {name:?} appears twice (in {first} and in {second}); task names must be distinct")]
    Duplicate { name: String, first: String, second: String },
    /// A list, directory or collection without tasks.
    #[error("{path}: no tasks ({what})")]
    Empty { path: String, what: &'static str },
    /// A grid larger than the canvas it is meant for.
    #[error(
        "task {task:?}: {grid} is {rows}x{cols}, larger than the {side}x{side} canvas; use a larger canvas or \
         leave the task out"
    )]
    TooLarge { task: String, grid: String, rows: usize, cols: usize, side: usize },
}

/// One entry of a list file: its 1-based line number and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    pub line: usize,
    pub entry: String,
}

/// The entries of a list file's text (comments after `#` and blank lines dropped, spaces trimmed).
pub fn parse_task_list(text: &str) -> Vec<ListEntry> {
    text.lines()
        .enumerate()
        .filter_map(|(n, line)| {
            let entry = line.split('#').next().unwrap_or("").trim();
            (!entry.is_empty()).then(|| ListEntry { line: n + 1, entry: entry.to_string() })
        })
        .collect()
}

/// The relative file name of a list entry: the entry with `.json` appended unless it ends with it.
pub fn entry_file_name(entry: &str) -> String {
    if entry.ends_with(".json") { entry.to_string() } else { format!("{entry}.json") }
}

/// Whether the bytes of a file without a `.json` extension look like JSON (first non-blank `{`).
pub fn looks_like_json(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// Where a grid sits in its task, as `train[2].output`.
struct GridPlace(Split, usize, GridRole);

impl fmt::Display for GridPlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}].{}", self.0, self.1, self.2)
    }
}

/// Checks that every grid of every task (inputs and outputs, demonstrations and tests) fits a
/// `side × side` canvas, naming the first that does not. Dihedral augmentations only transpose a grid,
/// so a task that fits fits in every version.
pub fn check_canvas(tasks: &[NamedTask], side: usize) -> Result<(), TaskSetError> {
    for named in tasks {
        let t = &named.task;
        let demos = t.train.iter().enumerate().flat_map(|(k, p)| {
            [
                (GridPlace(Split::Train, k, GridRole::Input), &p.input),
                (GridPlace(Split::Train, k, GridRole::Output), &p.output),
            ]
        });
        let tests = t.test.iter().enumerate().flat_map(|(k, p)| {
            std::iter::once((GridPlace(Split::Test, k, GridRole::Input), &p.input))
                .chain(p.output.as_ref().map(|o| (GridPlace(Split::Test, k, GridRole::Output), o)))
        });
        for (place, grid) in demos.chain(tests) {
            let (rows, cols) = grid.shape();
            if rows > side || cols > side {
                return Err(TaskSetError::TooLarge {
                    task: named.name.clone(),
                    grid: place.to_string(),
                    rows,
                    cols,
                    side,
                });
            }
        }
    }
    Ok(())
}

#[cfg(not(target_arch = "wasm32"))]
mod fs {
    use std::path::Path;

    use super::super::parse::parse_tasks_bytes;
    use super::*;

    /// Adds `found` (read from `origin`) to `tasks`, refusing a name already present.
    fn add_tasks(
        tasks: &mut Vec<(NamedTask, String)>,
        found: Vec<NamedTask>,
        origin: &str,
    ) -> Result<(), TaskSetError> {
        for named in found {
            if let Some((_, first)) = tasks.iter().find(|(t, _)| t.name == named.name) {
                return Err(TaskSetError::Duplicate {
                    name: named.name.clone(),
                    first: first.clone(),
                    second: origin.to_string(),
                });
            }
            tasks.push((named, origin.to_string()));
        }
        Ok(())
    }

    fn io_error(path: &Path, e: &std::io::Error) -> TaskSetError {
        TaskSetError::Io { path: path.display().to_string(), message: e.to_string() }
    }

    /// The tasks of one JSON file (a single task named by the file stem, or a collection).
    fn parse_file(path: &Path, bytes: &[u8]) -> Result<Vec<NamedTask>, TaskSetError> {
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "task".into());
        parse_tasks_bytes(bytes, &stem)
            .map_err(|source| TaskSetError::Parse { path: path.display().to_string(), source })
    }

    /// Reads the tasks a path names (see the [module docs](self)): a directory of task files, a JSON task
    /// or collection, or a list file of `subset/id` entries resolved relative to the list's folder.
    pub fn read_task_set(path: &Path) -> Result<Vec<NamedTask>, TaskSetError> {
        let mut tasks: Vec<(NamedTask, String)> = Vec::new();
        let shown = path.display().to_string();
        let what;
        if path.is_dir() {
            what = "the directory holds no .json task files";
            let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(path)
                .map_err(|e| io_error(path, &e))?
                .map(|entry| entry.map(|e| e.path()).map_err(|e| io_error(path, &e)))
                .collect::<Result<_, _>>()?;
            files.retain(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"));
            files.sort();
            for file in files {
                let bytes = std::fs::read(&file).map_err(|e| io_error(&file, &e))?;
                add_tasks(&mut tasks, parse_file(&file, &bytes)?, &file.display().to_string())?;
            }
        } else {
            let bytes = std::fs::read(path).map_err(|e| io_error(path, &e))?;
            if path.extension().is_some_and(|x| x == "json") || looks_like_json(&bytes) {
                what = "empty collection";
                add_tasks(&mut tasks, parse_file(path, &bytes)?, &shown)?;
            } else {
                what = "the list has no entries";
                let text = std::str::from_utf8(&bytes).map_err(|e| TaskSetError::Io {
                    path: shown.clone(),
                    message: format!("not UTF-8 text ({e}); a task list has one `subset/id` entry per line"),
                })?;
                let folder = path.parent().unwrap_or(Path::new(""));
                for ListEntry { line, entry } in parse_task_list(text) {
                    let file = folder.join(entry_file_name(&entry));
                    let bytes = std::fs::read(&file).map_err(|e| TaskSetError::Entry {
                        list: shown.clone(),
                        line,
                        entry: entry.clone(),
                        path: file.display().to_string(),
                        message: e.to_string(),
                    })?;
                    add_tasks(&mut tasks, parse_file(&file, &bytes)?, &format!("{shown}:{line}"))?;
                }
            }
        }
        if tasks.is_empty() {
            return Err(TaskSetError::Empty { path: shown, what });
        }
        Ok(tasks.into_iter().map(|(t, _)| t).collect())
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub use fs::read_task_set;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arc::{Grid, Pair, Task, TestPair};

    fn task(side: usize) -> Task {
        let g = Grid::new(side, 1, vec![1; side]).unwrap();
        let small = Grid::new(1, 1, vec![2]).unwrap();
        Task {
            train: vec![Pair { input: small.clone(), output: small.clone() }],
            test: vec![TestPair { input: small, output: Some(g) }],
        }
    }

    #[test]
    fn list_entries_and_file_names() {
        let entries = parse_task_list("# header\ntraining/a\n\n  evaluation/b.json  # note\n#x\n");
        assert_eq!(
            entries,
            vec![
                ListEntry { line: 2, entry: "training/a".into() },
                ListEntry { line: 4, entry: "evaluation/b.json".into() }
            ]
        );
        assert_eq!(entry_file_name("training/a"), "training/a.json");
        assert_eq!(entry_file_name("b.json"), "b.json");
        assert!(looks_like_json(b"\xEF\xBB\xBF  \n{\"a\": 1}"));
        assert!(!looks_like_json(b"training/a\n"));
    }

    #[test]
    fn canvas_check_names_the_grid() {
        let tasks =
            vec![NamedTask { name: "ok".into(), task: task(3) }, NamedTask { name: "big".into(), task: task(11) }];
        assert!(check_canvas(&tasks[..1], 3).is_ok());
        let err = check_canvas(&tasks, 10).unwrap_err();
        assert_eq!(
            err,
            TaskSetError::TooLarge { task: "big".into(), grid: "test[0].output".into(), rows: 11, cols: 1, side: 10 }
        );
        assert!(err.to_string().contains("test[0].output is 11x1, larger than the 10x10 canvas"), "{err}");
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn lists_directories_and_collections_resolve_alike() {
        let dir = std::env::temp_dir().join(format!("trm-task-set-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("training")).unwrap();
        let (a, b) = (task(2), task(4));
        std::fs::write(dir.join("training/a.json"), a.to_json()).unwrap();
        std::fs::write(dir.join("training/b.json"), b.to_json()).unwrap();
        std::fs::write(dir.join("list.txt"), "training/b  # first\ntraining/a.json\n").unwrap();
        let from_list = read_task_set(&dir.join("list.txt")).unwrap();
        let names: Vec<&str> = from_list.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["b", "a"]);
        assert_eq!((&from_list[0].task, &from_list[1].task), (&b, &a));
        let from_dir = read_task_set(&dir.join("training")).unwrap();
        assert_eq!(from_dir.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        let collection = crate::arc::tasks_to_json(&from_list);
        std::fs::write(dir.join("set.json"), &collection).unwrap();
        assert_eq!(read_task_set(&dir.join("set.json")).unwrap(), from_list);
        // A collection without the .json extension is still JSON.
        std::fs::write(dir.join("set.data"), &collection).unwrap();
        assert_eq!(read_task_set(&dir.join("set.data")).unwrap(), from_list);

        std::fs::write(dir.join("missing.txt"), "training/a\n\ntraining/nope\n").unwrap();
        let err = read_task_set(&dir.join("missing.txt")).unwrap_err().to_string();
        assert!(err.contains("missing.txt:3: entry `training/nope`: cannot read"), "{err}");
        std::fs::write(dir.join("twice.txt"), "training/a\ntraining/a\n").unwrap();
        let err = read_task_set(&dir.join("twice.txt")).unwrap_err();
        assert!(matches!(&err, TaskSetError::Duplicate { name, .. } if name == "a"), "{err}");
        std::fs::write(dir.join("empty.txt"), "# nothing\n").unwrap();
        assert!(matches!(read_task_set(&dir.join("empty.txt")), Err(TaskSetError::Empty { .. })));
        std::fs::write(dir.join("training/bad.json"), "{\"train\": [}").unwrap();
        let err = read_task_set(&dir.join("training")).unwrap_err();
        assert!(matches!(&err, TaskSetError::Parse { path, .. } if path.ends_with("bad.json")), "{err}");
        let err = read_task_set(&dir.join("nowhere.txt")).unwrap_err();
        assert!(matches!(&err, TaskSetError::Io { path, .. } if path.ends_with("nowhere.txt")), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
