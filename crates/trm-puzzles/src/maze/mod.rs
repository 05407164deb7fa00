//! Square mazes of side ≤ 30 in the official character set `# SGo`.
//!
//! Text: `side` lines of `side` characters: `#` wall, space open, `S` start, `G` goal, `o` a path
//! cell (answers only). Several mazes in one text are separated by one blank line.
//!
//! Tokens (official, reference §7.3): PAD 0, `#` 1, space 2, `S` 3, `G` 4, `o` 5; vocabulary 6,
//! sequence length `side²` (row-major).
//!
//! Coordinates in this API are `(row, col)`, 0-based, like [`Maze::get`]. Messages meant for people
//! (the `Display` of [`MazeError`] and [`PathError`]) print them 1-based, as "row 3, column 7".
//!
//! # Path length
//! The *length* of a path, everywhere in this module (tiers, [`Maze::shortest_path_len`], the
//! verifier's messages), is the number of `o` cells it has: the cells strictly between `S` and `G`.
//! A path of length `L` takes `L + 1` steps and covers `L + 2` cells counting `S` and `G`. The paper's
//! Maze-Hard regime ("shortest path longer than 110") is implemented as `L > 110`, the strictest of
//! these three readings, so a maze that is hard here is hard under any of them.
//!
//! Submodules: [`path`] (breadth-first search, shortest paths), [`verify`] (checking an answer with a
//! reason), [`generator`] (seeded mazes with loops and exactly one shortest path) and [`tier`]
//! (difficulty tiers by shortest-path length).

use std::fmt;

use crate::dihedral::Dihedral;

pub mod generator;
pub mod path;
pub mod tier;
pub mod verify;

pub use generator::{Generated, Generator};
pub use tier::MazeTier;
pub use verify::{PathError, verify_answer};

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
    /// All cells in token order (`Wall` is token 1, …, `Path` token 5).
    pub const ALL: [MazeCell; 5] = [MazeCell::Wall, MazeCell::Open, MazeCell::Start, MazeCell::Goal, MazeCell::Path];

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

    /// The official token of this cell: `#` 1, space 2, `S` 3, `G` 4, `o` 5 (0 is PAD).
    pub fn token(self) -> u32 {
        match self {
            MazeCell::Wall => 1,
            MazeCell::Open => 2,
            MazeCell::Start => 3,
            MazeCell::Goal => 4,
            MazeCell::Path => 5,
        }
    }

    /// The cell with official token `token`, or `None` for PAD (0) and tokens above 5.
    pub fn from_token(token: u32) -> Option<Self> {
        Some(match token {
            1 => MazeCell::Wall,
            2 => MazeCell::Open,
            3 => MazeCell::Start,
            4 => MazeCell::Goal,
            5 => MazeCell::Path,
            _ => return None,
        })
    }

    /// Whether a route may step on this cell (everything but a wall).
    pub fn is_passable(self) -> bool {
        self != MazeCell::Wall
    }
}

impl fmt::Display for MazeCell {
    /// A short description for messages, e.g. `wall '#'`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            MazeCell::Wall => "wall",
            MazeCell::Open => "open cell",
            MazeCell::Start => "start",
            MazeCell::Goal => "goal",
            MazeCell::Path => "path cell",
        };
        write!(f, "{name} '{}'", self.to_char())
    }
}

/// Why a maze (text, cells or tokens) was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MazeError {
    /// The text has no rows (or a side of 0 was given).
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
    /// A cell or token list whose length is not `side²`.
    #[error("a {side}×{side} maze has {expected} cells, got {found}")]
    CellCount { side: usize, expected: usize, found: usize },
    /// A token outside the official vocabulary `1..=5` where a strict decoding was asked for.
    #[error("token {token} at position {index} is not a maze cell (expected 1-5)")]
    BadToken { index: usize, token: u32 },
    /// A tier name other than `easy`, `medium` or `hard`.
    #[error("unknown maze tier {0:?} (expected easy, medium or hard)")]
    UnknownTier(String),
    /// A side the generator does not produce.
    #[error("the maze generator makes sides {min} to {max}, not {side}", min = generator::MIN_SIDE, max = MAX_SIDE)]
    UnsupportedSide { side: usize },
}

