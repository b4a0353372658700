//! Numeral fixes after OpenJTalk's digit rules: sound changes the rules make or miss where the
//! word after a number is not the counter they expected.

use jpreprocess::NJD;
use jpreprocess_core::pos::{Meishi, Setsubi, POS};

use super::set_reading;
use crate::script::{is_kanji, is_katakana_word};

/// Kana a sokuon (ッ) can stand before: k, s, t and p.
const VOICELESS: &str = "カキクケコサシスセソタチツテトパピプペポ";

/// Each h-row kana with its p-row partner: a counter's h turns p after a sokuon, and back.
const H_AND_P: [(char, char); 5] = [
    ('ハ', 'パ'),
    ('ヒ', 'ピ'),
    ('フ', 'プ'),
    ('ヘ', 'ペ'),
    ('ホ', 'ポ'),
];

fn starts_voiceless(pron: &str) -> bool {
    pron.chars().next().is_some_and(|c| VOICELESS.contains(c))
}

fn is_numeral(njd: &NJD, i: usize) -> bool {
    // The enum, not `Pos` (which formats the part of speech): this runs on every word.
    matches!(njd.nodes[i].get_pos(), POS::Meishi(Meishi::Kazu))
}

/// 十 at the end of a number before a word starting with k, s, t or p is said ジュッ
/// (２０チーム ニジュッチーム, １０回転 ジュッカイテン, １０歳 ジュッサイ), as the counters
/// OpenJTalk's digit rules know already are; before voiced sounds it stays ジュー (１０時).
pub(super) fn juu_sokuon(njd: &mut NJD) {
    for i in 0..njd.nodes.len().saturating_sub(1) {
        let numeral = is_numeral(njd, i)
            && njd.nodes[i].get_string() == "十"
            && njd.nodes[i].get_pron().to_pure_string() == "ジュー";
        let next = njd.nodes[i + 1].get_pron().to_pure_string();
        if numeral && starts_voiceless(&next) && !is_numeral(njd, i + 1) {
            let accent = njd.nodes[i].get_pron().accent();
            set_reading(njd, i, "ジュッ", accent);
        }
    }
}

/// 一 on its own before a one-kanji Sino-Japanese suffix is イッ, as it is in the dictionary's
/// one-word forms: 一審 イッシン, 一国 イッコク, 一書 イッショ, 1死 イッシ; an h becomes p after it
/// (第1譜 ダイイップ). Longer words (一単位, 一企業) and native nouns (一皮, 一冬) keep イチ, as do
/// 中 and 小 (1中 is a school or a figure). Ported from pyopenjtalk-plus's digit rules
/// (`njd_set_digit.c`, `geminate_one_before_kango`; Modified BSD), with its list of longer
/// words that take イッ too.
pub(super) fn one_before_kango(njd: &mut NJD) {
    const WORDS: [&str; 12] = [
        "譜", "党", "佐", "体性", "生涯", "戸建", "回転", "小節", "食分", "車線", "科目", "課長",
    ];
    for i in 0..njd.nodes.len().saturating_sub(1) {
        let one = &njd.nodes[i];
        if one.get_string() != "一"
            || !is_numeral(njd, i)
            || one.get_pron().to_pure_string() != "イチ"
        {
            continue;
        }
        // Not the last digit of a number (二十一), a decimal (0.1) or a figure's number (2-1).
        let in_number = i.checked_sub(1).is_some_and(|p| {
            is_numeral(njd, p)
                || matches!(
                    njd.nodes[p].get_string(),
                    "." | "．" | "-" | "－" | "‐" | "−"
                )
        });
        let next = &njd.nodes[i + 1];
        let word = next.get_string();
        let suffix = word.chars().count() == 1
            && matches!(next.get_pos(), POS::Meishi(Meishi::Setsubi(s)) if *s != Setsubi::Josuushi)
            && !matches!(word, "中" | "小");
        if in_number || !(suffix || WORDS.contains(&word)) {
            continue;
        }
        let pron = next.get_pron().to_pure_string();
        let (accent_one, accent_next) = (one.get_pron().accent(), next.get_pron().accent());
        let Some(first) = pron.chars().next() else {
            continue;
        };
        if let Some(&(_, p)) = H_AND_P.iter().find(|(h, _)| *h == first) {
            let voiced: String = std::iter::once(p).chain(pron.chars().skip(1)).collect();
            set_reading(njd, i + 1, &voiced, accent_next);
        } else if !"カキクケコサシスセソタチツテト".contains(first) {
            continue;
        }
        set_reading(njd, i, "イッ", accent_one);
    }
}

