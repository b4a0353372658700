//! The book renderer on the real engine and real audio: ruby readings reach the query,
//! files decode back at the target loudness in every format, tags and chapter marks are in
//! the containers, and a second run keeps, re-encodes or re-renders exactly what changed.
//! One engine per process (ONNX Runtime), shared by the tests.

use crate::fixtures;

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use yomiage_book::cache::SpeechCache;
use yomiage_book::encode::Format;
use yomiage_book::job::render_book;
use yomiage_book::render::{Outcome, Quiet, Report, Settings};
use yomiage_book::Book;
use yomiage_engine::Engine;
use yomiage_voices::VoiceId;

/// The test process's shared engine (testkit: loaded once per process) and jf_alpha.
fn engine() -> (&'static Engine, VoiceId) {
    (
        yomiage_testkit::engine::engine(),
        yomiage_testkit::engine::voice("jf_alpha"),
    )
}

fn aozora_book() -> Book {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hoshi.txt");
    std::fs::write(&path, fixtures::story_sjis()).unwrap();
    yomiage_book::read_book(&path, None).unwrap()
}

/// Decodes any of the four formats with symphonia: mono samples and the rate.
fn decode(path: &Path) -> (Vec<f32>, u32) {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    yomiage_testkit::audio::decode(std::fs::read(path).unwrap(), ext)
}

fn files(dir: &Path, ext: &str) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

/// Loudness ±1 LU of the target and true peak under the ceiling (+0.5 dB for lossy codecs'
/// overshoot) on the decoded file, and its length against book.json.
fn check_file(path: &Path, target: f64, duration: f64, lossy: bool) {
    let (samples, rate) = decode(path);
    let seconds = samples.len() as f64 / rate as f64;
    // MP3/Vorbis pad by up to a frame or two.
    assert!(
        (seconds - duration).abs() < 0.12,
        "{}: {seconds} s decoded, {duration} s rendered",
        path.display()
    );
    let m = yomiage_book::loudness::measure(&samples, rate).unwrap();
    assert!(
        (m.integrated_lufs - target).abs() <= 1.0,
        "{}: {} LUFS, target {target}",
        path.display(),
        m.integrated_lufs
    );
    let slack = if lossy { 0.5 } else { 0.05 };
    assert!(
        m.true_peak_dbtp <= -1.5 + slack,
        "{}: true peak {} dBTP",
        path.display(),
        m.true_peak_dbtp
    );
}

fn outcomes(r: &Report) -> Vec<Outcome> {
    r.outcomes.iter().map(|o| o.2.clone()).collect()
}

fn stamps(dir: &Path, ext: &str) -> Vec<(u64, i64, i64)> {
    files(dir, ext)
        .iter()
        .map(|p| {
            let m = std::fs::metadata(p).unwrap();
            (m.ino(), m.mtime(), m.mtime_nsec())
        })
        .collect()
}

#[test]
fn ruby_readings_reach_the_query() {
    let (engine, voice) = engine();
    let voice = &voice;
    let book = aozora_book();
    let moras = |text: &str| -> String {
        let q = engine.audio_query(text, voice).unwrap();
        q.accent_phrases
            .iter()
            .flat_map(|p| p.moras.iter().map(|m| m.text.clone()))
            .collect()
    };
    // 強敵《とも》: the dictionary alone reads キョーテキ.
    let with_ruby = moras(&book.chapters[0].paragraphs[0]);
    assert!(with_ruby.contains("トモ"), "{with_ruby}");
    assert!(!with_ruby.contains("キョ"), "{with_ruby}");
    assert!(moras("少年は強敵に会った。").contains("キョ"));
    // ｜小さな星《ほし》: the whole bar-marked base is replaced.
    let bar = moras(&book.chapters[0].paragraphs[1]);
    assert!(bar.starts_with("ホシ"), "{bar}");
    assert!(!bar.contains("チー") && !bar.contains("チイ"), "{bar}");
}

