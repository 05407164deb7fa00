//! Real data for the view-model tests: the shipped 4×4 Sudoku model run through the engine, and the
//! bundled puzzles.

use crate::engine::{Frame, FrameKind, ModelSource, PuzzleSource, Session, Unit};
use crate::protocol::{RunInfo, WorkerInput, WorkerOutput};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/");

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{ROOT}{path}")).unwrap()
}

/// Runs the shipped `sudoku4` model on `puzzle` for `steps` supervision steps (keep thinking past
/// its `halt_max_steps` when asked for more); returns the run's info and every frame, start first.
pub fn run_sudoku(puzzle: &str, steps: u32) -> (RunInfo, Vec<Frame>) {
    let model = ModelSource {
        name: "sudoku4".into(),
        bytes: std::fs::read(format!("{ROOT}models/sudoku4.safetensors")).unwrap(),
        card: Some(read("models/sudoku4.json")),
        all_config_yaml: None,
        identifiers: None,
        domain: None,
        seq_len: None,
    };
    let clock = || 0.0;
    let mut s = Session::new();
    s.handle_all(WorkerInput::LoadModel { id: 1, model }, &clock);
    let mut out = s.handle_all(
        WorkerInput::StartRun { id: 2, puzzle: PuzzleSource::Sudoku { text: puzzle.into(), solution: None } },
        &clock,
    );
    out.extend(s.handle_all(
        WorkerInput::Advance { id: 3, unit: Unit::Step, count: steps, stop_on_halt: false, keep_thinking: true },
        &clock,
    ));
    let info = out
        .iter()
        .find_map(|o| match o {
            WorkerOutput::RunStarted { run, .. } => Some(run.clone()),
            _ => None,
        })
        .unwrap();
    let frames = out
        .into_iter()
        .filter_map(|o| match o {
            WorkerOutput::Frame { frame, .. } => Some(*frame),
            _ => None,
        })
        .collect();
    (info, frames)
}

/// A frame with this input and answer (symbols), nothing else computed.
pub fn frame_of(input: &[u8], answer: &[u8]) -> Frame {
    let n = answer.len();
    Frame {
        index: 1,
        kind: FrameKind::Refresh,
        step: 1,
        cycle: 1,
        latent: 0,
        ends_step: true,
        input: input.to_vec(),
        answer: answer.to_vec(),
        confidence: vec![1.0; n],
        changed: vec![0; n],
        scratch: answer.to_vec(),
        scratch_confidence: vec![1.0; n],
        activity: vec![0.0; n],
        q_halt: Some(0.0),
        halt_probability: Some(0.5),
        correct: None,
        apply_ms: 0.0,
    }
}

/// The first maze of a bundled sample file (`"9x9-medium"`): puzzle and solution symbols, row-major.
pub fn maze_pair(name: &str) -> (Vec<u8>, Vec<u8>, usize) {
    let first = |text: String| -> (Vec<u8>, usize) {
        let block: Vec<String> = text.lines().take_while(|l| !l.is_empty()).map(String::from).collect();
        (block.concat().into_bytes(), block.len())
    };
    let (puzzle, side) = first(read(&format!("puzzles/maze/samples/{name}.txt")));
    let (solution, _) = first(read(&format!("puzzles/maze/samples/{name}.solutions.txt")));
    (puzzle, solution, side)
}

/// A bundled ARC task's JSON (`"training/0d3d703e"`).
pub fn arc_task(name: &str) -> String {
    read(&format!("puzzles/arc/{name}.json"))
}
