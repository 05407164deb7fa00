//! Puzzle domains of TRM Playground: Sudoku, mazes and ARC.
//!
//! Pure Rust, no tensor library: it builds for `wasm32-unknown-unknown`, so the browser parses and
//! checks puzzles itself. Text formats follow the project's format contract (`docs/formats.md` in
//! the shared documentation): see [`sudoku`], [`maze`] and [`arc`].
//!
//! [`dataset`] turns puzzles into training data: the official on-disk layout (`.npy` arrays and
//! `dataset.json`, read and written in pure Rust), a compact single-file format for our trainer, and
//! builders that follow the official Sudoku, maze and ARC recipes.

pub mod arc;
pub mod dataset;
pub mod dihedral;
#[doc(hidden)]
pub mod fuzzing;
pub mod maze;
pub mod sudoku;

pub use arc::{ArcError, Grid, Identifiers, NamedTask, Task, Voter};
pub use dihedral::Dihedral;
pub use maze::{Maze, MazeCell, MazeError, MazeTier, PathError};
pub use sudoku::{Sudoku, SudokuError};
