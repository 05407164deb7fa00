//! Square mazes of side ≤ 30 in the official character set `# SGo`.
//!
//! Text: `side` lines of `side` characters: `#` wall, space open, `S` start, `G` goal, `o` a path
//! cell (answers only). Several mazes in one text are separated by one blank line.

use std::fmt;

/// Largest side a maze may have (the official models use 30×30 canvases).
pub const MAX_SIDE: usize = 30;

/// One maze cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MazeCell {
    Wall,
    Open,
    Start,
    Goal,
    Path,
}

impl MazeCell {
    /// The character of this cell in the text form.
    pub fn to_char(self) -> char {
        match self {
            MazeCell::Wall => '#',
            MazeCell::Open => ' ',
            MazeCell::Start => 'S',
            MazeCell::Goal => 'G',
            MazeCell::Path => 'o',
        }
    }

    /// The cell written as `ch`, if `ch` belongs to the character set.
    pub fn from_char(ch: char) -> Option<Self> {
        Some(match ch {
            '#' => MazeCell::Wall,
            ' ' => MazeCell::Open,
            'S' => MazeCell::Start,
            'G' => MazeCell::Goal,
            'o' => MazeCell::Path,
            _ => return None,
        })
    }
}

/// Why a maze text was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MazeError {
    /// The text has no rows.
    #[error("empty maze")]
    Empty,
    /// More rows than [`MAX_SIDE`].
    #[error("a maze has at most {MAX_SIDE} rows, this one has {0}")]
    TooLarge(usize),
    /// A row whose length differs from the number of rows.
    #[error("row {row} has {found} characters, expected {expected} (mazes are square)")]
    RaggedRow { row: usize, found: usize, expected: usize },
    /// A character outside `# SGo`.
    #[error("row {row}, column {column}: unexpected character {found:?} (allowed: '#', ' ', 'S', 'G', 'o')")]
    BadCharacter { row: usize, column: usize, found: char },
    /// Not exactly one `S` or one `G`.
    #[error("a maze needs exactly one {what}, found {count}")]
    Endpoints { what: &'static str, count: usize },
}

/// A square maze, row-major.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Maze {
    side: usize,
    cells: Vec<MazeCell>,
}

impl Maze {
    /// Parses one maze block (no blank lines inside). Trailing `\r` is tolerated.
    pub fn parse(text: &str) -> Result<Self, MazeError> {
        let rows: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
        let side = rows.len();
        if side == 0 {
            return Err(MazeError::Empty);
        }
        if side > MAX_SIDE {
            return Err(MazeError::TooLarge(side));
        }
        let mut cells = Vec::with_capacity(side * side);
        for (r, row) in rows.iter().enumerate() {
            let found = row.chars().count();
            if found != side {
                return Err(MazeError::RaggedRow { row: r + 1, found, expected: side });
            }
            for (c, ch) in row.chars().enumerate() {
                let cell =
                    MazeCell::from_char(ch).ok_or(MazeError::BadCharacter { row: r + 1, column: c + 1, found: ch })?;
                cells.push(cell);
            }
        }
        for (what, kind) in [("start 'S'", MazeCell::Start), ("goal 'G'", MazeCell::Goal)] {
            let count = cells.iter().filter(|&&c| c == kind).count();
            if count != 1 {
                return Err(MazeError::Endpoints { what, count });
            }
        }
        Ok(Self { side, cells })
    }

    /// Parses several mazes separated by blank lines.
    pub fn parse_many(text: &str) -> Result<Vec<Self>, MazeError> {
        let normalized = text.replace("\r\n", "\n");
        normalized
            .split("\n\n")
            .map(|block| block.trim_matches('\n'))
            .filter(|block| !block.is_empty())
            .map(Self::parse)
            .collect()
    }

    /// Side length.
    pub fn side(&self) -> usize {
        self.side
    }

    /// Cells row-major.
    pub fn cells(&self) -> &[MazeCell] {
        &self.cells
    }

    /// The cell at `(row, col)`, or `None` outside the maze.
    pub fn get(&self, row: usize, col: usize) -> Option<MazeCell> {
        (row < self.side && col < self.side).then(|| self.cells[row * self.side + col])
    }
}

impl fmt::Display for Maze {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (r, row) in self.cells.chunks(self.side).enumerate() {
            if r > 0 {
                writeln!(f)?;
            }
            for cell in row {
                write!(f, "{}", cell.to_char())?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M5: &str = "#####\n#S  #\n# # #\n#  G#\n#####";

    #[test]
    fn parses_and_prints() {
        let m = Maze::parse(M5).unwrap();
        assert_eq!(m.side(), 5);
        assert_eq!(m.get(1, 1), Some(MazeCell::Start));
        assert_eq!(m.get(3, 3), Some(MazeCell::Goal));
        assert_eq!(m.get(2, 2), Some(MazeCell::Wall));
        assert_eq!(m.to_string(), M5);
    }

    #[test]
    fn many_blocks() {
        let text = format!("{M5}\n\n{M5}\n");
        assert_eq!(Maze::parse_many(&text).unwrap().len(), 2);
    }

    #[test]
    fn errors_name_the_place() {
        assert_eq!(Maze::parse("").unwrap_err(), MazeError::Empty);
        assert_eq!(
            Maze::parse("#####\n#S  #\n# #\n#  G#\n#####").unwrap_err(),
            MazeError::RaggedRow { row: 3, found: 3, expected: 5 }
        );
        assert_eq!(
            Maze::parse("#####\n#S  #\n# x #\n#  G#\n#####").unwrap_err(),
            MazeError::BadCharacter { row: 3, column: 3, found: 'x' }
        );
        assert!(matches!(Maze::parse("##\n##"), Err(MazeError::Endpoints { count: 0, .. })));
        let big = vec!["#".repeat(31); 31].join("\n");
        assert_eq!(Maze::parse(&big).unwrap_err(), MazeError::TooLarge(31));
    }
}
