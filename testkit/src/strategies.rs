//! Property-test inputs shared by the no-panic tests of the frontend and the engine.

use proptest::prelude::*;

/// Fixed texts that once tripped analysers: controls, lone combining marks, BOM and zero-width
/// spaces, stray ー/ッ, noncharacters, surrogate-plane kanji, half-width voiced kana, long digit
/// runs, currency, a Latin word.
pub const ODD_INPUTS: [&str; 16] = [
    "\u{0}\u{1}\u{7f}あ",
    "あ\u{0}い",
    "\u{3099}\u{309a}か",
    "\u{301}\u{302}",
    "a\u{301}",
    "\u{FEFF}こんにちは\u{200B}",
    "ーあ",
    "、ー",
    "ッ",
    "ーーー",
    "\u{FFFF}\u{10FFFF}",
    "𠮷野家",
    "ｶﾞｷﾞｸﾞ",
    "1234567890123456789012345678901234567890",
    "¥1,000",
    "Rust",
];

/// Characters that stress the frontend: kana edge cases, punctuation, marks, controls.
pub fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select(
            "あいうえおかがきゃっんーゔぁゐをアイウエオキャッンーヴァヵヶｶﾞﾟ箸橋端今日天気行猫東京本"
                .chars()
                .collect::<Vec<_>>()
        ),
        2 => prop::sample::select(
            "、。？！?!，．・「」『』（）…〜~ー―　 \n\t\r★☆♪0123456789１２３¥$%&AZaz"
                .chars()
                .collect::<Vec<_>>()
        ),
        1 => prop::sample::select(vec![
            '\u{0}', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}', '\u{3099}', '\u{309a}', '\u{309b}',
            '\u{301}', '\u{200b}', '\u{200d}', '\u{fe0f}', '\u{feff}', '\u{2028}', '😀', '👨',
            '\u{e000}', '\u{fffd}', '\u{10ffff}', '𠮷'
        ]),
        1 => any::<char>(),
    ]
}

/// Code points from every corner of Unicode: many scripts (Latin to Tibetan, RTL Arabic and
/// Hebrew, Hangul, CJK extensions), combining marks, variation selectors, emoji and their
/// modifiers, regional indicators, tags, bidi controls, C0/C1 controls, private use (BMP and
/// planes 15–16), noncharacters. Surrogates cannot be `char`s, so they never occur.
pub fn any_script_char() -> impl Strategy<Value = char> {
    const RANGES: &[(u32, u32)] = &[
        (0x0000, 0x001F),    // C0 controls
        (0x0020, 0x007E),    // ASCII
        (0x0080, 0x009F),    // C1 controls
        (0x00A0, 0x024F),    // Latin-1, Latin Extended
        (0x0300, 0x036F),    // combining diacritics
        (0x0370, 0x03FF),    // Greek
        (0x0400, 0x04FF),    // Cyrillic
        (0x0530, 0x058F),    // Armenian
        (0x0590, 0x05FF),    // Hebrew
        (0x0600, 0x06FF),    // Arabic
        (0x0900, 0x097F),    // Devanagari
        (0x0E00, 0x0E7F),    // Thai
        (0x0F00, 0x0FFF),    // Tibetan
        (0x1100, 0x11FF),    // Hangul Jamo
        (0x1800, 0x18AF),    // Mongolian
        (0x1AB0, 0x1AFF),    // combining diacritics extended
        (0x2000, 0x206F),    // general punctuation: ZW(N)J, bidi controls, invisible operators
        (0x20D0, 0x20FF),    // combining marks for symbols
        (0x2150, 0x218F),    // number forms (Ⅻ, ⅓)
        (0x2460, 0x24FF),    // enclosed alphanumerics
        (0x2E80, 0x2FDF),    // CJK radicals, Kangxi
        (0x2FF0, 0x2FFF),    // ideographic description characters
        (0x3000, 0x30FF),    // CJK punctuation, hiragana, katakana
        (0x3190, 0x31FF),    // kanbun, katakana extensions
        (0x3200, 0x33FF),    // enclosed CJK, CJK compatibility (㍿, ㌔)
        (0x3400, 0x4DBF),    // CJK extension A
        (0x4E00, 0x9FFF),    // CJK unified
        (0xA000, 0xA4CF),    // Yi
        (0xAC00, 0xD7A3),    // Hangul syllables
        (0xE000, 0xF8FF),    // private use
        (0xF900, 0xFAFF),    // CJK compatibility ideographs
        (0xFE00, 0xFE0F),    // variation selectors
        (0xFE10, 0xFE6F),    // vertical forms, small forms
        (0xFF00, 0xFFEF),    // half- and full-width forms
        (0xFFF0, 0xFFFF),    // specials, noncharacters
        (0x1B000, 0x1B16F),  // kana supplement, small kana extension
        (0x1D400, 0x1D7FF),  // mathematical alphanumerics
        (0x1F000, 0x1FAFF),  // mahjong, cards, emoji, symbols
        (0x1F1E6, 0x1F1FF),  // regional indicators
        (0x20000, 0x2A6DF),  // CJK extension B
        (0xE0000, 0xE007F),  // tags
        (0xE0100, 0xE01EF),  // variation selectors supplement
        (0xF0000, 0x10FFFF), // supplementary private use (planes 15–16)
    ];
    prop::sample::select(RANGES.to_vec())
        .prop_flat_map(|(lo, hi)| (lo..=hi).prop_map(|c| char::from_u32(c).unwrap_or('\u{FFFD}')))
}

