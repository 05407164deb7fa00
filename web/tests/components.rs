//! Component tests in a real browser (wasm-bindgen-test in headless Chromium, through `cargo xtask
//! test`): the page's components mounted into the document, driven by DOM events, checked in the DOM.
//!
//! The worker is replaced by the same [`Session`] the worker runs, called in-process, so a run of the
//! shipped 4×4 Sudoku model goes through the real engine and the components show its real frames.
#![cfg(target_arch = "wasm32")]

use std::collections::VecDeque;

use leptos::prelude::*;
use trm_web::app::{WorkerPanel, WorkerStatus, starting_draft};
use trm_web::arc_input::ArcDraft;
use trm_web::catalog::{BUNDLED_MODELS, default_sample};
use trm_web::engine::{PuzzleSource, Session};
use trm_web::maze_input::MazeDraft;
use trm_web::panels::{Explainer, ModelCard, PuzzlePanel, RunPanel};
use trm_web::playground::{PageEvent, Playground};
use trm_web::protocol::WorkerOutput;
use trm_web::worker_client::WorkerEvent;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

const SUDOKU4: &[u8] = include_bytes!("../../assets/models/sudoku4.safetensors");
const SUDOKU4_CARD: &str = include_str!("../../assets/models/sudoku4.json");

fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("a document")
}

/// A fresh element in the document's body for one test's components.
fn host(id: &str) -> HtmlElement {
    let doc = document();
    let el: HtmlElement = doc.create_element("div").expect("a div").unchecked_into();
    el.set_id(id);
    doc.body().expect("a body").append_child(&el).expect("appended");
    el
}

fn find(scope: &str, selector: &str) -> Element {
    document()
        .query_selector(&format!("#{scope} {selector}"))
        .expect("a valid selector")
        .unwrap_or_else(|| panic!("no `{selector}` in #{scope}"))
}

fn try_find(scope: &str, selector: &str) -> Option<Element> {
    document().query_selector(&format!("#{scope} {selector}")).expect("a valid selector")
}

fn all(scope: &str, selector: &str) -> Vec<Element> {
    let list = document().query_selector_all(&format!("#{scope} {selector}")).expect("a valid selector");
    (0..list.length()).filter_map(|k| list.item(k)).filter_map(|n| n.dyn_into::<Element>().ok()).collect()
}

fn attr(el: &Element, name: &str) -> String {
    el.get_attribute(name).unwrap_or_else(|| panic!("no `{name}` on <{}>", el.tag_name()))
}

fn click(el: &Element) {
    el.unchecked_ref::<HtmlElement>().click();
}

/// A bubbling event, as a user's action dispatches it (Leptos delegates to the document).
fn fire(el: &Element, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict(kind, &init).expect("an event");
    el.dispatch_event(&event).expect("dispatched");
}

fn key(el: &Element, name: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(name);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("a key event");
    el.dispatch_event(&event).expect("dispatched");
}

/// Lets Leptos's effects (scheduled on the microtask queue) redraw: waits one macrotask.
async fn redraw() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("a window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
            .expect("a timer");
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.expect("the timer fired");
}

/// The page's state and an in-process worker: every request the page sends is answered at once by
/// the engine's [`Session`], its answers go back to the page as worker events.
#[derive(Clone, Copy)]
struct Page {
    state: RwSignal<Playground>,
    session: StoredValue<Session, LocalStorage>,
}

impl Page {
    fn new() -> Self {
        Page { state: RwSignal::new(Playground::new()), session: StoredValue::new_local(Session::new()) }
    }

    fn dispatch(self, event: PageEvent) {
        let mut pending = VecDeque::from([event]);
        while let Some(event) = pending.pop_front() {
            let requests = self.state.try_update(|s| s.on(event)).unwrap_or_default();
            for request in requests {
                let answers = self.session.try_update_value(|s| s.handle_all(request, &|| 0.0)).unwrap_or_default();
                pending.extend(answers.into_iter().map(|a| PageEvent::Worker(WorkerEvent::Output(a))));
            }
        }
    }

    /// What the page's play timer does: one tick per frame while the page wants them.
    fn play_out(self, max_ticks: usize) -> usize {
        let mut ticks = 0;
        while ticks < max_ticks && self.state.with_untracked(Playground::wants_tick) {
            self.dispatch(PageEvent::Tick);
            ticks += 1;
        }
        ticks
    }

