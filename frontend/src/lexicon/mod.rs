//! A second lexicon beside naist-jdic: UniDic's readings and accents (from `unidic-lite`),
//! converted once at set-up into a small sorted table and looked up by surface.
//!
//! Only what the reading stage uses is kept: for every surface with a kanji, each distinct
//! (pronunciation, accent type, part of speech) with its lowest word cost. The table is one
//! text file; loading it reads the file and indexes where each surface starts (no per-entry
//! allocation), so a lookup is a binary search.

pub(crate) mod mecab;

use std::path::{Path, PathBuf};

pub use mecab::{split_feature, Entry, SysDic};

/// The table's first line; a different one is an older or foreign file.
const HEADER: &str = "# yomiage lexicon 1: surface, pron, accent, pos, cost";

/// UniDic's feature fields (unidic-lite's `dicrc`).
const F_POS1: usize = 0;
const F_PRON: usize = 9;
const F_ATYPE: usize = 23;

#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("reading {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Format(String),
    #[error(transparent)]
    Write(#[from] yomiage_files::FileError),
}

/// One reading of a surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading<'a> {
    /// Pronunciation in katakana, long vowels as ー (as the accent labels write them).
    pub pron: &'a str,
    /// Accent type (0 flat, n: fall after mora n); UniDic's first when it lists several.
    pub accent: Option<u8>,
    /// UniDic's first part-of-speech level (名詞, 動詞, …).
    pub pos: &'a str,
    /// MeCab word cost: lower is more common.
    pub cost: i16,
}

/// The converted table, in memory.
pub struct Lexicon {
    text: String,
    /// Byte offset of each surface's first line, in surface order.
    starts: Vec<u32>,
}

fn has_kanji(s: &str) -> bool {
    s.chars().any(
        |c| matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '々' | '〆' | 'ヶ'),
    )
}

fn is_katakana(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| matches!(c, 'ァ'..='ヺ' | 'ー'))
}

/// Converts a `sys.dic` (UniDic's fields) into the table's text.
pub fn convert(sys_dic: &[u8]) -> Result<(String, usize), LexiconError> {
    let dic = SysDic::parse(sys_dic)?;
    let mut rows: Vec<(String, String, String, String, i16)> = Vec::new();
    dic.for_each(|e| {
        if !has_kanji(&e.surface) || e.surface.contains(['\t', '\n']) {
            return Ok(());
        }
        let f = split_feature(e.feature);
        let (Some(pos), Some(pron)) = (f.get(F_POS1), f.get(F_PRON)) else {
            return Ok(());
        };
        if !is_katakana(pron) {
            return Ok(());
        }
        let accent = f
            .get(F_ATYPE)
            .and_then(|a| a.split(',').next())
            .filter(|a| a.parse::<u8>().is_ok())
            .unwrap_or("*");
        rows.push((
            e.surface,
            pron.clone(),
            accent.to_owned(),
            pos.clone(),
            e.cost,
        ));
        Ok(())
    })?;
    rows.sort_by(|a, b| (&a.0, a.4, &a.1, &a.2, &a.3).cmp(&(&b.0, b.4, &b.1, &b.2, &b.3)));
    let mut seen = std::collections::HashSet::new();
    let mut text = String::with_capacity(rows.len() * 32);
    text.push_str(HEADER);
    text.push('\n');
    let mut n = 0;
    for (surface, pron, accent, pos, cost) in &rows {
        if seen.insert((surface, pron, accent, pos)) {
            text.push_str(&format!("{surface}\t{pron}\t{accent}\t{pos}\t{cost}\n"));
            n += 1;
        }
    }
    Ok((text, n))
}

/// Reads `sys_dic` and writes the table to `out` (atomically); returns the row count.
pub fn convert_file(sys_dic: &Path, out: &Path) -> Result<usize, LexiconError> {
    let bytes = std::fs::read(sys_dic).map_err(|source| LexiconError::Io {
        path: sys_dic.to_owned(),
        source,
    })?;
    let (text, n) = convert(&bytes)?;
    yomiage_files::write_atomic(out, text.as_bytes())?;
    Ok(n)
}

