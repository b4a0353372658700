//! Text normalization before morphological analysis.
//!
//! jpreprocess (OpenJTalk) reads numbers with counters well (3個, 15日, 1000円) but not
//! currency signs (¥1,000 → ¥セン), ranges (2〜3個 → ニ、サンコ), fractions, times, slashed
//! dates, phone numbers, most units, emoji, or English words it does not know (spelled letter
//! by letter). [`normalize`] rewrites those into the Japanese that jpreprocess already reads
//! well — kanji and counters where possible (1000円, 9時30分, 2024年3月15日, 4ぶんの3), since
//! the dictionary then supplies the accent — and katakana only where there is no better form.
//!
//! The rules run as passes, each one family: compatibility forms (NFKC with its traps
//! guarded), symbols and emoji, brackets and quotes, repeated punctuation, numbers (currency,
//! phone numbers, dates, times, fractions, ranges, signs, units), spaces, and Latin words.

mod english;
mod tables;
mod words;

use std::sync::LazyLock;

use regex::{Captures, Regex};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use tables::{Symbol, UnitReading};

use crate::script::is_kanji;

/// Rewrites `text` into Japanese that jpreprocess reads correctly.
///
/// Never panics; the output has no control characters. English words are read from a
/// built-in table or by rule; [`crate::Frontend::normalize`] also keeps the words that the
/// loaded dictionary knows (with their accents).
pub fn normalize(text: &str) -> String {
    normalize_with(text, &|_| false)
}

/// [`normalize`], asking `known` whether the dictionary reads a Latin word as a word.
pub(crate) fn normalize_with(text: &str, known: &dyn Fn(&str) -> bool) -> String {
    let s = compatibility(text);
    let s = symbols(&s);
    let s = brackets_and_quotes(&s);
    let s = repeated_punctuation(&s);
    let s = numbers(&s);
    let s = spaces(&s);
    let s = english::words(&s, known);
    tidy(&s)
}

// ---------------------------------------------------------------------------------------
// Helpers

/// Compiles a pattern written in this file (a bad one fails every test, not user input).
fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static pattern")
}

/// Replaces each match of `re` for which `f` returns `Some`. `f` also gets the text before
/// and after the match, for the boundary checks the regex crate cannot express (it has no
/// look-around).
fn rewrite<'t>(
    text: &'t str,
    re: &Regex,
    mut f: impl FnMut(&Captures<'t>, &'t str, &'t str) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut last = 0;
    for caps in re.captures_iter(text) {
        let Some(m) = caps.get(0) else { continue };
        if let Some(replacement) = f(&caps, &text[..m.start()], &text[m.end()..]) {
            out.push_str(&text[last..m.start()]);
            out.push_str(&replacement);
            last = m.end();
        }
    }
    out.push_str(&text[last..]);
    out
}

fn last_char(s: &str) -> Option<char> {
    s.chars().next_back()
}

fn first_char(s: &str) -> Option<char> {
    s.chars().next()
}

/// A capture group as a number; `None` when missing or too large.
fn num(caps: &Captures, i: usize) -> Option<u32> {
    caps.get(i)?.as_str().parse().ok()
}

fn group<'t>(caps: &Captures<'t>, i: usize) -> &'t str {
    caps.get(i).map_or("", |m| m.as_str())
}

fn is_kana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{309F}' | '\u{30A0}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}')
}

/// Latin letters, accented ones included (× and ÷ in the same block are not letters).
pub(crate) fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (matches!(c, '\u{C0}'..='\u{24F}' | '\u{1E00}'..='\u{1EFF}') && c.is_alphabetic())
}

/// A character that can end or start a word (not punctuation, space or symbol).
fn is_word_char(c: char) -> bool {
    is_kana(c) || is_kanji(c) || c.is_ascii_alphanumeric() || is_latin_letter(c)
}

/// Digits, letters or a minus/decimal point glued to a number: the number is part of a
/// longer token (an ID, a version, a phone number), so number rules must not fire.
fn glued_before(before: &str) -> bool {
    last_char(before).is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '/'))
}

