//! The page's side of a run, as plain Rust (tested natively): which request to send after each
//! message, and what to show. The components in [`crate::app`] only render this state.
//!
//! Flow: `Ready` → probe → (probe answered and model fetched) → `LoadModel` → `StartRun` on the
//! bundled sample → `Advance` one refresh at a time while playing (pull: the next request leaves only
//! after the previous one is `Done`, so a click is always handled before the next frame is asked
//! for) → stop at `MaxSteps` or `Halted`.

use crate::app::WorkerStatus;
use crate::engine::{Domain, Frame, FrameKind, ModelInfo, ModelSource, PuzzleSource, Unit};
use crate::protocol::{DoneReason, RunInfo, WorkerInput, WorkerOutput};
use crate::worker_client::WorkerEvent;

/// The bundled 4×4 samples and their solutions (the first line of each is the default run).
pub const SAMPLES_4X4: &str = include_str!("../../assets/puzzles/sudoku/samples/4x4-easy.txt");
pub const SOLUTIONS_4X4: &str = include_str!("../../assets/puzzles/sudoku/samples/4x4-easy.solutions.txt");
/// Where the page fetches the bundled model (relative: works under any sub-path; trunk copies
/// `assets/models` to `models/`).
pub const MODEL_URL: &str = "./models/sudoku4.safetensors";
pub const CARD_URL: &str = "./models/sudoku4.json";

/// The first puzzle line of a file (comments and blank lines skipped).
pub fn first_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Something the page learns.
#[derive(Debug, Clone, PartialEq)]
pub enum PageEvent {
    Worker(WorkerEvent),
    /// The bundled model's bytes (and card) arrived.
    ModelFetched(ModelSource),
    /// Fetching the bundled model failed.
    FetchFailed(String),
    /// The user pressed play or pause.
    TogglePlay,
}

/// Where the model stands.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelStatus {
    Fetching,
    /// Fetched; waiting for the worker.
    Fetched,
    Loading,
    Loaded(Box<ModelInfo>),
    Failed(String),
}

/// What the page knows about the current run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunView {
    pub info: Option<RunInfo>,
    pub frame: Option<Frame>,
    /// Frames received, and one letter per frame: `S` start, `L` latent, `R` refresh, `E` edit.
    pub frames: usize,
    pub kinds: String,
    /// Mean network milliseconds per application over the last request that had any.
    pub ms_per_application: Option<f64>,
    /// Set when the run stopped (max steps or halted).
    pub finished: Option<DoneReason>,
    pub error: Option<String>,
}

/// The page's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Playground {
    pub worker: WorkerStatus,
    pub model: ModelStatus,
    pub run: RunView,
    pub playing: bool,
    /// The model waiting to be sent.
    pending_model: Option<ModelSource>,
    /// The request whose final answer we wait for, if any.
    in_flight: Option<u32>,
    next_id: u32,
}

impl Default for Playground {
    fn default() -> Self {
        Self::new()
    }
}

fn kind_letter(kind: FrameKind) -> char {
    match kind {
        FrameKind::Start => 'S',
        FrameKind::Latent => 'L',
        FrameKind::Refresh => 'R',
        FrameKind::Edit => 'E',
    }
}

impl Playground {
    pub fn new() -> Self {
        Playground {
            worker: WorkerStatus::Starting,
            model: ModelStatus::Fetching,
            run: RunView::default(),
            playing: true,
            pending_model: None,
            in_flight: None,
            next_id: 1,
        }
    }

    /// After a worker restart: the model must be sent again (the caller fetches it again).
    pub fn restarted(&self) -> Self {
        Playground { playing: self.playing, ..Self::new() }
    }

