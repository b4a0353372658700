//! Kanji the dictionary has no word for, read by their on-reading instead of dropped.
//!
//! jpreprocess gives a kanji outside naist-jdic (龘, 𠮷) no pronunciation, and OpenJTalk's
//! pronunciation step then removes it: the word went unsaid. Here each such kanji is read by
//! its Japanese on-reading from Unihan (`kJapanese`), as pyopenjtalk-plus does; the table is
//! the one pyopenjtalk-plus generates into its wheel, converted by `yomiage setup` into
//! [`TABLE_FILE`] beside the built dictionary and loaded on first need.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use jpreprocess::NJD;
use jpreprocess_core::pos::{Meishi, POS};
use jpreprocess_core::pronunciation::Pronunciation;

use crate::script::{is_kanji, is_katakana, to_katakana};

/// The table's file in the dictionary directory: one `kanji<TAB>reading` line per kanji.
pub const TABLE_FILE: &str = "kanji-readings.tsv";

#[derive(Debug, thiserror::Error)]
#[error("line {line} of the Unihan readings map is not `\"kanji\": \"reading\",`: {text}")]
pub struct KanjiTableError {
    line: usize,
    text: String,
}

/// Kanji → on-reading (katakana, long vowels spelled as in the source: キュウ).
#[derive(Debug, Default)]
pub(crate) struct KanjiReadings(HashMap<char, Box<str>>);

/// The table of a dictionary directory, read the first time a sentence needs it (most never
/// do, and start-up stays as fast as before).
#[derive(Debug)]
pub(crate) struct KanjiTable {
    dir: PathBuf,
    table: OnceLock<KanjiReadings>,
}

impl KanjiTable {
    pub(crate) fn new(dir: &Path) -> KanjiTable {
        KanjiTable {
            dir: dir.to_path_buf(),
            table: OnceLock::new(),
        }
    }

    fn get(&self) -> &KanjiReadings {
        self.table.get_or_init(|| KanjiReadings::load(&self.dir))
    }
}

impl KanjiReadings {
    /// The table in `dir`; an absent or unreadable file gives an empty table (a dictionary
    /// built without it, as in tests, reads unknown kanji as before: not at all).
    pub(crate) fn load(dir: &Path) -> KanjiReadings {
        let path = dir.join(TABLE_FILE);
        let Ok(text) = std::fs::read_to_string(&path) else {
            tracing::debug!(path = %path.display(), "no kanji reading table");
            return KanjiReadings::default();
        };
        KanjiReadings::parse(&text)
    }

    fn parse(text: &str) -> KanjiReadings {
        let map = text
            .lines()
            .filter_map(|l| {
                let (k, r) = l.split_once('\t')?;
                let mut chars = k.chars();
                let (Some(c), None) = (chars.next(), chars.next()) else {
                    return None;
                };
                (!r.is_empty() && r.chars().all(is_katakana)).then(|| (c, r.into()))
            })
            .collect();
        KanjiReadings(map)
    }

    /// The pronunciation of `surface` read kanji by kanji (kana kept as they are), or `None`
    /// when a character has no reading here.
    fn pronounce(&self, surface: &str) -> Option<String> {
        let mut reading = String::new();
        for c in surface.chars() {
            if let Some(r) = self.0.get(&c) {
                reading.push_str(r);
            } else if is_katakana(c) {
                reading.push(c);
            } else {
                reading.push(to_katakana(c)?);
            }
        }
        Some(long_vowels(&reading))
    }
}

/// `pyopenjtalk/_unihan_readings_map.py` (lines `    "㐀": "キュウ",` between a header and
/// the closing brace) as [`TABLE_FILE`]'s text; also returns the number of kanji.
pub fn convert_unihan_map(source: &str) -> Result<(String, usize), KanjiTableError> {
    let mut out = String::with_capacity(source.len() / 2);
    let mut n = 0;
    let body = source
        .lines()
        .enumerate()
        .skip_while(|(_, l)| !l.trim_end().ends_with('{'))
        .skip(1)
        .take_while(|(_, l)| l.trim() != "}");
    for (i, line) in body {
        let bad = || KanjiTableError {
            line: i + 1,
            text: line.chars().take(60).collect(),
        };
        let entry = line
            .trim()
            .strip_suffix(',')
            .and_then(|l| l.split_once(": "))
            .and_then(|(k, r)| {
                Some((
                    k.strip_prefix('"')?.strip_suffix('"')?,
                    r.strip_prefix('"')?.strip_suffix('"')?,
                ))
            })
            .filter(|(k, r)| k.chars().count() == 1 && !r.is_empty() && r.chars().all(is_katakana))
            .ok_or_else(bad)?;
        out.push_str(entry.0);
        out.push('\t');
        out.push_str(entry.1);
        out.push('\n');
        n += 1;
    }
    Ok((out, n))
}

/// Reads every word that has no pronunciation but kanji the table knows, before OpenJTalk's
/// pronunciation step would drop it: a flat common noun with the kanji's on-readings. Returns
/// (surface, pronunciation) of each word read so.
pub(crate) fn read_unknown_kanji(njd: &mut NJD, table: &KanjiTable) -> Vec<(String, String)> {
    let unread = |n: &jpreprocess_njd::NJDNode| {
        n.get_pron().mora_size() == 0 && n.get_string().chars().any(is_kanji)
    };
    if !njd.nodes.iter().any(unread) {
        return Vec::new();
    }
    let table = table.get();
    let mut read = Vec::new();
    for node in njd.nodes.iter_mut().filter(|n| unread(n)) {
        let Some(pron) = table.pronounce(node.get_string()) else {
            continue;
        };
        let Ok(parsed) = Pronunciation::parse(&pron, 0) else {
            continue;
        };
        if parsed.mora_size() == 0 {
            continue;
        }
        node.set_read(&pron);
        node.set_pron(parsed);
        *node.get_pos_mut() = POS::Meishi(Meishi::General);
        read.push((node.get_string().to_owned(), pron));
    }
    read
}

/// OpenJTalk writes a long vowel as ー: オウ/オオ/ウウ/エイ after a mora of that vowel (キュウ
/// → キュー, テイ → テー), as pyopenjtalk-plus converts Unihan's readings.
fn long_vowels(reading: &str) -> String {
    let mut out = String::with_capacity(reading.len());
    let mut vowel: Option<char> = None;
    for c in reading.chars() {
        let lengthens = matches!(
            (vowel, c),
            (Some('o'), 'ウ' | 'オ') | (Some('u'), 'ウ') | (Some('e'), 'イ')
        );
        if lengthens {
            out.push('ー');
            vowel = None;
            continue;
        }
        out.push(c);
        if c != 'ー' {
            vowel = vowel_of(c);
        }
    }
    out
}

/// The vowel a katakana ends in (small kana give their own: キュ ends in u).
fn vowel_of(c: char) -> Option<char> {
    const ROWS: [(&str, char); 5] = [
        ("アカサタナハマヤラワガザダバパャァ", 'a'),
        ("イキシチニヒミリヰギジヂビピィ", 'i'),
        ("ウクスツヌフムユルグズヅブプヴュゥ", 'u'),
        ("エケセテネヘメレヱゲゼデベペェ", 'e'),
        ("オコソトノホモヨロヲゴゾドボポョォ", 'o'),
    ];
    ROWS.iter()
        .find(|(row, _)| row.contains(c))
        .map(|&(_, v)| v)
}

#[cfg(test)]
#[path = "kanji_tests.rs"]
mod tests;
