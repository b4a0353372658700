//! Latin-script words → katakana (or hiragana for romaji), so jpreprocess does not spell
//! unknown words letter by letter (Rust → アールユーエスティー).
//!
//! Order of preference for a word: the curated table ([`super::words`]), then the dictionary
//! itself when the caller can ask it (it reads Windows, Hello, NHK with their accents), then
//! acronyms letter by letter, then romaji (sakura → さくら), and last a rule-based
//! English-to-katakana approximation (docker → ドッカー).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

use super::tables::letter;
use super::words::{EXACT, WORDS};
use super::{is_latin_letter, rewrite};

/// A word: Latin letters, with inner apostrophes or hyphens (don't, Wi-Fi).
static WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\p{Latin}+(?:['’\-]\p{Latin}+)*").expect("static pattern"));

static EXACT_MAP: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| EXACT.iter().copied().collect());
static WORDS_MAP: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| WORDS.iter().copied().collect());

/// Words longer than this are not looked up in the dictionary (no entry is that long, and a
/// pathological input should not make the lookup slow).
const MAX_LOOKUP_CHARS: usize = 40;

/// Rewrites every Latin word in `text`. `known` says whether the dictionary reads a word as
/// a word (rather than spelling it); each distinct word is asked about once.
pub(super) fn words(text: &str, known: &dyn Fn(&str) -> bool) -> String {
    let mut cache: HashMap<&str, String> = HashMap::new();
    rewrite(text, &WORD, |caps, before, after| {
        let word = caps.get(0)?.as_str();
        if is_laughter(word, before, after) {
            return Some(String::new());
        }
        if let Some(reading) = cache.get(word) {
            return Some(reading.clone());
        }
        let reading = read_word(word, known);
        cache.insert(word, reading.clone());
        Some(reading)
    })
}

/// `www` / `草w` (Japanese internet laughter): not a word to read out.
fn is_laughter(word: &str, before: &str, after: &str) -> bool {
    if !word.chars().all(|c| c == 'w' || c == 'ｗ') {
        return false;
    }
    let japanese_before = before
        .chars()
        .next_back()
        .is_some_and(|c| !c.is_ascii() && !is_latin_letter(c));
    let ends = after.chars().next().is_none_or(|c| !is_latin_letter(c));
    word.chars().count() >= 2 || (japanese_before && ends)
}

/// The reading of one word (as written: case matters for acronyms).
fn read_word(word: &str, known: &dyn Fn(&str) -> bool) -> String {
    let word = fold_to_ascii(word);
    if word.is_empty() {
        return String::new();
    }
    if let Some(r) = lookup(&word) {
        return r.to_owned();
    }
    let lookup_ok = word.chars().count() <= MAX_LOOKUP_CHARS;
    if lookup_ok && known(&word) {
        return word;
    }
    if word.contains('-') {
        return word
            .split('-')
            .filter(|p| !p.is_empty())
            .map(|p| read_word(p, known))
            .collect();
    }
    let word: String = word.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    if word.is_empty() {
        return word;
    }
    let lower = word.to_ascii_lowercase();
    let has_vowel = lower.bytes().any(|b| b"aeiouy".contains(&b));
    let all_caps = word.bytes().all(|b| b.is_ascii_uppercase());
    if all_caps {
        // SHOUTED words (HELLO, FREE) as words; NHK, XYZ, GPT letter by letter.
        if word.len() >= 4 && has_vowel {
            if let Some(r) = WORDS_MAP.get(lower.as_str()) {
                return (*r).to_owned();
            }
            let capitalized = capitalize(&lower);
            if lookup_ok && known(&capitalized) {
                return capitalized;
            }
        }
        return spell(&word);
    }
    let parts = camel_parts(&word);
    if parts.len() > 1 {
        return parts.iter().map(|p| read_word(p, known)).collect();
    }
    // Dictionary entries are capitalized (Computer, Hello), the text may not be.
    if word.bytes().all(|b| b.is_ascii_lowercase()) {
        let capitalized = capitalize(&word);
        if lookup_ok && known(&capitalized) {
            return capitalized;
        }
    }
    if word.len() == 1 || !has_vowel {
        return spell(&word);
    }
    romaji(&lower).unwrap_or_else(|| approximate(&lower))
}