    fn load_sudoku4(self) {
        self.dispatch(PageEvent::ModelFetched(BUNDLED_MODELS[0].source(SUDOKU4.to_vec(), Some(SUDOKU4_CARD.into()))));
        self.dispatch(PageEvent::Worker(WorkerEvent::Output(WorkerOutput::Ready)));
    }
}

#[wasm_bindgen_test]
async fn run_panel_shows_the_frames_the_chart_and_the_answer() {
    let page = Page::new();
    let el = host("run-test");
    let state = page.state.read_only();
    let on_event = Callback::new(move |e| page.dispatch(e));
    let _mounted = leptos::mount::mount_to(el, move || {
        view! {
            <RunPanel state on_event restart=Callback::new(|_: ()| ()) />
            <ModelCard state />
        }
    });
    redraw().await;
    assert_eq!(attr(&find("run-test", "#run"), "data-frames"), "0");
    assert!(find("run-test", "#play").has_attribute("disabled"), "nothing to play before a run");

    page.load_sudoku4();
    let ticks = page.play_out(10_000);
    redraw().await;

    // sudoku4: T = 2 cycles of n = 2 latent updates and one refresh, 8 supervision steps.
    let run = find("run-test", "#run");
    assert_eq!(attr(&run, "data-kinds"), format!("S{}", "LLR".repeat(16)));
    assert_eq!(ticks, 48, "one tick per network application");
    assert_eq!(attr(&run, "data-frames"), "49");
    assert!(!attr(&run, "data-finished").is_empty(), "the run says it finished");
    let chart = find("run-test", "#chart");
    assert_eq!(attr(&chart, "data-points"), "8");
    assert_eq!(all("run-test", "#chart circle.pt-halt").len(), 8, "one halting point per supervision step");

    // The answer grid shows the final answer, cell by cell, and it is the sample's solution.
    let sample = default_sample(&BUNDLED_MODELS[0]).expect("a 4×4 sample");
    let solution = sample.solution.expect("the sample's solution");
    let cells = all("run-test", "#run-grid [role=gridcell]");
    assert_eq!(cells.len(), 16);
    let shown: String = cells.iter().map(|c| c.text_content().unwrap_or_default().trim().to_string()).collect();
    assert_eq!(shown, solution, "the grid's digits");
    assert_eq!(attr(&run, "data-answer"), solution);
    assert_eq!(all("run-test", "#scratch-grid [role=gridcell]").len(), 16, "the scratch paper z beside it");
    assert_eq!(all("run-test", "#latents button.page").len(), 2, "the n latent updates of the last cycle");

    // One frame back: the cursor and the scrubber move, and the frame shown is a latent update.
    click(&find("run-test", "#step-back"));
    redraw().await;
    assert_eq!(attr(&run, "data-cursor"), "47");
    let scrubber: HtmlInputElement = find("run-test", "#scrubber").unchecked_into();
    assert_eq!(scrubber.value(), "47");
    assert!(find("run-test", "#latents button.page.current").text_content().unwrap_or_default().contains('z'));

    // Scrubbing to the start frame through the range input.
    scrubber.set_value("0");
    fire(&scrubber, "input");
    redraw().await;
    assert_eq!(attr(&run, "data-cursor"), "0");

    // Keep thinking, then play: the run goes past its trained steps.
    let keep: HtmlInputElement = find("run-test", "#keep-thinking").unchecked_into();
    click(&keep);
    assert!(page.state.with_untracked(|s| s.keep_thinking), "the checkbox reached the page's state");
    click(&find("run-test", "#play"));
    page.play_out(48 + 9);
    redraw().await;
    let frames: usize = attr(&run, "data-frames").parse().expect("a count");
    assert!(frames > 49, "keep thinking added frames: {frames}");
    assert!(attr(&find("run-test", "#chart"), "data-points").parse::<usize>().expect("a count") > 8);

    // The model card: name, parameters and the measured accuracy table of the shipped card.
    let card = find("run-test", "#model-card");
    let text = card.text_content().unwrap_or_default();
    assert!(text.contains("Model card: sudoku4"), "{text}");
    assert!(text.contains("parameters"), "{text}");
    let rows = all("run-test", "#model-card tbody tr");
    assert!(rows.iter().any(|r| r.text_content().unwrap_or_default().contains('%')), "an accuracy row");
}

