//! The decoder stage: frame-rate acoustic features (aligned text features, F0, energy) to PCM.
//!
//! The neural decoder itself is run by the engine's ONNX layer and reaches this crate through
//! [`Decoder`] (whole utterances) and [`StreamingDecoder`] (front + chunked generator), so this
//! crate owns the *scheduling* of decoding without depending on ONNX Runtime.

pub mod stream;
pub use stream::{phase_before, stream, ChunkSchedule, StreamingDecoder, HARMONICS};

/// Output sample rate of the voice model.
pub const SAMPLE_RATE: u32 = 24_000;
/// One acoustic frame is 25 ms: 600 samples at 24 kHz.
pub const SAMPLES_PER_FRAME: usize = 600;
/// Channels of the aligned text features ("asr") the decoder reads.
pub const ASR_DIM: usize = 512;

#[derive(Debug, thiserror::Error)]
pub enum VocoderError {
    #[error("acoustic frames are inconsistent: {0}")]
    Shape(String),
    #[error("decoder failed: {0}")]
    Decoder(Box<dyn std::error::Error + Send + Sync>),
}

/// Frame-rate features for one utterance, as the decoder consumes them.
#[derive(Debug, Clone, PartialEq)]
pub struct AcousticFrames {
    frames: usize,
    asr: Vec<f32>,
    f0: Vec<f32>,
    energy: Vec<f32>,
}

impl AcousticFrames {
    /// `asr` is channel-major `[ASR_DIM][frames]`; `f0` (Hz) and `energy` have two values per frame.
    pub fn new(
        frames: usize,
        asr: Vec<f32>,
        f0: Vec<f32>,
        energy: Vec<f32>,
    ) -> Result<Self, VocoderError> {
        if frames == 0 {
            return Err(VocoderError::Shape("no frames".into()));
        }
        if asr.len() != ASR_DIM * frames || f0.len() != 2 * frames || energy.len() != 2 * frames {
            return Err(VocoderError::Shape(format!(
                "{frames} frames need {} asr, {} F0 and energy values; got {}, {}, {}",
                ASR_DIM * frames,
                2 * frames,
                asr.len(),
                f0.len(),
                energy.len()
            )));
        }
        Ok(AcousticFrames {
            frames,
            asr,
            f0,
            energy,
        })
    }
    pub fn frames(&self) -> usize {
        self.frames
    }
    pub fn asr(&self) -> &[f32] {
        &self.asr
    }
    /// F0 in Hz at 12.5 ms steps (two per frame).
    pub fn f0(&self) -> &[f32] {
        &self.f0
    }
    /// Mutable F0, for the prosody controller to write the accent into.
    pub fn f0_mut(&mut self) -> &mut [f32] {
        &mut self.f0
    }
    pub fn energy(&self) -> &[f32] {
        &self.energy
    }
    pub fn duration_seconds(&self) -> f64 {
        (self.frames * SAMPLES_PER_FRAME) as f64 / SAMPLE_RATE as f64
    }
}

/// A neural decoder that turns a whole set of frames into samples (600 per frame), conditioned
/// on the voice's style vector.
pub trait Decoder {
    fn decode(&self, frames: &AcousticFrames, style: &[f32]) -> Result<Vec<f32>, VocoderError>;
}

/// Runs a [`Decoder`] and checks what it returns.
pub struct Vocoder<D> {
    decoder: D,
}

impl<D: Decoder> Vocoder<D> {
    pub fn new(decoder: D) -> Self {
        Vocoder { decoder }
    }

    /// Decodes the whole utterance at once.
    pub fn render(&self, frames: &AcousticFrames, style: &[f32]) -> Result<Vec<f32>, VocoderError> {
        let pcm = self.decoder.decode(frames, style)?;
        let want = frames.frames() * SAMPLES_PER_FRAME;
        if pcm.len() != want {
            return Err(VocoderError::Shape(format!(
                "decoder returned {} samples for {} frames (expected {want})",
                pcm.len(),
                frames.frames()
            )));
        }
        Ok(pcm)
    }
}

/// The span of `pcm` between the first and last sample louder than `threshold`, widened by
/// `margin` samples each side. The decoder renders the pad and final-punctuation tokens as long
/// silences (≈0.3 s before, ≈0.7 s after a sentence); joining sentences needs them shortened.
/// All-quiet input gives an empty range.
pub fn voiced_span(pcm: &[f32], threshold: f32, margin: usize) -> std::ops::Range<usize> {
    let loud = |s: &&f32| s.abs() > threshold;
    match (
        pcm.iter().position(|s| loud(&s)),
        pcm.iter().rposition(|s| loud(&s)),
    ) {
        (Some(first), Some(last)) => {
            first.saturating_sub(margin)..(last + 1 + margin).min(pcm.len())
        }
        _ => 0..0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Sine;
    impl Decoder for Sine {
        fn decode(&self, f: &AcousticFrames, _: &[f32]) -> Result<Vec<f32>, VocoderError> {
            Ok((0..f.frames() * SAMPLES_PER_FRAME)
                .map(|i| (i as f32 * 0.05).sin())
                .collect())
        }
    }
    struct Short;
    impl Decoder for Short {
        fn decode(&self, _: &AcousticFrames, _: &[f32]) -> Result<Vec<f32>, VocoderError> {
            Ok(vec![0.0; 10])
        }
    }

    fn frames(n: usize) -> AcousticFrames {
        AcousticFrames::new(
            n,
            vec![0.0; ASR_DIM * n],
            vec![200.0; 2 * n],
            vec![1.0; 2 * n],
        )
        .unwrap()
    }

    #[test]
    fn mismatched_feature_lengths_are_rejected() {
        assert!(
            AcousticFrames::new(3, vec![0.0; ASR_DIM * 3], vec![0.0; 5], vec![0.0; 6]).is_err()
        );
        assert!(AcousticFrames::new(0, vec![], vec![], vec![]).is_err());
    }

    #[test]
    fn render_checks_the_sample_count() {
        assert_eq!(
            Vocoder::new(Sine).render(&frames(4), &[]).unwrap().len(),
            4 * 600
        );
        let err = Vocoder::new(Short)
            .render(&frames(4), &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("10 samples"), "{err}");
    }

    #[test]
    fn voiced_span_keeps_the_sound_and_a_margin() {
        let mut pcm = vec![0.0f32; 100];
        pcm[40] = 0.5;
        pcm[60] = -0.5;
        assert_eq!(voiced_span(&pcm, 0.01, 5), 35..66);
        assert_eq!(voiced_span(&pcm, 0.01, 80), 0..100);
        assert_eq!(voiced_span(&[0.0; 10], 0.01, 5), 0..0);
    }

    #[test]
    fn duration_follows_the_frame_rate() {
        assert!((frames(40).duration_seconds() - 1.0).abs() < 1e-9);
    }
}
