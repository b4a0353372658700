//! The decoder graphs behind the vocoder crate's traits, so chunk scheduling lives there
//! without ONNX Runtime.

use yomiage_vocoder::{AcousticFrames, Decoder, StreamingDecoder, VocoderError, HARMONICS};

use super::stages::{DecoderFrontModel, DecoderModel, GeneratorModel, NormStats};

pub(crate) struct OnnxDecoder<'a>(pub &'a DecoderModel);

impl Decoder for OnnxDecoder<'_> {
    fn decode(&self, f: &AcousticFrames, style: &[f32]) -> Result<Vec<f32>, VocoderError> {
        self.0
            .run(f.asr(), f.f0(), f.energy(), f.frames(), style)
            .map_err(|e| VocoderError::Decoder(Box::new(e)))
    }
}

/// The streaming pair: the frame-rate front once per utterance, the generator per chunk — or
/// once over the whole utterance with its own statistics, as the model itself decodes.
pub(crate) struct OnnxStreaming<'a> {
    pub front: &'a DecoderFrontModel,
    pub generator: &'a GeneratorModel,
}

impl StreamingDecoder for OnnxStreaming<'_> {
    fn front(&self, f: &AcousticFrames, style: &[f32]) -> Result<Vec<f32>, VocoderError> {
        let t = std::time::Instant::now();
        let x = self
            .front
            .run(f.asr(), f.f0(), f.energy(), f.frames(), style)
            .map_err(|e| VocoderError::Decoder(Box::new(e)))?;
        tracing::debug!(
            frames = f.frames(),
            ms = t.elapsed().as_millis(),
            "decoder front"
        );
        Ok(x)
    }
    fn generate(
        &self,
        x: &[f32],
        f0: &[f32],
        style: &[f32],
        phase: &[f32; HARMONICS],
        stats: &[f32],
    ) -> Result<Vec<f32>, VocoderError> {
        let t = std::time::Instant::now();
        let pcm = self
            .generator
            .run(x, f0, style, phase, NormStats::Fixed(stats))
            .map(|(pcm, _)| pcm)
            .map_err(|e| VocoderError::Decoder(Box::new(e)))?;
        tracing::debug!(
            frames = f0.len() / 2,
            ms = t.elapsed().as_millis(),
            "generator chunk"
        );
        Ok(pcm)
    }
}

impl Decoder for OnnxStreaming<'_> {
    fn decode(&self, f: &AcousticFrames, style: &[f32]) -> Result<Vec<f32>, VocoderError> {
        let x = StreamingDecoder::front(self, f, style)?;
        let t = std::time::Instant::now();
        let pcm = self
            .generator
            .run(&x, f.f0(), style, &[0.0; HARMONICS], NormStats::Own)
            .map(|(pcm, _)| pcm)
            .map_err(|e| VocoderError::Decoder(Box::new(e)))?;
        tracing::debug!(
            frames = f.frames(),
            ms = t.elapsed().as_millis(),
            "generator, whole utterance"
        );
        Ok(pcm)
    }
}
