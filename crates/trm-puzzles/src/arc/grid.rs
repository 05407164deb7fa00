//! ARC grids, pairs and tasks, and their JSON serialisation in the standard layout.

use std::fmt;

use super::ArcError;

/// Largest grid side in ARC (and the official canvas side).
pub const MAX_SIDE: usize = 30;

/// A grid of colours `0..=9`, row-major, with sides `1..=30`.
///
/// The one exception is the *empty* grid (0×0, [`Grid::empty`]): the crop rule (reference §8) yields it
/// when a predicted canvas does not start with a colour. Parsing never produces it; it serialises as `[]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Grid {
    rows: usize,
    cols: usize,
    cells: Vec<u8>,
}

impl Grid {
    /// A `rows × cols` grid from row-major `cells`. Sides must be `1..=30`, values `0..=9`.
    pub fn new(rows: usize, cols: usize, cells: Vec<u8>) -> Result<Self, ArcError> {
        let shape_ok = (1..=MAX_SIDE).contains(&rows) && (1..=MAX_SIDE).contains(&cols) && cells.len() == rows * cols;
        if !shape_ok {
            return Err(ArcError::GridShape { rows, cols, cells: cells.len() });
        }
        if let Some((index, &value)) = cells.iter().enumerate().find(|(_, v)| **v > 9) {
            return Err(ArcError::GridValue { index, value });
        }
        Ok(Self { rows, cols, cells })
    }

    /// A grid from its rows (all of the same length), e.g. `Grid::from_rows(&[[1, 2], [3, 4]])`.
    pub fn from_rows<R: AsRef<[u8]>>(rows: &[R]) -> Result<Self, ArcError> {
        let cols = rows.first().map_or(0, |r| r.as_ref().len());
        let mut cells = Vec::with_capacity(rows.len() * cols);
        for row in rows {
            let row = row.as_ref();
            if row.len() != cols {
                return Err(ArcError::GridShape {
                    rows: rows.len(),
                    cols,
                    cells: rows.iter().map(|r| r.as_ref().len()).sum(),
                });
            }
            cells.extend_from_slice(row);
        }
        Self::new(rows.len(), cols, cells)
    }

    /// The empty 0×0 grid (what the crop rule returns when no colour is at the top-left corner).
    pub fn empty() -> Self {
        Self { rows: 0, cols: 0, cells: Vec::new() }
    }

    /// Trusted constructor for cells this module produced (shape and values already valid).
    pub(crate) fn from_parts(rows: usize, cols: usize, cells: Vec<u8>) -> Self {
        debug_assert_eq!(cells.len(), rows * cols);
        Self { rows, cols, cells }
    }

    /// Number of rows (0 only for the empty grid).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns (0 only for the empty grid).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// Cells row-major.
    pub fn cells(&self) -> &[u8] {
        &self.cells
    }

    /// The colour at `(row, col)`, or `None` outside the grid.
    pub fn get(&self, row: usize, col: usize) -> Option<u8> {
        (row < self.rows && col < self.cols).then(|| self.cells[row * self.cols + col])
    }

    /// Whether this is the empty 0×0 grid.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The rows as vectors.
    pub fn to_rows(&self) -> Vec<Vec<u8>> {
        if self.cols == 0 {
            return Vec::new();
        }
        self.cells.chunks(self.cols).map(<[u8]>::to_vec).collect()
    }

    /// JSON text `[[0, 1], [2, 3]]` (`[]` for the empty grid).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    pub(crate) fn write_json(&self, out: &mut String) {
        out.push('[');
        for (r, row) in self.to_rows().iter().enumerate() {
            if r > 0 {
                out.push_str(", ");
            }
            out.push('[');
            for (c, v) in row.iter().enumerate() {
                if c > 0 {
                    out.push_str(", ");
                }
                out.push(char::from(b'0' + v));
            }
            out.push(']');
        }
        out.push(']');
    }
}

impl fmt::Display for Grid {
    /// One line per row, one digit per cell (nothing for the empty grid).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (r, row) in self.to_rows().iter().enumerate() {
            if r > 0 {
                writeln!(f)?;
            }
            for v in row {
                write!(f, "{v}")?;
            }
        }
        Ok(())
    }
}

/// A demonstration pair: input and output.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pair {
    pub input: Grid,
    pub output: Grid,
}

/// A test pair: the output is the answer, absent in challenge files.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TestPair {
    pub input: Grid,
    pub output: Option<Grid>,
}

/// One ARC task: demonstrations and test inputs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Task {
    pub train: Vec<Pair>,
    pub test: Vec<TestPair>,
}

/// A task with its name (collection key or the name a caller gave a single-task file).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NamedTask {
    pub name: String,
    pub task: Task,
}

impl Task {
    /// Parses one task: a single task object, or a collection holding exactly one task.
    ///
    /// Errors name the task `"task"` for the single-task form; use [`super::parse_tasks`] for collections.
    pub fn from_json(text: &str) -> Result<Self, ArcError> {
        let mut tasks = super::parse_tasks(text, "task")?;
        if tasks.len() != 1 {
            return Err(ArcError::NotSingleTask { count: tasks.len() });
        }
        Ok(tasks.remove(0).task)
    }

