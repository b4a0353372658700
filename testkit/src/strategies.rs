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
