//! Building the jpreprocess system dictionary from naist-jdic source.
//!
//! jpreprocess's own `naist-jdic` feature downloads at build time, which does not work offline,
//! so the dictionary is compiled here. Its source is pyopenjtalk-plus's improved naist-jdic,
//! which PyPI carries only MeCab-compiled: `compiled` writes it back as source first. The
//! source is staged (`source`), so that the entries jpreprocess would refuse or mend (accent
//! chain rules it skips, a misspelt conjugation type, small kana it has no mora for) are
//! mended once and counted rather than each printed as a warning.

mod compiled;
mod source;

pub use compiled::{decompile, DecompileError, Decompiled};

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use jpreprocess_dictionary::dictionary::to_dict::JPreprocessDictionaryBuilder;
use lindera_dictionary::dictionary::metadata::Metadata;

/// The `metadata` object of `build.json` in the `jpreprocess-naist-jdic` 0.15.0 crate
/// (crates.io), copied verbatim. Its `name` starting with "jpreprocess" is what makes the
/// tokenizer decode entries in jpreprocess's own format, so it must not change.
const NAIST_JDIC_METADATA: &str = include_str!("naist_jdic_metadata.json");

/// The naist-jdic metadata, also used to compile user dictionaries in the same format.
pub(crate) fn naist_jdic_metadata() -> Result<Metadata, serde_json::Error> {
    serde_json::from_str(NAIST_JDIC_METADATA)
}

/// Written last into a built dictionary: which jpreprocess produced it. The binary format is
/// tied to the jpreprocess/lindera versions, so a mismatch means "rebuild".
pub(crate) const BUILD_INFO_FILE: &str = "yomiage-dictionary.json";

/// Source files besides the `*.csv` word lists that the builder reads.
const REQUIRED_SOURCE_FILES: [&str; 3] = ["matrix.def", "char.def", "unk.def"];

#[derive(Debug, thiserror::Error)]
pub enum DictionaryError {
    #[error(
        "dictionary source {dir} is incomplete: {missing} is missing \
         (expected a naist-jdic source directory with *.csv, matrix.def, char.def, unk.def)"
    )]
    MissingSource { dir: PathBuf, missing: String },
    #[error("output directory {0} has no parent directory to build next to")]
    NoParent(PathBuf),
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("embedded naist-jdic metadata is invalid: {0}")]
    Metadata(#[source] serde_json::Error),
    #[error("building the dictionary from {dir} failed: {source}")]
    Build {
        dir: PathBuf,
        #[source]
        source: lindera_dictionary::error::LinderaError,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> DictionaryError + '_ {
    move |source| DictionaryError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What a dictionary build read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DictionaryBuild {
    /// Word entries in the source's `*.csv` files.
    pub entries: usize,
    /// Entries whose accent chain rule jpreprocess cannot parse in part; that part is skipped
    /// (as jpreprocess itself does), the rest of the entry is built.
    pub rules_skipped: usize,
    /// Entries with naist-jdic's misspelt conjugation type カ往促音便, built as カ行促音便 (as
    /// jpreprocess itself reads it).
    pub conjugations_fixed: usize,
    /// Entries whose pronunciation joins a small kana into a mora jpreprocess lacks, built
    /// with that kana full-size (クォ → クオ) and the accent and mora count to match.
    pub prons_split: usize,
}

impl std::fmt::Display for DictionaryBuild {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} entries built; {} with a malformed accent chain rule (that part skipped), {} \
             with the conjugation type カ往促音便 (read as カ行促音便), {} with a small kana \
             written full-size",
            self.entries, self.rules_skipped, self.conjugations_fixed, self.prons_split
        )
    }
}

/// What [`BUILD_INFO_FILE`] holds.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct BuildInfo {
    pub jpreprocess: String,
}

