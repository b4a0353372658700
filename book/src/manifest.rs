//! What a run has finished, so the next one redoes only what changed.
//!
//! Three levels of hashes per chapter (sha256 over canonical JSON):
//! - `text`: the chapter's spoken title and paragraphs;
//! - `synth`: text + everything that changes the speech (voice, speed, pitch, intonation,
//!   pauses, dictionaries, engine version) — keys the synthesized-audio cache;
//! - `output`: synth + loudness target, true-peak ceiling, format and tags — equal means the
//!   chapter's file is done.
//!
//! So editing one chapter re-synthesizes that one; a new voice re-synthesizes all; a new
//! loudness target or format only re-normalizes and re-encodes from the cache.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::encode::Mark;
use crate::loudness::Normalized;
use crate::{BookError, Result};

/// The manifest's file name in the output folder.
pub const MANIFEST: &str = ".yomiage-book.json";
/// The folder in the output folder where earlier versions kept the speech cache (now in the
/// user's cache directory: [`crate::cache`]); moved out when found.
pub const CACHE_DIR: &str = ".yomiage-book-cache";

/// sha256 (hex) of a value's JSON.
pub fn hash<T: Serialize + ?Sized>(value: &T) -> String {
    let json = serde_json::to_vec(value).unwrap_or_default();
    hex::encode(Sha256::digest(&json))
}

/// A finished chapter.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    pub file: String,
    pub text_hash: String,
    pub synth_hash: String,
    pub output_hash: String,
    pub bytes: u64,
    pub duration_s: f64,
    pub loudness: Normalized,
    pub marks: Vec<Mark>,
}

/// All finished chapters, by track number (1-based).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub chapters: BTreeMap<usize, Entry>,
}

impl Manifest {
    /// Loads `dir`'s manifest; none is an empty one. A damaged manifest is reported and
    /// treated as empty (the cache and files stay; chapters are re-encoded, not lost).
    pub fn load(dir: &Path) -> Manifest {
        let path = dir.join(MANIFEST);
        match std::fs::read(&path) {
            Err(_) => Manifest::default(),
            Ok(bytes) => match serde_json::from_slice::<Manifest>(&bytes) {
                Ok(m) if m.version == 1 => m,
                Ok(_) | Err(_) => {
                    tracing::warn!(path = %path.display(), "the manifest is damaged or from another version; chapters will be checked again");
                    Manifest::default()
                }
            },
        }
    }

    /// Writes the manifest atomically (temp file, then rename).
    pub fn save(&self, dir: &Path) -> Result<()> {
        let json = serde_json::to_vec_pretty(&Manifest {
            version: 1,
            chapters: self.chapters.clone(),
        })
        .map_err(|e| BookError::Manifest {
            path: dir.join(MANIFEST),
            reason: e.to_string(),
        })?;
        write_atomically(&dir.join(MANIFEST), &json)
    }

    /// Whether track `track`'s file is finished with exactly these settings.
    pub fn is_done(&self, dir: &Path, track: usize, file: &str, output_hash: &str) -> bool {
        self.chapters.get(&track).is_some_and(|e| {
            e.file == file
                && e.output_hash == output_hash
                && std::fs::metadata(dir.join(&e.file)).is_ok_and(|m| m.len() == e.bytes)
        })
    }
}

/// Writes `bytes` to `path` whole or not at all (see [`yomiage_files`]).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    yomiage_files::write_atomic(path, bytes).map_err(BookError::from)
}

/// Opens `dest` for writing through a temporary sibling (renamed over it on commit).
pub fn create(dest: &Path) -> Result<yomiage_files::AtomicFile> {
    yomiage_files::AtomicFile::create(dest).map_err(BookError::from)
}

/// Removes unfinished files an interrupted run left in `dir`.
pub fn clean_partials(dir: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.ends_with(".partial") {
                let p = e.path();
                if std::fs::remove_file(&p).is_ok() {
                    removed.push(p);
                }
            }
        }
    }
    removed
}

/// A file name from a chapter title: `001 - Title.ext`, without characters that file systems
/// or playlists choke on, at most 60 characters of title.
pub fn file_name(track: usize, title: &str, ext: &str) -> String {
    let safe: String = title
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' | '\0'..='\u{1f}' => '_',
            c => c,
        })
        .take(60)
        .collect();
    let safe = safe.trim().trim_matches('.').trim();
    if safe.is_empty() {
        format!("{track:03}.{ext}")
    } else {
        format!("{track:03} - {safe}.{ext}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            file_name(1, "第一章 始まり", "flac"),
            "001 - 第一章 始まり.flac"
        );
        assert_eq!(file_name(12, "a/b: c?", "mp3"), "012 - a_b_ c_.mp3");
        assert_eq!(file_name(3, " .. ", "wav"), "003.wav");
    }

    #[test]
    fn damaged_manifest_is_empty_and_save_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MANIFEST), b"{not json").unwrap();
        assert!(Manifest::load(dir.path()).chapters.is_empty());
        let mut m = Manifest::default();
        m.chapters.insert(
            1,
            Entry {
                file: "001.wav".into(),
                text_hash: "t".into(),
                synth_hash: "s".into(),
                output_hash: "o".into(),
                bytes: 3,
                duration_s: 1.0,
                loudness: crate::loudness::Normalized {
                    source: crate::loudness::Measurement {
                        integrated_lufs: -20.0,
                        true_peak_dbtp: -3.0,
                    },
                    result: crate::loudness::Measurement {
                        integrated_lufs: -18.0,
                        true_peak_dbtp: -1.6,
                    },
                    gain_db: 2.0,
                    limited: false,
                },
                marks: vec![],
            },
        );
        m.save(dir.path()).unwrap();
        std::fs::write(dir.path().join("001.wav"), b"abc").unwrap();
        let back = Manifest::load(dir.path());
        assert!(back.is_done(dir.path(), 1, "001.wav", "o"));
        assert!(!back.is_done(dir.path(), 1, "001.wav", "other"));
        assert!(clean_partials(dir.path()).is_empty());
    }
}