/// The curated readings: exact case first, then case-insensitive for words that are not
/// short all-capital acronyms (IT is アイティー, It is イット).
fn lookup(word: &str) -> Option<&'static str> {
    if let Some(r) = EXACT_MAP.get(word) {
        return Some(r);
    }
    let letters = word.chars().filter(|c| c.is_ascii_alphabetic()).count();
    let all_caps = word
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .all(|c| c.is_ascii_uppercase());
    if all_caps && letters <= 3 {
        return None;
    }
    let lower = word.to_ascii_lowercase().replace('’', "'");
    WORDS_MAP.get(lower.as_str()).copied()
}

/// café → cafe, straße → strasse; other non-ASCII letters are dropped. Apostrophes become '.
fn fold_to_ascii(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.nfd() {
        match c {
            'a'..='z' | 'A'..='Z' | '-' | '\'' => out.push(c),
            '’' => out.push('\''),
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'Æ' => out.push_str("AE"),
            'œ' => out.push_str("oe"),
            'Œ' => out.push_str("OE"),
            'ø' => out.push('o'),
            'Ø' => out.push('O'),
            'ł' => out.push('l'),
            'Ł' => out.push('L'),
            'đ' | 'ð' => out.push('d'),
            'Đ' | 'Ð' => out.push('D'),
            'þ' => out.push_str("th"),
            'ı' => out.push('i'),
            _ => {}
        }
    }
    out
}