/// The puzzle panel of a page whose model is bundled model `model_index` (none loaded yet), mounted
/// in a fresh host `id`; the events it sends are collected.
fn mount_puzzle_panel(id: &str, model_index: usize) -> (StoredValue<Vec<PageEvent>, LocalStorage>, impl Sized) {
    let state = RwSignal::new(Playground::new());
    state.update(|s| s.model_index = model_index);
    let state = state.read_only();
    let events = StoredValue::new_local(Vec::<PageEvent>::new());
    let draft = RwSignal::new(starting_draft(0));
    let maze_draft = RwSignal::new(MazeDraft::empty(11));
    let arc_draft = RwSignal::new(ArcDraft::first());
    let choose_model = Callback::new(|_: usize| ());
    let on_event = Callback::new(move |e: PageEvent| events.update_value(|v| v.push(e)));
    let mounted = leptos::mount::mount_to(host(id), move || {
        view! {
            <PuzzlePanel state draft maze_draft arc_draft choose_model on_event>
                <p id="own-slot">"children"</p>
            </PuzzlePanel>
        }
    });
    (events, mounted)
}

#[wasm_bindgen_test]
async fn sudoku_input_keeps_bad_text_and_edits_by_click_and_keys() {
    let (events, _mounted) = mount_puzzle_panel("input-test", 0);
    redraw().await;
    assert!(try_find("input-test", "#own-slot").is_some(), "the panel shows its children");
    assert!(try_find("input-test", "#puzzle-error").is_none());

    // A bad string: the error shows inline, the text stays as typed, the run button is disabled.
    let text: HtmlTextAreaElement = find("input-test", "#puzzle-text").unchecked_into();
    text.set_value("12x4");
    fire(&text, "input");
    redraw().await;
    let error = find("input-test", "#puzzle-error").text_content().unwrap_or_default();
    assert!(!error.is_empty());
    assert_eq!(text.value(), "12x4", "what the user typed is kept");
    assert_eq!(attr(&text, "aria-invalid"), "true");
    assert!(find("input-test", "#run-puzzle").has_attribute("disabled"));

    // A good one: the error goes, the editor shows its givens.
    text.set_value("1...............");
    fire(&text, "input");
    redraw().await;
    assert!(try_find("input-test", "#puzzle-error").is_none(), "the error is gone");
    let cells = all("input-test", "#editor [role=gridcell]");
    assert_eq!(cells.len(), 16);
    assert_eq!(cells[0].text_content().unwrap_or_default().trim(), "1");
    assert!(attr(&cells[0], "class").contains("given"));

    // Click a cell, type a digit; an arrow moves the selection; Delete clears.
    click(&cells[5]);
    redraw().await;
    assert_eq!(attr(&all("input-test", "#editor [role=gridcell]")[5], "aria-selected"), "true");
    let editor = find("input-test", "#editor");
    key(&editor, "3");
    key(&editor, "ArrowRight");
    key(&editor, "4");
    key(&editor, "Delete");
    redraw().await;
    let cells = all("input-test", "#editor [role=gridcell]");
    assert_eq!(cells[5].text_content().unwrap_or_default().trim(), "3");
    assert_eq!(cells[6].text_content().unwrap_or_default().trim(), "", "4 typed, then deleted");
    assert_eq!(text.value(), "1....3..........", "the text box follows the editor");

    // Run: the page is asked to run exactly this puzzle.
    click(&find("input-test", "#run-puzzle"));
    let sent = events.with_value(|v| v.clone());
    let ran = sent.iter().find_map(|e| match e {
        PageEvent::RunPuzzle(PuzzleSource::Sudoku { text, .. }) => Some(text.clone()),
        _ => None,
    });
    assert_eq!(ran.as_deref(), Some("1....3.........."), "events: {sent:?}");
}

