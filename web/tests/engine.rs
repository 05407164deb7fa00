//! The run engine and the worker protocol, natively, with the shipped 4×4 Sudoku model.

use candle_core::{D, Device, Tensor};
use trm_web::engine::{FrameKind, ModelSource, PuzzleSource, Session, Unit};
use trm_web::protocol::{DoneReason, WorkerInput, WorkerOutput};

const MODELS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/models/");
const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/puzzles/sudoku/samples/");

fn model_source() -> ModelSource {
    ModelSource {
        name: "sudoku4".into(),
        bytes: std::fs::read(format!("{MODELS}sudoku4.safetensors")).unwrap(),
        card: Some(std::fs::read_to_string(format!("{MODELS}sudoku4.json")).unwrap()),
        all_config_yaml: None,
        identifiers: None,
        domain: None,
        seq_len: None,
    }
}

/// The `k`-th puzzle and solution of the 4×4 `tier` samples.
fn sample(tier: &str, k: usize) -> (String, String) {
    let read = |name: String| std::fs::read_to_string(format!("{SAMPLES}{name}")).unwrap();
    let lines = |text: String| -> Vec<String> {
        text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(String::from).collect()
    };
    let puzzles = lines(read(format!("4x4-{tier}.txt")));
    let solutions = lines(read(format!("4x4-{tier}.solutions.txt")));
    (puzzles[k].clone(), solutions[k].clone())
}

fn clock() -> f64 {
    0.0
}

/// A session with the model loaded and a run started on `puzzle`.
fn started(puzzle: &str) -> Session {
    let mut s = Session::new();
    let out = s.handle_all(WorkerInput::LoadModel { id: 1, model: model_source() }, &clock);
    assert!(matches!(out.last(), Some(WorkerOutput::Done { id: 1, .. })), "{out:?}");
    let out = s.handle_all(
        WorkerInput::StartRun { id: 2, puzzle: PuzzleSource::Sudoku { text: puzzle.into(), solution: None } },
        &clock,
    );
    assert!(matches!(out[0], WorkerOutput::RunStarted { id: 2, .. }), "{out:?}");
    assert!(matches!(out.last(), Some(WorkerOutput::Done { id: 2, .. })), "{out:?}");
    s
}

fn frames(out: &[WorkerOutput]) -> Vec<trm_web::engine::Frame> {
    out.iter()
        .filter_map(|o| match o {
            WorkerOutput::Frame { frame, .. } => Some((**frame).clone()),
            _ => None,
        })
        .collect()
}

fn done_reason(out: &[WorkerOutput]) -> DoneReason {
    match out.last() {
        Some(WorkerOutput::Done { reason, .. }) => *reason,
        other => panic!("expected Done, got {other:?}"),
    }
}

fn advance(id: u32, unit: Unit, count: u32) -> WorkerInput {
    WorkerInput::Advance { id, unit, count, stop_on_halt: false, keep_thinking: false }
}

#[test]
fn frames_are_n_latent_updates_then_a_refresh_repeatedly() {
    let (puzzle, solution) = sample("easy", 0);
    let mut s = started(&puzzle);
    let model = s.model().unwrap();
    let (t, n, max) = (model.info.config.h_cycles, model.info.config.l_cycles, model.info.config.halt_max_steps);
    assert_eq!((t, n, max), (2, 2, 8), "the shipped card's cycles");
    let out = s.handle_all(advance(3, Unit::Step, 100), &clock);
    // Without keep_thinking the run stops at halt_max_steps.
    assert_eq!(done_reason(&out), DoneReason::MaxSteps);
    let frames = frames(&out);
    assert_eq!(frames.len(), max * t * (n + 1));
    for (i, f) in frames.iter().enumerate() {
        let within = i % (n + 1);
        let cycle = (i / (n + 1)) % t + 1;
        let step = i / (t * (n + 1)) + 1;
        assert_eq!(f.index as usize, i + 1);
        assert_eq!((f.step as usize, f.cycle as usize), (step, cycle), "frame {i}");
        if within < n {
            assert_eq!((f.kind, f.latent as usize), (FrameKind::Latent, within + 1), "frame {i}");
            assert!(f.q_halt.is_none() && f.changed.iter().all(|&c| c == 0));
            assert!(f.activity.iter().all(|a| a.is_finite() && *a >= 0.0) && f.activity.iter().any(|&a| a > 0.0));
        } else {
            assert_eq!(f.kind, FrameKind::Refresh, "frame {i}");
            assert!(f.halt_probability.is_some_and(|p| (0.0..=1.0).contains(&p)));
            assert!(f.activity.iter().all(|&a| a == 0.0));
        }
        assert_eq!(f.ends_step, within == n && cycle == t);
        assert_eq!(f.answer.len(), 16);
        assert!(f.confidence.iter().all(|&c| (0.0..=1.0).contains(&c)));
    }
    let last = frames.last().unwrap();
    assert_eq!(last.answer_text(), solution, "the shipped model solves the easy sample");
    assert_eq!(last.accuracy(), Some(1.0));
    // Latent frames carry the previous refresh's answer: changed cells are marked only at refreshes.
    let first_refresh = &frames[n];
    assert!(first_refresh.changed_share() > 0.0);
}

