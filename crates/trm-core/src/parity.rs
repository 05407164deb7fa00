//! Parity with the official implementation: compare this crate's numbers with fixtures recorded from
//! the official PyTorch code (`io.safetensors` of a fixture folder).
//!
//! Which points compare tightly (from the fixtures' README): the input embeddings, the sublayer outputs
//! of the first network call, the states of supervision step 0, its logits and q values, and every
//! teacher-forced step (started from the recorded carry of the step before). The recurrence of a random
//! model is chaotic, so free-running steps past 0 are not compared value by value; the step counters
//! and halting flags of the 16-step evaluation loop are compared exactly.

use std::collections::HashMap;

use candle_core::{DType, Device, Tensor};

use crate::model::{Carry, Trm};
use crate::{Error, Result};

/// Absolute and relative tolerance: `|ours − reference| ≤ atol + rtol · |reference|`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    pub atol: f64,
    pub rtol: f64,
}

impl Tolerance {
    /// The fixtures' suggestion: 1e-4 for attention models, 5e-4 for `mlp_t` ones; rtol 1e-4.
    pub fn for_model(model: &Trm) -> Self {
        Tolerance { atol: if model.config().mlp_t { 5e-4 } else { 1e-4 }, rtol: 1e-4 }
    }
}

/// One compared quantity.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub quantity: String,
    /// Largest `|ours − reference|`.
    pub max_abs_error: f64,
    /// Largest `|ours − reference| − rtol·|reference|` minus atol; ≤ 0 passes.
    pub worst_excess: f64,
    pub passed: bool,
}

/// All comparisons of one fixture.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParityReport {
    pub comparisons: Vec<Comparison>,
}

impl ParityReport {
    /// The first failing quantity, if any.
    pub fn first_failure(&self) -> Option<&Comparison> {
        self.comparisons.iter().find(|c| !c.passed)
    }
}

struct Checker {
    tolerance: Tolerance,
    report: ParityReport,
}

impl Checker {
    fn compare(&mut self, quantity: impl Into<String>, ours: &Tensor, reference: &Tensor) -> Result<()> {
        let quantity = quantity.into();
        if ours.dims() != reference.dims() {
            return Err(Error::InvalidArgument(format!(
                "{quantity}: shape {:?} differs from the reference {:?}",
                ours.dims(),
                reference.dims()
            )));
        }
        let a = ours.to_dtype(DType::F64)?.flatten_all()?.to_vec1::<f64>()?;
        let b = reference.to_dtype(DType::F64)?.flatten_all()?.to_vec1::<f64>()?;
        let (mut max_abs, mut worst) = (0.0f64, f64::NEG_INFINITY);
        for (x, y) in a.iter().zip(&b) {
            let err = (x - y).abs();
            let err = if err.is_nan() { f64::INFINITY } else { err };
            max_abs = max_abs.max(err);
            worst = worst.max(err - self.tolerance.atol - self.tolerance.rtol * y.abs());
        }
        self.report.comparisons.push(Comparison {
            quantity,
            max_abs_error: max_abs,
            worst_excess: worst,
            passed: worst <= 0.0,
        });
        Ok(())
    }

    fn exact(&mut self, quantity: impl Into<String>, ours: &[i64], reference: &[i64]) {
        let max_abs = ours.iter().zip(reference).map(|(a, b)| (a - b).abs() as f64).fold(0.0, f64::max);
        let passed = ours == reference;
        let worst_excess = if passed { 0.0 } else { max_abs.max(1.0) };
        self.report.comparisons.push(Comparison {
            quantity: quantity.into(),
            max_abs_error: max_abs,
            worst_excess,
            passed,
        });
    }
}

/// The recorded tensors of a fixture (`io.safetensors`).
pub struct Recording {
    tensors: HashMap<String, Tensor>,
}

impl Recording {
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let tensors = candle_core::safetensors::load_buffer(bytes, &Device::Cpu)
            .map_err(|e| Error::Format(format!("io.safetensors: {e}")))?;
        Ok(Self { tensors })
    }

    fn get(&self, key: &str) -> Result<&Tensor> {
        self.tensors.get(key).ok_or_else(|| Error::MissingTensor { key: format!("io.safetensors: {key}") })
    }

    /// Puzzle tokens per example, from the recorded inputs.
    pub fn seq_len(&self) -> Result<usize> {
        Ok(self.get("inputs")?.dim(1)?)
    }

    fn has(&self, key: &str) -> bool {
        self.tensors.contains_key(key)
    }
}

