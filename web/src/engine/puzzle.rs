//! Puzzles in: Sudoku or maze text, or an ARC task's test input, encoded with trm-puzzles' official
//! token encodings, with the known solution (given, found by the exact solver, or the task's test
//! output) and a one-byte display symbol for every token.
//!
//! Symbols (what [`super::Frame`] carries per cell, ASCII):
//! - Sudoku: `'1'`…`'9'` digits, `'.'` blank, `'_'` PAD.
//! - Maze: `'#'` wall, `' '` open, `'S'`, `'G'`, `'o'` path, `'_'` PAD.
//! - ARC: `'0'`…`'9'` colours, `'|'` EOS (end of the grid), `'_'` PAD.

use serde::{Deserialize, Serialize};
use trm_puzzles::arc::{self, Identifiers, Task};
use trm_puzzles::{Maze, MazeCell, Sudoku};

use super::{EngineError, Result};

/// A puzzle domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Domain {
    Sudoku,
    Maze,
    Arc,
}

impl Domain {
    /// The name a model card uses (`"sudoku"`, `"maze"`, `"arc"`).
    pub fn parse(name: &str) -> Option<Domain> {
        match name.to_ascii_lowercase().as_str() {
            "sudoku" => Some(Domain::Sudoku),
            "maze" => Some(Domain::Maze),
            "arc" => Some(Domain::Arc),
            _ => None,
        }
    }
}

/// A kind of puzzle a model can run: the domain and its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "domain")]
pub enum PuzzleKind {
    Sudoku {
        side: usize,
    },
    Maze {
        side: usize,
    },
    /// ARC on a `canvas × canvas` canvas (30 for the official models).
    Arc {
        canvas: usize,
    },
}

impl PuzzleKind {
    pub fn domain(&self) -> Domain {
        match self {
            PuzzleKind::Sudoku { .. } => Domain::Sudoku,
            PuzzleKind::Maze { .. } => Domain::Maze,
            PuzzleKind::Arc { .. } => Domain::Arc,
        }
    }

    /// Tokens per puzzle.
    pub fn seq_len(&self) -> usize {
        match *self {
            PuzzleKind::Sudoku { side } | PuzzleKind::Maze { side } => side * side,
            PuzzleKind::Arc { canvas } => canvas * canvas,
        }
    }

    /// Vocabulary of the official encoding.
    pub fn vocab_size(&self) -> usize {
        match *self {
            PuzzleKind::Sudoku { side } => Sudoku::vocab_size(side),
            PuzzleKind::Maze { .. } => Maze::VOCAB_SIZE,
            PuzzleKind::Arc { .. } => arc::VOCAB_SIZE,
        }
    }

    /// Words for messages: "4×4 Sudoku", "30×30 maze", "ARC on a 30×30 canvas".
    pub fn describe(&self) -> String {
        match *self {
            PuzzleKind::Sudoku { side } => format!("{side}×{side} Sudoku"),
            PuzzleKind::Maze { side } => format!("{side}×{side} maze"),
            PuzzleKind::Arc { canvas } => format!("ARC on a {canvas}×{canvas} canvas"),
        }
    }

    /// The display symbol of a token (see the module docs).
    pub fn symbol(&self, token: u32) -> u8 {
        match *self {
            PuzzleKind::Sudoku { side } => match token {
                0 => b'_',
                1 => b'.',
                t if t >= 2 && t <= side as u32 + 1 => b'0' + (t - 1) as u8,
                _ => b'?',
            },
            PuzzleKind::Maze { .. } => match MazeCell::from_token(token) {
                Some(cell) => cell.to_char() as u8,
                None if token == Maze::PAD_TOKEN => b'_',
                None => b'?',
            },
            PuzzleKind::Arc { .. } => match token {
                t if t == u32::from(arc::PAD) => b'_',
                t if t == u32::from(arc::EOS) => b'|',
                t if t >= u32::from(arc::COLOUR_OFFSET) && t < u32::from(arc::COLOUR_OFFSET) + 10 => {
                    b'0' + (t - u32::from(arc::COLOUR_OFFSET)) as u8
                }
                _ => b'?',
            },
        }
    }

