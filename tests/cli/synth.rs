//! `yomiage synth` end to end, on the real voice, runtime and dictionary.

use crate::common;
use common::*;

#[test]
fn synth_writes_24khz_16bit_mono_speech_of_plausible_length() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.wav");
    let o = run(yomiage()
        .args(["synth", "今日はいい天気ですね。", "-o"])
        .arg(&out));
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    let wav = read_wav(&out);
    assert_eq!(wav.spec.sample_rate, 24_000);
    assert_eq!(wav.spec.bits_per_sample, 16);
    assert_eq!(wav.spec.channels, 1);
    assert!((1.0..=3.0).contains(&wav.seconds()), "{} s", wav.seconds());
    // Speech: loud windows and quiet ones (syllables and gaps), not silence or a constant tone.
    let rms = wav.window_rms();
    let loud = rms.iter().filter(|&&r| r > 0.02).count();
    let quiet = rms.iter().filter(|&&r| r < 0.01).count();
    assert!(
        loud as f64 > 0.4 * rms.len() as f64,
        "too few voiced windows: {loud}/{}",
        rms.len()
    );
    assert!(quiet >= 2, "no pauses at all: {rms:?}");
    let peak = wav
        .samples
        .iter()
        .map(|s| s.unsigned_abs())
        .max()
        .unwrap_or(0);
    assert!(peak > 3000 && peak < 32767, "peak {peak}");
    assert!(files_containing(dir.path(), "partial").is_empty());
}

#[test]
fn every_voice_speaks_and_voices_differ() {
    let dir = tempfile::tempdir().unwrap();
    let mut lengths = Vec::new();
    for voice in ["jf_alpha", "4"] {
        let out = dir.path().join(format!("{voice}.wav"));
        let o = run(yomiage()
            .args(["synth", "こんにちは。", "--voice", voice, "-o"])
            .arg(&out));
        assert!(o.status.success(), "{voice}: {}", stderr(&o));
        lengths.push(read_wav(&out).samples);
    }
    assert_ne!(
        lengths[0], lengths[1],
        "female and male voice gave identical audio"
    );
}

#[test]
fn text_beyond_the_token_limit_is_split_not_truncated() {
    // One "sentence" with only commas: far over 510 phoneme tokens, must be cut at pauses.
    let clause = "東京の空は青く、";
    let long: String = clause.repeat(40) + "おわり。";
    let dir = tempfile::tempdir().unwrap();
    let short_out = dir.path().join("short.wav");
    let long_out = dir.path().join("long.wav");
    let o = run(yomiage()
        .args(["synth", "東京の空は青く、おわり。", "-o"])
        .arg(&short_out));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(yomiage().args(["synth", &long, "-o"]).arg(&long_out));
    assert!(o.status.success(), "{}", stderr(&o));
    let short = read_wav(&short_out).seconds();
    let long = read_wav(&long_out).seconds();
    // 40 clauses: the long text must last many times the one-clause text.
    assert!(
        long > 15.0 * short,
        "long {long:.1} s vs short {short:.1} s: text was lost"
    );
}

#[test]
fn empty_text_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.wav");
    let o = run(yomiage().args(["synth", "  ", "-o"]).arg(&out));
    assert_clean_failure(&o);
    assert!(stderr(&o).contains("empty"), "{}", stderr(&o));
    assert!(!out.exists());
}

#[test]
fn nothing_speakable_is_an_error_and_writes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.wav");
    let o = run(yomiage().args(["synth", "★☆♪！？😀", "-o"]).arg(&out));
    assert_clean_failure(&o);
    assert!(stderr(&o).contains("nothing speakable"), "{}", stderr(&o));
    assert!(!out.exists());
    assert!(files_containing(dir.path(), "partial").is_empty());
}

#[test]
fn unknown_voice_lists_the_voices() {
    let o = run(yomiage().args([
        "synth",
        "こんにちは",
        "--voice",
        "nobody",
        "-o",
        "/tmp/never.wav",
    ]));
    assert_clean_failure(&o);
    let e = stderr(&o);
    for v in [
        "nobody",
        "jf_alpha",
        "jf_gongitsune",
        "jf_nezumi",
        "jf_tebukuro",
        "jm_kumo",
    ] {
        assert!(e.contains(v), "{v} missing from: {e}");
    }
}

#[test]
fn unwritable_output_is_an_error_and_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    // A path under a regular file cannot be created, even by root.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let out = blocker.join("out.wav");
    let o = run(yomiage().args(["synth", "こんにちは。", "-o"]).arg(&out));
    assert_clean_failure(&o);
    assert!(stderr(&o).contains("cannot write"), "{}", stderr(&o));
    // Output that is a directory.
    let o = run(yomiage()
        .args(["synth", "こんにちは。", "-o"])
        .arg(dir.path()));
    assert_clean_failure(&o);
    assert_eq!(
        files_containing(dir.path(), "partial"),
        Vec::<String>::new()
    );
}

#[test]
fn voices_lists_stable_speaker_ids() {
    let o = run(yomiage().arg("voices"));
    assert!(o.status.success());
    let s = stdout(&o);
    assert!(s.contains("  0  jf_alpha"), "{s}");
    assert!(s.contains("  4  jm_kumo"), "{s}");
}
