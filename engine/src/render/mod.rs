//! From accent phrases with lengths and pitches to PCM and timings: the voice model's
//! acoustics, the accent written into F0, then the whole-utterance decoder
//! ([`Renderer::whole`]) or the streaming one ([`Renderer::stream`]).

mod prepared;
mod shaper;
mod stream;
#[cfg(feature = "bench")]
mod variants;

use std::sync::Arc;

use yomiage_frontend::AccentPhrase;
use yomiage_vocoder::{ChunkSchedule, SAMPLES_PER_FRAME};
use yomiage_voices::VoiceId;

use crate::audio::{seconds_to_samples, Audio, Synthesis};
use crate::error::EngineError;
use crate::kokoro::chunk::Chunk;
use crate::kokoro::norm::NormModel;
use crate::kokoro::plan::LengthScales;
use crate::kokoro::Kokoro;
use crate::options::AccentMode;
use crate::prosody::{self, ContourParams};
use crate::query::{AudioQuery, CheckedQuery};
use crate::sink::CancelToken;
use crate::timeline::Timeline;
pub(crate) use prepared::PreparedChunk;
#[cfg(feature = "bench")]
pub use variants::DecodeVariants;

/// F0 points per second (two per 25 ms frame).
const F0_RATE: f32 = 80.0;

/// The voice model with the accent contour and the streaming schedule.
pub struct Renderer {
    pub(crate) kokoro: Kokoro,
    pub(crate) contour: ContourParams,
    pub(crate) schedule: ChunkSchedule,
}

impl Renderer {
    pub fn new(kokoro: Kokoro) -> Self {
        Renderer {
            kokoro,
            contour: ContourParams::default(),
            schedule: ChunkSchedule::default(),
        }
    }

    /// Fills mora lengths and pitches for phrases (from text, from kana or after an accent
    /// edit): the voice's lengths, and its pitch with the accent imposed (or its own melody).
    pub fn predict(
        &self,
        mut phrases: Vec<AccentPhrase>,
        voice: &VoiceId,
        accent: AccentMode,
    ) -> Result<Vec<AccentPhrase>, EngineError> {
        for chunk in self.kokoro.chunks(&phrases) {
            let mut local = chunk.phrases;
            self.kokoro.predict(&mut local, voice)?;
            // Write back into the caller's phrase (a cut phrase comes back piece by piece).
            for (p, phrase) in local.iter().enumerate() {
                let (orig, offset) = chunk.origin[p];
                if let Some(target) = phrases.get_mut(orig) {
                    for (k, m) in phrase.moras.iter().enumerate() {
                        if let Some(t) = target.moras.get_mut(offset + k) {
                            *t = m.clone();
                        }
                    }
                    if let (Some(src), Some(dst)) = (&phrase.pause_mora, target.pause_mora.as_mut())
                    {
                        *dst = src.clone();
                    }
                }
            }
        }
        if accent == AccentMode::Imposed {
            prosody::impose_accent(&mut phrases, &self.contour);
        }
        Ok(phrases)
    }

    /// Durations, F0 with the accent imposed, and where pauses get silence, for one model call.
    fn prepare(
        &self,
        chunk: &Chunk,
        voice: &VoiceId,
        scales: &LengthScales,
    ) -> Result<PreparedChunk, EngineError> {
        let a = self.kokoro.acoustics(&chunk.phrases, voice, scales)?;
        let mut frames = a.frames;
        let mut spans = Vec::new();
        let mut targets = Vec::new();
        for (phrase, frames_of) in chunk.phrases.iter().zip(&a.mora_frames) {
            for (m, f) in phrase.moras.iter().zip(frames_of) {
                if let Some(span) = f.f0_span() {
                    spans.push(span);
                    targets.push((m.pitch > 0.0).then_some(m.pitch));
                }
            }
        }
        prosody::impose_targets(
            frames.f0_mut(),
            &spans,
            &targets,
            self.contour.detail,
            self.contour.smoothing,
            F0_RATE,
        );
        let total = frames.frames() * SAMPLES_PER_FRAME;
        let inserts = a
            .silences
            .iter()
            .map(|&(frame, secs)| {
                (
                    (frame * SAMPLES_PER_FRAME).min(total),
                    seconds_to_samples(secs),
                )
            })
            .collect();
        let sound = prepared::sound_frames(&a.mora_frames, frames.frames());
        Ok(PreparedChunk {
            phrases: chunk.phrases.clone(),
            frames,
            style: a.style,
            inserts,
            mora_frames: a.mora_frames,
            pause_frames: a.pause_frames,
            sound,
        })
    }

