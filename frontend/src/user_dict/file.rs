//! Our file: `user_dict.json`, read strictly and written atomically.

use std::fmt;
use std::path::Path;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::dictionary::{parse_word_id, UserDictionary};
use super::error::{UserDictError, WordError, FILE_VERSION};
use super::word::UserWord;
use super::word_type::{WordType, DEFAULT_PRIORITY};

impl UserDictionary {
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
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> UserDictError + '_ {
    move |source| UserDictError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A JSON object read and written in document order (ids are not sorted, duplicates are
/// kept for the caller to judge).
pub(super) struct OrderedMap<V>(pub(super) Vec<(String, V)>);

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
pub(super) fn default_rule() -> String {
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
