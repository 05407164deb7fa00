//! TRM Playground's web app: Leptos components on the main thread, trm-core in a Web Worker.
//!
//! - [`protocol`]: the typed messages between page and worker (plain Rust, tested natively).
//! - [`worker_main`]: the worker's side — answers every request, errors and panics included.
//! - [`worker_client`]: the page's side — spawns the worker and turns its messages into events.
//! - [`app`]: the components.

pub mod app;
pub mod protocol;
pub mod worker_client;
pub mod worker_main;
