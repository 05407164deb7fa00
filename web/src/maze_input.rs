//! Puzzles in, for mazes: the maze the user is preparing ([`MazeDraft`]), typed or pasted as text
//! (`#` wall, space open, `S`, `G`; `o` path marks are dropped), painted with the mouse or a finger
//! (press on a cell and drag: walls become open and open cells walls; press on `S` or `G` and drag
//! to move it), edited with the keyboard, picked from the bundled samples, or generated (seeded, by
//! tier) with trm-puzzles' maze generator, which runs here in the page's wasm.
//!
//! Plain Rust, tested natively; the components in [`crate::panels`] only render it.

use trm_puzzles::maze::{Generator, MazeTier};
use trm_puzzles::{Maze, MazeCell};

use crate::engine::PuzzleSource;
use crate::puzzle_input::{KeyOutcome, move_selection};

/// What a pointer drag over the editor does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drag {
    /// Paints every cell it passes with this cell (a wall or an open cell).
    Paint(MazeCell),
    /// Moves `S` or `G`.
    Move(MazeCell),
}

/// The maze being prepared for the next run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MazeDraft {
    /// Side of the maze (the loaded model's).
    pub side: usize,
    /// Row-major cells: walls, open cells, one `S` and one `G` (never path marks).
    pub cells: Vec<MazeCell>,
    /// The cell the keyboard edits.
    pub selected: Option<usize>,
    /// The text box's content: exactly what the user typed, even when it is invalid.
    pub text: String,
    /// What is wrong with `text`, if anything (the editor keeps the last valid maze).
    pub error: Option<String>,
    /// Where the maze came from ("sample 1 (easy)", "generated: seed 7, hard", "edited").
    pub origin: String,
    /// The drag in progress, if any.
    pub drag: Option<Drag>,
}

/// Parses a maze text for a model of `side`; the message says what is wrong. Path marks are dropped.
pub fn parse_maze_for_side(text: &str, side: usize) -> Result<Vec<MazeCell>, String> {
    // Blank lines around the maze (a paste often has them) are not rows.
    let trimmed = text.replace("\r\n", "\n");
    let trimmed = trimmed.trim_matches('\n');
    if trimmed.split('\n').any(|l| l.trim().is_empty()) {
        return Err("a blank line inside the maze: give one maze, its rows one under the other".into());
    }
    let maze = Maze::parse(trimmed).map_err(|e| e.to_string())?;
    if maze.side() != side {
        let found = maze.side();
        return Err(format!("this is a {found}×{found} maze; the loaded model solves {side}×{side} mazes"));
    }
    Ok(maze.puzzle().cells().to_vec())
}

