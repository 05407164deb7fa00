//! The page's side of a run, as plain Rust (tested natively): which request to send after each
//! event, and what to show. The components in [`crate::app`] only render this state.
//!
//! Flow: `Ready` → probe → (probe answered and the chosen bundled model fetched) → `LoadModel` →
//! `StartRun` on the chosen puzzle → while playing, one `Advance` of one network application per
//! [`PageEvent::Tick`] (the page schedules a tick [`Playground::delay_ms`] after the previous answer,
//! so a click is always handled before the next frame is asked for) → stop at `MaxSteps` (unless
//! keep thinking is on) or `Halted` (when stop-on-halt is on).
//!
//! The page keeps every frame of the run (its timeline). Stepping back and scrubbing only move a
//! cursor over frames already received; stepping forward replays received frames until the cursor
//! is at the end, and only then asks the worker for new ones. A request is sent only when nothing
//! is in flight; outputs of any other request are ignored.

use crate::app::WorkerStatus;
use crate::catalog::{BUNDLED_MODELS, BundledModel, default_source};
use crate::engine::{
    Domain, Frame, FrameKind, ModelInfo, ModelSource, PuzzleKind, PuzzleSource, Unit, VoteCandidate, VoteVersion,
};
use crate::protocol::{DoneReason, RunInfo, WorkerInput, WorkerOutput};
use crate::view_model::chart::Chart;
use crate::worker_client::WorkerEvent;

/// Delays between two frames while playing, slowest first (milliseconds), with their names.
pub const SPEEDS: &[(&str, u32)] = &[("slow", 600), ("normal", 200), ("fast", 50), ("fastest", 0)];
/// The speed a page starts with.
pub const DEFAULT_DELAY_MS: u32 = 50;
/// Frames the page keeps per run at most (the oldest are dropped first).
pub const MAX_TIMELINE: usize = 4000;

/// Something the page learns or the user does.
#[derive(Debug, Clone, PartialEq)]
pub enum PageEvent {
    Worker(WorkerEvent),
    /// The user picked a bundled model (index into [`BUNDLED_MODELS`]); the page fetches it.
    ModelChosen(usize),
    /// A model's bytes (and card) arrived.
    ModelFetched(ModelSource),
    /// The user's own model (read from their files, or restored from the browser's storage): it
    /// replaces the bundled one and runs the puzzle of the moment (kept as it is).
    OwnChosen(ModelSource),
    /// Fetching the model failed.
    FetchFailed(String),
    /// Part of bundled model `name`'s checkpoint arrived: `received` bytes of `total` (when known).
    FetchProgress {
        name: String,
        received: u64,
        total: Option<u64>,
    },
    /// Start a new run on this puzzle (and play it).
    RunPuzzle(PuzzleSource),
    /// Play or pause.
    TogglePlay,
    /// The play timer fired: show the next frame (asking the worker for it at the end).
    Tick,
    /// One network application forward.
    StepApplication,
    /// Forward to (and including) the next answer refresh.
    StepRefresh,
    /// One frame back.
    StepBack,
    /// Show the frame at this position of the timeline.
    Seek(usize),
    /// Start the run over on the same puzzle (paused).
    Reset,
    /// Stop the run in flight: pause, drop pending steps and end the worker's running request.
    Cancel,
    SetKeepThinking(bool),
    SetStopOnHalt(bool),
    /// Delay between frames while playing.
    SetDelay(u32),
    /// Set input cell `cell` of the running puzzle to `symbol` and continue from the frame shown
    /// (later frames are dropped).
    EditCell {
        cell: usize,
        symbol: char,
    },
    /// ARC: vote over this many versions of the task's test input (the original included); the run
    /// pauses and stays as it is. Cancel stops the vote.
    Vote(u32),
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

/// How far a model's download is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Download {
    pub received: u64,
    /// The file's size, when the server says it.
    pub total: Option<u64>,
}

impl Download {
    /// The share that has arrived, when the size is known.
    pub fn fraction(&self) -> Option<f64> {
        self.total.filter(|&t| t > 0).map(|t| (self.received as f64 / t as f64).min(1.0))
    }

    /// "42 % of 2.1 MB", or "1.3 MB" when the size is unknown.
    pub fn describe(&self) -> String {
        let mb = |bytes: u64| bytes as f64 / 1e6;
        match (self.fraction(), self.total) {
            (Some(f), Some(total)) => format!("{:.0} % of {:.1} MB", f * 100.0, mb(total)),
            _ => format!("{:.1} MB", mb(self.received)),
        }
    }
}

/// What the page knows about the current run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunView {
    pub info: Option<RunInfo>,
    /// Every frame received for this run, in timeline order (start frame first).
    pub timeline: Vec<Frame>,
    /// The position shown.
    pub cursor: usize,
    /// Mean network milliseconds per application over the last request that had any.
    pub ms_per_application: Option<f64>,
    /// Set when the run stopped at its end (max steps or halted).
    pub finished: Option<DoneReason>,
    /// What stopped the run (a failed start or step): it goes on only after a reset or a new run.
    pub error: Option<String>,
    /// Why the worker refused the last edit; the run itself is as it was and can go on.
    pub refused_edit: Option<String>,
}

impl RunView {
    /// The frame shown.
    pub fn frame(&self) -> Option<&Frame> {
        self.timeline.get(self.cursor)
    }

    /// True when the cursor is on the newest frame (or there is none).
    pub fn at_end(&self) -> bool {
        self.cursor + 1 >= self.timeline.len()
    }

    /// One letter per frame of the timeline: `S` start, `L` latent, `R` refresh, `E` edit.
    pub fn kinds(&self) -> String {
        self.timeline.iter().map(|f| kind_letter(f.kind)).collect()
    }

    /// The chart of the timeline up to the frame shown.
    pub fn chart(&self) -> Chart {
        let end = (self.cursor + 1).min(self.timeline.len());
        Chart::from_frames(&self.timeline[..end])
    }

    /// Timeline positions of the latent frames of the cycle the shown frame belongs to (the
    /// scratch paper's pages), up to the frame shown; a refresh frame shows the n latent frames that
    /// led to it.
    pub fn cycle_latents(&self) -> Vec<usize> {
        let Some(mut k) = Some(self.cursor).filter(|&c| c < self.timeline.len()) else { return Vec::new() };
        if self.timeline[k].kind == FrameKind::Refresh {
            let Some(before) = k.checked_sub(1) else { return Vec::new() };
            k = before;
        }
        let mut out = Vec::new();
        while self.timeline[k].kind == FrameKind::Latent {
            out.push(k);
            let Some(before) = k.checked_sub(1) else { break };
            k = before;
        }
        out.reverse();
        out
    }

    fn push(&mut self, frame: Frame) {
        if self.timeline.last().is_some_and(|last| frame.index <= last.index) {
            self.timeline.retain(|f| f.index < frame.index);
        }
        self.timeline.push(frame);
        if self.timeline.len() > MAX_TIMELINE {
            let extra = self.timeline.len() - MAX_TIMELINE;
            self.timeline.drain(..extra);
        }
        self.cursor = self.timeline.len() - 1;
    }
}