impl Lexicon {
    /// Reads a table written by [`convert_file`].
    pub fn load(path: &Path) -> Result<Self, LexiconError> {
        let text = std::fs::read_to_string(path).map_err(|source| LexiconError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::from_text(text)
    }

    pub fn from_text(text: String) -> Result<Self, LexiconError> {
        if text.lines().next() != Some(HEADER) {
            return Err(LexiconError::Format(
                "not a yomiage lexicon table (header differs)".to_owned(),
            ));
        }
        if text.len() > u32::MAX as usize {
            return Err(LexiconError::Format("lexicon table too large".to_owned()));
        }
        let mut starts = Vec::new();
        let mut last = "";
        let mut at = HEADER.len() + 1;
        for line in text[at.min(text.len())..].split_inclusive('\n') {
            let surface = line.split('\t').next().unwrap_or("");
            if surface != last {
                if surface < last {
                    return Err(LexiconError::Format(
                        "lexicon table is not sorted".to_owned(),
                    ));
                }
                starts.push(at as u32);
                last = surface;
            }
            at += line.len();
        }
        Ok(Lexicon { text, starts })
    }

    fn surface_at(&self, start: u32) -> &str {
        let rest = &self.text[start as usize..];
        rest.split('\t').next().unwrap_or("")
    }

    /// Number of distinct surfaces.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The readings of `surface`, most common (lowest cost) first; empty if unknown.
    pub fn lookup(&self, surface: &str) -> Vec<Reading<'_>> {
        let Ok(i) = self
            .starts
            .binary_search_by(|&s| self.surface_at(s).cmp(surface))
        else {
            return Vec::new();
        };
        let start = self.starts[i] as usize;
        let end = self
            .starts
            .get(i + 1)
            .map_or(self.text.len(), |&s| s as usize);
        self.text[start..end]
            .lines()
            .filter_map(|line| {
                let mut f = line.split('\t').skip(1);
                let (pron, accent, pos, cost) = (f.next()?, f.next()?, f.next()?, f.next()?);
                Some(Reading {
                    pron,
                    accent: accent.parse().ok(),
                    pos,
                    cost: cost.parse().ok()?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feature(pron: &str, atype: &str) -> String {
        // 26 UniDic fields: pos1, …, pron (9), …, aType (23), …
        let mut f = vec!["*"; 26];
        f[0] = "名詞";
        f[9] = pron;
        f[23] = atype;
        f.join(",")
    }

    #[test]
    fn the_table_keeps_kanji_surfaces_most_common_reading_first() {
        let (kyou, konnichi, kyou2, hou) = (
            feature("キョー", "1"),
            feature("コンニチ", "\"1,0\""),
            feature("キョー", "1"),
            feature("ホー", "*"),
        );
        let words = [
            ("今日", 6022, konnichi.as_str()),
            ("今日", 4115, kyou.as_str()),
            ("今日", 5000, kyou2.as_str()),
            ("きょう", 10, kyou.as_str()),
            ("方", 4699, hou.as_str()),
        ];
        let words: Vec<(&str, i16, &str)> = words.iter().map(|&(s, c, f)| (s, c, f)).collect();
        let (text, rows) = convert(&mecab::build_sys_dic(&words)).unwrap();
        assert_eq!(rows, 3, "{text}");
        let lex = Lexicon::from_text(text).unwrap();
        assert_eq!(lex.len(), 2);
        let r = lex.lookup("今日");
        assert_eq!(
            r.iter()
                .map(|r| (r.pron, r.accent, r.cost))
                .collect::<Vec<_>>(),
            [("キョー", Some(1), 4115), ("コンニチ", Some(1), 6022)]
        );
        assert_eq!(r[0].pos, "名詞");
        assert_eq!(lex.lookup("方")[0].accent, None);
        assert!(lex.lookup("きょう").is_empty());
        assert!(lex.lookup("明日").is_empty());
    }

    #[test]
    fn a_foreign_or_unsorted_table_is_refused() {
        assert!(Lexicon::from_text("surface\tpron\n".to_owned()).is_err());
        let unsorted = format!("{HEADER}\n方\tホー\t1\t名詞\t1\n今日\tキョー\t1\t名詞\t1\n");
        assert!(Lexicon::from_text(unsorted).is_err());
        let empty = Lexicon::from_text(format!("{HEADER}\n")).unwrap();
        assert!(empty.is_empty());
    }
}
