//! How plain text is spoken (a query carries its own settings).

/// Options of plain-text synthesis.
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

/// How audio is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendering {
    /// Each model call through the whole-utterance decoder; audio arrives per sentence.
    Whole,
    /// Through the streaming decoder in small chunks: the first audio comes early.
    Streamed,
}
