//! Reads a MeCab-compiled system dictionary (`sys.dic`): the header, the double-array trie of
//! surfaces, the token table and the feature strings (MeCab's `dictionary.cpp` and `darts.h`).
//! Read-only and whole-file: it lists every (surface, token) pair once, which is all the
//! lexicon conversion needs; MeCab's lattice, costs between tokens and unknown words are not
//! read (jpreprocess keeps segmenting with naist-jdic).

use super::LexiconError;

const MAGIC: u32 = 0xef71_8f77;
const VERSION: u32 = 102;
const HEADER: usize = 40 + 32;
const TOKEN: usize = 16;
const UNIT: usize = 8;

/// One dictionary entry: its surface, word cost and raw feature string (CSV).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    pub surface: String,
    /// Left and right context ids (rows and columns of the connection matrix).
    pub left_id: u16,
    pub right_id: u16,
    pub cost: i16,
    pub feature: &'a str,
}

/// A `sys.dic` held in memory, checked on open.
#[derive(Debug)]
pub struct SysDic<'a> {
    trie: &'a [u8],
    tokens: &'a [u8],
    features: &'a [u8],
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl<'a> SysDic<'a> {
    /// Checks the header (magic, version, charset, section sizes) against the file's length.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, LexiconError> {
        let broken = |why: &str| LexiconError::Format(format!("sys.dic: {why}"));
        if bytes.len() < HEADER {
            return Err(broken("shorter than its header"));
        }
        if (u32_at(bytes, 0) ^ MAGIC) as usize != bytes.len() {
            return Err(broken(
                "magic number does not match the file size (truncated?)",
            ));
        }
        let version = u32_at(bytes, 4);
        if version != VERSION {
            return Err(broken(&format!("version {version}, expected {VERSION}")));
        }
        let charset = &bytes[40..HEADER];
        let charset = &charset[..charset.iter().position(|&b| b == 0).unwrap_or(32)];
        if !charset.eq_ignore_ascii_case(b"utf8") && !charset.eq_ignore_ascii_case(b"utf-8") {
            return Err(broken(&format!(
                "charset {}, only UTF-8 is read",
                String::from_utf8_lossy(charset)
            )));
        }
        let [dsize, tsize, fsize] = [24, 28, 32].map(|at| u32_at(bytes, at) as usize);
        let end = HEADER + dsize + tsize + fsize;
        if end > bytes.len() || dsize % UNIT != 0 || tsize % TOKEN != 0 {
            return Err(broken("section sizes do not fit the file"));
        }
        Ok(SysDic {
            trie: &bytes[HEADER..HEADER + dsize],
            tokens: &bytes[HEADER + dsize..HEADER + dsize + tsize],
            features: &bytes[HEADER + dsize + tsize..end],
        })
    }

    fn unit(&self, i: usize) -> Option<(i32, u32)> {
        let at = i.checked_mul(UNIT)?;
        let b = self.trie.get(at..at + UNIT)?;
        Some((
            i32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        ))
    }

    /// The trie's value for an exact surface (`token index << 8 | count`), if any.
    fn exact(&self, key: &[u8]) -> Option<u32> {
        let mut b = self.unit(0)?.0;
        for &c in key {
            let p = (b as u32).wrapping_add(c as u32 + 1) as usize;
            let (base, check) = self.unit(p)?;
            if check != b as u32 {
                return None;
            }
            b = base;
        }
        let (n, check) = self.unit(b as u32 as usize)?;
        (check == b as u32 && n < 0).then(|| (-(n as i64) - 1) as u32)
    }

    fn entries_of(&self, surface: &str, value: u32) -> Result<Vec<Entry<'a>>, LexiconError> {
        let first = (value >> 8) as usize;
        let mut out = Vec::new();
        for t in first..first + (value & 0xff) as usize {
            let at = t * TOKEN;
            let tok = self
                .tokens
                .get(at..at + TOKEN)
                .ok_or_else(|| LexiconError::Format(format!("token {t} out of range")))?;
            let left_id = u16::from_le_bytes([tok[0], tok[1]]);
            let right_id = u16::from_le_bytes([tok[2], tok[3]]);
            let cost = i16::from_le_bytes([tok[6], tok[7]]);
            let off = u32_at(tok, 8) as usize;
            let rest = self
                .features
                .get(off..)
                .ok_or_else(|| LexiconError::Format(format!("feature {off} out of range")))?;
            let len = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            let feature = std::str::from_utf8(&rest[..len])
                .map_err(|_| LexiconError::Format(format!("feature {off} is not UTF-8")))?;
            out.push(Entry {
                surface: surface.to_owned(),
                left_id,
                right_id,
                cost,
                feature,
            });
        }
        Ok(out)
    }

    /// The entries of one surface (MeCab's exact-match search).
    pub fn lookup(&self, surface: &str) -> Result<Vec<Entry<'a>>, LexiconError> {
        match self.exact(surface.as_bytes()) {
            Some(v) => self.entries_of(surface, v),
            None => Ok(Vec::new()),
        }
    }

    /// Every entry, surfaces in byte order (a depth-first walk of the trie).
    pub fn for_each(
        &self,
        mut f: impl FnMut(Entry<'a>) -> Result<(), LexiconError>,
    ) -> Result<(), LexiconError> {
        let units = self.trie.len() / UNIT;
        // (node base, key so far); children are tried in byte order, so keys come sorted.
        let mut stack: Vec<(i32, Vec<u8>)> = vec![(self.unit(0).map_or(0, |u| u.0), Vec::new())];
        while let Some((b, key)) = stack.pop() {
            let bu = b as u32 as usize;
            if let Some((n, check)) = self.unit(bu) {
                if check == b as u32 && n < 0 {
                    let surface = String::from_utf8(key.clone())
                        .map_err(|_| LexiconError::Format("a surface is not UTF-8".to_owned()))?;
                    for e in self.entries_of(&surface, (-(n as i64) - 1) as u32)? {
                        f(e)?;
                    }
                }
            }
            for c in (0u8..=255).rev() {
                let p = bu + c as usize + 1;
                if p >= units {
                    continue;
                }
                if let Some((base, check)) = self.unit(p) {
                    if check == b as u32 {
                        let mut k = key.clone();
                        k.push(c);
                        stack.push((base, k));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Splits a MeCab feature string (CSV; a field with a comma is double-quoted).
pub fn split_feature(feature: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = feature.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    out.push(field);
    out
}

/// Writes a MeCab `sys.dic` for tests: the same layout MeCab's compiler emits, with a naive
/// double-array placement (each node's children at the first free base).
#[cfg(test)]
pub(crate) fn build_sys_dic(words: &[(&str, i16, &str)]) -> Vec<u8> {
    let with_ids: Vec<_> = words.iter().map(|&(s, c, f)| (s, 0, 0, c, f)).collect();
    build_sys_dic_with_ids(&with_ids)
}

/// [`build_sys_dic`] with each entry's left and right context ids.
#[cfg(test)]
pub(crate) fn build_sys_dic_with_ids(words: &[(&str, u16, u16, i16, &str)]) -> Vec<u8> {
    use std::collections::BTreeMap;
    // Group tokens by surface (sorted, as MeCab does), then one trie value per surface.
    type Token<'a> = (u16, u16, i16, &'a str);
    let mut by_surface: BTreeMap<&str, Vec<Token>> = BTreeMap::new();
    for &(s, left, right, cost, f) in words {
        by_surface
            .entry(s)
            .or_default()
            .push((left, right, cost, f));
    }
    let (mut tokens, mut features, mut keys) = (Vec::new(), Vec::new(), Vec::new());
    let mut index = 0u32;
    for (surface, toks) in &by_surface {
        keys.push((
            surface.as_bytes().to_vec(),
            (index << 8) | toks.len() as u32,
        ));
        for (left, right, cost, f) in toks {
            tokens.extend_from_slice(&left.to_le_bytes());
            tokens.extend_from_slice(&right.to_le_bytes());
            tokens.extend_from_slice(&[0u8; 2]);
            tokens.extend_from_slice(&cost.to_le_bytes());
            tokens.extend_from_slice(&(features.len() as u32).to_le_bytes());
            tokens.extend_from_slice(&0u32.to_le_bytes());
            features.extend_from_slice(f.as_bytes());
            features.push(0);
            index += 1;
        }
    }
    // Trie nodes: children by code (0 = end of key, byte + 1 otherwise).
    struct Node {
        children: BTreeMap<u32, usize>,
        value: Option<u32>,
    }
    let mut nodes = vec![Node {
        children: BTreeMap::new(),
        value: None,
    }];
    for (key, value) in &keys {
        let mut n = 0;
        for &c in key {
            let next = nodes.len();
            let child = *nodes[n].children.entry(c as u32 + 1).or_insert(next);
            if child == next {
                nodes.push(Node {
                    children: BTreeMap::new(),
                    value: None,
                });
            }
            n = child;
        }
        nodes[n].value = Some(*value);
    }
    let mut units: Vec<(i32, u32)> = vec![(0, u32::MAX); 1 << 16];
    let mut used_base = std::collections::HashSet::new();
    // (node, its position); the root sits at 0.
    let mut queue = std::collections::VecDeque::from([(0usize, 0usize)]);
    while let Some((n, pos)) = queue.pop_front() {
        let mut codes: Vec<u32> = nodes[n].children.keys().copied().collect();
        if nodes[n].value.is_some() {
            codes.insert(0, 0);
        }
        let base = (1..)
            .find(|&b: &usize| {
                !used_base.contains(&b)
                    && codes
                        .iter()
                        .all(|&k| b + k as usize != 0 && units[b + k as usize].1 == u32::MAX)
            })
            .unwrap();
        used_base.insert(base);
        units[pos].0 = base as i32;
        if let Some(v) = nodes[n].value {
            units[base] = (-(v as i32) - 1, base as u32);
        }
        for (&k, &child) in &nodes[n].children {
            let p = base + k as usize;
            units[p] = (0, base as u32);
            queue.push_back((child, p));
        }
    }
    let mut trie = Vec::new();
    for (base, check) in units {
        trie.extend_from_slice(&base.to_le_bytes());
        trie.extend_from_slice(&check.to_le_bytes());
    }
    let size = HEADER + trie.len() + tokens.len() + features.len();
    let mut out = Vec::with_capacity(size);
    for v in [
        size as u32 ^ MAGIC,
        VERSION,
        0,
        index,
        1,
        1,
        trie.len() as u32,
        tokens.len() as u32,
        features.len() as u32,
        0,
    ] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    let mut charset = [0u8; 32];
    charset[..4].copy_from_slice(b"utf8");
    out.extend_from_slice(&charset);
    out.extend(trie);
    out.extend(tokens);
    out.extend(features);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORDS: &[(&str, i16, &str)] = &[
        (
            "今日",
            4115,
            "名詞,普通名詞,副詞可能,*,*,*,キョウ,今日,今日,キョー",
        ),
        (
            "今日",
            6022,
            "名詞,普通名詞,一般,*,*,*,コンニチ,今日,今日,コンニチ",
        ),
        ("今", 3000, "名詞,普通名詞,副詞可能,*,*,*,イマ,今,今,イマ"),
        ("方", 4699, "名詞,普通名詞,一般,*,*,*,ホウ,方,方,ホー"),
        ("a", 10, "記号,\"x,y\",*"),
    ];

    #[test]
    fn exact_lookup_finds_every_token_of_a_surface_and_nothing_else() {
        let bytes = build_sys_dic(WORDS);
        let dic = SysDic::parse(&bytes).unwrap();
        let kyou = dic.lookup("今日").unwrap();
        let prons: Vec<String> = kyou
            .iter()
            .map(|e| split_feature(e.feature)[9].clone())
            .collect();
        assert_eq!(prons, ["キョー", "コンニチ"]);
        assert_eq!(kyou[0].cost, 4115);
        assert_eq!(dic.lookup("今").unwrap().len(), 1);
        assert!(dic.lookup("今日は").unwrap().is_empty());
        assert!(dic.lookup("日").unwrap().is_empty());
        assert!(dic.lookup("").unwrap().is_empty());
    }

    #[test]
    fn the_walk_lists_every_entry_once_in_surface_order() {
        let bytes = build_sys_dic(WORDS);
        let dic = SysDic::parse(&bytes).unwrap();
        let mut seen = Vec::new();
        dic.for_each(|e| {
            seen.push((e.surface, e.cost));
            Ok(())
        })
        .unwrap();
        let mut want: Vec<(String, i16)> =
            WORDS.iter().map(|&(s, c, _)| (s.to_owned(), c)).collect();
        want.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        assert_eq!(seen, want);
    }

    #[test]
    fn a_truncated_or_foreign_file_is_refused() {
        let bytes = build_sys_dic(WORDS);
        assert!(SysDic::parse(&bytes[..bytes.len() - 1]).is_err());
        assert!(SysDic::parse(&bytes[..10]).is_err());
        let mut euc = bytes.clone();
        euc[40..46].copy_from_slice(b"euc-jp");
        assert!(SysDic::parse(&euc)
            .unwrap_err()
            .to_string()
            .contains("charset"));
        let mut old = bytes;
        old[4] = 101;
        assert!(SysDic::parse(&old)
            .unwrap_err()
            .to_string()
            .contains("version"));
    }

    #[test]
    fn quoted_feature_fields_keep_their_commas() {
        assert_eq!(split_feature("記号,\"x,y\",*"), ["記号", "x,y", "*"]);
        assert_eq!(split_feature("a,\"b\"\"c\""), ["a", "b\"c"]);
        assert_eq!(split_feature(""), [""]);
    }
}
