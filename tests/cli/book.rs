//! `yomiage book` end to end: bad inputs fail cleanly before any slow work, `--list` shows
//! the chapters, and a run killed mid-book resumes keeping what was finished.

use crate::common;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{assert_clean_failure, files_containing, run, stderr, stdout, yomiage};

fn story() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("book/tests/fixtures/story.txt")
}

#[test]
fn list_shows_the_chapters() {
    let o = run(yomiage().args(["book", "--list"]).arg(story()));
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("星の子 / 青木みどり"), "{out}");
    assert!(
        out.contains("  1  一") && out.contains("  2  二") && out.contains("  3  三"),
        "{out}"
    );
    assert!(out.contains("1 sections"), "{out}");
}

#[test]
fn bad_inputs_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, [0x82u8, 0xA0, 0xFF, 0xFE, 0x85, 0x40, 0x81]).unwrap();
    let o = run(yomiage()
        .arg("book")
        .arg(&bad)
        .arg("-o")
        .arg(dir.path().join("o")));
    assert_clean_failure(&o);
    assert!(
        stderr(&o).contains("neither UTF-8 nor Shift_JIS"),
        "{}",
        stderr(&o)
    );

    let epub = dir.path().join("broken.epub");
    std::fs::write(&epub, b"PK\x03\x04 not really").unwrap();
    let o = run(yomiage()
        .arg("book")
        .arg(&epub)
        .arg("-o")
        .arg(dir.path().join("o")));
    assert_clean_failure(&o);
    assert!(stderr(&o).contains("broken EPUB"), "{}", stderr(&o));

    // The output folder cannot be made: a file is in the way.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let o = run(yomiage()
        .arg("book")
        .arg(story())
        .arg("-o")
        .arg(blocker.join("out")));
    assert_clean_failure(&o);
    assert!(
        stderr(&o).contains("cannot create the output folder"),
        "{}",
        stderr(&o)
    );

    let o = run(yomiage()
        .arg("book")
        .arg(story())
        .arg("-o")
        .arg(dir.path().join("o"))
        .args(["--dict", "/nonexistent/words.json"]));
    assert_clean_failure(&o);
    assert!(stderr(&o).contains("book dictionary"), "{}", stderr(&o));

    let o = run(yomiage()
        .arg("book")
        .arg(story())
        .arg("-o")
        .arg(dir.path().join("o"))
        .args(["--loudness", "3"]));
    assert_clean_failure(&o);
    assert!(stderr(&o).contains("--loudness"), "{}", stderr(&o));
}

fn stamp(p: &Path) -> (u64, i64, i64) {
    let m = std::fs::metadata(p).unwrap();
    (m.ino(), m.mtime(), m.mtime_nsec())
}

#[test]
fn an_interrupted_run_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let args = |c: &mut std::process::Command| {
        c.arg("book").arg(story()).arg("-o").arg(&out).args([
            "--format",
            "wav",
            "--jobs",
            "1",
            "--chapter-pause",
            "0.3",
        ]);
    };
    let mut cmd = yomiage();
    args(&mut cmd);
    let mut child = cmd
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("yomiage starts");
    // Interrupt (SIGINT, as Ctrl-C) as soon as the first chapter is recorded as finished.
    let first = out.join("001 - 一.wav");
    let started = Instant::now();
    let manifest = out.join(".yomiage-book.json");
    while !(manifest.exists() && first.exists()) {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "no chapter finished"
        );
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = child.id().to_string();
    let _ = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status();
    let _ = child.wait();
    let kept = stamp(&first);

    let mut cmd = yomiage();
    args(&mut cmd);
    let o = run(&mut cmd);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        !err.contains(" 0 kept"),
        "the finished chapter was rendered again: {err}"
    );
    assert_eq!(
        stamp(&first),
        kept,
        "the finished chapter's file was touched"
    );
    for f in [
        "001 - 一.wav",
        "002 - 二.wav",
        "003 - 三.wav",
        "book.json",
        "星の子.m3u8",
    ] {
        assert!(out.join(f).is_file(), "{f} missing: {err}");
    }
    assert!(files_containing(&out, ".partial").is_empty());
    assert!(
        !out.join(".yomiage-book-cache").exists(),
        "the speech cache is kept outside the output folder"
    );
    let wav = common::read_wav(&out.join("002 - 二.wav"));
    assert_eq!(wav.spec.sample_rate, 24_000);
    assert!(wav.seconds() > 1.0);
}

#[test]
fn a_book_dictionary_is_part_of_the_settings() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("t.txt");
    std::fs::write(&text, "[[chapter: 一]]\n鬱金香庵に行く。\n").unwrap();
    let out = dir.path().join("out");
    let words = dir.path().join("words.json");
    let book = |dict: bool| {
        let mut c = yomiage();
        c.arg("book").arg(&text).arg("-o").arg(&out);
        c.args(["--format", "ogg", "--chapter-pause", "0.2"]);
        if dict {
            c.arg("--dict").arg(&words);
        }
        let o = run(&mut c);
        assert!(o.status.success(), "{}", stderr(&o));
        stderr(&o)
    };
    assert!(book(false).contains("(1 rendered, 0 re-encoded, 0 kept)"));
    let o = run(yomiage().arg("--user-dict").arg(&words).args([
        "dict",
        "add",
        "鬱金香庵",
        "ウコンコウアン",
        "--accent",
        "4",
    ]));
    assert!(o.status.success(), "{}", stderr(&o));
    // New words change the reading: the chapter is synthesized again, then kept.
    assert!(book(true).contains("(1 rendered, 0 re-encoded, 0 kept)"));
    assert!(book(true).contains("(0 rendered, 0 re-encoded, 1 kept)"));
}