/// A square maze, row-major.
///
/// Mazes from [`Maze::parse`], [`Maze::from_cells`], [`Maze::from_tokens`] and the generator have
/// exactly one `S` and one `G`. Mazes from [`Maze::from_cells_unchecked`] and
/// [`Maze::from_predicted_tokens`] (a model's output) may have none or several; methods that need
/// the endpoints then answer `None` (or 0 for counts), and [`verify_answer`] says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Maze {
    side: usize,
    cells: Vec<MazeCell>,
}

impl Maze {
    /// Vocabulary size of the official token encoding (PAD and the five cells).
    pub const VOCAB_SIZE: usize = 6;
    /// The padding token (never produced by [`Maze::to_tokens`]).
    pub const PAD_TOKEN: u32 = 0;

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
        let maze = Self { side, cells };
        maze.endpoint_indices()?;
        Ok(maze)
    }

    /// Parses several mazes separated by blank lines.
    pub fn parse_many(text: &str) -> Result<Vec<Self>, MazeError> {
        Self::blocks(text).into_iter().map(|(_, block)| Self::parse(&block)).collect()
    }

    /// The maze blocks of a text (split at blank lines, as [`Maze::parse_many`] does), each with the
    /// 1-based line number it starts on, so callers can parse them one by one and say where a bad
    /// one is.
    pub fn blocks(text: &str) -> Vec<(usize, String)> {
        let normalized = text.replace("\r\n", "\n");
        let mut out = Vec::new();
        let mut line = 1;
        for raw in normalized.split("\n\n") {
            let leading = raw.len() - raw.trim_start_matches('\n').len();
            let block = raw.trim_matches('\n');
            if !block.is_empty() {
                out.push((line + leading, block.to_string()));
            }
            line += raw.matches('\n').count() + 2;
        }
        out
    }

    /// A maze from row-major cells; it needs `side²` cells, `1 ≤ side ≤ 30`, exactly one `S` and one `G`.
    pub fn from_cells(side: usize, cells: Vec<MazeCell>) -> Result<Self, MazeError> {
        let maze = Self::from_cells_unchecked(side, cells)?;
        maze.endpoint_indices()?;
        Ok(maze)
    }

    /// A maze from row-major cells whose shape is checked (`side²` cells, `1 ≤ side ≤ 30`) but whose
    /// endpoints are not: it may have no `S`, or two `G`s. Meant for showing and verifying malformed
    /// answers, such as a model's prediction; see [`Maze::check_endpoints`].
    pub fn from_cells_unchecked(side: usize, cells: Vec<MazeCell>) -> Result<Self, MazeError> {
        if side == 0 {
            return Err(MazeError::Empty);
        }
        if side > MAX_SIDE {
            return Err(MazeError::TooLarge(side));
        }
        if cells.len() != side * side {
            return Err(MazeError::CellCount { side, expected: side * side, found: cells.len() });
        }
        Ok(Self { side, cells })
    }

    /// Strict decoding of official tokens (e.g. a dataset's labels): every token must be 1..=5 and
    /// the maze must have exactly one `S` and one `G`.
    pub fn from_tokens(side: usize, tokens: &[u32]) -> Result<Self, MazeError> {
        let cells = tokens
            .iter()
            .enumerate()
            .map(|(index, &token)| MazeCell::from_token(token).ok_or(MazeError::BadToken { index, token }))
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_cells(side, cells)
    }

    /// Lenient decoding of a model's predicted tokens. PAD (0) and tokens above 5 become open cells;
    /// the endpoints are not checked (a prediction may lose its `S` or add a second `G`), so the result
    /// can always be shown and handed to [`verify_answer`], which says what is wrong with it. Only the
    /// shape is checked: `tokens.len()` must be `side²` with `1 ≤ side ≤ 30`.
    pub fn from_predicted_tokens(side: usize, tokens: &[u32]) -> Result<Self, MazeError> {
        let cells = tokens.iter().map(|&t| MazeCell::from_token(t).unwrap_or(MazeCell::Open)).collect();
        Self::from_cells_unchecked(side, cells)
    }

    /// The official token encoding, row-major, `side²` tokens: `#` 1, space 2, `S` 3, `G` 4, `o` 5.
    pub fn to_tokens(&self) -> Vec<u32> {
        self.cells.iter().map(|c| c.token()).collect()
    }

    /// Vocabulary size of the official encoding ([`Maze::VOCAB_SIZE`], the same for every side).
    pub fn vocab_size() -> usize {
        Self::VOCAB_SIZE
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

    /// Position of the start `S`, or `None` unless the maze has exactly one.
    pub fn start(&self) -> Option<(usize, usize)> {
        self.unique(MazeCell::Start).map(|k| self.pos(k))
    }

    /// Position of the goal `G`, or `None` unless the maze has exactly one.
    pub fn goal(&self) -> Option<(usize, usize)> {
        self.unique(MazeCell::Goal).map(|k| self.pos(k))
    }

    /// `Ok` when the maze has exactly one `S` and one `G` (always true unless it was built with
    /// [`Maze::from_cells_unchecked`] or [`Maze::from_predicted_tokens`]).
    pub fn check_endpoints(&self) -> Result<(), MazeError> {
        self.endpoint_indices().map(|_| ())
    }

    /// Number of `o` cells.
    pub fn path_cell_count(&self) -> usize {
        self.cells.iter().filter(|&&c| c == MazeCell::Path).count()
    }

    /// The same maze with every `o` turned back into an open cell (the question for an answer).
    pub fn puzzle(&self) -> Maze {
        let cells = self.cells.iter().map(|&c| if c == MazeCell::Path { MazeCell::Open } else { c }).collect();
        Maze { side: self.side, cells }
    }

    /// The same maze with the open cells among `path` marked `o`. Walls, `S`, `G`, cells that are
    /// already `o` and positions outside the maze are left as they are, so
    /// `maze.with_path(&maze.shortest_path()?)` is the answer with `S` and `G` kept.
    pub fn with_path(&self, path: &[(usize, usize)]) -> Maze {
        let mut out = self.clone();
        for &(r, c) in path {
            if r < self.side && c < self.side && out.cells[r * self.side + c] == MazeCell::Open {
                out.cells[r * self.side + c] = MazeCell::Path;
            }
        }
        out
    }

    /// The maze under one of the 8 dihedral transforms, numbered as the official builders do
    /// (reference §7.6); `maze.transform(d).transform(d.inverse()) == maze`.
    pub fn transform(&self, d: Dihedral) -> Maze {
        let (cells, _, _) = d.apply(&self.cells, self.side, self.side);
        Maze { side: self.side, cells }
    }

    /// `(row, col)` of row-major index `k`.
    fn pos(&self, k: usize) -> (usize, usize) {
        (k / self.side, k % self.side)
    }

    /// Index of the only cell equal to `kind`, if there is exactly one.
    fn unique(&self, kind: MazeCell) -> Option<usize> {
        let mut found = None;
        for (k, &c) in self.cells.iter().enumerate() {
            if c == kind {
                if found.is_some() {
                    return None;
                }
                found = Some(k);
            }
        }
        found
    }

    /// Row-major indices of the single `S` and the single `G`.
    pub(crate) fn endpoint_indices(&self) -> Result<(usize, usize), MazeError> {
        let find = |what: &'static str, kind: MazeCell| {
            let mut hits = self.cells.iter().enumerate().filter(|&(_, &c)| c == kind).map(|(k, _)| k);
            match (hits.next(), hits.count()) {
                (Some(k), 0) => Ok(k),
                (first, rest) => Err(MazeError::Endpoints { what, count: usize::from(first.is_some()) + rest }),
            }
        };
        Ok((find("start 'S'", MazeCell::Start)?, find("goal 'G'", MazeCell::Goal)?))
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
        let starts: Vec<usize> = Maze::blocks(&format!("\n{text}\n\n\n{M5}")).iter().map(|b| b.0).collect();
        assert_eq!(starts, vec![2, 8, 16]);
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
        assert_eq!(
            Maze::parse("SG\nG#").unwrap_err(),
            MazeError::Endpoints { what: "goal 'G'", count: 2 },
            "a second G is named"
        );
        let big = vec!["#".repeat(31); 31].join("\n");
        assert_eq!(Maze::parse(&big).unwrap_err(), MazeError::TooLarge(31));
    }

    #[test]
    fn endpoints_and_accessors() {
        let m = Maze::parse(M5).unwrap();
        assert_eq!(m.start(), Some((1, 1)));
        assert_eq!(m.goal(), Some((3, 3)));
        assert_eq!(m.check_endpoints(), Ok(()));
        let answer = Maze::parse("#####\n#Soo#\n# #o#\n#  G#\n#####").unwrap();
        assert_eq!(answer.path_cell_count(), 3);
        assert_eq!(answer.puzzle(), m);
        assert_eq!(m.with_path(&[(1, 2), (1, 3), (2, 3), (9, 9), (0, 0), (1, 1)]), answer);
    }

    #[test]
    fn tokens_follow_the_official_table() {
        let m = Maze::parse("#####\n#So #\n# # #\n#  G#\n#####").unwrap();
        let t = m.to_tokens();
        assert_eq!(t.len(), 25);
        assert_eq!(&t[5..10], &[1, 3, 5, 2, 1]);
        assert_eq!(t[18], 4);
        assert_eq!(Maze::VOCAB_SIZE, 6);
        assert_eq!(Maze::vocab_size(), 6);
        assert!(t.iter().all(|&x| x != Maze::PAD_TOKEN && (x as usize) < Maze::VOCAB_SIZE));
        assert_eq!(Maze::from_tokens(5, &t).unwrap(), m);
        assert_eq!(Maze::from_predicted_tokens(5, &t).unwrap(), m);
        for cell in MazeCell::ALL {
            assert_eq!(MazeCell::from_token(cell.token()), Some(cell));
            assert_eq!(MazeCell::from_char(cell.to_char()), Some(cell));
        }
    }

    #[test]
    fn strict_token_decoding_rejects_pad_and_strangers() {
        let mut t = Maze::parse(M5).unwrap().to_tokens();
        t[7] = 0;
        assert_eq!(Maze::from_tokens(5, &t).unwrap_err(), MazeError::BadToken { index: 7, token: 0 });
        t[7] = 9;
        assert_eq!(Maze::from_tokens(5, &t).unwrap_err(), MazeError::BadToken { index: 7, token: 9 });
        assert_eq!(
            Maze::from_tokens(4, &[1; 25]).unwrap_err(),
            MazeError::CellCount { side: 4, expected: 16, found: 25 }
        );
    }

    #[test]
    fn predicted_tokens_are_decoded_leniently() {
        // No S, two G, a PAD and a token out of range: still a maze that prints.
        let mut t = vec![1u32; 9];
        t[0] = 4;
        t[1] = 0;
        t[2] = 77;
        t[8] = 4;
        let m = Maze::from_predicted_tokens(3, &t).unwrap();
        assert_eq!(m.to_string(), "G  \n###\n##G");
        assert_eq!(m.start(), None);
        assert_eq!(m.goal(), None);
        assert!(matches!(m.check_endpoints(), Err(MazeError::Endpoints { count: 0, .. })));
        assert_eq!(
            Maze::from_predicted_tokens(3, &t[..8]).unwrap_err(),
            MazeError::CellCount { side: 3, expected: 9, found: 8 }
        );
        assert_eq!(Maze::from_predicted_tokens(0, &[]).unwrap_err(), MazeError::Empty);
        assert_eq!(Maze::from_predicted_tokens(31, &[1; 961]).unwrap_err(), MazeError::TooLarge(31));
    }

    #[test]
    fn transforms_move_cells_like_the_official_table() {
        let m = Maze::parse("#S#\n# #\nG  ").unwrap();
        // rot90 counter-clockwise: the right column becomes the top row.
        let r = m.transform(Dihedral::from_id(1).unwrap());
        assert_eq!(r.to_string(), "## \nS  \n##G");
        for d in Dihedral::ALL {
            assert_eq!(m.transform(d).transform(d.inverse()), m, "transform {}", d.id());
        }
        // Transpose moves S from (0, 1) to (1, 0).
        assert_eq!(m.transform(Dihedral::from_id(6).unwrap()).start(), Some((1, 0)));
    }
}