/// Builds a jpreprocess dictionary from naist-jdic source files in `source_dir` into `out_dir`.
///
/// Every `*.csv` in `source_dir` is included, as OpenJTalk's own build does (naist-jdic.csv and
/// unidic-csj.csv). The result is built in a sibling temporary directory and renamed into place
/// at the end, so an interrupted build never leaves a directory that looks complete; an existing
/// `out_dir` is replaced. The source directory is only read.
///
/// Returns the counts that [`DictionaryBuild`] displays as one line (also logged at info).
pub fn build_dictionary(
    source_dir: &Path,
    out_dir: &Path,
) -> Result<DictionaryBuild, DictionaryError> {
    check_source(source_dir)?;
    let metadata = naist_jdic_metadata().map_err(DictionaryError::Metadata)?;

    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        Some(_) => PathBuf::from("."),
        None => return Err(DictionaryError::NoParent(out_dir.to_path_buf())),
    };
    let name = out_dir
        .file_name()
        .ok_or_else(|| DictionaryError::NoParent(out_dir.to_path_buf()))?
        .to_string_lossy()
        .into_owned();
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;

    let tmp = parent.join(format!(".{name}.partial-{}", std::process::id()));
    remove_dir_if_exists(&tmp)?;
    let staging = parent.join(format!(".{name}.source-{}", std::process::id()));
    remove_dir_if_exists(&staging)?;

    let started = Instant::now();
    tracing::info!(source = %source_dir.display(), out = %out_dir.display(), "building dictionary");
    let built = source::stage(source_dir, &staging)
        .map_err(|(path, source)| DictionaryError::Io { path, source })
        .and_then(|staged| {
            JPreprocessDictionaryBuilder::new(metadata)
                .build_dictionary(&staging, &tmp)
                .map_err(|source| DictionaryError::Build {
                    dir: source_dir.to_path_buf(),
                    source,
                })?;
            write_build_info(&tmp)?;
            Ok(DictionaryBuild {
                entries: staged.entries,
                rules_skipped: staged.rules_skipped,
                conjugations_fixed: staged.ctypes_fixed,
                prons_split: staged.prons_split,
            })
        });
    // Best effort: the staged copy is only links and a few rewritten files.
    let _ = fs::remove_dir_all(&staging);
    let summary = match built {
        Ok(summary) => summary,
        Err(e) => {
            // Best effort: the error that matters is the build error.
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };

    // Move any previous build aside first: rename cannot replace a non-empty directory.
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let had_old = out_dir.exists();
    if had_old {
        remove_dir_if_exists(&old)?;
        fs::rename(out_dir, &old).map_err(io_err(out_dir))?;
    }
    fs::rename(&tmp, out_dir).map_err(io_err(out_dir))?;
    if had_old {
        if let Err(e) = fs::remove_dir_all(&old) {
            tracing::warn!(path = %old.display(), error = %e, "could not remove the previous dictionary");
        }
    }
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        out = %out_dir.display(),
        "dictionary built: {summary}"
    );
    Ok(summary)
}

fn check_source(dir: &Path) -> Result<(), DictionaryError> {
    let missing = |what: &str| DictionaryError::MissingSource {
        dir: dir.to_path_buf(),
        missing: what.to_owned(),
    };
    if !dir.is_dir() {
        return Err(missing("the directory itself"));
    }
    for f in REQUIRED_SOURCE_FILES {
        if !dir.join(f).is_file() {
            return Err(missing(f));
        }
    }
    let has_csv = fs::read_dir(dir)
        .map_err(io_err(dir))?
        .filter_map(Result::ok)
        .any(|e| e.path().extension().is_some_and(|x| x == "csv"));
    if !has_csv {
        return Err(missing("*.csv"));
    }
    Ok(())
}

fn write_build_info(dir: &Path) -> Result<(), DictionaryError> {
    let info = BuildInfo {
        jpreprocess: jpreprocess::VERSION.to_owned(),
    };
    let path = dir.join(BUILD_INFO_FILE);
    // Serializing a struct of strings cannot fail; map it anyway rather than unwrap.
    let text = serde_json::to_string_pretty(&info).map_err(DictionaryError::Metadata)?;
    fs::write(&path, text).map_err(io_err(&path))
}

fn remove_dir_if_exists(dir: &Path) -> Result<(), DictionaryError> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(DictionaryError::Io {
            path: dir.to_path_buf(),
            source: e,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_metadata_parses_and_is_jpreprocess() {
        let m: Metadata = serde_json::from_str(NAIST_JDIC_METADATA).expect("metadata");
        assert!(m.name.starts_with("jpreprocess"));
        assert_eq!(m.dictionary_schema.field_count(), 16);
    }

    #[test]
    fn incomplete_source_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        let err = build_dictionary(dir.path(), &out).expect_err("must fail");
        assert!(
            matches!(err, DictionaryError::MissingSource { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("matrix.def"), "{err}");
        assert!(!out.exists());
    }
}