fn capitalize(lower: &str) -> String {
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Letter by letter: NHK → エヌエイチケー.
fn spell(word: &str) -> String {
    word.chars().filter_map(letter).collect()
}

/// GitHub → Git, Hub; XMLParser → XML, Parser; macOS → mac, OS.
fn camel_parts(word: &str) -> Vec<&str> {
    let b = word.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    for i in 1..b.len() {
        let lower_to_upper = b[i - 1].is_ascii_lowercase() && b[i].is_ascii_uppercase();
        let acronym_end = b[i - 1].is_ascii_uppercase()
            && b[i].is_ascii_uppercase()
            && b.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
        if lower_to_upper || acronym_end {
            parts.push(&word[start..i]);
            start = i;
        }
    }
    parts.push(&word[start..]);
    parts
}

// ---------------------------------------------------------------------------------------
// Romaji

/// Hepburn/kunrei syllables, longest first within each starting letter.
const ROMAJI: &[(&str, &str)] = &[
    ("kya", "きゃ"),
    ("kyu", "きゅ"),
    ("kyo", "きょ"),
    ("sha", "しゃ"),
    ("shi", "し"),
    ("shu", "しゅ"),
    ("she", "しぇ"),
    ("sho", "しょ"),
    ("cha", "ちゃ"),
    ("chi", "ち"),
    ("chu", "ちゅ"),
    ("che", "ちぇ"),
    ("cho", "ちょ"),
    ("tsu", "つ"),
    ("nya", "にゃ"),
    ("nyu", "にゅ"),
    ("nyo", "にょ"),
    ("hya", "ひゃ"),
    ("hyu", "ひゅ"),
    ("hyo", "ひょ"),
    ("mya", "みゃ"),
    ("myu", "みゅ"),
    ("myo", "みょ"),
    ("rya", "りゃ"),
    ("ryu", "りゅ"),
    ("ryo", "りょ"),
    ("gya", "ぎゃ"),
    ("gyu", "ぎゅ"),
    ("gyo", "ぎょ"),
    ("jya", "じゃ"),
    ("jyu", "じゅ"),
    ("jyo", "じょ"),
    ("bya", "びゃ"),
    ("byu", "びゅ"),
    ("byo", "びょ"),
    ("pya", "ぴゃ"),
    ("pyu", "ぴゅ"),
    ("pyo", "ぴょ"),
    ("ka", "か"),
    ("ki", "き"),
    ("ku", "く"),
    ("ke", "け"),
    ("ko", "こ"),
    ("sa", "さ"),
    ("si", "し"),
    ("su", "す"),
    ("se", "せ"),
    ("so", "そ"),
    ("ta", "た"),
    ("ti", "ち"),
    ("tu", "つ"),
    ("te", "て"),
    ("to", "と"),
    ("na", "な"),
    ("ni", "に"),
    ("nu", "ぬ"),
    ("ne", "ね"),
    ("no", "の"),
    ("ha", "は"),
    ("hi", "ひ"),
    ("hu", "ふ"),
    ("fu", "ふ"),
    ("he", "へ"),
    ("ho", "ほ"),
    ("fa", "ふぁ"),
    ("fi", "ふぃ"),
    ("fe", "ふぇ"),
    ("fo", "ふぉ"),
    ("ma", "ま"),
    ("mi", "み"),
    ("mu", "む"),
    ("me", "め"),
    ("mo", "も"),
    ("ya", "や"),
    ("yu", "ゆ"),
    ("yo", "よ"),
    ("ra", "ら"),
    ("ri", "り"),
    ("ru", "る"),
    ("re", "れ"),
    ("ro", "ろ"),
    ("wa", "わ"),
    ("wo", "を"),
    ("ga", "が"),
    ("gi", "ぎ"),
    ("gu", "ぐ"),
    ("ge", "げ"),
    ("go", "ご"),
    ("za", "ざ"),
    ("zi", "じ"),
    ("ji", "じ"),
    ("zu", "ず"),
    ("ze", "ぜ"),
    ("zo", "ぞ"),
    ("ja", "じゃ"),
    ("ju", "じゅ"),
    ("je", "じぇ"),
    ("jo", "じょ"),
    ("da", "だ"),
    ("di", "ぢ"),
    ("du", "づ"),
    ("de", "で"),
    ("do", "ど"),
    ("ba", "ば"),
    ("bi", "び"),
    ("bu", "ぶ"),
    ("be", "べ"),
    ("bo", "ぼ"),
    ("pa", "ぱ"),
    ("pi", "ぴ"),
    ("pu", "ぷ"),
    ("pe", "ぺ"),
    ("po", "ぽ"),
    ("a", "あ"),
    ("i", "い"),
    ("u", "う"),
    ("e", "え"),
    ("o", "お"),
];

/// Spellings that only romanized Japanese has (English has tsunami from Japanese anyway).
const ROMAJI_MARKERS: &[&str] = &[
    "tsu", "shi", "chi", "ky", "ry", "ny", "hy", "my", "gy", "by", "py", "fu", "ji", "uu", "ii",
    "aa",
];

/// Romanized Japanese → hiragana, when the word is plainly romaji: every letter parses as a
/// syllable, it does not end in e (make, rose), and it either has a spelling only romaji has
/// or three syllables or more (sakura, tanaka). English words that pass still read closely
/// (banana ばなな, video びでお).
fn romaji(word: &str) -> Option<String> {
    if word.len() < 4 || word.ends_with('e') {
        return None;
    }
    let b = word.as_bytes();
    let mut out = String::new();
    let mut syllables = 0;
    let mut marker = ROMAJI_MARKERS.iter().any(|m| word.contains(m));
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        // Moraic n: before a consonant (not y), an apostrophe or the end.
        if c == b'n' && next.is_none_or(|n| !b"aeiouy".contains(&n)) {
            out.push('ん');
            if next.is_some() {
                marker = true;
            }
            i += 1;
            continue;
        }
        // Geminate: a doubled consonant, or t before ch.
        if !b"aeioun".contains(&c)
            && (next == Some(c) || (c == b't' && next == Some(b'c')))
            && b.get(i + 2).is_some()
        {
            out.push('っ');
            marker = true;
            i += 1;
            continue;
        }
        let rest = &word[i..];
        let (latin, kana) = ROMAJI.iter().find(|(l, _)| rest.starts_with(l))?;
        out.push_str(kana);
        syllables += 1;
        i += latin.len();
    }
    (marker || syllables >= 3).then_some(out)
}

