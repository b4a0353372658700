//! The user dictionary: words the system dictionary lacks or reads wrongly, with their
//! pronunciation and accent, as in VOICEVOX.
//!
//! A [`UserWord`] is validated when it is made (surface, katakana pronunciation, accent type
//! within the word's moras, priority 0–10), so a [`UserDictionary`] only ever holds words that
//! the analysis can use. Words are keyed by UUID, like VOICEVOX, so ids stay stable across
//! edits, exports and imports.
//!
//! - Storage: [`UserDictionary::load`] / [`UserDictionary::save`], a small JSON file (by default
//!   `user_dict.json` in the data directory). Saving writes a temporary file and renames it, so
//!   a crash never leaves half a dictionary; a file that cannot be read back is an error, never
//!   silently replaced by an empty dictionary.
//! - VOICEVOX: [`UserDictionary::to_voicevox_json`] writes the shape of VOICEVOX ENGINE's
//!   `GET /user_dict`; [`UserDictionary::from_voicevox_json`] reads that shape, and also
//!   VOICEVOX's own saved `user_dict.json` (which stores `cost` instead of `priority`).
//! - Analysis: [`crate::Frontend::set_user_dictionary`] compiles the words into a lindera user
//!   dictionary, one naist-jdic row per word (part of speech and context ID by word type, cost
//!   by priority, both exactly as VOICEVOX does), so they compete with the system dictionary's
//!   words in the same lattice.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use jpreprocess_core::pronunciation::Pronunciation;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use unicode_normalization::UnicodeNormalization;

/// Lowest priority: the word is used only where nothing else fits.
pub const MIN_PRIORITY: u8 = 0;
/// Highest priority: the word wins almost every segmentation it takes part in.
pub const MAX_PRIORITY: u8 = 10;
/// VOICEVOX's default priority.
pub const DEFAULT_PRIORITY: u8 = 5;

/// The version of the file format [`UserDictionary::save`] writes.
const FILE_VERSION: u32 = 1;

/// A word's part of speech, as VOICEVOX's `WordTypes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WordType {
    /// 固有名詞 (names of people, places, products). VOICEVOX's default.
    #[default]
    ProperNoun,
    /// 普通名詞.
    CommonNoun,
    /// 動詞 (only the form given: no conjugation).
    Verb,
    /// 形容詞 (only the form given: no conjugation).
    Adjective,
    /// 接尾辞 (さん, 様, 株式会社…).
    Suffix,
}

/// What VOICEVOX ENGINE (`user_dict/part_of_speech_data.py`) fixes per word type: the naist-jdic
/// part of speech, the context ID (a row of `_left-id.def`, the same in OpenJTalk's
/// naist-jdic), the word costs for priorities 10 down to 0, and the accent chain rules allowed.
struct PartOfSpeech {
    pos: [&'static str; 4],
    context_id: u16,
    /// Index `MAX_PRIORITY - priority`: the first is the cost of priority 10.
    costs: [i16; 11],
    chain_rules: &'static [&'static str],
}

const NOUN_RULES: &[&str] = &["*", "C1", "C2", "C3", "C4", "C5"];

impl WordType {
    pub const ALL: [WordType; 5] = [
        WordType::ProperNoun,
        WordType::CommonNoun,
        WordType::Verb,
        WordType::Adjective,
        WordType::Suffix,
    ];

    fn part_of_speech(self) -> PartOfSpeech {
        match self {
            WordType::ProperNoun => PartOfSpeech {
                pos: ["名詞", "固有名詞", "一般", "*"],
                context_id: 1348,
                costs: [
                    -988, 3488, 4768, 6048, 7328, 8609, 8734, 8859, 8984, 9110, 14176,
                ],
                chain_rules: NOUN_RULES,
            },
            WordType::CommonNoun => PartOfSpeech {
                pos: ["名詞", "一般", "*", "*"],
                context_id: 1345,
                costs: [
                    -4445, 49, 1473, 2897, 4321, 5746, 6554, 7362, 8170, 8979, 15001,
                ],
                chain_rules: NOUN_RULES,
            },
            WordType::Verb => PartOfSpeech {
                pos: ["動詞", "自立", "*", "*"],
                context_id: 642,
                costs: [
                    3100, 6160, 6360, 6561, 6761, 6962, 7414, 7866, 8318, 8771, 13433,
                ],
                chain_rules: &["*"],
            },
            WordType::Adjective => PartOfSpeech {
                pos: ["形容詞", "自立", "*", "*"],
                context_id: 20,
                costs: [
                    1527, 3266, 3561, 3857, 4153, 4449, 5149, 5849, 6549, 7250, 10001,
                ],
                chain_rules: &["*"],
            },
            WordType::Suffix => PartOfSpeech {
                pos: ["名詞", "接尾", "一般", "*"],
                context_id: 1358,
                costs: [
                    4399, 5373, 6041, 6710, 7378, 8047, 9440, 10834, 12228, 13622, 15847,
                ],
                chain_rules: NOUN_RULES,
            },
        }
    }

