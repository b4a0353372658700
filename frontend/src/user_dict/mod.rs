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
//!
//! The parts: `word_type` (VOICEVOX's word types: part of speech, context ID, cost table),
//! `word` (a validated word), `dictionary` (the container, ids, merging), `file` (our JSON
//! file), `voicevox` (VOICEVOX's JSON, both ways) and `lindera` (the rows and the compiled
//! user dictionary the analysis uses); `error` holds the faults they share.

mod dictionary;
mod error;
mod file;
mod lindera;
mod voicevox;
mod word;
mod word_type;

pub use dictionary::{parse_word_id, MergeSummary, UserDictionary};
pub use error::{UserDictError, WordError};
pub use word::UserWord;
pub use word_type::{WordType, DEFAULT_PRIORITY, MAX_PRIORITY, MIN_PRIORITY};

#[cfg(test)]
mod tests;
