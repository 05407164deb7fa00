//! Fresh weights with the official initialisation (reference §3): truncated-normal LeCun init for
//! every linear layer, `1/sqrt(D)` for embeddings, zero `q_head` weight with bias −5, unit-scale
//! `H_init`/`L_init`, zero puzzle embeddings. Deterministic for a seed on every platform (its own
//! SplitMix64 generator), so benchmarks and tests are reproducible and the trainer can start here.

use candle_core::{Device, Tensor};

use crate::Result;
use crate::checkpoint::{TensorMap, expected_tensors};
use crate::config::TrmConfig;

/// The official truncation correction: a normal truncated at ±2 has standard deviation 0.8796;
/// scaling by this factor restores the target σ.
const TRUNCATION_STD_CORRECTION: f64 = 1.136_847_2;

/// SplitMix64: small, fast, and the same on every target.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal truncated to [-2, 2] (Box–Muller with rejection).
    fn truncated_normal(&mut self) -> f64 {
        loop {
            let (u1, u2) = (self.uniform(), self.uniform());
            let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            if z.abs() <= 2.0 {
                return z;
            }
        }
    }
}

fn trunc_normal(rng: &mut SplitMix64, dims: &[usize], std: f64) -> Result<Tensor> {
    let n: usize = dims.iter().product();
    let scale = std * TRUNCATION_STD_CORRECTION;
    let values: Vec<f32> = (0..n).map(|_| (rng.truncated_normal() * scale) as f32).collect();
    Ok(Tensor::from_vec(values, dims, &Device::Cpu)?)
}

/// Every tensor of a fresh model of `config`, under the stripped official keys.
pub fn official_init(config: &TrmConfig, seed: u64) -> Result<TensorMap> {
    let mut rng = SplitMix64(seed);
    let d = config.hidden_size as f64;
    let mut map = TensorMap::new();
    for (key, dims) in expected_tensors(config) {
        let tensor = match key.as_str() {
            "H_init" | "L_init" => trunc_normal(&mut rng, &dims, 1.0)?,
            "embed_tokens.embedding_weight" | "embed_pos.embedding_weight" => {
                trunc_normal(&mut rng, &dims, 1.0 / d.sqrt())?
            }
            "q_head.weight" | "puzzle_emb.weights" => {
                Tensor::zeros(dims.as_slice(), candle_core::DType::F32, &Device::Cpu)?
            }
            "q_head.bias" => Tensor::full(-5f32, dims.as_slice(), &Device::Cpu)?,
            // Linear weights [out, in]: LeCun, σ = 1/sqrt(fan_in).
            _ => trunc_normal(&mut rng, &dims, 1.0 / (dims[1] as f64).sqrt())?,
        };
        map.insert(key, tensor);
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_normal_has_the_target_std_and_bounds() {
        let mut rng = SplitMix64(7);
        let t = trunc_normal(&mut rng, &[200_000], 0.5).unwrap().to_vec1::<f32>().unwrap();
        let mean = t.iter().map(|&v| v as f64).sum::<f64>() / t.len() as f64;
        let var = t.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / t.len() as f64;
        assert!(mean.abs() < 0.01, "{mean}");
        assert!((var.sqrt() - 0.5).abs() < 0.01, "{}", var.sqrt());
        let bound = 2.0 * 0.5 * TRUNCATION_STD_CORRECTION as f32 + 1e-6;
        assert!(t.iter().all(|v| v.abs() <= bound));
    }

    #[test]
    fn same_seed_same_weights() {
        let mut a = SplitMix64(42);
        let mut b = SplitMix64(42);
        assert_eq!(
            (0..10).map(|_| a.next_u64()).collect::<Vec<_>>(),
            (0..10).map(|_| b.next_u64()).collect::<Vec<_>>()
        );
    }
}
