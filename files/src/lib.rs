//! Files that are either whole or absent. Everything the project keeps (user dictionary,
//! assets and their stamps, calibration, book chapters and manifests, audio files) is written
//! to a temporary sibling and renamed over its name only when complete, so a crash, a full
//! disk or a kill never leaves a half-written file under a final name.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// An I/O failure and the file it happened to.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct FileError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

impl FileError {
    pub fn new(path: &Path, source: std::io::Error) -> Self {
        FileError {
            path: path.to_owned(),
            source,
        }
    }
}

/// A file being written: a temporary sibling of `dest` until [`AtomicFile::commit`].
/// Dropped without committing, the temporary file is removed.
pub struct AtomicFile {
    dest: PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl AtomicFile {
    /// Creates the directory if needed and opens the temporary sibling, so an unwritable
    /// destination fails before any work is done.
    pub fn create(dest: &Path) -> Result<Self, FileError> {
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if dest.is_dir() {
            return Err(FileError::new(
                dest,
                std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory"),
            ));
        }
        std::fs::create_dir_all(&dir).map_err(|e| FileError::new(&dir, e))?;
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".partial")
            .tempfile_in(&dir)
            .map_err(|e| FileError::new(&dir, e))?;
        Ok(AtomicFile {
            dest: dest.to_owned(),
            tmp,
        })
    }

    /// The open temporary file, to write into.
    pub fn file(&mut self) -> &mut File {
        self.tmp.as_file_mut()
    }

    /// Where the bytes are until the commit.
    pub fn temp_path(&self) -> &Path {
        self.tmp.path()
    }

    /// The final name.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Flushes to disk and renames over the final name; the file gets the usual 0644
    /// (temporary files are created private).
    pub fn commit(self) -> Result<PathBuf, FileError> {
        let AtomicFile { dest, tmp } = self;
        tmp.as_file()
            .sync_all()
            .map_err(|e| FileError::new(&dest, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = tmp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644));
        }
        tmp.persist(&dest)
            .map_err(|e| FileError::new(&dest, e.error))?;
        Ok(dest)
    }
}

/// Writes `bytes` to `dest` whole or not at all.
pub fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let mut f = AtomicFile::create(dest)?;
    f.file()
        .write_all(bytes)
        .map_err(|e| FileError::new(dest, e))?;
    f.commit().map(|_| ())
}

/// The file's sha256, lowercase hex.
pub fn sha256_file(path: &Path) -> Result<String, FileError> {
    let mut f = File::open(path).map_err(|e| FileError::new(path, e))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|e| FileError::new(path, e))?;
    Ok(hex::encode(h.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_committed_file_appears_whole_and_a_dropped_one_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("sub/out.bin");
        write_atomic(&dest, b"hello").unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"hello");
        let mut f = AtomicFile::create(&dest).unwrap();
        f.file().write_all(b"half").unwrap();
        let tmp = f.temp_path().to_owned();
        assert!(tmp.exists());
        drop(f);
        assert!(!tmp.exists());
        assert_eq!(std::fs::read(&dest).unwrap(), b"hello");
        let names: Vec<_> = std::fs::read_dir(dest.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.bin"]);
    }

    #[test]
    fn a_directory_is_refused_and_checksums_match_sha256() {
        let dir = tempfile::tempdir().unwrap();
        assert!(AtomicFile::create(dir.path()).is_err());
        let p = dir.path().join("x");
        write_atomic(&p, b"abc").unwrap();
        assert_eq!(
            sha256_file(&p).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
