//! Share and export, as plain Rust (tested natively): the share link of the page's current run,
//! the run a share link asks for, and the PNG / GIF bytes of the frame shown and the run so far.
//! The components in [`crate::app`] and [`crate::panels`] only put these into the URL or a download.

use crate::arc_input::{ArcDraft, BUNDLED_TASKS};
use crate::catalog::{BUNDLED_MODELS, bundled_index};
use crate::engine::PuzzleSource;
use crate::playground::{Playground, SPEEDS};
use crate::view_model::gif::run_gif;
use crate::view_model::png::encode_png;
use crate::view_model::render::{RenderOptions, render_frame};
use crate::view_model::share::{self, ModelChoice, RunSettings, ShareState, SharedPuzzle};

/// Pixels per cell side in exported pictures.
pub const EXPORT_CELL: u32 = 28;
/// Delay between two GIF pictures, hundredths of a second.
pub const GIF_DELAY_CS: u16 = 40;

/// Frames per second for a play delay (the share link's `f`).
pub fn fps_of_delay(delay_ms: u32) -> u32 {
    1000u32.checked_div(delay_ms).map_or(240, |fps| fps.clamp(1, 240))
}

/// The offered play delay closest to `fps` frames per second.
pub fn delay_of_fps(fps: u32) -> u32 {
    let wanted = if fps >= 240 { 0 } else { 1000 / fps.max(1) };
    SPEEDS.iter().map(|&(_, ms)| ms).min_by_key(|&ms| ms.abs_diff(wanted)).unwrap_or(wanted)
}

/// What the share link of the page's run says: its puzzle, the bundled model and the settings.
/// `None` while no run has started or for puzzles a link cannot carry.
pub fn share_state(page: &Playground) -> Option<ShareState> {
    page.run.info.as_ref()?;
    let puzzle = match page.puzzle.as_ref()? {
        PuzzleSource::Sudoku { text, .. } => SharedPuzzle::sudoku(text).ok()?,
        PuzzleSource::Maze { text } => SharedPuzzle::maze(text).ok()?,
        // A bundled task travels by its path; a task from the user's file cannot.
        arc @ PuzzleSource::Arc { .. } => {
            let draft = ArcDraft::from_source(arc)?;
            SharedPuzzle::Arc { task: draft.bundled?.to_string(), test: draft.test }
        }
    };
    Some(ShareState {
        puzzle,
        model: match &page.own {
            Some(name) => ModelChoice::Own(name.clone()),
            None => ModelChoice::Bundled(page.bundled()?.name.to_string()),
        },
        settings: RunSettings {
            stop_on_halt: page.stop_on_halt,
            keep_thinking: page.keep_thinking,
            steps: None,
            fps: fps_of_delay(page.delay_ms),
        },
    })
}

/// The run a share link asks the page to open.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedRun {
    /// Index into [`BUNDLED_MODELS`] (with an own model: the bundled model of the puzzle's size).
    pub model_index: usize,
    /// The file name of the user's own model, when the run used one (the page brings it back
    /// from the browser's storage when it kept that model).
    pub own: Option<String>,
    pub puzzle: PuzzleSource,
    pub settings: RunSettings,
}

impl SharedRun {
    /// The Sudoku cells as one line (digits and `.`), when the puzzle is a Sudoku.
    pub fn sudoku_line(&self) -> Option<&str> {
        match &self.puzzle {
            PuzzleSource::Sudoku { text, .. } => Some(text),
            _ => None,
        }
    }
}