// ---------------------------------------------------------------------------------------
// English approximation

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum V {
    A,
    I,
    U,
    E,
    O,
    /// ユ after a consonant: ミュ, キュ.
    Yu,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Cons(&'static str),
    /// A vowel sound and what follows it in katakana (ー for long, イ for a diphthong).
    Vowel(V, &'static str),
    /// ッ.
    Geminate,
}

fn is_vowel_letter(b: u8) -> bool {
    b"aeiou".contains(&b)
}

/// y is a consonant at the start of a word or syllable before a vowel (yes, beyond).
fn is_vowel_at(w: &[u8], i: usize) -> bool {
    match w.get(i) {
        Some(&b'y') => !(w.get(i + 1).copied().is_some_and(is_vowel_letter)),
        Some(&c) => is_vowel_letter(c),
        None => false,
    }
}

/// A rough English spelling → katakana: enough that an unknown word sounds like itself
/// rather than like its letters (server サーバー, docker ドッカー, make メイク).
fn approximate(word: &str) -> String {
    let w = word.as_bytes();
    let units = english_units(w);
    render(&units)
}

fn english_units(w: &[u8]) -> Vec<Unit> {
    use Unit::{Cons, Geminate, Vowel};
    let n = w.len();
    let vowel_count = (0..n).filter(|&i| is_vowel_at(w, i)).count();
    let mut units: Vec<Unit> = Vec::with_capacity(n + 4);
    let at = |i: usize, s: &str| w.get(i..i + s.len()) == Some(s.as_bytes());
    let short_vowel_before =
        |units: &Vec<Unit>| matches!(units.last(), Some(Vowel(v, "")) if *v != V::Yu);
    let mut i = 0;
    while i < n {
        let c = w[i];
        let rest_len = n - i;
        if is_vowel_at(w, i) {
            let (unit, len) = english_vowel(w, i, vowel_count);
            if let Some(u) = unit {
                units.push(u);
            }
            i += len;
            continue;
        }
        // Consonants, longest spelling first.
        let next_is_vowel = is_vowel_at(w, i + 1);
        if at(i, "tion") {
            units.extend([Cons("sh"), Vowel(V::O, ""), Cons("n")]);
            i += 4;
        } else if at(i, "sion") {
            units.extend([Cons("j"), Vowel(V::O, ""), Cons("n")]);
            i += 4;
        } else if at(i, "ture") {
            units.extend([Cons("ch"), Vowel(V::A, "ー")]);
            i += 4;
        } else if at(i, "tch") {
            if short_vowel_before(&units) {
                units.push(Geminate);
            }
            units.push(Cons("ch"));
            i += 3;
        } else if at(i, "sch") {
            units.extend([Cons("s"), Cons("k")]);
            i += 3;
        } else if at(i, "ch") {
            units.push(Cons("ch"));
            i += 2;
        } else if at(i, "sh") {
            units.push(Cons("sh"));
            i += 2;
        } else if at(i, "th") {
            units.push(Cons("s"));
            i += 2;
        } else if at(i, "ph") {
            units.push(Cons("f"));
            i += 2;
        } else if at(i, "gh") {
            if i == 0 {
                units.push(Cons("g"));
            }
            i += 2;
        } else if at(i, "ck") {
            if short_vowel_before(&units) {
                units.push(Geminate);
            }
            units.push(Cons("k"));
            i += 2;
        } else if at(i, "ng") && !is_vowel_at(w, i + 2) {
            units.push(Cons("ng"));
            i += 2;
        } else if at(i, "qu") {
            units.push(Cons("kw"));
            i += 2;
        } else if at(i, "wh") {
            units.push(Cons("w"));
            i += 2;
        } else if i == 0 && (at(0, "wr") || at(0, "kn") || at(0, "gn") || at(0, "ps")) {
            // Silent first letter.
            i += 1;
        } else if at(i, "mb") && rest_len == 2 {
            units.push(Cons("m"));
            i += 2;
        } else if at(i, "dg") {
            units.push(Cons("j"));
            i += 2;
        } else if at(i, "ts") && rest_len == 2 {
            units.push(Cons("ts"));
            i += 2;
        } else if c == b'x' {
            if i == 0 {
                units.push(Cons("z"));
            } else {
                if rest_len == 1 && short_vowel_before(&units) {
                    units.push(Geminate);
                }
                units.extend([Cons("k"), Cons("s")]);
            }
            i += 1;
        } else if w.get(i + 1) == Some(&c) && !next_is_vowel {
            // Doubled consonant: geminate after a short vowel for stops and s before a vowel.
            let stop = b"ptkgdbcz".contains(&c) || (c == b's' && is_vowel_at(w, i + 2));
            if stop && short_vowel_before(&units) && i + 2 < n {
                units.push(Geminate);
            }
            units.push(Cons(consonant(c, w.get(i + 2).copied())));
            i += 2;
        } else {
            // A final c/k after a short vowel (magic マジック), and a final t/p after the
            // only (short) vowel (cat キャット, hot ホット), are geminated.
            let final_stop =
                rest_len == 1 && (b"ck".contains(&c) || (b"tp".contains(&c) && vowel_count == 1));
            if final_stop && short_vowel_before(&units) {
                units.push(Geminate);
            }
            let long_vowel_before = matches!(units.last(), Some(Vowel(_, "ー")));
            units.push(Cons(if c == b'g' && i == 0 {
                "g"
            } else if c == b's' && long_vowel_before && next_is_vowel {
                // Voiced between a long vowel and a vowel: music ミュージック, rose ローズ.
                "z"
            } else {
                consonant(c, w.get(i + 1).copied())
            }));
            i += 1;
        }
    }
    units
}

/// One consonant letter, with soft c and g before e, i, y.
fn consonant(c: u8, next: Option<u8>) -> &'static str {
    let soft = next.is_some_and(|n| b"eiy".contains(&n));
    match c {
        b'c' if soft => "s",
        b'c' | b'k' | b'q' => "k",
        b'g' if soft => "j",
        b'g' => "g",
        b's' => "s",
        b'z' => "z",
        b't' => "t",
        b'd' => "d",
        b'n' => "n",
        b'h' => "h",
        b'b' => "b",
        b'v' => "v",
        b'p' => "p",
        b'm' => "m",
        b'r' => "r",
        b'l' => "l",
        b'w' => "w",
        b'y' => "y",
        b'f' => "f",
        b'j' => "j",
        _ => "",
    }
}

/// The vowel (group) at `i`: the unit (None for a silent e) and how many letters it takes.
fn english_vowel(w: &[u8], i: usize, vowel_count: usize) -> (Option<Unit>, usize) {
    use Unit::Vowel;
    let n = w.len();
    let at = |s: &str| w.get(i..i + s.len()) == Some(s.as_bytes());
    let c = w[i];
    let after = |k: usize| w.get(i + k).copied();
    let is_end = |k: usize| i + k >= n;
    let cons_or_end = |k: usize| is_end(k) || !is_vowel_at(w, i + k);
    let prev = i.checked_sub(1).map(|p| w[p]);
    // u after these reads ウー, not ユー (super, rule, june).
    let plain_u = prev.is_some_and(|p| b"jlrs".contains(&p));
    let long_u = if plain_u { V::U } else { V::Yu };

    // R-coloured vowels, with a final silent e (care, more, fire, pure, here).
    if after(1) == Some(b'r') && at_re_end(w, i + 1) {
        let u = match c {
            b'a' => Vowel(V::E, "ア"),
            b'e' => Vowel(V::I, "ア"),
            b'i' | b'y' => Vowel(V::A, "イアー"),
            b'o' => Vowel(V::O, "ア"),
            _ => Vowel(long_u, "ア"),
        };
        return (Some(u), 3);
    }
    for (digraph, unit) in [
        ("air", Vowel(V::E, "ア")),
        ("ear", Vowel(V::I, "ア")),
        ("eer", Vowel(V::I, "ア")),
        ("our", Vowel(V::A, "ワー")),
    ] {
        if at(digraph) && cons_or_end(3) {
            return (Some(unit), 3);
        }
    }
    if after(1) == Some(b'r') && cons_or_end(2) {
        let u = match c {
            b'o' => Vowel(V::O, "ー"),
            _ => Vowel(V::A, "ー"),
        };
        return (Some(u), 2);
    }
    let table: &[(&str, Unit)] = &[
        ("eau", Vowel(V::O, "ー")),
        ("igh", Vowel(V::A, "イ")),
        ("ee", Vowel(V::I, "ー")),
        ("ea", Vowel(V::I, "ー")),
        ("oo", Vowel(V::U, "ー")),
        ("ou", Vowel(V::A, "ウ")),
        ("oa", Vowel(V::O, "ー")),
        ("oi", Vowel(V::O, "イ")),
        ("oy", Vowel(V::O, "イ")),
        ("ai", Vowel(V::E, "イ")),
        ("ay", Vowel(V::E, "イ")),
        ("ei", Vowel(V::E, "イ")),
        ("au", Vowel(V::O, "ー")),
        ("aw", Vowel(V::O, "ー")),
        ("ui", Vowel(V::U, "ー")),
    ];
    for (digraph, unit) in table {
        if at(digraph) {
            return (Some(*unit), digraph.len());
        }
    }
    if at("ow") {
        let u = if is_end(2) {
            Vowel(V::O, "ー")
        } else {
            Vowel(V::A, "ウ")
        };
        return (Some(u), 2);
    }
    if at("ey") {
        let u = if is_end(2) {
            Vowel(V::I, "ー")
        } else {
            Vowel(V::E, "イ")
        };
        return (Some(u), 2);
    }
    if at("ue") || at("ew") {
        return (Some(Vowel(long_u, "ー")), 2);
    }
    if at("ie") {
        let u = if is_end(2) && vowel_count <= 2 {
            Vowel(V::A, "イ")
        } else {
            Vowel(V::I, "ー")
        };
        return (Some(u), 2);
    }
    if at("oe") && is_end(2) {
        return (Some(Vowel(V::O, "ー")), 2);
    }
    // Long before -tion/-sion: station ステーション, motion モーション.
    if w.get(i + 1..i + 5)
        .is_some_and(|t| t == b"tion" || t == b"sion")
    {
        let u = match c {
            b'a' => Vowel(V::E, "ー"),
            b'o' => Vowel(V::O, "ー"),
            b'u' => Vowel(long_u, "ー"),
            b'e' => Vowel(V::E, ""),
            _ => Vowel(V::I, ""),
        };
        return (Some(u), 1);
    }
    // Silent final e (make, rose), unless it is the only vowel (be, he are in the table).
    if c == b'e' && is_end(1) && vowel_count > 1 {
        return (None, 1);
    }
    if c == b'y' {
        let u = if vowel_count == 1 {
            Vowel(V::A, "イ") // my, fly, sky
        } else if is_end(1) {
            Vowel(V::I, "ー") // happy, copy
        } else {
            Vowel(V::I, "")
        };
        return (Some(u), 1);
    }
    if magic_e(w, i) {
        let u = match c {
            b'a' => Vowel(V::E, "イ"),
            b'e' => Vowel(V::I, "ー"),
            b'i' => Vowel(V::A, "イ"),
            b'o' => Vowel(V::O, "ー"),
            _ => Vowel(long_u, "ー"),
        };
        return (Some(u), 1);
    }
    let u = match c {
        b'a' => Vowel(V::A, ""),
        b'e' => Vowel(V::E, ""),
        b'i' => Vowel(V::I, ""),
        b'o' => Vowel(V::O, ""),
        // u in a closed syllable is the vowel of cut, bus (カット, バス).
        _ if cons_or_end(1) && (is_end(1) || cons_or_end(2)) => Vowel(V::A, ""),
        _ => Vowel(long_u, "ー"),
    };
    (Some(u), 1)
}

/// `r` at `r_at` followed by a final e (or es/ed): care, mores, fired.
fn at_re_end(w: &[u8], r_at: usize) -> bool {
    let tail = &w[r_at + 1..];
    tail == b"e" || tail == b"es" || tail == b"ed"
}

/// A vowel made long by a final silent e after one consonant: make, time, home, cute.
fn magic_e(w: &[u8], i: usize) -> bool {
    let Some(&c) = w.get(i + 1) else {
        return false;
    };
    if is_vowel_at(w, i + 1) || b"wxyr".contains(&c) {
        return false;
    }
    let tail = &w[i + 2..];
    tail == b"e" || tail == b"es" || tail == b"ed"
}

fn render(units: &[Unit]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < units.len() {
        match units[i] {
            Unit::Geminate => {
                out.push('ッ');
                i += 1;
            }
            Unit::Vowel(v, tail) => {
                out.push_str(syllable("", v));
                out.push_str(tail);
                i += 1;
            }
            Unit::Cons(c) => match units.get(i + 1) {
                Some(Unit::Vowel(v, tail)) => {
                    // k/g + short a in a closed syllable: cat キャ, gap ギャ.
                    let closed = matches!(units.get(i + 2), Some(Unit::Cons(_) | Unit::Geminate));
                    if *v == V::A && tail.is_empty() && closed && (c == "k" || c == "g") {
                        out.push_str(if c == "k" { "キャ" } else { "ギャ" });
                    } else {
                        out.push_str(syllable(c, *v));
                    }
                    out.push_str(tail);
                    i += 2;
                }
                next => {
                    let before_labial = matches!(next, Some(Unit::Cons("b" | "p" | "m")));
                    let after_vowel = i > 0 && matches!(units[i - 1], Unit::Vowel(..));
                    out.push_str(match c {
                        "m" if before_labial => "ン",
                        "h" if after_vowel && next.is_none() => "ー",
                        _ => final_consonant(c),
                    });
                    i += 1;
                }
            },
        }
    }
    out
}

/// Consonant + vowel → katakana (v is read as b, l as r: the usual loanword forms).
fn syllable(c: &str, v: V) -> &'static str {
    let row: [&'static str; 6] = match c {
        "" => ["ア", "イ", "ウ", "エ", "オ", "ユ"],
        "k" => ["カ", "キ", "ク", "ケ", "コ", "キュ"],
        "g" => ["ガ", "ギ", "グ", "ゲ", "ゴ", "ギュ"],
        "s" => ["サ", "シ", "ス", "セ", "ソ", "シュ"],
        "z" => ["ザ", "ジ", "ズ", "ゼ", "ゾ", "ジュ"],
        "t" => ["タ", "ティ", "トゥ", "テ", "ト", "チュ"],
        "d" => ["ダ", "ディ", "ドゥ", "デ", "ド", "デュ"],
        "n" => ["ナ", "ニ", "ヌ", "ネ", "ノ", "ニュ"],
        "h" => ["ハ", "ヒ", "フ", "ヘ", "ホ", "ヒュ"],
        "b" | "v" => ["バ", "ビ", "ブ", "ベ", "ボ", "ビュ"],
        "p" => ["パ", "ピ", "プ", "ペ", "ポ", "ピュ"],
        "m" => ["マ", "ミ", "ム", "メ", "モ", "ミュ"],
        "r" | "l" => ["ラ", "リ", "ル", "レ", "ロ", "リュ"],
        "w" => ["ワ", "ウィ", "ウ", "ウェ", "ウォ", "ユ"],
        "y" => ["ヤ", "イ", "ユ", "イエ", "ヨ", "ユ"],
        "f" => ["ファ", "フィ", "フ", "フェ", "フォ", "フュ"],
        "j" => ["ジャ", "ジ", "ジュ", "ジェ", "ジョ", "ジュ"],
        "ch" => ["チャ", "チ", "チュ", "チェ", "チョ", "チュ"],
        "sh" => ["シャ", "シ", "シュ", "シェ", "ショ", "シュ"],
        "ts" => ["ツァ", "ツィ", "ツ", "ツェ", "ツォ", "ツ"],
        "kw" => ["クワ", "クイ", "ク", "クエ", "クオ", "キュ"],
        "ng" => ["ンガ", "ンギ", "ング", "ンゲ", "ンゴ", "ンギュ"],
        _ => ["ア", "イ", "ウ", "エ", "オ", "ユ"],
    };
    row[match v {
        V::A => 0,
        V::I => 1,
        V::U => 2,
        V::E => 3,
        V::O => 4,
        V::Yu => 5,
    }]
}