fn glued_after(after: &str) -> bool {
    let mut it = after.chars();
    match it.next() {
        Some(c) if c.is_ascii_digit() => true,
        Some('-' | '/') => it.next().is_some_and(|c| c.is_ascii_digit()),
        Some('.') => it.next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// Compatibility forms

/// Control characters and whitespace become spaces; invisible format characters go; the
/// NFKC traps are replaced first (㈱ → 株式会社, ～ → 〜, … kept, Ⅱ → 2, x² → xの2乗) and
/// everything else is NFKC-normalized (full-width ASCII, half-width kana, ①, ㍍, ㎏, ½).
pub(crate) fn compatibility(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let mut prev: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let after_digit = prev.is_some_and(|p| p.is_ascii_digit() || ('０'..='９').contains(&p));
        if after_digit {
            if let Some(d) = superscript_digit(c) {
                // 10² → 10の2乗 (NFKC would make it 102).
                flush_nfkc(&mut out, &mut run);
                out.push('の');
                out.push(d);
                while let Some(d) = chars.peek().copied().and_then(superscript_digit) {
                    out.push(d);
                    chars.next();
                }
                out.push('乗');
                prev = Some('乗');
                continue;
            }
            if is_vulgar_fraction(c) {
                // 1½ → 1と1⁄2 (NFKC would make it 11⁄2).
                run.push('と');
            }
        }
        let replacement = if c.is_control() || c.is_whitespace() {
            Some(" ")
        } else if is_invisible(c) {
            Some("")
        } else {
            tables::nfkc_trap(c)
        };
        match replacement {
            Some(r) => {
                flush_nfkc(&mut out, &mut run);
                out.push_str(r);
            }
            None => run.push(c),
        }
        prev = Some(c);
    }
    flush_nfkc(&mut out, &mut run);
    drop_stray_marks(&out)
}

fn flush_nfkc(out: &mut String, run: &mut String) {
    out.extend(run.nfkc());
    run.clear();
}

fn superscript_digit(c: char) -> Option<char> {
    Some(match c {
        '⁰' => '0',
        '¹' => '1',
        '²' => '2',
        '³' => '3',
        '⁴' => '4',
        '⁵' => '5',
        '⁶' => '6',
        '⁷' => '7',
        '⁸' => '8',
        '⁹' => '9',
        _ => return None,
    })
}

fn is_vulgar_fraction(c: char) -> bool {
    matches!(c, '¼' | '½' | '¾' | '\u{2150}'..='\u{215E}')
}

/// Zero-width and other format characters, private-use and non-characters: nothing to read,
/// and they would split words.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFC}'
        | '\u{E000}'..='\u{F8FF}' | '\u{E0000}'..='\u{E0FFF}' | '\u{F0000}'..='\u{10FFFF}'
        | '\u{FDD0}'..='\u{FDEF}')
        || (c as u32 & 0xFFFE) == 0xFFFE
}

/// Combining marks with no letter to sit on (NFKC turns ¨ into a space and a mark).
fn drop_stray_marks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut base = false;
    for c in text.chars() {
        if is_combining_mark(c) {
            if base {
                out.push(c);
            }
            continue;
        }
        base = c.is_alphanumeric();
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------------------------------
// Symbols and emoji

/// Emoji and decorations are dropped (with the rest of their sequence: skin tones, ZWJ,
/// gender signs), arrows and dashes become a pause, a few math signs are read, and the
/// hyphen-like characters become `-` (and the wave-dash-like ones `〜`) for the number rules.
fn symbols(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut in_emoji = false;
    for (i, &c) in chars.iter().enumerate() {
        if tables::is_emoji_component(c)
            || (in_emoji && (tables::is_emoji_modifier_sign(c) || is_regional_indicator(c)))
        {
            continue;
        }
        in_emoji = false;
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let digits_around =
            prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit());
        match c {
            '~' => out.push('〜'),
            '\u{2010}' | '\u{2011}' | '\u{2043}' | '\u{2212}' | '\u{FE63}' => out.push('-'),
            // 090ー1234ー5678, typed with the long-vowel mark: kept apart from the hyphen
            // (as ＿, which nothing else produces) for `dashed_digit_groups`.
            'ー' if digits_around => out.push(CHOON_DASH),
            // En dash: a range between numbers, a dash elsewhere.
            '–' if digits_around => out.push('〜'),
            '–' => out.push('、'),
            _ => match tables::symbol(c) {
                Some(Symbol::Drop) => in_emoji = true,
                Some(Symbol::Pause) => out.push('、'),
                Some(Symbol::Read(r)) => out.push_str(r),
                None => out.push(c),
            },
        }
    }
    out
}

fn is_regional_indicator(c: char) -> bool {
    matches!(c, '\u{1F1E6}'..='\u{1F1FF}')
}

