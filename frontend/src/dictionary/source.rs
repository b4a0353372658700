//! The naist-jdic source as the builder reads it, with the rows jpreprocess would refuse or
//! mend made plain.
//!
//! A few naist-jdic rows are malformed in ways jpreprocess mends while printing a warning per
//! entry straight to standard error: chain rules it cannot parse (`-1`, `動詞F4@0`,
//! `特殊助動詞%F2@0`; 33 of OpenJTalk's rows, 71 of pyopenjtalk-plus's), which it skips, and
//! the conjugation type misspelt `カ往促音便`, which it reads as `カ行促音便`. Here the same rows
//! are found first (by the grammar jpreprocess parses them with) and mended the same way in a
//! staged copy of the source, so the built dictionary is the same and the build reports them
//! once, as counts. pyopenjtalk-plus also joins small kana into moras jpreprocess does not have
//! (クォ, 266 rows), which its builder refuses outright: those are written full-size.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

/// jpreprocess-core 0.15's chain rule grammar (`accent_rule.rs`): `[POS%][TYPE][@ADD]`.
static CHAIN_RULE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        "^((?P<pos>名詞|形容詞|助詞|特殊助動詞|動詞)%)?(?P<accent>[FC][1-5]|P1|P2|P6|P14)?(@(?P<add>[-0-9]+))?$",
    )
    .expect("static pattern")
});

/// The columns of the conjugation type, reading, pronunciation, accent/mora count and chain
/// rule in a naist-jdic row.
const CTYPE_COLUMN: usize = 8;
const READ_COLUMN: usize = 11;
const PRON_COLUMN: usize = 12;
const ACCENT_COLUMN: usize = 13;
const CHAIN_RULE_COLUMN: usize = 14;

/// Small kana and their full-size forms.
const SMALL_KANA: [(char, char); 9] = [
    ('ァ', 'ア'),
    ('ィ', 'イ'),
    ('ゥ', 'ウ'),
    ('ェ', 'エ'),
    ('ォ', 'オ'),
    ('ャ', 'ヤ'),
    ('ュ', 'ユ'),
    ('ョ', 'ヨ'),
    ('ヮ', 'ワ'),
];

/// naist-jdic's misspelt conjugation type, and what jpreprocess reads it as (`ctype/five.rs`).
const CTYPE_TYPO: (&str, &str) = ("五段・カ往促音便", "五段・カ行促音便");

/// What staging found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Staged {
    /// Word rows in the `*.csv` files.
    pub(super) entries: usize,
    /// Rows whose chain rule had a part jpreprocess would skip.
    pub(super) rules_skipped: usize,
    /// Rows with the misspelt conjugation type.
    pub(super) ctypes_fixed: usize,
    /// Rows whose pronunciation joins a small kana into a mora jpreprocess does not have
    /// (クォ, グゥ, アクィ…: pyopenjtalk-plus writes them so), written full-size instead.
    pub(super) prons_split: usize,
}

/// An I/O failure and the file it happened on.
pub(super) type StageError = (PathBuf, io::Error);

/// Fills `staging` with the files of `source`: each `*.csv` with its malformed chain rules
/// left out, everything else linked (or copied where links are not possible).
pub(super) fn stage(source: &Path, staging: &Path) -> Result<Staged, StageError> {
    fs::create_dir_all(staging).map_err(at(staging))?;
    let mut staged = Staged::default();
    for entry in fs::read_dir(source).map_err(at(source))? {
        let path = entry.map_err(at(source))?.path();
        if !path.is_file() {
            continue;
        }
        let Some(name) = path.file_name() else {
            continue;
        };
        let target = staging.join(name);
        if path.extension().is_some_and(|x| x == "csv") {
            let bytes = fs::read(&path).map_err(at(&path))?;
            let (text, found) = match std::str::from_utf8(&bytes) {
                Ok(text) => mend_rows(text),
                // Not text the builder reads either: passed on as it is.
                Err(_) => (None, Staged::default()),
            };
            staged.entries += found.entries;
            staged.rules_skipped += found.rules_skipped;
            staged.ctypes_fixed += found.ctypes_fixed;
            staged.prons_split += found.prons_split;
            match text {
                Some(text) => fs::write(&target, text).map_err(at(&target))?,
                None => link_or_copy(&path, &target).map_err(at(&target))?,
            }
        } else {
            link_or_copy(&path, &target).map_err(at(&target))?;
        }
    }
    Ok(staged)
}

/// Names the file an I/O error happened on.
fn at(path: &Path) -> impl FnOnce(io::Error) -> StageError + '_ {
    move |e| (path.to_path_buf(), e)
}

fn link_or_copy(from: &Path, to: &Path) -> io::Result<()> {
    fs::hard_link(from, to).or_else(|_| fs::copy(from, to).map(|_| ()))
}

