//! Puzzles in, for Sudoku: the puzzle the user is preparing ([`SudokuDraft`]), typed or pasted as
//! text, edited cell by cell with the keyboard, picked from the bundled samples, or generated
//! (seeded, by tier) with trm-puzzles' generator, which runs here in the page's wasm.
//!
//! Plain Rust, tested natively; the components in [`crate::app`] only render it.

use trm_puzzles::Sudoku;
use trm_puzzles::sudoku::{Generator, Tier};

use crate::engine::PuzzleSource;

/// The Sudoku puzzle being prepared for the next run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SudokuDraft {
    /// Side of the grid (the loaded model's).
    pub side: usize,
    /// Row-major cells: 0 blank, 1..=side a given.
    pub cells: Vec<u8>,
    /// The cell the keyboard edits.
    pub selected: Option<usize>,
    /// The text box's content: exactly what the user typed, even when it is invalid.
    pub text: String,
    /// What is wrong with `text`, if anything (the grid keeps the last valid puzzle).
    pub error: Option<String>,
    /// The known solution (bundled samples and generated puzzles), one line of digits.
    pub solution: Option<String>,
    /// Where the puzzle came from, for the page ("sample 3 of easy", "generated: seed 7, hard").
    pub origin: String,
}

/// What a key press on the grid did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOutcome {
    /// The selection moved.
    Moved,
    /// A cell changed.
    Edited,
    /// Not a key the grid uses (let the browser have it).
    Ignored,
}

/// One line of a grid: digits for givens, `.` for blanks.
pub fn line_of(cells: &[u8]) -> String {
    cells.iter().map(|&v| if v == 0 { '.' } else { char::from(b'0' + v) }).collect()
}

/// Parses a Sudoku text for a model of `side`; the message says what is wrong.
pub fn parse_for_side(text: &str, side: usize) -> Result<Vec<u8>, String> {
    let sudoku = Sudoku::parse(text).map_err(|e| e.to_string())?;
    if sudoku.side() != side {
        let found = sudoku.side();
        return Err(format!(
            "this is a {found}×{found} Sudoku ({} cells); the loaded model solves {side}×{side} ({} cells)",
            found * found,
            side * side
        ));
    }
    if let Some(c) = sudoku.conflicts().first() {
        let (r1, c1) = c.first;
        let (r2, c2) = c.second;
        return Err(format!(
            "the digit {} appears twice: row {}, column {} and row {}, column {}",
            c.digit,
            r1 + 1,
            c1 + 1,
            r2 + 1,
            c2 + 1
        ));
    }
    Ok(sudoku.cells().to_vec())
}

impl SudokuDraft {
    /// An empty grid.
    pub fn empty(side: usize) -> Self {
        let cells = vec![0; side * side];
        SudokuDraft {
            side,
            text: line_of(&cells),
            cells,
            selected: None,
            error: None,
            solution: None,
            origin: "empty grid".into(),
        }
    }

    /// A draft from a puzzle line (a sample, a generated puzzle). An invalid line gives an empty
    /// grid with the line kept in the text box and its error shown.
    pub fn from_line(side: usize, line: &str, solution: Option<String>, origin: impl Into<String>) -> Self {
        let mut draft = SudokuDraft::empty(side);
        draft.set_text(line);
        if draft.error.is_none() {
            draft.solution = solution;
        }
        draft.origin = origin.into();
        draft
    }

    /// The puzzle as one line.
    pub fn line(&self) -> String {
        line_of(&self.cells)
    }

