//! Audiobooks: a book (Aozora Bunko text, plain text or EPUB) is read into chapters of
//! speakable paragraphs, each chapter rendered to its own loudness-normalized audio file, with
//! a manifest so an interrupted or re-configured run redoes only what changed.
//!
//! The pieces: [`aozora`], [`plain`] and [`epub`] read a [`Book`]; [`inline`] holds the text
//! rules they share (ruby, repeat marks); [`render`] turns chapters into audio with the
//! engine; [`loudness`] measures (EBU R128) and normalizes; [`encode`] writes WAV, FLAC, Ogg
//! Vorbis and MP3 with tags and chapter marks; [`manifest`] decides what is already done.

pub mod aozora;
pub mod cache;
/// The encoders live in `yomiage-audio` (shared with the server); re-exported for callers.
pub use yomiage_audio::encode;
pub mod epub;
pub mod inline;
mod jisx0213_table;
pub mod job;
pub mod loudness;
pub mod manifest;
pub mod options;
pub mod plain;
pub mod render;

use std::path::{Path, PathBuf};

/// A book, read: display texts keep the printed form (kanji), spoken texts carry the ruby
/// readings the book gives.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Book {
    pub title: String,
    pub author: String,
    pub chapters: Vec<Chapter>,
}

/// One chapter: one audio file.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Chapter {
    /// As printed (for file names, tags, the playlist).
    pub title: String,
    /// As read aloud at the start of the chapter (ruby readings instead of their bases).
    pub spoken_title: String,
    /// Speakable paragraphs, in order.
    pub paragraphs: Vec<String>,
    /// Sub-section headings inside the chapter: they become chapter marks in the file.
    pub sections: Vec<Section>,
}

/// A heading below the chapter level, spoken as the paragraph it points at.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Section {
    pub title: String,
    /// Index into [`Chapter::paragraphs`] of the spoken heading.
    pub paragraph: usize,
}

impl Chapter {
    /// True when nothing in it would be spoken (skipped with a warning).
    pub fn is_empty(&self) -> bool {
        self.paragraphs.iter().all(|p| p.trim().is_empty())
    }
}

/// Everything that can go wrong reading or rendering a book.
#[derive(Debug, thiserror::Error)]
pub enum BookError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is neither UTF-8 nor Shift_JIS text (or is damaged)")]
    Encoding(PathBuf),
    #[error("{0} has nothing to read aloud")]
    NoText(PathBuf),
    #[error("broken EPUB {path}: {reason}")]
    Epub { path: PathBuf, reason: String },
    #[error("cannot write to {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("encoding {format}: {reason}")]
    Encode {
        format: &'static str,
        reason: String,
    },
    #[error("loudness measurement: {0}")]
    Loudness(String),
    #[error("synthesis: {0}")]
    Engine(#[from] yomiage_engine::EngineError),
    #[error("the book has no chapter {0}")]
    NoTrack(usize),
    #[error("{0}")]
    Setting(String),
    #[error("dictionary {path}: {source}")]
    Dictionary {
        path: PathBuf,
        source: yomiage_frontend::UserDictError,
    },
    #[error("the manifest {path} is damaged: {reason}")]
    Manifest { path: PathBuf, reason: String },
}

impl From<yomiage_audio::EncodeError> for BookError {
    fn from(e: yomiage_audio::EncodeError) -> Self {
        match e {
            yomiage_audio::EncodeError::Encode { format, reason } => {
                BookError::Encode { format, reason }
            }
            yomiage_audio::EncodeError::Write { path, source } => BookError::Write { path, source },
        }
    }
}

impl From<yomiage_files::FileError> for BookError {
    fn from(e: yomiage_files::FileError) -> Self {
        BookError::Write {
            path: e.path,
            source: e.source,
        }
    }
}

pub type Result<T, E = BookError> = std::result::Result<T, E>;

/// Which reader a file goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Aozora,
    Plain,
    Epub,
}

/// Reads a book file. With `format` None the kind is guessed: a zip (or `.epub`) is an EPUB;
/// text with Aozora notation (［＃…］, 《…》 ruby, a 底本： footer) is Aozora Bunko; anything
/// else is plain text. The title falls back to the file name.
pub fn read_book(path: &Path, format: Option<InputFormat>) -> Result<Book> {
    let bytes = std::fs::read(path).map_err(|source| BookError::Read {
        path: path.to_owned(),
        source,
    })?;
    let is_zip = bytes.starts_with(b"PK\x03\x04")
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("epub"));
    let explicit = format.is_some();
    let format = format.unwrap_or(if is_zip {
        InputFormat::Epub
    } else {
        InputFormat::Plain // refined below once the text is decoded
    });
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut book = match format {
        InputFormat::Epub => epub::read(&bytes).map_err(|reason| BookError::Epub {
            path: path.to_owned(),
            reason,
        })?,
        InputFormat::Aozora | InputFormat::Plain => {
            let text =
                inline::decode_text(&bytes).ok_or_else(|| BookError::Encoding(path.to_owned()))?;
            if format == InputFormat::Aozora || (!explicit && aozora::looks_like_aozora(&text)) {
                aozora::parse(&text)
            } else {
                plain::parse(&text)
            }
        }
    };
    if book.title.trim().is_empty() {
        book.title = stem;
    }
    if book.chapters.iter().all(Chapter::is_empty) {
        return Err(BookError::NoText(path.to_owned()));
    }
    Ok(book)
}
