//! The correctness overlay of a frame: which cells to mark, and a verdict in words.
//!
//! - Sudoku: givens vs predictions, givens the model overwrote, and cells in conflict (row, column
//!   or box duplicates, by trm-puzzles' rule check on the predicted grid).
//! - Maze: the predicted grid through trm-puzzles' maze verifier: a valid (hence shortest) path, or
//!   the verifier's reason and the cell it names.
//! - ARC: the predicted canvas cropped by the official EOS rule, diffed cell by cell against the
//!   expected output (a size mismatch is reported, and the cells outside the overlap are marked).
//!
//! Marks are per cell of the frame's grid (row-major, the canvas for ARC).

use serde::{Deserialize, Serialize};
use trm_puzzles::arc::{self, Grid};
use trm_puzzles::sudoku::Unit as SudokuUnit;
use trm_puzzles::{Maze, MazeCell, PathError, Sudoku, maze};

use crate::engine::{Frame, PuzzleKind};

/// How one cell is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mark {
    /// Nothing to say (an open maze cell, PAD outside an ARC grid).
    Plain,
    /// A given of the puzzle, kept by the answer.
    Given,
    /// A cell the model filled in, with no rule broken.
    Predicted,
    /// A given the answer changed.
    GivenChanged,
    /// Part of a rule violation (Sudoku duplicate; the cell a maze verdict names).
    Conflict,
    /// Matches the expected answer (ARC; maze path cells of a valid path).
    Right,
    /// Differs from the expected answer.
    Wrong,
    /// Predicted outside the expected grid (ARC: the prediction is too large here).
    Extra,
    /// Expected but not predicted (ARC: the prediction is too small here).
    Missing,
}

/// A Sudoku rule unit, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnitKind {
    Row,
    Column,
    Box,
}

/// One duplicate: `digit` twice in a unit, at two cells (row-major indices).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    pub digit: u8,
    pub unit: UnitKind,
    /// Which row, column or box (0-based).
    pub unit_index: usize,
    pub cells: (usize, usize),
}

/// The verdict of an overlay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "domain")]
pub enum Verdict {
    Sudoku {
        /// Cells with a digit in the answer.
        filled: usize,
        cells: usize,
        duplicates: Vec<Duplicate>,
        /// Givens the answer changed.
        givens_changed: usize,
        /// Filled, no duplicate, every given kept.
        solved: bool,
    },
    Maze {
        /// `Ok(path length)` for a valid shortest path (the verifier accepts shortest paths only).
        valid: bool,
        /// The path is a route from S to G but longer than a shortest one.
        too_long: bool,
        /// Path cells between S and G when valid.
        length: Option<usize>,
        /// The verifier's reason when invalid.
        reason: Option<String>,
    },
    Arc {
        /// Rows × columns of the cropped prediction (0×0 when the canvas starts with a non-colour).
        predicted: (usize, usize),
        /// Rows × columns of the expected output, when known.
        expected: Option<(usize, usize)>,
        /// Cells inside the overlap that differ (0 when no expected output).
        wrong: usize,
        /// Same size and no wrong cell.
        exact: bool,
    },
}

/// A correctness overlay: one mark per cell and a verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overlay {
    pub rows: usize,
    pub cols: usize,
    pub marks: Vec<Mark>,
    pub verdict: Verdict,
}

impl Overlay {
    /// Cells with `mark`, row-major indices.
    pub fn cells_marked(&self, mark: Mark) -> Vec<usize> {
        self.marks.iter().enumerate().filter(|(_, m)| **m == mark).map(|(k, _)| k).collect()
    }

