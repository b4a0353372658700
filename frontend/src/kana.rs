//! VOICEVOX's kana notation (AquesTalk-like) ⇄ accent phrases.
//!
//! The notation is how VOICEVOX users type a reading and accent by hand (`/accent_phrases?
//! is_kana=true`, the `kana` field of an AudioQuery), so we accept exactly its rules:
//!
//! - katakana moras, matched longest first (キャ before キ);
//! - `'` right after the accent-nucleus mora, exactly once per phrase;
//! - `/` separates phrases without a pause, `、` with one;
//! - `_` before a mora devoices its vowel (`_ス` → `s` + `U`);
//! - `？` as the last character of a phrase marks it as a question.
//!
//! One extension: `ー` is a mora that repeats the previous vowel (VOICEVOX spells long vowels
//! with the vowel's kana), because that is how our analysis writes long vowels.
//!
//! Moras get their consonant and vowel from the same table (jpreprocess's) and the same code
//! as [`crate::Frontend::analyze`], so parsed and analysed phrases are interchangeable.
//!
//! Flat and odaka phrases: the notation cannot tell them apart (both put `'` after the last
//! mora, as VOICEVOX does), so [`parse_kana`] reads that as `accent == 0` (flat — what
//! VOICEVOX users mean by it, and by far the commoner case), and [`to_kana`] writes both that
//! way. Round trips therefore keep the accent up to that one equivalence.

use jpreprocess_core::pronunciation::{Mora as JMora, MoraEnum, Pronunciation};

use crate::analysis::node_moras;
use crate::phoneme::Vowel;
use crate::script::is_katakana;
use crate::types::{AccentPhrase, Mora};

const ACCENT: char = '\'';
const UNVOICE: char = '_';
const NO_PAUSE: char = '/';
const PAUSE: char = '、';
const QUESTION: char = '？';
/// The longest mora spelling in the table (キャ, グヮ) in characters.
const MAX_MORA_CHARS: usize = 2;

/// A fault in kana notation. `pos` is the 0-based index of the offending character in the
/// input, counted in `char`s; `phrase` the 0-based index of the accent phrase it is in. The
/// messages count both from 1, for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KanaError {
    #[error(
        "accent mark ' at the start of phrase {} (character {}): it goes after the nucleus mora",
        .phrase + 1, .pos + 1
    )]
    AccentAtStart { pos: usize, phrase: usize },
    #[error(
        "second accent mark ' in phrase {} (character {}): a phrase has exactly one",
        .phrase + 1, .pos + 1
    )]
    AccentTwice { pos: usize, phrase: usize },
    #[error(
        "phrase {} (from character {}) has no accent mark ': put it after the nucleus mora, \
         or after the last mora for a flat phrase",
        .phrase + 1, .pos + 1
    )]
    AccentMissing { pos: usize, phrase: usize },
    #[error(
        "phrase {} (at character {}) is empty: two delimiters in a row, or one at an end",
        .phrase + 1, .pos + 1
    )]
    EmptyPhrase { pos: usize, phrase: usize },
    #[error(
        "？ at character {} is not at the end of phrase {}: it may only end a phrase",
        .pos + 1, .phrase + 1
    )]
    MisplacedQuestion { pos: usize, phrase: usize },
    #[error(
        "unknown mora {text:?} at character {} (phrase {}): moras are katakana, and _ only \
         goes before a mora with a vowel",
        .pos + 1, .phrase + 1
    )]
    UnknownMora {
        text: String,
        pos: usize,
        phrase: usize,
    },
}

impl KanaError {
    /// 0-based character index of the fault.
    pub fn pos(&self) -> usize {
        match self {
            KanaError::AccentAtStart { pos, .. }
            | KanaError::AccentTwice { pos, .. }
            | KanaError::AccentMissing { pos, .. }
            | KanaError::EmptyPhrase { pos, .. }
            | KanaError::MisplacedQuestion { pos, .. }
            | KanaError::UnknownMora { pos, .. } => *pos,
        }
    }

    /// 0-based index of the phrase with the fault.
    pub fn phrase(&self) -> usize {
        match self {
            KanaError::AccentAtStart { phrase, .. }
            | KanaError::AccentTwice { phrase, .. }
            | KanaError::AccentMissing { phrase, .. }
            | KanaError::EmptyPhrase { phrase, .. }
            | KanaError::MisplacedQuestion { phrase, .. }
            | KanaError::UnknownMora { phrase, .. } => *phrase,
        }
    }
}

