//! `yomiage accent --explain`: each word's reading, where it came from, naist-jdic's other
//! readings of its spelling, and the `yomiage dict add` command that reads it another way.

use serde::Serialize;
use yomiage_frontend::{
    Candidate, ReadingSource, WordReading, WordType, DEFAULT_PRIORITY, MAX_PRIORITY,
};

use crate::commands::width;

/// A word as `--explain` prints it (JSON: the frontend's fields and `fixes`).
#[derive(Serialize)]
pub struct Explained<'a> {
    #[serde(flatten)]
    word: &'a WordReading,
    /// `yomiage dict add` commands, one per other reading naist-jdic has for the spelling;
    /// for a content word with none, one with its present reading to edit.
    fixes: Vec<String>,
}

/// At most this many fixes per word (the cheapest other readings).
const MAX_FIXES: usize = 3;

pub fn explain(words: &[WordReading]) -> Vec<Explained<'_>> {
    words
        .iter()
        .map(|word| Explained {
            word,
            fixes: fixes(word),
        })
        .collect()
}

fn fixes(w: &WordReading) -> Vec<String> {
    let function_word = matches!(
        w.pos.split(',').next(),
        Some("助詞" | "助動詞" | "記号" | "フィラー")
    );
    if w.source == ReadingSource::UserDictionary || function_word {
        return Vec::new();
    }
    // The cost the user's word must beat: the chosen entry's (the cheapest if the reading
    // came from a rule).
    let chosen = chosen(w)
        .or_else(|| w.candidates.iter().min_by_key(|c| c.cost))
        .map(|c| c.cost);
    let mut out: Vec<String> = Vec::new();
    let mut seen = vec![w.reading.as_str()];
    for c in &w.candidates {
        if out.len() == MAX_FIXES || seen.contains(&c.reading.as_str()) {
            continue;
        }
        seen.push(&c.reading);
        out.push(dict_add(&w.surface, &c.reading, c.accent, &c.pos, chosen));
    }
    if out.is_empty() && is_noun(&w.pos) && !w.reading.is_empty() {
        out.push(dict_add(&w.surface, &w.reading, w.accent, &w.pos, chosen));
    }
    out
}

/// How much cheaper than the entry it replaces a user's word must be to win in context (the
/// connection costs differ by part of speech): 方 ホー (7730) → カタ needs common-noun
/// priority 6 (4321); priority 5 (5746) loses, 9 (49) also splits 方法.
const COST_MARGIN: i16 = 2500;

/// The command that adds `surface` read `reading`: the word type follows the entry's part of
/// speech (nouns as common nouns: a suffix-typed word does not win where the lattice chose a
/// noun), and the lowest priority whose cost beats the chosen entry's by [`COST_MARGIN`], so
/// the word wins where it stands without splitting longer words that contain it.
fn dict_add(surface: &str, reading: &str, accent: usize, pos: &str, beat: Option<i16>) -> String {
    let moras = reading
        .chars()
        .filter(|c| {
            !matches!(
                c,
                'ャ' | 'ュ' | 'ョ' | 'ァ' | 'ィ' | 'ゥ' | 'ェ' | 'ォ' | 'ヮ'
            )
        })
        .count();
    let word_type = match pos.split(',').take(2).collect::<Vec<_>>()[..] {
        ["名詞", "固有名詞"] => WordType::ProperNoun,
        ["動詞", _] => WordType::Verb,
        ["形容詞", _] => WordType::Adjective,
        _ => WordType::CommonNoun,
    };
    let priority = beat.map_or(DEFAULT_PRIORITY, |cost| {
        (DEFAULT_PRIORITY..=MAX_PRIORITY)
            .find(|&p| word_type.cost(p) < cost.saturating_sub(COST_MARGIN))
            .unwrap_or(MAX_PRIORITY)
    });
    let word_type = match word_type {
        WordType::ProperNoun => "proper-noun",
        WordType::Verb => "verb",
        WordType::Adjective => "adjective",
        _ => "common-noun",
    };
    format!(
        "yomiage dict add {surface} {reading} --accent {} --word-type {word_type} --priority {priority}",
        accent.min(moras)
    )
}

/// A noun that is not a number, suffix or dependent noun: where a missing reading is worth
/// adding as a word.
fn is_noun(pos: &str) -> bool {
    let mut it = pos.split(',');
    let (p0, p1) = (it.next().unwrap_or(""), it.next().unwrap_or(""));
    p0 == "名詞" && !matches!(p1, "数" | "非自立" | "接尾" | "代名詞")
}

/// Human lines: a line per word (surface, reading/accent, source), then its candidates and
/// fixes indented below it.
pub fn human(words: &[Explained]) -> String {
    let surf_w = words
        .iter()
        .map(|e| width(&e.word.surface))
        .max()
        .unwrap_or(0);
    let read_w = words
        .iter()
        .map(|e| width(&reading(e.word)))
        .max()
        .unwrap_or(0);
    let mut out = String::from("words (reading/accent, why):\n");
    for e in words {
        let w = e.word;
        let r = reading(w);
        out.push_str(&format!(
            "  {}{}  {}{}  {}\n",
            w.surface,
            " ".repeat(surf_w - width(&w.surface)),
            r,
            " ".repeat(read_w - width(&r)),
            w.source
        ));
        let indent = " ".repeat(surf_w + 4);
        let others = w.candidates.iter().any(|c| c.reading != w.reading);
        if others {
            let chosen = chosen(w);
            let list: Vec<String> = w
                .candidates
                .iter()
                .map(|c| {
                    let chosen = if chosen.is_some_and(|k| std::ptr::eq(k, c)) {
                        " (chosen)"
                    } else {
                        ""
                    };
                    format!("{}/{} {}{chosen}", c.reading, c.accent, short_pos(&c.pos))
                })
                .collect();
            out.push_str(&format!("{indent}candidates: {}\n", list.join(" · ")));
        }
        for fix in &e.fixes {
            out.push_str(&format!("{indent}fix: {fix}\n"));
        }
    }
    out
}

/// The candidate the word's reading is: the same reading and accent, else the same reading
/// (a rule may have moved the accent).
fn chosen(w: &WordReading) -> Option<&Candidate> {
    w.candidates
        .iter()
        .find(|c| c.reading == w.reading && c.accent == w.accent)
        .or_else(|| w.candidates.iter().find(|c| c.reading == w.reading))
}

fn reading(w: &WordReading) -> String {
    format!("{}/{}", w.reading, w.accent)
}

/// 品詞 and 細分類1 (名詞,接尾), without naist-jdic's `*` fillers.
fn short_pos(pos: &str) -> String {
    pos.split(',')
        .take(2)
        .filter(|p| *p != "*")
        .collect::<Vec<_>>()
        .join(",")
}
