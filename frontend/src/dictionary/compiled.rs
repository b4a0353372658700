//! A MeCab-compiled OpenJTalk dictionary (`sys.dic`, `unk.dic`, `matrix.bin`, `char.bin`)
//! written back as the text source the builder reads (`*.csv`, `unk.def`, `matrix.def`,
//! `char.def`).
//!
//! pyopenjtalk-plus publishes its improved naist-jdic only compiled (in its wheel and sdist on
//! PyPI), and jpreprocess builds only from text, so setup decompiles it. Everything the lattice
//! uses survives the round trip: each entry's surface, context ids, cost and feature string, the
//! whole connection matrix, and each character's categories with their invoke/group/length.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use crate::lexicon::{LexiconError, SysDic};

/// MeCab's `char.bin`: the category count, 32-byte names, then one `CharInfo` per UCS-2 code.
const CHAR_CODES: usize = 0xffff;
const CATEGORY_NAME: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum DecompileError {
    #[error("reading {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{file}: {why}")]
    Format { file: &'static str, why: String },
}

fn format_err(file: &'static str) -> impl Fn(LexiconError) -> DecompileError {
    move |e| DecompileError::Format {
        file,
        why: e.to_string(),
    }
}

/// What a decompilation wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decompiled {
    pub entries: usize,
    pub unknown_entries: usize,
    pub categories: usize,
    pub context_ids: (usize, usize),
}

/// Writes `out/{sys.csv, unk.def, matrix.def, char.def}` from the compiled files in `compiled`.
pub fn decompile(compiled: &Path, out: &Path) -> Result<Decompiled, DecompileError> {
    let read = |name: &str| {
        let path = compiled.join(name);
        fs::read(&path).map_err(|source| DecompileError::Io { path, source })
    };
    let write = |name: &str, text: String| {
        let path = out.join(name);
        fs::write(&path, text).map_err(|source| DecompileError::Io { path, source })
    };
    fs::create_dir_all(out).map_err(|source| DecompileError::Io {
        path: out.to_owned(),
        source,
    })?;
    let (csv, entries) = entries_csv(&read("sys.dic")?).map_err(format_err("sys.dic"))?;
    write("sys.csv", csv)?;
    let (unk, unknown_entries) = entries_csv(&read("unk.dic")?).map_err(format_err("unk.dic"))?;
    write("unk.def", unk)?;
    let (matrix, context_ids) = matrix_def(&read("matrix.bin")?)?;
    write("matrix.def", matrix)?;
    let (chars, categories) = char_def(&read("char.bin")?)?;
    write("char.def", chars)?;
    Ok(Decompiled {
        entries,
        unknown_entries,
        categories,
        context_ids,
    })
}

/// One CSV row per entry: surface, left id, right id, cost, then the feature string as MeCab
/// stored it (already CSV, quotes included).
pub(crate) fn entries_csv(bytes: &[u8]) -> Result<(String, usize), LexiconError> {
    let dic = SysDic::parse(bytes)?;
    let mut text = String::with_capacity(bytes.len());
    let mut n = 0;
    dic.for_each(|e| {
        let surface = if e.surface.contains([',', '"']) {
            format!("\"{}\"", e.surface.replace('"', "\"\""))
        } else {
            e.surface
        };
        // Writing into a String cannot fail.
        let _ = writeln!(
            text,
            "{surface},{},{},{},{}",
            e.left_id, e.right_id, e.cost, e.feature
        );
        n += 1;
        Ok(())
    })?;
    Ok((text, n))
}

/// `matrix.bin` (u16 left size, u16 right size, i16 costs at `left + lsize * right`) as
/// `matrix.def` lines `left right cost`.
pub(crate) fn matrix_def(bytes: &[u8]) -> Result<(String, (usize, usize)), DecompileError> {
    let broken = |why: String| DecompileError::Format {
        file: "matrix.bin",
        why,
    };
    let size = |at: usize| {
        bytes
            .get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
    };
    let (Some(lsize), Some(rsize)) = (size(0), size(2)) else {
        return Err(broken("shorter than its header".to_owned()));
    };
    let costs = &bytes[4..];
    if costs.len() != 2 * lsize * rsize {
        return Err(broken(format!(
            "{} bytes of costs for a {lsize}×{rsize} matrix",
            costs.len()
        )));
    }
    let mut text = String::with_capacity(lsize * rsize * 12);
    let _ = writeln!(text, "{lsize} {rsize}");
    for l in 0..lsize {
        for r in 0..rsize {
            let at = 2 * (l + lsize * r);
            let cost = i16::from_le_bytes([costs[at], costs[at + 1]]);
            let _ = writeln!(text, "{l} {r} {cost}");
        }
    }
    Ok((text, (lsize, rsize)))
}

