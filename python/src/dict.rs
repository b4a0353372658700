//! `UserDictionary`: the user dictionary file `yomiage dict` edits (VOICEVOX's fields and
//! rules), for Python. Edits are in memory until `save()`; an engine takes the words with
//! `Engine.set_user_dictionary`.

use std::path::PathBuf;
use std::sync::Mutex;

use pyo3::prelude::*;
use yomiage_frontend::{UserWord, WordType};

use crate::{assets, err, value_err};

#[pyclass(frozen, module = "yomiage._native")]
pub struct UserDictionary {
    path: PathBuf,
    words: Mutex<yomiage_frontend::UserDictionary>,
}

impl UserDictionary {
    fn lock(&self) -> std::sync::MutexGuard<'_, yomiage_frontend::UserDictionary> {
        self.words.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The words as they are now.
    pub(crate) fn snapshot(&self) -> yomiage_frontend::UserDictionary {
        self.lock().clone()
    }
}

#[pymethods]
impl UserDictionary {
    /// The dictionary in `path` (default: the data directory's `user_dict.json`, or
    /// `YOMIAGE_USER_DICT`, as the CLI). A missing file is an empty dictionary; a damaged one
    /// raises.
    #[new]
    #[pyo3(signature = (path=None))]
    fn new(path: Option<PathBuf>) -> PyResult<Self> {
        let assets = assets(path)?;
        let words = assets.user_dictionary().map_err(err)?;
        Ok(UserDictionary {
            path: assets.user_dict_file().to_owned(),
            words: Mutex::new(words),
        })
    }

    /// The file it is saved to.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// Adds a word and returns its id. `accent_type`: 0 = flat, n = the pitch falls after
    /// mora n; `word_type`: proper-noun, common-noun, verb, adjective or suffix; `priority`
    /// 0–10.
    #[pyo3(signature = (surface, pronunciation, accent_type, word_type="proper-noun", priority=5))]
    fn add(
        &self,
        surface: &str,
        pronunciation: &str,
        accent_type: i64,
        word_type: &str,
        priority: i64,
    ) -> PyResult<String> {
        let word_type: WordType = word_type.parse().map_err(|e| value_err(&e))?;
        let word = UserWord::new(surface, pronunciation, accent_type, word_type, priority)
            .map_err(|e| value_err(&e))?;
        Ok(self.lock().add(word))
    }

    /// Removes the word with this id (or a unique start of it).
    fn remove(&self, id: &str) -> PyResult<()> {
        let mut words = self.lock();
        let id = words.resolve_id(id).map_err(err)?;
        words.remove(&id).map_err(err)?;
        Ok(())
    }

    /// The words: dicts with id, surface, pronunciation, accent_type, word_type, priority.
    fn words(&self) -> Vec<(String, String, String, usize, String, u8)> {
        self.lock()
            .iter()
            .map(|(id, w)| {
                (
                    id.to_owned(),
                    w.surface().to_owned(),
                    w.pronunciation().to_owned(),
                    w.accent_type(),
                    w.word_type().to_string(),
                    w.priority(),
                )
            })
            .collect()
    }

    fn __len__(&self) -> usize {
        self.lock().len()
    }

    /// Writes the file atomically.
    fn save(&self) -> PyResult<()> {
        self.lock().save(&self.path).map_err(err)
    }

    /// The dictionary as VOICEVOX's user dictionary JSON.
    fn to_voicevox_json(&self) -> String {
        self.lock().to_voicevox_json()
    }
}
