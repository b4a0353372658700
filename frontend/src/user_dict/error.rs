//! What can be wrong with a word, a dictionary, its file or an import.

use std::path::PathBuf;

use super::word_type::{WordType, MAX_PRIORITY, MIN_PRIORITY};

/// The version of the file format [`super::UserDictionary::save`] writes (here, where the
/// error that names it is).
pub(super) const FILE_VERSION: u32 = 1;

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
