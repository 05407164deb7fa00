//! What the page shows, computed from frames as plain Rust (tested natively, no DOM): the views in
//! [`crate::app`] only render these.
//!
//! - [`overlay`]: the correctness overlay of a frame (Sudoku conflicts, maze verdict, ARC diff).
//! - [`chart`]: the chart series over supervision steps.
//! - [`share`]: the share URL fragment (puzzle, model and run settings).
//! - [`render`]: a frame drawn into RGBA pixels.
//! - [`png`]: RGBA pixels encoded as a PNG file.
//! - [`gif`]: frames of a run encoded as an animated GIF.

pub mod chart;
pub mod gif;
pub mod overlay;
pub mod png;
pub mod render;
pub mod share;

#[cfg(test)]
pub(crate) mod testdata;
