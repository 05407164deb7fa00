//! What the page shows, computed from frames as plain Rust (tested natively, no DOM): the views in
//! [`crate::app`] only render these.
//!
//! - [`overlay`]: the correctness overlay of a frame (Sudoku conflicts, maze verdict, ARC diff).
//! - [`card`]: the model card panel's rows (architecture, training, accuracy).
//! - [`chart`]: the chart series over supervision steps.
//! - [`share`]: the share URL fragment (puzzle, model and run settings).
//! - [`render`]: a frame drawn into RGBA pixels.
//! - [`png`]: RGBA pixels encoded as a PNG file.
//! - [`gif`]: frames of a run encoded as an animated GIF.
//! - [`grid`]: the cells of the answer, scratch-paper and activity grids of a frame.

pub mod card;
pub mod chart;
pub mod gif;
pub mod grid;
pub mod overlay;
pub mod png;
pub mod render;
pub mod share;

#[cfg(test)]
pub(crate) mod testdata;