    /// The token a user may put in an input cell for `symbol`, if that symbol is allowed there.
    pub fn input_token(&self, symbol: char) -> Option<u32> {
        match *self {
            PuzzleKind::Sudoku { side } => match symbol {
                '.' | '0' => Some(1),
                d => d.to_digit(10).filter(|&d| d >= 1 && d as usize <= side).map(|d| d + 1),
            },
            PuzzleKind::Maze { .. } => {
                MazeCell::from_char(symbol).filter(|c| *c != MazeCell::Path).map(MazeCell::token)
            }
            PuzzleKind::Arc { .. } => symbol.to_digit(10).map(|d| d + u32::from(arc::COLOUR_OFFSET)),
        }
    }
}

/// A puzzle as the page sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "domain")]
pub enum PuzzleSource {
    /// A Sudoku in the text format (one line, or a boxed grid over several lines); `solution` is an
    /// optional line of digits. Without it the exact solver supplies the solution when it is unique.
    Sudoku { text: String, solution: Option<String> },
    /// A maze in the text format (path marks are dropped from the input). Its unique shortest path, if
    /// it has one, is the solution.
    Maze { text: String },
    /// An ARC task (JSON) and the index of its test input. `name` selects the embedding row through
    /// the model's identifiers; the test output, when the task has one, is the solution.
    Arc { task_json: String, name: String, test: usize },
}

/// An encoded puzzle, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Puzzle {
    pub kind: PuzzleKind,
    /// Rows and columns of the grid shown (the canvas for ARC).
    pub rows: usize,
    pub cols: usize,
    /// Input tokens, `rows · cols` of them.
    pub tokens: Vec<u32>,
    /// Row of the puzzle-embedding table (0 = blank).
    pub puzzle_id: u32,
    /// Expected answer tokens, when known.
    pub solution: Option<Vec<u32>>,
    /// Something the page should say (e.g. "the model has never seen this task").
    pub note: Option<String>,
}

impl Puzzle {
    /// Encodes a puzzle for a model that runs `supported` kinds. `identifiers` name the embedding
    /// rows of an ARC model; `embedding_rows` is the size of its table.
    pub fn encode(
        source: &PuzzleSource,
        supported: &[PuzzleKind],
        identifiers: Option<&Identifiers>,
        embedding_rows: usize,
    ) -> Result<Puzzle> {
        match source {
            PuzzleSource::Sudoku { text, solution } => sudoku(text, solution.as_deref(), supported),
            PuzzleSource::Maze { text } => maze(text, supported),
            PuzzleSource::Arc { task_json, name, test } => {
                arc_task(task_json, name, *test, supported, identifiers, embedding_rows)
            }
        }
    }

    /// Symbols of `tokens` (one byte per cell).
    pub fn symbols(&self, tokens: &[u32]) -> Vec<u8> {
        tokens.iter().map(|&t| self.kind.symbol(t)).collect()
    }

    /// This puzzle with input cell `cell` set to `symbol`. The solution is recomputed where the
    /// domain allows (Sudoku: the exact solver; maze: the unique shortest path) and dropped otherwise.
    pub fn edited(&self, cell: usize, symbol: char) -> Result<Puzzle> {
        let Some(&old) = self.tokens.get(cell) else {
            return Err(EngineError::Request(format!("cell {cell} is outside the {}×{} grid", self.rows, self.cols)));
        };
        let token = self.kind.input_token(symbol).ok_or_else(|| {
            EngineError::Request(format!("'{symbol}' cannot be put in a {} input", self.kind.describe()))
        })?;
        if let PuzzleKind::Arc { .. } = self.kind
            && !(u32::from(arc::COLOUR_OFFSET)..u32::from(arc::COLOUR_OFFSET) + 10).contains(&old)
        {
            return Err(EngineError::Request("only cells inside the ARC grid can be recoloured".into()));
        }
        let mut tokens = self.tokens.clone();
        tokens[cell] = token;
        let solution = match self.kind {
            PuzzleKind::Sudoku { .. } => {
                let digits: String =
                    tokens.iter().map(|&t| if t >= 2 { char::from(b'0' + (t - 1) as u8) } else { '.' }).collect();
                Sudoku::parse(&digits).ok().and_then(|s| unique_sudoku_solution(&s))
            }
            PuzzleKind::Maze { side } => Maze::from_tokens(side, &tokens).ok().and_then(|m| unique_maze_solution(&m)),
            PuzzleKind::Arc { .. } => None,
        };
        Ok(Puzzle { tokens, solution, ..self.clone() })
    }
}