// ---------------------------------------------------------------------------------------
// Brackets and quotes

static COMPANY: LazyLock<Regex> = LazyLock::new(|| re(r"\((株|有|社|財|同|名|資)\)"));

/// All bracket and quote styles become 「」, which jpreprocess pauses after; `"` pairs
/// alternate open/close; ’ between letters stays an apostrophe; (株) → 株式会社.
fn brackets_and_quotes(text: &str) -> String {
    let text = rewrite(text, &COMPANY, |caps, _, _| {
        let abbr = group(caps, 1);
        tables::COMPANY_TYPES
            .iter()
            .find(|(a, _)| *a == abbr)
            .map(|(_, full)| (*full).to_owned())
    });
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut quote_open = false;
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let between_letters =
            prev.is_some_and(is_latin_letter) && next.is_some_and(is_latin_letter);
        match c {
            '"' => {
                out.push(if quote_open { '」' } else { '「' });
                quote_open = !quote_open;
            }
            '‘' | '’' if between_letters => out.push('\''),
            '‘' => out.push('「'),
            '’' => out.push('」'),
            '`' => {}
            _ => out.push(tables::bracket(c).unwrap_or(c)),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Repeated punctuation

static REPEATED: LazyLock<Regex> = LazyLock::new(|| {
    re(r"[!?]{2,}|(?:…|\.\.+|・・+)+|、{2,}|,{2,}|。{2,}|ー{2,}|〜{2,}|ッ{2,}|っ{2,}|-{2,}")
});

/// ！！ → ！, ！？ → ？ (the question intonation wins), ... and ・・・ → …, ーー → ー,
/// -- → a pause.
fn repeated_punctuation(text: &str) -> String {
    rewrite(text, &REPEATED, |caps, _, _| {
        let m = group(caps, 0);
        let first = first_char(m)?;
        Some(
            match first {
                '!' | '?' if m.contains('?') => "?",
                '!' | '?' => "!",
                '…' | '.' | '・' => "…",
                '-' => "、",
                _ => return Some(first.to_string()),
            }
            .to_owned(),
        )
    })
}

// ---------------------------------------------------------------------------------------
// Numbers

fn numbers(text: &str) -> String {
    let s = thousands_separators(text);
    let s = currency(&s);
    let s = dashed_digit_groups(&s);
    let s = phone_numbers(&s);
    let s = dates(&s);
    let s = times_and_ratios(&s);
    let s = addresses(&s);
    let s = fractions(&s);
    let s = ranges(&s);
    let s = signs(&s);
    units(&s)
}

static THOUSANDS: LazyLock<Regex> = LazyLock::new(|| re(r"\d{1,3}(?:,\d{3})+"));
static THOUSANDS_TOUTEN: LazyLock<Regex> = LazyLock::new(|| re(r"\d{1,3}(?:、\d{3})+"));

/// 1,000,000 → 1000000 (2,3個 is a list and stays). Japanese text also writes the separator
/// as 、 (1、000名, 29、002フィート); there a list of three-digit numbers (100、200) is as
/// likely, so 、 is read as a separator only when a group after it starts with 0 or the first
/// group is shorter than three digits (1、500).
fn thousands_separators(text: &str) -> String {
    let s = rewrite(text, &THOUSANDS, |caps, before, after| {
        let glued = last_char(before).is_some_and(|c| c.is_ascii_digit() || c == ',')
            || first_char(after).is_some_and(|c| c.is_ascii_digit())
            || (after.starts_with(',') && after[1..].starts_with(|c: char| c.is_ascii_digit()));
        (!glued).then(|| group(caps, 0).replace(',', ""))
    });
    rewrite(&s, &THOUSANDS_TOUTEN, |caps, before, after| {
        let mut back = before.chars().rev();
        let glued = last_char(before).is_some_and(|c| c.is_ascii_digit())
            || (back.next() == Some('、') && back.next().is_some_and(|c| c.is_ascii_digit()))
            || first_char(after).is_some_and(|c| c.is_ascii_digit())
            || (after.starts_with('、')
                && after['、'.len_utf8()..].starts_with(|c: char| c.is_ascii_digit()));
        let all = group(caps, 0);
        let mut groups = all.split('、');
        let first = groups.next().unwrap_or_default();
        let separator = first.len() < 3 || groups.any(|g| g.starts_with('0'));
        (!glued && separator).then(|| all.replace('、', ""))
    })
}

/// ー between digits, as `symbols` leaves it.
const CHOON_DASH: char = '＿';

static DASHED_DIGITS: LazyLock<Regex> = LazyLock::new(|| re(r"\d{2,4}(?:＿\d{2,4})+"));

/// Digit groups joined by ー: 486ー2435, 212ー836ー1725. ー after a digit cannot lengthen a
/// vowel, and a range is written with 〜 or -, so three groups, or a group of 2-3 digits and
/// one of 4 (a local number), are read digit by digit, a pause per group, as phone numbers
/// are. Other ー between digits (1990ー2000) become the hyphen the later rules know.
fn dashed_digit_groups(text: &str) -> String {
    let s = rewrite(text, &DASHED_DIGITS, |caps, before, after| {
        if glued_before(before) || glued_after(after) {
            return None;
        }
        let groups: Vec<&str> = group(caps, 0).split(CHOON_DASH).collect();
        let phone = match groups[..] {
            [a, b] => (2..=3).contains(&a.len()) && b.len() == 4,
            _ => groups.len() >= 3,
        };
        phone.then(|| {
            let read: Vec<String> = groups.iter().map(|g| read_digits(g)).collect();
            read.join("、")
        })
    });
    s.replace(CHOON_DASH, "-")
}

static CURRENCY_BEFORE: LazyLock<Regex> =
    LazyLock::new(|| re(r"([¥$€£₩₹₽\\]) ?(\d+(?:\.\d+)?)( ?(?:万|億|兆|千|百))?(\.?-)?"));
static CURRENCY_AFTER: LazyLock<Regex> = LazyLock::new(|| re(r"(\d+(?:\.\d+)?) ?([€$])"));

/// ¥1000 → 1000円, $100 → 100ドル, €5 and 5€ → 5ユーロ; ¥1,000- (price style) drops the dash,
/// ¥1000-¥2000 is a range.
fn currency(text: &str) -> String {
    let s = rewrite(text, &CURRENCY_BEFORE, |caps, before, after| {
        if last_char(before).is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
        let sign = first_char(group(caps, 1))?;
        let name = tables::currency(sign)?;
        let amount = group(caps, 2);
        let scale = group(caps, 3).trim_start();
        let range = !group(caps, 4).is_empty()
            && first_char(after)
                .is_some_and(|c| c.is_ascii_digit() || tables::currency(c).is_some());
        Some(format!(
            "{amount}{scale}{name}{}",
            if range { "から" } else { "" }
        ))
    });
    rewrite(&s, &CURRENCY_AFTER, |caps, before, after| {
        if glued_before(before) || first_char(after).is_some_and(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        let name = tables::currency(first_char(group(caps, 2))?)?;
        Some(format!("{}{name}", group(caps, 1)))
    })
}

static PHONE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(\+\d{1,3}[- ]?)?(\(0?\d{1,4}\) ?|0?\d{1,4}-)(\d{1,4})-(\d{3,4})"));
static POSTAL: LazyLock<Regex> = LazyLock::new(|| re(r"〒 ?(\d{3})-(\d{4})"));

/// 090-1234-5678 → ゼロキューゼロ、イチニーサンヨン、ゴーロクナナハチ: digit by digit with a
/// pause per group, as phone numbers are said. Domestic numbers start with 0 and have 10 or
/// 11 digits; +81-90-… style numbers are read the same after the country code. 〒100-0001
/// is read the same way after 郵便番号.
fn phone_numbers(text: &str) -> String {
    let s = rewrite(text, &PHONE, |caps, before, after| {
        if glued_before(before) || glued_after(after) {
            return None;
        }
        let country = group(caps, 1);
        let groups: Vec<&str> = [group(caps, 2), group(caps, 3), group(caps, 4)]
            .into_iter()
            .map(|g| g.trim_matches(|c: char| !c.is_ascii_digit()))
            .collect();
        let digits: usize = groups.iter().map(|g| g.len()).sum();
        let ok = if country.is_empty() {
            groups[0].starts_with('0') && (10..=11).contains(&digits)
        } else {
            (9..=11).contains(&digits)
        };
        if !ok {
            return None;
        }
        let mut parts: Vec<String> = Vec::new();
        if !country.is_empty() {
            let code = country.trim_matches(|c: char| !c.is_ascii_digit());
            parts.push(format!("プラス{}", read_digits(code)));
        }
        parts.extend(groups.iter().map(|g| read_digits(g)));
        Some(parts.join("、"))
    });
    rewrite(&s, &POSTAL, |caps, _, after| {
        if glued_after(after) {
            return None;
        }
        Some(format!(
            "郵便番号、{}、{}",
            read_digits(group(caps, 1)),
            read_digits(group(caps, 2))
        ))
    })
}

fn read_digits(digits: &str) -> String {
    digits
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| tables::PHONE_DIGITS[(b - b'0') as usize])
        .collect()
}

static YMD: LazyLock<Regex> = LazyLock::new(|| re(r"(\d{4})([/.\-])(\d{1,2})([/.\-])(\d{1,2})"));
static YM: LazyLock<Regex> = LazyLock::new(|| re(r"(\d{4})/(\d{1,2})"));
static MD: LazyLock<Regex> = LazyLock::new(|| re(r"(\d{1,2})/(\d{1,2})"));

/// 2024/3/15, 2024-03-15, 2024.3.15 → 2024年3月15日; 2024/3 → 2024年3月. A bare M/D is a
/// date when a weekday follows (3/15(金)), when D cannot be a month (3/15), or when M ≥ D
/// (12/10, 1/1); otherwise it is left for the fraction rule (3/4 → 4ぶんの3).
fn dates(text: &str) -> String {
    let s = rewrite(text, &YMD, |caps, before, after| {
        if glued_before(before) || glued_after(after) || group(caps, 2) != group(caps, 4) {
            return None;
        }
        let (y, m, d) = (num(caps, 1)?, num(caps, 3)?, num(caps, 5)?);
        valid_date(m, d).then(|| format!("{y}年{m}月{d}日"))
    });
    let s = rewrite(&s, &YM, |caps, before, after| {
        if glued_before(before) || glued_after(after) {
            return None;
        }
        let (y, m) = (num(caps, 1)?, num(caps, 2)?);
        ((1000..3000).contains(&y) && (1..=12).contains(&m)).then(|| format!("{y}年{m}月"))
    });
    rewrite(&s, &MD, |caps, before, after| {
        if glued_before(before) || glued_after(after) {
            return None;
        }
        let (m, d) = (num(caps, 1)?, num(caps, 2)?);
        let date = valid_date(m, d) && (weekday_follows(after) || d >= 13 || m >= d);
        date.then(|| format!("{m}月{d}日"))
    })
}

fn valid_date(m: u32, d: u32) -> bool {
    (1..=12).contains(&m) && (1..=31).contains(&d)
}

/// `(金)`, `(金曜日)` right after a date.
fn weekday_follows(after: &str) -> bool {
    let mut it = after.trim_start().chars();
    it.next() == Some('(') && it.next().is_some_and(|c| "月火水木金土日".contains(c))
}

static TIME: LazyLock<Regex> =
    LazyLock::new(|| re(r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?: ?([AaPp])\.?[Mm]\.?)?"));
static RATIO: LazyLock<Regex> = LazyLock::new(|| re(r"(\d+):(\d+)"));

/// 9:30 → 9時30分, 9:05:07 → 9時5分7秒, 9:00 → 9時, 7:30pm → 午後7時30分; other N:M (16:9,
/// scores 3:2) → N対M.
fn times_and_ratios(text: &str) -> String {
    let s = rewrite(text, &TIME, |caps, before, after| {
        if last_char(before).is_some_and(|c| c.is_ascii_digit() || c == ':')
            || first_char(after).is_some_and(|c| c.is_ascii_alphanumeric() || c == ':')
        {
            return None;
        }
        let (h, m) = (num(caps, 1)?, num(caps, 2)?);
        let s = caps.get(3).map(|_| num(caps, 3)).unwrap_or(Some(0))?;
        let half = group(caps, 4).to_ascii_lowercase();
        let max_hour = if half.is_empty() { 30 } else { 12 };
        if h > max_hour || m > 59 || s > 59 {
            return None;
        }
        let mut out = String::from(match half.as_str() {
            "a" => "午前",
            "p" => "午後",
            _ => "",
        });
        out.push_str(&format!("{h}時"));
        if m > 0 || caps.get(3).is_some() {
            out.push_str(&format!("{m}分"));
        }
        if caps.get(3).is_some() {
            out.push_str(&format!("{s}秒"));
        }
        Some(out)
    });
    rewrite(&s, &RATIO, |caps, before, after| {
        if last_char(before).is_some_and(|c| c.is_ascii_digit() || c == ':')
            || first_char(after).is_some_and(|c| c.is_ascii_digit() || c == ':')
        {
            return None;
        }
        Some(format!("{}対{}", group(caps, 1), group(caps, 2)))
    })
}

static ADDRESS: LazyLock<Regex> = LazyLock::new(|| re(r"(\d{1,4})-(\d{1,4})-(\d{1,4})"));

/// Block numbers in addresses: 1-2-3 → 1の2の3 (phone numbers and dates went first).
fn addresses(text: &str) -> String {
    rewrite(text, &ADDRESS, |caps, before, after| {
        if glued_before(before) || glued_after(after) || first_char(after) == Some('-') {
            return None;
        }
        Some(format!(
            "{}の{}の{}",
            group(caps, 1),
            group(caps, 2),
            group(caps, 3)
        ))
    })
}

static KANJI_FRACTION: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(\d+|[〇一二三四五六七八九十百千万]+)分の(\d|[〇一二三四五六七八九十百千万])")
});
static FRACTION: LazyLock<Regex> = LazyLock::new(|| re(r"(\d+) ?[/⁄] ?(\d+)"));

/// 3/4 → 4ぶんの3. jpreprocess reads 分 in 4分の3 as the minute (ヨンプンノ), so the
/// written-out form is fixed too; ぶん in kana it reads right.
fn fractions(text: &str) -> String {
    let s = rewrite(text, &KANJI_FRACTION, |caps, _, _| {
        Some(format!("{}ぶんの{}", group(caps, 1), group(caps, 2)))
    });
    rewrite(&s, &FRACTION, |caps, before, after| {
        if glued_before(before)
            || last_char(before).is_some_and(is_latin_letter)
            || first_char(after).is_some_and(|c| c.is_ascii_digit() || c == '/')
        {
            return None;
        }
        let (n, d) = (group(caps, 1), group(caps, 2));
        if d.bytes().all(|b| b == b'0') {
            return None;
        }
        Some(format!("{d}ぶんの{n}"))
    })
}

static WEEKDAY_RANGE: LazyLock<Regex> =
    LazyLock::new(|| re(r"([月火水木金土日]) ?〜 ?([月火水木金土日])(曜日|曜)?"));
static HYPHEN_RANGE: LazyLock<Regex> = LazyLock::new(|| re(r"(\d+(?:\.\d+)?) ?- ?(\d+(?:\.\d+)?)"));

/// 2〜3個 → 2から3個, 10時〜12時 → 10時から12時, 月〜金 → 月曜から金曜, 3-5人 → 3から5人;
/// a wave dash after kana lengthens the vowel (ありがと〜 → ありがとー).
fn ranges(text: &str) -> String {
    let s = rewrite(text, &WEEKDAY_RANGE, |caps, before, _| {
        if last_char(before).is_some_and(|c| c.is_ascii_digit() || is_kanji(c)) {
            return None;
        }
        let suffix = match group(caps, 3) {
            "" => "曜",
            s => s,
        };
        Some(format!(
            "{}{suffix}から{}{suffix}",
            group(caps, 1),
            group(caps, 2)
        ))
    });
    let s = rewrite(&s, &HYPHEN_RANGE, |caps, before, after| {
        // Only before a counter or unit (3-5人, 10-20km), so IDs and scores stay.
        let counter = first_char(after).is_some_and(|c| {
            is_kanji(c) || matches!(c, '\u{30A0}'..='\u{30FF}') || c.is_ascii_lowercase()
        });
        if glued_before(before) || !counter {
            return None;
        }
        Some(format!("{}から{}", group(caps, 1), group(caps, 2)))
    });
    wave_dashes(&s)
}

fn wave_dashes(text: &str) -> String {
    if !text.contains('〜') {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if c != '〜' {
            out.push(c);
            continue;
        }
        let prev = chars[..i].iter().rev().find(|c| **c != ' ').copied();
        let next = chars[i + 1..].iter().find(|c| **c != ' ').copied();
        let next_is_number =
            next.is_some_and(|n| n.is_ascii_digit() || tables::currency(n).is_some());
        match prev {
            Some(p) if is_word_char(p) => out.push_str(if next_is_number {
                "から"
            } else if is_kana(p) {
                "ー"
            } else {
                "から"
            }),
            _ => {}
        }
    }
    out
}

static MINUS: LazyLock<Regex> = LazyLock::new(|| re(r"-(\d)"));
static PLUS: LazyLock<Regex> = LazyLock::new(|| re(r"\+(\d)"));
static EQUALS: LazyLock<Regex> = LazyLock::new(|| re(r" ?= ?"));
static NUMBER_SIGN: LazyLock<Regex> = LazyLock::new(|| re(r"(?:[Nn][Oo]\.|#) ?(\d)"));

/// -5 → マイナス5, +3 → プラス3 (where they are signs, not 1-2 or 1+2), x=5 → xイコール5,
/// No.1 / #1 → ナンバー1.
fn signs(text: &str) -> String {
    let sign_position = |before: &str| {
        !last_char(before)
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, ')' | '.' | '-' | '+'))
    };
    let s = rewrite(text, &MINUS, |caps, before, _| {
        sign_position(before).then(|| format!("マイナス{}", group(caps, 1)))
    });
    let s = rewrite(&s, &PLUS, |caps, before, _| {
        sign_position(before).then(|| format!("プラス{}", group(caps, 1)))
    });
    let s = rewrite(&s, &EQUALS, |_, before, after| {
        let operand = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || is_kanji(c));
        (operand(last_char(before)) && operand(first_char(after))).then(|| "イコール".to_owned())
    });
    rewrite(&s, &NUMBER_SIGN, |caps, before, _| {
        (!last_char(before).is_some_and(|c| c.is_ascii_alphanumeric()))
            .then(|| format!("ナンバー{}", group(caps, 1)))
    })
}