    /// VOICEVOX's name (`PROPER_NOUN`…).
    pub fn as_str(self) -> &'static str {
        match self {
            WordType::ProperNoun => "PROPER_NOUN",
            WordType::CommonNoun => "COMMON_NOUN",
            WordType::Verb => "VERB",
            WordType::Adjective => "ADJECTIVE",
            WordType::Suffix => "SUFFIX",
        }
    }

    /// The naist-jdic context ID VOICEVOX gives this word type.
    pub fn context_id(self) -> u16 {
        self.part_of_speech().context_id
    }

    /// The word type whose context ID this is.
    pub fn from_context_id(id: i64) -> Option<WordType> {
        WordType::ALL
            .into_iter()
            .find(|t| i64::from(t.context_id()) == id)
    }

    /// The dictionary word cost for a priority (clamped to 0..=10), as VOICEVOX's
    /// `priority2cost`: lower cost, more often chosen.
    pub fn cost(self, priority: u8) -> i16 {
        let p = priority.min(MAX_PRIORITY);
        self.part_of_speech().costs[usize::from(MAX_PRIORITY - p)]
    }

    /// The priority whose cost is nearest to `cost` (the first on a tie), as VOICEVOX's
    /// `cost2priority`.
    pub fn priority_for_cost(self, cost: i64) -> u8 {
        let costs = self.part_of_speech().costs;
        let mut best = 0;
        for (i, &c) in costs.iter().enumerate() {
            if (i64::from(c) - cost).abs() < (i64::from(costs[best]) - cost).abs() {
                best = i;
            }
        }
        // `best` < 11, so this fits.
        MAX_PRIORITY - best as u8
    }
}

impl fmt::Display for WordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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

/// A fault in one word. Each message starts with the field at fault, in VOICEVOX's names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WordError {
    #[error("surface is empty")]
    EmptySurface,
    #[error(
        "surface {surface:?} contains whitespace or a control character; a word is matched \
         as one unbroken run of text"
    )]
    SurfaceWhitespace { surface: String },
    #[error("pronunciation is empty")]
    EmptyPronunciation,
    #[error(
        "pronunciation {pronunciation:?} is not katakana: {found:?} is not allowed \
         (write the reading in katakana, ー for long vowels)"
    )]
    NotKatakana { pronunciation: String, found: char },
    #[error("pronunciation {pronunciation:?} is not a valid reading: {reason}")]
    InvalidPronunciation {
        pronunciation: String,
        reason: String,
    },
    #[error(
        "accent_type {accent_type} is out of range 0..={mora_count} (the word's mora count): \
         0 = flat, n = the pitch falls after the n-th mora"
    )]
    AccentOutOfRange { accent_type: i64, mora_count: usize },
    #[error("priority {priority} is out of range {MIN_PRIORITY}..={MAX_PRIORITY}")]
    PriorityOutOfRange { priority: i64 },
    #[error(
        "word_type {0:?} is unknown (expected PROPER_NOUN, COMMON_NOUN, VERB, ADJECTIVE or \
         SUFFIX)"
    )]
    UnknownWordType(String),
    #[error(
        "context_id {0} is not a part of speech VOICEVOX user dictionaries use (1348 proper \
         noun, 1345 common noun, 642 verb, 20 adjective, 1358 suffix)"
    )]
    UnknownContextId(i64),
    #[error(
        "part_of_speech {found:?} does not match context_id {context_id} ({word_type}: \
         {expected:?})"
    )]
    PartOfSpeechMismatch {
        context_id: u16,
        word_type: WordType,
        found: String,
        expected: String,
    },
    #[error(
        "accent_associative_rule {rule:?} is not allowed for {word_type} (allowed: {allowed})"
    )]
    AccentRule {
        rule: String,
        word_type: WordType,
        allowed: String,
    },
    #[error("priority is missing (and there is no cost to derive it from)")]
    MissingPriority,
}

impl WordError {
    /// The field at fault, in VOICEVOX's names.
    pub fn field(&self) -> &'static str {
        match self {
            WordError::EmptySurface | WordError::SurfaceWhitespace { .. } => "surface",
            WordError::EmptyPronunciation
            | WordError::NotKatakana { .. }
            | WordError::InvalidPronunciation { .. } => "pronunciation",
            WordError::AccentOutOfRange { .. } => "accent_type",
            WordError::PriorityOutOfRange { .. } | WordError::MissingPriority => "priority",
            WordError::UnknownWordType(_) => "word_type",
            WordError::UnknownContextId(_) => "context_id",
            WordError::PartOfSpeechMismatch { .. } => "part_of_speech",
            WordError::AccentRule { .. } => "accent_associative_rule",
        }
    }
}