    /// The standard layout `{"train": [{"input": …, "output": …}, …], "test": [{"input": …}, …]}`;
    /// a test output is written only when present. Parsing the result gives this task back (when both
    /// lists are non-empty, as parsed tasks always are).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        out.push_str("{\"train\": [");
        for (k, pair) in self.train.iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            write_pair(out, &pair.input, Some(&pair.output));
        }
        out.push_str("], \"test\": [");
        for (k, pair) in self.test.iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            write_pair(out, &pair.input, pair.output.as_ref());
        }
        out.push_str("]}");
    }

    /// This task with `f` applied to every grid (inputs and outputs, all splits).
    pub fn map_grids(&self, mut f: impl FnMut(&Grid) -> Grid) -> Task {
        Task {
            train: self.train.iter().map(|p| Pair { input: f(&p.input), output: f(&p.output) }).collect(),
            test: self
                .test
                .iter()
                .map(|p| TestPair { input: f(&p.input), output: p.output.as_ref().map(&mut f) })
                .collect(),
        }
    }
}

fn write_pair(out: &mut String, input: &Grid, output: Option<&Grid>) {
    out.push_str("{\"input\": ");
    input.write_json(out);
    if let Some(output) = output {
        out.push_str(", \"output\": ");
        output.write_json(out);
    }
    out.push('}');
}

/// Writes `s` as a JSON string literal.
pub(crate) fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A collection `{task_id: task, …}` in the given order. It parses back when the names are distinct,
/// non-empty and free of `|||`, and the first is not `"train"` or `"test"` (which would read as a
/// single task).
pub fn tasks_to_json(tasks: &[NamedTask]) -> String {
    let mut out = String::from("{");
    for (k, named) in tasks.iter().enumerate() {
        if k > 0 {
            out.push_str(", ");
        }
        write_json_string(&mut out, &named.name);
        out.push_str(": ");
        named.task.write_json(&mut out);
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_validates_shape_and_values() {
        let g = Grid::new(2, 3, vec![0, 1, 2, 3, 4, 9]).unwrap();
        assert_eq!(g.shape(), (2, 3));
        assert_eq!(g.get(1, 2), Some(9));
        assert_eq!(g.get(2, 0), None);
        assert_eq!(g.get(0, 3), None);
        assert!(matches!(Grid::new(2, 3, vec![0; 5]), Err(ArcError::GridShape { .. })));
        assert!(matches!(Grid::new(0, 0, vec![]), Err(ArcError::GridShape { .. })));
        assert!(matches!(Grid::new(31, 1, vec![0; 31]), Err(ArcError::GridShape { .. })));
        assert_eq!(Grid::new(1, 2, vec![3, 10]), Err(ArcError::GridValue { index: 1, value: 10 }));
        assert!(Grid::new(30, 30, vec![5; 900]).is_ok());
    }

    #[test]
    fn from_rows_rejects_ragged_and_empty() {
        let g = Grid::from_rows(&[vec![1, 2], vec![3, 4]]).unwrap();
        assert_eq!(g.cells(), &[1, 2, 3, 4]);
        assert_eq!(g.to_rows(), vec![vec![1, 2], vec![3, 4]]);
        assert!(Grid::from_rows(&[vec![1, 2], vec![3]]).is_err());
        assert!(Grid::from_rows::<Vec<u8>>(&[]).is_err());
        assert!(Grid::from_rows(&[Vec::<u8>::new()]).is_err());
    }

    #[test]
    fn json_and_display() {
        let g = Grid::from_rows(&[[1, 2, 3], [4, 5, 6]]).unwrap();
        assert_eq!(g.to_json(), "[[1, 2, 3], [4, 5, 6]]");
        assert_eq!(g.to_string(), "123\n456");
        assert_eq!(Grid::empty().to_json(), "[]");
        assert!(Grid::empty().is_empty());
        assert_eq!(Grid::empty().to_rows(), Vec::<Vec<u8>>::new());
    }

    #[test]
    fn task_json_layout() {
        let a = Grid::from_rows(&[[1]]).unwrap();
        let b = Grid::from_rows(&[[2, 3]]).unwrap();
        let task = Task {
            train: vec![Pair { input: a.clone(), output: b.clone() }],
            test: vec![TestPair { input: b.clone(), output: None }, TestPair { input: a.clone(), output: Some(b) }],
        };
        assert_eq!(
            task.to_json(),
            "{\"train\": [{\"input\": [[1]], \"output\": [[2, 3]]}], \
             \"test\": [{\"input\": [[2, 3]]}, {\"input\": [[1]], \"output\": [[2, 3]]}]}"
        );
        let named = [NamedTask { name: "a\"b".into(), task: task.clone() }];
        assert!(tasks_to_json(&named).starts_with("{\"a\\\"b\": {\"train\""));
    }

    #[test]
    fn json_strings_are_escaped() {
        let mut out = String::new();
        write_json_string(&mut out, "a\\b\n\u{1}é");
        assert_eq!(out, "\"a\\\\b\\n\\u0001é\"");
        assert_eq!(serde_json::from_str::<String>(&out).unwrap(), "a\\b\n\u{1}é");
    }
}