/// Counts the rows of one CSV file and mends the malformed rows; `None`
/// when no row needed it. Every other byte stays as it was.
fn mend_rows(text: &str) -> (Option<String>, Staged) {
    let mut found = Staged::default();
    let mut out: Option<String> = None;
    let mut done = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        if line.trim_end().is_empty() {
            continue;
        }
        found.entries += 1;
        let Some((fixed, mended)) = fix_row(line) else {
            continue;
        };
        found.rules_skipped += usize::from(mended.rule);
        found.ctypes_fixed += usize::from(mended.ctype);
        found.prons_split += usize::from(mended.pron);
        let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
        buf.push_str(&text[done..start]);
        buf.push_str(&fixed);
        done = at;
    }
    if let Some(buf) = &mut out {
        buf.push_str(&text[done..]);
    }
    (out, found)
}

/// What [`fix_row`] mended in a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Mended {
    rule: bool,
    ctype: bool,
    pron: bool,
}

/// The row mended as jpreprocess would read it (its chain rule's malformed parts left out,
/// the conjugation type's spelling fixed), if it needs it. Quoted rows (a comma inside a
/// field) are left to the builder: none is malformed.
fn fix_row(line: &str) -> Option<(String, Mended)> {
    if line.contains('"') {
        return None;
    }
    let body = line.trim_end_matches(['\n', '\r']);
    let mut fields: Vec<&str> = body.split(',').collect();
    let kept = fields.get(CHAIN_RULE_COLUMN).and_then(|r| kept_rules(r));
    let split = split_pron(&fields);
    let mended = Mended {
        rule: kept.is_some(),
        ctype: fields.get(CTYPE_COLUMN) == Some(&CTYPE_TYPO.0),
        pron: split.is_some(),
    };
    if !mended.rule && !mended.ctype && !mended.pron {
        return None;
    }
    if let Some([read, pron, accent]) = &split {
        fields[READ_COLUMN] = read;
        fields[PRON_COLUMN] = pron;
        fields[ACCENT_COLUMN] = accent;
    }
    if let Some(kept) = &kept {
        fields[CHAIN_RULE_COLUMN] = kept;
    }
    if mended.ctype {
        fields[CTYPE_COLUMN] = CTYPE_TYPO.1;
    }
    Some((
        format!("{}{}", fields.join(","), &line[body.len()..]),
        mended,
    ))
}

/// The reading, pronunciation and `accent/moras` of a row whose pronunciation has a small kana
/// that jpreprocess cannot join to the kana before it, so its mora count disagrees with the
/// row's (the builder refuses such a row): each such small kana written full-size, as
/// naist-jdic itself writes them (イクォール 2/4 → イクオール 3/5). The accent moves one mora
/// later for each split at or before the fall.
fn split_pron(fields: &[&str]) -> Option<[String; 3]> {
    let pron = *fields.get(PRON_COLUMN)?;
    if !pron
        .chars()
        .any(|c| SMALL_KANA.iter().any(|&(s, _)| s == c))
    {
        return None;
    }
    let (accent, moras) = fields.get(ACCENT_COLUMN)?.split_once('/')?;
    let (accent, moras): (usize, usize) = (accent.parse().ok()?, moras.parse().ok()?);
    if jpreprocess_moras(pron)? == moras {
        return None;
    }
    let (out, split_at) = split_small_kana(pron)?;
    let moras_out = jpreprocess_moras(&out)?;
    if split_at.is_empty() || moras_out != moras + split_at.len() {
        return None;
    }
    let later = split_at
        .iter()
        .filter(|&&at| accent > 0 && at <= accent)
        .count();
    let read = fields
        .get(READ_COLUMN)
        .and_then(|r| split_small_kana(r))
        .map_or_else(
            || fields.get(READ_COLUMN).unwrap_or(&"*").to_string(),
            |r| r.0,
        );
    Some([read, out, format!("{}/{moras_out}", accent + later)])
}

/// `kana` with each small kana that jpreprocess cannot join to the kana before it written
/// full-size, and the place (1-based, in the joined count) of each mora so split.
fn split_small_kana(kana: &str) -> Option<(String, Vec<usize>)> {
    let (mut out, mut split_at) = (String::with_capacity(kana.len()), Vec::new());
    let mut prev: Option<char> = None;
    for c in kana.chars() {
        let full = SMALL_KANA.iter().find(|&&(s, _)| s == c).map(|&(_, f)| f);
        match (full, prev) {
            (Some(full), Some(p)) if jpreprocess_moras(&format!("{p}{c}")) != Some(1) => {
                out.push(full);
                split_at.push(jpreprocess_moras(&out)? - split_at.len() - 1);
            }
            _ => out.push(c),
        }
        prev = Some(c);
    }
    Some((out, split_at))
}