/// The kind `wanted`, if the model supports it; otherwise an error naming what it does support.
fn require(wanted: PuzzleKind, supported: &[PuzzleKind]) -> Result<()> {
    if supported.contains(&wanted) {
        return Ok(());
    }
    let offered: Vec<String> = supported.iter().map(PuzzleKind::describe).collect();
    let offered = if offered.is_empty() { "no puzzle kind this playground knows".into() } else { offered.join(", ") };
    Err(EngineError::Unsupported(format!("this model cannot run a {}: it was made for {offered}", wanted.describe())))
}

fn unique_sudoku_solution(puzzle: &Sudoku) -> Option<Vec<u32>> {
    let report = puzzle.search(2);
    (report.solutions == 1).then_some(report.first).flatten().map(|s| s.to_tokens())
}

fn unique_maze_solution(maze: &Maze) -> Option<Vec<u32>> {
    if maze.count_shortest_paths(2) != 1 {
        return None;
    }
    let path = maze.shortest_path()?;
    // The answer marks the cells strictly between S and G.
    let inner = path.get(1..path.len().saturating_sub(1)).unwrap_or(&[]);
    Some(maze.with_path(inner).to_tokens())
}

/// The puzzle text without comments, lines joined (so a boxed grid over several lines parses).
fn sudoku_line(text: &str) -> String {
    text.lines().map(|l| l.split('#').next().unwrap_or("")).collect::<Vec<_>>().join("")
}

fn sudoku(text: &str, solution: Option<&str>, supported: &[PuzzleKind]) -> Result<Puzzle> {
    let puzzle = Sudoku::parse(&sudoku_line(text)).map_err(|e| EngineError::Puzzle(e.to_string()))?;
    let side = puzzle.side();
    let kind = PuzzleKind::Sudoku { side };
    require(kind, supported)?;
    let solution = match solution {
        Some(line) => {
            let s = Sudoku::parse(&sudoku_line(line)).map_err(|e| EngineError::Puzzle(format!("solution: {e}")))?;
            if s.side() != side || s.givens() != side * side {
                return Err(EngineError::Puzzle(format!("the solution must be {} digits", side * side)));
            }
            Some(s.to_tokens())
        }
        None => unique_sudoku_solution(&puzzle),
    };
    Ok(Puzzle { kind, rows: side, cols: side, tokens: puzzle.to_tokens(), puzzle_id: 0, solution, note: None })
}

fn maze(text: &str, supported: &[PuzzleKind]) -> Result<Puzzle> {
    let maze = Maze::parse(text.trim_end_matches(['\n', '\r'])).map_err(|e| EngineError::Puzzle(e.to_string()))?;
    let maze = maze.puzzle();
    let side = maze.side();
    let kind = PuzzleKind::Maze { side };
    require(kind, supported)?;
    let solution = unique_maze_solution(&maze);
    Ok(Puzzle { kind, rows: side, cols: side, tokens: maze.to_tokens(), puzzle_id: 0, solution, note: None })
}

