//! The engine's errors. Each names what is at fault; advice is the caller's to give.

use yomiage_frontend::FrontendError;
use yomiage_vocoder::VocoderError;

use crate::kokoro::acoustic::AcousticError;
use crate::kokoro::voice::VoiceError;
use crate::onnx::RuntimeError;
use crate::query::QueryError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the text is empty")]
    EmptyText,
    #[error("the text has nothing speakable (only symbols, emoji or punctuation)")]
    NothingToSay,
    #[error(transparent)]
    Frontend(#[from] FrontendError),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    #[error(transparent)]
    Acoustic(#[from] AcousticError),
    #[error(transparent)]
    Vocoder(#[from] VocoderError),
    #[error(transparent)]
    Voice(#[from] VoiceError),
    #[error("invalid query: {0}")]
    Query(#[from] QueryError),
    #[error("resampling failed: {0}")]
    Resample(String),
    /// The caller's [`CancelToken`](crate::CancelToken) stopped a synthesis that was to be
    /// returned whole.
    #[error("the synthesis was cancelled")]
    Cancelled,
}

impl EngineError {
    /// True for input that has nothing to say: the sentence loop skips such sentences.
    pub fn is_nothing_to_say(&self) -> bool {
        matches!(
            self,
            EngineError::NothingToSay
                | EngineError::EmptyText
                | EngineError::Frontend(FrontendError::NothingToSay | FrontendError::EmptyText)
        )
    }
}
