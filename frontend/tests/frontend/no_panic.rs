//! Whatever the text, analysis returns phrases or a typed error, and the phrases are
//! well-formed (the voice model's mapping of them: engine/tests/phonemes.rs).

use crate::common;

use common::frontend;
use proptest::prelude::*;
use yomiage_frontend::{FrontendError, Vowel};

/// Every vowel but `pau`, which only a pause mora has.
const VOWELS: [Vowel; 12] = [
    Vowel::A,
    Vowel::I,
    Vowel::U,
    Vowel::E,
    Vowel::O,
    Vowel::DevoicedA,
    Vowel::DevoicedI,
    Vowel::DevoicedU,
    Vowel::DevoicedE,
    Vowel::DevoicedO,
    Vowel::N,
    Vowel::Cl,
];

/// Characters that stress the frontend: kana edge cases, punctuation, marks, controls.
fn tricky_char() -> impl Strategy<Value = char> {
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

fn check(text: &str) -> Result<(), TestCaseError> {
    match frontend().analyze(text) {
        Ok(phrases) => {
            prop_assert!(!phrases.is_empty());
            for p in &phrases {
                prop_assert!(!p.moras.is_empty(), "empty phrase for {:?}", text);
                prop_assert!(
                    p.accent <= p.moras.len(),
                    "accent out of range for {:?}",
                    text
                );
                for m in &p.moras {
                    prop_assert!(VOWELS.contains(&m.vowel), "vowel {:?}", m.vowel);
                    prop_assert!(!m.text.is_empty());
                }
            }
        }
        Err(FrontendError::EmptyText | FrontendError::NothingToSay) => {}
        Err(e) => prop_assert!(false, "{:?}: {}", text, e),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn tricky_text_never_panics(chars in prop::collection::vec(tricky_char(), 0..80)) {
        let text: String = chars.into_iter().collect();
        check(&text)?;
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check(&text)?;
    }
}