/// The number of moras jpreprocess reads in a pronunciation (`None`: one it cannot read).
fn jpreprocess_moras(pron: &str) -> Option<usize> {
    jpreprocess_core::pronunciation::Pronunciation::parse(pron, 0)
        .ok()
        .map(|p| p.mora_size())
}

/// `rule` without the parts jpreprocess cannot parse, written so that it parses to the same
/// rules; `None` when every part parses.
fn kept_rules(rule: &str) -> Option<String> {
    // jpreprocess reads these as "no rule" without parsing them.
    if rule.is_empty() || rule == "*" {
        return None;
    }
    let parts: Vec<&str> = rule.split('/').collect();
    let kept: Vec<&str> = parts.iter().copied().filter(|p| parses(p)).collect();
    if kept.len() == parts.len() {
        return None;
    }
    Some(match kept.join("/") {
        // Nothing left: no rule, as when every part is skipped.
        _ if kept.is_empty() => "*".to_owned(),
        // Only empty parts, which do parse (as a default rule): an empty field would not.
        joined if joined.is_empty() => "/".to_owned(),
        joined => joined,
    })
}

/// Whether jpreprocess parses one `/`-separated part: its grammar, and a part of speech it
/// has a slot for (特殊助動詞 matches the grammar but has none).
fn parses(part: &str) -> bool {
    CHAIN_RULE
        .captures(part)
        .is_some_and(|c| c.name("pos").is_none_or(|p| p.as_str() != "特殊助動詞"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_parts_are_left_out_and_good_rules_kept() {
        assert_eq!(kept_rules("C1"), None);
        assert_eq!(kept_rules("名詞%F2@1/動詞%F1"), None);
        assert_eq!(kept_rules("*"), None);
        assert_eq!(kept_rules("-1").as_deref(), Some("*"));
        assert_eq!(kept_rules("動詞F4@0").as_deref(), Some("*"));
        assert_eq!(
            kept_rules("動詞%F1/特殊助動詞%F2@0").as_deref(),
            Some("動詞%F1")
        );
        assert_eq!(
            kept_rules("名詞%F2@1/形容詞%F2@-1動詞%F2@0").as_deref(),
            Some("名詞%F2@1")
        );
    }

    #[test]
    fn only_rows_with_malformed_rules_change() {
        let good = "本,1,1,1,名詞,一般,*,*,*,*,本,ホン,ホン,1/2,C1,\n";
        let bad = "さん,1,1,1,名詞,接尾,人名,*,*,*,さん,サン,サン,0/2,-1,\r\n";
        let typo = "往く,1,1,1,動詞,自立,*,*,五段・カ往促音便,基本形,往く,イク,イク,0/2,*\n";
        let text = format!("{good}{bad}{good}{typo}");
        let (out, found) = mend_rows(&text);
        assert_eq!(
            found,
            Staged {
                entries: 4,
                rules_skipped: 1,
                ctypes_fixed: 1,
                prons_split: 0,
            }
        );
        let want = format!(
            "{good}さん,1,1,1,名詞,接尾,人名,*,*,*,さん,サン,サン,0/2,*,\r\n{good}\
             往く,1,1,1,動詞,自立,*,*,五段・カ行促音便,基本形,往く,イク,イク,0/2,*\n"
        );
        assert_eq!(out.as_deref(), Some(want.as_str()));
        assert_eq!(mend_rows(good).0, None);
    }

    /// pyopenjtalk-plus's rows join small kana jpreprocess has no mora for (クォ, グゥ).
    #[test]
    fn small_kana_without_a_mora_are_written_full_size_and_the_accent_follows() {
        let row = |pron: &str, accent: &str| {
            format!("{pron},1,1,1,名詞,一般,*,*,*,*,{pron},{pron},{pron},{accent},C1,\n")
        };
        let text = [
            row("イクォール", "2/4"),
            row("グゥ", "1/1"),
            row("クォーツ", "0/3"),
            row("キャク", "0/2"),
        ]
        .concat();
        let (out, found) = mend_rows(&text);
        assert_eq!(found.prons_split, 3);
        let out = out.expect("rows mended");
        let lines: Vec<&str> = out.lines().collect();
        // The fall after クォ (mora 2) is now after オ (mora 3); one mora more.
        assert!(
            lines[0].ends_with(",イクォール,イクオール,イクオール,3/5,C1,"),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].ends_with(",グゥ,グウ,グウ,2/2,C1,"),
            "{}",
            lines[1]
        );
        // A flat word stays flat.
        assert!(
            lines[2].ends_with(",クオーツ,クオーツ,0/4,C1,"),
            "{}",
            lines[2]
        );
        // キャ is a mora jpreprocess knows: the row is left as it is.
        assert_eq!(format!("{}\n", lines[3]), row("キャク", "0/2"));
    }
}
