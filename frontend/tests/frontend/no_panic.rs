//! Whatever the text, analysis returns phrases or a typed error, and the phrases are
//! well-formed (the voice model's mapping of them: engine/tests/phonemes.rs).

use crate::common;

use common::frontend;
use proptest::prelude::*;
use yomiage_frontend::{FrontendError, Vowel};
use yomiage_testkit::strategies::tricky_char;

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

pub(crate) fn check(text: &str) -> Result<(), TestCaseError> {
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
    #![proptest_config(ProptestConfig { cases: yomiage_testkit::strategies::cases(256), ..ProptestConfig::default() })]

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
