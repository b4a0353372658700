//! Kana notation (VOICEVOX's `is_kana` input) under arbitrary input: any string parses or gives
//! a [`KanaError`] that points inside it; what parses writes back to the same phrases; and the
//! analysis's phrases survive the trip through the notation.

use crate::common::frontend;
use proptest::prelude::*;
use yomiage_frontend::{parse_kana, to_kana, AccentPhrase, FrontendError};
use yomiage_testkit::strategies::{regressions, tricky_char, unicode_text};

/// Katakana moras the notation knows (one and two characters), ン, ッ, ー and ヴ.
const MORAS: &[&str] = &[
    "ア", "イ", "ウ", "エ", "オ", "カ", "キ", "ク", "ケ", "コ", "ガ", "ギ", "グ", "ゲ", "ゴ", "サ",
    "シ", "ス", "セ", "ソ", "ザ", "ジ", "ズ", "ゼ", "ゾ", "タ", "チ", "ツ", "テ", "ト", "ダ", "デ",
    "ド", "ナ", "ニ", "ヌ", "ネ", "ノ", "ハ", "ヒ", "フ", "ヘ", "ホ", "バ", "ビ", "ブ", "ベ", "ボ",
    "パ", "ピ", "プ", "ペ", "ポ", "マ", "ミ", "ム", "メ", "モ", "ヤ", "ユ", "ヨ", "ラ", "リ", "ル",
    "レ", "ロ", "ワ", "ヲ", "ン", "ッ", "ー", "ヴ", "キャ", "シュ", "チョ", "ニャ", "ヒュ", "ミョ",
    "リャ", "ギュ", "ジョ", "ビャ", "ピョ", "ファ", "ティ", "ディ", "トゥ", "ウィ", "ヴォ", "ツァ",
    "グヮ",
];

/// Notation-shaped strings: moras, marks and delimiters in any order (mostly malformed).
fn notation_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => prop::sample::select(MORAS.to_vec()).prop_map(String::from),
        1 => prop::sample::select(vec!["'", "_", "/", "、", "？", "?", "ぁ", "ヵ", "ヶ", "ヽ", "・"])
            .prop_map(String::from),
        1 => tricky_char().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

/// Well-formed notation: phrases of moras with one accent mark each, devoicing marks only on
/// moras with a vowel, ー only after a mora with one, `/` or `、` between phrases.
fn valid_notation() -> impl Strategy<Value = String> {
    let vowel_moras: Vec<&str> = MORAS
        .iter()
        .copied()
        .filter(|m| !matches!(*m, "ン" | "ッ" | "ー"))
        .collect();
    let mora = (prop::sample::select(vowel_moras), any::<bool>(), 0u8..4).prop_map(
        |(m, devoice, tail)| {
            let mut s = String::new();
            if devoice {
                s.push('_');
            }
            s.push_str(m);
            match tail {
                1 => s.push('ー'),
                2 => s.push('ン'),
                3 => s.push('ッ'),
                _ => {}
            }
            s
        },
    );
    let phrase = (
        prop::collection::vec(mora, 1..8),
        any::<prop::sample::Index>(),
        any::<bool>(),
    )
        .prop_map(|(moras, nucleus, question)| {
            let k = nucleus.index(moras.len());
            let mut s = String::new();
            for (i, m) in moras.iter().enumerate() {
                s.push_str(m);
                if i == k {
                    s.push('\'');
                }
            }
            if question {
                s.push('？');
            }
            s
        });
    prop::collection::vec((phrase, any::<bool>()), 1..6).prop_map(|phrases| {
        let n = phrases.len();
        let mut s = String::new();
        for (i, (p, pause)) in phrases.into_iter().enumerate() {
            s.push_str(&p);
            if i + 1 < n {
                s.push(if pause { '、' } else { '/' });
            }
        }
        s
    })
}

