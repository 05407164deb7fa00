//! The cells of the grids the page draws from a frame: the answer y (givens, predictions, changed
//! cells, confidence, wrong and conflicting cells), the decoded scratch paper z, and the activity map.
//!
//! One [`CellView`] per cell: the text, the CSS classes, a label for screen readers, and a number
//! in 0..=1 the page turns into a CSS variable (confidence or activity).

use crate::engine::{Frame, PuzzleKind};
use crate::view_model::overlay::{Mark, Overlay};

/// One cell as drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct CellView {
    pub text: String,
    /// Space-separated CSS classes, `cell` first.
    pub class: String,
    pub label: String,
    /// Confidence (answer, scratch) or relative activity, 0..=1.
    pub level: f32,
}

/// `(box rows, box columns)` of a grid (a Sudoku's boxes; one box for anything else).
pub fn box_shape(kind: PuzzleKind, rows: usize, cols: usize) -> (usize, usize) {
    match kind {
        PuzzleKind::Sudoku { side } => trm_puzzles::sudoku::Sudoku::box_shape_of(side),
        _ => (rows.max(1), cols.max(1)),
    }
}

fn base_class(k: usize, cols: usize, boxes: (usize, usize)) -> String {
    let (r, c) = (k / cols.max(1), k % cols.max(1));
    let mut class = String::from("cell");
    if c > 0 && c % boxes.1 == 0 {
        class.push_str(" box-left");
    }
    if r > 0 && r % boxes.0 == 0 {
        class.push_str(" box-top");
    }
    class
}

fn place(k: usize, cols: usize) -> String {
    format!("row {}, column {}", k / cols.max(1) + 1, k % cols.max(1) + 1)
}

/// A display symbol as cell text (blanks and PAD empty).
fn text_of(symbol: u8) -> String {
    match symbol {
        b'.' | b'_' | b' ' => String::new(),
        s => char::from(s).to_string(),
    }
}

/// The class of a grid of `kind`, for the page's CSS: `sudoku`, `maze` or `arc`.
pub fn kind_class(kind: PuzzleKind) -> &'static str {
    match kind {
        PuzzleKind::Sudoku { .. } => "sudoku",
        PuzzleKind::Maze { .. } => "maze",
        PuzzleKind::Arc { .. } => "arc",
    }
}

/// A maze symbol's class and words: walls and paths are drawn, not written.
fn maze_symbol(symbol: u8) -> Option<(&'static str, &'static str)> {
    match symbol {
        b'#' => Some((" wall", "wall")),
        b'o' => Some((" path", "path")),
        b'S' => Some((" endpoint", "start S")),
        b'G' => Some((" endpoint", "goal G")),
        b' ' => Some((" open", "open")),
        _ => None,
    }
}

/// An ARC symbol's class and words: colours are drawn in the official palette (see
/// [`crate::arc_input::PALETTE`]), the end-of-grid marker `|` and PAD told apart.
fn arc_symbol(symbol: u8) -> (String, String) {
    match symbol {
        b'0'..=b'9' => {
            let d = usize::from(symbol - b'0');
            (format!(" arc-c{d}"), crate::arc_input::COLOUR_NAMES[d].to_string())
        }
        b'|' => (" arc-eos".into(), "end of grid".into()),
        _ => (" arc-pad".into(), "padding".into()),
    }
}