    /// One sentence for the page.
    pub fn summary(&self) -> String {
        match &self.verdict {
            Verdict::Sudoku { filled, cells, duplicates, givens_changed, solved } => {
                if *solved {
                    "solved: every cell filled, no row, column or box repeats a digit".into()
                } else {
                    let mut parts = Vec::new();
                    if filled < cells {
                        parts.push(format!("{} of {cells} cells empty", cells - filled));
                    }
                    if !duplicates.is_empty() {
                        parts.push(format!("{} duplicate(s)", duplicates.len()));
                    }
                    if *givens_changed > 0 {
                        parts.push(format!("{givens_changed} given(s) changed"));
                    }
                    format!("not solved: {}", parts.join(", "))
                }
            }
            Verdict::Maze { valid: true, length, .. } => {
                format!("path valid: yes · shortest: yes ({} cells between S and G)", length.unwrap_or(0))
            }
            Verdict::Maze { too_long: true, reason, .. } => {
                format!(
                    "path valid: yes · shortest: no ({})",
                    reason.as_deref().unwrap_or("longer than a shortest path")
                )
            }
            Verdict::Maze { reason, .. } => format!("path valid: no ({})", reason.as_deref().unwrap_or("unknown")),
            Verdict::Arc { predicted, expected: None, .. } => {
                format!("predicted a {}×{} grid (no expected output to compare)", predicted.0, predicted.1)
            }
            Verdict::Arc { predicted, expected: Some(e), wrong, exact } => {
                if *exact {
                    format!("exact: the {}×{} output matches", e.0, e.1)
                } else if predicted != e {
                    format!(
                        "size mismatch: predicted {}×{}, expected {}×{}; {wrong} wrong cell(s) in the overlap",
                        predicted.0, predicted.1, e.0, e.1
                    )
                } else {
                    format!("{wrong} of {} cells wrong", e.0 * e.1)
                }
            }
        }
    }
}

/// Why an overlay cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverlayError {
    /// The frame's arrays do not have `rows · cols` cells.
    #[error("the frame has {found} cells, but the grid is {rows}×{cols}")]
    Shape { rows: usize, cols: usize, found: usize },
    /// The grid is not a size trm-puzzles checks (e.g. a Sudoku side other than 4, 6, 9).
    #[error("cannot check this grid: {0}")]
    Grid(String),
}

/// The correctness overlay of `frame` for a puzzle of `kind` on a `rows × cols` grid. `expected`
/// is the ARC test output when known (ignored for the other domains).
pub fn overlay(
    frame: &Frame,
    kind: PuzzleKind,
    rows: usize,
    cols: usize,
    expected: Option<&Grid>,
) -> Result<Overlay, OverlayError> {
    let n = rows * cols;
    for found in [frame.input.len(), frame.answer.len()] {
        if found != n {
            return Err(OverlayError::Shape { rows, cols, found });
        }
    }
    match kind {
        PuzzleKind::Sudoku { side } => sudoku(frame, side),
        PuzzleKind::Maze { side } => maze_overlay(frame, side),
        PuzzleKind::Arc { canvas } => arc_overlay(frame, canvas, expected),
    }
}

fn digit(symbol: u8) -> u8 {
    if symbol.is_ascii_digit() { symbol - b'0' } else { 0 }
}

fn sudoku(frame: &Frame, side: usize) -> Result<Overlay, OverlayError> {
    // Through the predicted-token decoder: anything but a digit of this size is a blank.
    let tokens: Vec<u32> = frame.answer.iter().map(|&s| u32::from(digit(s)) + 1).collect();
    let answer = Sudoku::from_predicted_tokens(side, &tokens).map_err(|e| OverlayError::Grid(e.to_string()))?;
    let mut marks: Vec<Mark> = frame
        .input
        .iter()
        .zip(answer.cells())
        .map(|(&given, &a)| match digit(given) {
            0 if a == 0 => Mark::Plain,
            0 => Mark::Predicted,
            g if g == a => Mark::Given,
            _ => Mark::GivenChanged,
        })
        .collect();
    let duplicates: Vec<Duplicate> = answer
        .conflicts()
        .into_iter()
        .map(|c| {
            let (unit, unit_index) = match c.unit {
                SudokuUnit::Row(r) => (UnitKind::Row, r),
                SudokuUnit::Column(c) => (UnitKind::Column, c),
                SudokuUnit::Box(b) => (UnitKind::Box, b),
            };
            let at = |(r, c): (usize, usize)| r * side + c;
            Duplicate { digit: c.digit, unit, unit_index, cells: (at(c.first), at(c.second)) }
        })
        .collect();
    for d in &duplicates {
        for k in [d.cells.0, d.cells.1] {
            if marks[k] != Mark::GivenChanged {
                marks[k] = Mark::Conflict;
            }
        }
    }
    let filled = answer.cells().iter().filter(|&&v| v != 0).count();
    let givens_changed = marks.iter().filter(|&&m| m == Mark::GivenChanged).count();
    let solved = filled == side * side && duplicates.is_empty() && givens_changed == 0;
    Ok(Overlay {
        rows: side,
        cols: side,
        marks,
        verdict: Verdict::Sudoku { filled, cells: side * side, duplicates, givens_changed, solved },
    })
}