/// A numeral the digit rules shortened to its sokuon form (イッ, ハッ, ロッ, ジュッ, ヒャッ) for
/// a counter they expected to start with k, s, t or p takes its full form again where the word
/// after it was read otherwise: 十一棟 read ムネ is ジューイチムネ, not ジューイッムネ, which no
/// one can say.
pub(super) fn full_numeral_before_voiced(njd: &mut NJD) {
    for i in 0..njd.nodes.len() {
        if !is_numeral(njd, i) {
            continue;
        }
        let full = match njd.nodes[i].get_pron().to_pure_string().as_str() {
            "イッ" => ("イチ", 2),
            "ハッ" => ("ハチ", 2),
            "ロッ" => ("ロク", 2),
            "ジュッ" => ("ジュー", 1),
            "ヒャッ" => ("ヒャク", 2),
            _ => continue,
        };
        let next = njd.nodes.get(i + 1).map(|n| n.get_pron().to_pure_string());
        if !next.is_some_and(|p| starts_voiceless(&p)) {
            set_reading(njd, i, full.0, full.1);
        }
    }
}

/// A dictionary word that starts with 千 (千円 センエン) after 三 is voiced, as 三千 is
/// (サンゼン): 三千円 サンゼンエン. The digit rules voice 千 only when it stands alone.
pub(super) fn sanzen(njd: &mut NJD) {
    for i in 1..njd.nodes.len() {
        let after_san = is_numeral(njd, i - 1)
            && njd.nodes[i - 1].get_string() == "三"
            && njd.nodes[i - 1].get_pron().to_pure_string() == "サン";
        let node = &njd.nodes[i];
        let pure = node.get_pron().to_pure_string();
        if after_san && node.get_string().starts_with('千') && !is_numeral(njd, i) {
            if let Some(rest) = pure.strip_prefix("セン") {
                let accent = node.get_pron().accent();
                set_reading(njd, i, &format!("ゼン{rest}"), accent);
            }
        }
    }
}

/// The ordinals 三つ目 and 四つ目 are ミッツメ and ヨッツメ, as 三つ and 四つ are ミッツ and
/// ヨッツ; naist-jdic has them as ミツメ and ヨツメ (three-eyed, four-eyed).
pub(super) fn tsu_me_ordinals(njd: &mut NJD) {
    for i in 0..njd.nodes.len() {
        let ordinal = match (
            njd.nodes[i].get_string(),
            njd.nodes[i].get_pron().to_pure_string().as_str(),
        ) {
            ("三つ目", "ミツメ") => "ミッツメ",
            ("四つ目", "ヨツメ") => "ヨッツメ",
            _ => continue,
        };
        set_reading(njd, i, ordinal, 0);
    }
}

/// A digit before 角形 makes the geometric 角形 カッケー (3角形 サンカッケー, as 三角形 is one
/// dictionary word); naist-jdic's 角形 alone is カクガタ (square-shaped).
pub(super) fn kakkei_after_digits(njd: &mut NJD) {
    for i in 1..njd.nodes.len() {
        let shape = njd.nodes[i].get_string() == "角形"
            && njd.nodes[i].get_pron().to_pure_string() == "カクガタ";
        if shape && is_numeral(njd, i - 1) {
            set_reading(njd, i, "カッケー", 0);
        }
    }
}

