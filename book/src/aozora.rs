//! Aozora Bunko text (青空文庫形式): the title and author lines, the notation block between
//! lines of dashes (skipped), the body with its ［＃…］ annotations, and the 底本： footer
//! (skipped).
//!
//! Chapters: headings are ［＃「…」は大見出し］ (also 中/小, 同行/窓 variants),
//! ［＃大見出し］…［＃大見出し終わり］ and the ［＃ここから大見出し］ … ［＃ここで大見出し終わり］
//! block. The chapter level is the largest heading level used at least twice (a lone 大見出し
//! is usually the work's own title or a part, so 中見出し chapters under it are kept apart);
//! if no level repeats, the largest present. Headings at or above that level start chapters
//! (a chapter heading directly followed by another joins their titles); smaller headings are
//! spoken and become sub-section marks. Text before the first chapter heading is a chapter of
//! its own, titled with the book's title.

use crate::inline::{read_inline, tidy, Inline};
use crate::{Book, Chapter, Section};

/// Whether decoded text uses Aozora notation (so it should not be read as plain text).
pub fn looks_like_aozora(text: &str) -> bool {
    text.contains("［＃")
        || text.contains("底本：")
        || text.contains("【テキスト中に現れる記号について】")
}

/// Heading levels; larger is higher in the book's hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Small,
    Medium,
    Large,
}

enum Item {
    Heading(Level, Inline),
    Para(Inline),
}

fn is_dashes(line: &str) -> bool {
    let t = line.trim();
    t.chars().count() >= 10 && t.chars().all(|c| c == '-' || c == '－')
}

fn level_in(body: &str) -> Option<Level> {
    if body.contains("大見出し") {
        Some(Level::Large)
    } else if body.contains("中見出し") {
        Some(Level::Medium)
    } else if body.contains("小見出し") {
        Some(Level::Small)
    } else {
        None
    }
}

/// The bodies of the ［＃…］ annotations on a line.
fn annotations(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(p) = rest.find("［＃") {
        let after = &rest[p + "［＃".len()..];
        match after.find('］') {
            Some(q) => {
                out.push(&after[..q]);
                rest = &after[q + '］'.len_utf8()..];
            }
            None => break,
        }
    }
    out
}

