//! The engine: voices, ONNX Runtime sessions, the acoustic model and the synthesis pipeline.
//!
//! Data flows one way: text → [`yomiage_frontend`] (accent phrases, phonemes) → acoustic model
//! (durations, F0, energy) → [`yomiage_vocoder`] (PCM).

pub mod acoustic;
pub mod onnx;
pub mod sentences;
pub mod voice;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use yomiage_frontend::{AccentPhrase, Frontend, FrontendError};
use yomiage_vocoder::{voiced_span, AcousticFrames, Decoder, Vocoder, VocoderError, SAMPLE_RATE};
use yomiage_voices::{Layout, Manifest, VoiceId};

use crate::acoustic::AcousticError;
use crate::onnx::{
    DecoderModel, DurationModel, OnnxRuntime, ProsodyModel, RuntimeError, SessionOptions,
};
use crate::voice::{Style, Vocab, VoiceError, MAX_TOKENS};

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
    #[error("speed must be a finite number between 0.25 and 4, got {0}")]
    Speed(f32),
}

/// Synthesized speech: mono samples in [-1, 1].
#[derive(Debug, Clone)]
pub struct Audio {
    pub samples: Vec<f32>,
    pub sample_rate: u32,
}

impl Audio {
    pub fn duration_seconds(&self) -> f64 {
        self.samples.len() as f64 / self.sample_rate as f64
    }
}

/// Options of one synthesis call.
#[derive(Debug, Clone, Copy)]
pub struct SynthesisOptions {
    /// Speaking rate; 1 is the voice's own.
    pub speed: f32,
    /// Silence between sentences, in seconds.
    pub sentence_pause: f32,
    /// Silence before the first and after the last sound, in seconds (VOICEVOX's
    /// prePhonemeLength / postPhonemeLength defaults).
    pub leading_silence: f32,
    pub trailing_silence: f32,
}

/// Samples quieter than this (−40 dBFS) at a chunk's edges count as silence.
const SILENCE_THRESHOLD: f32 = 0.01;
/// Kept around the first and last loud sample so onsets and releases are not clipped.
const EDGE_MARGIN: f32 = 0.04;

impl Default for SynthesisOptions {
    fn default() -> Self {
        SynthesisOptions {
            speed: 1.0,
            sentence_pause: 0.35,
            leading_silence: 0.1,
            trailing_silence: 0.1,
        }
    }
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

/// A loaded engine: models in memory, ready to synthesize. Shareable across threads.
pub struct Engine {
    frontend: Frontend,
    vocab: Vocab,
    duration: DurationModel,
    prosody: ProsodyModel,
    vocoder: Vocoder<OnnxDecoder>,
    models_dir: PathBuf,
    styles: Mutex<HashMap<VoiceId, Arc<Style>>>,
    // Declared last so sessions are dropped before the runtime they were made from.
    _runtime: OnnxRuntime,
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
            _runtime: runtime,
        })
    }

    pub fn frontend(&self) -> &Frontend {
        &self.frontend
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

    /// Text to speech: sentences are analysed and rendered one after another.
    pub fn synthesize_text(
        &self,
        text: &str,
        voice: &VoiceId,
        opts: &SynthesisOptions,
    ) -> Result<Audio, EngineError> {
        if !(opts.speed.is_finite() && (0.25..=4.0).contains(&opts.speed)) {
            return Err(EngineError::Speed(opts.speed));
        }
        if text.trim().is_empty() {
            return Err(EngineError::EmptyText);
        }
        let style = self.style(voice)?;
        let secs = |s: f32| (s.max(0.0) * SAMPLE_RATE as f32) as usize;
        let gap = secs(opts.sentence_pause);
        let margin = secs(EDGE_MARGIN);
        let mut samples = vec![0.0; secs(opts.leading_silence)];
        let mut spoken = false;
        for sentence in sentences::split_sentences(text) {
            let phrases = match self.frontend.analyze(sentence) {
                Ok(p) => p,
                Err(FrontendError::NothingToSay | FrontendError::EmptyText) => continue,
                Err(e) => return Err(e.into()),
            };
            for chunk in chunk_phrases(&phrases, MAX_TOKENS) {
                if spoken {
                    samples.resize(samples.len() + gap, 0.0);
                }
                let pcm = self.render_phrases(&chunk, &style, opts.speed)?;
                samples.extend_from_slice(&pcm[voiced_span(&pcm, SILENCE_THRESHOLD, margin)]);
                spoken = true;
            }
        }
        if !spoken {
            return Err(EngineError::NothingToSay);
        }
        samples.resize(samples.len() + secs(opts.trailing_silence), 0.0);
        Ok(Audio {
            samples,
            sample_rate: SAMPLE_RATE,
        })
    }

    fn token_ids(&self, phrases: &[AccentPhrase]) -> Vec<i64> {
        let mut ids = vec![0];
        for tok in yomiage_frontend::to_phonemes(phrases) {
            match self.vocab.id(tok.symbol) {
                Some(id) => ids.push(id),
                None => {
                    tracing::warn!(symbol = %tok.symbol, "phoneme not in the voice's vocabulary; skipped")
                }
            }
        }
        ids.push(0);
        ids
    }

    fn render_phrases(
        &self,
        phrases: &[AccentPhrase],
        style: &Style,
        speed: f32,
    ) -> Result<Vec<f32>, EngineError> {
        let ids = self.token_ids(phrases);
        let style = style.for_tokens(ids.len() - 2);
        let features = acoustic::token_features(&self.duration, &ids, style, speed)?;
        let frames = acoustic::frames(&self.prosody, &features, &features.durations, style)?;
        Ok(self.vocoder.render(&frames, style)?)
    }
}

