//! Japanese text → accent phrases (OpenJTalk's rules via jpreprocess) of typed moras.
//!
//! [`Frontend::analyze`] gives VOICEVOX-style [`AccentPhrase`]s whose accents are explicit
//! and editable; each [`Mora`] is an optional [`Consonant`] and a [`Vowel`] (OpenJTalk's
//! phonemes, typed; the voice model maps them to its own symbols). A [`UserDictionary`]
//! (VOICEVOX-compatible) adds words with their reading, accent and priority to the analysis
//! ([`Frontend::load_with_user_dictionary`]).

pub mod accent;
mod analysis;
mod dictionary;
mod explain;
mod kana;
mod kanji;
pub mod lexicon;
mod normalize;
mod phoneme;
mod pieces;
mod provenance;
mod reading;
mod script;
mod types;
mod user_dict;

pub use accent::learned::AccentModel;
pub use accent::AccentEstimator;
pub use analysis::{Frontend, FrontendError};
pub use dictionary::{
    build_dictionary, decompile, DecompileError, Decompiled, DictionaryBuild, DictionaryError,
};
pub use explain::{Candidate, WordReading};
pub use kana::{parse_kana, to_kana, KanaError};
pub use kanji::{convert_unihan_map, KanjiTableError, TABLE_FILE as KANJI_TABLE_FILE};
pub use normalize::normalize;
pub use phoneme::{Consonant, Phoneme, UnknownPhoneme, Vowel};
pub use provenance::ReadingSource;
pub use reading::{ReadingModel, ReadingModelError};
pub use types::{tones, AccentPhrase, Mora, Tone};
pub use user_dict::{
    parse_word_id, MergeSummary, UserDictError, UserDictionary, UserWord, WordError, WordType,
    DEFAULT_PRIORITY, MAX_PRIORITY, MIN_PRIORITY,
};

/// The jpreprocess version this build analyses with; built dictionaries are tied to it.
pub const JPREPROCESS_VERSION: &str = jpreprocess::VERSION;
