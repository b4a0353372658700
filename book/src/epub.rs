//! EPUB 2/3: META-INF/container.xml → the OPF package (title, author, manifest, spine) →
//! the spine's XHTML documents in order. Chapter titles come from the EPUB 3 nav document's
//! `toc` or the EPUB 2 NCX: a spine document the table of contents points at starts a
//! chapter; documents it does not name (cover, title page, continuation files) join the
//! chapter before them, or open one titled by their first heading. Ruby: the `<rt>` reading
//! is spoken instead of its base, `<rp>` is dropped.

use std::collections::HashMap;
use std::io::Read;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::inline::{read_inline, tidy};
use crate::{Book, Chapter, Section};

type Zip<'a> = zip::ZipArchive<std::io::Cursor<&'a [u8]>>;

fn entry(zip: &mut Zip<'_>, name: &str) -> Result<String, String> {
    let mut file = zip
        .by_name(name)
        .map_err(|_| format!("{name} is missing"))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {name}: {e}"))?;
    String::from_utf8(bytes)
        .map(|s| s.trim_start_matches('\u{feff}').to_owned())
        .map_err(|_| format!("{name} is not UTF-8"))
}

/// Resolves `href` (relative, maybe %-encoded, maybe with #fragment) against the folder of
/// `base` inside the zip.
fn resolve(base: &str, href: &str) -> String {
    let href = href.split('#').next().unwrap_or("");
    let href = percent_decode(href);
    let mut parts: Vec<&str> = match base.rfind('/') {
        Some(p) => base[..p].split('/').collect(),
        None => Vec::new(),
    };
    for seg in href.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// `unescape_value` is deprecated in favour of a version-aware call; the predefined entities
// it resolves are all an attribute here needs.
#[allow(deprecated)]
fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

fn local(e: &quick_xml::events::BytesStart<'_>) -> String {
    e.local_name().as_ref().to_ascii_lowercase()
}

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "ldquo" => '“',
        "rdquo" => '”',
        _ => return None,
    })
}

struct Package {
    title: String,
    author: String,
    /// Spine documents, resolved paths in reading order.
    spine: Vec<String>,
    nav: Option<String>,
    ncx: Option<String>,
}

fn package(opf_path: &str, opf: &str) -> Result<Package, String> {
    let mut reader = Reader::from_str(opf);
    let mut manifest: HashMap<String, (String, String, String)> = HashMap::new();
    let mut spine_ids = Vec::new();
    let mut toc_id = None;
    let (mut title, mut author) = (String::new(), String::new());
    let mut field: Option<&'static str> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match local(&e).as_str() {
                "title" if title.is_empty() => field = Some("title"),
                "creator" if author.is_empty() => field = Some("creator"),
                "item" => {
                    if let (Some(id), Some(href)) = (attr(&e, "id"), attr(&e, "href")) {
                        let media = attr(&e, "media-type").unwrap_or_default();
                        let props = attr(&e, "properties").unwrap_or_default();
                        manifest.insert(id, (resolve(opf_path, &href), media, props));
                    }
                }
                "spine" => toc_id = attr(&e, "toc"),
                "itemref" if attr(&e, "linear").as_deref() != Some("no") => {
                    if let Some(id) = attr(&e, "idref") {
                        spine_ids.push(id);
                    }
                }
                _ => {}
            },
            Ok(Event::Text(t)) => match field {
                Some("title") => title.push_str(&t.xml10_content()),
                Some(_) => author.push_str(&t.xml10_content()),
                None => {}
            },
            Ok(Event::End(_)) => field = None,
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("{opf_path}: {e}")),
        }
    }
    if spine_ids.is_empty() {
        return Err(format!("{opf_path} has an empty spine"));
    }
    let mut spine = Vec::new();
    for id in &spine_ids {
        match manifest.get(id) {
            Some((href, _, _)) => spine.push(href.clone()),
            None => return Err(format!("the spine names {id}, which the manifest lacks")),
        }
    }
    let nav = manifest
        .values()
        .find(|(_, _, p)| p.split_whitespace().any(|p| p == "nav"))
        .map(|(h, _, _)| h.clone());
    let ncx = toc_id
        .and_then(|id| manifest.get(&id).map(|(h, _, _)| h.clone()))
        .or_else(|| {
            manifest
                .values()
                .find(|(_, m, _)| m == "application/x-dtbncx+xml")
                .map(|(h, _, _)| h.clone())
        });
    Ok(Package {
        title: tidy(&title),
        author: tidy(&author),
        spine,
        nav,
        ncx,
    })
}

