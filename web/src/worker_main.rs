//! The worker's side of the protocol: install the handler, say `Ready`, answer every message.
//!
//! The requests are handled by an [`engine::Session`](crate::engine::Session) (plain Rust, tested
//! natively); this file only decodes messages, posts the outputs, and runs a long `Advance` in slices
//! of about [`SLICE_MS`], each scheduled as its own task (`setTimeout(0)`), so that a new request from
//! the page is read between slices.
//!
//! Panics cannot be caught on wasm32 (they abort), so a panic hook posts a fatal
//! [`WorkerOutput::Error`] to the page before the worker dies; the page then offers a restart.

use std::cell::{Cell, RefCell};

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::engine::Session;
use crate::protocol::{WorkerInput, WorkerOutput};

/// Longest stretch of network applications between two looks at the message queue (at least one
/// application is done per slice).
pub const SLICE_MS: f64 = 12.0;

thread_local! {
    static SESSION: RefCell<Session> = RefCell::new(Session::new());
    static SCHEDULED: Cell<bool> = const { Cell::new(false) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts one output to the page. Failures are only logged: there is nobody else to tell.
fn post(output: &WorkerOutput) {
    match serde_wasm_bindgen::to_value(output) {
        Ok(value) => {
            if let Err(e) = scope().post_message(&value) {
                web_sys::console::error_2(&"worker: postMessage failed".into(), &e);
            }
        }
        Err(e) => web_sys::console::error_1(&format!("worker: cannot encode {output:?}: {e}").into()),
    }
}

/// Milliseconds from the worker's high-resolution clock (`Date.now()` where there is none).
fn now_ms() -> f64 {
    match scope().performance() {
        Some(p) => p.now(),
        None => js_sys::Date::now(),
    }
}

/// Schedules the next slice of the running `Advance`, unless one is already scheduled.
fn schedule_pump() {
    if SCHEDULED.with(|s| s.replace(true)) {
        return;
    }
    let callback = Closure::once_into_js(|| {
        SCHEDULED.with(|s| s.set(false));
        let outputs = SESSION.with(|s| s.borrow_mut().pump(&now_ms, SLICE_MS));
        outputs.iter().for_each(post);
        if SESSION.with(|s| s.borrow().busy()) {
            schedule_pump();
        }
    });
    if let Err(e) = scope().set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), 0) {
        SCHEDULED.with(|s| s.set(false));
        web_sys::console::error_2(&"worker: setTimeout failed".into(), &e);
    }
}

/// Starts the worker: panic hook, message handler, then the `Ready` handshake.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post(&WorkerOutput::Error { id: None, message: format!("worker panicked: {info}"), fatal: true });
    }));

    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let outputs = match serde_wasm_bindgen::from_value::<WorkerInput>(event.data()) {
            Ok(input) => SESSION.with(|s| s.borrow_mut().handle(input, &now_ms)),
            Err(e) => vec![WorkerOutput::error(format!("worker could not read the request: {e}"))],
        };
        outputs.iter().for_each(post);
        if SESSION.with(|s| s.borrow().busy()) {
            schedule_pump();
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();

    post(&WorkerOutput::Ready);
}
