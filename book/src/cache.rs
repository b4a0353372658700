//! The speech cache: each chapter's synthesized speech as 32-bit float WAV (lossless, so a new
//! loudness target or format re-encodes without re-synthesizing) plus its marks as JSON.
//!
//! It lives in the user's cache directory, not in the output folder (that folder is the
//! deliverable): `$YOMIAGE_CACHE_DIR`, else `$XDG_CACHE_HOME/yomiage`, else
//! `~/.cache/yomiage`, then `book/<16 hex digits of the output folder's path hash>/`. It is
//! bounded: after each run the least recently used files of all books' caches go until the
//! total is under the limit (~350 MB per hour of speech; the default keeps about 12 hours).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::encode::Mark;
use crate::manifest::{self, CACHE_DIR};
use crate::{BookError, Result};

/// The default bound of all books' cached speech together.
pub const DEFAULT_MAX_BYTES: u64 = 4 << 30;

/// Where one output folder's speech is cached, and the bound of the whole cache.
#[derive(Debug, Clone)]
pub struct SpeechCache {
    /// The root of all books' caches (`…/yomiage/book`).
    root: PathBuf,
    /// This output folder's part of it.
    dir: PathBuf,
    max_bytes: u64,
}

/// Speech as cached: mono samples at the engine's rate, and the chapter marks.
pub(crate) struct Cached {
    pub samples: Vec<f32>,
    pub marks: Vec<Mark>,
}

impl SpeechCache {
    /// The cache for `output` under `root` (all books' caches), bounded to `max_bytes`.
    pub fn new(root: &Path, output: &Path, max_bytes: u64) -> SpeechCache {
        let absolute = std::path::absolute(output).unwrap_or_else(|_| output.to_path_buf());
        let key = hex::encode(Sha256::digest(absolute.as_os_str().as_encoded_bytes()));
        SpeechCache {
            root: root.to_path_buf(),
            dir: root.join(&key[..16]),
            max_bytes,
        }
    }

    /// The user's cache root for books: `$YOMIAGE_CACHE_DIR`, else `$XDG_CACHE_HOME/yomiage`,
    /// else `$HOME/.cache/yomiage`; then `book`. `None` with none of these set.
    pub fn user_root() -> Option<PathBuf> {
        let var = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let base = var("YOMIAGE_CACHE_DIR")
            .or_else(|| var("XDG_CACHE_HOME").map(|x| x.join("yomiage")))
            .or_else(|| var("HOME").map(|h| h.join(".cache/yomiage")))?;
        Some(base.join("book"))
    }

    /// The user's cache for `output` with the default bound (what `yomiage book` uses
    /// without `--cache-limit`); the system's temporary directory when the user has none.
    pub fn default_for(output: &Path) -> SpeechCache {
        let root =
            Self::user_root().unwrap_or_else(|| std::env::temp_dir().join("yomiage").join("book"));
        SpeechCache::new(&root, output, DEFAULT_MAX_BYTES)
    }

    /// This output folder's cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Creates the directory, removes what an interrupted run left half-written, and moves
    /// in the cache an earlier version kept inside the output folder.
    pub(crate) fn prepare(&self, output: &Path) -> Result<()> {
        std::fs::create_dir_all(&self.dir).map_err(|source| BookError::Write {
            path: self.dir.clone(),
            source,
        })?;
        for p in manifest::clean_partials(&self.dir) {
            tracing::info!(file = %p.display(), "removed an unfinished cache file of an interrupted run");
        }
        let legacy = output.join(CACHE_DIR);
        if let Ok(rd) = std::fs::read_dir(&legacy) {
            for e in rd.flatten() {
                let to = self.dir.join(e.file_name());
                // A rename, or a copy across file systems; a partial copy is left for the
                // next run's clean-up (it never has a final name).
                if std::fs::rename(e.path(), &to).is_err() {
                    let bytes = std::fs::read(e.path()).ok();
                    if let Some(b) = bytes {
                        if manifest::write_atomically(&to, &b).is_ok() {
                            let _ = std::fs::remove_file(e.path());
                        }
                    }
                }
            }
            if std::fs::remove_dir(&legacy).is_ok() {
                tracing::info!(from = %legacy.display(), to = %self.dir.display(), "moved the speech cache out of the output folder");
            }
        }
        Ok(())
    }

