//! The acoustic model: durations per token, then F0 and energy on frames whose lengths the
//! caller chose. The model is cut before its alignment so durations can be edited.

use super::stages::{DurationModel, ProsodyModel, TokenFeatures, D_DIM, T_EN_DIM};
use crate::onnx::RuntimeError;
use yomiage_vocoder::{AcousticFrames, VocoderError};

#[derive(Debug, thiserror::Error)]
pub enum AcousticError {
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    #[error(transparent)]
    Frames(#[from] VocoderError),
    #[error("durations must be one per token ({tokens}), each at least 1 frame")]
    Durations { tokens: usize },
}

/// Expands per-token features to frames: each token's column is repeated for its duration.
/// Equivalent to the graph's multiplication by the 0/1 alignment matrix, and exact
/// (one non-zero term per sum).
fn align(features: &TokenFeatures, durations: &[u32]) -> (Vec<f32>, Vec<f32>, usize) {
    let tokens = durations.len();
    let frames: usize = durations.iter().map(|&d| d as usize).sum();
    let mut d_aligned = vec![0.0f32; D_DIM * frames];
    let mut asr = vec![0.0f32; T_EN_DIM * frames];
    let mut j = 0;
    for (i, &dur) in durations.iter().enumerate() {
        for _ in 0..dur {
            for c in 0..D_DIM {
                d_aligned[c * frames + j] = features.d[i * D_DIM + c];
            }
            for c in 0..T_EN_DIM {
                asr[c * frames + j] = features.t_en[c * tokens + i];
            }
            j += 1;
        }
    }
    (d_aligned, asr, frames)
}

/// Runs the duration stage; the caller may edit the returned durations before [`frames`].
pub fn token_features(
    model: &DurationModel,
    tokens: &[i64],
    style: &[f32],
    speed: f32,
) -> Result<TokenFeatures, AcousticError> {
    Ok(model.run(tokens, style, speed)?)
}

/// F0, energy and aligned text features for the given per-token durations.
pub fn frames(
    model: &ProsodyModel,
    features: &TokenFeatures,
    durations: &[u32],
    style: &[f32],
) -> Result<AcousticFrames, AcousticError> {
    if durations.len() != features.durations.len() || durations.contains(&0) {
        return Err(AcousticError::Durations {
            tokens: features.durations.len(),
        });
    }
    let (d_aligned, asr, n) = align(features, durations);
    let (f0, energy) = model.run(&d_aligned, n, style)?;
    Ok(AcousticFrames::new(n, asr, f0, energy)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_repeats_each_token_for_its_duration() {
        let tokens = 3;
        let features = TokenFeatures {
            durations: vec![1, 2, 1],
            raw_durations: vec![1.0, 2.0, 1.0],
            d: (0..tokens * D_DIM).map(|x| (x / D_DIM) as f32).collect(),
            t_en: (0..T_EN_DIM * tokens)
                .map(|x| (x % tokens) as f32 * 10.0)
                .collect(),
        };
        let (d, asr, frames) = align(&features, &[1, 2, 1]);
        assert_eq!(frames, 4);
        // channel 5 over frames: token 0, 1, 1, 2
        assert_eq!(&d[5 * frames..6 * frames], &[0.0, 1.0, 1.0, 2.0]);
        assert_eq!(&asr[7 * frames..8 * frames], &[0.0, 10.0, 10.0, 20.0]);
    }
}