/// Reads a share link's fragment (with or without `#`). `Ok(None)` when there is none; an error
/// says why the link cannot be opened here.
pub fn open_link(fragment: &str) -> Result<Option<SharedRun>, String> {
    let tasks: Vec<&str> = BUNDLED_TASKS.iter().map(|t| t.path).collect();
    let state = match share::decode(fragment, &tasks) {
        Ok(s) => s,
        Err(share::ShareError::Empty) => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let puzzle = match &state.puzzle {
        SharedPuzzle::Arc { task, test } => {
            let mut draft = ArcDraft::from_bundled(task)?;
            if *test >= draft.task.test.len() {
                return Err(format!(
                    "the link asks for test input {} of task {task}, which has {}",
                    test + 1,
                    draft.task.test.len()
                ));
            }
            draft.select_test(*test);
            draft.source()
        }
        other => other.source().ok_or("this page cannot open that link")?,
    };
    let (model_index, own, name) = match &state.model {
        ModelChoice::Bundled(name) => {
            let index =
                bundled_index(name).ok_or_else(|| format!("the link names model \"{name}\", which is not bundled"))?;
            (index, None, name)
        }
        ModelChoice::Own(name) => {
            // The puzzle type of the page that fits the puzzle (its samples and size).
            let cells = match &puzzle {
                PuzzleSource::Sudoku { text, .. } => text.chars().count(),
                _ => 0,
            };
            let index = BUNDLED_MODELS
                .iter()
                .position(|m| m.kind.domain() == state.puzzle.domain() && (cells == 0 || m.kind.seq_len() == cells))
                .ok_or_else(|| {
                    format!("the link's run used the model file \"{name}\" on a puzzle size this page does not offer")
                })?;
            (index, Some(name.clone()), name)
        }
    };
    let model = &BUNDLED_MODELS[model_index];
    if state.puzzle.domain() != model.kind.domain() {
        return Err(format!("the link's puzzle does not fit model {name}"));
    }
    if let PuzzleSource::Sudoku { text, .. } = &puzzle
        && text.chars().count() != model.kind.seq_len()
    {
        return Err(format!(
            "the link's Sudoku has {} cells; model {name} solves {}",
            text.chars().count(),
            model.kind.seq_len()
        ));
    }
    Ok(Some(SharedRun { model_index, own, puzzle, settings: state.settings }))
}

/// The PNG of the frame shown (answer y, changed cells outlined).
pub fn frame_png(page: &Playground) -> Result<Vec<u8>, String> {
    let info = page.run.info.as_ref().ok_or("no run to export yet")?;
    let frame = page.run.frame().ok_or("no frame to export yet")?;
    let options = RenderOptions { cell: EXPORT_CELL, ..RenderOptions::default() };
    let image = render_frame(frame, info.kind, info.rows, info.cols, &options).map_err(|e| e.to_string())?;
    encode_png(&image).map_err(|e| e.to_string())
}

/// The animated GIF of the run so far: the start and every answer refresh up to the frame shown.
pub fn run_so_far_gif(page: &Playground) -> Result<Vec<u8>, String> {
    let info = page.run.info.as_ref().ok_or("no run to export yet")?;
    let end = (page.run.cursor + 1).min(page.run.timeline.len());
    let options = RenderOptions { cell: EXPORT_CELL, ..RenderOptions::default() };
    run_gif(&page.run.timeline[..end], info.kind, info.rows, info.cols, &options, GIF_DELAY_CS)
        .map_err(|e| e.to_string())
}

/// A file name for an export: the model, the frame index and the extension.
pub fn export_name(page: &Playground, ext: &str) -> String {
    let model = page.model_name().unwrap_or("trm");
    let frame = page.run.frame().map_or(0, |f| f.index);
    format!("{model}-frame{frame}.{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Domain;
    use crate::playground::{PageEvent, RunView};
    use crate::view_model::testdata::run_sudoku;

    const PUZZLE: &str = "214.3...1.2.42..";

    fn page_with_run(steps: u32) -> Playground {
        let (info, frames) = run_sudoku(PUZZLE, steps);
        let mut page = Playground::new();
        page.puzzle = Some(PuzzleSource::Sudoku { text: PUZZLE.into(), solution: None });
        page.run = RunView { info: Some(info), cursor: frames.len() - 1, timeline: frames, ..RunView::default() };
        page
    }

    #[test]
    fn fps_and_delay_round_trip_over_the_offered_speeds() {
        for &(_, ms) in SPEEDS {
            assert_eq!(delay_of_fps(fps_of_delay(ms)), ms, "{ms} ms");
        }
        assert_eq!(delay_of_fps(0), SPEEDS[0].1, "a nonsense rate gets the slowest speed");
    }

    #[test]
    fn the_link_of_a_run_reopens_the_same_run() {
        let mut page = Playground::new();
        assert_eq!(share_state(&page), None, "no link before a run starts");
        page = page_with_run(1);
        page.keep_thinking = true;
        page.delay_ms = 600;
        let state = share_state(&page).unwrap();
        let url = share::share_url("https://example.org/sub/path/?q=1#old", &state).unwrap();
        assert!(url.starts_with("https://example.org/sub/path/?q=1#v=1&d=sudoku&p=214.3...1.2.42..&"), "{url}");
        let fragment = url.split_once('#').unwrap().1;
        let run = open_link(fragment).unwrap().unwrap();
        assert_eq!(run.model_index, page.model_index);
        assert_eq!(run.sudoku_line(), Some(PUZZLE));
        assert!(run.settings.keep_thinking && !run.settings.stop_on_halt);
        assert_eq!(delay_of_fps(run.settings.fps), 600);
    }

    #[test]
    fn links_this_page_cannot_open_say_why() {
        assert_eq!(open_link(""), Ok(None));
        assert_eq!(open_link("#"), Ok(None));
        let err = |f: &str| open_link(f).unwrap_err();
        assert!(err("v=1&d=sudoku&p=214.3...1.2.42..&m=b:nope&h=0&k=0&f=8").contains("not bundled"));
        // A link to a run of the user's own model opens on the puzzle type of its size.
        let own = open_link("v=1&d=sudoku&p=214.3...1.2.42..&m=o:mine.pt&h=0&k=0&f=8").unwrap().unwrap();
        assert_eq!((own.own.as_deref(), own.model_index), (Some("mine.pt"), 0));
        let mut page = page_with_run(1);
        page.own = Some("mine.pt".into());
        assert_eq!(share_state(&page).unwrap().model, ModelChoice::Own("mine.pt".into()));
        assert!(export_name(&page, "png").starts_with("mine.pt-frame"));
        let six = BUNDLED_MODELS.iter().find(|m| m.kind.seq_len() == 36).map(|m| m.name).unwrap();
        assert!(err(&format!("v=1&d=sudoku&p=214.3...1.2.42..&m=b:{six}&h=0&k=0&f=8")).contains("16 cells"));
        assert!(err("v=2&d=sudoku&p=1&m=b:sudoku4&h=0&k=0&f=8").contains("newer"));
        assert!(err("v=1&d=sudoku&p=214.3..x1.2.42..&m=b:sudoku4&h=0&k=0&f=8").contains("puzzle"));
    }

    #[test]
    fn the_link_of_a_bundled_arc_task_reopens_it_and_a_task_file_has_none() {
        let arc_model = BUNDLED_MODELS.iter().position(|m| m.kind.domain() == Domain::Arc).unwrap();
        let mut page = page_with_run(1);
        page.on(PageEvent::ModelChosen(arc_model));
        let mut draft = ArcDraft::from_bundled("training/0d3d703e").unwrap();
        draft.select_test(0);
        page.puzzle = Some(draft.source());
        page.run = page_with_run(1).run;
        let state = share_state(&page).unwrap();
        assert_eq!(state.puzzle, SharedPuzzle::Arc { task: "training/0d3d703e".into(), test: 0 });
        let url = share::share_url("https://example.org/p/", &state).unwrap();
        assert!(url.contains("d=arc&p=training/0d3d703e&t=0&m=b:arc-demo"), "{url}");
        let run = open_link(url.split_once('#').unwrap().1).unwrap().unwrap();
        assert_eq!((run.model_index, run.own.as_deref()), (arc_model, None));
        assert_eq!(run.puzzle, draft.source(), "the link rebuilds the task JSON, its name and the test index");
        // Any bundled task travels, not only those the model knows; a missing test input is refused.
        let other = BUNDLED_TASKS.iter().find(|t| !t.path.starts_with("training/0d3d703e")).unwrap().path;
        let link = format!("v=1&d=arc&p={other}&t=0&m=b:arc-demo&h=0&k=0&f=8");
        assert_eq!(open_link(&link).unwrap().unwrap().puzzle, ArcDraft::from_bundled(other).unwrap().source());
        let e = open_link("v=1&d=arc&p=training/0d3d703e&t=7&m=b:arc-demo&h=0&k=0&f=8").unwrap_err();
        assert!(e.contains("test input 8"), "{e}");
        let e = open_link("v=1&d=arc&p=training/nope&t=0&m=b:arc-demo&h=0&k=0&f=8").unwrap_err();
        assert!(e.contains("not among the bundled tasks"), "{e}");
        // An own ARC model's link opens on the ARC page.
        let own = open_link("v=1&d=arc&p=training/0d3d703e&t=0&m=o:mine.pt&h=0&k=0&f=8").unwrap().unwrap();
        assert_eq!((own.model_index, own.own.as_deref()), (arc_model, Some("mine.pt")));
        // A task read from the user's file has no link.
        let mut mine = ArcDraft::first();
        assert!(
            mine.load_file(
                "mine.json",
                br#"{"train":[{"input":[[1]],"output":[[2]]}],"test":[{"input":[[1,2],[3,4]]}]}"#
            )
        );
        page.puzzle = Some(mine.source());
        assert_eq!(share_state(&page), None);
    }

    /// Width, height from a PNG's signature and IHDR chunk.
    fn png_size(png: &[u8]) -> (u32, u32) {
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[12..16], b"IHDR");
        let be = |k: usize| u32::from_be_bytes([png[k], png[k + 1], png[k + 2], png[k + 3]]);
        (be(16), be(20))
    }

    #[test]
    fn png_of_the_frame_shown_and_gif_of_the_run_so_far() {
        assert!(frame_png(&Playground::new()).unwrap_err().contains("no run"));
        let mut page = page_with_run(2);
        let side = 4 * (EXPORT_CELL + 1) + 1;
        assert_eq!(png_size(&frame_png(&page).unwrap()), (side, side));
        let whole = run_so_far_gif(&page).unwrap();
        assert_eq!(&whole[..6], b"GIF89a");
        // Back at the start frame: a one-picture GIF, smaller than the whole run's.
        page.run.cursor = 0;
        let first = run_so_far_gif(&page).unwrap();
        assert!(first.len() < whole.len(), "{} vs {}", first.len(), whole.len());
        assert_eq!(export_name(&page, "png"), "sudoku4-frame0.png");
    }
}