/// The days of the week listed by their first kanji (土、日、月の午前, 月・水・金) are their
/// on-readings ド, ニチ, ゲツ, スイ, モク, キン, カ; alone each kanji is a noun (月 ツキ, 日 ヒ).
/// A list is a run of such kanji joined by 、 or ・; a run of only 月 and 日 is a date's parts
/// (年・月・日 ネン・ツキ・ヒ), not days, unless it is three long.
pub(super) fn weekday_lists(njd: &mut NJD) {
    fn day(word: &str) -> Option<&'static str> {
        Some(match word {
            "月" => "ゲツ",
            "火" => "カ",
            "水" => "スイ",
            "木" => "モク",
            "金" => "キン",
            "土" => "ド",
            "日" => "ニチ",
            _ => return None,
        })
    }
    let is_day = |k: usize| day(njd.nodes[k].get_string()).is_some();
    let is_separator = |k: usize| matches!(njd.nodes[k].get_string(), "、" | "・" | "，");
    let mut runs: Vec<Vec<usize>> = Vec::new();
    let mut i = 0;
    while i < njd.nodes.len() {
        if !is_day(i) {
            i += 1;
            continue;
        }
        let mut run = vec![i];
        while i + 2 < njd.nodes.len() && is_separator(i + 1) && is_day(i + 2) {
            i += 2;
            run.push(i);
        }
        runs.push(run);
        i += 1;
    }
    for run in runs {
        let beyond_dates = run
            .iter()
            .any(|&k| !matches!(njd.nodes[k].get_string(), "月" | "日"));
        if run.len() < 2 || (run.len() < 3 && !beyond_dates) {
            continue;
        }
        for k in run {
            if let Some(reading) = day(njd.nodes[k].get_string()) {
                set_reading(njd, k, reading, 1);
            }
        }
    }
}

/// A kanji counter starts with p only after a sokuon or ン (一杯 イッパイ, 三分 サンプン); after
/// a numeral ending in a vowel it keeps its h (一柱 ヒトハシラ, where the digit rules gave
/// ヒトパシラ). Loanwords keep their p (１ポンド, ５パーセント).
pub(super) fn no_p_after_a_vowel(njd: &mut NJD) {
    for i in 1..njd.nodes.len() {
        if !is_numeral(njd, i - 1) {
            continue;
        }
        let numeral = njd.nodes[i - 1].get_pron().to_pure_string();
        let after_vowel = !numeral.ends_with(['ッ', 'ン']);
        let kanji = njd.nodes[i]
            .get_string()
            .chars()
            .next()
            .is_some_and(is_kanji);
        if !after_vowel || !kanji || is_numeral(njd, i) {
            continue;
        }
        let pure = njd.nodes[i].get_pron().to_pure_string();
        let mut chars = pure.chars();
        let Some(first) = chars.next() else { continue };
        if let Some(&(h, _)) = H_AND_P.iter().find(|(_, p)| *p == first) {
            let accent = njd.nodes[i].get_pron().accent();
            set_reading(njd, i, &format!("{h}{}", chars.as_str()), accent);
        }
    }
}

/// 三世 after a katakana name is the regnal "the Third" サンセー (ナポレオン三世), not the
/// Buddhist three worlds サンゼ naist-jdic has.
pub(super) fn regnal_sansei(njd: &mut NJD) {
    for i in 1..njd.nodes.len() {
        if njd.nodes[i].get_string() != "三世" {
            continue;
        }
        let after_name = is_katakana_word(njd.nodes[i - 1].get_string());
        if after_name && njd.nodes[i].get_pron().to_pure_string() == "サンゼ" {
            set_reading(njd, i, "サンセー", 1);
        }
    }
}

/// 床 counting beds after a number or 満 is ショー (６１床, 満床 マンショー), not ユカ "floor".
pub(super) fn beds(njd: &mut NJD) {
    for i in 1..njd.nodes.len() {
        let counted = is_numeral(njd, i - 1) || njd.nodes[i - 1].get_string() == "満";
        let node = &njd.nodes[i];
        if counted && node.get_string() == "床" && node.get_pron().to_pure_string() == "ユカ" {
            set_reading(njd, i, "ショー", 0);
        }
    }
}