#[test]
fn aozora_book_renders_resumes_and_rerenders_what_changed() {
    let (engine, voice) = engine();
    let voice = &voice;
    let book = aozora_book();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    let caches = tempfile::tempdir().unwrap();
    let cache = &SpeechCache::new(caches.path(), dir, u64::MAX);
    let mut settings = Settings::new("jf_alpha", Format::Flac);
    settings.chapter_pause = 0.5;

    // First run, two chapters at a time.
    let r = render_book(engine, voice, &book, &settings, dir, cache, 2, &Quiet).unwrap();
    assert_eq!(outcomes(&r), vec![Outcome::Rendered; 3]);
    let flacs = files(dir, "flac");
    let names: Vec<_> = flacs
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["001 - 一.flac", "002 - 二.flac", "003 - 三.flac"]);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("book.json")).unwrap()).unwrap();
    assert_eq!(json["title"], "星の子");
    assert_eq!(json["author"], "青木みどり");
    let chapters = json["chapters"].as_array().unwrap();
    assert_eq!(chapters.len(), 3);
    for (c, path) in chapters.iter().zip(&flacs) {
        check_file(path, -18.0, c["duration_s"].as_f64().unwrap(), false);
    }
    // Chapter 2's sub-section (夜) is a mark after the chapter start.
    let marks = chapters[1]["marks"].as_array().unwrap();
    assert_eq!(marks.len(), 2);
    assert_eq!(marks[1]["title"], "夜");
    assert!(marks[1]["start_s"].as_f64().unwrap() > 1.0);
    // Tags and marks inside the FLAC (Vorbis comments).
    let bytes = std::fs::read(&flacs[1]).unwrap();
    let has = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    for needle in [
        "TITLE=二",
        "ALBUM=星の子",
        "TRACKNUMBER=2",
        "CHAPTER002NAME=夜",
        "CHAPTER001=00:00:00.000",
    ] {
        assert!(has(needle), "no {needle} in the FLAC");
    }
    let playlist = std::fs::read_to_string(dir.join("星の子.m3u8")).unwrap();
    assert!(playlist.starts_with("#EXTM3U"));
    assert!(playlist.contains("\n002 - 二.flac\n"));

    // Same settings: everything is kept, files untouched (same inode and mtime).
    let before = stamps(dir, "flac");
    let r = render_book(engine, voice, &book, &settings, dir, cache, 1, &Quiet).unwrap();
    assert_eq!(outcomes(&r), vec![Outcome::Kept; 3]);
    assert_eq!(stamps(dir, "flac"), before);

    // An interrupted run's leftovers are cleaned up; a damaged cache entry is re-rendered.
    std::fs::write(dir.join(".yomiage-abc.flac.partial"), b"half").unwrap();
    // Edit chapter 2: only it is synthesized again.
    let mut edited = book.clone();
    edited.chapters[1].paragraphs[2] = "こころが静かだった。風も止んだ。".into();
    let r = render_book(engine, voice, &edited, &settings, dir, cache, 2, &Quiet).unwrap();
    assert_eq!(
        outcomes(&r),
        [Outcome::Kept, Outcome::Rendered, Outcome::Kept]
    );
    let after = stamps(dir, "flac");
    assert_eq!(after[0], before[0]);
    assert_ne!(after[1], before[1]);
    assert_eq!(after[2], before[2]);
    assert!(!dir.join(".yomiage-abc.flac.partial").exists());

    // A new loudness target: every file again, from the cached speech (no synthesis).
    settings.loudness_lufs = -21.0;
    let r = render_book(engine, voice, &edited, &settings, dir, cache, 2, &Quiet).unwrap();
    assert_eq!(outcomes(&r), vec![Outcome::Reencoded; 3]);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("book.json")).unwrap()).unwrap();
    for (c, path) in json["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .zip(files(dir, "flac"))
    {
        check_file(&path, -21.0, c["duration_s"].as_f64().unwrap(), false);
    }

    // Another format: re-encoded, the old files replaced.
    for (format, ext) in [
        (Format::Ogg, "ogg"),
        (Format::Mp3, "mp3"),
        (Format::Opus, "opus"),
        (Format::Wav, "wav"),
    ] {
        settings.format = format;
        let r = render_book(engine, voice, &edited, &settings, dir, cache, 2, &Quiet).unwrap();
        assert_eq!(outcomes(&r), vec![Outcome::Reencoded; 3], "{ext}");
        assert!(files(dir, "flac").is_empty(), "old files left beside {ext}");
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("book.json")).unwrap()).unwrap();
        let made = files(dir, ext);
        assert_eq!(made.len(), 3, "{ext}");
        for (c, path) in json["chapters"].as_array().unwrap().iter().zip(&made) {
            check_file(
                path,
                -21.0,
                c["duration_s"].as_f64().unwrap(),
                format != Format::Wav,
            );
        }
        let bytes = std::fs::read(&made[1]).unwrap();
        match format {
            Format::Ogg | Format::Opus => {
                let has = |n: &str| bytes.windows(n.len()).any(|w| w == n.as_bytes());
                assert!(
                    has("CHAPTER002NAME=夜") && has("TITLE=二"),
                    "{ext} comments"
                );
            }
            Format::Mp3 | Format::Wav => {
                let tag = if format == Format::Mp3 {
                    id3::Tag::read_from_path(&made[1]).unwrap()
                } else {
                    #[allow(deprecated)]
                    id3::Tag::read_from_wav_path(&made[1]).unwrap()
                };
                use id3::TagLike;
                assert_eq!(tag.title(), Some("二"));
                assert_eq!(tag.album(), Some("星の子"));
                assert_eq!(tag.track(), Some(2));
                let chaps: Vec<_> = tag.chapters().collect();
                assert_eq!(chaps.len(), 2, "{ext}");
                assert_eq!(chaps[0].start_time, 0);
                assert_eq!(tag.tables_of_contents().count(), 1);
            }
            Format::Flac => {}
        }
    }
    // Only the speech of the current chapters stays cached, outside the output folder.
    let cached = std::fs::read_dir(cache.dir()).unwrap().count();
    assert_eq!(cached, 6);
    assert!(!dir.join(yomiage_book::manifest::CACHE_DIR).exists());
    // A bound below one chapter's speech empties the cache at the end of the next run; the
    // chapters themselves are kept.
    let tight = SpeechCache::new(caches.path(), dir, 1);
    let r = render_book(engine, voice, &edited, &settings, dir, &tight, 1, &Quiet).unwrap();
    assert_eq!(outcomes(&r), vec![Outcome::Kept; 3]);
    assert!(!tight.dir().exists() || std::fs::read_dir(tight.dir()).unwrap().count() == 0);
}