/// Groups phrases so each group's phonemes fit the model's token limit, cutting preferably
/// after a pause, else between phrases; a single over-long phrase is cut between moras.
/// Nothing is ever dropped.
fn chunk_phrases(phrases: &[AccentPhrase], limit: usize) -> Vec<Vec<AccentPhrase>> {
    let cost = |ps: &[AccentPhrase]| yomiage_frontend::to_phonemes(ps).len();
    let mut pieces: Vec<AccentPhrase> = Vec::new();
    for p in phrases {
        if cost(std::slice::from_ref(p)) <= limit {
            pieces.push(p.clone());
        } else {
            pieces.extend(split_phrase(p, limit, &cost));
        }
    }
    let mut out: Vec<Vec<AccentPhrase>> = Vec::new();
    let mut cur: Vec<AccentPhrase> = Vec::new();
    for p in pieces {
        cur.push(p);
        if cost(&cur) > limit && cur.len() > 1 {
            let last = cur.pop().unwrap_or_else(|| unreachable!());
            // Prefer to cut after the last phrase that ends in a pause.
            let cut = cur
                .iter()
                .rposition(|q| q.pause_mora.is_some())
                .map_or(cur.len(), |i| i + 1);
            let rest = cur.split_off(cut);
            out.push(std::mem::take(&mut cur));
            cur = rest;
            cur.push(last);
            while cost(&cur) > limit && cur.len() > 1 {
                let tail = cur.split_off(cur.len() - 1);
                out.push(std::mem::replace(&mut cur, tail));
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn split_phrase(
    p: &AccentPhrase,
    limit: usize,
    cost: &dyn Fn(&[AccentPhrase]) -> usize,
) -> Vec<AccentPhrase> {
    let mut out = Vec::new();
    let mut cur = AccentPhrase {
        moras: Vec::new(),
        accent: 0,
        pause_mora: None,
        is_interrogative: false,
    };
    for m in &p.moras {
        cur.moras.push(m.clone());
        if cost(std::slice::from_ref(&cur)) > limit && cur.moras.len() > 1 {
            let last = cur.moras.pop().unwrap_or_else(|| unreachable!());
            let full = std::mem::replace(
                &mut cur,
                AccentPhrase {
                    moras: vec![last],
                    accent: 0,
                    pause_mora: None,
                    is_interrogative: false,
                },
            );
            out.push(full);
        }
    }
    cur.pause_mora = p.pause_mora.clone();
    cur.is_interrogative = p.is_interrogative;
    out.push(cur);
    // The nucleus stays where it was, in whichever piece holds it.
    let mut offset = 0;
    for piece in &mut out {
        let n = piece.moras.len();
        if p.accent > offset && p.accent <= offset + n {
            piece.accent = p.accent - offset;
        }
        offset += n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use yomiage_frontend::Mora;

    fn phrase(n: usize, pause: bool) -> AccentPhrase {
        AccentPhrase {
            moras: (0..n).map(|_| Mora::new("カ", Some("k"), "a")).collect(),
            accent: 1,
            pause_mora: pause.then(Mora::pause),
            is_interrogative: false,
        }
    }

    fn moras(groups: &[Vec<AccentPhrase>]) -> usize {
        groups.iter().flatten().map(|p| p.moras.len()).sum()
    }

    #[test]
    fn short_input_is_one_chunk() {
        let ps = vec![phrase(3, false), phrase(4, true), phrase(2, false)];
        assert_eq!(chunk_phrases(&ps, 510).len(), 1);
    }

    #[test]
    fn long_input_is_cut_within_the_limit_without_losing_moras() {
        let ps: Vec<_> = (0..200).map(|i| phrase(5, i % 7 == 6)).collect();
        let groups = chunk_phrases(&ps, 510);
        assert!(groups.len() > 1);
        for g in &groups {
            assert!(yomiage_frontend::to_phonemes(g).len() <= 510);
        }
        assert_eq!(moras(&groups), 1000);
        // cuts prefer the pauses
        assert!(groups[..groups.len() - 1]
            .iter()
            .all(|g| g.last().is_some_and(|p| p.pause_mora.is_some())));
    }

    #[test]
    fn one_huge_phrase_is_split_between_moras() {
        let ps = vec![phrase(600, true)];
        let groups = chunk_phrases(&ps, 510);
        assert!(groups.len() >= 3);
        assert_eq!(moras(&groups), 600);
        for g in &groups {
            assert!(yomiage_frontend::to_phonemes(g).len() <= 510);
        }
    }
}
