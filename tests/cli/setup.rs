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

#[test]
fn lexicon_is_fetched_only_on_request_verified_and_repaired_from_the_cached_download() {
    let home = tempfile::tempdir().unwrap();
    let manifest = yomiage_voices::Manifest::builtin().unwrap();
    let table = home
        .path()
        .join("lexicon/unidic")
        .join(&manifest.lexicon.table);
    let setup = |args: &[&str]| {
        run(yomiage()
            .env("YOMIAGE_HOME", home.path())
            .arg("setup")
            .args(args))
    };

    // Not part of the default set-up: --check names it as optional.
    let o = setup(&["--check"]);
    assert!(
        stdout(&o)
            .contains("optional UniDic lexicon: missing: not installed (`yomiage setup --lexicon`"),
        "{}",
        stdout(&o)
    );
    let o = setup(&["--only", "lexicon"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(sha256(&table), manifest.lexicon.table_sha256);
    assert!(home.path().join("lexicon/unidic/BSD").is_file());
    let text = std::fs::read_to_string(&table).unwrap();
    assert!(
        text.contains("\n今日\tキョー\t1\t名詞\t"),
        "今日 キョー missing"
    );
    assert!(text.contains("\n今日\tコンニチ\t"), "今日 コンニチ missing");

    // A damaged table is noticed and rebuilt from the cached (re-verified) download.
    std::fs::write(&table, "damaged").unwrap();
    let o = setup(&["--only", "lexicon", "--check"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("corrupt"), "{}", stdout(&o));
    let o = setup(&["--only", "lexicon"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(sha256(&table), manifest.lexicon.table_sha256);
    assert!(setup(&["--only", "lexicon", "--check"]).status.success());
}

/// Starts `cmd` and kills it (SIGKILL, with pip or Python under it: its process group) once
/// `trigger` holds; false if it finished first.
fn kill_when(cmd: &mut std::process::Command, trigger: impl Fn() -> bool) -> bool {
    use std::os::unix::process::CommandExt;
    use std::time::{Duration, Instant};
    let mut child = cmd
        .process_group(0)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(300) {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if trigger() {
            // SAFETY: a plain kill(2) of the group this test started.
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            let _ = child.wait();
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the trigger never held");
}

fn names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// `setup` killed with SIGKILL while downloading and while extracting: nothing that looks
/// finished is left (the check still says missing; a file under its final name is whole), and
/// the next run cleans up what the killed one left and completes.
#[test]
fn setup_killed_mid_way_leaves_nothing_that_looks_finished() {
    let home = tempfile::tempdir().unwrap();
    let setup = || {
        let mut c = yomiage();
        c.env("YOMIAGE_HOME", home.path())
            .args(["setup", "--only", "onnxruntime"]);
        c
    };
    let downloads = home.path().join("downloads");
    let wheel_name = "onnxruntime-1.32.0-cp311-cp311-manylinux_2_28_x86_64.whl";
    let lib = lib_path(home.path());
    let looks_unfinished = |when: &str| {
        let o = run(setup().arg("--check"));
        assert_eq!(o.status.code(), Some(1), "{when}: {}", stdout(&o));
        if lib.exists() {
            assert_eq!(
                sha256(&lib),
                LIB_SHA256,
                "{when}: a partial library under its final name"
            );
        }
        let wheel = downloads.join(wheel_name);
        if wheel.exists() {
            let want = yomiage_voices::Manifest::builtin()
                .unwrap()
                .onnxruntime
                .wheel_sha256;
            assert_eq!(
                sha256(&wheel),
                want,
                "{when}: a partial wheel under its final name"
            );
        }
    };

    // While downloading (pip's folder exists, 300 ms in).
    let since = std::sync::Mutex::new(None::<std::time::Instant>);
    let killed = kill_when(&mut setup(), || {
        let pip = names(&downloads).iter().any(|n| n.starts_with(".pip-"));
        let mut s = since.lock().unwrap();
        pip && s
            .get_or_insert_with(std::time::Instant::now)
            .elapsed()
            .as_millis()
            > 300
    });
    eprintln!("killed while downloading: {killed}");
    looks_unfinished("download");

    // While extracting the library (its temporary file exists), from the cached wheel.
    if !downloads.join(wheel_name).exists() {
        let o = run(&mut setup());
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::remove_file(&lib).unwrap();
    }
    let ort_dir = home.path().join("onnxruntime");
    let killed = kill_when(&mut setup(), || {
        names(&ort_dir).iter().any(|n| n.ends_with(".partial"))
    });
    eprintln!("killed while extracting: {killed}");
    looks_unfinished("extraction");

    // The next run completes and leaves nothing of the killed ones.
    let o = run(&mut setup());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(sha256(&lib), LIB_SHA256);
    assert!(run(setup().arg("--check")).status.success());
    for dir in [&downloads, &ort_dir] {
        let left: Vec<String> = names(dir)
            .into_iter()
            .filter(|n| n.starts_with(".pip-") || n.ends_with(".partial"))
            .collect();
        assert!(left.is_empty(), "left in {}: {left:?}", dir.display());
    }
}
