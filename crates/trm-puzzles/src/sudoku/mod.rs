//! Sudoku grids of side 4, 6 or 9 and their one-line text form.
//!
//! Text: `N²` characters row-major; digits `1..=N` are givens, `.` or `0` a blank; spaces, `|`, `-`
//! and `+` are ignored (so boxed grids pasted from elsewhere parse); anything after `#` is a comment.

use std::fmt;

mod augment;
mod generator;
mod solver;
mod tier;

pub use augment::Augmentation;
pub use generator::{Generated, Generator, Split};
pub use solver::{Conflict, SearchReport, Unit};
pub use tier::{Tier, TierRule, UnknownTier};

/// Sides this crate supports.
pub const SUPPORTED_SIDES: [usize; 3] = [4, 6, 9];

/// Why a Sudoku text was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SudokuError {
    /// A character that is neither a digit of the grid, a blank, nor ignorable decoration.
    #[error("unexpected character {found:?} at column {column} (expected digits 1-{max}, '.' or '0')")]
    BadCharacter { found: char, column: usize, max: usize },
    /// The number of cells is not 16, 36 or 81.
    #[error("a Sudoku has 16, 36 or 81 cells, this line has {0}")]
    BadCellCount(usize),
    /// The line has no cells at all.
    #[error("empty puzzle")]
    Empty,
}

/// A Sudoku grid: `side × side` cells, row-major, `0` for blank and `1..=side` for a digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sudoku {
    side: usize,
    cells: Vec<u8>,
}

impl Sudoku {
    /// Parses one puzzle line. The side follows from the number of cells.
    pub fn parse(line: &str) -> Result<Self, SudokuError> {
        let content = line.split('#').next().unwrap_or("");
        let mut cells = Vec::with_capacity(81);
        for (column, ch) in content.chars().enumerate() {
            match ch {
                ' ' | '\t' | '|' | '-' | '+' | '\r' | '\n' => {}
                '.' => cells.push(0),
                '0'..='9' => cells.push(ch as u8 - b'0'),
                other => return Err(SudokuError::BadCharacter { found: other, column: column + 1, max: 9 }),
            }
        }
        if cells.is_empty() {
            return Err(SudokuError::Empty);
        }
        let side = match cells.len() {
            16 => 4,
            36 => 6,
            81 => 9,
            n => return Err(SudokuError::BadCellCount(n)),
        };
        // A digit larger than the side is wrong for this size (e.g. a 7 in a 4×4 grid).
        let columns: Vec<(usize, char)> =
            content.chars().enumerate().filter(|(_, ch)| ch.is_ascii_digit() || *ch == '.').collect();
        for (k, &v) in cells.iter().enumerate() {
            if v as usize > side {
                let (column, found) = columns[k];
                return Err(SudokuError::BadCharacter { found, column: column + 1, max: side });
            }
        }
        Ok(Self { side, cells })
    }

    /// Side length (4, 6 or 9).
    pub fn side(&self) -> usize {
        self.side
    }

    /// Cells row-major, `0` = blank.
    pub fn cells(&self) -> &[u8] {
        &self.cells
    }

    /// The cell at `(row, col)`, `0` = blank, or `None` outside the grid.
    pub fn get(&self, row: usize, col: usize) -> Option<u8> {
        (row < self.side && col < self.side).then(|| self.cells[row * self.side + col])
    }

    /// Box shape `(rows, cols)`: 2×2 for 4×4, 2×3 for 6×6, 3×3 for 9×9.
    pub fn box_shape(&self) -> (usize, usize) {
        Self::box_shape_of(self.side)
    }

    /// The official token encoding: 0 = PAD, 1 = blank, digit `d` → `d + 1` (vocabulary `side + 2`).
    pub fn to_tokens(&self) -> Vec<u32> {
        self.cells.iter().map(|&v| v as u32 + 1).collect()
    }

    /// Decodes a model's predicted tokens. Tokens that are not digits of this size (PAD, blank, out of
    /// range) become blanks, so a half-solved prediction still prints.
    pub fn from_predicted_tokens(side: usize, tokens: &[u32]) -> Result<Self, SudokuError> {
        if !SUPPORTED_SIDES.contains(&side) || tokens.len() != side * side {
            return Err(SudokuError::BadCellCount(tokens.len()));
        }
        let cells =
            tokens.iter().map(|&t| if (2..=side as u32 + 1).contains(&t) { (t - 1) as u8 } else { 0 }).collect();
        Ok(Self { side, cells })
    }

    /// Vocabulary size of the official encoding for this side.
    pub fn vocab_size(side: usize) -> usize {
        side + 2
    }

    /// A boxed multi-line drawing with every cell as `" d"` (`" ."` for blanks).
    pub fn boxed(&self) -> String {
        self.boxed_with(|_, text| format!(" {text}"))
    }