/// Emoji sequences as people type them: ZWJ families, skin tones, flags, keycaps, tag flags.
pub const EMOJI_SEQUENCES: [&str; 8] = [
    "👨\u{200D}👩\u{200D}👧\u{200D}👦",
    "👩🏽\u{200D}💻",
    "🏳\u{FE0F}\u{200D}🌈",
    "🇯🇵",
    "1\u{FE0F}\u{20E3}",
    "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
    "❤\u{FE0F}\u{200D}🔥",
    "\u{200D}\u{200D}\u{FE0F}",
];

/// Text built of pieces that break text code: any character, a base with a stack of combining
/// marks, an emoji sequence, a run of one character (up to a few thousand), and Japanese.
pub fn unicode_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => any_script_char().prop_map(String::from),
        3 => tricky_char().prop_map(String::from),
        1 => (any_script_char(), prop::collection::vec(0x0300u32..0x0370, 1..40)).prop_map(
            |(base, marks)| {
                std::iter::once(base)
                    .chain(marks.into_iter().filter_map(char::from_u32))
                    .collect()
            }
        ),
        1 => prop::sample::select(EMOJI_SEQUENCES.to_vec()).prop_map(String::from),
        1 => (prop_oneof![tricky_char(), any_script_char()], 1usize..3000)
            .prop_map(|(c, n)| std::iter::repeat_n(c, n).collect()),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

/// One entry of the regression corpus (`testkit/corpus/regressions.jsonl`): an input that once
/// broke something, the part it is for (`text`, `kana`, `voicevox_dict`, `user_dict_file`,
/// `query`, `http`), and what it broke.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Regression {
    pub kind: String,
    pub input: String,
    pub note: String,
}

/// The corpus entries of one kind. Each line of the file is one JSON object, so any string
/// (controls, lone marks) can be written down exactly.
pub fn regressions(kind: &str) -> Vec<Regression> {
    let entries: Vec<Regression> = include_str!("../corpus/regressions.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("corpus line {l:?}: {e}")))
        .collect();
    let found: Vec<Regression> = entries.into_iter().filter(|r| r.kind == kind).collect();
    assert!(
        !found.is_empty(),
        "no regression-corpus entries of kind {kind:?}"
    );
    found
}

/// Cases for a property test: `PROPTEST_CASES` when set (a long run), else `default` (what the
/// test command runs). proptest reads that variable only when the test names no count.
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
