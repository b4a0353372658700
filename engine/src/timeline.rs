//! When each mora and phoneme sounds in the output audio, with a mouth shape for lip-sync.

use serde::{Deserialize, Serialize};
use yomiage_frontend::{Consonant, Phoneme, Vowel};

/// Mouth shape classes for lip-sync: the five vowels, the moraic nasal, and closed lips
/// (silence, geminate stop, bilabial consonants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Viseme {
    #[serde(rename = "a")]
    A,
    #[serde(rename = "i")]
    I,
    #[serde(rename = "u")]
    U,
    #[serde(rename = "e")]
    E,
    #[serde(rename = "o")]
    O,
    #[serde(rename = "N")]
    N,
    #[serde(rename = "closed")]
    Closed,
}

impl Viseme {
    /// The shape of an OpenJTalk vowel (devoiced vowels keep their shape).
    pub fn of_vowel(vowel: Vowel) -> Viseme {
        match vowel.voiced() {
            Vowel::A => Viseme::A,
            Vowel::I => Viseme::I,
            Vowel::U => Viseme::U,
            Vowel::E => Viseme::E,
            Vowel::O => Viseme::O,
            Vowel::N => Viseme::N,
            _ => Viseme::Closed,
        }
    }

    /// A consonant's shape: lips close for m, b, p; otherwise the mouth is already moving to
    /// the vowel.
    pub fn of_consonant(consonant: Consonant, vowel: Vowel) -> Viseme {
        if consonant.is_bilabial() {
            Viseme::Closed
        } else {
            Viseme::of_vowel(vowel)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoraTiming {
    /// Index of the accent phrase and of the mora in it, as in the query.
    pub phrase: usize,
    pub mora: usize,
    pub text: String,
    /// Seconds from the start of the audio.
    pub start: f64,
    pub end: f64,
    pub viseme: Viseme,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhonemeTiming {
    /// OpenJTalk phoneme (`k`, `a`, `N`, `cl`, `pau`; a string in JSON).
    pub phoneme: Phoneme,
    pub start: f64,
    pub end: f64,
    pub viseme: Viseme,
}

/// The timeline of one synthesis, consistent with its audio to within a frame (25 ms).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    pub moras: Vec<MoraTiming>,
    pub phonemes: Vec<PhonemeTiming>,
}

impl Timeline {
    /// Moves every entry later by `seconds` and renumbers phrases from `phrase_offset`, for
    /// appending one utterance's timeline after another.
    pub fn append(&mut self, mut other: Timeline, seconds: f64, phrase_offset: usize) {
        for m in &mut other.moras {
            m.start += seconds;
            m.end += seconds;
            m.phrase += phrase_offset;
        }
        for p in &mut other.phonemes {
            p.start += seconds;
            p.end += seconds;
        }
        self.moras.extend(other.moras);
        self.phonemes.extend(other.phonemes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visemes_follow_vowels_and_lip_closures() {
        assert_eq!(Viseme::of_vowel(Vowel::A), Viseme::A);
        assert_eq!(Viseme::of_vowel(Vowel::DevoicedU), Viseme::U);
        assert_eq!(Viseme::of_vowel(Vowel::Cl), Viseme::Closed);
        assert_eq!(Viseme::of_vowel(Vowel::Pau), Viseme::Closed);
        assert_eq!(Viseme::of_consonant(Consonant::M, Vowel::A), Viseme::Closed);
        assert_eq!(Viseme::of_consonant(Consonant::K, Vowel::O), Viseme::O);
        assert_eq!(
            serde_json::to_string(&Viseme::Closed).unwrap(),
            "\"closed\""
        );
    }

    #[test]
    fn appending_shifts_times_and_phrases() {
        let t = |phrase| Timeline {
            moras: vec![MoraTiming {
                phrase,
                mora: 0,
                text: "カ".into(),
                start: 0.0,
                end: 0.1,
                viseme: Viseme::A,
            }],
            phonemes: vec![PhonemeTiming {
                phoneme: Vowel::A.into(),
                start: 0.05,
                end: 0.1,
                viseme: Viseme::A,
            }],
        };
        let mut all = t(0);
        all.append(t(0), 1.0, 1);
        assert_eq!(all.moras[1].phrase, 1);
        assert!((all.moras[1].start - 1.0).abs() < 1e-9);
        assert!((all.phonemes[1].end - 1.1).abs() < 1e-9);
    }
}