/// A fault in a user dictionary, its file, or an import.
#[derive(Debug, thiserror::Error)]
pub enum UserDictError {
    #[error("word {id}: {source}")]
    Word {
        id: String,
        #[source]
        source: WordError,
    },
    #[error("{0:?} is not a word id (a UUID such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301)")]
    InvalidId(String),
    #[error("no word with id {0} in the user dictionary")]
    NotFound(String),
    #[error("{prefix:?} matches {count} word ids; give more of the id")]
    AmbiguousId { prefix: String, count: usize },
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the user dictionary {path} is corrupt: {reason}. It was left as it is; fix it, or move \
         it away to start a new one"
    )]
    Corrupt { path: PathBuf, reason: String },
    #[error(
        "the user dictionary {path} has format version {found}; this program reads version \
         {FILE_VERSION}"
    )]
    UnsupportedVersion { path: PathBuf, found: u32 },
    #[error("not a VOICEVOX user dictionary (an object of id → word): {0}")]
    VoicevoxJson(#[source] serde_json::Error),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> UserDictError + '_ {
    move |source| UserDictError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One validated word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserWord {
    surface: String,
    pronunciation: String,
    accent_type: usize,
    mora_count: usize,
    word_type: WordType,
    priority: u8,
    accent_associative_rule: String,
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

    /// The word as a row of OpenJTalk's naist-jdic CSV (15 columns, as VOICEVOX writes its
    /// user dictionary): surface, left and right context ID, cost, part of speech (4),
    /// conjugation type and form, base form, reading, pronunciation, `accent/moras`, chain
    /// rule.
    pub fn naist_jdic_row(&self) -> [String; 15] {
        let pos = self.word_type.part_of_speech();
        let id = pos.context_id.to_string();
        [
            self.surface.clone(),
            id.clone(),
            id,
            self.cost().to_string(),
            pos.pos[0].to_owned(),
            pos.pos[1].to_owned(),
            pos.pos[2].to_owned(),
            pos.pos[3].to_owned(),
            "*".to_owned(),
            "*".to_owned(),
            self.surface.clone(),
            self.pronunciation.clone(),
            self.pronunciation.clone(),
            format!("{}/{}", self.accent_type, self.mora_count),
            self.accent_associative_rule.clone(),
        ]
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
    Ok(s)
}

/// Half-width katakana and compatibility forms via NFKC, hiragana to katakana.
fn normalize_pronunciation(pronunciation: &str) -> String {
    pronunciation
        .trim()
        .nfkc()
        .map(|c| match c {
            'ぁ'..='ゖ' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ => c,
        })
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

/// Parses a word id: a UUID, normalized to lower-case hyphenated form (as VOICEVOX does).
pub fn parse_word_id(id: &str) -> Result<String, UserDictError> {
    uuid::Uuid::parse_str(id.trim())
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| UserDictError::InvalidId(id.to_owned()))
}

fn new_word_id() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

/// How an import went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MergeSummary {
    /// Words whose id was not in the dictionary.
    pub added: usize,
    /// Words whose id was there and that replaced it (override).
    pub replaced: usize,
    /// Words whose id was there and that were skipped (no override).
    pub kept: usize,
}

/// Words keyed by id, in the order they were added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserDictionary {
    words: Vec<(String, UserWord)>,
}

impl UserDictionary {
    pub fn new() -> UserDictionary {
        UserDictionary::default()
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// (id, word) in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &UserWord)> {
        self.words.iter().map(|(id, w)| (id.as_str(), w))
    }

    pub fn get(&self, id: &str) -> Option<&UserWord> {
        self.position(id).map(|i| &self.words[i].1)
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.words.iter().position(|(k, _)| k == id)
    }

    /// Adds a word under a new random UUID and returns the id.
    pub fn add(&mut self, word: UserWord) -> String {
        let id = new_word_id();
        self.words.push((id.clone(), word));
        id
    }

    /// Puts a word under `id` (a UUID), replacing and returning any word already there.
    pub fn insert(&mut self, id: &str, word: UserWord) -> Result<Option<UserWord>, UserDictError> {
        let id = parse_word_id(id)?;
        Ok(match self.position(&id) {
            Some(i) => Some(std::mem::replace(&mut self.words[i].1, word)),
            None => {
                self.words.push((id, word));
                None
            }
        })
    }

