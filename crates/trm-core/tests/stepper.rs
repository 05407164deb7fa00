//! The step-through API: order and tags of applications, equality with `solve` and with the model's
//! own supervision step, keep-thinking, token replacement, save/restore, and snapshots.
#![cfg(not(target_arch = "wasm32"))] // reads fixture files; tests/wasm.rs covers the browser

mod common;

use candle_core::{DType, Tensor};
use common::*;
use trm_core::stepper::{Application, Place};
use trm_core::{Error, Stepper, solve};

fn inputs(name: &str) -> (Tensor, Tensor) {
    let rec = recording(name);
    let _ = &rec;
    let io = candle_core::safetensors::load_buffer(&read(name, "io.safetensors"), &candle_core::Device::Cpu).unwrap();
    (io["inputs"].to_dtype(DType::U32).unwrap(), io["puzzle_identifiers"].to_dtype(DType::U32).unwrap())
}

fn max_diff(a: &Tensor, b: &Tensor) -> f32 {
    (a - b).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap()
}

#[test]
fn applications_come_in_official_order_with_their_tags() {
    let model = model("att_rope"); // T = 3, n = 4
    let (tokens, ids) = inputs("att_rope");
    let mut stepper = Stepper::new(&model, &tokens, &ids).unwrap();
    let mut places = Vec::new();
    for _ in 0..(2 * 3 * 5) {
        places.push(stepper.apply().unwrap());
    }
    let mut k = 0;
    for step in 1..=2 {
        for cycle in 1..=3 {
            for update in 1..=4 {
                assert_eq!(places[k], Place { step, cycle, application: Application::LatentUpdate(update) });
                k += 1;
            }
            assert_eq!(places[k], Place { step, cycle, application: Application::AnswerRefresh });
            k += 1;
        }
    }
    assert_eq!(stepper.next_place(), Place { step: 3, cycle: 1, application: Application::LatentUpdate(1) });
}

#[test]
fn stepping_equals_solve_and_the_model_step() {
    for name in FIXTURES {
        let model = model(name);
        let (tokens, ids) = inputs(name);
        let (logits, _) = solve(&model, &tokens, &ids, 4).unwrap();

        let mut stepper = Stepper::new(&model, &tokens, &ids).unwrap();
        for _ in 0..4 {
            stepper.supervision_step().unwrap();
        }
        assert_eq!(max_diff(&stepper.answer_logits().unwrap(), &logits), 0.0, "{name}");

        let x = model.input_embeddings(&tokens, &ids).unwrap();
        let mut carry = model.initial_carry(tokens.dim(0).unwrap()).unwrap();
        for _ in 0..4 {
            carry = model.supervision_step(&carry, &x).unwrap();
        }
        assert_eq!(max_diff(&model.logits(&carry.y).unwrap(), &logits), 0.0, "{name}");
    }
}

#[test]
fn keep_thinking_goes_past_halt_max_steps() {
    let model = model("att_learned");
    let (tokens, ids) = inputs("att_learned");
    let mut stepper = Stepper::new(&model, &tokens, &ids).unwrap();
    assert_eq!(stepper.run(model.config().halt_max_steps + 2, false).unwrap(), 18);
    assert_eq!(stepper.next_place().step, 19);
    let snapshot = stepper.snapshot().unwrap();
    assert_eq!(snapshot.applications, 18 * model.config().applications_per_step());
}

#[test]
fn replacing_tokens_continues_from_the_current_state() {
    let model = model("att_rope");
    let (tokens, ids) = inputs("att_rope");
    let mut stepper = Stepper::new(&model, &tokens, &ids).unwrap();
    stepper.supervision_step().unwrap();
    let carry = stepper.carry().clone();

    let mut edited = tokens.to_vec2::<u32>().unwrap();
    edited[0][5] = (edited[0][5] + 1) % model.config().vocab_size as u32;
    let edited = Tensor::new(edited, tokens.device()).unwrap();
    stepper.set_tokens(&edited).unwrap();
    stepper.supervision_step().unwrap();

    let x = model.input_embeddings(&edited, &ids).unwrap();
    let expected = model.supervision_step(&carry, &x).unwrap();
    assert_eq!(max_diff(&stepper.carry().y, &expected.y), 0.0);
    let unedited = model.supervision_step(&carry, &model.input_embeddings(&tokens, &ids).unwrap()).unwrap();
    assert!(max_diff(&stepper.carry().y, &unedited.y) > 0.0, "the edit had no effect");

    let too_big = Tensor::full(model.config().vocab_size as u32, tokens.dims(), tokens.device()).unwrap();
    assert!(matches!(stepper.set_tokens(&too_big), Err(Error::InvalidArgument(_))));
}

