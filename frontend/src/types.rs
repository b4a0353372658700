//! The accent data model shared by every later stage (engine, CLI, server, tests).
//!
//! Field names and meanings follow VOICEVOX's AudioQuery so the server can expose these
//! types unchanged: lengths are seconds, `pitch` is natural-log F0 in Hz (0 = unvoiced),
//! phonemes use OpenJTalk's symbols (`k`, `sh`, `ch`, `a`, uppercase = devoiced vowel,
//! `N` = moraic nasal, `cl` = geminate, `pau` = pause).

use serde::{Deserialize, Serialize};

/// One mora: an optional consonant and a vowel (or `N` / `cl`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mora {
    /// Katakana as written for the mora (ー for a long vowel).
    pub text: String,
    pub consonant: Option<String>,
    pub consonant_length: Option<f32>,
    pub vowel: String,
    pub vowel_length: f32,
    pub pitch: f32,
}

/// A run of moras with one accent nucleus (or none), as OpenJTalk's accent phrase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccentPhrase {
    pub moras: Vec<Mora>,
    /// 1-based mora after which the pitch falls; 0 = heiban (no fall in or after the phrase).
    /// Odaka (fall after the last mora) is `moras.len()`, distinct from 0.
    pub accent: usize,
    /// The pause that follows the phrase, if any (vowel `pau`).
    pub pause_mora: Option<Mora>,
    #[serde(default)]
    pub is_interrogative: bool,
}

impl Mora {
    /// A mora with no timing or pitch yet (the engine fills those in).
    pub fn new(text: impl Into<String>, consonant: Option<&str>, vowel: impl Into<String>) -> Self {
        Mora {
            text: text.into(),
            consonant: consonant.map(str::to_owned),
            consonant_length: consonant.map(|_| 0.0),
            vowel: vowel.into(),
            vowel_length: 0.0,
            pitch: 0.0,
        }
    }

    /// The pause mora VOICEVOX puts after a phrase that ends at punctuation.
    pub fn pause() -> Self {
        Mora::new("、", None, "pau")
    }

    /// Devoiced vowels are written in uppercase (VOICEVOX convention).
    pub fn is_devoiced(&self) -> bool {
        matches!(self.vowel.as_str(), "A" | "I" | "U" | "E" | "O")
    }
}