#[test]
fn final_answer_equals_the_core_solve() {
    for (tier, k) in [("easy", 1), ("hard", 0), ("extreme", 2)] {
        let (puzzle, _) = sample(tier, k);
        for steps in [1u32, 3, 8] {
            let mut s = started(&puzzle);
            let out = s.handle_all(advance(3, Unit::Step, steps), &clock);
            assert!(matches!(done_reason(&out), DoneReason::Completed | DoneReason::MaxSteps));
            let run = s.run().unwrap();
            let model = &s.model().unwrap().trm;
            let tokens = Tensor::from_vec(run.puzzle().tokens.clone(), (1, 16), &Device::Cpu).unwrap();
            let ids = Tensor::from_vec(vec![0u32], 1, &Device::Cpu).unwrap();
            let (logits, q_halt) = trm_core::solve(model, &tokens, &ids, steps as usize).unwrap();
            let want: Vec<u32> = logits.argmax(D::Minus1).unwrap().to_vec2::<u32>().unwrap().remove(0);
            assert_eq!(run.answer_tokens(), &want[..], "{tier} {k}, {steps} steps");
            let q = q_halt.to_vec1::<f32>().unwrap()[0];
            assert_eq!(run.current().q_halt, Some(q));
        }
    }
}

#[test]
fn step_back_then_forward_reproduces_the_frames() {
    let (puzzle, _) = sample("medium", 0);
    let mut s = started(&puzzle);
    let first = frames(&s.handle_all(advance(3, Unit::Application, 14), &clock));
    assert_eq!(first.len(), 14);
    let out = s.handle_all(WorkerInput::Back { id: 4, frames: 9 }, &clock);
    let back = frames(&out);
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].without_timing(), first[4].without_timing(), "back lands on frame 5");
    let again = frames(&s.handle_all(advance(5, Unit::Application, 9), &clock));
    for (a, b) in again.iter().zip(&first[5..]) {
        assert_eq!(a.without_timing(), b.without_timing(), "frame {}", a.index);
    }
    // Seek to the start and replay everything.
    let start = frames(&s.handle_all(WorkerInput::Seek { id: 6, index: 0 }, &clock));
    assert_eq!(start[0].kind, FrameKind::Start);
    let replay = frames(&s.handle_all(advance(7, Unit::Refresh, 2), &clock));
    assert_eq!(replay.len(), 6);
    for (a, b) in replay.iter().zip(&first) {
        assert_eq!(a.without_timing(), b.without_timing());
    }
    // Too far back is an error, and the run goes on.
    let out = s.handle_all(WorkerInput::Back { id: 8, frames: 99 }, &clock);
    assert!(matches!(&out[..], [WorkerOutput::Error { id: Some(8), fatal: false, .. }]), "{out:?}");
    assert_eq!(frames(&s.handle_all(advance(9, Unit::Application, 1), &clock)).len(), 1);
}