    /// The full id of the one word whose id is `id` or starts with it (case-insensitive), so
    /// people can type the first few characters of what `dict list` shows.
    pub fn resolve_id(&self, id: &str) -> Result<String, UserDictError> {
        let key = id.trim().to_ascii_lowercase();
        if key.is_empty() {
            return Err(UserDictError::InvalidId(id.to_owned()));
        }
        if let Some(i) = self.position(&key) {
            return Ok(self.words[i].0.clone());
        }
        let matches: Vec<&str> = self
            .words
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| k.starts_with(&key))
            .collect();
        match matches.as_slice() {
            [one] => Ok((*one).to_owned()),
            [] => Err(UserDictError::NotFound(id.to_owned())),
            many => Err(UserDictError::AmbiguousId {
                prefix: id.to_owned(),
                count: many.len(),
            }),
        }
    }

    /// Removes the word with this exact id and returns it.
    pub fn remove(&mut self, id: &str) -> Result<UserWord, UserDictError> {
        let i = self
            .position(id)
            .ok_or_else(|| UserDictError::NotFound(id.to_owned()))?;
        Ok(self.words.remove(i).1)
    }

    /// Merges `other` in. Words with new ids are appended; words whose id is already here
    /// replace it with `override_existing`, else are skipped (VOICEVOX's import semantics).
    pub fn merge(&mut self, other: UserDictionary, override_existing: bool) -> MergeSummary {
        let mut summary = MergeSummary::default();
        for (id, word) in other.words {
            match self.position(&id) {
                Some(i) if override_existing => {
                    self.words[i].1 = word;
                    summary.replaced += 1;
                }
                Some(_) => summary.kept += 1,
                None => {
                    self.words.push((id, word));
                    summary.added += 1;
                }
            }
        }
        summary
    }

    /// Reads a dictionary file written by [`UserDictionary::save`]. A missing file is an empty
    /// dictionary; a file that is not valid is an error (it is never overwritten by a load).
    pub fn load(path: &Path) -> Result<UserDictionary, UserDictError> {
        let text = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(UserDictionary::new()),
            Err(e) => return Err(io_err(path)(e)),
        };
        let corrupt = |reason: String| UserDictError::Corrupt {
            path: path.to_path_buf(),
            reason,
        };
        let file: StoredFile =
            serde_json::from_slice(&text).map_err(|e| corrupt(format!("not valid JSON ({e})")))?;
        if file.version != FILE_VERSION {
            return Err(UserDictError::UnsupportedVersion {
                path: path.to_path_buf(),
                found: file.version,
            });
        }
        let mut dict = UserDictionary::new();
        for (id, w) in file.words.0 {
            let id = parse_word_id(&id).map_err(|e| corrupt(e.to_string()))?;
            let word_type = w
                .word_type
                .parse()
                .map_err(|e: WordError| corrupt(format!("word {id}: {e}")))?;
            let word = UserWord::with_rule(
                &w.surface,
                &w.pronunciation,
                w.accent_type,
                word_type,
                w.priority,
                &w.accent_associative_rule,
            )
            .map_err(|e| corrupt(format!("word {id}: {e}")))?;
            if dict.position(&id).is_some() {
                return Err(corrupt(format!("word id {id} appears twice")));
            }
            dict.words.push((id, word));
        }
        Ok(dict)
    }

    /// Writes the dictionary to `path` atomically: a temporary file in the same directory,
    /// flushed to disk, then renamed over the old file. Creates the directory if needed.
    pub fn save(&self, path: &Path) -> Result<(), UserDictError> {
        let json = self.to_json();
        yomiage_files::write_atomic(path, json.as_bytes()).map_err(|e| UserDictError::Io {
            path: e.path,
            source: e.source,
        })
    }

    /// The file format: `{"version": 1, "words": {"<uuid>": {surface, pronunciation,
    /// accent_type, word_type, priority, accent_associative_rule}}}`.
    pub fn to_json(&self) -> String {
        let file = StoredFile {
            version: FILE_VERSION,
            words: OrderedMap(
                self.words
                    .iter()
                    .map(|(id, w)| (id.clone(), StoredWord::from(w)))
                    .collect(),
            ),
        };
        // A struct of strings and integers always serializes.
        let mut json = serde_json::to_string_pretty(&file).unwrap_or_default();
        json.push('\n');
        json
    }

    /// VOICEVOX ENGINE's `GET /user_dict` response: `{"<uuid>": UserDictWord}` with every
    /// field VOICEVOX has (part of speech, context ID, `yomi`, `mora_count`…).
    pub fn to_voicevox_json(&self) -> String {
        let map = OrderedMap(
            self.words
                .iter()
                .map(|(id, w)| (id.clone(), VoicevoxWord::from(w)))
                .collect(),
        );
        let mut json = serde_json::to_string_pretty(&map).unwrap_or_default();
        json.push('\n');
        json
    }

    /// Reads VOICEVOX's user dictionary JSON: the `GET /user_dict` shape (with `priority`), or
    /// VOICEVOX's saved `user_dict.json` (with `cost`; `context_id` may be missing in files
    /// from VOICEVOX 0.12 and earlier, meaning a proper noun). Every word is checked as VOICEVOX
    /// checks an import: a UUID id, a known part of speech whose fields agree with the context
    /// ID, an allowed accent rule, a katakana pronunciation and an accent within it. Either
    /// every word is good or nothing is returned.
    pub fn from_voicevox_json(json: &str) -> Result<UserDictionary, UserDictError> {
        let map: OrderedMap<VoicevoxWordIn> =
            serde_json::from_str(json).map_err(UserDictError::VoicevoxJson)?;
        let mut dict = UserDictionary::new();
        for (raw_id, w) in map.0 {
            let id = parse_word_id(&raw_id)?;
            let word = w.into_word().map_err(|source| UserDictError::Word {
                id: id.clone(),
                source,
            })?;
            match dict.position(&id) {
                // Two spellings of one UUID: the later wins, as in a JSON object.
                Some(i) => dict.words[i].1 = word,
                None => dict.words.push((id, word)),
            }
        }
        Ok(dict)
    }

    /// One naist-jdic CSV row per word (see [`UserWord::naist_jdic_row`]).
    pub fn naist_jdic_rows(&self) -> Vec<[String; 15]> {
        self.words.iter().map(|(_, w)| w.naist_jdic_row()).collect()
    }

    /// Compiles the words into a lindera user dictionary in jpreprocess's format; `None` when
    /// there are no words.
    pub(crate) fn compile(
        &self,
    ) -> Result<Option<jpreprocess::UserDictionary>, Box<dyn std::error::Error + Send + Sync>> {
        if self.is_empty() {
            return Ok(None);
        }
        let rows = self.naist_jdic_rows();
        let data: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let metadata = crate::dictionary::naist_jdic_metadata()?;
        let dict = jpreprocess_dictionary::dictionary::to_dict::JPreprocessDictionaryBuilder::new(
            metadata,
        )
        .build_user_dict_from_data(data)?;
        Ok(Some(dict))
    }
}

// ---------------------------------------------------------------------------------------
// Serialized forms

/// A JSON object read and written in document order (ids are not sorted, duplicates are
/// kept for the caller to judge).
struct OrderedMap<V>(Vec<(String, V)>);

impl<V: Serialize> Serialize for OrderedMap<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V_<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for V_<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of word id → word")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((k, v)) = map.next_entry::<String, V>()? {
                    out.push((k, v));
                }
                Ok(OrderedMap(out))
            }
        }
        d.deserialize_map(V_(std::marker::PhantomData))
    }
}

#[derive(Serialize, Deserialize)]
struct StoredFile {
    version: u32,
    words: OrderedMap<StoredWord>,
}