    fn id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        self.in_flight = Some(id);
        id
    }

    fn probe_answered(&self) -> bool {
        matches!(self.worker, WorkerStatus::Answered { .. })
    }

    /// The request that sends the pending model, when the worker is ready for it.
    fn send_model(&mut self) -> Option<WorkerInput> {
        if !self.probe_answered() || self.in_flight.is_some() {
            return None;
        }
        let model = self.pending_model.take()?;
        self.model = ModelStatus::Loading;
        Some(WorkerInput::LoadModel { id: self.id(), model })
    }

    fn start_run(&mut self) -> Option<WorkerInput> {
        let text = first_line(SAMPLES_4X4)?.to_string();
        let solution = first_line(SOLUTIONS_4X4).map(str::to_string);
        self.run = RunView::default();
        Some(WorkerInput::StartRun { id: self.id(), puzzle: PuzzleSource::Sudoku { text, solution } })
    }

    /// The next `Advance`, when playing and nothing is in flight.
    fn next_advance(&mut self) -> Option<WorkerInput> {
        if !self.playing || self.in_flight.is_some() || self.run.finished.is_some() || self.run.info.is_none() {
            return None;
        }
        Some(WorkerInput::Advance {
            id: self.id(),
            unit: Unit::Refresh,
            count: 1,
            stop_on_halt: false,
            keep_thinking: false,
        })
    }

    /// Updates the state for `event` and returns the requests to send.
    pub fn on(&mut self, event: PageEvent) -> Vec<WorkerInput> {
        let mut send = Vec::new();
        match event {
            PageEvent::ModelFetched(model) => {
                self.model = ModelStatus::Fetched;
                self.pending_model = Some(model);
                send.extend(self.send_model());
            }
            PageEvent::FetchFailed(message) => self.model = ModelStatus::Failed(message),
            PageEvent::TogglePlay => {
                self.playing = !self.playing;
                send.extend(self.next_advance());
            }
            PageEvent::Worker(event) => self.on_worker(event, &mut send),
        }
        send
    }

    fn on_worker(&mut self, event: WorkerEvent, send: &mut Vec<WorkerInput>) {
        let output = match event {
            WorkerEvent::Output(output) => output,
            failed @ WorkerEvent::Failed(_) => {
                self.playing = false;
                self.worker = self.worker.next(failed).0;
                return;
            }
        };
        match output {
            WorkerOutput::Ready | WorkerOutput::Probe { .. } => {
                let (next, request) = self.worker.next(WorkerEvent::Output(output));
                self.worker = next;
                send.extend(request);
                send.extend(self.send_model());
            }
            WorkerOutput::Error { id: None, .. } | WorkerOutput::Error { fatal: true, .. } => {
                self.playing = false;
                self.worker = self.worker.next(WorkerEvent::Output(output)).0;
            }
            WorkerOutput::Error { id: Some(id), message, .. } => {
                if self.in_flight == Some(id) {
                    self.in_flight = None;
                }
                self.playing = false;
                match self.model {
                    ModelStatus::Loading => self.model = ModelStatus::Failed(message),
                    _ => self.run.error = Some(message),
                }
            }
            WorkerOutput::ModelLoaded { info, .. } => self.model = ModelStatus::Loaded(Box::new(info)),
            WorkerOutput::RunStarted { run, .. } => self.run.info = Some(run),
            WorkerOutput::Frame { frame, .. } => {
                self.run.frames += 1;
                self.run.kinds.push(kind_letter(frame.kind));
                self.run.frame = Some(*frame);
            }
            WorkerOutput::Done { id, reason, ms_per_application, .. } => {
                if self.in_flight == Some(id) {
                    self.in_flight = None;
                }
                if ms_per_application.is_some() {
                    self.run.ms_per_application = ms_per_application;
                }
                match reason {
                    DoneReason::MaxSteps | DoneReason::Halted => {
                        self.run.finished = Some(reason);
                        self.playing = false;
                    }
                    _ => {}
                }
                if matches!(self.model, ModelStatus::Loaded(_)) && self.run.info.is_none() {
                    send.extend(self.start_run());
                } else {
                    send.extend(self.next_advance());
                }
            }
        }
    }

    /// One line about the run for the page.
    pub fn status_line(&self) -> String {
        if let Some(e) = &self.run.error {
            return e.clone();
        }
        let model = match &self.model {
            ModelStatus::Fetching => return "Fetching the model…".into(),
            ModelStatus::Fetched | ModelStatus::Loading => return "Loading the model…".into(),
            ModelStatus::Failed(m) => return m.clone(),
            ModelStatus::Loaded(info) => info,
        };
        let Some(frame) = &self.run.frame else { return format!("Model {} loaded; starting…", model.name) };
        let place = match frame.kind {
            FrameKind::Start => "start".to_string(),
            FrameKind::Latent => {
                format!("step {}, cycle {}: latent update {}", frame.step, frame.cycle, frame.latent)
            }
            FrameKind::Refresh => format!("step {}, cycle {}: answer refresh", frame.step, frame.cycle),
            FrameKind::Edit => format!("step {}: input edited", frame.step),
        };
        let halt = frame.halt_probability.map(|p| format!(" · halt probability {p:.2}")).unwrap_or_default();
        let speed = self.run.ms_per_application.map(|ms| format!(" · {ms:.2} ms per application")).unwrap_or_default();
        let end = match self.run.finished {
            Some(DoneReason::MaxSteps) => " · done (all supervision steps)",
            Some(DoneReason::Halted) => " · done (the halting head stopped it)",
            _ => "",
        };
        format!("{place}{halt}{speed}{end}")
    }
}