    fn paths(&self, synth_hash: &str) -> (PathBuf, PathBuf) {
        (
            self.dir.join(format!("{synth_hash}.wav")),
            self.dir.join(format!("{synth_hash}.json")),
        )
    }

    /// The cached speech for `synth_hash`, if a complete pair is there (marked as just used).
    pub(crate) fn load(&self, synth_hash: &str) -> Option<Cached> {
        let (wav, json) = self.paths(synth_hash);
        let marks: Vec<Mark> = serde_json::from_slice(&std::fs::read(&json).ok()?).ok()?;
        let mut r = hound::WavReader::open(&wav).ok()?;
        let samples = r
            .samples::<f32>()
            .collect::<std::result::Result<Vec<_>, _>>()
            .ok()?;
        for p in [&wav, &json] {
            touch(p);
        }
        Some(Cached { samples, marks })
    }

    /// Stores speech: the audio first, then the marks, each whole or not at all, so a pair
    /// with marks is complete.
    pub(crate) fn store(
        &self,
        synth_hash: &str,
        samples: &[f32],
        marks: &[Mark],
        rate: u32,
    ) -> Result<()> {
        let (wav, json) = self.paths(synth_hash);
        let werr = |e: hound::Error| BookError::Write {
            path: wav.clone(),
            source: match e {
                hound::Error::IoError(io) => io,
                other => std::io::Error::other(other.to_string()),
            },
        };
        let mut tmp = manifest::create(&wav)?;
        {
            let spec = hound::WavSpec {
                channels: 1,
                sample_rate: rate,
                bits_per_sample: 32,
                sample_format: hound::SampleFormat::Float,
            };
            let mut w =
                hound::WavWriter::new(std::io::BufWriter::new(tmp.file()), spec).map_err(werr)?;
            for &s in samples {
                w.write_sample(s).map_err(werr)?;
            }
            w.finalize().map_err(werr)?;
        }
        tmp.commit()?;
        let marks = serde_json::to_vec(marks).unwrap_or_default();
        manifest::write_atomically(&json, &marks)
    }

    /// Drops this book's cached speech that no chapter of the current plan uses, then the
    /// least recently used files of all books until the whole cache fits its bound.
    pub(crate) fn tidy(&self, keep: &HashSet<String>) {
        if let Ok(rd) = std::fs::read_dir(&self.dir) {
            for e in rd.flatten() {
                let path = e.path();
                let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
                if stem.is_some_and(|s| !keep.contains(&s)) {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        let mut files: Vec<(SystemTime, u64, PathBuf)> = std::fs::read_dir(&self.root)
            .into_iter()
            .flatten()
            .flatten()
            .flat_map(|book| {
                std::fs::read_dir(book.path())
                    .into_iter()
                    .flatten()
                    .flatten()
            })
            .filter_map(|e| {
                let m = e.metadata().ok()?;
                m.is_file().then(|| {
                    (
                        m.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                        m.len(),
                        e.path(),
                    )
                })
            })
            .collect();
        let mut total: u64 = files.iter().map(|f| f.1).sum();
        files.sort();
        for (_, len, path) in files {
            if total <= self.max_bytes {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= len;
                tracing::debug!(file = %path.display(), "evicted from the speech cache");
            }
        }
        // Folders of books whose speech is all gone.
        for book in std::fs::read_dir(&self.root)
            .into_iter()
            .flatten()
            .flatten()
        {
            let _ = std::fs::remove_dir(book.path());
        }
    }
}

/// Marks a file as just used (its modification time orders the eviction).
fn touch(path: &Path) {
    if let Ok(f) = std::fs::File::options().append(true).open(path) {
        let _ = f.set_modified(SystemTime::now());
    }
}
