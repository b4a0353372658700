//! Speech out of the engine into bytes: the one home of sample conversion ([`pcm`]), WAV
//! ([`wav`]) and the compressed formats with tags and chapter marks ([`encode`]), shared by the
//! CLI, the server and the audiobook renderer.

mod comment;
pub mod encode;
pub mod opus;
pub mod pcm;
pub mod stream;
pub mod wav;

pub use encode::{Format, Mark, Tags};
pub use stream::{StreamEncoder, StreamFormat};

/// An encoder failed.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    #[error("encoding {format}: {reason}")]
    Encode {
        format: &'static str,
        reason: String,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}
