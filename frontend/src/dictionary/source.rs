//! The naist-jdic source as the builder reads it, with malformed accent chain rules taken out.
//!
//! A few naist-jdic rows (33 of OpenJTalk's 790 000) are malformed in ways jpreprocess mends
//! while printing a warning per entry straight to standard error: chain rules it cannot parse
//! (`-1`, `動詞F4@0`, `特殊助動詞%F2@0`), which it skips, and the conjugation type misspelt
//! `カ往促音便`, which it reads as `カ行促音便`. Here the same rows are found first (by the
//! grammar jpreprocess parses them with) and mended the same way in a staged copy of the
//! source, so the built dictionary is the same and the build reports them once, as counts.

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

/// The columns of the conjugation type and the chain rule in a naist-jdic row.
const CTYPE_COLUMN: usize = 8;
const CHAIN_RULE_COLUMN: usize = 14;

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
    let mended = Mended {
        rule: kept.is_some(),
        ctype: fields.get(CTYPE_COLUMN) == Some(&CTYPE_TYPO.0),
    };
    if !mended.rule && !mended.ctype {
        return None;
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
            }
        );
        let want = format!(
            "{good}さん,1,1,1,名詞,接尾,人名,*,*,*,さん,サン,サン,0/2,*,\r\n{good}\
             往く,1,1,1,動詞,自立,*,*,五段・カ行促音便,基本形,往く,イク,イク,0/2,*\n"
        );
        assert_eq!(out.as_deref(), Some(want.as_str()));
        assert_eq!(mend_rows(good).0, None);
    }
}