/// The text of row-major maze cells, rows separated by newlines.
pub fn maze_text(side: usize, cells: &[MazeCell]) -> String {
    cells
        .chunks(side.max(1))
        .map(|row| row.iter().map(|c| c.to_char()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

impl MazeDraft {
    /// A maze of `side` with walls all round, `S` in the top-left and `G` in the bottom-right corner
    /// of the inside (a side below 3 has no inside: all open, `S` and `G` in the first two cells).
    pub fn empty(side: usize) -> Self {
        let side = side.max(2);
        let mut cells = vec![MazeCell::Open; side * side];
        if side >= 3 {
            for k in 0..side {
                cells[k] = MazeCell::Wall;
                cells[(side - 1) * side + k] = MazeCell::Wall;
                cells[k * side] = MazeCell::Wall;
                cells[k * side + side - 1] = MazeCell::Wall;
            }
            cells[side + 1] = MazeCell::Start;
            cells[(side - 2) * side + side - 2] = MazeCell::Goal;
        } else {
            cells[0] = MazeCell::Start;
            cells[1] = MazeCell::Goal;
        }
        MazeDraft {
            side,
            text: maze_text(side, &cells),
            cells,
            selected: None,
            error: None,
            origin: "empty maze".into(),
            drag: None,
        }
    }

    /// A draft from a maze text (a sample, a generated maze). An invalid text gives the empty maze
    /// with the text kept in the text box and its error shown.
    pub fn from_text(side: usize, text: &str, origin: impl Into<String>) -> Self {
        let mut draft = MazeDraft::empty(side);
        draft.set_text(text);
        draft.origin = origin.into();
        draft
    }

    /// The maze as text (rows separated by newlines).
    pub fn maze_text(&self) -> String {
        maze_text(self.side, &self.cells)
    }

    /// The user typed or pasted `text`: keep it; take the maze when it is valid, else say why.
    pub fn set_text(&mut self, text: &str) {
        self.text = text.to_string();
        match parse_maze_for_side(text, self.side) {
            Ok(cells) => {
                if cells != self.cells {
                    self.origin = "typed".into();
                }
                self.cells = cells;
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// Puts `cell` at `k`: walls and open cells anywhere but on `S` and `G`; `S` or `G` moves there
    /// (unless the other endpoint is there). Returns whether the maze changed.
    pub fn put(&mut self, k: usize, cell: MazeCell) -> bool {
        let Some(&old) = self.cells.get(k) else { return false };
        if old == cell || cell == MazeCell::Path {
            return false;
        }
        match cell {
            MazeCell::Start | MazeCell::Goal => {
                if matches!(old, MazeCell::Start | MazeCell::Goal) {
                    return false;
                }
                for c in self.cells.iter_mut().filter(|c| **c == cell) {
                    *c = MazeCell::Open;
                }
            }
            _ if matches!(old, MazeCell::Start | MazeCell::Goal) => return false,
            _ => {}
        }
        self.cells[k] = cell;
        self.text = self.maze_text();
        self.error = None;
        self.origin = "edited".into();
        true
    }

    /// A press on cell `k` (mouse button or finger down): on `S` or `G` it starts moving it; on a
    /// wall it opens the cell, elsewhere it builds a wall, and the drag paints on with the same.
    pub fn press(&mut self, k: usize) -> bool {
        let Some(&old) = self.cells.get(k) else { return false };
        self.selected = Some(k);
        match old {
            MazeCell::Start | MazeCell::Goal => {
                self.drag = Some(Drag::Move(old));
                false
            }
            MazeCell::Wall => {
                self.drag = Some(Drag::Paint(MazeCell::Open));
                self.put(k, MazeCell::Open)
            }
            _ => {
                self.drag = Some(Drag::Paint(MazeCell::Wall));
                self.put(k, MazeCell::Wall)
            }
        }
    }

    /// The pointer, pressed, entered cell `k`.
    pub fn enter(&mut self, k: usize) -> bool {
        let Some(drag) = self.drag else { return false };
        if k >= self.cells.len() {
            return false;
        }
        self.selected = Some(k);
        match drag {
            Drag::Paint(cell) | Drag::Move(cell) => self.put(k, cell),
        }
    }

    /// The pointer was released (or left the editor).
    pub fn release(&mut self) {
        self.drag = None;
    }

    /// Selects a cell; out-of-range cells clear the selection.
    pub fn select(&mut self, k: usize) {
        self.selected = (k < self.cells.len()).then_some(k);
    }

    /// A key pressed while the editor has focus: arrows move the selection; `#` or `w` builds a
    /// wall, Delete, Backspace or `.` opens the cell, Space or Enter toggles wall / open; `s` and `g`
    /// move the start and the goal to the selected cell.
    pub fn key(&mut self, key: &str) -> KeyOutcome {
        if let Some(to) = move_selection(self.selected, key, self.side) {
            self.selected = Some(to);
            return KeyOutcome::Moved;
        }
        let Some(k) = self.selected.filter(|&k| k < self.cells.len()) else { return KeyOutcome::Ignored };
        let cell = match key {
            "#" | "w" | "W" => MazeCell::Wall,
            "Delete" | "Backspace" | "." => MazeCell::Open,
            " " | "Enter" => match self.cells[k] {
                MazeCell::Wall => MazeCell::Open,
                MazeCell::Open => MazeCell::Wall,
                _ => return KeyOutcome::Ignored,
            },
            "s" | "S" => MazeCell::Start,
            "g" | "G" => MazeCell::Goal,
            _ => return KeyOutcome::Ignored,
        };
        if self.put(k, cell) { KeyOutcome::Edited } else { KeyOutcome::Ignored }
    }

    /// What the page says about the maze: its shortest path, or why it has none.
    pub fn note(&self) -> String {
        let Ok(maze) = Maze::from_cells(self.side, self.cells.clone()) else { return String::new() };
        match maze.shortest_path_len() {
            None => "no route from S to G: the model has nothing to find".into(),
            Some(len) => {
                let unique = if maze.count_shortest_paths(2) == 1 { "unique" } else { "not unique" };
                format!("shortest path {len} cells ({unique})")
            }
        }
    }

    /// The request's puzzle. `None` while the text box holds an error (the user must fix it first).
    pub fn source(&self) -> Option<PuzzleSource> {
        if self.error.is_some() {
            return None;
        }
        Some(PuzzleSource::Maze { text: self.maze_text() })
    }
}

/// The symbol an edit of a running maze sends ([`crate::protocol::WorkerInput::EditCell`]) for a
/// key: `#` (or `w`) builds a wall, Delete, Backspace, Space or `.` opens the cell.
pub fn maze_edit_symbol(key: &str) -> Option<char> {
    match key {
        "#" | "w" | "W" => Some('#'),
        "Delete" | "Backspace" | " " | "." => Some(' '),
        _ => None,
    }
}

/// Generates a `side × side` maze of `tier` from `seed` (the same on every machine).
pub fn generate_maze(side: usize, seed: u64, tier: MazeTier) -> Result<MazeDraft, String> {
    let mut generator = Generator::new(side, seed).map_err(|e| e.to_string())?;
    let generated = generator.next_maze(tier);
    Ok(MazeDraft::from_text(side, &generated.puzzle.to_string(), format!("generated: seed {seed}, {tier}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../../assets/puzzles/maze/samples/11x11-easy.txt");

    fn first_block(text: &str) -> String {
        Maze::blocks(text).into_iter().next().map(|(_, b)| b).unwrap()
    }

    fn at(d: &MazeDraft, k: usize) -> MazeCell {
        d.cells[k]
    }

    #[test]
    fn invalid_text_keeps_what_was_typed_and_the_last_maze() {
        let block = first_block(SAMPLE);
        let mut d = MazeDraft::from_text(11, &block, "sample 1 (easy)");
        assert_eq!(d.error, None);
        assert_eq!(d.maze_text(), block);
        let before = d.cells.clone();
        let two_s = block.replacen(' ', "S", 1);
        d.set_text(&two_s);
        assert_eq!(d.text, two_s, "the text is kept as typed");
        assert_eq!(d.cells, before, "the maze stays");
        assert!(d.error.as_deref().unwrap().contains("exactly one start 'S', found 2"), "{:?}", d.error);
        assert_eq!(d.source(), None);
        d.set_text(&block.replacen(' ', "x", 1));
        assert!(d.error.as_deref().unwrap().contains("unexpected character 'x'"), "{:?}", d.error);
        d.set_text("#####\n#S  #\n#   #\n#  G#\n#####");
        assert!(d.error.as_deref().unwrap().contains("5×5 maze"), "{:?}", d.error);
        d.set_text(&format!("{block}\n\n{block}"));
        assert!(d.error.as_deref().unwrap().contains("blank line"), "{:?}", d.error);
        d.set_text(&block[..block.len() - 3]);
        assert!(d.error.as_deref().unwrap().contains("row 11 has 8 characters"), "{:?}", d.error);
        // Surrounding blank lines and Windows line ends are fine; path marks are dropped.
        let solution = first_block(include_str!("../../assets/puzzles/maze/samples/11x11-easy.solutions.txt"));
        d.set_text(&format!("\n{}\n", solution.replace('\n', "\r\n")));
        assert_eq!(d.error, None);
        assert_eq!(d.maze_text(), block);
        assert_eq!(d.source(), Some(PuzzleSource::Maze { text: block }));
    }

    #[test]
    fn painting_walls_and_dragging_the_endpoints() {
        let mut d = MazeDraft::empty(7);
        assert!(d.note().starts_with("shortest path"), "{}", d.note());
        // Press on an open cell: a wall; the drag goes on painting walls (not over S or G).
        let (s, g) = (8, 40);
        assert_eq!((at(&d, s), at(&d, g)), (MazeCell::Start, MazeCell::Goal));
        assert!(d.press(9));
        assert_eq!(at(&d, 9), MazeCell::Wall);
        assert!(d.enter(10));
        assert!(!d.enter(s), "painting skips S");
        assert_eq!(at(&d, s), MazeCell::Start);
        d.release();
        assert!(!d.enter(11), "no drag after release");
        assert_eq!(&d.text, &d.maze_text());
        assert_eq!(d.origin, "edited");
        // Press on a wall: open, and the drag opens.
        assert!(d.press(9));
        assert!(d.enter(10));
        assert_eq!((at(&d, 9), at(&d, 10)), (MazeCell::Open, MazeCell::Open));
        d.release();
        // Drag S: it moves with the pointer, over walls too, but not onto G.
        assert!(!d.press(s));
        assert!(d.enter(0), "onto the border wall");
        assert_eq!((at(&d, s), at(&d, 0)), (MazeCell::Open, MazeCell::Start));
        assert!(!d.enter(g));
        assert!(d.enter(16));
        d.release();
        assert_eq!(d.cells.iter().filter(|&&c| c == MazeCell::Start).count(), 1);
        assert_eq!((at(&d, 0), at(&d, 16)), (MazeCell::Open, MazeCell::Start), "it left nothing behind");
        assert!(d.source().is_some());
        // Walls all round S: no route, which the note says (the run is still allowed).
        for k in [9, 15, 17, 23] {
            d.put(k, MazeCell::Wall);
        }
        assert!(d.note().contains("no route"), "{}", d.note());
        assert!(!d.press(999));
    }

    #[test]
    fn keys_move_the_selection_and_edit_cells() {
        let mut d = MazeDraft::empty(5);
        assert_eq!(d.key("#"), KeyOutcome::Ignored, "nothing selected");
        assert_eq!(d.key("ArrowDown"), KeyOutcome::Moved);
        assert_eq!(d.selected, Some(0));
        assert_eq!(d.key("Delete"), KeyOutcome::Edited);
        assert_eq!(at(&d, 0), MazeCell::Open);
        assert_eq!(d.key(" "), KeyOutcome::Edited);
        assert_eq!(at(&d, 0), MazeCell::Wall);
        assert_eq!(d.key("Enter"), KeyOutcome::Edited);
        assert_eq!(at(&d, 0), MazeCell::Open);
        assert_eq!(d.key("g"), KeyOutcome::Edited, "G moves to the selected cell");
        assert_eq!((at(&d, 0), at(&d, 18)), (MazeCell::Goal, MazeCell::Open));
        assert_eq!(d.key("#"), KeyOutcome::Ignored, "G is not overwritten");
        assert_eq!(d.key("ArrowRight"), KeyOutcome::Moved);
        assert_eq!(d.key("w"), KeyOutcome::Ignored, "a wall already");
        assert_eq!(d.key("Backspace"), KeyOutcome::Edited);
        assert_eq!(d.key("w"), KeyOutcome::Edited);
        assert_eq!(at(&d, 1), MazeCell::Wall);
        assert_eq!(d.key("x"), KeyOutcome::Ignored);
        assert_eq!(d.text, "G####\n#S  #\n#   #\n#   #\n#####");
        assert_eq!(maze_edit_symbol("#"), Some('#'));
        assert_eq!(maze_edit_symbol("Delete"), Some(' '));
        assert_eq!(maze_edit_symbol("5"), None);
    }

    #[test]
    fn an_edit_clears_a_pending_text_error() {
        let mut d = MazeDraft::empty(5);
        d.set_text("oops");
        assert!(d.error.is_some());
        d.select(6);
        assert_eq!(d.key("S"), KeyOutcome::Ignored, "S is there already");
        d.select(7);
        assert_eq!(d.key("#"), KeyOutcome::Edited);
        assert_eq!(d.error, None);
        assert_eq!(d.text, d.maze_text());
    }

    #[test]
    fn generation_is_seeded_and_of_the_tier() {
        for tier in MazeTier::ALL {
            let a = generate_maze(11, 7, tier).unwrap();
            assert_eq!(a, generate_maze(11, 7, tier).unwrap(), "same seed, same maze");
            assert_eq!(a.error, None);
            let maze = Maze::parse(&a.maze_text()).unwrap();
            let len = maze.shortest_path_len().unwrap();
            assert_eq!(MazeTier::of(11, len), Some(tier), "{tier}: {len}");
            assert!(a.origin.contains(tier.name()));
        }
        assert_ne!(generate_maze(11, 1, MazeTier::Easy).unwrap(), generate_maze(11, 2, MazeTier::Easy).unwrap());
        assert!(generate_maze(3, 1, MazeTier::Easy).is_err());
    }
}
