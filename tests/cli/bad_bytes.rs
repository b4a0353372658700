//! Invalid UTF-8 and odd text reaching the CLI as a user would give it: on standard input, in
//! files (queries, dictionaries, JSON lines) and as arguments. Each is a clean failure (exit
//! code 1 or clap's usage error 2, no panic) that says the input is not UTF-8 — never garbage
//! output.

use crate::common::*;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::process::{Command, Output, Stdio};

const NOT_UTF8: &[&[u8]] = &[
    b"\xff\xfe\xfd",
    "今日は".as_bytes().split_at(4).0, // a character cut in half
    b"\xe3\x81\x82\xc0\xaf",           // あ, then an overlong slash
    b"\xed\xa0\x80",                   // a UTF-16 surrogate, encoded
];

fn with_stdin(cmd: &mut Command, bytes: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut stdin = child.stdin.take().expect("stdin");
    // A command may fail before reading all of it.
    let _ = stdin.write_all(bytes);
    drop(stdin);
    child.wait_with_output().expect("finishes")
}

fn says_utf8(o: &Output, what: &str) {
    assert_clean_failure(o);
    let e = stderr(o);
    assert!(e.contains("UTF-8"), "{what}: {e}");
    assert!(o.stdout.is_empty(), "{what}: wrote output");
}

#[test]
fn invalid_utf8_on_standard_input_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.wav");
    for bytes in NOT_UTF8 {
        let o = with_stdin(yomiage().args(["synth", "-", "-o"]).arg(&out), bytes);
        says_utf8(&o, "synth -");
        assert!(!out.exists(), "synth wrote {}", out.display());
        let o = with_stdin(yomiage().args(["accent", "-"]), bytes);
        says_utf8(&o, "accent -");
        let o = with_stdin(yomiage().args(["accent", "--format", "jsonl", "-"]), bytes);
        says_utf8(&o, "accent --format jsonl -");
        let o = with_stdin(yomiage().args(["say", "-", "--out", "-"]), bytes);
        says_utf8(&o, "say -");
    }
}

#[test]
fn invalid_utf8_in_files_is_named_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dict = dir.path().join("user_dict.json");
    let bad = dir.path().join("bad.json");
    let out = dir.path().join("out.wav");
    for bytes in NOT_UTF8 {
        std::fs::write(&bad, bytes).unwrap();
        let o = run(yomiage()
            .args(["synth", "--query"])
            .arg(&bad)
            .arg("-o")
            .arg(&out));
        assert_clean_failure(&o);
        assert!(!out.exists());
        let o = run(yomiage()
            .args(["dict", "import"])
            .arg(&bad)
            .env("YOMIAGE_USER_DICT", &dict));
        says_utf8(&o, "dict import");
        assert!(
            !dict.exists(),
            "an import of bad bytes wrote the dictionary"
        );
        // A dictionary file that is not UTF-8 is reported, and kept as it is.
        std::fs::write(&dict, bytes).unwrap();
        let o = run(yomiage()
            .args(["dict", "list"])
            .env("YOMIAGE_USER_DICT", &dict));
        assert_clean_failure(&o);
        assert_eq!(std::fs::read(&dict).unwrap(), *bytes);
        std::fs::remove_file(&dict).unwrap();
    }
}

#[test]
fn invalid_utf8_arguments_are_a_usage_error() {
    let arg = std::ffi::OsStr::from_bytes(b"\xff\xfe");
    let o = run(yomiage().arg("accent").arg(arg));
    assert!(matches!(o.status.code(), Some(1 | 2)), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert!(stderr(&o).contains("UTF-8"), "{}", stderr(&o));
}

/// Text that is valid but odd (controls, marks, emoji sequences, private use, a 100k-character
/// line) through `accent`: a reading or a clean "nothing to say", never a panic.
#[test]
fn odd_text_through_the_cli() {
    let long: String = "漢".repeat(100_000);
    let texts = [
        "\u{7}\u{1b}[31m赤\u{1b}[0m",
        "👨\u{200D}👩\u{200D}👧 家族",
        "\u{E000}\u{F8FF}私用",
        "a\u{301}\u{302}\u{303}\u{304}",
        "\u{202E}右から左\u{202C}",
        long.as_str(),
    ];
    for text in texts {
        let o = with_stdin(yomiage().args(["accent", "-"]), text.as_bytes());
        let head: String = text.chars().take(8).collect();
        assert!(!stderr(&o).contains("panicked"), "{head:?}: {}", stderr(&o));
        assert!(
            o.status.code() == Some(0) || o.status.code() == Some(1),
            "{head:?}: {}",
            stderr(&o)
        );
    }
}

/// Logs written to a pipe (or a file) carry no terminal color codes.
#[test]
fn logs_to_a_pipe_carry_no_color_codes() {
    let o = run(yomiage().args(["-vv", "accent", "箸が"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("DEBUG"), "no log lines to look at: {e}");
    assert!(!e.contains('\u{1b}'), "escape codes in the log: {e:?}");
}