#[test]
fn an_edited_cell_changes_the_input_and_the_run_continues_from_there() {
    let (puzzle, solution) = sample("easy", 0);
    let blank = puzzle.find('.').unwrap();
    let digit = solution.as_bytes()[blank] as char;
    let mut plain = started(&puzzle);
    let mut edited = started(&puzzle);
    // One cycle (two latent updates and a refresh), so the next application is a latent update.
    let a = frames(&plain.handle_all(advance(3, Unit::Refresh, 1), &clock));
    let b = frames(&edited.handle_all(advance(3, Unit::Refresh, 1), &clock));
    assert_eq!(a[2].without_timing(), b[2].without_timing());
    let out = edited.handle_all(WorkerInput::EditCell { id: 4, cell: blank, symbol: digit }, &clock);
    let edit = frames(&out);
    assert_eq!(edit[0].kind, FrameKind::Edit);
    assert_eq!(edit[0].input[blank], digit as u8);
    assert_eq!(edit[0].index, 3, "an edit does not run the network");
    assert_eq!(edited.run().unwrap().puzzle().tokens[blank], digit.to_digit(10).unwrap() + 1);
    let a = frames(&plain.handle_all(advance(5, Unit::Application, 1), &clock));
    let b = frames(&edited.handle_all(advance(5, Unit::Application, 1), &clock));
    assert_eq!(b[0].input[blank], digit as u8);
    assert_eq!(a[0].kind, FrameKind::Latent);
    assert_ne!(a[0].activity, b[0].activity, "the next latent update sees the edited question");
    // Bad edits are errors that leave the run usable.
    for (cell, symbol) in [(99, '1'), (blank, 'x'), (blank, '7')] {
        let out = edited.handle_all(WorkerInput::EditCell { id: 6, cell, symbol }, &clock);
        assert!(matches!(&out[..], [WorkerOutput::Error { id: Some(6), fatal: false, .. }]), "{out:?}");
    }
}

#[test]
fn keep_thinking_goes_past_the_last_step_and_stop_on_halt_stops_early() {
    let (puzzle, _) = sample("easy", 2);
    let mut s = started(&puzzle);
    let out = s.handle_all(
        WorkerInput::Advance { id: 3, unit: Unit::Step, count: 20, stop_on_halt: true, keep_thinking: false },
        &clock,
    );
    assert_eq!(done_reason(&out), DoneReason::Halted);
    let Some(WorkerOutput::Done { steps_done, halted, .. }) = out.last() else { unreachable!() };
    assert!(*halted && *steps_done >= 1 && *steps_done < 8, "the model halts early on an easy puzzle");
    let out = s.handle_all(advance(4, Unit::Step, 20), &clock);
    assert_eq!(done_reason(&out), DoneReason::MaxSteps);
    assert_eq!(s.run().unwrap().steps_done(), 8);
    let out = s.handle_all(advance(5, Unit::Refresh, 1), &clock);
    assert_eq!(done_reason(&out), DoneReason::MaxSteps);
    assert!(frames(&out).is_empty(), "nothing past the last step unless asked");
    let out = s.handle_all(
        WorkerInput::Advance { id: 6, unit: Unit::Step, count: 2, stop_on_halt: false, keep_thinking: true },
        &clock,
    );
    assert_eq!(done_reason(&out), DoneReason::Completed);
    assert_eq!(frames(&out).last().unwrap().step, 10);
}

#[test]
fn a_new_request_is_read_between_frames() {
    let (puzzle, _) = sample("easy", 0);
    let mut s = started(&puzzle);
    let ticks = std::cell::Cell::new(0.0);
    let now = || {
        ticks.set(ticks.get() + 1.0);
        ticks.get()
    };
    assert!(s.handle(advance(3, Unit::Step, 8), &now).is_empty(), "an Advance only starts");
    assert!(s.busy());
    let slice = s.pump(&now, 0.0);
    assert_eq!(frames(&slice).len(), 1, "a slice does at least one application");
    // A click: the page cancels. The running request ends first, then the cancel is answered.
    let out = s.handle(WorkerInput::Cancel { id: 4 }, &now);
    assert!(matches!(out[0], WorkerOutput::Done { id: 3, reason: DoneReason::Cancelled, frames: 1, .. }), "{out:?}");
    assert!(matches!(out[1], WorkerOutput::Done { id: 4, reason: DoneReason::Completed, .. }), "{out:?}");
    assert!(!s.busy());
    // Any other request interrupts a running Advance.
    s.handle(advance(5, Unit::Step, 1), &now);
    s.pump(&now, 0.0);
    let out = s.handle(WorkerInput::Back { id: 6, frames: 1 }, &now);
    assert!(matches!(out[0], WorkerOutput::Done { id: 5, reason: DoneReason::Interrupted, .. }), "{out:?}");
    assert!(matches!(out.last(), Some(WorkerOutput::Done { id: 6, .. })));
    // Each frame reports how long its network application took.
    let out = s.handle_all(advance(7, Unit::Application, 2), &now);
    assert!(frames(&out).iter().all(|f| f.apply_ms > 0.0));
    let Some(WorkerOutput::Done { ms_per_application: Some(ms), .. }) = out.last() else { panic!("{out:?}") };
    assert!(*ms > 0.0);
}

fn load_error(model: ModelSource) -> String {
    let mut s = Session::new();
    let out = s.handle_all(WorkerInput::LoadModel { id: 1, model }, &clock);
    match &out[..] {
        [WorkerOutput::Error { id: Some(1), message, fatal: false }] => message.clone(),
        other => panic!("expected one error, got {other:?}"),
    }
}