static UNIT: LazyLock<Regex> = LazyLock::new(|| {
    let mut units: Vec<&str> = tables::UNITS.iter().map(|(u, _)| *u).collect();
    units.sort_by_key(|u| std::cmp::Reverse(u.len()));
    let alternation: Vec<String> = units.iter().map(|u| regex::escape(u)).collect();
    re(&format!(r"(\d+(?:\.\d+)?) ?({})", alternation.join("|")))
});

/// 5km → 5キロメートル, 30℃ → 30度, 10m² → 10平方メートル, 100km/h → 時速100キロ, 50% →
/// 50パーセント. Only right after a number, and not when a letter or digit follows the unit.
fn units(text: &str) -> String {
    rewrite(text, &UNIT, |caps, before, after| {
        if last_char(before)
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || is_latin_letter(c))
            || first_char(after).is_some_and(|c| c.is_ascii_alphanumeric())
        {
            return None;
        }
        let n = group(caps, 1);
        let unit = group(caps, 2);
        let (_, reading) = tables::UNITS.iter().find(|(u, _)| *u == unit)?;
        Some(match reading {
            UnitReading::After(r) => format!("{n}{r}"),
            UnitReading::Around(pre, r) => format!("{pre}{n}{r}"),
        })
    })
}

// ---------------------------------------------------------------------------------------
// Spaces