#[test]
fn epub_renders_to_wav() {
    let (engine, voice) = engine();
    let voice = &voice;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tsuki.epub");
    std::fs::write(&path, fixtures::epub(false)).unwrap();
    let book = yomiage_book::read_book(&path, None).unwrap();
    let out = dir.path().join("out");
    let mut settings = Settings::new("jf_alpha", Format::Wav);
    settings.loudness_lufs = -16.0;
    settings.chapter_pause = 0.3;
    let caches = tempfile::tempdir().unwrap();
    let cache = SpeechCache::new(caches.path(), &out, u64::MAX);
    let r = render_book(engine, voice, &book, &settings, &out, &cache, 1, &Quiet).unwrap();
    assert_eq!(outcomes(&r), vec![Outcome::Rendered; 2]);
    let wavs = files(&out, "wav");
    assert_eq!(wavs.len(), 2);
    assert!(wavs[0].ends_with("001 - 第一章 出会い.wav"));
    for w in &wavs {
        let (s, rate) = decode(w);
        assert_eq!(rate, 24_000);
        let m = yomiage_book::loudness::measure(&s, rate).unwrap();
        assert!((m.integrated_lufs + 16.0).abs() <= 1.0, "{m:?}");
    }
}

#[test]
fn unwritable_output_is_a_clear_error() {
    let (engine, voice) = engine();
    let voice = &voice;
    let book = aozora_book();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let settings = Settings::new("jf_alpha", Format::Wav);
    let e = render_book(
        engine,
        voice,
        &book,
        &settings,
        &file.join("out"),
        &SpeechCache::new(&dir.path().join("cache"), &file.join("out"), u64::MAX),
        1,
        &Quiet,
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("cannot write to"), "{e}");
}