/// A pass@2 vote over augmented versions of the ARC task, as the page sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VoteView {
    /// Versions asked for.
    pub asked: u32,
    /// Versions in the vote, once the worker has started it.
    pub total: Option<usize>,
    /// Every version finished, in order (each de-augmented back to the original task).
    pub versions: Vec<VoteVersion>,
    /// Set when the vote ended (completed or cancelled).
    pub finished: Option<DoneReason>,
    pub error: Option<String>,
}

impl VoteView {
    /// True while versions are still being run.
    pub fn running(&self) -> bool {
        self.finished.is_none() && self.error.is_none()
    }

    /// The tally after the last version: distinct predictions, best first.
    pub fn candidates(&self) -> &[VoteCandidate] {
        self.versions.last().map_or(&[], |v| &v.candidates[..])
    }

    /// Votes counted (one per finished version).
    pub fn votes(&self) -> usize {
        self.candidates().iter().map(|c| c.votes).sum()
    }

    /// The two attempts: the two best-ranked predictions (fewer while there are fewer).
    pub fn attempts(&self) -> &[VoteCandidate] {
        let c = self.candidates();
        &c[..c.len().min(2)]
    }

    /// One line for the page.
    pub fn status(&self) -> String {
        let total = self.total.map_or_else(|| self.asked.to_string(), |t| t.to_string());
        let done = self.versions.len();
        let state = match (&self.error, self.finished) {
            (Some(e), _) => format!(" · failed: {e}"),
            (None, Some(DoneReason::Completed)) => " · done".to_string(),
            (None, Some(DoneReason::Cancelled | DoneReason::Interrupted)) => " · stopped".to_string(),
            (None, _) => " · running…".to_string(),
        };
        format!(
            "{done} of {total} versions run · {} votes for {} distinct prediction(s){state}",
            self.votes(),
            self.candidates().len()
        )
    }
}

/// The page's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Playground {
    pub worker: WorkerStatus,
    pub model: ModelStatus,
    /// The bundled model chosen (index into [`BUNDLED_MODELS`]); with an own model, the puzzle
    /// type (its samples and size) the page offers.
    pub model_index: usize,
    /// The user's own model (its name), when that is the current model instead of the bundled one.
    pub own: Option<String>,
    /// The chosen model's card (JSON), once fetched.
    pub card: Option<String>,
    /// How much of the bundled model's checkpoint has arrived, while it is fetched.
    pub download: Option<Download>,
    /// The puzzle of the current (or next) run.
    pub puzzle: Option<PuzzleSource>,
    pub run: RunView,
    /// The ARC vote of this puzzle, when one was asked for.
    pub vote: Option<VoteView>,
    pub playing: bool,
    pub keep_thinking: bool,
    pub stop_on_halt: bool,
    /// Delay between frames while playing.
    pub delay_ms: u32,
    /// A run must be started when the model is ready.
    need_start: bool,
    /// A step the user asked for, sent when nothing is in flight.
    pending_step: Option<Unit>,
    /// An edit of the running puzzle, sent when nothing is in flight (after a seek to the frame
    /// shown, when that is not the newest).
    pending_edit: Option<(usize, char)>,
    /// The model waiting to be sent.
    pending_model: Option<ModelSource>,
    /// A vote asked for (versions), sent when nothing is in flight.
    pending_vote: Option<u32>,
    /// The request id of the vote in flight.
    vote_id: Option<u32>,
    /// The request id of the edit in flight: its refusal (a symbol or cell the puzzle cannot
    /// take) leaves the run as it was, able to go on.
    edit_id: Option<u32>,
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

/// True when `puzzle` is of `kind` (domain and size); ARC tasks fit any ARC canvas.
pub fn fits(puzzle: &PuzzleSource, kind: PuzzleKind) -> bool {
    match (puzzle, kind) {
        (PuzzleSource::Sudoku { text, .. }, PuzzleKind::Sudoku { side }) => {
            trm_puzzles::Sudoku::parse(text).is_ok_and(|s| s.side() == side)
        }
        (PuzzleSource::Maze { text }, PuzzleKind::Maze { side }) => {
            trm_puzzles::Maze::parse(text.trim_matches(['\n', '\r'])).is_ok_and(|m| m.side() == side)
        }
        (PuzzleSource::Arc { .. }, kind) => kind.domain() == Domain::Arc,
        _ => false,
    }
}

/// True when a frame closes a supervision step whose halting head says "done".
pub fn halts_here(frame: &Frame) -> bool {
    frame.ends_step && frame.halt_probability.is_some_and(|p| p > 0.5)
}

impl Playground {
    /// A page that will run the first bundled model on its first sample.
    pub fn new() -> Self {
        let puzzle = BUNDLED_MODELS.first().and_then(|m| default_source(m.kind));
        Playground {
            worker: WorkerStatus::Starting,
            model: ModelStatus::Fetching,
            model_index: 0,
            own: None,
            card: None,
            download: None,
            puzzle,
            run: RunView::default(),
            vote: None,
            playing: true,
            keep_thinking: false,
            stop_on_halt: false,
            delay_ms: DEFAULT_DELAY_MS,
            need_start: true,
            pending_step: None,
            pending_edit: None,
            pending_model: None,
            pending_vote: None,
            vote_id: None,
            in_flight: None,
            edit_id: None,
            next_id: 1,
        }
    }

    /// After a worker restart: the model must be fetched and sent again, and the run restarted;
    /// the choices (model, puzzle, settings) stay.
    pub fn restarted(&self) -> Self {
        Playground {
            model_index: self.model_index,
            own: self.own.clone(),
            puzzle: self.puzzle.clone(),
            playing: true,
            keep_thinking: self.keep_thinking,
            stop_on_halt: self.stop_on_halt,
            delay_ms: self.delay_ms,
            ..Self::new()
        }
    }

