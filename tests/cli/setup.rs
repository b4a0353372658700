//! `yomiage setup` on a private data directory: idempotence, corruption, missing runtime.
//! Uses the ONNX Runtime component, which is small enough to fetch in a test.

use crate::common;
use common::*;
use std::path::Path;

fn lib_path(home: &Path) -> std::path::PathBuf {
    home.join("onnxruntime/libonnxruntime.so.1.32.0")
}

fn sha256(path: &Path) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).unwrap()))
}

const LIB_SHA256: &str = "6c1585d1bbf45b0712ea4a21b705c5fcb4ba04ff2e30f1fbf81a49faf658638f";

#[test]
fn setup_is_idempotent_notices_corruption_and_repairs_it() {
    let home = tempfile::tempdir().unwrap();
    let setup = |extra: &[&str]| {
        run(yomiage()
            .env("YOMIAGE_HOME", home.path())
            .args(["setup", "--only", "onnxruntime"])
            .args(extra))
    };

    let o = setup(&["--check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("missing"), "{}", stdout(&o));

    let o = setup(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lib = lib_path(home.path());
    assert_eq!(sha256(&lib), LIB_SHA256);
    let installed_at = std::fs::metadata(&lib).unwrap().modified().unwrap();

    // Second run: nothing is fetched or rewritten.
    let o = setup(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("present"), "{}", stderr(&o));
    assert_eq!(
        std::fs::metadata(&lib).unwrap().modified().unwrap(),
        installed_at
    );
    assert!(setup(&["--check"]).status.success());

    // Flip one byte: the check says corrupt, setup repairs it.
    let mut bytes = std::fs::read(&lib).unwrap();
    bytes[1000] ^= 0xff;
    std::fs::write(&lib, &bytes).unwrap();
    let o = setup(&["--check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("corrupt"), "{}", stdout(&o));
    let o = setup(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(sha256(&lib), LIB_SHA256);
    assert!(setup(&["--check"]).status.success());

    // A corrupted cached download is noticed too, and fetched again.
    let wheel = home
        .path()
        .join("downloads/onnxruntime-1.32.0-cp311-cp311-manylinux_2_28_x86_64.whl");
    std::fs::write(&wheel, b"not a wheel").unwrap();
    std::fs::remove_file(&lib).unwrap();
    let o = setup(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(sha256(&lib), LIB_SHA256);
    assert!(files_containing(&home.path().join("onnxruntime"), "partial").is_empty());
}

#[test]
fn missing_onnx_runtime_gives_a_clear_error_not_a_panic() {
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("out.wav");
    let o = run(yomiage()
        .env("YOMIAGE_HOME", home.path())
        .args(["synth", "こんにちは。", "-o"])
        .arg(&out));
    assert_clean_failure(&o);
    let e = stderr(&o);
    assert!(e.contains("yomiage setup"), "{e}");
    assert!(!out.exists());
}

#[test]
fn model_conversion_is_deterministic_and_matches_the_manifest() {
    // Run the converter again, from the installed voice, into a fresh directory: every output
    // must be byte-identical to what the manifest pins (and so to what setup installed).
    let layout = yomiage_voices::Layout::from_env().unwrap();
    let manifest = yomiage_voices::Manifest::builtin().unwrap();
    let python = layout.venv_dir().join("bin/python");
    assert!(
        python.is_file(),
        "conversion environment missing: run `yomiage setup` first"
    );
    let out = tempfile::tempdir().unwrap();
    let staged = out.path().join("models");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("voices/convert/split_kokoro.py");
    let src = layout.voice_source_dir();
    let o = run(std::process::Command::new(python)
        .arg(script)
        .arg("--model")
        .arg(src.join(&manifest.voice.model_file))
        .arg("--voices")
        .arg(src.join("voices_ja.npz"))
        .arg("--out")
        .arg(&staged));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(manifest.voice.converted.len(), 11);
    for f in &manifest.voice.converted {
        assert_eq!(
            sha256(&staged.join(&f.name)),
            f.sha256,
            "{} differs",
            f.name
        );
    }
}