/// The answer grid of `frame`, with the correctness `overlay` when there is one. In a maze, walls,
/// `S` and `G` of the input are the givens and the path cells `o` the predictions.
pub fn answer_cells(frame: &Frame, kind: PuzzleKind, cols: usize, overlay: Option<&Overlay>) -> Vec<CellView> {
    let rows = frame.answer.len() / cols.max(1);
    let boxes = box_shape(kind, rows, cols);
    let maze = matches!(kind, PuzzleKind::Maze { .. });
    let arc = matches!(kind, PuzzleKind::Arc { .. });
    (0..frame.answer.len())
        .map(|k| {
            let symbol = frame.answer[k];
            let given = match frame.input.get(k) {
                Some(b'#' | b'S' | b'G') if maze => true,
                Some(_) if maze || arc => false,
                Some(&b) => b != b'.' && b != b'_',
                None => false,
            };
            let confidence = frame.confidence.get(k).copied().unwrap_or(0.0).clamp(0.0, 1.0);
            let mut class = base_class(k, cols, boxes);
            let mut notes = Vec::new();
            let mut text = text_of(symbol);
            if maze && let Some((cell_class, words)) = maze_symbol(symbol) {
                class.push_str(cell_class);
                notes.push(words.to_string());
                if matches!(symbol, b'#' | b'o') {
                    text = String::new();
                }
            }
            if arc {
                // Colours are drawn, not written.
                let (cell_class, words) = arc_symbol(symbol);
                class.push_str(&cell_class);
                notes.push(words);
                text = String::new();
            }
            if arc && !symbol.is_ascii_digit() {
                // The end of the grid or PAD: nothing to be sure of.
            } else if arc {
                class.push_str(" predicted");
                notes.push(format!("{:.0}% sure", confidence * 100.0));
            } else if maze && !given && symbol == b' ' {
                // An open cell the model leaves open: nothing predicted.
            } else if maze && !given {
                class.push_str(" predicted");
                notes.push(format!("predicted, {:.0}% sure", confidence * 100.0));
            } else if given {
                class.push_str(" given");
                notes.push("given".to_string());
            } else if !text.is_empty() {
                class.push_str(" predicted");
                notes.push(format!("predicted, {:.0}% sure", confidence * 100.0));
            } else {
                notes.push("blank".to_string());
            }
            if frame.changed.get(k) == Some(&1) {
                class.push_str(" changed");
                notes.push("changed".into());
            }
            if frame.correct.as_ref().and_then(|v| v.get(k)) == Some(&0) {
                class.push_str(" wrong");
                notes.push("wrong".into());
            }
            match overlay.and_then(|o| o.marks.get(k)) {
                Some(Mark::Conflict) => {
                    class.push_str(" conflict");
                    notes.push("breaks a rule".into());
                }
                Some(Mark::GivenChanged) => {
                    class.push_str(" conflict");
                    notes.push("overwrites a given".into());
                }
                _ => {}
            }
            let shown = if maze || arc || text.is_empty() { "–" } else { &text };
            let label = format!("{}: {} {}", place(k, cols), shown, notes.join(", "));
            CellView { text, class, label, level: confidence }
        })
        .collect()
}

/// The scratch paper z decoded through the output head: the symbol each cell of z leans to, with
/// that symbol's probability.
pub fn scratch_cells(frame: &Frame, kind: PuzzleKind, cols: usize) -> Vec<CellView> {
    let rows = frame.scratch.len() / cols.max(1);
    let boxes = box_shape(kind, rows, cols);
    (0..frame.scratch.len())
        .map(|k| {
            let symbol = frame.scratch[k];
            let mut text = text_of(symbol);
            let mut class = base_class(k, cols, boxes) + " scratch";
            let mut leans = if text.is_empty() { "blank".to_string() } else { text.clone() };
            if matches!(kind, PuzzleKind::Maze { .. })
                && let Some((cell_class, words)) = maze_symbol(symbol)
            {
                class.push_str(cell_class);
                leans = words.to_string();
                if matches!(symbol, b'#' | b'o') {
                    text = String::new();
                }
            }
            if matches!(kind, PuzzleKind::Arc { .. }) {
                let (cell_class, words) = arc_symbol(symbol);
                class.push_str(&cell_class);
                leans = words;
                text = String::new();
            }
            let level = frame.scratch_confidence.get(k).copied().unwrap_or(0.0).clamp(0.0, 1.0);
            let label = format!("{}: z leans to {} ({:.0}%)", place(k, cols), leans, level * 100.0);
            CellView { text, class, label, level }
        })
        .collect()
}

