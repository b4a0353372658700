//! Japanese text → accent phrases (OpenJTalk's rules via jpreprocess) → the voice model's
//! phonemes.
//!
//! [`Frontend::analyze`] gives VOICEVOX-style [`AccentPhrase`]s whose accents are explicit
//! and editable; [`to_phonemes`] turns (possibly edited) phrases into Kokoro's phoneme
//! characters, each tagged with the mora it belongs to so durations and pitch can be mapped
//! back per mora. A [`UserDictionary`] (VOICEVOX-compatible) adds words with their reading,
//! accent and priority to the analysis ([`Frontend::load_with_user_dictionary`]).

pub mod accent;
mod analysis;
mod dictionary;
mod kana;
mod normalize;
mod phonemes;
mod types;
mod user_dict;

pub use accent::learned::AccentModel;
pub use accent::AccentEstimator;
pub use analysis::{Frontend, FrontendError};
pub use dictionary::{build_dictionary, DictionaryBuild, DictionaryError};
pub use kana::{parse_kana, to_kana, KanaError};
pub use normalize::normalize;
pub use phonemes::{is_sayable, phoneme_string, to_phonemes, PhonemeToken, TokenOwner};
pub use types::{tones, AccentPhrase, Mora, Tone};
pub use user_dict::{
    parse_word_id, MergeSummary, UserDictError, UserDictionary, UserWord, WordError, WordType,
    DEFAULT_PRIORITY, MAX_PRIORITY, MIN_PRIORITY,
};

/// The jpreprocess version this build analyses with; built dictionaries are tied to it.
pub const JPREPROCESS_VERSION: &str = jpreprocess::VERSION;