    /// A boxed drawing where `cell(index, text)` renders each cell (row-major `index`, one-character
    /// `text`) as two visible characters: a marker column then the text, e.g. `" 5"` or `"*5"`.
    /// Invisible terminal colour codes may be added around them.
    pub fn boxed_with(&self, cell: impl Fn(usize, &str) -> String) -> String {
        let (box_rows, box_cols) = self.box_shape();
        let mut rule = String::from("+");
        for _ in 0..self.side / box_cols {
            rule.push_str(&"-".repeat(2 * box_cols + 1));
            rule.push('+');
        }
        let mut out = String::new();
        for r in 0..self.side {
            if r % box_rows == 0 {
                out.push_str(&rule);
                out.push('\n');
            }
            for c in 0..self.side {
                if c % box_cols == 0 {
                    out.push_str(if c == 0 { "|" } else { " |" });
                }
                let v = self.cells[r * self.side + c];
                let text = if v == 0 { ".".to_string() } else { v.to_string() };
                out.push_str(&cell(r * self.side + c, &text));
            }
            out.push_str(" |\n");
        }
        out.push_str(&rule);
        out
    }

    /// Number of given digits.
    pub fn givens(&self) -> usize {
        self.cells.iter().filter(|&&v| v != 0).count()
    }
}

impl fmt::Display for Sudoku {
    /// The canonical one-line form: digits and `.` for blanks.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &v in &self.cells {
            let ch = if v == 0 { '.' } else { (b'0' + v) as char };
            write!(f, "{ch}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P9: &str = "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79";

    #[test]
    fn parses_and_prints_a_9x9_line() {
        let s = Sudoku::parse(P9).unwrap();
        assert_eq!(s.side(), 9);
        assert_eq!(s.get(0, 0), Some(5));
        assert_eq!(s.get(0, 2), Some(0));
        assert_eq!(s.get(9, 0), None);
        assert_eq!(s.givens(), 30);
        assert_eq!(s.to_string(), P9);
    }

    #[test]
    fn boxed_grid_with_comment_parses() {
        let boxed = "12|.. +-- 34|12 # a 4x4\n..|.. 21|..";
        // Only the first line is a puzzle; the comment hides the rest of that line.
        assert_eq!(Sudoku::parse(boxed).unwrap_err(), SudokuError::BadCellCount(8));
        let s = Sudoku::parse("12|.. 34|12 ..|.. 21|00").unwrap();
        assert_eq!(s.side(), 4);
        assert_eq!(s.box_shape(), (2, 2));
        assert_eq!(s.to_string(), "12..3412....21..");
    }

    #[test]
    fn rejects_bad_input_with_a_reason() {
        assert_eq!(Sudoku::parse("").unwrap_err(), SudokuError::Empty);
        assert!(matches!(Sudoku::parse("12x4"), Err(SudokuError::BadCharacter { found: 'x', column: 3, .. })));
        assert_eq!(Sudoku::parse("123").unwrap_err(), SudokuError::BadCellCount(3));
        let err = Sudoku::parse("1234341221434321".replace('4', "7").as_str()).unwrap_err();
        assert!(matches!(err, SudokuError::BadCharacter { found: '7', max: 4, .. }), "{err}");
    }

    #[test]
    fn tokens_round_trip_and_predictions_decode() {
        let s = Sudoku::parse(P9).unwrap();
        let tokens = s.to_tokens();
        assert_eq!(&tokens[..3], &[6, 4, 1]);
        assert_eq!(Sudoku::from_predicted_tokens(9, &tokens).unwrap(), s);
        let mut odd = tokens.clone();
        odd[0] = 0; // PAD predicted
        odd[1] = 11; // outside the vocabulary
        let decoded = Sudoku::from_predicted_tokens(9, &odd).unwrap();
        assert_eq!(&decoded.cells()[..2], &[0, 0]);
        assert!(Sudoku::from_predicted_tokens(9, &tokens[..80]).is_err());
        assert_eq!(Sudoku::vocab_size(9), 11);
    }

    #[test]
    fn boxed_form_draws_boxes() {
        let s = Sudoku::parse("12..3412....21..").unwrap();
        let drawn = s.boxed();
        let lines: Vec<&str> = drawn.lines().collect();
        assert_eq!(lines[0], "+-----+-----+");
        assert_eq!(lines[1], "| 1 2 | . . |");
        assert_eq!(lines[3], "+-----+-----+");
        assert_eq!(lines.len(), 7);
        let marked = s.boxed_with(|k, t| if k == 0 { format!("*{t}") } else { format!(" {t}") });
        assert_eq!(marked.lines().nth(1), Some("|*1 2 | . . |"));
    }

    #[test]
    fn six_by_six_has_two_by_three_boxes() {
        let s = Sudoku::parse(&".".repeat(36)).unwrap();
        assert_eq!((s.side(), s.box_shape()), (6, (2, 3)));
    }
}