/// Spaces are pauses to jpreprocess, and a space between Japanese words also makes it voice
/// the next word (今日は 晴れ → バレ). Between Japanese words (or numbers) a space becomes
/// 、; next to a Latin word it goes (Rust で → Rustで); between two Latin words it stays; at
/// the ends or beside punctuation it goes.
fn spaces(text: &str) -> String {
    if !text.contains(' ') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut pending = false;
    for c in text.chars() {
        if c == ' ' {
            pending = true;
            continue;
        }
        if pending {
            pending = false;
            if let Some(p) = last_char(&out) {
                if is_word_char(p) && is_word_char(c) {
                    let latin = |c: char| is_latin_letter(c);
                    if latin(p) && latin(c) {
                        out.push(' ');
                    } else if !latin(p) && !latin(c) {
                        out.push('、');
                    }
                }
            }
        }
        out.push(c);
    }
    out
}

/// Collapses the pauses the passes may have stacked (、、 or 、 next to 。).
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '、'
            && last_char(&out)
                .is_some_and(|p| matches!(p, '、' | '。' | '!' | '?' | '「' | '」' | '…'))
        {
            continue;
        }
        if matches!(c, '。' | '!' | '?' | '」' | '…') && out.ends_with('、') {
            out.pop();
        }
        out.push(c);
    }
    let trimmed = out.trim_matches(|c: char| c == ' ' || c == '、');
    if trimmed.len() == out.len() {
        out
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests;
