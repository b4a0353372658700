//! A benchmark and test hook (feature `bench`): one model call decoded four ways, for
//! measuring the streaming scheme against the whole-utterance decoders.

use std::ops::ControlFlow;

use yomiage_vocoder::{ChunkSchedule, SAMPLES_PER_FRAME};
use yomiage_voices::VoiceId;

use super::{length_scales, scaled_phrases, Renderer};
use crate::error::EngineError;
use crate::kokoro::norm::NormModel;
use crate::kokoro::stages::{NormStats, HARMONICS};
use crate::query::CheckedQuery;

/// See [`Renderer::decode_variants`]. All at 24 kHz, the same length.
#[derive(Debug, Clone)]
pub struct DecodeVariants {
    pub chunked: Vec<f32>,
    pub whole_fixed: Vec<f32>,
    /// What `synth` renders (on the CPU with int8).
    pub whole_own: Vec<f32>,
    /// The original model's dynamic-int8 decoder (what `synth` rendered before).
    pub whole_int8: Vec<f32>,
    /// The float generator with its own statistics: the reference for both.
    pub whole_float: Vec<f32>,
    /// Sample positions where one chunk ends and the next begins.
    pub joins: Vec<usize>,
}

impl Renderer {
    /// The first model call of `query` decoded five ways: chunked with `schedule` (as
    /// streamed), whole with the same fixed statistics, whole with its own statistics (the
    /// streaming generator, int8 or float), and the whole-utterance decoder that
    /// [`Renderer::whole`] uses. No edge trimming or pause silence; the same frames for all.
    pub(crate) fn decode_variants(
        &self,
        query: &CheckedQuery,
        voice: &VoiceId,
        norm: &NormModel,
        schedule: &ChunkSchedule,
    ) -> Result<DecodeVariants, EngineError> {
        let q = query.get();
        let phrases = scaled_phrases(q);
        let chunk = self
            .kokoro
            .chunks(&phrases)
            .into_iter()
            .next()
            .ok_or(EngineError::NothingToSay)?;
        let p = self.prepare(&chunk, voice, &length_scales(q))?;
        let stats = norm.at(p.speech_share());
        let decoder = self.kokoro.streaming_decoder()?;
        let f = &p.frames;
        let n = f.frames();
        let mut chunked = Vec::new();
        yomiage_vocoder::stream(&decoder, f, &p.style, &stats, schedule, 0..n, |pcm| {
            chunked.extend_from_slice(pcm);
            ControlFlow::Continue(())
        })?;
        let x = decoder
            .front
            .run(f.asr(), f.f0(), f.energy(), n, &p.style)?;
        let zero = [0.0; HARMONICS];
        let (whole_fixed, _) =
            decoder
                .generator
                .run(&x, f.f0(), &p.style, &zero, NormStats::Fixed(&stats))?;
        let (whole_own, _) = decoder
            .generator
            .run(&x, f.f0(), &p.style, &zero, NormStats::Own)?;
        let whole_int8 = self.kokoro.decode_with_decoder(f, &p.style)?;
        let whole_float = self.kokoro.decode_float_reference(&x, f, &p.style)?;
        let joins = schedule
            .chunks(0..n)
            .iter()
            .skip(1)
            .map(|c| c.start * SAMPLES_PER_FRAME)
            .collect();
        Ok(DecodeVariants {
            chunked,
            whole_fixed,
            whole_own,
            whole_int8,
            whole_float,
            joins,
        })
    }
}