/// The activity map: how far z moved at each cell, relative to the largest move of the frame.
pub fn activity_cells(activity: &[f32], kind: PuzzleKind, cols: usize) -> Vec<CellView> {
    let rows = activity.len() / cols.max(1);
    let boxes = box_shape(kind, rows, cols);
    let max = activity.iter().copied().filter(|v| v.is_finite()).fold(0.0f32, f32::max);
    activity
        .iter()
        .enumerate()
        .map(|(k, &v)| {
            let level = if max > 0.0 && v.is_finite() { (v / max).clamp(0.0, 1.0) } else { 0.0 };
            let label = format!("{}: z moved {:.3} (relative)", place(k, cols), if v.is_finite() { v } else { 0.0 });
            CellView { text: String::new(), class: base_class(k, cols, boxes) + " heat", label, level }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::overlay::overlay;
    use crate::view_model::testdata::frame_of;

    #[test]
    fn answer_cells_mark_givens_predictions_changes_and_conflicts() {
        let mut f = frame_of(b"1...........4...", b"1123............");
        f.changed[1] = 1;
        f.confidence = vec![0.5; 16];
        f.correct = Some(vec![1; 16]);
        if let Some(c) = f.correct.as_mut() {
            c[2] = 0;
        }
        let kind = PuzzleKind::Sudoku { side: 4 };
        let o = overlay(&f, kind, 4, 4, None).unwrap();
        let cells = answer_cells(&f, kind, 4, Some(&o));
        assert_eq!(cells.len(), 16);
        assert!(cells[0].class.contains("given") && !cells[0].class.contains("predicted"));
        assert!(cells[1].class.contains("predicted") && cells[1].class.contains("changed"));
        assert!(cells[1].class.contains("conflict"), "two 1s in row 1: {}", cells[1].class);
        assert!(cells[0].class.contains("conflict"));
        assert!(cells[2].class.contains("wrong") && !cells[2].class.contains("conflict"));
        assert!(cells[1].label.contains("50% sure"), "{}", cells[1].label);
        assert_eq!(cells[4].text, "");
        assert!(cells[12].class.contains("conflict"), "the answer dropped the given 4: {}", cells[12].class);
        assert!(cells[2].class.contains("box-left") && cells[8].class.contains("box-top"));
        assert!(!cells[1].class.contains("box-left"));
    }

    #[test]
    fn maze_cells_draw_walls_and_the_predicted_path() {
        let (puzzle, solution, side) = crate::view_model::testdata::maze_pair("9x9-easy");
        let mut f = frame_of(&puzzle, &solution);
        let kind = PuzzleKind::Maze { side };
        let path = solution.iter().position(|&b| b == b'o').unwrap();
        f.changed[path] = 1;
        f.confidence[path] = 0.75;
        let o = overlay(&f, kind, side, side, None).unwrap();
        let cells = answer_cells(&f, kind, side, Some(&o));
        let wall = puzzle.iter().position(|&b| b == b'#').unwrap();
        let open = (0..puzzle.len()).find(|&k| solution[k] == b' ').unwrap();
        let s = puzzle.iter().position(|&b| b == b'S').unwrap();
        assert!(cells[wall].class.contains("wall") && cells[wall].class.contains("given"), "{}", cells[wall].class);
        assert_eq!(cells[wall].text, "");
        assert!(cells[wall].label.contains("wall"));
        let p = &cells[path];
        assert!(
            p.class.contains("path") && p.class.contains("predicted") && p.class.contains("changed"),
            "{}",
            p.class
        );
        assert!(p.label.contains("path, predicted, 75% sure"), "{}", p.label);
        assert!(!cells[open].class.contains("predicted") && cells[open].class.contains("open"));
        assert_eq!(cells[s].text, "S");
        assert!(cells[s].class.contains("given endpoint") || cells[s].class.contains("endpoint"));
        assert!(!cells[1].class.contains("box-left"), "a maze has no boxes");
        assert_eq!(kind_class(kind), "maze");
        let z = scratch_cells(&f, kind, side);
        assert!(z[wall].class.contains("wall") && z[wall].label.contains("leans to wall"), "{}", z[wall].label);
    }

    #[test]
    fn arc_cells_are_coloured_not_written() {
        let kind = PuzzleKind::Arc { canvas: 2 };
        let f = frame_of(b"01|_", b"19|_");
        let cells = answer_cells(&f, kind, 2, None);
        assert!(cells[0].class.contains(" arc-c1") && cells[0].class.contains(" predicted"), "{}", cells[0].class);
        assert!(!cells[0].class.contains("given"), "an ARC input is not the answer's given");
        assert!(cells[1].class.contains(" arc-c9") && cells[1].label.contains("maroon"), "{:?}", cells[1]);
        assert!(cells[2].class.contains(" arc-eos") && !cells[2].class.contains("predicted"));
        assert!(cells[3].class.contains(" arc-pad"));
        assert!(cells.iter().all(|c| c.text.is_empty()));
        let z = scratch_cells(&f, kind, 2);
        assert!(z[1].class.contains(" arc-c9") && z[1].label.contains("leans to maroon"), "{:?}", z[1]);
    }

    #[test]
    fn activity_is_relative_to_the_largest_move() {
        let kind = PuzzleKind::Sudoku { side: 4 };
        let mut a = vec![0.0; 16];
        a[3] = 2.0;
        a[4] = 1.0;
        a[5] = f32::NAN;
        let cells = activity_cells(&a, kind, 4);
        assert_eq!(cells[3].level, 1.0);
        assert_eq!(cells[4].level, 0.5);
        assert_eq!(cells[5].level, 0.0);
        assert!(activity_cells(&[0.0; 16], kind, 4).iter().all(|c| c.level == 0.0));
    }

    #[test]
    fn scratch_cells_show_what_z_leans_to() {
        let mut f = frame_of(b"................", b"................");
        f.scratch = b"1234............".to_vec();
        f.scratch_confidence = vec![0.25; 16];
        let cells = scratch_cells(&f, PuzzleKind::Sudoku { side: 4 }, 4);
        assert_eq!(cells[2].text, "3");
        assert_eq!(cells[2].level, 0.25);
        assert!(cells[2].label.contains("leans to 3"));
        assert!(cells[5].label.contains("blank"));
    }
}
