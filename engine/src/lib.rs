//! The engine: voices, ONNX Runtime sessions, the acoustic model and the synthesis pipeline.
//!
//! Data flows one way: text → [`yomiage_frontend`] (accent phrases, phonemes) → acoustic model
//! (durations, F0, energy) → [`yomiage_vocoder`] (PCM).

pub mod acoustic;
pub mod chunk;
pub mod onnx;
mod output;
pub mod prosody;
pub mod query;
pub mod render;
pub mod sentences;
pub mod timeline;
pub mod voice;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use yomiage_frontend::{AccentPhrase, Frontend, FrontendError};
use yomiage_vocoder::{
    voiced_span, AcousticFrames, Decoder, Vocoder, VocoderError, SAMPLES_PER_FRAME, SAMPLE_RATE,
};
use yomiage_voices::{Layout, Manifest, VoiceId};

use crate::acoustic::AcousticError;
use crate::chunk::chunk_phrases;
use crate::onnx::{
    DecoderModel, DurationModel, OnnxRuntime, ProsodyModel, RuntimeError, SessionOptions,
};
use crate::prosody::ContourParams;
use crate::render::{LengthScales, Plan};
use crate::timeline::{MoraTiming, PhonemeTiming, Timeline, Viseme};
use crate::voice::{Style, Vocab, VoiceError, MAX_TOKENS};