/// Compares `model` with `recording` at every tight point; see the module docs.
pub fn compare(model: &Trm, recording: &Recording) -> Result<ParityReport> {
    let c = model.config().clone();
    let mut check = Checker { tolerance: Tolerance::for_model(model), report: ParityReport::default() };
    let tokens = recording.get("inputs")?.to_dtype(DType::U32)?;
    let ids = recording.get("puzzle_identifiers")?.to_dtype(DType::U32)?;
    let batch = tokens.dim(0)?;

    // Input embeddings.
    let x = model.input_embeddings(&tokens, &ids)?;
    check.compare("input_embeddings", &x, recording.get("step00.input_embeddings")?)?;

    // Step 0, free-running from the initial carry, with the first call's sublayer outputs and every
    // intermediate state.
    let mut carry = model.initial_carry(batch)?;
    let mixer = if c.mlp_t { "mlp_t_out" } else { "attn_out" };
    for h in 0..c.h_cycles {
        for l in 0..c.l_cycles {
            let mut trace = Vec::new();
            let first = h == 0 && l == 0;
            carry.z = model.latent_update(&carry, &x, first.then_some(&mut trace))?;
            for (j, layer) in trace.iter().enumerate() {
                let p = format!("step00.trace.h0.l0.layer{j}");
                check.compare(format!("{p}.{mixer}"), &layer.mixer_out, recording.get(&format!("{p}.{mixer}"))?)?;
                check.compare(format!("{p}.mlp_out"), &layer.mlp_out, recording.get(&format!("{p}.mlp_out"))?)?;
                check.compare(format!("{p}.out"), &layer.out, recording.get(&format!("{p}.out"))?)?;
            }
            let key = format!("step00.trace.h{h}.l{l}.z_L");
            check.compare(&key, &carry.z, recording.get(&key)?)?;
        }
        carry.y = model.answer_refresh(&carry)?;
        let key = format!("step00.trace.h{h}.z_H");
        check.compare(&key, &carry.y, recording.get(&key)?)?;
    }
    compare_outputs(&mut check, model, &carry, recording, 0)?;

    // Teacher-forced steps: start from the recorded carry of the step before.
    for step in 1..c.halt_max_steps {
        let prev = format!("step{:02}", step - 1);
        if !recording.has(&format!("{prev}.z_H")) {
            continue;
        }
        let start = Carry {
            y: recording.get(&format!("{prev}.z_H"))?.clone(),
            z: recording.get(&format!("{prev}.z_L"))?.clone(),
        };
        let carry = model.supervision_step(&start, &x)?;
        compare_outputs(&mut check, model, &carry, recording, step)?;
    }

    // The evaluation loop's counters: every example runs all steps and halts only at the last.
    let mut ours_steps = Vec::new();
    let mut ref_steps = Vec::new();
    let mut ours_halted = Vec::new();
    let mut ref_halted = Vec::new();
    for step in 0..c.halt_max_steps {
        let key = format!("step{step:02}");
        ref_steps.extend(recording.get(&format!("{key}.steps"))?.to_dtype(DType::I64)?.to_vec1::<i64>()?);
        ref_halted.extend(recording.get(&format!("{key}.halted"))?.to_dtype(DType::I64)?.to_vec1::<i64>()?);
        let done = step + 1;
        ours_steps.extend(std::iter::repeat_n(done as i64, batch));
        ours_halted.extend(std::iter::repeat_n(i64::from(done >= c.halt_max_steps), batch));
    }
    check.exact("eval.steps", &ours_steps, &ref_steps);
    check.exact("eval.halted", &ours_halted, &ref_halted);
    Ok(check.report)
}

fn compare_outputs(check: &mut Checker, model: &Trm, carry: &Carry, recording: &Recording, step: usize) -> Result<()> {
    let key = format!("step{step:02}");
    check.compare(format!("{key}.logits"), &model.logits(&carry.y)?, recording.get(&format!("{key}.logits"))?)?;
    let (q_halt, q_continue) = model.q_values(&carry.y)?;
    check.compare(format!("{key}.q_halt"), &q_halt, recording.get(&format!("{key}.q_halt"))?)?;
    check.compare(format!("{key}.q_continue"), &q_continue, recording.get(&format!("{key}.q_continue"))?)?;
    if recording.has(&format!("{key}.z_H")) {
        check.compare(format!("{key}.z_H"), &carry.y, recording.get(&format!("{key}.z_H"))?)?;
        check.compare(format!("{key}.z_L"), &carry.z, recording.get(&format!("{key}.z_L"))?)?;
    }
    Ok(())
}
