//! One validated word: its surface, katakana pronunciation, accent, word type and priority
//! are checked when it is made, as VOICEVOX checks them.

use std::str::FromStr;

use jpreprocess_core::pronunciation::Pronunciation;
use unicode_normalization::UnicodeNormalization;

use super::error::WordError;
use super::word_type::{WordType, MAX_PRIORITY};

/// One validated word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserWord {
    pub(super) surface: String,
    pub(super) pronunciation: String,
    pub(super) accent_type: usize,
    pub(super) mora_count: usize,
    pub(super) word_type: WordType,
    pub(super) priority: u8,
    pub(super) accent_associative_rule: String,
}

impl UserWord {
    /// A word with VOICEVOX's defaults for the rest (accent chain rule `*`).
    ///
    /// The surface is normalized as the analysis normalizes text (NFKC, then ASCII to
    /// full-width, as jpreprocess does before looking words up), so `ABC` and `ＡＢＣ` are one
    /// word. The pronunciation may be given in hiragana or half-width katakana; it is stored in
    /// full-width katakana. `accent_type` is 0 for a flat word, else the mora after which the
    /// pitch falls.
    pub fn new(
        surface: &str,
        pronunciation: &str,
        accent_type: i64,
        word_type: WordType,
        priority: i64,
    ) -> Result<UserWord, WordError> {
        UserWord::with_rule(
            surface,
            pronunciation,
            accent_type,
            word_type,
            priority,
            "*",
        )
    }

    /// [`UserWord::new`] with an accent chain rule (`*`, or `C1`..`C5` for nouns and suffixes:
    /// how the word's accent combines with a preceding word, OpenJTalk's rules).
    pub fn with_rule(
        surface: &str,
        pronunciation: &str,
        accent_type: i64,
        word_type: WordType,
        priority: i64,
        accent_associative_rule: &str,
    ) -> Result<UserWord, WordError> {
        let surface = normalize_surface(surface)?;
        let pronunciation = normalize_pronunciation(pronunciation);
        let mora_count = mora_count(&pronunciation)?;
        let accent_type = usize::try_from(accent_type)
            .ok()
            .filter(|&a| a <= mora_count)
            .ok_or(WordError::AccentOutOfRange {
                accent_type,
                mora_count,
            })?;
        let priority = u8::try_from(priority)
            .ok()
            .filter(|&p| p <= MAX_PRIORITY)
            .ok_or(WordError::PriorityOutOfRange { priority })?;
        let pos = word_type.part_of_speech();
        let rule = accent_associative_rule.trim();
        if !pos.chain_rules.contains(&rule) {
            return Err(WordError::AccentRule {
                rule: rule.to_owned(),
                word_type,
                allowed: pos.chain_rules.join(", "),
            });
        }
        Ok(UserWord {
            surface,
            pronunciation,
            accent_type,
            mora_count,
            word_type,
            priority,
            accent_associative_rule: rule.to_owned(),
        })
    }

    /// The normalized surface (what the analysis matches).
    pub fn surface(&self) -> &str {
        &self.surface
    }
    /// Full-width katakana.
    pub fn pronunciation(&self) -> &str {
        &self.pronunciation
    }
    /// 0 = flat; n = the pitch falls after the n-th mora.
    pub fn accent_type(&self) -> usize {
        self.accent_type
    }
    pub fn mora_count(&self) -> usize {
        self.mora_count
    }
    pub fn word_type(&self) -> WordType {
        self.word_type
    }
    pub fn priority(&self) -> u8 {
        self.priority
    }
    pub fn accent_associative_rule(&self) -> &str {
        &self.accent_associative_rule
    }

    /// The pronunciation split into moras (キャ is one), as the analysis will read it.
    pub fn moras(&self) -> Vec<String> {
        Pronunciation::parse(&self.pronunciation, 0)
            .map(|p| p.moras().iter().map(|m| m.to_string()).collect())
            .unwrap_or_default()
    }

    /// The dictionary word cost VOICEVOX gives this word's priority.
    pub fn cost(&self) -> i16 {
        self.word_type.cost(self.priority)
    }