#[wasm_bindgen_test]
async fn worker_failure_shows_the_message_and_restarts() {
    let status = RwSignal::new(WorkerStatus::Failed { message: "worker panicked: boom".into(), fatal: true });
    let restarts = StoredValue::new_local(0usize);
    let restart = Callback::new(move |_: ()| {
        restarts.update_value(|n| *n += 1);
        status.set(WorkerStatus::Starting);
    });
    let el = host("worker-test");
    let _mounted = leptos::mount::mount_to(el, move || view! { <WorkerPanel status=status.into() restart /> });
    redraw().await;
    let error = find("worker-test", "#worker-error");
    assert_eq!(attr(&error, "role"), "alert");
    assert!(error.text_content().unwrap_or_default().contains("worker panicked: boom"));
    click(&find("worker-test", "#worker-error button"));
    redraw().await;
    assert_eq!(restarts.get_value(), 1);
    assert!(try_find("worker-test", "#worker-error").is_none(), "the error goes once restarted");
    assert!(try_find("worker-test", "#worker-progress").is_some());
}

#[wasm_bindgen_test]
async fn explainer_names_x_y_z_and_the_halting_head() {
    let el = host("explainer-test");
    let _mounted = leptos::mount::mount_to(el, Explainer);
    redraw().await;
    let section = find("explainer-test", "section");
    assert_eq!(find("explainer-test", "h2").text_content().as_deref(), Some("How TRM thinks"));
    let named: Vec<String> =
        all("explainer-test", "strong").iter().map(|s| s.text_content().unwrap_or_default()).collect();
    assert_eq!(named, ["x", "y", "z", "halting head"], "the terms it explains, in order");
    let text = section.text_content().unwrap_or_default();
    assert!(text.contains("only a probe"), "it says what the decoded scratch paper does not mean: {text}");
}

#[wasm_bindgen_test]
async fn maze_input_edits_by_keys_and_keeps_bad_text() {
    // The maze model's puzzle kind (index 3 of the bundled models).
    let (events, _mounted) = mount_puzzle_panel("maze-test", 3);
    redraw().await;
    assert!(try_find("maze-test", "#editor").is_none(), "the maze editor, not the Sudoku one");
    assert_eq!(all("maze-test", "#maze-editor [role=gridcell]").len(), 121);

    // The first arrow selects the top-left cell; two down and two right reach row 3, column 3.
    let editor = find("maze-test", "#maze-editor");
    for k in ["ArrowRight", "ArrowDown", "ArrowDown", "ArrowRight", "ArrowRight"] {
        key(&editor, k);
    }
    key(&editor, "#");
    redraw().await;
    let cells = all("maze-test", "#maze-editor [role=gridcell]");
    assert_eq!(attr(&cells[2 * 11 + 2], "aria-selected"), "true");
    assert!(attr(&cells[2 * 11 + 2], "class").contains("wall"), "`#` built a wall");
    let text: HtmlTextAreaElement = find("maze-test", "#maze-text").unchecked_into();
    assert_eq!(text.value().lines().nth(2).and_then(|l| l.chars().nth(2)), Some('#'), "{}", text.value());

    // `s` moves the start to the selected cell; the old start opens.
    key(&editor, "s");
    redraw().await;
    let cells = all("maze-test", "#maze-editor [role=gridcell]");
    assert_eq!(cells[2 * 11 + 2].text_content().unwrap_or_default().trim(), "S");
    assert_eq!(cells[11 + 1].text_content().unwrap_or_default().trim(), "", "the old start is open");

    click(&find("maze-test", "#run-puzzle"));
    let ran = events.with_value(|v| {
        v.iter().find_map(|e| match e {
            PageEvent::RunPuzzle(PuzzleSource::Maze { text }) => Some(text.clone()),
            _ => None,
        })
    });
    let ran = ran.expect("the page was asked to run the maze");
    assert_eq!(ran.lines().nth(2).and_then(|l| l.chars().nth(2)), Some('S'), "{ran}");

    // A bad maze text: the error shows, the text stays as typed, nothing runs.
    text.set_value("#S#\n#G");
    fire(&text, "input");
    redraw().await;
    assert!(try_find("maze-test", "#puzzle-error").is_some(), "an inline error");
    assert_eq!(text.value(), "#S#\n#G");
    assert!(find("maze-test", "#run-puzzle").has_attribute("disabled"));
}
