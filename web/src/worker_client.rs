//! The page's side of the protocol: spawn the worker and deliver its messages as [`WorkerEvent`]s.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::protocol::{WorkerInput, WorkerOutput};

/// Trunk writes this loader next to `index.html`; relative, so the app works from any sub-path.
pub const WORKER_URL: &str = "./worker_loader.js";

/// What the page hears from the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerEvent {
    /// A well-formed message.
    Output(WorkerOutput),
    /// The worker died or sent something unreadable; it must be restarted.
    Failed(String),
}

/// A running worker. Dropping it terminates the worker.
pub struct WorkerClient {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl WorkerClient {
    /// Starts the worker; `on_event` is called for every message or failure.
    pub fn spawn(on_event: impl Fn(WorkerEvent) + 'static) -> Result<Self, String> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Classic);
        let worker = Worker::new_with_options(WORKER_URL, &options)
            .map_err(|e| format!("cannot start the worker: {}", describe(&e)))?;
        let on_event = std::rc::Rc::new(on_event);

        let on_message = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                match serde_wasm_bindgen::from_value::<WorkerOutput>(event.data()) {
                    Ok(output) => on_event(WorkerEvent::Output(output)),
                    Err(e) => on_event(WorkerEvent::Failed(format!("unreadable message from the worker: {e}"))),
                }
            })
        };
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            // Keep the browser from also logging it as an uncaught error: the page reports it.
            event.prevent_default();
            on_event(WorkerEvent::Failed(format!("the worker stopped: {}", event.message())));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self { worker, _on_message: on_message, _on_error: on_error })
    }

    /// Sends one request.
    pub fn send(&self, input: &WorkerInput) -> Result<(), String> {
        let value = serde_wasm_bindgen::to_value(input).map_err(|e| format!("cannot encode request: {e}"))?;
        self.worker.post_message(&value).map_err(|e| format!("cannot send request: {}", describe(&e)))
    }
}

impl Drop for WorkerClient {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

fn describe(value: &JsValue) -> String {
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}
