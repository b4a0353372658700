//! Plain UTF-8 (or Shift_JIS) text. Each non-blank line is a paragraph; `｜漢字《かんじ》`
//! ruby (web-novel notation) is read as in Aozora text.
//!
//! Chapters, by the first rule that finds any:
//! 1. explicit markers: a line `[[chapter: Title]]` (also `[[章: Title]]`) starts a chapter;
//!    `[[title: …]]` and `[[author: …]]` lines set the book's metadata;
//! 2. heading lines: Markdown `#`/`##` headings, and short lines (≤ 40 characters) that start
//!    like 第一章 / 第1話 / 第十二回 / 序章 / 終章 / プロローグ / エピローグ / "Chapter 3";
//!    `###` and deeper headings become sub-sections;
//! 3. blank-line heuristic: three or more blank lines in a row end a chapter (titled by the
//!    start of its first paragraph);
//! 4. otherwise the whole text is one chapter.

use crate::inline::{read_inline, tidy, Inline};
use crate::{Book, Chapter, Section};

enum Line {
    Marker(Inline),
    Heading(Inline),
    Sub(Inline),
    Text(Inline),
    Blank,
}

fn marker(line: &str, keys: &[&str]) -> Option<String> {
    let t = line.trim();
    let inner = t.strip_prefix("[[")?.strip_suffix("]]")?;
    let (key, value) = inner.split_once([':', '：'])?;
    keys.contains(&key.trim().to_lowercase().as_str())
        .then(|| value.trim().to_owned())
}

fn is_heading_line(t: &str) -> bool {
    if t.chars().count() > 40 {
        return false;
    }
    let numeral = |c: char| {
        "一二三四五六七八九十百千〇零壱弐参".contains(c)
            || c.is_ascii_digit()
            || ('０'..='９').contains(&c)
    };
    if let Some(rest) = t.strip_prefix('第') {
        let digits = rest.chars().take_while(|&c| numeral(c)).count();
        if digits > 0 {
            let after = rest.chars().nth(digits);
            return matches!(
                after,
                Some('章' | '話' | '部' | '回' | '幕' | '節' | '編' | '巻')
            );
        }
    }
    if [
        "序章",
        "終章",
        "プロローグ",
        "エピローグ",
        "序",
        "あとがき",
        "まえがき",
    ]
    .iter()
    .any(|p| t == *p || t.starts_with(&format!("{p} ")) || t.starts_with(&format!("{p}　")))
    {
        return true;
    }
    let lower = t.to_lowercase();
    ["chapter ", "prologue", "epilogue"]
        .iter()
        .any(|p| lower.starts_with(p))
}

fn classify(line: &str) -> Line {
    let t = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    if t.is_empty() {
        return Line::Blank;
    }
    if let Some(title) = marker(t, &["chapter", "章"]) {
        return Line::Marker(read_inline(&title));
    }
    let hashes = t.chars().take_while(|&c| c == '#').count();
    if hashes > 0 && t[hashes..].starts_with(' ') {
        let h = read_inline(t[hashes..].trim());
        return if hashes <= 2 {
            Line::Heading(h)
        } else {
            Line::Sub(h)
        };
    }
    if is_heading_line(t) {
        return Line::Heading(read_inline(t));
    }
    Line::Text(read_inline(t))
}

