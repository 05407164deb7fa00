//! TRM Playground's web app: Leptos components on the main thread, trm-core in a Web Worker.
//!
//! - [`engine`]: the run engine (model loading, puzzles, frames, runs, the worker's session), plain
//!   Rust tested natively.
//! - [`protocol`]: the typed messages between page and worker (plain Rust, tested natively).
//! - [`worker_main`]: the worker's side — answers every request, errors and panics included.
//! - [`worker_client`]: the page's side — spawns the worker and turns its messages into events.
//! - [`playground`]: the page's side of a run (which request next, what to show), tested natively.
//! - [`view_model`]: what the page shows, computed from frames (correctness overlay, chart series,
//!   share URL, PNG and GIF export), plain Rust tested natively.
//! - [`export`]: the share link of a run, the run a link opens, PNG and GIF bytes for downloads.
//! - [`fetch`]: fetching the bundled model on the main thread.
//! - [`capability`]: what the browser must offer, and the message when it does not.
//! - [`own_model`]: "load your own model": which chosen file is which (plain Rust, tested natively);
//!   [`idb`] keeps the last one in IndexedDB.
//! - [`catalog`]: the bundled models and puzzle samples the page offers (data).
//! - [`puzzle_input`]: the Sudoku being prepared: typed, pasted, edited, sampled or generated.
//! - [`maze_input`]: the maze being prepared: typed, pasted, painted, dragged, sampled or generated.
//! - [`app`] and [`panels`]: the components.

pub mod app;
pub mod arc_input;
pub mod arc_view;
pub mod capability;
pub mod catalog;
pub mod download;
pub mod engine;
pub mod export;
pub mod fetch;
pub mod idb;
pub mod maze_input;
pub mod own_model;
pub mod panels;
pub mod playground;
pub mod protocol;
pub mod puzzle_input;
pub mod view_model;
pub mod worker_client;
pub mod worker_main;
