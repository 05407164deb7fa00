//! The worker's side of the protocol: install the handler, say `Ready`, answer every message.
//!
//! Panics cannot be caught on wasm32 (they abort), so a panic hook posts a fatal
//! [`WorkerOutput::Error`] to the page before the worker dies; the page then offers a restart.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::protocol::{WorkerInput, WorkerOutput, answer};

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

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Starts the worker: panic hook, message handler, then the `Ready` handshake.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post(&WorkerOutput::Error { message: format!("worker panicked: {info}"), fatal: true });
    }));

    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let output = match serde_wasm_bindgen::from_value::<WorkerInput>(event.data()) {
            Ok(input) => answer(input, now_ms),
            Err(e) => WorkerOutput::error(format!("worker could not read the request: {e}")),
        };
        post(&output);
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();

    post(&WorkerOutput::Ready);
}