    /// A copy with another priority.
    pub fn with_priority(&self, priority: i64) -> Result<UserWord, WordError> {
        let priority = u8::try_from(priority)
            .ok()
            .filter(|&p| p <= MAX_PRIORITY)
            .ok_or(WordError::PriorityOutOfRange { priority })?;
        Ok(UserWord {
            priority,
            ..self.clone()
        })
    }
}

/// The surface as the analysis will see it: NFKC with the analysis's own guards, then
/// jpreprocess's ASCII → full-width step. Whitespace inside a word cannot match (the analysis
/// treats it as a pause), so it is refused.
fn normalize_surface(surface: &str) -> Result<String, WordError> {
    let trimmed = surface.trim();
    if trimmed.is_empty() {
        return Err(WordError::EmptySurface);
    }
    if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(WordError::SurfaceWhitespace {
            surface: trimmed.to_owned(),
        });
    }
    let s = crate::normalize::compatibility(&trimmed.nfc().collect::<String>());
    let s = jpreprocess::normalize_text_for_naist_jdic(s.trim());
    if s.is_empty() {
        return Err(WordError::EmptySurface);
    }
    // Compatibility forms can decompose to a space (¨ → space + U+0308), which the analysis
    // then writes full-width: such a surface could never be matched, and a file holding it
    // would not load again (found by the user-dictionary property tests).
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(WordError::SurfaceWhitespace {
            surface: trimmed.to_owned(),
        });
    }
    Ok(s)
}

/// Half-width katakana and compatibility forms via NFKC, hiragana to katakana.
fn normalize_pronunciation(pronunciation: &str) -> String {
    pronunciation
        .trim()
        .nfkc()
        .map(|c| crate::script::to_katakana(c).unwrap_or(c))
        .collect()
}

const SMALL_KANA: [char; 10] = ['ァ', 'ィ', 'ゥ', 'ェ', 'ォ', 'ャ', 'ュ', 'ョ', 'ヮ', 'ッ'];

/// VOICEVOX's katakana rules (`_check_is_katakana`), then jpreprocess's own mora table, which
/// also gives the mora count the dictionary row must agree with.
fn mora_count(pronunciation: &str) -> Result<usize, WordError> {
    if pronunciation.is_empty() {
        return Err(WordError::EmptyPronunciation);
    }
    if let Some(found) = pronunciation
        .chars()
        .find(|&c| !(('ァ'..='ヴ').contains(&c) || c == 'ー'))
    {
        return Err(WordError::NotKatakana {
            pronunciation: pronunciation.to_owned(),
            found,
        });
    }
    let invalid = |reason: &str| WordError::InvalidPronunciation {
        pronunciation: pronunciation.to_owned(),
        reason: reason.to_owned(),
    };
    let chars: Vec<char> = pronunciation.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if let Some(&next) = chars.get(i + 1) {
            // キャット is fine; two small kana in a row (other than ッ before one) is not.
            let small_follows = SMALL_KANA[..9].contains(&next);
            if SMALL_KANA.contains(&c) && (small_follows || (c == 'ッ' && next == 'ッ')) {
                return Err(invalid("two small kana in a row"));
            }
        }
        if c == 'ヮ' && i != 0 && !matches!(chars[i - 1], 'ク' | 'グ') {
            return Err(invalid("ヮ only follows ク or グ"));
        }
    }
    let parsed = Pronunciation::parse(pronunciation, 0)
        .map_err(|e| invalid(&format!("OpenJTalk cannot read it ({e})")))?;
    let moras = parsed.mora_size();
    if moras == 0 {
        return Err(WordError::EmptyPronunciation);
    }
    Ok(moras)
}

/// A word type by VOICEVOX's name; an unknown name is a fault of the word.
impl FromStr for WordType {
    type Err = WordError;

    /// `PROPER_NOUN`, `proper_noun` or `proper-noun` (any case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_uppercase().replace('-', "_");
        WordType::ALL
            .into_iter()
            .find(|t| t.as_str() == key)
            .ok_or_else(|| WordError::UnknownWordType(s.to_owned()))
    }
}
