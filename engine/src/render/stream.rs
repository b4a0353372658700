//! The streaming path: the first audio comes after the acoustic model, the decoder front and
//! one small generator chunk, not after the whole utterance.

use std::ops::ControlFlow;

use yomiage_vocoder::{SAMPLES_PER_FRAME, SAMPLE_RATE};
use yomiage_voices::VoiceId;

use super::shaper::PcmShaper;
use super::{length_scales, pause_after, renumber, scaled_phrases, Renderer};
use crate::audio::seconds_to_samples;
use crate::error::EngineError;
use crate::kokoro::norm::NormModel;
use crate::query::CheckedQuery;
use crate::sink::{Out, StreamEvent};
use crate::timeline::Timeline;

impl Renderer {
    /// Renders a checked query into `out` chunk by chunk, 24 kHz mono (the query's output rate
    /// and stereo apply to the whole path only). Stops within one chunk when `out` stops.
    pub(crate) fn stream(
        &self,
        query: &CheckedQuery,
        voice: &VoiceId,
        norm: &NormModel,
        out: &mut Out<'_>,
        phrase_offset: usize,
    ) -> Result<(), EngineError> {
        let q = query.get();
        let decoder = self.kokoro.streaming_decoder()?;
        let scales = length_scales(q);
        let phrases = scaled_phrases(q);
        let volume = q.volume_scale;
        out.audio(vec![0.0; seconds_to_samples(q.pre_phoneme_length)]);
        let chunks = self.kokoro.chunks(&phrases);
        for (i, chunk) in chunks.iter().enumerate() {
            if out.stopped() {
                return Ok(());
            }
            let prepared = self.prepare(chunk, voice, &scales)?;
            let stats = norm.at(prepared.speech_share());
            let origin = prepared.sound.start * SAMPLES_PER_FRAME;
            let mut shaper = prepared.shaper(origin);
            let chunk_start = out.samples;
            let mut timeline_sent = false;
            // Where the last timed mora ends (samples in the stream), once the timings are out.
            let mut promised_end = 0usize;
            // Timings go out as soon as the first kept sample is known, before its audio.
            let mut emit = |pcm: Vec<f32>, shaper: &PcmShaper, out: &mut Out<'_>| {
                if !timeline_sent {
                    if let Some(start) = shaper.start() {
                        let kept_end = prepared.spliced_len() - origin - start;
                        let mut t = prepared.timeline(origin + start, kept_end);
                        renumber(&mut t, chunk, phrase_offset);
                        let mut all = Timeline::default();
                        all.append(t, chunk_start as f64 / SAMPLE_RATE as f64, 0);
                        let last = all.moras.iter().map(|m| m.end).fold(0.0, f64::max);
                        promised_end = (last * f64::from(SAMPLE_RATE)).ceil() as usize;
                        out.send(StreamEvent::Timeline(all));
                        timeline_sent = true;
                    }
                }
                if !pcm.is_empty() {
                    out.audio(pcm.into_iter().map(|s| s * volume).collect());
                }
            };
            let cancel = out.cancel().clone();
            let mut stopped = false;
            let finished = yomiage_vocoder::stream(
                &decoder,
                &prepared.frames,
                &prepared.style,
                &stats,
                &self.schedule,
                prepared.sound.clone(),
                |pcm| {
                    let shaped = shaper.push(pcm);
                    emit(shaped, &shaper, out);
                    if out.stopped() || cancel.is_cancelled() {
                        stopped = true;
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                },
            )?;
            if !finished || stopped {
                out.stop();
                return Ok(());
            }
            let rest = shaper.finish();
            emit(rest, &shaper, out);
            // The timings went out before the tail was trimmed, so a sentence's last mora may
            // be announced to end a little after its sound fades (the whole path clamps it).
            if promised_end > out.samples {
                tracing::debug!(
                    "last mora announced {} samples past the audible end",
                    promised_end - out.samples
                );
            }
            if i + 1 < chunks.len() {
                out.audio(vec![0.0; seconds_to_samples(pause_after(chunk, q))]);
            }
        }
        out.audio(vec![0.0; seconds_to_samples(q.post_phoneme_length)]);
        Ok(())
    }
}
