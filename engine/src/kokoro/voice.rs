//! Voice styles and the phoneme vocabulary, loaded from the converted model directory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use yomiage_voices::VoiceId;

use super::stages::STYLE_DIM;

/// Rows in a voice's style table: one per possible token count (1..=510).
pub const STYLE_ROWS: usize = 510;
/// The model's limit on tokens per call, pads excluded.
pub const MAX_TOKENS: usize = STYLE_ROWS;

#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    #[error("style file for voice {voice} at {path} is missing or unreadable ({message})")]
    StyleMissing {
        voice: String,
        path: PathBuf,
        message: String,
    },
    #[error("style file {path} has {got} bytes, expected {expected}")]
    StyleSize {
        path: PathBuf,
        got: usize,
        expected: usize,
    },
    #[error("vocabulary {path} is unreadable: {message}")]
    Vocab { path: PathBuf, message: String },
}

/// A voice's style vectors. The model picks the row by utterance length.
#[derive(Debug, Clone)]
pub struct Style {
    rows: Vec<f32>,
}

impl Style {
    pub fn load(models_dir: &Path, voice: &VoiceId) -> Result<Self, VoiceError> {
        let path = models_dir
            .join("styles")
            .join(format!("{}.f32", voice.name()));
        let bytes = std::fs::read(&path).map_err(|e| VoiceError::StyleMissing {
            voice: voice.name().to_owned(),
            path: path.clone(),
            message: e.to_string(),
        })?;
        let expected = STYLE_ROWS * STYLE_DIM * 4;
        if bytes.len() != expected {
            return Err(VoiceError::StyleSize {
                path,
                got: bytes.len(),
                expected,
            });
        }
        let rows = bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        Ok(Style { rows })
    }

    /// The style vector for an utterance of `tokens` tokens (pads excluded), as the model
    /// was trained: row `tokens - 1`.
    pub fn for_tokens(&self, tokens: usize) -> &[f32] {
        let row = tokens.clamp(1, STYLE_ROWS) - 1;
        &self.rows[row * STYLE_DIM..(row + 1) * STYLE_DIM]
    }
}

/// Phoneme symbol → token id, as the model was trained (`vocab.json`; 0 is the pad).
#[derive(Debug, Clone)]
pub struct Vocab {
    ids: HashMap<char, i64>,
}

impl Vocab {
    pub fn load(path: &Path) -> Result<Self, VoiceError> {
        let err = |message: String| VoiceError::Vocab {
            path: path.to_owned(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        #[derive(serde::Deserialize)]
        struct File {
            vocab: HashMap<String, i64>,
        }
        let file: File = serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
        let mut ids = HashMap::new();
        for (sym, id) in file.vocab {
            let mut chars = sym.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => {
                    ids.insert(c, id);
                }
                _ => return Err(err(format!("symbol {sym:?} is not one character"))),
            }
        }
        Ok(Vocab { ids })
    }

    pub fn id(&self, symbol: char) -> Option<i64> {
        self.ids.get(&symbol).copied()
    }
}