fn arc_task(
    json: &str,
    name: &str,
    test: usize,
    supported: &[PuzzleKind],
    identifiers: Option<&Identifiers>,
    embedding_rows: usize,
) -> Result<Puzzle> {
    let task = Task::from_json(json).map_err(|e| EngineError::Puzzle(e.to_string()))?;
    let pair = task.test.get(test).ok_or_else(|| {
        EngineError::Puzzle(format!("the task has {} test input(s); there is no test {}", task.test.len(), test + 1))
    })?;
    let canvas = supported.iter().find_map(|k| match *k {
        PuzzleKind::Arc { canvas } => Some(canvas),
        _ => None,
    });
    let Some(canvas) = canvas else {
        require(PuzzleKind::Arc { canvas: arc::DEFAULT_CANVAS_SIDE }, supported)?;
        return Err(EngineError::Unsupported("this model does not run ARC tasks".into()));
    };
    let kind = PuzzleKind::Arc { canvas };
    let tokens = arc::encode_grid(&pair.input, canvas, (0, 0))
        .map_err(|e| EngineError::Unsupported(format!("the test input does not fit this model's canvas: {e}")))?;
    let solution = pair
        .output
        .as_ref()
        .and_then(|o| arc::encode_grid(o, canvas, (0, 0)).ok())
        .map(|t| t.into_iter().map(u32::from).collect());
    let row = identifiers.map(|ids| ids.lookup(name)).filter(|r| (r.row as usize) < embedding_rows);
    let (puzzle_id, note) = match row {
        Some(r) if r.seen => (r.row, None),
        _ => (0, Some(format!("the model has never seen task {name}: it runs with the blank embedding row"))),
    };
    Ok(Puzzle {
        kind,
        rows: canvas,
        cols: canvas,
        tokens: tokens.into_iter().map(u32::from).collect(),
        puzzle_id,
        solution,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUDOKU4: [PuzzleKind; 1] = [PuzzleKind::Sudoku { side: 4 }];

    #[test]
    fn sudoku_is_encoded_with_its_solution() {
        let p = Puzzle::encode(
            &PuzzleSource::Sudoku { text: "3..2....13242.3.".into(), solution: None },
            &SUDOKU4,
            None,
            1,
        )
        .unwrap();
        assert_eq!(p.tokens[..4], [4, 1, 1, 3]);
        let want: Vec<u32> = "3142421313242431".bytes().map(|b| u32::from(b - b'0') + 1).collect();
        assert_eq!(p.solution.as_deref(), Some(&want[..]));
        assert_eq!(p.symbols(&p.tokens[..4]), b"3..2");
    }

    #[test]
    fn wrong_size_is_refused_with_what_the_model_runs() {
        let nine = format!("5{}", ".".repeat(80));
        let err = Puzzle::encode(&PuzzleSource::Sudoku { text: nine, solution: None }, &SUDOKU4, None, 1).unwrap_err();
        assert_eq!(err.to_string(), "this model cannot run a 9×9 Sudoku: it was made for 4×4 Sudoku");
        let err =
            Puzzle::encode(&PuzzleSource::Sudoku { text: "12".into(), solution: None }, &SUDOKU4, None, 1).unwrap_err();
        assert!(matches!(err, EngineError::Puzzle(_)), "{err}");
    }

    #[test]
    fn edits_change_the_input_and_the_solution() {
        let p = Puzzle::encode(
            &PuzzleSource::Sudoku { text: "3..2....13242.3.".into(), solution: None },
            &SUDOKU4,
            None,
            1,
        )
        .unwrap();
        let e = p.edited(1, '1').unwrap();
        assert_eq!(e.tokens[1], 2);
        assert_eq!(e.solution, p.solution);
        let wrong = p.edited(1, '4').unwrap();
        assert_eq!(wrong.solution, None, "a contradictory edit has no solution");
        assert!(p.edited(99, '1').is_err());
        assert!(p.edited(1, 'x').is_err());
    }

    #[test]
    fn arc_model_without_identifiers_says_never_seen() {
        let json = r#"{"train":[{"input":[[1]],"output":[[2]]}],"test":[{"input":[[1,2]],"output":[[3]]}]}"#;
        let kinds = [PuzzleKind::Arc { canvas: 4 }];
        let src = PuzzleSource::Arc { task_json: json.into(), name: "t".into(), test: 0 };
        let p = Puzzle::encode(&src, &kinds, None, 1).unwrap();
        assert_eq!(p.symbols(&p.tokens[..4]), b"12|_");
        assert!(p.note.unwrap().contains("never seen"));
        let bad = PuzzleSource::Arc { task_json: json.into(), name: "t".into(), test: 3 };
        assert!(Puzzle::encode(&bad, &kinds, None, 1).is_err());
        assert!(Puzzle::encode(&src, &SUDOKU4, None, 1).is_err());
    }

    #[test]
    fn arc_edits_recolour_only_cells_of_the_grid() {
        let json = r#"{"train":[{"input":[[1]],"output":[[2]]}],"test":[{"input":[[1,2]],"output":[[3]]}]}"#;
        let src = PuzzleSource::Arc { task_json: json.into(), name: "t".into(), test: 0 };
        let p = Puzzle::encode(&src, &[PuzzleKind::Arc { canvas: 4 }], None, 1).unwrap();
        let black = p.edited(1, '0').unwrap();
        assert_eq!(black.symbols(&black.tokens[..4]), b"10|_", "0 is black, a colour");
        assert_eq!(black.solution, None, "an edited ARC input has no known answer");
        for outside in [2, 3, 4] {
            let err = p.edited(outside, '5').unwrap_err();
            assert!(err.to_string().contains("inside the ARC grid"), "cell {outside}: {err}");
        }
        assert!(p.edited(0, '.').is_err());
        assert!(p.edited(99, '1').is_err());
    }
}