#[test]
fn bad_model_files_are_errors_not_panics() {
    let good = model_source();
    for cut in [0, 5, 100, good.bytes.len() / 2, good.bytes.len() - 1] {
        let message = load_error(ModelSource { bytes: good.bytes[..cut].to_vec(), ..good.clone() });
        assert!(message.starts_with("cannot load the model"), "{cut}: {message}");
    }
    // A NaN in the weights: the message names the tensor.
    let mut bytes = good.bytes.clone();
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + header_len]).unwrap();
    let (key, start) = header
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, v)| k.ends_with("lm_head.weight") && v["dtype"] == "F32")
        .map(|(k, v)| (k.clone(), v["data_offsets"][0].as_u64().unwrap() as usize))
        .unwrap();
    let at = 8 + header_len + start;
    bytes[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    let message = load_error(ModelSource { bytes, ..good.clone() });
    assert!(message.contains("non-finite") && message.contains("lm_head"), "{key}: {message}");
    // A card that contradicts the weights.
    let card = good.card.clone().unwrap().replace("\"hidden_size\": 64", "\"hidden_size\": 128");
    let message = load_error(ModelSource { card: Some(card), ..good.clone() });
    assert!(message.contains("hidden_size"), "{message}");
    // A card that is not JSON.
    let message = load_error(ModelSource { card: Some("{".into()), ..good.clone() });
    assert!(message.starts_with("cannot read the model card"), "{message}");
}

#[test]
fn errors_leave_the_worker_usable() {
    let mut s = Session::new();
    let out = s.handle_all(advance(1, Unit::Step, 1), &clock);
    assert!(matches!(&out[..], [WorkerOutput::Error { id: Some(1), fatal: false, .. }]), "{out:?}");
    let out = s.handle_all(
        WorkerInput::StartRun { id: 2, puzzle: PuzzleSource::Sudoku { text: "1...".into(), solution: None } },
        &clock,
    );
    assert!(matches!(&out[..], [WorkerOutput::Error { id: Some(2), .. }]), "{out:?}");
    s.handle_all(WorkerInput::LoadModel { id: 3, model: model_source() }, &clock);
    // A 9×9 puzzle for a 4×4 model.
    let nine = std::fs::read_to_string(format!("{SAMPLES}9x9-easy.txt")).unwrap();
    let line = nine.lines().find(|l| !l.trim().is_empty() && !l.starts_with('#')).unwrap();
    let out = s.handle_all(
        WorkerInput::StartRun { id: 4, puzzle: PuzzleSource::Sudoku { text: line.into(), solution: None } },
        &clock,
    );
    match &out[..] {
        [WorkerOutput::Error { id: Some(4), message, .. }] => {
            assert_eq!(message, "this model cannot run a 9×9 Sudoku: it was made for 4×4 Sudoku")
        }
        other => panic!("{other:?}"),
    }
    // A maze for a Sudoku model.
    let out = s.handle_all(WorkerInput::StartRun { id: 5, puzzle: PuzzleSource::Maze { text: "S G".into() } }, &clock);
    assert!(matches!(&out[..], [WorkerOutput::Error { id: Some(5), .. }]), "{out:?}");
    // And the worker still runs puzzles.
    let (puzzle, _) = sample("easy", 0);
    let out = s.handle_all(
        WorkerInput::StartRun { id: 6, puzzle: PuzzleSource::Sudoku { text: puzzle, solution: None } },
        &clock,
    );
    assert!(matches!(out.last(), Some(WorkerOutput::Done { id: 6, .. })), "{out:?}");
}

#[test]
fn frames_serialise_as_flat_arrays() {
    let (puzzle, _) = sample("easy", 0);
    let mut s = started(&puzzle);
    let out = s.handle_all(advance(3, Unit::Application, 1), &clock);
    let json = serde_json::to_value(&out[0]).unwrap();
    let frame = &json["frame"];
    assert_eq!(json["kind"], "Frame");
    for field in ["input", "answer", "changed", "scratch", "confidence", "activity", "correct"] {
        let v = frame[field].as_array().unwrap_or_else(|| panic!("{field}: {frame}"));
        assert_eq!(v.len(), 16, "{field}");
        assert!(v.iter().all(|x| x.is_number()), "{field} holds plain numbers");
    }
    let back: WorkerOutput = serde_json::from_value(json).unwrap();
    assert_eq!(back, out[0]);
}
