//! Property-test inputs shared by the no-panic tests of the frontend and the engine.

use proptest::prelude::*;

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