    /// The user typed or pasted `text`: keep it; take the puzzle when it is valid, else say why.
    pub fn set_text(&mut self, text: &str) {
        self.text = text.to_string();
        match parse_for_side(text, self.side) {
            Ok(cells) => {
                if cells != self.cells {
                    self.solution = None;
                    self.origin = "typed".into();
                }
                self.cells = cells;
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// Selects a cell (clicked); out-of-range clicks clear the selection.
    pub fn select(&mut self, cell: usize) {
        self.selected = (cell < self.cells.len()).then_some(cell);
    }

    /// Sets a cell (0 clears). Digits outside 1..=side are refused.
    pub fn set_cell(&mut self, cell: usize, value: u8) -> bool {
        if cell >= self.cells.len() || usize::from(value) > self.side {
            return false;
        }
        if self.cells[cell] != value {
            self.cells[cell] = value;
            self.solution = None;
            self.origin = "edited".into();
        }
        self.text = self.line();
        self.error = None;
        true
    }

    /// A key pressed while the grid has focus (`key` as in `KeyboardEvent.key`).
    pub fn key(&mut self, key: &str) -> KeyOutcome {
        if let Some(to) = move_selection(self.selected, key, self.side) {
            self.selected = Some(to);
            return KeyOutcome::Moved;
        }
        let Some(k) = self.selected else { return KeyOutcome::Ignored };
        match digit_key(key) {
            Some(v) if self.set_cell(k, v) => KeyOutcome::Edited,
            _ => KeyOutcome::Ignored,
        }
    }

    /// The request's puzzle. `None` while the text box holds an error (the user must fix it first).
    pub fn source(&self) -> Option<PuzzleSource> {
        if self.error.is_some() {
            return None;
        }
        Some(PuzzleSource::Sudoku { text: self.line(), solution: self.solution.clone() })
    }
}

/// Where an arrow key moves the selection of a `side × side` grid (wrapping around; the first cell
/// when nothing is selected); `None` for other keys.
pub fn move_selection(selected: Option<usize>, key: &str, side: usize) -> Option<usize> {
    let n = side.max(1);
    let arrow = matches!(key, "ArrowUp" | "ArrowDown" | "ArrowLeft" | "ArrowRight");
    let Some(k) = selected.filter(|&k| k < n * n) else { return arrow.then_some(0) };
    let (r, c) = (k / n, k % n);
    match key {
        "ArrowUp" => Some((r + n - 1) % n * n + c),
        "ArrowDown" => Some((r + 1) % n * n + c),
        "ArrowLeft" => Some(r * n + (c + n - 1) % n),
        "ArrowRight" => Some(r * n + (c + 1) % n),
        _ => None,
    }
}

/// The cell value a key types: a digit, or 0 (blank) for Delete, Backspace, `.` and `0`. Digits
/// beyond the grid's side are the caller's to refuse.
pub fn digit_key(key: &str) -> Option<u8> {
    match key {
        "Delete" | "Backspace" | "." | "0" => Some(0),
        d if d.len() == 1 => d.chars().next().and_then(|ch| ch.to_digit(10)).map(|d| d as u8),
        _ => None,
    }
}

/// The symbol an edit of a running Sudoku sends ([`crate::protocol::WorkerInput::EditCell`]) for a
/// key, if it is a digit of a `side × side` grid or a clearing key.
pub fn edit_symbol(key: &str, side: usize) -> Option<char> {
    match digit_key(key)? {
        0 => Some('.'),
        v if usize::from(v) <= side => Some(char::from(b'0' + v)),
        _ => None,
    }
}

/// Generates a `side × side` puzzle of `tier` from `seed` (the same on every machine).
pub fn generate(side: usize, seed: u64, tier: Tier) -> Result<SudokuDraft, String> {
    let mut generator = Generator::new(side, seed).map_err(|e| e.to_string())?;
    let generated = generator.puzzle_in(tier);
    Ok(SudokuDraft::from_line(
        side,
        &line_of(generated.puzzle.cells()),
        Some(line_of(generated.solution.cells())),
        format!("generated: seed {seed}, {tier}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_text_keeps_what_was_typed_and_the_last_grid() {
        let mut d = SudokuDraft::from_line(4, "3..2....13242.3.", None, "sample");
        let before = d.cells.clone();
        d.set_text("3..2....1324x.3.");
        assert_eq!(d.text, "3..2....1324x.3.");
        assert_eq!(d.cells, before);
        let e = d.error.clone().unwrap();
        assert!(e.contains("'x'") && e.contains("column 13"), "{e}");
        assert_eq!(d.source(), None);
        d.set_text("3..2");
        assert!(d.error.as_deref().unwrap().contains("16, 36 or 81"), "{:?}", d.error);
        d.set_text("24..6.......531.26.6235...35..1.4...");
        assert!(d.error.as_deref().unwrap().contains("6×6"), "{:?}", d.error);
        d.set_text("33..............");
        assert!(d.error.as_deref().unwrap().contains("appears twice"), "{:?}", d.error);
        d.set_text("3..2 ....|1324 2.3.");
        assert_eq!(d.error, None);
        assert_eq!(d.line(), "3..2....13242.3.");
        assert!(d.source().is_some());
    }

    #[test]
    fn keys_move_the_selection_and_edit_cells() {
        let mut d = SudokuDraft::from_line(4, "3..2....13242.3.", Some("3412214313242431".into()), "sample");
        assert_eq!(d.key("1"), KeyOutcome::Ignored, "nothing selected");
        assert_eq!(d.key("ArrowRight"), KeyOutcome::Moved);
        assert_eq!(d.selected, Some(0));
        assert_eq!(d.key("ArrowLeft"), KeyOutcome::Moved);
        assert_eq!(d.selected, Some(3), "wraps around the row");
        assert_eq!(d.key("ArrowUp"), KeyOutcome::Moved);
        assert_eq!(d.selected, Some(15), "wraps around the column");
        assert_eq!(d.key("5"), KeyOutcome::Ignored, "5 is not a 4×4 digit");
        assert_eq!(d.key("Tab"), KeyOutcome::Ignored);
        assert_eq!(d.key("4"), KeyOutcome::Edited);
        assert_eq!(d.line(), "3..2....13242.34");
        assert_eq!(d.text, d.line());
        assert_eq!(d.solution, None, "an edit forgets the known solution");
        d.select(0);
        assert_eq!(d.key("Delete"), KeyOutcome::Edited);
        assert_eq!(d.line(), "...2....13242.34");
        d.select(99);
        assert_eq!(d.selected, None);
    }

    #[test]
    fn edit_symbols_for_a_running_sudoku() {
        assert_eq!(edit_symbol("3", 4), Some('3'));
        assert_eq!(edit_symbol("5", 4), None);
        assert_eq!(edit_symbol("5", 6), Some('5'));
        assert_eq!(edit_symbol("Delete", 4), Some('.'));
        assert_eq!(edit_symbol("a", 4), None);
        assert_eq!(edit_symbol("ArrowUp", 4), None);
        assert_eq!(move_selection(None, "x", 4), None);
        assert_eq!(move_selection(Some(99), "ArrowDown", 4), Some(0));
        assert_eq!(move_selection(Some(5), "ArrowDown", 4), Some(9));
    }

    #[test]
    fn an_edit_clears_a_pending_text_error() {
        let mut d = SudokuDraft::empty(4);
        d.set_text("oops");
        assert!(d.error.is_some());
        d.select(5);
        assert_eq!(d.key("2"), KeyOutcome::Edited);
        assert_eq!(d.error, None);
        assert_eq!(d.text, ".....2..........");
    }

    #[test]
    fn generation_is_seeded_unique_and_of_the_tier() {
        for side in [4, 6] {
            for tier in Tier::ALL {
                let a = generate(side, 7, tier).unwrap();
                let b = generate(side, 7, tier).unwrap();
                assert_eq!(a, b, "same seed, same puzzle");
                let puzzle = Sudoku::parse(&a.line()).unwrap();
                let solution = Sudoku::parse(a.solution.as_deref().unwrap()).unwrap();
                assert!(puzzle.is_solved_by(&solution));
                assert_eq!(puzzle.unique_solution(), Some(solution));
                assert!(a.origin.contains(tier.name()));
            }
            assert_ne!(generate(side, 1, Tier::Easy).unwrap().line(), generate(side, 2, Tier::Easy).unwrap().line());
        }
        assert!(generate(5, 1, Tier::Easy).is_err());
    }
}