/// Parses kana notation into accent phrases (lengths and pitches 0, for the engine to fill).
///
/// `'` after the last mora gives `accent == 0` (see the module docs). The last phrase never
/// gets a pause: a trailing `、` is an empty phrase, as in VOICEVOX.
pub fn parse_kana(s: &str) -> Result<Vec<AccentPhrase>, KanaError> {
    let chars: Vec<char> = s.chars().collect();
    let mut phrases = Vec::new();
    // The vowel ー repeats: carried across `/`, reset by a pause (as in the analysis).
    let mut last_vowel: Option<Vowel> = None;
    let mut start = 0;
    for i in 0..=chars.len() {
        let delimiter = chars.get(i).copied();
        if !matches!(delimiter, None | Some(PAUSE | NO_PAUSE)) {
            continue;
        }
        let mut phrase = parse_phrase(&chars[start..i], start, phrases.len(), &mut last_vowel)?;
        if delimiter == Some(PAUSE) {
            phrase.pause_mora = Some(Mora::pause());
        }
        if delimiter == Some(PAUSE) || phrase.is_interrogative {
            last_vowel = None;
        }
        phrases.push(phrase);
        start = i + 1;
    }
    Ok(phrases)
}

/// Writes accent phrases in kana notation (what VOICEVOX puts in `AudioQuery.kana`).
///
/// Mora texts are written as they are; devoiced vowels get `_`; both flat (0) and odaka
/// phrases get `'` after the last mora, and an accent past the end is written there too.
/// Phrases without moras are skipped, and a pause after the last phrase is not written
/// (the notation has no place for it).
pub fn to_kana(phrases: &[AccentPhrase]) -> String {
    let phrases: Vec<&AccentPhrase> = phrases.iter().filter(|p| !p.moras.is_empty()).collect();
    let mut out = String::new();
    for (i, p) in phrases.iter().enumerate() {
        let n = p.moras.len();
        let nucleus = if p.accent == 0 { n } else { p.accent.min(n) };
        for (k, m) in p.moras.iter().enumerate() {
            if m.is_devoiced() {
                out.push(UNVOICE);
            }
            out.push_str(full_size(&m.text));
            if k + 1 == nucleus {
                out.push(ACCENT);
            }
        }
        if p.is_interrogative {
            out.push(QUESTION);
        }
        if i + 1 < phrases.len() {
            out.push(if p.pause_mora.is_some() {
                PAUSE
            } else {
                NO_PAUSE
            });
        }
    }
    out
}

/// A small kana the analysis left as a mora of its own (`日ャ` → ビ, ャ) in its full size, which
/// says the same; written small after ビ it would read back as the one mora ビャ.
fn full_size(text: &str) -> &str {
    match text {
        "ァ" => "ア",
        "ィ" => "イ",
        "ゥ" => "ウ",
        "ェ" => "エ",
        "ォ" => "オ",
        "ャ" => "ヤ",
        "ュ" => "ユ",
        "ョ" => "ヨ",
        "ヮ" => "ワ",
        other => other,
    }
}