    /// The chosen bundled model.
    pub fn bundled(&self) -> Option<&'static BundledModel> {
        BUNDLED_MODELS.get(self.model_index)
    }

    /// The puzzle kind the page prepares puzzles for: the loaded model's (the puzzle type chosen
    /// when the model runs it, else the first kind it supports), else the chosen bundled model's.
    pub fn puzzle_kind(&self) -> PuzzleKind {
        let chosen = self.bundled().map_or(PuzzleKind::Sudoku { side: 4 }, |m| m.kind);
        match &self.model {
            ModelStatus::Loaded(info) if !info.supports.contains(&chosen) => {
                info.supports.first().copied().unwrap_or(chosen)
            }
            _ => chosen,
        }
    }

    /// The name of the current model: the user's own, else the bundled one.
    pub fn model_name(&self) -> Option<&str> {
        match &self.own {
            Some(name) => Some(name),
            None => self.bundled().map(|m| m.name),
        }
    }

    /// True while a request is waiting for its answer.
    pub fn busy(&self) -> bool {
        self.in_flight.is_some()
            || self.pending_model.is_some()
            || self.pending_step.is_some()
            || self.pending_edit.is_some()
            || self.pending_vote.is_some()
    }

    /// True when more frames can be asked for at the end of the timeline.
    pub fn can_advance(&self) -> bool {
        self.run.info.is_some()
            && self.run.error.is_none()
            && !self.need_start
            && (self.keep_thinking || self.run.finished != Some(DoneReason::MaxSteps))
    }

    /// True when the page should send a [`PageEvent::Tick`] in [`Playground::delay_ms`].
    pub fn wants_tick(&self) -> bool {
        self.playing
            && self.in_flight.is_none()
            && self.run.info.is_some()
            && !self.need_start
            && (!self.run.at_end() || self.can_advance())
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

    fn advance(&mut self, unit: Unit) -> WorkerInput {
        WorkerInput::Advance {
            id: self.id(),
            unit,
            count: 1,
            stop_on_halt: self.stop_on_halt,
            keep_thinking: self.keep_thinking,
        }
    }

    /// The next request, when nothing is in flight: the pending model, then a run start, then a
    /// pending step.
    fn next_request(&mut self) -> Option<WorkerInput> {
        if !self.probe_answered() || self.in_flight.is_some() {
            return None;
        }
        if let Some(model) = self.pending_model.take() {
            self.model = ModelStatus::Loading;
            return Some(WorkerInput::LoadModel { id: self.id(), model });
        }
        if !matches!(self.model, ModelStatus::Loaded(_)) {
            return None;
        }
        if self.need_start
            && let Some(puzzle) = self.puzzle.clone()
        {
            self.need_start = false;
            self.pending_step = None;
            self.pending_edit = None;
            self.pending_vote = None;
            self.vote = None;
            self.run = RunView::default();
            return Some(WorkerInput::StartRun { id: self.id(), puzzle });
        }
        if let Some(versions) = self.pending_vote.take()
            && let Some(puzzle) = self.puzzle.clone()
        {
            let id = self.id();
            self.vote_id = Some(id);
            return Some(WorkerInput::Vote { id, puzzle, versions });
        }
        if let Some((cell, symbol)) = self.pending_edit {
            if self.run.info.is_none() || self.run.error.is_some() {
                self.pending_edit = None;
                return None;
            }
            // The worker continues from its newest frame: go back to the one shown first.
            if !self.run.at_end()
                && let Some(index) = self.run.frame().map(|f| f.index)
            {
                return Some(WorkerInput::Seek { id: self.id(), index });
            }
            self.pending_edit = None;
            self.run.finished = None;
            let id = self.id();
            self.edit_id = Some(id);
            return Some(WorkerInput::EditCell { id, cell, symbol });
        }
        let unit = self.pending_step.take()?;
        self.can_advance().then(|| self.advance(unit))
    }

    /// Forgets the vote; one in flight is cancelled (its answers are then ignored).
    fn drop_vote(&mut self, send: &mut Vec<WorkerInput>) {
        self.pending_vote = None;
        self.vote = None;
        if self.vote_id.take().is_some() && self.in_flight.is_some() {
            send.push(WorkerInput::Cancel { id: self.id() });
        }
    }

    /// Updates the state for `event` and returns the requests to send.
    pub fn on(&mut self, event: PageEvent) -> Vec<WorkerInput> {
        let mut send = Vec::new();
        match event {
            PageEvent::Worker(event) => {
                self.on_worker(event, &mut send);
                return send;
            }
            PageEvent::ModelChosen(index) => {
                let Some(model) = BUNDLED_MODELS.get(index) else { return send };
                let same_size = index == self.model_index;
                if same_size && self.own.is_none() && !matches!(self.model, ModelStatus::Failed(_)) {
                    return send;
                }
                self.drop_vote(&mut send);
                self.model_index = index;
                self.own = None;
                self.model = ModelStatus::Fetching;
                self.card = None;
                self.download = None;
                self.pending_model = None;
                self.pending_step = None;
                self.run = RunView::default();
                // Back from an own model to the bundled one of the same size: the puzzle stays.
                if !same_size || self.puzzle.is_none() {
                    self.puzzle = default_source(model.kind);
                }
                // Back from an own maze model: its maze cannot run on a Sudoku model.
                if self.puzzle.as_ref().is_some_and(|p| !fits(p, model.kind)) {
                    self.puzzle = default_source(model.kind);
                }
                self.need_start = true;
                self.playing = true;
            }
            PageEvent::ModelFetched(model) => {
                // A late answer for a model the user has since switched away from.
                if self.own.is_some() || self.bundled().is_none_or(|b| b.name != model.name) {
                    return send;
                }
                self.model = ModelStatus::Fetched;
                self.card = model.card.clone();
                self.download = None;
                self.pending_model = Some(model);
            }
            PageEvent::FetchProgress { name, received, total } => {
                // Only the download of the bundled model the page is still waiting for.
                if self.own.is_none()
                    && self.model == ModelStatus::Fetching
                    && self.bundled().is_some_and(|b| b.name == name)
                {
                    self.download = Some(Download { received, total });
                }
            }
            PageEvent::OwnChosen(model) => {
                self.drop_vote(&mut send);
                self.own = Some(model.name.clone());
                self.download = None;
                self.model = ModelStatus::Fetched;
                self.card = model.card.clone();
                self.pending_model = Some(model);
                self.pending_step = None;
                self.pending_edit = None;
                self.run = RunView::default();
                self.need_start = true;
                self.playing = true;
            }
            PageEvent::FetchFailed(message) => {
                // A bundled model's fetch failing after the user switched to their own is moot.
                if self.own.is_none() {
                    self.model = ModelStatus::Failed(message);
                    self.download = None;
                }
            }
            PageEvent::RunPuzzle(puzzle) => {
                self.drop_vote(&mut send);
                self.puzzle = Some(puzzle);
                self.need_start = true;
                self.playing = true;
                self.run.error = None;
            }
            PageEvent::TogglePlay => {
                if self.playing {
                    self.playing = false;
                } else {
                    self.playing = !self.run.at_end() || self.can_advance();
                }
            }
            PageEvent::Tick => {
                if !self.playing {
                    return send;
                }
                if !self.run.at_end() {
                    self.run.cursor += 1;
                    if self.stop_on_halt && self.run.frame().is_some_and(halts_here) {
                        self.playing = false;
                    }
                } else if self.in_flight.is_none() && self.probe_answered() && !self.need_start {
                    // (While a model is switched in and its run waits to start, a late tick changes nothing.)
                    if self.can_advance() {
                        send.push(self.advance(Unit::Application));
                    } else {
                        self.playing = false;
                    }
                }
                return send;
            }
            PageEvent::StepApplication => {
                self.playing = false;
                if !self.run.at_end() {
                    self.run.cursor += 1;
                } else {
                    self.pending_step = Some(Unit::Application);
                }
            }
            PageEvent::StepRefresh => {
                self.playing = false;
                let next =
                    self.run.timeline.iter().skip(self.run.cursor + 1).position(|f| f.kind == FrameKind::Refresh);
                match next {
                    Some(offset) => self.run.cursor += offset + 1,
                    None => {
                        self.run.cursor = self.run.timeline.len().saturating_sub(1);
                        self.pending_step = Some(Unit::Refresh);
                    }
                }
            }
            PageEvent::StepBack => {
                self.playing = false;
                self.run.cursor = self.run.cursor.saturating_sub(1);
            }
            PageEvent::Seek(position) => {
                self.playing = false;
                self.run.cursor = position.min(self.run.timeline.len().saturating_sub(1));
            }
            PageEvent::Reset => {
                self.drop_vote(&mut send);
                self.playing = false;
                self.need_start = true;
                self.run.error = None;
            }
            PageEvent::Cancel => {
                self.playing = false;
                self.pending_step = None;
                self.pending_edit = None;
                if self.pending_vote.take().is_some() || self.vote_id.take().is_some() {
                    if let Some(vote) = self.vote.as_mut().filter(|v| v.running()) {
                        vote.finished = Some(DoneReason::Cancelled);
                    }
                } else if self.run.info.is_some() {
                    self.run.finished = Some(DoneReason::Cancelled);
                }
                // The worker ends the running request (its answer is then ignored) and answers
                // the cancel itself, which is what the page waits for.
                if self.in_flight.is_some() {
                    send.push(WorkerInput::Cancel { id: self.id() });
                }
                return send;
            }
            PageEvent::SetKeepThinking(on) => self.keep_thinking = on,
            PageEvent::SetStopOnHalt(on) => self.stop_on_halt = on,
            PageEvent::SetDelay(ms) => self.delay_ms = ms,
            PageEvent::EditCell { cell, symbol } => {
                self.playing = false;
                self.pending_step = None;
                self.pending_edit = Some((cell, symbol));
            }
            PageEvent::Vote(versions) => {
                let arc = matches!(self.puzzle, Some(PuzzleSource::Arc { .. }));
                if !arc || self.run.info.is_none() || self.vote.as_ref().is_some_and(VoteView::running) {
                    return send;
                }
                self.playing = false;
                self.pending_step = None;
                self.vote = Some(VoteView { asked: versions, ..VoteView::default() });
                self.pending_vote = Some(versions);
            }
        }
        send.extend(self.next_request());
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
        let flight = self.in_flight;
        let current = |id: u32| flight == Some(id);
        match output {
            WorkerOutput::Ready | WorkerOutput::Probe { .. } => {
                let (next, request) = self.worker.next(WorkerEvent::Output(output));
                self.worker = next;
                send.extend(request);
            }
            WorkerOutput::Error { id: None, .. } | WorkerOutput::Error { fatal: true, .. } => {
                self.playing = false;
                self.worker = self.worker.next(WorkerEvent::Output(output)).0;
                return;
            }
            WorkerOutput::Error { id: Some(id), message, .. } => {
                if !current(id) {
                    return;
                }
                self.in_flight = None;
                self.playing = false;
                if self.edit_id.take() == Some(id) {
                    // A refused edit: shown until the next frame, and the run can go on.
                    self.run.refused_edit = Some(message);
                    return;
                }
                if self.vote_id.take() == Some(id) {
                    if let Some(vote) = self.vote.as_mut() {
                        vote.error = Some(message);
                    }
                    send.extend(self.next_request());
                    return;
                }
                match self.model {
                    ModelStatus::Loading => self.model = ModelStatus::Failed(message),
                    _ => self.run.error = Some(message),
                }
            }
            WorkerOutput::ModelLoaded { id, info } => {
                if current(id) {
                    self.model = ModelStatus::Loaded(Box::new(info));
                    // An own model of another puzzle type (a maze model after a Sudoku): its first
                    // sample replaces a puzzle it cannot run.
                    let kind = self.puzzle_kind();
                    if self.puzzle.as_ref().is_some_and(|p| !fits(p, kind))
                        && let Some(sample) = default_source(kind)
                    {
                        self.puzzle = Some(sample);
                    }
                }
                return;
            }
            WorkerOutput::RunStarted { id, run } => {
                if current(id) {
                    self.run.info = Some(run);
                }
                return;
            }
            WorkerOutput::Frame { id, frame } => {
                if current(id) {
                    // The run went on: a refused edit is in the past.
                    self.run.refused_edit = None;
                    self.run.finished = None;
                    self.run.push(*frame);
                }
                return;
            }
            WorkerOutput::VoteStarted { id, versions } => {
                if current(id)
                    && let Some(vote) = self.vote.as_mut()
                {
                    vote.total = Some(versions);
                }
                return;
            }
            WorkerOutput::VoteVersion { id, version } => {
                if current(id)
                    && let Some(vote) = self.vote.as_mut()
                {
                    vote.versions.push(*version);
                }
                return;
            }
            WorkerOutput::Done { id, reason, ms_per_application, .. } => {
                if !current(id) {
                    return;
                }
                self.in_flight = None;
                self.edit_id = None;
                if self.vote_id.take() == Some(id) {
                    if let Some(vote) = self.vote.as_mut() {
                        vote.finished = Some(reason);
                    }
                    send.extend(self.next_request());
                    return;
                }
                if ms_per_application.is_some() {
                    self.run.ms_per_application = ms_per_application;
                }
                if let DoneReason::MaxSteps | DoneReason::Halted = reason {
                    self.run.finished = Some(reason);
                    self.playing = false;
                }
            }
        }
        send.extend(self.next_request());
    }

    /// Seconds until the last trained supervision step at the measured network speed plus the
    /// play delay (`None` before a speed is measured, or when the run is past that step).
    pub fn seconds_left(&self) -> Option<f64> {
        let info = self.run.info.as_ref()?;
        let ms = self.run.ms_per_application?;
        let per_step = info.h_cycles * (info.l_cycles + 1);
        let last = self.run.timeline.last()?.index as usize;
        let left = (info.halt_max_steps * per_step).checked_sub(last).filter(|&n| n > 0)?;
        Some(left as f64 * (ms + f64::from(self.delay_ms)) / 1000.0)
    }

    /// The share of the bundled model's checkpoint that has arrived, while it is fetched and its size
    /// is known (the page's progress bar).
    pub fn download_fraction(&self) -> Option<f64> {
        self.download.filter(|_| self.model == ModelStatus::Fetching).and_then(|d| d.fraction())
    }

    /// One line about the run for the page.
    pub fn status_line(&self) -> String {
        if let Some(e) = &self.run.error {
            return e.clone();
        }
        let model = match &self.model {
            ModelStatus::Fetching => {
                return match &self.download {
                    Some(download) => format!("Fetching the model… {}", download.describe()),
                    None => "Fetching the model…".into(),
                };
            }
            ModelStatus::Fetched | ModelStatus::Loading => return "Loading the model…".into(),
            ModelStatus::Failed(m) => return m.clone(),
            ModelStatus::Loaded(info) => info,
        };
        let Some(frame) = self.run.frame() else { return format!("Model {} loaded; starting…", model.name) };
        let place = match frame.kind {
            FrameKind::Start => "start (before any network application)".to_string(),
            FrameKind::Latent => {
                format!("step {}, cycle {}: latent update {} of z", frame.step, frame.cycle, frame.latent)
            }
            FrameKind::Refresh => format!("step {}, cycle {}: answer refresh of y", frame.step, frame.cycle),
            FrameKind::Edit => format!("step {}: input edited", frame.step),
        };
        let position = format!(" · frame {} of {}", self.run.cursor + 1, self.run.timeline.len());
        let halt = frame.halt_probability.map(|p| format!(" · halt probability {p:.2}")).unwrap_or_default();
        let speed = self.run.ms_per_application.map(|ms| format!(" · {ms:.2} ms per application")).unwrap_or_default();
        let end = match (self.run.at_end(), self.run.finished) {
            (true, Some(DoneReason::MaxSteps)) if self.keep_thinking => {
                " · done (all supervision steps; play to keep thinking)"
            }
            (true, Some(DoneReason::MaxSteps)) => " · done (all supervision steps; tick \"keep thinking\" to go on)",
            (true, Some(DoneReason::Halted)) => " · done (the halting head stopped it)",
            (_, Some(DoneReason::Cancelled)) => " · cancelled (play to go on)",
            _ => "",
        };
        let left = match self.seconds_left() {
            Some(secs) if self.playing => format!(" · about {secs:.1} s to the last trained step"),
            _ => String::new(),
        };
        format!("{place}{position}{halt}{speed}{left}{end}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Session;

    fn model_source(index: usize) -> ModelSource {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/models/");
        let m = BUNDLED_MODELS[index];
        let bytes = std::fs::read(format!("{root}{}.safetensors", m.name)).unwrap();
        let card = std::fs::read_to_string(format!("{root}{}.json", m.name)).unwrap();
        m.source(bytes, Some(card))
    }

    /// A page and a worker session talking to each other.
    struct Harness {
        page: Playground,
        session: Session,
        queue: Vec<WorkerInput>,
        outputs: Vec<WorkerOutput>,
        ticks: usize,
    }

    impl Harness {
        fn new() -> Self {
            Harness {
                page: Playground::new(),
                session: Session::new(),
                queue: Vec::new(),
                outputs: vec![WorkerOutput::Ready],
                ticks: 0,
            }
        }

        fn event(&mut self, e: PageEvent) {
            let sent = self.page.on(e);
            self.queue.extend(sent);
        }

        /// Delivers messages until nothing moves; ticks while the page wants them (at most `max_ticks`).
        fn settle(&mut self, max_ticks: usize) {
            let mut rounds = 0;
            loop {
                rounds += 1;
                assert!(rounds < 10_000);
                if self.outputs.is_empty() && self.queue.is_empty() {
                    if self.page.wants_tick() && self.ticks < max_ticks {
                        self.ticks += 1;
                        self.event(PageEvent::Tick);
                        continue;
                    }
                    break;
                }
                for out in std::mem::take(&mut self.outputs) {
                    self.event(PageEvent::Worker(WorkerEvent::Output(out)));
                }
                for input in std::mem::take(&mut self.queue) {
                    self.outputs.extend(self.session.handle_all(input, &|| 0.0));
                }
            }
        }
    }

    fn solution_of(page: &Playground) -> String {
        match &page.puzzle {
            Some(PuzzleSource::Sudoku { solution: Some(s), .. }) => s.clone(),
            other => panic!("no known solution: {other:?}"),
        }
    }

    #[test]
    fn page_runs_the_bundled_sample_to_the_end() {
        let mut h = Harness::new();
        h.event(PageEvent::ModelFetched(model_source(0)));
        assert!(h.queue.is_empty(), "nothing is sent before the worker is ready");
        h.settle(usize::MAX);
        let page = &h.page;
        assert_eq!(page.run.error, None);
        assert_eq!(page.run.finished, Some(DoneReason::MaxSteps));
        assert!(!page.playing && !page.wants_tick());
        // sudoku4: T = 2 cycles of n = 2 latent updates, 8 supervision steps.
        assert_eq!(page.run.kinds(), format!("S{}", "LLR".repeat(16)));
        assert_eq!(h.ticks, 48, "one tick per network application");
        assert_eq!(page.run.frame().unwrap().answer_text(), solution_of(page));
        assert!(page.status_line().contains("done"), "{}", page.status_line());
        assert_eq!(page.run.chart().points().len(), 8, "one chart point per supervision step");
    }

    #[test]
    fn steps_scrubbing_and_replay() {
        let mut h = Harness::new();
        h.event(PageEvent::TogglePlay);
        assert!(!h.page.playing);
        h.event(PageEvent::ModelFetched(model_source(0)));
        h.settle(usize::MAX);
        assert_eq!(h.page.run.kinds(), "S", "paused: only the start frame");
        h.event(PageEvent::StepApplication);
        h.settle(0);
        assert_eq!(h.page.run.kinds(), "SL");
        h.event(PageEvent::StepRefresh);
        h.settle(0);
        assert_eq!(h.page.run.kinds(), "SLLR");
        assert_eq!(h.page.run.cycle_latents().len(), 2, "a refresh shows the n latent frames before it");
        h.event(PageEvent::StepRefresh);
        h.settle(0);
        assert_eq!(h.page.run.kinds(), "SLLRLLR");
        assert_eq!(h.page.run.chart().points().len(), 1, "T = 2 refreshes end step 1");
        // The estimate: 48 − 6 applications left, at the measured speed plus the play delay.
        h.page.run.ms_per_application = Some(2.0);
        let want = 42.0 * (2.0 + f64::from(h.page.delay_ms)) / 1000.0;
        assert!((h.page.seconds_left().unwrap() - want).abs() < 1e-9);
        // Back and forth over received frames sends nothing.
        h.event(PageEvent::StepBack);
        assert!(h.queue.is_empty());
        assert_eq!(h.page.run.cursor, 5);
        assert_eq!(h.page.run.chart().points().len(), 0, "the chart follows the cursor");
        h.event(PageEvent::Seek(1));
        assert_eq!(h.page.run.frame().unwrap().kind, FrameKind::Latent);
        h.event(PageEvent::StepRefresh);
        assert!(h.queue.is_empty(), "the next refresh was already received");
        assert_eq!(h.page.run.cursor, 3);
        h.event(PageEvent::Seek(99));
        assert_eq!(h.page.run.cursor, 6);
        // Playing from a past position replays, then asks for more at the end.
        h.event(PageEvent::Seek(0));
        h.event(PageEvent::TogglePlay);
        assert!(h.page.wants_tick());
        h.event(PageEvent::Tick);
        assert!(h.queue.is_empty(), "replayed");
        h.settle(10);
        // The tick above and five of these replay frames 1 to 6; the other five ask for new frames.
        assert_eq!(h.page.run.timeline.len(), 7 + 5);
        // Reset starts over, paused.
        h.event(PageEvent::Reset);
        h.settle(usize::MAX);
        assert_eq!(h.page.run.kinds(), "S");
        assert!(!h.page.playing);
    }

    #[test]
    fn cancel_ends_the_request_in_flight_and_stops_playing() {
        let mut h = Harness::new();
        h.event(PageEvent::ModelFetched(model_source(0)));
        h.settle(5);
        assert!(h.page.playing);
        // A tick asks for the next application; cancel before its answer arrives.
        h.event(PageEvent::Tick);
        let asked = h.queue.clone();
        assert!(matches!(asked.as_slice(), [WorkerInput::Advance { .. }]), "{asked:?}");
        let frames = h.page.run.timeline.len();
        h.event(PageEvent::Cancel);
        assert!(matches!(h.queue.last(), Some(WorkerInput::Cancel { .. })), "{:?}", h.queue);
        assert!(!h.page.playing && h.page.busy());
        h.settle(usize::MAX);
        assert!(!h.page.busy() && !h.page.wants_tick(), "the cancel is answered; nothing more is asked for");
        assert_eq!(h.page.run.finished, Some(DoneReason::Cancelled));
        assert!(h.page.run.timeline.len() <= frames + 1, "at most the frame already asked for arrives");
        assert!(h.page.status_line().contains("cancelled"), "{}", h.page.status_line());
        // Play goes on from there.
        h.event(PageEvent::TogglePlay);
        assert!(h.page.playing);
        h.settle(h.ticks + 3);
        assert!(h.page.run.timeline.len() > frames + 1);
        assert_eq!(h.page.run.finished, None);
        // Cancel with nothing in flight only pauses.
        h.event(PageEvent::Cancel);
        assert!(h.queue.is_empty() && !h.page.playing);
    }

    #[test]
    fn keep_thinking_and_stop_on_halt() {
        let mut h = Harness::new();
        h.event(PageEvent::ModelFetched(model_source(0)));
        h.settle(usize::MAX);
        let frames = h.page.run.timeline.len();
        assert_eq!(h.page.run.finished, Some(DoneReason::MaxSteps));
        h.event(PageEvent::TogglePlay);
        assert!(!h.page.playing, "nothing more to play without keep thinking");
        h.event(PageEvent::SetKeepThinking(true));
        h.event(PageEvent::TogglePlay);
        assert!(h.page.playing);
        let ticks = h.ticks;
        h.settle(ticks + 6);
        assert_eq!(h.page.run.timeline.len(), frames + 6, "keep thinking adds a supervision step");
        assert_eq!(h.page.run.chart().points().len(), 9);
        // The solved sample: the halting head says done, so stop-on-halt ends the run at a step end.
        h.event(PageEvent::SetStopOnHalt(true));
        h.settle(usize::MAX);
        assert_eq!(h.page.run.finished, Some(DoneReason::Halted));
        assert!(halts_here(h.page.run.frame().unwrap()));
        assert!(!h.page.playing);
    }

    #[test]
    fn switching_models_ignores_late_answers_and_runs_the_new_size() {
        let mut h = Harness::new();
        h.event(PageEvent::ModelFetched(model_source(0)));
        h.settle(3);
        h.event(PageEvent::ModelChosen(1));
        assert_eq!(h.page.model, ModelStatus::Fetching);
        assert!(h.page.run.timeline.is_empty());
        // The old model's fetch answering late is ignored.
        h.event(PageEvent::ModelFetched(model_source(0)));
        assert_eq!(h.page.model, ModelStatus::Fetching);
        h.event(PageEvent::ModelFetched(model_source(1)));
        h.settle(usize::MAX);
        assert_eq!(h.page.run.error, None);
        let info = h.page.run.info.as_ref().unwrap();
        assert_eq!((info.rows, info.cols), (6, 6));
        // sudoku6: T = 2, n = 3, 12 steps.
        assert_eq!(h.page.run.kinds(), format!("S{}", "LLLR".repeat(24)));
        assert_eq!(h.page.run.chart().points().len(), 12);
        assert!(h.page.card.as_deref().unwrap().contains("\"sudoku6\""));
    }

    #[test]
    fn the_model_download_shows_its_progress_and_ignores_other_downloads() {
        let mut h = Harness::new();
        assert_eq!(h.page.status_line(), "Fetching the model…");
        let first = BUNDLED_MODELS[0].name.to_string();
        let progress = |name: &str, received, total| PageEvent::FetchProgress { name: name.into(), received, total };
        h.event(progress(&first, 0, Some(2_000_000)));
        assert_eq!(h.page.status_line(), "Fetching the model… 0 % of 2.0 MB");
        h.event(progress(&first, 840_000, Some(2_000_000)));
        assert_eq!(h.page.download.and_then(|d| d.fraction()), Some(0.42));
        assert_eq!(h.page.status_line(), "Fetching the model… 42 % of 2.0 MB");
        // Without a size, the bytes so far.
        h.event(progress(&first, 1_300_000, None));
        assert_eq!(h.page.status_line(), "Fetching the model… 1.3 MB");
        // Another model's download (one the user switched away from) changes nothing.
        h.event(progress(BUNDLED_MODELS[1].name, 10, Some(20)));
        assert_eq!(h.page.status_line(), "Fetching the model… 1.3 MB");
        // Once the bytes are in, the progress is gone, and a late progress event cannot bring it back.
        h.event(PageEvent::ModelFetched(model_source(0)));
        assert_eq!(h.page.download, None);
        h.event(progress(&first, 2_000_000, Some(2_000_000)));
        assert_eq!(h.page.download, None);
        // A new choice starts from no progress.
        h.event(PageEvent::ModelChosen(1));
        assert_eq!(h.page.download, None);
        h.event(progress(BUNDLED_MODELS[1].name, 5, Some(10)));
        assert_eq!(h.page.status_line(), "Fetching the model… 50 % of 0.0 MB");
        h.event(PageEvent::FetchFailed("HTTP 404".into()));
        assert_eq!((h.page.download, h.page.status_line()), (None, "HTTP 404".to_string()));
    }

    #[test]
    fn bad_puzzles_and_worker_failures_are_reported() {
        let mut h = Harness::new();
        h.event(PageEvent::ModelFetched(model_source(0)));
        h.settle(0);
        h.event(PageEvent::RunPuzzle(PuzzleSource::Sudoku { text: "12".into(), solution: None }));
        h.settle(usize::MAX);
        let e = h.page.run.error.clone().unwrap();
        assert!(e.contains("invalid puzzle"), "{e}");
        assert_eq!(h.page.status_line(), e);
        assert!(!h.page.playing && !h.page.wants_tick());
        h.event(PageEvent::Worker(WorkerEvent::Failed("the worker stopped: boom".into())));
        assert!(matches!(h.page.worker, WorkerStatus::Failed { fatal: true, .. }));
        let again = h.page.restarted();
        assert_eq!(again.model_index, h.page.model_index);
        assert_eq!(again.puzzle, h.page.puzzle);
        assert_eq!(again.model, ModelStatus::Fetching);
    }

    #[test]
    fn editing_mid_run_continues_from_the_frame_shown() {
        let mut h = Harness::new();
        h.event(PageEvent::TogglePlay);
        h.event(PageEvent::ModelFetched(model_source(0)));
        h.settle(0);
        for _ in 0..3 {
            h.event(PageEvent::StepRefresh);
            h.settle(0);
        }
        assert_eq!(h.page.run.kinds(), "SLLRLLRLLR");
        // Back to the second refresh, then edit an empty input cell: later frames go, an edit frame
        // replaces the one shown, and the run continues from it with the new input.
        h.event(PageEvent::Seek(6));
        let input = h.page.run.frame().unwrap().input.clone();
        let cell = input.iter().position(|&b| b == b'.').unwrap();
        let answer = h.page.run.frame().unwrap().answer[cell];
        let symbol = char::from(answer);
        h.event(PageEvent::EditCell { cell, symbol });
        assert!(matches!(h.queue[..], [WorkerInput::Seek { index: 6, .. }]), "{:?}", h.queue);
        h.settle(0);
        assert_eq!(h.page.run.kinds(), "SLLRLLE");
        let edited = h.page.run.frame().unwrap();
        assert_eq!(edited.input[cell], answer);
        assert_eq!(h.page.run.cursor, 6);
        assert_eq!(h.page.run.error, None);
        h.event(PageEvent::StepRefresh);
        h.settle(0);
        assert_eq!(h.page.run.kinds(), "SLLRLLELLR");
        assert_eq!(h.page.run.frame().unwrap().input[cell], answer, "the edit holds for later frames");
        // A symbol the puzzle cannot take is the worker's error, shown on the page.
        h.event(PageEvent::EditCell { cell, symbol: '7' });
        h.settle(0);
        let refused = h.page.run.refused_edit.clone().unwrap_or_default();
        assert!(refused.contains("'7'"), "{refused:?}");
        assert_eq!(h.page.run.error, None, "a refused edit does not stop the run");
        assert_eq!(h.page.run.kinds(), "SLLRLLELLR", "a refused edit leaves the run as it was");
        // The next step goes on from there, and the refusal leaves the page with it.
        h.event(PageEvent::StepRefresh);
        h.settle(0);
        assert_eq!(h.page.run.kinds(), "SLLRLLELLRLLR");
        assert_eq!(h.page.run.refused_edit, None);
        // A refused edit does not hold up the next one either.
        h.event(PageEvent::EditCell { cell, symbol: '7' });
        h.settle(0);
        assert!(h.page.run.refused_edit.is_some());
        h.event(PageEvent::EditCell { cell, symbol });
        h.settle(0);
        assert_eq!(h.page.run.kinds(), "SLLRLLELLRLLE");
        assert_eq!(h.page.run.refused_edit, None);
    }

    #[test]
    fn an_own_model_replaces_the_bundled_one_and_keeps_the_puzzle() {
        use crate::own_model::{ChosenFile, OwnModel};
        let mut h = Harness::new();
        h.event(PageEvent::ModelFetched(model_source(0)));
        h.settle(3);
        // The user's puzzle of the moment: the second 4×4 sample.
        let sample = BUNDLED_MODELS[0].samples()[0].get(1).unwrap();
        let puzzle = PuzzleSource::Sudoku { text: sample.puzzle.clone(), solution: sample.solution.clone() };
        h.event(PageEvent::RunPuzzle(puzzle.clone()));
        h.settle(3);
        let bundled = model_source(0);
        let files = [
            ChosenFile { name: "mine.safetensors".into(), bytes: bundled.bytes.clone() },
            ChosenFile { name: "mine.json".into(), bytes: bundled.card.clone().unwrap().into_bytes() },
        ];
        let own = OwnModel::from_files(&files).unwrap().source(BUNDLED_MODELS[0].kind);
        h.event(PageEvent::OwnChosen(own.clone()));
        assert_eq!(h.page.own.as_deref(), Some("mine.safetensors"));
        assert_eq!(h.page.model_name(), Some("mine.safetensors"));
        assert!(h.page.run.timeline.is_empty());
        // A bundled model's fetch answering late is ignored.
        h.event(PageEvent::ModelFetched(model_source(0)));
        h.event(PageEvent::FetchFailed("late".into()));
        assert_eq!(h.page.model, ModelStatus::Loading);
        let sent: Vec<_> = h
            .queue
            .iter()
            .filter_map(|r| match r {
                WorkerInput::LoadModel { model, .. } => Some(model.name.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(sent, ["mine.safetensors"], "only the own model is sent");
        h.settle(usize::MAX);
        assert_eq!(h.page.puzzle, Some(puzzle.clone()), "the puzzle stays");
        assert_eq!(h.page.run.error, None);
        assert!(matches!(&h.page.model, ModelStatus::Loaded(info) if info.name == "sudoku4"), "named by its card");
        assert_eq!(h.page.run.finished, Some(DoneReason::MaxSteps));
        assert_eq!(h.page.run.frame().unwrap().answer_text(), solution_of(&h.page));
        // A worker restart keeps the own model as the choice.
        assert_eq!(h.page.restarted().own.as_deref(), Some("mine.safetensors"));

        // A truncated checkpoint: the loader's error, the puzzle still there.
        let mut cut = own.clone();
        cut.name = "cut.safetensors".into();
        cut.bytes.truncate(1000);
        h.event(PageEvent::OwnChosen(cut));
        h.settle(usize::MAX);
        let ModelStatus::Failed(e) = &h.page.model else { panic!("{:?}", h.page.model) };
        assert!(e.contains("cannot load the model"), "{e}");
        assert_eq!(h.page.status_line(), *e);
        assert_eq!(h.page.puzzle, Some(puzzle.clone()));

        // The bundled model of the same size is still there, on the same puzzle.
        h.event(PageEvent::ModelChosen(0));
        assert_eq!((h.page.own.clone(), h.page.model.clone()), (None, ModelStatus::Fetching));
        h.event(PageEvent::ModelFetched(model_source(0)));
        h.settle(usize::MAX);
        assert_eq!(h.page.puzzle, Some(puzzle));
        assert_eq!(h.page.run.finished, Some(DoneReason::MaxSteps));
        assert!(matches!(&h.page.model, ModelStatus::Loaded(info) if info.name == "sudoku4"));
    }

    #[test]
    fn an_own_maze_model_runs_the_first_maze_sample_and_back() {
        use crate::own_model::{ChosenFile, OwnModel};
        // The shipped maze model's files, chosen from disk as a user's own model would be.
        let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/models/maze11");
        let files = [
            ChosenFile {
                name: "maze11.safetensors".into(),
                bytes: std::fs::read(format!("{fixture}.safetensors")).unwrap(),
            },
            ChosenFile { name: "maze11.json".into(), bytes: std::fs::read(format!("{fixture}.json")).unwrap() },
        ];
        let mut h = Harness::new();
        h.event(PageEvent::ModelFetched(model_source(0)));
        h.settle(3);
        assert_eq!(h.page.puzzle_kind(), PuzzleKind::Sudoku { side: 4 });
        // The card says maze: whatever the puzzle type chosen, the model runs mazes.
        let own = OwnModel::from_files(&files).unwrap().source(BUNDLED_MODELS[0].kind);
        h.event(PageEvent::OwnChosen(own));
        h.settle(usize::MAX);
        assert_eq!(h.page.run.error, None);
        assert_eq!(h.page.puzzle_kind(), PuzzleKind::Maze { side: 11 });
        let first = crate::catalog::default_source(PuzzleKind::Maze { side: 11 });
        assert_eq!(h.page.puzzle, first, "the Sudoku gave way to the first 11×11 maze sample");
        let info = h.page.run.info.clone().unwrap();
        assert_eq!(info.kind, PuzzleKind::Maze { side: 11 });
        let per_cycle = format!("{}R", "L".repeat(info.l_cycles));
        assert_eq!(h.page.run.kinds(), format!("S{}", per_cycle.repeat(info.h_cycles * info.halt_max_steps)));
        assert_eq!(h.page.run.chart().points().len(), info.halt_max_steps);
        let last = h.page.run.frame().unwrap();
        let o = crate::view_model::overlay::overlay(last, info.kind, 11, 11, None).unwrap();
        assert!(o.summary().starts_with("path valid: "), "{}", o.summary());
        // A maze typed by the user runs too; a Sudoku does not fit it.
        assert!(!fits(&PuzzleSource::Sudoku { text: "3..2....13242.3.".into(), solution: None }, info.kind));
        // Back to the bundled Sudoku model: its first sample replaces the maze.
        h.event(PageEvent::ModelChosen(0));
        assert!(matches!(h.page.puzzle, Some(PuzzleSource::Sudoku { .. })), "{:?}", h.page.puzzle);
        h.event(PageEvent::ModelFetched(model_source(0)));
        h.settle(usize::MAX);
        assert_eq!(h.page.puzzle_kind(), PuzzleKind::Sudoku { side: 4 });
        assert_eq!(h.page.run.finished, Some(DoneReason::MaxSteps));

        // The bundled maze model: the switch to it runs the same first 11×11 sample.
        let maze = crate::catalog::bundled_index("maze11").unwrap();
        h.event(PageEvent::ModelChosen(maze));
        assert_eq!(h.page.puzzle, first, "choosing the maze model shows the first 11×11 maze sample");
        h.event(PageEvent::ModelFetched(model_source(maze)));
        h.settle(usize::MAX);
        assert_eq!(h.page.run.error, None);
        assert_eq!(h.page.run.finished, Some(DoneReason::MaxSteps));
        assert!(matches!(&h.page.model, ModelStatus::Loaded(info) if info.name == "maze11"));
        assert_eq!(h.page.run.kinds(), format!("S{}", per_cycle.repeat(info.h_cycles * info.halt_max_steps)));
    }

    #[test]
    fn the_bundled_arc_model_runs_a_known_task_and_says_when_it_has_never_seen_one() {
        use crate::arc_input::{ArcDraft, grid_text};
        use crate::view_model::overlay::arc_prediction;
        let arc = crate::catalog::bundled_index("arc-demo").unwrap();
        let mut h = Harness::new();
        h.event(PageEvent::ModelFetched(model_source(0)));
        h.settle(3);
        h.event(PageEvent::ModelChosen(arc));
        assert_eq!(h.page.puzzle_kind(), PuzzleKind::Arc { canvas: 10 });
        let first = ArcDraft::first();
        assert_eq!(h.page.puzzle, Some(first.source()), "the Sudoku gave way to the first known task");
        h.event(PageEvent::ModelFetched(model_source(arc)));
        h.settle(usize::MAX);
        assert_eq!(h.page.run.error, None);
        let info = h.page.run.info.clone().unwrap();
        assert_eq!(info.kind, PuzzleKind::Arc { canvas: 10 });
        assert_eq!(info.note, None, "the model knows {}", first.name);
        let per_cycle = format!("{}R", "L".repeat(info.l_cycles));
        assert_eq!(h.page.run.kinds(), format!("S{}", per_cycle.repeat(info.h_cycles * info.halt_max_steps)));
        assert_eq!(h.page.run.chart().points().len(), info.halt_max_steps);
        let predicted = arc_prediction(h.page.run.frame().unwrap(), 10).unwrap();
        assert!(grid_text(&predicted).len() <= 10 * 11, "a grid cropped from the canvas");

        // A task of the list the model was not trained on: it still runs, with the note.
        let unknown = crate::arc_input::task_list(10).into_iter().find(|e| !e.known && e.problem.is_none()).unwrap();
        let draft = ArcDraft::from_bundled(unknown.path).unwrap();
        h.event(PageEvent::RunPuzzle(draft.source()));
        h.settle(usize::MAX);
        assert_eq!(h.page.run.error, None);
        let note = h.page.run.info.as_ref().and_then(|i| i.note.clone()).unwrap();
        assert!(note.contains("never seen") && note.contains(&draft.name), "{note}");
        assert_eq!(h.page.run.finished, Some(DoneReason::MaxSteps));

        // Voting on the known task: every version's de-augmented prediction, votes summing to the
        // versions run, the run left as it was.
        h.event(PageEvent::RunPuzzle(first.source()));
        h.settle(usize::MAX);
        let kinds = h.page.run.kinds();
        h.event(PageEvent::Vote(3));
        assert!(h.page.busy());
        h.settle(0);
        let vote = h.page.vote.clone().unwrap();
        assert_eq!((vote.total, vote.finished, vote.error.clone()), (Some(3), Some(DoneReason::Completed), None));
        assert_eq!(vote.versions.len(), 3);
        assert_eq!(vote.votes(), 3, "one vote per version");
        assert!(!vote.attempts().is_empty() && vote.attempts().len() <= 2);
        assert_eq!(vote.versions[0].name, first.name, "the original first");
        assert!(vote.versions[1].name.starts_with(&format!("{}|||t", first.name)));
        assert!(vote.versions.iter().all(|v| v.seen), "the model has rows for its first versions");
        // The original's own prediction is the run's.
        assert_eq!(vote.versions[0].prediction, predicted.to_rows());
        assert!(vote.status().starts_with("3 of 3 versions run · 3 votes"), "{}", vote.status());
        assert_eq!(h.page.run.kinds(), kinds, "the run stays");
        assert!(!h.page.busy());
        // Cancel stops a vote; a new puzzle drops it.
        h.event(PageEvent::Vote(9));
        h.event(PageEvent::Cancel);
        h.settle(0);
        let vote = h.page.vote.clone().unwrap();
        assert_eq!(vote.finished, Some(DoneReason::Cancelled));
        assert!(vote.versions.len() < 9 && !h.page.busy());
        assert!(vote.status().ends_with("stopped"), "{}", vote.status());
        h.event(PageEvent::Vote(9));
        h.event(PageEvent::RunPuzzle(draft.source()));
        h.settle(usize::MAX);
        assert_eq!(h.page.vote, None);
        assert_eq!(h.page.run.finished, Some(DoneReason::MaxSteps));
    }

    #[test]
    fn a_late_tick_during_a_model_switch_does_not_pause_the_new_run() {
        let mut h = Harness::new();
        h.event(PageEvent::ModelFetched(model_source(0)));
        h.settle(3);
        assert!(h.page.playing && h.page.wants_tick());
        // The play timer was set before the switch and fires while the new model is fetched.
        h.event(PageEvent::ModelChosen(1));
        h.event(PageEvent::Tick);
        assert!(h.page.playing, "the new run will play");
        h.event(PageEvent::ModelFetched(model_source(1)));
        h.settle(h.ticks + 5);
        assert!(h.page.run.kinds().starts_with("SLLL"), "{}", h.page.run.kinds());
    }

    #[test]
    fn outputs_of_other_requests_are_ignored() {
        let mut page = Playground::new();
        let frame = WorkerOutput::Frame { id: 42, frame: Box::new(crate::view_model::testdata::frame_of(b"1", b"1")) };
        assert!(page.on(PageEvent::Worker(WorkerEvent::Output(frame))).is_empty());
        assert!(page.run.timeline.is_empty());
    }
}