/// Parses decoded Aozora Bunko text (never fails; see the module notes for the rules).
pub fn parse(text: &str) -> Book {
    let lines: Vec<&str> = text.lines().collect();
    // Header: the lines before the first blank or dashes line: title first, author last.
    let header_end = lines
        .iter()
        .position(|l| l.trim().is_empty() || is_dashes(l))
        .unwrap_or(lines.len());
    let header: Vec<String> = lines[..header_end]
        .iter()
        .map(|l| read_inline(l).display.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    let title = header.first().cloned().unwrap_or_default();
    let author = if header.len() >= 2 {
        header.last().cloned().unwrap_or_default()
    } else {
        String::new()
    };
    let mut body_start = header_end;
    // The notation block: from a dashes line near the top to the next one.
    if let Some(open) = lines[body_start..]
        .iter()
        .take(8)
        .position(|l| is_dashes(l))
        .map(|p| p + body_start)
    {
        if let Some(close) = lines[open + 1..].iter().position(|l| is_dashes(l)) {
            body_start = open + 1 + close + 1;
        }
    }
    let body_end = lines[body_start..]
        .iter()
        .position(|l| l.trim_start_matches(['　', ' ']).starts_with("底本："))
        .map_or(lines.len(), |p| p + body_start);

    let mut items = Vec::new();
    let mut block: Option<(Level, Vec<Inline>)> = None;
    for line in &lines[body_start..body_end] {
        let notes = annotations(line);
        let ends = notes.iter().any(|n| n.contains("見出し終わり"));
        if let Some(open) = notes
            .iter()
            .find(|n| n.starts_with("ここから") && !n.contains("終わり"))
            .and_then(|n| level_in(n))
        {
            block = Some((open, Vec::new()));
            let rest = read_inline(line);
            if !rest.spoken.trim().is_empty() {
                if let Some((_, parts)) = block.as_mut() {
                    parts.push(rest);
                }
            }
            continue;
        }
        if let Some((level, mut parts)) = block.take() {
            let inline = read_inline(line);
            if !inline.spoken.trim().is_empty() {
                parts.push(inline);
            }
            if ends {
                items.push(Item::Heading(level, join(parts)));
            } else {
                block = Some((level, parts));
            }
            continue;
        }
        let mut inline = read_inline(line);
        if inline.spoken.trim().is_empty() {
            // A heading given only inside its note: ［＃「第一部」は大見出し］.
            match notes
                .iter()
                .find(|n| level_in(n).is_some())
                .and_then(|n| quoted(n))
            {
                Some(q) => inline = read_inline(q),
                None => continue,
            }
        }
        match notes
            .iter()
            .filter(|n| !n.starts_with("ここで"))
            .find_map(|n| level_in(n))
        {
            Some(level) => items.push(Item::Heading(level, inline)),
            None => items.push(Item::Para(inline)),
        }
    }
    if let Some((level, parts)) = block {
        items.push(Item::Heading(level, join(parts)));
    }
    let chapters = chapters_from(items, &title);
    Book {
        title,
        author,
        chapters,
    }
}

/// The text between the first 「 and its 」 in an annotation.
fn quoted(note: &str) -> Option<&str> {
    let start = note.find('「')? + '「'.len_utf8();
    let end = note[start..].rfind('」')? + start;
    Some(&note[start..end])
}

fn join(parts: Vec<Inline>) -> Inline {
    let display = parts.iter().map(|p| p.display.trim()).collect::<Vec<_>>();
    let spoken = parts.iter().map(|p| p.spoken.trim()).collect::<Vec<_>>();
    Inline {
        display: display.join(" "),
        spoken: spoken.join(" "),
    }
}

fn chapter_level(items: &[Item]) -> Option<Level> {
    let count = |l: Level| {
        items
            .iter()
            .filter(|i| matches!(i, Item::Heading(x, _) if *x == l))
            .count()
    };
    let levels = [Level::Large, Level::Medium, Level::Small];
    levels
        .into_iter()
        .find(|&l| count(l) >= 2)
        .or_else(|| levels.into_iter().find(|&l| count(l) >= 1))
}

fn chapters_from(items: Vec<Item>, book_title: &str) -> Vec<Chapter> {
    let level = chapter_level(&items);
    let mut chapters: Vec<Chapter> = Vec::new();
    let mut current = Chapter {
        title: book_title.to_owned(),
        spoken_title: book_title.to_owned(),
        ..Chapter::default()
    };
    let mut started = false;
    for item in items {
        match item {
            Item::Heading(l, h) if Some(l) >= level => {
                let title = tidy(&h.display);
                let spoken = tidy(&h.spoken);
                if started && current.paragraphs.is_empty() {
                    // A heading directly under another (a part, then its first chapter).
                    current.title = format!("{} {}", current.title, title);
                    current.spoken_title = format!("{}、{}", current.spoken_title, spoken);
                    continue;
                }
                if !current.paragraphs.is_empty() {
                    chapters.push(std::mem::take(&mut current));
                }
                current = Chapter {
                    title,
                    spoken_title: spoken,
                    ..Chapter::default()
                };
                started = true;
            }
            Item::Heading(_, h) => {
                current.sections.push(Section {
                    title: tidy(&h.display),
                    paragraph: current.paragraphs.len(),
                });
                current.paragraphs.push(tidy(&h.spoken));
            }
            Item::Para(p) => current.paragraphs.push(tidy(&p.spoken)),
        }
    }
    if !current.paragraphs.is_empty() || started {
        chapters.push(current);
    }
    chapters
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "桜の森\n山田太郎\n\n-------------------------------------------------------\n【テキスト中に現れる記号について】\n\n《》：ルビ\n（例）東雲《しののめ》\n-------------------------------------------------------\n\n［＃５字下げ］一［＃「一」は中見出し］\n\n　東雲《しののめ》の空。\n　彼は｜一寸法師《いっすんぼうし》だ。\n［＃５字下げ］小さな話［＃「小さな話」は小見出し］\n　こゝろ※［＃「木＋吉」、U+6854、10-1］。\n\n［＃５字下げ］二［＃「二」は中見出し］\n\n　いよ／＼終わり。\n\n\n\n底本：「桜の森」青空文庫\n　　1999年\n入力：誰か\n";

    #[test]
    fn title_author_chapters_sections_footer() {
        let b = parse(SAMPLE);
        assert_eq!(b.title, "桜の森");
        assert_eq!(b.author, "山田太郎");
        assert_eq!(b.chapters.len(), 2);
        let c = &b.chapters[0];
        assert_eq!(c.title, "一");
        assert_eq!(
            c.paragraphs,
            [
                "しののめの空。",
                "彼はいっすんぼうしだ。",
                "小さな話",
                "こころ桔。"
            ]
        );
        assert_eq!(
            c.sections,
            [Section {
                title: "小さな話".into(),
                paragraph: 2
            }]
        );
        assert_eq!(b.chapters[1].paragraphs, ["いよいよ終わり。"]);
        assert!(!b
            .chapters
            .iter()
            .any(|c| c.paragraphs.iter().any(|p| p.contains("底本"))));
        assert!(looks_like_aozora(SAMPLE));
    }

    #[test]
    fn block_headings_and_text_before_the_first() {
        let t = "題\n著者\n\n前書きです。\n［＃ここから大見出し］\n第一章\n［＃ここで大見出し終わり］\n本文。\n［＃大見出し］第二章［＃大見出し終わり］\n続き。\n";
        let b = parse(t);
        let titles: Vec<_> = b.chapters.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, ["題", "第一章", "第二章"]);
        assert_eq!(b.chapters[2].paragraphs, ["続き。"]);
    }

    #[test]
    fn a_lone_large_heading_joins_the_first_chapter() {
        let t = "題\n著者\n\n［＃「第一部」は大見出し］\n［＃「一」は中見出し］\nあ。\n［＃「二」は中見出し］\nい。\n";
        let b = parse(t);
        let titles: Vec<_> = b.chapters.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, ["第一部 一", "二"]);
    }
}