/// A word as stored; validated into a [`UserWord`] on load. Integers are wide so that a bad
/// value gets the field's own error rather than a JSON type error.
#[derive(Serialize, Deserialize)]
struct StoredWord {
    surface: String,
    pronunciation: String,
    accent_type: i64,
    #[serde(default = "default_word_type")]
    word_type: String,
    #[serde(default = "default_priority")]
    priority: i64,
    #[serde(default = "default_rule")]
    accent_associative_rule: String,
}

fn default_word_type() -> String {
    WordType::default().as_str().to_owned()
}
fn default_priority() -> i64 {
    i64::from(DEFAULT_PRIORITY)
}
fn default_rule() -> String {
    "*".to_owned()
}

impl From<&UserWord> for StoredWord {
    fn from(w: &UserWord) -> Self {
        StoredWord {
            surface: w.surface.clone(),
            pronunciation: w.pronunciation.clone(),
            accent_type: w.accent_type as i64,
            word_type: w.word_type.as_str().to_owned(),
            priority: i64::from(w.priority),
            accent_associative_rule: w.accent_associative_rule.clone(),
        }
    }
}

/// VOICEVOX ENGINE's `UserDictWord`, field for field, in its order.
#[derive(Serialize)]
struct VoicevoxWord {
    surface: String,
    priority: u8,
    context_id: u16,
    part_of_speech: &'static str,
    part_of_speech_detail_1: &'static str,
    part_of_speech_detail_2: &'static str,
    part_of_speech_detail_3: &'static str,
    inflectional_type: &'static str,
    inflectional_form: &'static str,
    stem: &'static str,
    yomi: String,
    pronunciation: String,
    accent_type: usize,
    mora_count: usize,
    accent_associative_rule: String,
}

impl From<&UserWord> for VoicevoxWord {
    fn from(w: &UserWord) -> Self {
        let pos = w.word_type.part_of_speech();
        VoicevoxWord {
            surface: w.surface.clone(),
            priority: w.priority,
            context_id: pos.context_id,
            part_of_speech: pos.pos[0],
            part_of_speech_detail_1: pos.pos[1],
            part_of_speech_detail_2: pos.pos[2],
            part_of_speech_detail_3: pos.pos[3],
            inflectional_type: "*",
            inflectional_form: "*",
            stem: "*",
            yomi: w.pronunciation.clone(),
            pronunciation: w.pronunciation.clone(),
            accent_type: w.accent_type,
            mora_count: w.mora_count,
            accent_associative_rule: w.accent_associative_rule.clone(),
        }
    }
}

/// VOICEVOX's word as read: the API shape or the saved shape. `yomi`, `stem`, the inflection
/// fields and `mora_count` are not needed (VOICEVOX sets `yomi` to the pronunciation and
/// recounts moras) and are ignored.
#[derive(Deserialize)]
struct VoicevoxWordIn {
    surface: String,
    #[serde(default)]
    priority: Option<i64>,
    #[serde(default)]
    cost: Option<i64>,
    #[serde(default)]
    context_id: Option<i64>,
    #[serde(default)]
    part_of_speech: Option<String>,
    #[serde(default)]
    part_of_speech_detail_1: Option<String>,
    #[serde(default)]
    part_of_speech_detail_2: Option<String>,
    #[serde(default)]
    part_of_speech_detail_3: Option<String>,
    pronunciation: String,
    accent_type: i64,
    #[serde(default = "default_rule")]
    accent_associative_rule: String,
}