/// One phrase's characters (no delimiters); `offset` is its position in the whole input.
fn parse_phrase(
    chars: &[char],
    offset: usize,
    phrase: usize,
    last_vowel: &mut Option<Vowel>,
) -> Result<AccentPhrase, KanaError> {
    let empty = KanaError::EmptyPhrase {
        pos: offset,
        phrase,
    };
    if let Some(q) = chars.iter().position(|&c| c == QUESTION) {
        if q + 1 != chars.len() {
            return Err(KanaError::MisplacedQuestion {
                pos: offset + q,
                phrase,
            });
        }
    }
    let (body, is_interrogative) = match chars.split_last() {
        None => return Err(empty),
        Some((&QUESTION, body)) => (body, true),
        Some(_) => (chars, false),
    };
    if body.is_empty() {
        return Err(empty);
    }

    let mut moras: Vec<Mora> = Vec::new();
    let mut accent: Option<usize> = None;
    let mut k = 0;
    while k < body.len() {
        let pos = offset + k;
        match body[k] {
            ACCENT => {
                if moras.is_empty() {
                    return Err(KanaError::AccentAtStart { pos, phrase });
                }
                if accent.is_some() {
                    return Err(KanaError::AccentTwice { pos, phrase });
                }
                accent = Some(moras.len());
                k += 1;
            }
            c => {
                let devoice = c == UNVOICE;
                let at = k + usize::from(devoice);
                let parsed = longest_mora(&body[at..])
                    .and_then(|(len, jm)| Some((len, kana_mora(jm, devoice, last_vowel)?)));
                match parsed {
                    Some((len, mut mora)) => {
                        // A lone small kana reads as its full size (see `full_size`), so what
                        // `to_kana` writes parses back to the same phrases.
                        mora.text = full_size(&mora.text).to_owned();
                        moras.push(mora);
                        k = at + len;
                    }
                    None => {
                        // Name what could not be read: the character, with its `_` if any.
                        let text: String = body[k..=at.min(body.len() - 1)].iter().collect();
                        return Err(KanaError::UnknownMora { text, pos, phrase });
                    }
                }
            }
        }
    }
    let Some(accent) = accent else {
        return Err(KanaError::AccentMissing {
            pos: offset,
            phrase,
        });
    };
    Ok(AccentPhrase {
        accent: if accent == moras.len() { 0 } else { accent },
        moras,
        pause_mora: None,
        is_interrogative,
    })
}

/// The longest katakana mora at the start of `chars`, with its length in characters.
fn longest_mora(chars: &[char]) -> Option<(usize, JMora)> {
    (1..=MAX_MORA_CHARS.min(chars.len())).rev().find_map(|len| {
        let candidate = &chars[..len];
        // The table also takes hiragana and letters; the notation is katakana only.
        if !candidate.iter().all(|&c| is_katakana(c)) {
            return None;
        }
        let text: String = candidate.iter().collect();
        if !Pronunciation::is_mora_convertable(&text) {
            return None;
        }
        match Pronunciation::parse_mora_str(&text).as_slice() {
            [(_, moras)] => match moras.as_slice() {
                [m] if !matches!(m.mora_enum, MoraEnum::Touten | MoraEnum::Question) => {
                    Some((len, m.clone()))
                }
                _ => None,
            },
            _ => None,
        }
    })
}

