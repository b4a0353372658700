//! Helpers for the end-to-end tests: run the real `yomiage` binary on the real assets.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub fn yomiage() -> Command {
    // YOMIAGE_TEST_BIN: the binary when the tests run away from their build tree (the GPU
    // machine: scripts/gpu-device.sh).
    let bin = std::env::var_os("YOMIAGE_TEST_BIN")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_yomiage").into());
    let mut cmd = Command::new(bin);
    // Tests must not install things behind the suite's back: the test command runs setup first.
    cmd.env("YOMIAGE_AUTO_SETUP", "0");
    // Nor read the user's own user dictionary (its words would change readings): this file is
    // never written, so the tests analyse with the system dictionary alone unless they say so.
    cmd.env(
        "YOMIAGE_USER_DICT",
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-user-dict.json"),
    );
    cmd
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

pub struct Wav {
    pub spec: hound::WavSpec,
    pub samples: Vec<i16>,
}

pub fn read_wav(path: &Path) -> Wav {
    let mut r = hound::WavReader::open(path).expect("a readable WAV file");
    let spec = r.spec();
    let samples = r
        .samples::<i16>()
        .collect::<Result<Vec<_>, _>>()
        .expect("16-bit samples");
    Wav { spec, samples }
}

impl Wav {
    pub fn seconds(&self) -> f64 {
        self.samples.len() as f64 / self.spec.sample_rate as f64
    }
    /// RMS of each 25 ms window, in [0, 1].
    pub fn window_rms(&self) -> Vec<f64> {
        let w = (self.spec.sample_rate / 40) as usize;
        self.samples
            .chunks(w)
            .map(|c| {
                (c.iter().map(|&s| (s as f64 / 32768.0).powi(2)).sum::<f64>() / c.len() as f64)
                    .sqrt()
            })
            .collect()
    }
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

pub mod compare;
pub mod gpu;
pub mod pitch;
pub mod runner;