/// The model source for the bundled Sudoku model.
pub fn bundled_model(bytes: Vec<u8>, card: Option<String>) -> ModelSource {
    ModelSource {
        name: "sudoku4".into(),
        bytes,
        card,
        all_config_yaml: None,
        identifiers: None,
        domain: Some(Domain::Sudoku),
        seq_len: Some(16),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Session;

    fn model_bytes() -> (Vec<u8>, String) {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/models/");
        let bytes = std::fs::read(format!("{root}sudoku4.safetensors")).unwrap();
        let card = std::fs::read_to_string(format!("{root}sudoku4.json")).unwrap();
        (bytes, card)
    }

    /// Drives the page state against a real session, as the worker would, until nothing is sent.
    #[test]
    fn page_runs_the_bundled_sample_to_the_end() {
        let mut page = Playground::new();
        let mut session = Session::new();
        let (bytes, card) = model_bytes();
        let mut queue = page.on(PageEvent::ModelFetched(bundled_model(bytes, Some(card))));
        assert!(queue.is_empty(), "nothing is sent before the worker is ready");
        let mut outputs = vec![WorkerOutput::Ready];
        let mut rounds = 0;
        while !outputs.is_empty() || !queue.is_empty() {
            rounds += 1;
            assert!(rounds < 1000);
            for out in std::mem::take(&mut outputs) {
                queue.extend(page.on(PageEvent::Worker(WorkerEvent::Output(out))));
            }
            for input in std::mem::take(&mut queue) {
                outputs.extend(session.handle_all(input, &|| 0.0));
            }
        }
        assert_eq!(page.run.error, None);
        assert_eq!(page.run.finished, Some(DoneReason::MaxSteps));
        // sudoku4: T = 2 cycles of n = 2 latent updates, 8 supervision steps.
        assert_eq!(page.run.kinds, format!("S{}", "LLR".repeat(16)));
        let frame = page.run.frame.as_ref().unwrap();
        assert_eq!(frame.answer_text(), first_line(SOLUTIONS_4X4).unwrap());
        assert!(page.status_line().contains("done"), "{}", page.status_line());
    }

    #[test]
    fn pause_stops_asking_and_play_resumes() {
        let mut page = Playground::new();
        page.model = ModelStatus::Loaded(Box::new(ModelInfo {
            name: "m".into(),
            domain: None,
            supports: vec![],
            parameters: 0,
            config: trm_core::TrmConfig::sudoku_reference(),
            applications_per_step: 0,
            identifiers: 0,
        }));
        page.run.info = Some(RunInfo {
            kind: crate::engine::PuzzleKind::Sudoku { side: 4 },
            rows: 4,
            cols: 4,
            h_cycles: 2,
            l_cycles: 2,
            halt_max_steps: 8,
            solution_known: false,
            history_frames: 16,
            note: None,
        });
        assert!(page.on(PageEvent::TogglePlay).is_empty(), "pausing sends nothing");
        let done = WorkerOutput::Done {
            id: 0,
            reason: DoneReason::Completed,
            frames: 3,
            ms_per_application: Some(1.0),
            steps_done: 0,
            halted: false,
        };
        assert!(page.on(PageEvent::Worker(WorkerEvent::Output(done))).is_empty(), "paused: no next request");
        let resumed = page.on(PageEvent::TogglePlay);
        assert!(matches!(resumed[..], [WorkerInput::Advance { unit: Unit::Refresh, count: 1, .. }]), "{resumed:?}");
    }
}
