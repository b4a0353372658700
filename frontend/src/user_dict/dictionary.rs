//! The container: words keyed by UUID in the order they were added, and merging.

use super::error::UserDictError;
use super::word::UserWord;

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
    pub(super) words: Vec<(String, UserWord)>,
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

    pub(super) fn position(&self, id: &str) -> Option<usize> {
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
}