/// Parsing never panics; an error points at a character of the input and names a phrase
/// that exists; what parses is well-formed and reads back the same from its own notation.
fn check(s: &str) -> Result<(), TestCaseError> {
    let chars = s.chars().count();
    match parse_kana(s) {
        Ok(phrases) => {
            prop_assert!(!phrases.is_empty());
            for p in &phrases {
                prop_assert!(!p.moras.is_empty(), "{:?}", s);
                prop_assert!(p.accent < p.moras.len(), "{:?}: accent {}", s, p.accent);
            }
            let written = to_kana(&phrases);
            let reread = parse_kana(&written);
            prop_assert_eq!(reread.as_ref(), Ok(&phrases), "{:?} → {:?}", s, written);
        }
        Err(e) => {
            // The end of the input is a position too (a phrase missing at the end).
            prop_assert!(e.pos() <= chars, "{:?}: {} points past the end", s, e);
            prop_assert!(
                e.phrase() <= s.matches(['/', '、']).count(),
                "{:?}: {}",
                s,
                e
            );
            prop_assert!(!e.to_string().is_empty());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: yomiage_testkit::strategies::cases(512), ..ProptestConfig::default() })]

    #[test]
    fn notation_soup_parses_or_points_at_the_fault(s in notation_soup()) {
        check(&s)?;
    }

    #[test]
    fn arbitrary_text_parses_or_points_at_the_fault(s in unicode_text()) {
        check(&s)?;
    }

    #[test]
    fn well_formed_notation_parses_and_round_trips(s in valid_notation()) {
        prop_assert!(parse_kana(&s).is_ok(), "{:?}: {:?}", s, parse_kana(&s));
        check(&s)?;
    }
}

/// Sounds, accents, questions and pauses as the notation can carry them (odaka and flat are one
/// notation; the last phrase's pause has no place in it; a lone small kana is written full-size).
fn notation_view(phrases: &[AccentPhrase]) -> Vec<(Vec<String>, usize, bool, bool)> {
    let n = phrases.len();
    phrases
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let accent = if p.accent == p.moras.len() {
                0
            } else {
                p.accent
            };
            let moras = p
                .moras
                .iter()
                .map(|m| format!("{:?}:{:?}", m.consonant, m.vowel))
                .collect();
            (
                moras,
                accent,
                p.is_interrogative,
                i + 1 < n && p.pause_mora.is_some(),
            )
        })
        .collect()
}

/// VOICEVOX clients fetch a query's `kana` and send it back edited: the analysis's phrases
/// written as notation parse back to the same sounds and accents.
fn check_analysed(text: &str) -> Result<(), TestCaseError> {
    let phrases = match frontend().analyze(text) {
        Ok(p) => p,
        Err(FrontendError::EmptyText | FrontendError::NothingToSay) => return Ok(()),
        Err(e) => return Err(TestCaseError::fail(format!("{text:?}: {e}"))),
    };
    let kana = to_kana(&phrases);
    let parsed =
        parse_kana(&kana).map_err(|e| TestCaseError::fail(format!("{text:?} → {kana:?}: {e}")))?;
    prop_assert_eq!(
        notation_view(&parsed),
        notation_view(&phrases),
        "{:?} → {:?}",
        text,
        kana
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: yomiage_testkit::strategies::cases(64), ..ProptestConfig::default() })]

    #[test]
    fn analysed_phrases_survive_the_notation(chars in prop::collection::vec(tricky_char(), 1..40)) {
        check_analysed(&chars.into_iter().collect::<String>())?;
    }
}

#[test]
fn the_regression_corpus_still_passes() {
    for r in regressions("kana") {
        check(&r.input).unwrap_or_else(|e| panic!("{:?} ({}): {e}", r.input, r.note));
    }
    for r in regressions("kana_text") {
        check_analysed(&r.input).unwrap_or_else(|e| panic!("{:?} ({}): {e}", r.input, r.note));
    }
}