impl VoicevoxWordIn {
    fn into_word(self) -> Result<UserWord, WordError> {
        // VOICEVOX: a missing context_id (files from 0.12 and earlier) is a proper noun.
        let context_id = self
            .context_id
            .unwrap_or_else(|| i64::from(WordType::ProperNoun.context_id()));
        let word_type =
            WordType::from_context_id(context_id).ok_or(WordError::UnknownContextId(context_id))?;
        let expected = word_type.part_of_speech().pos;
        let given = [
            &self.part_of_speech,
            &self.part_of_speech_detail_1,
            &self.part_of_speech_detail_2,
            &self.part_of_speech_detail_3,
        ];
        let mismatch = given
            .iter()
            .zip(expected)
            .any(|(g, e)| g.as_deref().is_some_and(|g| g != e));
        if mismatch {
            let found: Vec<&str> = given.iter().map(|g| g.as_deref().unwrap_or("")).collect();
            return Err(WordError::PartOfSpeechMismatch {
                context_id: word_type.context_id(),
                word_type,
                found: found.join(","),
                expected: expected.join(","),
            });
        }
        let priority = match (self.priority, self.cost) {
            (Some(p), _) => p,
            (None, Some(cost)) => i64::from(word_type.priority_for_cost(cost)),
            (None, None) => return Err(WordError::MissingPriority),
        };
        UserWord::with_rule(
            &self.surface,
            &self.pronunciation,
            self.accent_type,
            word_type,
            priority,
            &self.accent_associative_rule,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(surface: &str, pron: &str, accent: i64) -> UserWord {
        UserWord::new(surface, pron, accent, WordType::ProperNoun, 5).expect("valid word")
    }

    #[test]
    fn valid_word_counts_moras_as_openjtalk() {
        let w = word("鬱金香庵", "ウコンコウアン", 3);
        assert_eq!(w.mora_count(), 7);
        assert_eq!(w.accent_type(), 3);
        assert_eq!(w.priority(), DEFAULT_PRIORITY);
        // Contracted sounds are one mora; ッ, ン and ー are moras.
        assert_eq!(word("キャット", "キャット", 1).mora_count(), 3);
        assert_eq!(word("ティーカップ", "ティーカップ", 3).mora_count(), 5);
        assert_eq!(word("ヴァイオリン", "ヴァイオリン", 0).moras().len(), 5);
        assert_eq!(
            word("ウィキ", "ウィキ", 1).moras(),
            vec!["ウィ".to_owned(), "キ".to_owned()]
        );
    }

    #[test]
    fn empty_surface_is_refused() {
        for s in ["", "   ", "\u{3000}"] {
            let e = UserWord::new(s, "ア", 0, WordType::ProperNoun, 5).expect_err(s);
            assert_eq!(e, WordError::EmptySurface);
            assert_eq!(e.field(), "surface");
        }
        let e = UserWord::new("New York", "ニューヨーク", 3, WordType::ProperNoun, 5)
            .expect_err("space inside");
        assert!(matches!(e, WordError::SurfaceWhitespace { .. }), "{e}");
    }

    #[test]
    fn surface_is_normalized_like_the_analysed_text() {
        // ASCII becomes full-width (jpreprocess looks words up that way); full-width input
        // and half-width katakana land on the same word.
        assert_eq!(word("yomiage", "ヨミアゲ", 0).surface(), "ｙｏｍｉａｇｅ");
        assert_eq!(
            word("ｙｏｍｉａｇｅ", "ヨミアゲ", 0).surface(),
            "ｙｏｍｉａｇｅ"
        );
        assert_eq!(word("ﾖﾐｱｹﾞ", "ヨミアゲ", 0).surface(), "ヨミアゲ");
        assert_eq!(word("  太郎 ", "タロウ", 1).surface(), "太郎");
    }

    #[test]
    fn pronunciation_must_be_katakana() {
        for (p, found) in [
            ("abc", 'a'),
            ("ウコン庵", '庵'),
            ("ア イ", ' '),
            ("ア、イ", '、'),
        ] {
            let e = UserWord::new("x", p, 0, WordType::ProperNoun, 5).expect_err(p);
            assert_eq!(
                e,
                WordError::NotKatakana {
                    pronunciation: p.to_owned(),
                    found
                }
            );
            assert_eq!(e.field(), "pronunciation");
            assert!(e.to_string().starts_with("pronunciation"), "{e}");
        }
        let e = UserWord::new("x", "", 0, WordType::ProperNoun, 5).expect_err("empty");
        assert_eq!(e, WordError::EmptyPronunciation);
        // VOICEVOX's small-kana rules.
        for p in ["キャャ", "アッッ", "イヮ"] {
            let e = UserWord::new("x", p, 0, WordType::ProperNoun, 5).expect_err(p);
            assert!(
                matches!(e, WordError::InvalidPronunciation { .. }),
                "{p}: {e}"
            );
        }
        // Hiragana and half-width katakana are converted, not refused.
        assert_eq!(word("x", "よみあげ", 0).pronunciation(), "ヨミアゲ");
        assert_eq!(word("x", "ﾖﾐｱｹﾞ", 0).pronunciation(), "ヨミアゲ");
    }

    #[test]
    fn accent_beyond_the_moras_is_refused() {
        let e = UserWord::new("x", "ウコン", 4, WordType::ProperNoun, 5).expect_err("4 > 3");
        assert_eq!(
            e,
            WordError::AccentOutOfRange {
                accent_type: 4,
                mora_count: 3
            }
        );
        assert_eq!(e.field(), "accent_type");
        assert!(e.to_string().contains("0..=3"), "{e}");
        let e = UserWord::new("x", "ウコン", -1, WordType::ProperNoun, 5).expect_err("-1");
        assert_eq!(e.field(), "accent_type");
        // 0 (flat) and the mora count (odaka) are both fine.
        word("x", "ウコン", 0);
        word("x", "ウコン", 3);
    }

    #[test]
    fn priority_out_of_range_is_refused() {
        for p in [-1, 11, 1000] {
            let e = UserWord::new("x", "ア", 0, WordType::ProperNoun, p).expect_err("range");
            assert_eq!(e, WordError::PriorityOutOfRange { priority: p });
            assert_eq!(e.field(), "priority");
        }
        for p in [0, 10] {
            UserWord::new("x", "ア", 0, WordType::ProperNoun, p).expect("in range");
        }
    }

    #[test]
    fn accent_rule_depends_on_word_type() {
        UserWord::with_rule("x", "ア", 0, WordType::CommonNoun, 5, "C2").expect("noun C2");
        let e = UserWord::with_rule("x", "アウ", 0, WordType::Verb, 5, "C2").expect_err("verb");
        assert_eq!(e.field(), "accent_associative_rule");
    }

    #[test]
    fn word_type_names() {
        for t in WordType::ALL {
            assert_eq!(t.as_str().parse::<WordType>(), Ok(t));
            let kebab = t.as_str().to_ascii_lowercase().replace('_', "-");
            assert_eq!(kebab.parse::<WordType>(), Ok(t));
            assert_eq!(WordType::from_context_id(t.context_id().into()), Some(t));
        }
        assert!("noun".parse::<WordType>().is_err());
    }

    #[test]
    fn priority_maps_to_voicevox_costs_and_back() {
        let t = WordType::ProperNoun;
        assert_eq!(t.cost(10), -988);
        assert_eq!(t.cost(5), 8609);
        assert_eq!(t.cost(0), 14176);
        assert_eq!(WordType::CommonNoun.cost(5), 5746);
        for t in WordType::ALL {
            for p in 0..=MAX_PRIORITY {
                assert_eq!(t.priority_for_cost(t.cost(p).into()), p, "{t} {p}");
            }
        }
        // Between two costs: the nearer one.
        assert_eq!(t.priority_for_cost(8700), 4);
        assert_eq!(t.priority_for_cost(-30000), 10);
    }

    #[test]
    fn naist_jdic_row_is_what_voicevox_writes() {
        let w = UserWord::with_rule(
            "鬱金香庵",
            "ウコンコウアン",
            3,
            WordType::CommonNoun,
            7,
            "C1",
        )
        .expect("word");
        let row = w.naist_jdic_row();
        assert_eq!(
            row.join(","),
            "鬱金香庵,1345,1345,2897,名詞,一般,*,*,*,*,鬱金香庵,ウコンコウアン,ウコンコウアン,3/7,C1"
        );
    }

    fn sample() -> UserDictionary {
        let mut d = UserDictionary::new();
        d.add(word("鬱金香庵", "ウコンコウアン", 3));
        d.add(UserWord::new("yomiage", "ヨミアゲ", 0, WordType::CommonNoun, 9).expect("word"));
        d.add(UserWord::new("さま", "サマ", 1, WordType::Suffix, 0).expect("word"));
        d
    }

    #[test]
    fn ids_are_uuids_and_prefixes_resolve() {
        let mut d = sample();
        let ids: Vec<String> = d.iter().map(|(id, _)| id.to_owned()).collect();
        for id in &ids {
            assert_eq!(parse_word_id(id).expect("uuid"), *id);
        }
        assert_eq!(d.resolve_id(&ids[1][..8]).expect("prefix"), ids[1]);
        assert_eq!(d.resolve_id(&ids[1].to_uppercase()).expect("upper"), ids[1]);
        assert!(matches!(
            d.resolve_id("zz"),
            Err(UserDictError::NotFound(_))
        ));
        assert!(matches!(d.resolve_id(""), Err(UserDictError::InvalidId(_))));
        let removed = d.remove(&ids[0]).expect("remove");
        assert_eq!(removed.surface(), "鬱金香庵");
        assert_eq!(d.len(), 2);
        assert!(matches!(d.remove(&ids[0]), Err(UserDictError::NotFound(_))));
        assert!(matches!(
            d.insert("not-a-uuid", word("a", "ア", 0)),
            Err(UserDictError::InvalidId(_))
        ));
    }

    #[test]
    fn file_round_trip_keeps_ids_order_and_fields() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub").join("user_dict.json");
        assert!(UserDictionary::load(&path)
            .expect("missing is empty")
            .is_empty());
        let d = sample();
        d.save(&path).expect("save");
        let back = UserDictionary::load(&path).expect("load");
        assert_eq!(back, d);
        // No temporary files are left next to it.
        let names: Vec<String> = std::fs::read_dir(path.parent().expect("dir"))
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["user_dict.json".to_owned()]);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        assert_eq!(json["version"], 1);
        let (id, _) = d.iter().nth(1).expect("second");
        assert_eq!(json["words"][id]["word_type"], "COMMON_NOUN");
        assert_eq!(json["words"][id]["priority"], 9);
    }