/// The table of contents: document path → title, first entry per document.
fn toc(zip: &mut Zip<'_>, pkg: &Package) -> HashMap<String, String> {
    let mut out = HashMap::new();
    if let Some(nav) = &pkg.nav {
        if let Ok(text) = entry(zip, nav) {
            let mut reader = Reader::from_str(&text);
            let (mut in_toc, mut depth) = (false, 0usize);
            let mut link: Option<(String, String)> = None;
            loop {
                match reader.read_event() {
                    Ok(Event::Start(e)) => {
                        let name = local(&e);
                        if name == "nav" {
                            let kind = attr(&e, "epub:type").unwrap_or_default();
                            if kind.split_whitespace().any(|k| k == "toc") {
                                in_toc = true;
                                depth = 0;
                            }
                        }
                        if in_toc {
                            depth += 1;
                            if name == "a" {
                                link = attr(&e, "href").map(|h| (resolve(nav, &h), String::new()));
                            }
                        }
                    }
                    Ok(Event::Text(t)) => {
                        if let Some((_, s)) = link.as_mut() {
                            s.push_str(&t.xml10_content());
                        }
                    }
                    Ok(Event::End(e)) => {
                        if in_toc {
                            if local_end(&e) == "a" {
                                if let Some((href, title)) = link.take() {
                                    out.entry(href).or_insert_with(|| tidy(&title));
                                }
                            }
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                in_toc = false;
                            }
                        }
                    }
                    Ok(Event::Eof) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        }
    }
    if out.is_empty() {
        if let Some(ncx) = &pkg.ncx {
            if let Ok(text) = entry(zip, ncx) {
                let mut reader = Reader::from_str(&text);
                let mut label: Option<String> = None;
                let mut in_text = false;
                loop {
                    match reader.read_event() {
                        Ok(Event::Start(e)) => match local(&e).as_str() {
                            "navpoint" => label = None,
                            "text" => in_text = true,
                            _ => {}
                        },
                        Ok(Event::Empty(e)) if local(&e) == "content" => {
                            if let (Some(src), Some(l)) = (attr(&e, "src"), label.take()) {
                                out.entry(resolve(ncx, &src)).or_insert_with(|| tidy(&l));
                            }
                        }
                        Ok(Event::Text(t)) if in_text => {
                            label
                                .get_or_insert_with(String::new)
                                .push_str(&t.xml10_content());
                        }
                        Ok(Event::End(_)) => in_text = false,
                        Ok(Event::Eof) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
            }
        }
    }
    out
}

fn local_end(e: &quick_xml::events::BytesEnd<'_>) -> String {
    e.local_name().as_ref().to_ascii_lowercase()
}

/// A document's text: paragraphs (spoken form) and its headings (display form, with the
/// index of their paragraph).
#[derive(Default)]
struct Doc {
    paragraphs: Vec<String>,
    headings: Vec<(String, usize)>,
}

const BLOCKS: [&str; 17] = [
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "br",
    "tr",
    "dd",
    "dt",
    "section",
    "article",
    "hr",
];

fn document(path: &str, text: &str) -> Result<Doc, String> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = false;
    let mut doc = Doc::default();
    let (mut spoken, mut display) = (String::new(), String::new());
    let mut in_body = false;
    let mut skip = 0usize; // inside <rp>, <script>, <style>, <head>
    let mut heading = false;
    // Ruby: base text since the last <rt>, and whether we are inside <rt>.
    let mut ruby_depth = 0usize;
    let (mut base_spoken, mut base_display) = (String::new(), String::new());
    let mut rt: Option<String> = None;
    let flush = |doc: &mut Doc, spoken: &mut String, display: &mut String, heading: bool| {
        let s = tidy(&read_inline(spoken).spoken);
        let d = tidy(display);
        if !s.is_empty() {
            if heading {
                doc.headings.push((d, doc.paragraphs.len()));
            }
            doc.paragraphs.push(s);
        }
        spoken.clear();
        display.clear();
    };
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| format!("{path}: {e} (at byte {})", reader.buffer_position()))?;
        match ev {
            Event::Start(e) | Event::Empty(e) if !in_body => in_body = local(&e) == "body",
            Event::Start(e) => {
                let name = local(&e);
                match name.as_str() {
                    "rp" | "script" | "style" => skip += 1,
                    "ruby" => ruby_depth += 1,
                    "rt" if ruby_depth > 0 => rt = Some(String::new()),
                    n if BLOCKS.contains(&n) => {
                        flush(&mut doc, &mut spoken, &mut display, heading);
                        heading = n.starts_with('h') && n.len() == 2;
                    }
                    _ => {}
                }
            }
            Event::Empty(e) if BLOCKS.contains(&local(&e).as_str()) => {
                flush(&mut doc, &mut spoken, &mut display, heading);
            }
            Event::End(e) => {
                let name = local_end(&e);
                match name.as_str() {
                    "body" => in_body = false,
                    "rp" | "script" | "style" => skip = skip.saturating_sub(1),
                    "rt" => {
                        if let Some(reading) = rt.take() {
                            spoken.push_str(if reading.trim().is_empty() {
                                &base_spoken
                            } else {
                                &reading
                            });
                            display.push_str(&base_display);
                            base_spoken.clear();
                            base_display.clear();
                        }
                    }
                    "ruby" => {
                        ruby_depth = ruby_depth.saturating_sub(1);
                        spoken.push_str(&base_spoken);
                        display.push_str(&base_display);
                        base_spoken.clear();
                        base_display.clear();
                    }
                    n if BLOCKS.contains(&n) => {
                        flush(&mut doc, &mut spoken, &mut display, heading);
                        heading = false;
                    }
                    _ => {}
                }
            }
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) if in_body && skip == 0 => {
                let text: Option<String> = match &ev {
                    Event::Text(t) => Some(t.xml10_content().into_owned()),
                    Event::CData(t) => Some(t.xml10_content().into_owned()),
                    Event::GeneralRef(r) => match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c.to_string()),
                        _ => entity(r).map(String::from),
                    },
                    _ => None,
                };
                if let Some(text) = text {
                    push_text(
                        &text,
                        &mut rt,
                        ruby_depth,
                        (&mut base_spoken, &mut base_display),
                        (&mut spoken, &mut display),
                    );
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    flush(&mut doc, &mut spoken, &mut display, heading);
    Ok(doc)
}

fn push_text(
    text: &str,
    rt: &mut Option<String>,
    ruby_depth: usize,
    base: (&mut String, &mut String),
    out: (&mut String, &mut String),
) {
    if let Some(r) = rt.as_mut() {
        r.push_str(text);
    } else if ruby_depth > 0 {
        base.0.push_str(text);
        base.1.push_str(text);
    } else {
        out.0.push_str(text);
        out.1.push_str(text);
    }
}

/// Reads an EPUB from its bytes; the error says what is broken.
pub fn read(bytes: &[u8]) -> Result<Book, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a zip archive ({e})"))?;
    let container = entry(&mut zip, "META-INF/container.xml")?;
    let mut reader = Reader::from_str(&container);
    let mut opf_path = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if local(&e) == "rootfile" => {
                opf_path = attr(&e, "full-path");
                break;
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("META-INF/container.xml: {e}")),
        }
    }
    let opf_path = opf_path.ok_or("META-INF/container.xml names no rootfile")?;
    let opf = entry(&mut zip, &opf_path)?;
    let pkg = package(&opf_path, &opf)?;
    let toc = toc(&mut zip, &pkg);
    let mut chapters: Vec<Chapter> = Vec::new();
    for path in &pkg.spine {
        if Some(path) == pkg.nav.as_ref() && !toc.contains_key(path) {
            continue; // the table of contents itself is not read aloud
        }
        let text = entry(&mut zip, path)?;
        let doc = document(path, &text)?;
        let first_heading = doc.headings.first().map(|(h, _)| h.clone());
        let starts = toc.get(path).cloned().or_else(|| {
            (chapters.is_empty() && !doc.paragraphs.is_empty())
                .then(|| first_heading.clone().unwrap_or_else(|| pkg.title.clone()))
        });
        if let Some(title) = starts {
            chapters.push(Chapter {
                spoken_title: title.clone(),
                title,
                ..Chapter::default()
            });
        }
        let Some(chapter) = chapters.last_mut() else {
            continue;
        };
        let mut skip_first = 0;
        // The document's own heading repeats the chapter title already spoken.
        if let (Some((h, 0)), true) = (doc.headings.first(), chapter.paragraphs.is_empty()) {
            if tidy(h) == chapter.title {
                chapter.spoken_title = doc.paragraphs[0].clone();
                skip_first = 1;
            }
        }
        let offset = chapter.paragraphs.len();
        for (h, i) in &doc.headings {
            if *i >= skip_first {
                chapter.sections.push(Section {
                    title: h.clone(),
                    paragraph: offset + i - skip_first,
                });
            }
        }
        chapter
            .paragraphs
            .extend(doc.paragraphs.into_iter().skip(skip_first));
    }
    Ok(Book {
        title: pkg.title,
        author: pkg.author,
        chapters,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve() {
        assert_eq!(
            resolve("OEBPS/content.opf", "text/ch%201.xhtml#x"),
            "OEBPS/text/ch 1.xhtml"
        );
        assert_eq!(
            resolve("OEBPS/text/nav.xhtml", "../text/c.xhtml"),
            "OEBPS/text/c.xhtml"
        );
        assert_eq!(resolve("content.opf", "c.xhtml"), "c.xhtml");
    }

    #[test]
    fn ruby_rt_is_spoken_rp_dropped() {
        let x = r#"<html><head><title>T</title></head><body><h1>第一章</h1><p><ruby>東雲<rp>(</rp><rt>しののめ</rt><rp>)</rp></ruby>の空&amp;<ruby>漢<rt>かん</rt>字<rt>じ</rt></ruby>。</p><p>次&#x3002;</p></body></html>"#;
        let d = document("a.xhtml", x).unwrap();
        assert_eq!(d.paragraphs, ["第一章", "しののめの空&かんじ。", "次。"]);
        assert_eq!(d.headings, [("第一章".to_owned(), 0)]);
    }
}