#[test]
fn save_and_restore_at_a_refresh_boundary() {
    let model = model("mlp_t");
    let (tokens, ids) = inputs("mlp_t");
    let mut stepper = Stepper::new(&model, &tokens, &ids).unwrap();
    stepper.refresh().unwrap();
    let saved = stepper.save();
    let place = stepper.next_place();
    stepper.run(2, false).unwrap();
    let first = stepper.answer_logits().unwrap();
    stepper.restore(saved);
    assert_eq!(stepper.next_place(), place);
    stepper.run(2, false).unwrap();
    assert_eq!(max_diff(&stepper.answer_logits().unwrap(), &first), 0.0);
}

#[test]
fn snapshots_decode_and_track_changes() {
    let model = model("att_rope");
    let (tokens, ids) = inputs("att_rope");
    let mut stepper = Stepper::new(&model, &tokens, &ids).unwrap();
    let first = stepper.snapshot().unwrap();
    assert_eq!(first.place, None);
    assert!(first.changed.iter().flatten().all(|c| !c));
    stepper.supervision_step().unwrap();
    let second = stepper.snapshot().unwrap();
    assert_eq!(second.answer.tokens.len(), 3);
    assert_eq!(second.answer.tokens[0].len(), 36);
    for (b, row) in second.changed.iter().enumerate() {
        for (k, &changed) in row.iter().enumerate() {
            assert_eq!(changed, first.answer.tokens[b][k] != second.answer.tokens[b][k]);
        }
    }
    for p in second.answer.confidence.iter().chain(&second.scratch.confidence).flatten() {
        assert!(*p > 0.0 && *p <= 1.0, "{p}");
    }
    // q values equal the model's head.
    let (q_halt, _) = model.q_values(&stepper.carry().y).unwrap();
    assert_eq!(second.q_halt, q_halt.to_vec1::<f32>().unwrap());
}

#[test]
fn bad_inputs_are_errors() {
    let model = model("att_rope");
    let (tokens, ids) = inputs("att_rope");
    let short = tokens.narrow(1, 0, 10).unwrap();
    assert!(matches!(Stepper::new(&model, &short, &ids), Err(Error::InvalidArgument(_))));
    let bad_ids = Tensor::new(&[0u32, 1, 99], tokens.device()).unwrap();
    assert!(matches!(Stepper::new(&model, &tokens, &bad_ids), Err(Error::InvalidArgument(_))));
}

#[test]
fn a_recorded_carry_continues_like_the_official_code() {
    use trm_core::Carry;
    let name = "att_rope";
    let model = model(name);
    let (tokens, ids) = inputs(name);
    let io = candle_core::safetensors::load_buffer(&read(name, "io.safetensors"), &candle_core::Device::Cpu).unwrap();
    let carry = Carry { y: io["step07.z_H"].clone(), z: io["step07.z_L"].clone() };
    let mut stepper = Stepper::new(&model, &tokens, &ids).unwrap().with_carry(carry).unwrap();
    stepper.supervision_step().unwrap();
    assert!(max_diff(&stepper.answer_logits().unwrap(), &io["step08.logits"]) < 1e-4);
    let wrong = Carry { y: io["step07.z_H"].narrow(1, 0, 10).unwrap(), z: io["step07.z_L"].clone() };
    assert!(matches!(Stepper::new(&model, &tokens, &ids).unwrap().with_carry(wrong), Err(Error::InvalidArgument(_))));
}

#[test]
fn softmax_confidences_are_optional() {
    use trm_core::stepper::Normalisation;
    let model = model("mlp_t");
    let (tokens, ids) = inputs("mlp_t");
    let mut stepper = Stepper::new(&model, &tokens, &ids).unwrap();
    stepper.supervision_step().unwrap();
    let stable = stepper.snapshot().unwrap();
    stepper.set_normalisation(Normalisation::Softmax);
    let soft = stepper.snapshot().unwrap();
    assert_eq!(stable.answer.tokens, soft.answer.tokens, "the argmax does not depend on the normalisation");
    assert_ne!(stable.answer.confidence, soft.answer.confidence);
    assert!(soft.answer.confidence.iter().flatten().all(|&p| p > 0.0 && p <= 1.0));
}