fn maze_cells(symbols: &[u8]) -> Vec<MazeCell> {
    symbols.iter().map(|&s| MazeCell::from_char(char::from(s)).unwrap_or(MazeCell::Open)).collect()
}

fn maze_overlay(frame: &Frame, side: usize) -> Result<Overlay, OverlayError> {
    let grid = |symbols: &[u8]| {
        Maze::from_cells_unchecked(side, maze_cells(symbols)).map_err(|e| OverlayError::Grid(e.to_string()))
    };
    let puzzle = grid(&frame.input)?;
    let answer = grid(&frame.answer)?;
    let verdict = maze::verify_answer(&puzzle, &answer);
    let is_path = |k: usize| answer.cells()[k] == MazeCell::Path;
    let mut marks: Vec<Mark> = (0..side * side)
        .map(|k| match (verdict.is_ok(), is_path(k)) {
            (_, false) => Mark::Plain,
            (true, true) => Mark::Right,
            (false, true) => Mark::Wrong,
        })
        .collect();
    let at = match &verdict {
        Err(
            PathError::CellChanged { at, .. }
            | PathError::Broken { at }
            | PathError::Branch { at }
            | PathError::Stray { at },
        ) => Some(*at),
        _ => None,
    };
    if let Some((r, c)) = at
        && r < side
        && c < side
    {
        marks[r * side + c] = Mark::Conflict;
    }
    let verdict = match verdict {
        Ok(length) => Verdict::Maze { valid: true, too_long: false, length: Some(length), reason: None },
        Err(e) => Verdict::Maze {
            valid: false,
            too_long: matches!(e, PathError::TooLong { .. }),
            length: None,
            reason: Some(e.to_string()),
        },
    };
    Ok(Overlay { rows: side, cols: side, marks, verdict })
}

/// The official token of an ARC display symbol (see [`crate::engine::puzzle`]).
pub fn arc_token(symbol: u8) -> u8 {
    match symbol {
        b'0'..=b'9' => symbol - b'0' + arc::COLOUR_OFFSET,
        b'|' => arc::EOS,
        _ => arc::PAD,
    }
}

/// The predicted ARC output of a frame: its answer canvas cropped by the official EOS rule.
pub fn arc_prediction(frame: &Frame, canvas: usize) -> Result<Grid, OverlayError> {
    let tokens: Vec<u8> = frame.answer.iter().map(|&s| arc_token(s)).collect();
    arc::crop(&tokens, canvas).map_err(|e| OverlayError::Grid(e.to_string()))
}