    /// Renders a checked query whole, 24 kHz mono with its silences and volume (the output
    /// rate and channels are applied by the caller). `None` once `cancel` stops it (checked
    /// between model calls).
    pub(crate) fn whole(
        &self,
        query: &CheckedQuery,
        voice: &VoiceId,
        cancel: &CancelToken,
    ) -> Result<Option<Synthesis>, EngineError> {
        let q = query.get();
        let scales = length_scales(q);
        let phrases = scaled_phrases(q);
        let mut pcm: Vec<f32> = vec![0.0; seconds_to_samples(q.pre_phoneme_length)];
        let mut timeline = Timeline::default();
        let chunks = self.kokoro.chunks(&phrases);
        for (i, chunk) in chunks.iter().enumerate() {
            if cancel.is_cancelled() {
                return Ok(None);
            }
            let prepared = self.prepare(chunk, voice, &scales)?;
            let voiced = self.kokoro.decode(&prepared.frames, &prepared.style)?;
            let mut shaper = prepared.shaper(0);
            let mut chunk_pcm = shaper.push(&voiced);
            chunk_pcm.extend(shaper.finish());
            // The model often gives a final vowel frames that it renders as fading silence;
            // the timeline ends where the sound ends, so lip-sync closes the mouth with the audio.
            let audible = chunk_pcm
                .len()
                .saturating_sub(seconds_to_samples(prepared::EDGE_MARGIN));
            let mut t = prepared.timeline(shaper.start().unwrap_or(0), audible);
            renumber(&mut t, chunk, 0);
            timeline.append(t, pcm.len() as f64 / yomiage_vocoder::SAMPLE_RATE as f64, 0);
            pcm.extend_from_slice(&chunk_pcm);
            if i + 1 < chunks.len() {
                // The pause at a cut was trimmed with the chunk's edge silence: put it back.
                pcm.resize(pcm.len() + seconds_to_samples(pause_after(chunk, q)), 0.0);
            }
        }
        pcm.resize(pcm.len() + seconds_to_samples(q.post_phoneme_length), 0.0);
        for s in &mut pcm {
            *s *= q.volume_scale;
        }
        Ok(Some(Synthesis {
            audio: Audio {
                samples: pcm,
                sample_rate: yomiage_vocoder::SAMPLE_RATE,
                channels: 1,
            },
            timeline,
        }))
    }

    /// Whether `voice` can stream without first calibrating.
    pub fn streaming_ready(&self, voice: &VoiceId) -> bool {
        self.kokoro.streaming_ready(voice)
    }

    /// The streaming statistics for `voice`, calibrated on `queries` the first time.
    pub(crate) fn norm_stats(
        &self,
        voice: &VoiceId,
        queries: impl FnOnce() -> Result<Vec<AudioQuery>, EngineError>,
    ) -> Result<Arc<NormModel>, EngineError> {
        self.kokoro.norm_stats(voice, || {
            let scales = LengthScales::UNSCALED;
            let mut samples = Vec::new();
            for query in queries()? {
                for chunk in self.kokoro.chunks(&query.accent_phrases) {
                    let p = self.prepare(&chunk, voice, &scales)?;
                    samples.push((p.speech_share(), p.frames, p.style));
                }
            }
            Ok(samples)
        })
    }
}

fn length_scales(q: &AudioQuery) -> LengthScales {
    LengthScales {
        speed: q.speed_scale,
        pause_length: q.pause_length,
        pause_scale: q.pause_length_scale,
    }
}

/// Seconds of the pause after a chunk's last phrase (0 if it has none), as the query scales it.
fn pause_after(chunk: &Chunk, q: &AudioQuery) -> f32 {
    chunk
        .phrases
        .last()
        .and_then(|p| p.pause_mora.as_ref())
        .map_or(0.0, |p| {
            q.pause_length.unwrap_or(p.vowel_length) * q.pause_length_scale / q.speed_scale
        })
}

/// The query's phrases with its pitch and intonation scales applied (to all voiced moras at
/// once, as VOICEVOX does).
fn scaled_phrases(q: &AudioQuery) -> Vec<AccentPhrase> {
    let mut pitches: Vec<f32> = q
        .accent_phrases
        .iter()
        .flat_map(|p| p.moras.iter().map(|m| m.pitch))
        .collect();
    prosody::scale_pitches(&mut pitches, q.intonation_scale, q.pitch_scale);
    let mut phrases = q.accent_phrases.clone();
    for (m, p) in phrases
        .iter_mut()
        .flat_map(|ph| ph.moras.iter_mut())
        .zip(pitches)
    {
        m.pitch = p;
    }
    phrases
}

/// Numbers a model call's timeline as in the query (plus `phrase_offset` for earlier sentences).
fn renumber(t: &mut Timeline, chunk: &Chunk, phrase_offset: usize) {
    for m in &mut t.moras {
        let (orig, offset) = chunk.origin[m.phrase];
        m.phrase = orig + phrase_offset;
        m.mora += offset;
    }
}