    #[test]
    fn corrupt_file_is_an_error_and_is_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("user_dict.json");
        let id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
        let cases = [
            "{\"version\": 1, \"words\": {".to_owned(),
            "[]".to_owned(),
            format!(
                r#"{{"version": 1, "words": {{"{id}": {{"surface": "x", "pronunciation": "abc", "accent_type": 0}}}}}}"#
            ),
            format!(
                r#"{{"version": 1, "words": {{"{id}": {{"surface": "x", "pronunciation": "ア", "accent_type": 0}}, "{id}": {{"surface": "y", "pronunciation": "ア", "accent_type": 0}}}}}}"#
            ),
            r#"{"version": 1, "words": {"w1": {"surface": "x", "pronunciation": "ア", "accent_type": 0}}}"#.to_owned(),
        ];
        for text in cases {
            std::fs::write(&path, &text).expect("write");
            let e = UserDictionary::load(&path).expect_err(&text);
            assert!(matches!(e, UserDictError::Corrupt { .. }), "{text}: {e}");
            assert!(e.to_string().contains("user_dict.json"), "{e}");
            assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
        }
        std::fs::write(&path, r#"{"version": 9, "words": {}}"#).expect("write");
        assert!(matches!(
            UserDictionary::load(&path),
            Err(UserDictError::UnsupportedVersion { found: 9, .. })
        ));
    }

    #[test]
    fn voicevox_export_has_voicevox_fields_and_imports_back() {
        let d = sample();
        let json = d.to_voicevox_json();
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        let (id, _) = d.iter().next().expect("first");
        let w = &v[id];
        let expected = serde_json::json!({
            "surface": "鬱金香庵",
            "priority": 5,
            "context_id": 1348,
            "part_of_speech": "名詞",
            "part_of_speech_detail_1": "固有名詞",
            "part_of_speech_detail_2": "一般",
            "part_of_speech_detail_3": "*",
            "inflectional_type": "*",
            "inflectional_form": "*",
            "stem": "*",
            "yomi": "ウコンコウアン",
            "pronunciation": "ウコンコウアン",
            "accent_type": 3,
            "mora_count": 7,
            "accent_associative_rule": "*"
        });
        assert_eq!(*w, expected);
        // Field order as VOICEVOX's model.
        let keys: Vec<&str> = json
            .lines()
            .skip(2)
            .take(15)
            .filter_map(|l| l.trim().split('"').nth(1))
            .collect();
        assert_eq!(keys[0], "surface");
        assert_eq!(keys[14], "accent_associative_rule");
        let back = UserDictionary::from_voicevox_json(&json).expect("import");
        assert_eq!(back, d);
    }