fn arc_overlay(frame: &Frame, canvas: usize, expected: Option<&Grid>) -> Result<Overlay, OverlayError> {
    let predicted = arc_prediction(frame, canvas)?;
    let mut marks = vec![Mark::Plain; canvas * canvas];
    let (pr, pc) = predicted.shape();
    let mut wrong = 0;
    if let Some(e) = expected {
        let (er, ec) = e.shape();
        for r in 0..pr.max(er).min(canvas) {
            for c in 0..pc.max(ec).min(canvas) {
                marks[r * canvas + c] = match (predicted.get(r, c), e.get(r, c)) {
                    (Some(p), Some(x)) if p == x => Mark::Right,
                    (Some(_), Some(_)) => {
                        wrong += 1;
                        Mark::Wrong
                    }
                    (Some(_), None) => Mark::Extra,
                    (None, Some(_)) => Mark::Missing,
                    (None, None) => Mark::Plain,
                };
            }
        }
    } else {
        for r in 0..pr {
            for c in 0..pc {
                marks[r * canvas + c] = Mark::Predicted;
            }
        }
    }
    let exact = expected.is_some_and(|e| e.shape() == (pr, pc) && wrong == 0);
    Ok(Overlay {
        rows: canvas,
        cols: canvas,
        marks,
        verdict: Verdict::Arc { predicted: (pr, pc), expected: expected.map(Grid::shape), wrong, exact },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::testdata::{frame_of, maze_pair, run_sudoku};

    #[test]
    fn sudoku_run_of_the_shipped_model_ends_solved() {
        let (info, frames) = run_sudoku("3..2....13242.3.", 8);
        let last = frames.last().unwrap();
        let o = overlay(last, info.kind, info.rows, info.cols, None).unwrap();
        assert!(matches!(o.verdict, Verdict::Sudoku { solved: true, .. }), "{o:?}");
        assert_eq!(o.cells_marked(Mark::Given).len(), 8, "eight givens in 3..2....13242.3.");
        assert_eq!(o.cells_marked(Mark::Predicted).len(), 8);
        // The start frame's answer is whatever y decodes to at H_init: the overlay still works.
        let first = overlay(&frames[0], info.kind, info.rows, info.cols, None).unwrap();
        assert_eq!(first.marks.len(), 16);
    }

    #[test]
    fn sudoku_duplicates_and_changed_givens_are_marked() {
        // Row 0 has two 3s (cells 0 and 1); cell 3 was the given 2 and the answer says 4.
        let f = frame_of(b"3..2....13242.3.", b"3314421313242431");
        let o = overlay(&f, PuzzleKind::Sudoku { side: 4 }, 4, 4, None).unwrap();
        assert_eq!(o.marks[3], Mark::GivenChanged);
        assert_eq!(o.marks[1], Mark::Conflict);
        assert_eq!(o.marks[0], Mark::Conflict, "the given in conflict is marked too");
        let Verdict::Sudoku { duplicates, givens_changed, solved, .. } = &o.verdict else { panic!() };
        assert!(!solved);
        assert_eq!(*givens_changed, 1);
        assert!(duplicates.iter().any(|d| d.digit == 3 && d.unit == UnitKind::Row && d.cells == (0, 1)));
        assert!(o.summary().contains("duplicate"), "{}", o.summary());
        let blank = frame_of(b"3..2....13242.3.", b"3..2....13242.3.");
        let o = overlay(&blank, PuzzleKind::Sudoku { side: 4 }, 4, 4, None).unwrap();
        assert_eq!(o.summary(), "not solved: 8 of 16 cells empty");
        assert!(overlay(&blank, PuzzleKind::Sudoku { side: 4 }, 3, 3, None).is_err());
    }

    #[test]
    fn bundled_maze_solution_is_valid_and_a_broken_one_names_the_cell() {
        let (puzzle, solution, side) = maze_pair("9x9-medium");
        let f = frame_of(&puzzle, &solution);
        let o = overlay(&f, PuzzleKind::Maze { side }, side, side, None).unwrap();
        let Verdict::Maze { valid: true, length: Some(len), .. } = o.verdict else { panic!("{o:?}") };
        assert_eq!(o.cells_marked(Mark::Right).len(), len);
        // Remove the path cell next to S: the path breaks off at S.
        let s = solution.iter().position(|&b| b == b'S').unwrap();
        let mut broken = solution.clone();
        let next = [s - side, s + side, s - 1, s + 1].into_iter().find(|&k| solution[k] == b'o').unwrap();
        broken[next] = b' ';
        let o = overlay(&frame_of(&puzzle, &broken), PuzzleKind::Maze { side }, side, side, None).unwrap();
        assert_eq!(o.cells_marked(Mark::Conflict), [s]);
        assert!(o.summary().contains("breaks off"), "{}", o.summary());
        // A path cell on a wall.
        let wall = solution.iter().position(|&b| b == b'#').unwrap();
        let mut on_wall = solution.clone();
        on_wall[wall] = b'o';
        let o = overlay(&frame_of(&puzzle, &on_wall), PuzzleKind::Maze { side }, side, side, None).unwrap();
        assert_eq!(o.cells_marked(Mark::Conflict), [wall]);
    }

    #[test]
    fn a_valid_but_longer_maze_path_says_so() {
        // S and G either side of a wall: straight under it is shortest, round by the bottom row is not.
        let puzzle = b"######S#G##   ##   ######";
        let straight = b"######S#G##ooo##   ######";
        let round = b"######S#G##o o##ooo######";
        let kind = PuzzleKind::Maze { side: 5 };
        let o = overlay(&frame_of(puzzle, straight), kind, 5, 5, None).unwrap();
        assert_eq!(o.summary(), "path valid: yes · shortest: yes (3 cells between S and G)");
        let o = overlay(&frame_of(puzzle, round), kind, 5, 5, None).unwrap();
        assert!(o.summary().starts_with("path valid: yes · shortest: no ("), "{}", o.summary());
        assert!(o.summary().contains("a shortest path has 3"), "{}", o.summary());
        let broken = b"######S#G##o  ##   ######";
        let o = overlay(&frame_of(puzzle, broken), kind, 5, 5, None).unwrap();
        assert!(o.summary().starts_with("path valid: no (the path from S breaks off"), "{}", o.summary());
    }

    /// The test output of a bundled ARC task on a `canvas` canvas, as the engine would show it.
    fn arc_case(canvas: usize) -> (Grid, Vec<u8>) {
        let json = crate::view_model::testdata::arc_task("training/0d3d703e");
        let task = trm_puzzles::Task::from_json(&json).unwrap();
        let out = task.test[0].output.clone().unwrap();
        let tokens = arc::encode_grid(&out, canvas, (0, 0)).unwrap();
        let symbols = tokens
            .iter()
            .map(|&t| match t {
                arc::PAD => b'_',
                arc::EOS => b'|',
                c => b'0' + c - arc::COLOUR_OFFSET,
            })
            .collect();
        (out, symbols)
    }

    #[test]
    fn arc_prediction_is_cropped_and_diffed() {
        let canvas = 10;
        let (expected, symbols) = arc_case(canvas);
        let kind = PuzzleKind::Arc { canvas };
        let f = frame_of(&symbols, &symbols);
        let o = overlay(&f, kind, canvas, canvas, Some(&expected)).unwrap();
        assert!(matches!(o.verdict, Verdict::Arc { exact: true, wrong: 0, .. }), "{o:?}");
        assert_eq!(o.cells_marked(Mark::Right).len(), expected.rows() * expected.cols());
        // One wrong colour.
        let mut one = symbols.clone();
        one[0] = if one[0] == b'1' { b'2' } else { b'1' };
        let o = overlay(&frame_of(&symbols, &one), kind, canvas, canvas, Some(&expected)).unwrap();
        assert_eq!(o.cells_marked(Mark::Wrong), [0]);
        assert!(matches!(o.verdict, Verdict::Arc { exact: false, wrong: 1, .. }));
        // The EOS moved one column left: the prediction is one column short.
        let (rows, cols) = expected.shape();
        let mut short = symbols.clone();
        for r in 0..rows {
            short[r * canvas + cols - 1] = b'|';
        }
        let o = overlay(&frame_of(&symbols, &short), kind, canvas, canvas, Some(&expected)).unwrap();
        let Verdict::Arc { predicted, expected: e, exact, .. } = o.verdict.clone() else { panic!() };
        assert_eq!((predicted, e, exact), ((rows, cols - 1), Some((rows, cols)), false));
        assert_eq!(o.cells_marked(Mark::Missing).len(), rows);
        assert!(o.summary().starts_with("size mismatch"), "{}", o.summary());
        // Without an expected output, the cropped prediction is marked.
        let o = overlay(&f, kind, canvas, canvas, None).unwrap();
        assert_eq!(o.cells_marked(Mark::Predicted).len(), rows * cols);
        assert_eq!(arc_prediction(&f, canvas).unwrap(), expected);
    }
}