/// A consonant with no vowel after it, with the vowel Japanese adds (t → ト, k → ク).
fn final_consonant(c: &str) -> &'static str {
    match c {
        "k" | "kw" => "ク",
        "g" => "グ",
        "s" => "ス",
        "z" => "ズ",
        "t" => "ト",
        "d" => "ド",
        "n" => "ン",
        "b" | "v" => "ブ",
        "p" => "プ",
        "m" => "ム",
        "r" | "l" => "ル",
        "w" => "ウ",
        "y" => "イ",
        "f" => "フ",
        "j" => "ジ",
        "ch" => "チ",
        "sh" => "シュ",
        "ts" => "ツ",
        "ng" => "ング",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_dictionary(_: &str) -> bool {
        false
    }

    fn read(word: &str) -> String {
        read_word(word, &no_dictionary)
    }

    #[test]
    fn table_words_and_case() {
        assert_eq!(read("Rust"), "ラスト");
        assert_eq!(read("RUST"), "ラスト");
        assert_eq!(read("GitHub"), "ギットハブ");
        assert_eq!(read("iPhone"), "アイフォーン");
        assert_eq!(read("AI"), "エーアイ");
        assert_eq!(read("Wi-Fi"), "ワイファイ");
        assert_eq!(read("don’t"), "ドント");
        assert_eq!(read("café"), "カフェ");
        // Short all-capital words are acronyms, not the English word.
        assert_eq!(read("IT"), "アイティー");
        assert_eq!(read("It"), "イット");
    }

    #[test]
    fn unknown_acronyms_are_spelled() {
        assert_eq!(read("NHK"), "エヌエイチケー");
        assert_eq!(read("XYZ"), "エックスワイゼット");
        assert_eq!(read("npm"), "エヌピーエム");
        assert_eq!(read("x"), "エックス");
    }

    #[test]
    fn dictionary_words_are_kept_for_the_dictionary() {
        let knows = |w: &str| w == "Hello" || w == "NHK" || w == "Computer" || w == "Walrus";
        assert_eq!(read_word("NHK", &knows), "NHK");
        assert_eq!(read_word("WALRUS", &knows), "Walrus");
        assert_eq!(read_word("computer", &knows), "コンピューター"); // table first
        assert_eq!(read_word("HELLO", &knows), "ハロー"); // table first
    }

    #[test]
    fn camel_case_is_read_in_parts() {
        assert_eq!(camel_parts("XMLParser"), ["XML", "Parser"]);
        assert_eq!(camel_parts("macOS"), ["mac", "OS"]);
        assert_eq!(read("FooAI"), "フーエーアイ");
    }

    #[test]
    fn romaji_becomes_hiragana() {
        assert_eq!(romaji("sakura").as_deref(), Some("さくら"));
        assert_eq!(romaji("konnichiwa").as_deref(), Some("こんにちわ"));
        assert_eq!(romaji("kippu").as_deref(), Some("きっぷ"));
        assert_eq!(romaji("tanaka").as_deref(), Some("たなか"));
        assert_eq!(romaji("shinkansen").as_deref(), Some("しんかんせん"));
        // English words are not romaji.
        assert_eq!(romaji("make"), None);
        assert_eq!(romaji("human"), None);
        assert_eq!(romaji("docker"), None);
    }

    #[test]
    fn english_approximation() {
        for (word, kana) in [
            ("docker", "ドッカー"),
            ("server", "サーバー"),
            ("computer", "コンピューター"),
            ("test", "テスト"),
            ("make", "メイク"),
            ("time", "タイム"),
            ("home", "ホーム"),
            ("nice", "ナイス"),
            ("happy", "ハッピー"),
            ("system", "システム"),
            ("string", "ストリング"),
            ("light", "ライト"),
            ("phone", "フォーン"),
            ("hot", "ホット"),
            ("cat", "キャット"),
            ("camp", "キャンプ"),
            ("script", "スクリプト"),
            ("station", "ステーション"),
            ("super", "スーパー"),
            ("music", "ミュージック"),
            ("rust", "ラスト"),
            ("rose", "ローズ"),
            ("magic", "マジック"),
            ("motion", "モーション"),
            ("fly", "フライ"),
            ("care", "ケア"),
            ("human", "ヒューマン"),
        ] {
            assert_eq!(approximate(word), kana, "{word}");
        }
    }

    #[test]
    fn laughter_is_dropped() {
        assert_eq!(words("草www", &no_dictionary), "草");
        assert_eq!(words("面白いw", &no_dictionary), "面白い");
    }

    #[test]
    fn approximation_never_yields_empty_or_latin() {
        for word in [
            "aaaa",
            "eeee",
            "yyy",
            "rhythm",
            "queue",
            "strengths",
            "e",
            "ye",
            "qwrt",
        ] {
            let r = read(word);
            assert!(!r.is_empty(), "{word}");
            assert!(!r.chars().any(|c| c.is_ascii()), "{word}: {r}");
        }
    }
}