/// MeCab's `CharInfo` bit fields, low bits first: type (18), default type (8), length (4),
/// group (1), invoke (1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CharInfo(u32);

impl CharInfo {
    fn types(self) -> u32 {
        self.0 & 0x3ffff
    }
    fn default_type(self) -> usize {
        ((self.0 >> 18) & 0xff) as usize
    }
    fn length(self) -> u32 {
        (self.0 >> 26) & 0xf
    }
    fn group(self) -> u32 {
        (self.0 >> 30) & 1
    }
    fn invoke(self) -> u32 {
        self.0 >> 31
    }
}

/// `char.bin` as `char.def`: the categories first (in their compiled order, which is the order
/// the builder numbers them in), then one line per run of codes with the same categories.
pub(crate) fn char_def(bytes: &[u8]) -> Result<(String, usize), DecompileError> {
    let broken = |why: String| DecompileError::Format {
        file: "char.bin",
        why,
    };
    let count = bytes
        .get(0..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or_else(|| broken("shorter than its header".to_owned()))?;
    let infos_at = 4 + count * CATEGORY_NAME;
    if count == 0 || count > 18 || bytes.len() != infos_at + 4 * CHAR_CODES {
        return Err(broken(format!(
            "{} bytes for {count} categories and {CHAR_CODES} codes",
            bytes.len()
        )));
    }
    let names: Vec<String> = (0..count)
        .map(|i| {
            let raw = &bytes[4 + i * CATEGORY_NAME..4 + (i + 1) * CATEGORY_NAME];
            let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
            String::from_utf8(raw[..end].to_vec())
                .ok()
                .filter(|s| !s.is_empty() && !s.contains(char::is_whitespace))
                .ok_or_else(|| broken(format!("category {i} has no usable name")))
        })
        .collect::<Result<_, _>>()?;
    let info = |code: usize| {
        let at = infos_at + 4 * code;
        CharInfo(u32::from_le_bytes([
            bytes[at],
            bytes[at + 1],
            bytes[at + 2],
            bytes[at + 3],
        ]))
    };
    // Each category's invoke/group/length, as found on a code whose default type it is.
    let mut props: Vec<Option<(u32, u32, u32)>> = vec![None; count];
    for code in 0..CHAR_CODES {
        let c = info(code);
        if c.default_type() >= count || c.types() >> count != 0 {
            return Err(broken(format!(
                "code {code:#06x} names an unknown category"
            )));
        }
        props[c.default_type()].get_or_insert((c.invoke(), c.group(), c.length()));
    }
    let mut text = String::new();
    for (name, p) in names.iter().zip(&props) {
        // A category no code defaults to keeps MeCab's neutral settings.
        let (invoke, group, length) = p.unwrap_or((0, 1, 0));
        let _ = writeln!(text, "{name} {invoke} {group} {length}");
    }
    // Codes in DEFAULT alone need no line: the builder gives unlisted codes DEFAULT.
    let default = names.iter().position(|n| n == "DEFAULT");
    let is_plain_default =
        |c: CharInfo| default.is_some_and(|d| c.default_type() == d && c.types() == 1 << d);
    let mut code = 0;
    while code < CHAR_CODES {
        let c = info(code);
        let mut end = code;
        while end + 1 < CHAR_CODES && info(end + 1) == c {
            end += 1;
        }
        if !is_plain_default(c) {
            let mut line = format!("{code:#06X}");
            if end > code {
                let _ = write!(line, "..{end:#06X}");
            }
            // The default category first, then the others the code also belongs to.
            let _ = write!(line, " {}", names[c.default_type()]);
            for (i, name) in names.iter().enumerate() {
                if i != c.default_type() && c.types() & (1 << i) != 0 {
                    let _ = write!(line, " {name}");
                }
            }
            text.push_str(&line.replace("0X", "0x"));
            text.push('\n');
        }
        code = end + 1;
    }
    Ok((text, count))
}

#[cfg(test)]
#[path = "compiled_tests.rs"]
mod tests;