/// Parses plain text (never fails; see the module notes for the rules).
pub fn parse(text: &str) -> Book {
    let mut book = Book::default();
    let mut lines = Vec::new();
    for raw in text.lines() {
        if let Some(v) = marker(raw, &["title", "題名"]) {
            book.title = v;
        } else if let Some(v) = marker(raw, &["author", "著者"]) {
            book.author = v;
        } else {
            lines.push(classify(raw));
        }
    }
    let has_markers = lines.iter().any(|l| matches!(l, Line::Marker(_)));
    let has_headings = lines.iter().any(|l| matches!(l, Line::Heading(_)));
    let mut chapters = Vec::new();
    let mut current: Option<Chapter> = None;
    let mut blanks = 0;
    let untitled = |p: &Inline| {
        let t: String = tidy(&p.display).chars().take(20).collect();
        (
            t.clone(),
            tidy(&p.spoken).chars().take(20).collect::<String>(),
        )
    };
    for line in lines {
        let starts = match &line {
            Line::Marker(h) => Some(h.clone()),
            Line::Heading(h) if !has_markers => Some(h.clone()),
            _ => None,
        };
        if let Some(h) = starts {
            chapters.extend(current.take().filter(|c: &Chapter| !c.is_empty()));
            current = Some(Chapter {
                title: tidy(&h.display),
                spoken_title: tidy(&h.spoken),
                ..Chapter::default()
            });
            blanks = 0;
            continue;
        }
        match line {
            Line::Blank => blanks += 1,
            Line::Sub(h) | Line::Heading(h) => {
                let c = current.get_or_insert_with(Chapter::default);
                c.sections.push(Section {
                    title: tidy(&h.display),
                    paragraph: c.paragraphs.len(),
                });
                c.paragraphs.push(tidy(&h.spoken));
                blanks = 0;
            }
            Line::Text(p) => {
                let spoken = tidy(&p.spoken);
                if spoken.is_empty() {
                    continue;
                }
                if !has_markers && !has_headings && blanks >= 3 {
                    chapters.extend(current.take().filter(|c: &Chapter| !c.is_empty()));
                }
                blanks = 0;
                let c = current.get_or_insert_with(|| {
                    let (title, spoken_title) = untitled(&p);
                    Chapter {
                        title,
                        spoken_title,
                        ..Chapter::default()
                    }
                });
                c.paragraphs.push(spoken);
            }
            Line::Marker(_) => {}
        }
    }
    chapters.extend(current.filter(|c| !c.is_empty()));
    // An untitled chapter before the first heading: named after the book, not its first words.
    book.chapters = chapters;
    book
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(b: &Book) -> Vec<&str> {
        b.chapters.iter().map(|c| c.title.as_str()).collect()
    }

    #[test]
    fn headings_split_chapters() {
        let b = parse("第一章 はじまり\n朝だ。\n\n第2章\n昼だ。\n### 小節\n夜だ。\n");
        assert_eq!(titles(&b), ["第一章 はじまり", "第2章"]);
        assert_eq!(b.chapters[1].paragraphs, ["昼だ。", "小節", "夜だ。"]);
        assert_eq!(b.chapters[1].sections[0].paragraph, 1);
        let b = parse("# One\nA.\n# Two\nB.\n");
        assert_eq!(titles(&b), ["One", "Two"]);
    }

    #[test]
    fn markers_win_over_headings() {
        let b = parse("[[title: 本]]\n[[author: 私]]\n[[chapter: 始まり]]\n第一章の話をしよう。\n第1章\n[[chapter: 終わり]]\nさようなら。\n");
        assert_eq!(b.title, "本");
        assert_eq!(b.author, "私");
        assert_eq!(titles(&b), ["始まり", "終わり"]);
        assert_eq!(b.chapters[0].paragraphs.len(), 2);
    }

    #[test]
    fn blank_lines_split_when_nothing_else_does() {
        let b = parse("一つ目の話。\n続き。\n\n\n\n二つ目の話。\n");
        assert_eq!(b.chapters.len(), 2);
        assert_eq!(b.chapters[1].title, "二つ目の話。");
        let b = parse("一つ。\n\n二つ。\n");
        assert_eq!(b.chapters.len(), 1);
    }

    #[test]
    fn ruby_in_plain_text() {
        let b = parse("彼は｜一寸法師《いっすんぼうし》だ。\n");
        assert_eq!(b.chapters[0].paragraphs, ["彼はいっすんぼうしだ。"]);
    }
}