pub use crate::query::{AudioQuery, CheckedQuery, QueryError};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the text is empty")]
    EmptyText,
    #[error("the text has nothing speakable (only symbols, emoji or punctuation)")]
    NothingToSay,
    #[error(transparent)]
    Frontend(#[from] FrontendError),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    #[error(transparent)]
    Acoustic(#[from] AcousticError),
    #[error(transparent)]
    Vocoder(#[from] VocoderError),
    #[error(transparent)]
    Voice(#[from] VoiceError),
    #[error("invalid query: {0}")]
    Query(#[from] QueryError),
    #[error("resampling failed: {0}")]
    Resample(String),
}

/// Adapts the ONNX decoder stage to the vocoder crate's interface.
struct OnnxDecoder(DecoderModel);

impl Decoder for OnnxDecoder {
    fn decode(&self, f: &AcousticFrames, style: &[f32]) -> Result<Vec<f32>, VocoderError> {
        self.0
            .run(f.asr(), f.f0(), f.energy(), f.frames(), style)
            .map_err(|e| VocoderError::Decoder(Box::new(e)))
    }
}

/// Where the engine's files are; usually derived from a [`Layout`] and the manifest.
#[derive(Debug, Clone)]
pub struct EnginePaths {
    pub onnxruntime: PathBuf,
    pub models_dir: PathBuf,
    pub vocab: PathBuf,
    pub dictionary: PathBuf,
}

impl EnginePaths {
    pub fn from_layout(layout: &Layout, manifest: &Manifest) -> Self {
        EnginePaths {
            onnxruntime: layout
                .onnxruntime_dir()
                .join(manifest.onnxruntime.library_name()),
            models_dir: layout.models_dir(),
            vocab: layout.voice_source_dir().join("vocab.json"),
            dictionary: layout.dictionary_dir(),
        }
    }
}

/// Synthesized speech: interleaved samples in [-1, 1].
#[derive(Debug, Clone)]
pub struct Audio {
    pub samples: Vec<f32>,
    pub sample_rate: u32,
    pub channels: u16,
}

impl Audio {
    pub fn duration_seconds(&self) -> f64 {
        self.samples.len() as f64 / self.channels.max(1) as f64 / self.sample_rate as f64
    }
}

/// Speech and when each mora and phoneme sounds in it.
#[derive(Debug, Clone)]
pub struct Synthesis {
    pub audio: Audio,
    pub timeline: Timeline,
}

/// Options of plain-text synthesis (a query carries its own).
#[derive(Debug, Clone, Copy)]
pub struct SynthesisOptions {
    /// Speaking rate; 1 is the voice's own (VOICEVOX speedScale).
    pub speed: f32,
    /// VOICEVOX pitchScale: mora pitches (ln Hz) × 2^pitch.
    pub pitch: f32,
    /// VOICEVOX intonationScale: deviation from the mean pitch × intonation.
    pub intonation: f32,
    /// VOICEVOX volumeScale.
    pub volume: f32,
    /// Silence between sentences, in seconds.
    pub sentence_pause: f32,
    /// Silence before the first and after the last sound, in seconds (VOICEVOX's
    /// prePhonemeLength / postPhonemeLength defaults).
    pub leading_silence: f32,
    pub trailing_silence: f32,
    pub accent: AccentMode,
}

impl Default for SynthesisOptions {
    fn default() -> Self {
        SynthesisOptions {
            speed: 1.0,
            pitch: 0.0,
            intonation: 1.0,
            volume: 1.0,
            sentence_pause: 0.35,
            leading_silence: 0.1,
            trailing_silence: 0.1,
            accent: AccentMode::Imposed,
        }
    }
}

/// Where mora pitches come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccentMode {
    /// The frontend's accent, written over the model's mean pitch (yomiage's default).
    Imposed,
    /// The voice model's own melody, untouched (for comparison).
    Model,
}

/// Samples quieter than this (−40 dBFS) at a chunk's edges count as silence.
const SILENCE_THRESHOLD: f32 = 0.01;
/// Kept around the first and last loud sample so onsets and releases are not clipped.
const EDGE_MARGIN: f32 = 0.04;
/// The decoder sounds a phoneme about a token before its duration span (shared/notes/model.md).
const SOUND_LEAD: f64 = 0.025;
/// Fade into and out of silence inserted at a pause.
const PAUSE_FADE: f32 = 0.01;
/// F0 points per second (two per 25 ms frame).
const F0_RATE: f32 = 80.0;

/// A loaded engine: models in memory, ready to synthesize. Shareable across threads.
pub struct Engine {
    frontend: Frontend,
    vocab: Vocab,
    duration: DurationModel,
    prosody: ProsodyModel,
    vocoder: Vocoder<OnnxDecoder>,
    models_dir: PathBuf,
    styles: Mutex<HashMap<VoiceId, Arc<Style>>>,
    contour: ContourParams,
    // Declared last so sessions are dropped before the runtime they were made from.
    _runtime: OnnxRuntime,
}

/// One rendered model call: PCM trimmed of its edge silence, and its mora/phoneme timings
/// relative to the first kept sample.
struct RenderedChunk {
    pcm: Vec<f32>,
    timeline: Timeline,
}

impl Engine {
    pub fn load(paths: &EnginePaths, session: SessionOptions) -> Result<Self, EngineError> {
        // The runtime first: a missing library is the most common set-up fault.
        let runtime = OnnxRuntime::load(&paths.onnxruntime, session)?;
        let frontend = Frontend::load(&paths.dictionary)?;
        let vocab = Vocab::load(&paths.vocab)?;
        let m = &paths.models_dir;
        let duration = DurationModel::load(&runtime, &m.join("duration.onnx"))?;
        let prosody = ProsodyModel::load(&runtime, &m.join("prosody.onnx"))?;
        let decoder = DecoderModel::load(&runtime, &m.join("decoder.onnx"))?;
        Ok(Engine {
            frontend,
            vocab,
            duration,
            prosody,
            vocoder: Vocoder::new(OnnxDecoder(decoder)),
            models_dir: m.clone(),
            styles: Mutex::new(HashMap::new()),
            contour: ContourParams::default(),
            _runtime: runtime,
        })
    }

    pub fn frontend(&self) -> &Frontend {
        &self.frontend
    }

    /// Analyses text with these user-dictionary words from now on (see
    /// [`Frontend::set_user_dictionary`]; an empty dictionary removes them).
    pub fn set_user_dictionary(
        &mut self,
        user: &yomiage_frontend::UserDictionary,
    ) -> Result<(), EngineError> {
        self.frontend.set_user_dictionary(user)?;
        Ok(())
    }

    /// Replaces the accent contour parameters (for tuning and benchmarks).
    pub fn set_contour(&mut self, contour: ContourParams) {
        self.contour = contour;
    }

    fn style(&self, voice: &VoiceId) -> Result<Arc<Style>, EngineError> {
        let mut cache = self.styles.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = cache.get(voice) {
            return Ok(s.clone());
        }
        let style = Arc::new(Style::load(&self.models_dir, voice)?);
        cache.insert(voice.clone(), style.clone());
        Ok(style)
    }

    /// Text → AudioQuery: the frontend's phrases with lengths predicted by the voice and
    /// pitches following the accent.
    pub fn audio_query(&self, text: &str, voice: &VoiceId) -> Result<AudioQuery, EngineError> {
        self.audio_query_with(text, voice, AccentMode::Imposed)
    }

    pub fn audio_query_with(
        &self,
        text: &str,
        voice: &VoiceId,
        accent: AccentMode,
    ) -> Result<AudioQuery, EngineError> {
        if text.trim().is_empty() {
            return Err(EngineError::EmptyText);
        }
        let phrases = match self.frontend.analyze(text) {
            Ok(p) if !p.iter().all(|p| p.moras.is_empty()) => p,
            Ok(_) | Err(FrontendError::NothingToSay) => return Err(EngineError::NothingToSay),
            Err(e) => return Err(e.into()),
        };
        let phrases = self.predict(phrases, voice, accent)?;
        Ok(AudioQuery::new(phrases))
    }

    /// Fills mora lengths and pitches for phrases (e.g. from kana or after an accent edit).
    pub fn predict(
        &self,
        mut phrases: Vec<AccentPhrase>,
        voice: &VoiceId,
        accent: AccentMode,
    ) -> Result<Vec<AccentPhrase>, EngineError> {
        let style = self.style(voice)?;
        for chunk in chunk_phrases(&phrases, MAX_TOKENS) {
            let mut local = chunk.phrases;
            let plan = Plan::new(&local, &self.vocab);
            let style = style.for_tokens(plan.token_count());
            let features = acoustic::token_features(&self.duration, &plan.ids, style, 1.0)?;
            render::fill_lengths(&mut local, &plan, &features.raw_durations);
            let frames = acoustic::frames(&self.prosody, &features, &features.durations, style)?;
            let (spans, _) = render::mora_frames(&local, &plan, &features.durations);
            for (p, (phrase, spans)) in local.iter_mut().zip(spans).enumerate() {
                for (mora, span) in phrase.moras.iter_mut().zip(spans) {
                    let unvoiced = mora.is_devoiced() || mora.vowel == "cl";
                    mora.pitch = match span.f0_span() {
                        Some(s) if !unvoiced => {
                            prosody::mean_ln_f0(frames.f0(), s.vowel).unwrap_or(0.0)
                        }
                        _ => 0.0,
                    };
                }
                // Write back into the caller's phrase (a cut phrase comes back piece by piece).
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

    /// Renders a checked query: its lengths, pitches and scales, as VOICEVOX defines them.
    pub fn synthesize(
        &self,
        query: &CheckedQuery,
        voice: &VoiceId,
    ) -> Result<Synthesis, EngineError> {
        let q = query.get();
        let style = self.style(voice)?;
        let scales = LengthScales {
            speed: q.speed_scale,
            pause_length: q.pause_length,
            pause_scale: q.pause_length_scale,
        };
        // Pitch and intonation scales apply to the whole query's voiced moras at once.
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
        let mut pcm: Vec<f32> = vec![0.0; seconds_to_samples(q.pre_phoneme_length)];
        let mut timeline = Timeline::default();
        let chunks = chunk_phrases(&phrases, MAX_TOKENS);
        for (i, chunk) in chunks.iter().enumerate() {
            let rendered = self.render_chunk(chunk, &style, &scales)?;
            let at = pcm.len() as f64 / SAMPLE_RATE as f64;
            // Re-number phrases as in the query.
            let mut t = rendered.timeline;
            for m in &mut t.moras {
                let (orig, offset) = chunk.origin[m.phrase];
                m.phrase = orig;
                m.mora += offset;
            }
            timeline.append(t, at, 0);
            pcm.extend_from_slice(&rendered.pcm);
            if i + 1 < chunks.len() {
                // The pause at a cut was trimmed with the chunk's edge silence: put it back.
                let pause = chunk
                    .phrases
                    .last()
                    .and_then(|p| p.pause_mora.as_ref())
                    .map_or(0.0, |p| {
                        q.pause_length.unwrap_or(p.vowel_length) * q.pause_length_scale
                            / q.speed_scale
                    });
                pcm.resize(pcm.len() + seconds_to_samples(pause), 0.0);
            }
        }
        pcm.resize(pcm.len() + seconds_to_samples(q.post_phoneme_length), 0.0);
        for s in &mut pcm {
            *s *= q.volume_scale;
        }
        let audio = output::finish(pcm, q.output_sampling_rate, q.output_stereo)
            .map_err(EngineError::Resample)?;
        Ok(Synthesis { audio, timeline })
    }

    fn render_chunk(
        &self,
        chunk: &chunk::Chunk,
        style: &Style,
        scales: &LengthScales,
    ) -> Result<RenderedChunk, EngineError> {
        let plan = Plan::new(&chunk.phrases, &self.vocab);
        let style = style.for_tokens(plan.token_count());
        let features = acoustic::token_features(&self.duration, &plan.ids, style, 1.0)?;
        let render::Durations {
            frames: durations,
            silences,
        } = render::durations_for(&chunk.phrases, &plan, &features.raw_durations, scales);
        let mut frames = acoustic::frames(&self.prosody, &features, &durations, style)?;
        let (mora_frames, pause_frames) = render::mora_frames(&chunk.phrases, &plan, &durations);
        let mut spans = Vec::new();
        let mut targets = Vec::new();
        for (phrase, frames_of) in chunk.phrases.iter().zip(&mora_frames) {
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
        let voiced = self.vocoder.render(&frames, style)?;
        let token_ends = render::token_frames(&durations);
        let inserts: Vec<(usize, usize)> = silences
            .iter()
            .filter_map(|&(token, secs)| {
                let at = token_ends.get(token)?.end * SAMPLES_PER_FRAME;
                Some((at.min(voiced.len()), seconds_to_samples(secs)))
            })
            .collect();
        let pcm = insert_silences(voiced, &inserts);
        let keep = voiced_span(&pcm, SILENCE_THRESHOLD, seconds_to_samples(EDGE_MARGIN));
        // The model often gives a final vowel frames that it renders as fading silence; the
        // timeline ends where the sound does, so lip-sync closes the mouth with the audio.
        let audible = keep.len().saturating_sub(seconds_to_samples(EDGE_MARGIN));
        let timeline = chunk_timeline(
            &chunk.phrases,
            &mora_frames,
            &pause_frames,
            keep.start,
            audible as f64 / SAMPLE_RATE as f64,
            &inserts,
        );
        Ok(RenderedChunk {
            pcm: pcm[keep].to_vec(),
            timeline,
        })
    }

    /// Text to speech: sentence by sentence, each through [`Engine::audio_query_with`] and
    /// [`Engine::synthesize`], joined by `sentence_pause`.
    pub fn synthesize_text(
        &self,
        text: &str,
        voice: &VoiceId,
        opts: &SynthesisOptions,
    ) -> Result<Synthesis, EngineError> {
        if text.trim().is_empty() {
            return Err(EngineError::EmptyText);
        }
        let sentences = sentences::split_sentences(text);
        let mut pcm: Vec<f32> = vec![0.0; seconds_to_samples(opts.leading_silence)];
        let mut timeline = Timeline::default();
        let mut phrase_offset = 0;
        let mut spoken = false;
        for sentence in sentences {
            let mut query = match self.audio_query_with(sentence, voice, opts.accent) {
                Ok(q) => q,
                Err(EngineError::NothingToSay | EngineError::EmptyText) => continue,
                Err(e) => return Err(e),
            };
            if spoken {
                pcm.resize(pcm.len() + seconds_to_samples(opts.sentence_pause), 0.0);
            }
            query.speed_scale = opts.speed;
            query.pitch_scale = opts.pitch;
            query.intonation_scale = opts.intonation;
            query.volume_scale = opts.volume;
            query.pre_phoneme_length = 0.0;
            query.post_phoneme_length = 0.0;
            let n_phrases = query.accent_phrases.len();
            let s = self.synthesize(&query.check()?, voice)?;
            timeline.append(
                s.timeline,
                pcm.len() as f64 / SAMPLE_RATE as f64,
                phrase_offset,
            );
            phrase_offset += n_phrases;
            pcm.extend_from_slice(&s.audio.samples);
            spoken = true;
        }
        if !spoken {
            return Err(EngineError::NothingToSay);
        }
        pcm.resize(pcm.len() + seconds_to_samples(opts.trailing_silence), 0.0);
        Ok(Synthesis {
            audio: Audio {
                samples: pcm,
                sample_rate: SAMPLE_RATE,
                channels: 1,
            },
            timeline,
        })
    }
}

fn seconds_to_samples(s: f32) -> usize {
    (s.max(0.0) * SAMPLE_RATE as f32).round() as usize
}

/// Mora and phoneme times of one chunk, relative to its first kept sample.
/// Inserts `(position, length)` runs of silence (positions in the original, ascending), with
/// short fades on either side so the cut into silence does not click.
fn insert_silences(pcm: Vec<f32>, inserts: &[(usize, usize)]) -> Vec<f32> {
    if inserts.is_empty() {
        return pcm;
    }
    let fade = seconds_to_samples(PAUSE_FADE);
    let mut out = Vec::with_capacity(pcm.len() + inserts.iter().map(|&(_, n)| n).sum::<usize>());
    let mut from = 0;
    for &(at, n) in inserts {
        let at = at.clamp(from, pcm.len());
        let start = out.len();
        out.extend_from_slice(&pcm[from..at]);
        let fade_out = fade.min(out.len() - start);
        let len = out.len();
        for (k, s) in out[len - fade_out..].iter_mut().enumerate() {
            *s *= raised_cosine(fade_out - k, fade_out);
        }
        out.resize(out.len() + n, 0.0);
        let fade_in = fade.min(pcm.len() - at);
        for (k, &s) in pcm[at..at + fade_in].iter().enumerate() {
            out.push(s * raised_cosine(k, fade_in));
        }
        from = at + fade_in;
    }
    out.extend_from_slice(&pcm[from..]);
    out
}

/// 0 at `k = 0` rising to 1 at `k = n`.
fn raised_cosine(k: usize, n: usize) -> f32 {
    0.5 - 0.5 * (std::f32::consts::PI * k as f32 / n as f32).cos()
}

fn chunk_timeline(
    phrases: &[AccentPhrase],
    mora_frames: &[Vec<render::MoraFrames>],
    pause_frames: &[Option<std::ops::Range<usize>>],
    trimmed: usize,
    audible: f64,
    inserts: &[(usize, usize)],
) -> Timeline {
    let secs = |frame: usize| {
        let at = frame * SAMPLES_PER_FRAME;
        let inserted: usize = inserts
            .iter()
            .filter(|&&(pos, _)| pos <= at)
            .map(|&(_, n)| n)
            .sum();
        let t = (at + inserted) as f64 / SAMPLE_RATE as f64
            - trimmed as f64 / SAMPLE_RATE as f64
            - SOUND_LEAD;
        t.clamp(0.0, audible)
    };
    let mut timeline = Timeline::default();
    for (p, (phrase, frames)) in phrases.iter().zip(mora_frames).enumerate() {
        for (k, (mora, f)) in phrase.moras.iter().zip(frames).enumerate() {
            let Some(whole) = f.whole() else { continue };
            let vowel_viseme = Viseme::of_vowel(&mora.vowel);
            timeline.moras.push(MoraTiming {
                phrase: p,
                mora: k,
                text: mora.text.clone(),
                start: secs(whole.start),
                end: secs(whole.end),
                viseme: vowel_viseme,
            });
            if let (Some(c), Some(name)) = (&f.consonant, &mora.consonant) {
                timeline.phonemes.push(PhonemeTiming {
                    phoneme: name.clone(),
                    start: secs(c.start),
                    end: secs(c.end),
                    viseme: Viseme::of_consonant(name, &mora.vowel),
                });
            }
            if let Some(v) = &f.vowel {
                timeline.phonemes.push(PhonemeTiming {
                    phoneme: mora.vowel.clone(),
                    start: secs(v.start),
                    end: secs(v.end),
                    viseme: vowel_viseme,
                });
            }
        }
        if let Some(Some(r)) = pause_frames.get(p) {
            timeline.phonemes.push(PhonemeTiming {
                phoneme: "pau".into(),
                start: secs(r.start),
                end: secs(r.end),
                viseme: Viseme::Closed,
            });
        }
    }
    timeline
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silences_go_where_asked_and_fade_in_and_out() {
        let pcm = vec![1.0f32; 10_000];
        let out = insert_silences(pcm, &[(4_000, 2_400), (8_000, 1_200)]);
        assert_eq!(out.len(), 10_000 + 2_400 + 1_200);
        assert!(out[4_000..6_400].iter().all(|&s| s == 0.0));
        assert!(out[10_400..11_600].iter().all(|&s| s == 0.0));
        // Untouched away from the cuts, and no jump anywhere larger than a fade step.
        assert_eq!(out[1_000], 1.0);
        assert_eq!(out[7_500], 1.0);
        let fade = seconds_to_samples(PAUSE_FADE) as f32;
        let max_step = out
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max);
        assert!(max_step < 4.0 / fade, "step {max_step}");
        assert_eq!(insert_silences(vec![0.5; 10], &[]), vec![0.5; 10]);
    }
}