    #[test]
    fn voicevox_saved_format_with_cost_imports() {
        // VOICEVOX's own user_dict.json: cost instead of priority; 0.12-era words lack
        // context_id (proper noun).
        let json = r#"{
          "A0B1C2D3-0000-4000-8000-000000000001": {
            "surface": "ｔｅｓｔ", "cost": 8600, "context_id": 1345,
            "part_of_speech": "名詞", "part_of_speech_detail_1": "一般",
            "part_of_speech_detail_2": "*", "part_of_speech_detail_3": "*",
            "inflectional_type": "*", "inflectional_form": "*", "stem": "*",
            "yomi": "テスト", "pronunciation": "テスト", "accent_type": 1,
            "accent_associative_rule": "*"
          },
          "a0b1c2d3-0000-4000-8000-000000000002": {
            "surface": "テスト二", "cost": -988, "part_of_speech": "名詞",
            "part_of_speech_detail_1": "固有名詞", "part_of_speech_detail_2": "一般",
            "part_of_speech_detail_3": "*", "inflectional_type": "*",
            "inflectional_form": "*", "stem": "*", "yomi": "テストニ",
            "pronunciation": "テストニ", "accent_type": 0, "accent_associative_rule": "*"
          }
        }"#;
        let d = UserDictionary::from_voicevox_json(json).expect("import");
        let words: Vec<(&str, &UserWord)> = d.iter().collect();
        assert_eq!(words[0].0, "a0b1c2d3-0000-4000-8000-000000000001");
        assert_eq!(words[0].1.surface(), "ｔｅｓｔ");
        assert_eq!(words[0].1.word_type(), WordType::CommonNoun);
        assert_eq!(words[0].1.priority(), 1); // 8979 is the nearest common-noun cost
        assert_eq!(words[1].1.word_type(), WordType::ProperNoun);
        assert_eq!(words[1].1.priority(), 10);
    }

    #[test]
    fn voicevox_import_checks_every_word() {
        let good = r#""surface": "x", "priority": 5, "pronunciation": "ア", "accent_type": 0"#;
        let id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
        let bad = [
            (format!(r#"{{"nope": {{{good}}}}}"#), "not a word id"),
            (
                format!(r#"{{"{id}": {{{good}, "context_id": 5}}}}"#),
                "context_id 5",
            ),
            (
                format!(r#"{{"{id}": {{{good}, "context_id": 642, "part_of_speech": "名詞"}}}}"#),
                "part_of_speech",
            ),
            (
                format!(
                    r#"{{"{id}": {{"surface": "x", "priority": 11, "pronunciation": "ア", "accent_type": 0}}}}"#
                ),
                "priority 11",
            ),
            (
                format!(
                    r#"{{"{id}": {{"surface": "x", "priority": 5, "pronunciation": "ア", "accent_type": 2}}}}"#
                ),
                "accent_type 2",
            ),
            (
                format!(
                    r#"{{"{id}": {{"surface": "x", "pronunciation": "ア", "accent_type": 0}}}}"#
                ),
                "priority is missing",
            ),
            ("[1, 2]".to_owned(), "not a VOICEVOX user dictionary"),
        ];
        for (json, needle) in bad {
            let e = UserDictionary::from_voicevox_json(&json).expect_err(&json);
            assert!(e.to_string().contains(needle), "{json}: {e}");
        }
        let ok = format!(r#"{{"{id}": {{{good}}}}}"#);
        assert_eq!(
            UserDictionary::from_voicevox_json(&ok).expect("ok").len(),
            1
        );
    }

    #[test]
    fn merge_keeps_or_overrides_existing_ids() {
        let mut d = sample();
        let (id, _) = d
            .iter()
            .next()
            .map(|(i, w)| (i.to_owned(), w.clone()))
            .expect("first");
        let mut other = UserDictionary::new();
        other
            .insert(&id, word("鬱金香庵", "ウコンコウアン", 0))
            .expect("insert");
        other.add(word("新語", "シンゴ", 0));

        let mut kept = d.clone();
        let s = kept.merge(other.clone(), false);
        assert_eq!(
            s,
            MergeSummary {
                added: 1,
                replaced: 0,
                kept: 1
            }
        );
        assert_eq!(kept.get(&id).expect("word").accent_type(), 3);
        assert_eq!(kept.len(), 4);

        let s = d.merge(other, true);
        assert_eq!(
            s,
            MergeSummary {
                added: 1,
                replaced: 1,
                kept: 0
            }
        );
        assert_eq!(d.get(&id).expect("word").accent_type(), 0);
    }

    #[test]
    fn compiles_into_a_lindera_user_dictionary() {
        assert!(UserDictionary::new().compile().expect("empty").is_none());
        let d = sample();
        let compiled = d.compile().expect("compile").expect("some");
        let found = compiled.dict.find_surface("鬱金香庵");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].word_cost, 8609);
        assert_eq!(found[0].left_id, 1348);
        assert_eq!(compiled.dict.find_surface("ｙｏｍｉａｇｅ").len(), 1);
    }
}
