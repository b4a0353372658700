//! The accent data model shared by every later stage (engine, CLI, server, tests).
//!
//! Field names and meanings follow VOICEVOX's AudioQuery so the server can expose these
//! types unchanged: lengths are seconds, `pitch` is natural-log F0 in Hz (0 = unvoiced),
//! phonemes use OpenJTalk's symbols (`k`, `sh`, `ch`, `a`, uppercase = devoiced vowel,
//! `N` = moraic nasal, `cl` = geminate, `pau` = pause).

use serde::{Deserialize, Serialize};

use crate::phoneme::{Consonant, Vowel};

/// One mora: an optional consonant and a vowel (or `N` / `cl`, or `pau` in a pause mora).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mora {
    /// Katakana as written for the mora (ー for a long vowel).
    pub text: String,
    pub consonant: Option<Consonant>,
    pub consonant_length: Option<f32>,
    pub vowel: Vowel,
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

/// High or low pitch of a mora (Tokyo Japanese).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    High,
    Low,
}

impl Tone {
    /// `H` or `L`, as the accent dev set writes tones.
    pub fn letter(self) -> char {
        match self {
            Tone::High => 'H',
            Tone::Low => 'L',
        }
    }
}

/// The H/L pattern of a phrase of `mora_count` moras with accent type `accent` — the one tone
/// rule every stage uses. Type 1 → H L L…; otherwise the first mora is L, then H up to the
/// nucleus (to the end for type 0), L after it. A one-mora flat phrase is L: its rise would
/// land on the next mora, which belongs to the next phrase (as the accent dev set labels it).
pub fn tones(mora_count: usize, accent: usize) -> Vec<Tone> {
    (1..=mora_count)
        .map(|k| match (accent, k) {
            (1, 1) => Tone::High,
            (1, _) | (_, 1) => Tone::Low,
            (0, _) => Tone::High,
            (a, k) if k <= a => Tone::High,
            _ => Tone::Low,
        })
        .collect()
}

impl AccentPhrase {
    /// This phrase's tones (see [`tones`]).
    pub fn tones(&self) -> Vec<Tone> {
        tones(self.moras.len(), self.accent)
    }
}

impl Mora {
    /// A mora with no timing or pitch yet (the engine fills those in).
    pub fn new(text: impl Into<String>, consonant: Option<Consonant>, vowel: Vowel) -> Self {
        Mora {
            text: text.into(),
            consonant,
            consonant_length: consonant.map(|_| 0.0),
            vowel,
            vowel_length: 0.0,
            pitch: 0.0,
        }
    }

    /// The pause mora VOICEVOX puts after a phrase that ends at punctuation.
    pub fn pause() -> Self {
        Mora::new("、", None, Vowel::Pau)
    }

    /// Devoiced vowels are written in uppercase (VOICEVOX convention).
    pub fn is_devoiced(&self) -> bool {
        self.vowel.is_devoiced()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Tone::{High as H, Low as L};

    #[test]
    fn tone_patterns_follow_the_accent_type() {
        assert_eq!(tones(3, 1), [H, L, L]); // 箸が
        assert_eq!(tones(3, 2), [L, H, L]); // 橋が
        assert_eq!(tones(3, 0), [L, H, H]); // 端が
        assert_eq!(tones(2, 2), [L, H]); // odaka without particle
        assert_eq!(tones(4, 3), [L, H, H, L]);
        assert_eq!(tones(1, 1), [H]); // 木 alone
        assert_eq!(tones(1, 0), [L]); // 蚊 alone: the rise is on the next phrase
        assert!(tones(0, 0).is_empty());
    }
}
