//! Arbitrary Unicode through the analysis: every script, combining-mark stacks, emoji
//! sequences, controls, private use, long runs of one character and 100k-character lines give
//! phrases or a typed error — never a panic — and the analysis stays linear in the input.

use std::time::{Duration, Instant};

use crate::common::frontend;
use crate::no_panic::check;
use proptest::prelude::*;
use yomiage_frontend::FrontendError;
use yomiage_testkit::strategies::{regressions, unicode_text, EMOJI_SEQUENCES};

proptest! {
    #![proptest_config(ProptestConfig { cases: yomiage_testkit::strategies::cases(96), ..ProptestConfig::default() })]

    #[test]
    fn any_unicode_text_gives_phrases_or_an_error(text in unicode_text()) {
        check(&text)?;
    }
}

#[test]
fn the_regression_corpus_still_passes() {
    for r in regressions("text") {
        check(&r.input).unwrap_or_else(|e| panic!("{:?} ({}): {e}", r.input, r.note));
    }
}

/// Lines of 100 000 characters, each a worst case of its own: one character repeated (kana,
/// a digit — number reading —, a long-vowel mark, a combining mark, a kanji, a private-use
/// character, a control), an emoji sequence repeated, and ordinary prose without a break.
#[test]
fn hundred_thousand_character_lines() {
    let prose = "吾輩は猫である名前はまだ無いどこで生れたかとんと見当がつかぬ";
    let mut lines: Vec<String> = ['あ', '1', 'ー', '\u{3099}', '漢', '\u{E000}', '\u{7}', 'a']
        .iter()
        .map(|&c| std::iter::repeat_n(c, 100_000).collect())
        .collect();
    lines.push(EMOJI_SEQUENCES[0].repeat(100_000 / 7));
    lines.push(prose.chars().cycle().take(100_000).collect());
    for line in &lines {
        let started = Instant::now();
        check(line).unwrap_or_else(|e| panic!("{:?}…: {e}", head(line)));
        eprintln!(
            "{:?}…: {:.2} s",
            head(line),
            started.elapsed().as_secs_f64()
        );
    }
}

fn head(s: &str) -> String {
    s.chars().take(8).collect()
}

/// CPU time of this thread: what the analysis itself cost, however busy the machine is (wall
/// time on a shared 2-core machine stretches with whatever else runs).
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own; the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// The best of three CPU timings of analysing `text`, and the moras it gave.
fn timed(text: &str) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut moras = 0;
    for _ in 0..3 {
        let started = thread_cpu();
        let result = frontend().analyze(text);
        best = best.min(thread_cpu().saturating_sub(started));
        moras = match result {
            Ok(p) => p.iter().map(|p| p.moras.len()).sum(),
            Err(FrontendError::EmptyText | FrontendError::NothingToSay) => 0,
            Err(e) => panic!("{:?}…: {e}", head(text)),
        };
    }
    (best, moras)
}

/// Analysis time is linear in the input: eight times the text takes at most three times eight
/// times as long (a quadratic step would take 64×), and gives eight times the moras (±2 %,
/// sentence ends differ). The thread's CPU time, best of three runs at each size, so other work
/// on the machine counts little; a deterministic count — moras — backs the clock.
#[test]
fn analysis_time_is_linear_in_the_input() {
    let units = [
        "今日はいい天気ですね、散歩に行きましょう。",
        "あ",
        "1",
        "ー",
        "漢",
        "a",
        "👍",
        "\u{3099}",
        "東京都千代田区1-2-3、10:30。",
    ];
    let mut failures = Vec::new();
    for unit in units {
        let small: String = unit.repeat(4_000 / unit.chars().count());
        let large: String = unit.repeat(32_000 / unit.chars().count());
        let (t1, m1) = timed(&small);
        let (t8, m8) = timed(&large);
        let ratio = t8.as_secs_f64() / t1.as_secs_f64().max(1e-4);
        let moras = m8 as f64 / (m1 as f64).max(1.0);
        eprintln!(
            "{unit:?}: {} chars {:.1} ms, {} chars {:.1} ms, time ×{ratio:.1}, moras {m1} → {m8} (×{moras:.2})",
            small.chars().count(),
            t1.as_secs_f64() * 1e3,
            large.chars().count(),
            t8.as_secs_f64() * 1e3,
        );
        // Below 100 ms the clock says little on a shared machine (a blip of a few ms is a large
        // ratio); the mora count still has to scale.
        if t8 > Duration::from_millis(100) && ratio > 24.0 {
            failures.push(format!("{unit:?}: time ×{ratio:.1} for 8× the text"));
        }
        if m1 > 0 && !(7.84..=8.16).contains(&moras) {
            failures.push(format!("{unit:?}: moras ×{moras:.2} for 8× the text"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
