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

use self::approximate::approximate;
use self::romaji::romaji;
use super::tables::letter;
use super::words::{EXACT, WORDS};
use super::{is_latin_letter, rewrite};

mod approximate;
mod romaji;

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