/// Converts one table mora the way the analysis does; `None` when it cannot be said here
/// (ー with no vowel before it, or `_` on ン/ッ which have no vowel to devoice).
fn kana_mora(mut jm: JMora, devoice: bool, last_vowel: &mut Option<Vowel>) -> Option<Mora> {
    jm.is_voiced = !devoice;
    let is_long = jm.mora_enum == MoraEnum::Long;
    let mut mora = node_moras(std::slice::from_ref(&jm), last_vowel)
        .kept
        .pop()?;
    if is_long && mora.vowel.is_vowel() {
        // The analysis copies the previous vowel as is; here `_` alone decides (N and cl,
        // which ー also copies, have no devoiced form).
        mora.vowel = if devoice {
            mora.vowel.devoiced()
        } else {
            mora.vowel.voiced()
        };
        *last_vowel = Some(mora.vowel);
    }
    if devoice && !mora.is_devoiced() {
        return None;
    }
    Some(mora)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cv(p: &AccentPhrase) -> Vec<(String, Option<String>, String)> {
        p.moras
            .iter()
            .map(|m| {
                let c = m.consonant.map(|c| c.to_string());
                (m.text.clone(), c, m.vowel.to_string())
            })
            .collect()
    }

    fn ok(s: &str) -> Vec<AccentPhrase> {
        parse_kana(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn hashi_accents() {
        assert_eq!(ok("ハ'シガ")[0].accent, 1);
        assert_eq!(ok("ハシ'ガ")[0].accent, 2);
        assert_eq!(ok("ハシガ'")[0].accent, 0, "' after the last mora is flat");
        assert_eq!(ok("ハシ'")[0].accent, 0);
    }

    #[test]
    fn moras_get_openjtalk_phonemes() {
        let p = ok("キャ'ッシュ/_スンー'");
        let s = |t: &str, c: Option<&str>, v: &str| (t.to_owned(), c.map(str::to_owned), v.into());
        assert_eq!(
            cv(&p[0]),
            [
                s("キャ", Some("ky"), "a"),
                s("ッ", None, "cl"),
                s("シュ", Some("sh"), "u")
            ]
        );
        assert_eq!(
            cv(&p[1]),
            [
                s("ス", Some("s"), "U"),
                s("ン", None, "N"),
                // ー after ン repeats ン's "vowel", as the analysis does.
                s("ー", None, "N"),
            ]
        );
        assert_eq!(p[0].accent, 1);
        assert!(p[1].moras[0].is_devoiced());
        let p = ok("ツァ'/チ'/ヂ'/ヲ'/ワ'/ヴ'/グヮ'");
        let got: Vec<_> = p.iter().map(|p| cv(p).remove(0)).collect();
        assert_eq!(
            got,
            [
                s("ツァ", Some("ts"), "a"),
                s("チ", Some("ch"), "i"),
                s("ヂ", Some("j"), "i"),
                s("ヲ", None, "o"),
                s("ワ", Some("w"), "a"),
                s("ヴ", Some("v"), "u"),
                s("グヮ", Some("gw"), "a"),
            ]
        );
    }

    #[test]
    fn long_vowel_takes_previous_vowel_across_slash_not_pause() {
        let p = ok("コ'ー/ヒー'");
        assert_eq!(p[0].moras[1].vowel, Vowel::O);
        assert_eq!(p[1].moras[1].vowel, Vowel::I);
        let p = ok("ア'/ー'");
        assert_eq!(p[1].moras[0].vowel, Vowel::A);
        assert_eq!(
            parse_kana("ア'、ー'"),
            Err(KanaError::UnknownMora {
                text: "ー".into(),
                pos: 3,
                phrase: 1
            })
        );
        let p = ok("_シー'");
        assert_eq!(p[0].moras[1].vowel, Vowel::I, "ー without _ is voiced");
        let p = ok("シ_ー'");
        assert_eq!(p[0].moras[1].vowel, Vowel::DevoicedI);
    }

    #[test]
    fn pauses_and_questions() {
        let p = ok("ソ'ー、ナ'ンデス？/ネ'");
        assert_eq!(p.len(), 3);
        assert!(p[0].pause_mora.is_some());
        assert!(!p[0].is_interrogative);
        assert!(p[1].pause_mora.is_none());
        assert!(p[1].is_interrogative);
        assert!(p[2].pause_mora.is_none());
        assert_eq!(p[1].accent, 1);
        assert!(ok("ア'？")[0].is_interrogative);
    }

    #[test]
    fn error_kinds_with_positions() {
        use KanaError::*;
        let cases: [(&str, KanaError); 16] = [
            ("'ハシ", AccentAtStart { pos: 0, phrase: 0 }),
            ("ア'/'ハシ", AccentAtStart { pos: 3, phrase: 1 }),
            (
                "ア'/_'ハ",
                UnknownMora {
                    text: "_'".into(),
                    pos: 3,
                    phrase: 1,
                },
            ),
            ("ハ'シ'ガ", AccentTwice { pos: 3, phrase: 0 }),
            ("ア'、ハ'シ'", AccentTwice { pos: 6, phrase: 1 }),
            ("ハシガ", AccentMissing { pos: 0, phrase: 0 }),
            ("ア'/イ'、ハシ？", AccentMissing { pos: 6, phrase: 2 }),
            ("", EmptyPhrase { pos: 0, phrase: 0 }),
            ("ア'//イ'", EmptyPhrase { pos: 3, phrase: 1 }),
            ("ア'、", EmptyPhrase { pos: 3, phrase: 1 }),
            ("ア'/？", EmptyPhrase { pos: 3, phrase: 1 }),
            ("ア？イ'", MisplacedQuestion { pos: 1, phrase: 0 }),
            ("ア'/イ？？", MisplacedQuestion { pos: 4, phrase: 1 }),
            (
                "ハ'シが",
                UnknownMora {
                    text: "が".into(),
                    pos: 3,
                    phrase: 0,
                },
            ),
            (
                "ア'/_ン'",
                UnknownMora {
                    text: "_ン".into(),
                    pos: 3,
                    phrase: 1,
                },
            ),
            (
                "ア'/イ_",
                UnknownMora {
                    text: "_".into(),
                    pos: 4,
                    phrase: 1,
                },
            ),
        ];
        for (input, want) in cases {
            let got = parse_kana(input).expect_err(input);
            assert_eq!(got, want, "{input}");
            assert_eq!(got.pos(), want.pos());
            assert_eq!(got.phrase(), want.phrase());
        }
        // Messages count from 1 and name the character.
        let msg = parse_kana("ハ'シが").unwrap_err().to_string();
        assert!(
            msg.contains("\"が\"") && msg.contains("character 4"),
            "{msg}"
        );
        // Leading ー has nothing to lengthen; ASCII ? and hiragana are not the notation.
        assert!(matches!(
            parse_kana("ーア'"),
            Err(UnknownMora { pos: 0, .. })
        ));
        assert!(matches!(
            parse_kana("ア'?"),
            Err(UnknownMora { pos: 2, .. })
        ));
        assert!(matches!(parse_kana("あ'"), Err(UnknownMora { pos: 0, .. })));
    }

    #[test]
    fn canonical_text_round_trips() {
        for s in [
            "ハ'シガ",
            "ハシ'ガ",
            "ハシガ'",
            "コンニチワ'",
            "キョ'ーワ/イ'イ/テ'ンキ/デ_スネ'",
            "ソ'ー/デ_スカ'？、ワカリマシ'タ",
            "ア'、イ'/ウ'？",
            "_シ'ー",
            "グヮ'/ヴァ'イオリン",
        ] {
            assert_eq!(to_kana(&ok(s)), s);
        }
    }

    #[test]
    fn to_kana_writes_flat_and_odaka_alike_and_skips_what_it_cannot_write() {
        let mut p = ok("ハシ'/ア'");
        p[0].accent = 2; // odaka
        p[1].pause_mora = Some(Mora::pause()); // trailing pause: no place in the notation
        assert_eq!(to_kana(&p), "ハシ'/ア'");
        p[0].accent = 9; // past the end
        assert_eq!(to_kana(&p), "ハシ'/ア'");
        p.insert(
            1,
            AccentPhrase {
                moras: vec![],
                accent: 0,
                pause_mora: None,
                is_interrogative: false,
            },
        );
        assert_eq!(to_kana(&p), "ハシ'/ア'");
        assert_eq!(to_kana(&[]), "");
    }

    /// Round trips through the notation on phrases from the real analysis (needs the
    /// installed dictionary, like the analysis tests).
    #[test]
    fn analysed_phrases_round_trip() {
        let dir = yomiage_voices::Layout::from_env()
            .expect("data dir")
            .dictionary_dir();
        let fe = crate::Frontend::load(&dir).unwrap_or_else(|e| panic!("{e}"));
        let sentences = [
            "箸が橋の端に落ちた。",
            "今日はいい天気ですね。",
            "本当にそうですか？",
            "東京タワーへ行って、コーヒーを飲みました。",
            "吾輩は猫である。名前はまだ無い。",
            "日本語文を解析し、音声合成エンジンに渡せる形式に変換します。",
            "ヴァイオリンとフィギュアとティーカップ",
            "きっと、ずっと、もっと。",
            "水をマレーシアから買わなくてはならないのです。",
            "彼は静かに笑った、しかし目は笑っていなかった。",
            "上院議員は私がデータをゆがめたと告発した。",
        ];
        let mut devoiced = 0;
        for text in sentences {
            let phrases = fe.analyze(text).expect(text);
            let kana = to_kana(&phrases);
            let back = parse_kana(&kana).unwrap_or_else(|e| panic!("{text}: {kana}: {e}"));
            assert_eq!(back.len(), phrases.len(), "{text}: {kana}");
            for (a, b) in phrases.iter().zip(&back) {
                assert_eq!(cv(a), cv(b), "{text}: {kana}");
                let flat = |p: &AccentPhrase| {
                    if p.accent == p.moras.len() {
                        0
                    } else {
                        p.accent
                    }
                };
                assert_eq!(flat(a), flat(b), "{text}: {kana}");
                assert_eq!(
                    a.pause_mora.is_some(),
                    b.pause_mora.is_some(),
                    "{text}: {kana}"
                );
                assert_eq!(a.is_interrogative, b.is_interrogative, "{text}: {kana}");
                devoiced += a.moras.iter().filter(|m| m.is_devoiced()).count();
            }
            assert_eq!(to_kana(&back), kana, "{text}");
        }
        assert!(devoiced > 0, "the sentences should exercise _");
    }
}
