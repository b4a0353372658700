//! Running the real `yomiage` binary on the real assets, as a user would.
//!
//! `CARGO_BIN_EXE_yomiage` exists only while Cargo compiles the `yomiage` package's own tests
//! and benchmarks, so the binary is named by the caller: [`crate::yomiage!`] expands there.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

pub use crate::audio::{read_wav, Wav};

/// A `yomiage` command for the tests (the caller names the binary: use [`crate::yomiage!`]).
/// `YOMIAGE_TEST_BIN` overrides the binary when the tests run away from their build tree (the
/// GPU machine: scripts/gpu-device.sh). `scratch` is a directory of the test build
/// (`CARGO_TARGET_TMPDIR`); only the speech cache of `yomiage book` goes there (never the
/// user's own cache directory).
pub fn command(bin: impl AsRef<OsStr>, scratch: impl AsRef<Path>) -> Command {
    let bin = std::env::var_os("YOMIAGE_TEST_BIN").unwrap_or_else(|| bin.as_ref().to_owned());
    let mut cmd = Command::new(bin);
    // Tests must not install things behind the suite's back: the test command runs setup first.
    cmd.env("YOMIAGE_AUTO_SETUP", "0");
    // Nor read the user's own user dictionary (its words would change readings): this file is
    // never written, so the tests analyse with the system dictionary alone unless they say so.
    cmd.env(
        "YOMIAGE_USER_DICT",
        scratch.as_ref().join("no-user-dict.json"),
    );
    cmd.env("YOMIAGE_CACHE_DIR", scratch.as_ref().join("cache"));
    cmd
}

/// `yomiage!()`: a [`command`] for the `yomiage` binary Cargo built for the calling test or
/// benchmark (only the `yomiage` package's own tests and benchmarks have one).
#[macro_export]
macro_rules! yomiage {
    () => {
        $crate::cli::command(env!("CARGO_BIN_EXE_yomiage"), env!("CARGO_TARGET_TMPDIR"))
    };
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the yomiage binary runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A failure that is reported, not a crash: exit code 1 and no Rust panic message.
pub fn assert_clean_failure(o: &Output) {
    assert_eq!(o.status.code(), Some(1), "stderr: {}", stderr(o));
    assert!(!stderr(o).contains("panicked"), "panicked: {}", stderr(o));
}

/// Files in `dir` whose name contains `needle` (to catch leftover partial files).
pub fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(needle))
                .collect()
        })
        .unwrap_or_default()
}
