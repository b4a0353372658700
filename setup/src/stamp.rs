//! Completion stamps: written last, after every file of a component is in place and verified,
//! so a component "looks installed" only if it really is.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::SetupError;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StampedFile {
    /// Relative to the data directory.
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
    pub mtime_ns: u128,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Stamp {
    /// Changes when what the component should contain changes (e.g. a new pinned version).
    pub key: String,
    pub files: Vec<StampedFile>,
}

/// What a check found about one component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    Present,
    Missing(String),
    Corrupt(String),
}

impl std::fmt::Display for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Health::Present => f.write_str("present"),
            Health::Missing(r) => write!(f, "missing: {r}"),
            Health::Corrupt(r) => write!(f, "corrupt: {r}"),
        }
    }
}

fn mtime_ns(meta: &std::fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

impl Stamp {
    /// Describes files that are already in place (hashing each).
    pub fn describe(root: &Path, key: &str, rel_paths: &[PathBuf]) -> Result<Stamp, SetupError> {
        let mut files = Vec::new();
        for rel in rel_paths {
            let path = root.join(rel);
            let meta = std::fs::metadata(&path).map_err(|e| SetupError::io(&path, e))?;
            files.push(StampedFile {
                path: rel.clone(),
                size: meta.len(),
                sha256: yomiage_files::sha256_file(&path)?,
                mtime_ns: mtime_ns(&meta),
            });
        }
        Ok(Stamp {
            key: key.to_owned(),
            files,
        })
    }

    pub fn read(path: &Path) -> Option<Stamp> {
        let text = std::fs::read_to_string(path).ok()?;
        serde_json::from_str(&text).ok()
    }

    pub fn write(&self, path: &Path) -> Result<(), SetupError> {
        let text =
            serde_json::to_string_pretty(self).map_err(|e| SetupError::Other(e.to_string()))?;
        Ok(yomiage_files::write_atomic(path, text.as_bytes())?)
    }

    /// Fast check for every command: each file exists with the recorded size and mtime.
    /// Any write to a file (a flipped byte included) changes its mtime.
    pub fn quick_check(&self, root: &Path, key: &str) -> Health {
        if self.key != key {
            return Health::Missing("an older version is installed".into());
        }
        for f in &self.files {
            let path = root.join(&f.path);
            match std::fs::metadata(&path) {
                Err(_) => return Health::Missing(format!("{} is missing", f.path.display())),
                Ok(m) if m.len() != f.size || mtime_ns(&m) != f.mtime_ns => {
                    return Health::Corrupt(format!(
                        "{} changed since it was installed",
                        f.path.display()
                    ))
                }
                Ok(_) => {}
            }
        }
        Health::Present
    }

    /// Thorough check for `setup` and `setup --check`: every file re-hashed.
    pub fn full_check(&self, root: &Path, key: &str) -> Result<Health, SetupError> {
        if let h @ Health::Missing(_) = self.quick_check(root, key) {
            return Ok(h);
        }
        for f in &self.files {
            let path = root.join(&f.path);
            if yomiage_files::sha256_file(&path)? != f.sha256 {
                return Ok(Health::Corrupt(format!(
                    "{} fails its sha256 check",
                    f.path.display()
                )));
            }
        }
        Ok(Health::Present)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, Stamp) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.bin"), b"hello world").unwrap();
        let stamp = Stamp::describe(dir.path(), "k1", &[PathBuf::from("a.bin")]).unwrap();
        (dir, stamp)
    }

    #[test]
    fn a_fresh_stamp_is_healthy_and_survives_a_round_trip() {
        let (dir, stamp) = setup();
        assert_eq!(stamp.quick_check(dir.path(), "k1"), Health::Present);
        assert_eq!(stamp.full_check(dir.path(), "k1").unwrap(), Health::Present);
        let path = dir.path().join("stamp.json");
        stamp.write(&path).unwrap();
        assert_eq!(Stamp::read(&path), Some(stamp));
    }

    #[test]
    fn a_flipped_byte_is_caught_by_both_checks() {
        let (dir, stamp) = setup();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.path().join("a.bin"), b"hellp world").unwrap();
        assert!(matches!(
            stamp.quick_check(dir.path(), "k1"),
            Health::Corrupt(_)
        ));
        assert!(matches!(
            stamp.full_check(dir.path(), "k1").unwrap(),
            Health::Corrupt(_)
        ));
    }

    #[test]
    fn missing_files_and_new_versions_need_installing() {
        let (dir, stamp) = setup();
        assert!(matches!(
            stamp.quick_check(dir.path(), "k2"),
            Health::Missing(_)
        ));
        std::fs::remove_file(dir.path().join("a.bin")).unwrap();
        assert!(matches!(
            stamp.quick_check(dir.path(), "k1"),
            Health::Missing(_)
        ));
    }

    #[test]
    fn a_touched_but_intact_file_passes_the_full_check() {
        let (dir, stamp) = setup();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.path().join("a.bin"), b"hello world").unwrap();
        assert!(matches!(
            stamp.quick_check(dir.path(), "k1"),
            Health::Corrupt(_)
        ));
        assert_eq!(stamp.full_check(dir.path(), "k1").unwrap(), Health::Present);
    }
}
