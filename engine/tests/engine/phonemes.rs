//! Analysed text → Kokoro's phoneme characters (`kokoro::phonemes`), on the installed
//! dictionary: whole sentences as the voice will read them, and that whatever the text, every
//! token points at a mora that exists.

use proptest::prelude::*;
use yomiage_engine::kokoro::phonemes::{phoneme_string, to_phonemes, TokenOwner};
use yomiage_frontend::{AccentPhrase, FrontendError};
use yomiage_testkit::engine::frontend;
use yomiage_testkit::strategies::tricky_char;

fn analyze(text: &str) -> Vec<AccentPhrase> {
    frontend()
        .analyze(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn phonemes(text: &str) -> String {
    phoneme_string(&to_phonemes(&analyze(text)))
}

#[test]
fn a_sentence_reads_as_misaki_would() {
    assert_eq!(
        phonemes("今日はいい天気ですね。"),
        // The final ね rises (frontend: `sentence_final_ka_and_ne_rise`).
        "kʲoːβa iː teŋkʲidesɨne?"
    );
}

#[test]
fn punctuation_gives_a_pause_symbol() {
    assert_eq!(
        phonemes("本が好き、先生。東京"),
        "hoŋɡa sɨkʲi, seɴseː, toːkʲoː."
    );
}

#[test]
fn a_question_ends_in_a_question_mark() {
    assert_eq!(phonemes("行きますか？"), "ikʲimasɨka?");
}

#[test]
fn odd_characters_map_without_panicking() {
    for text in yomiage_testkit::strategies::ODD_INPUTS {
        match frontend().analyze(text) {
            Ok(p) => {
                let _ = to_phonemes(&p);
            }
            Err(FrontendError::EmptyText | FrontendError::NothingToSay) => {}
            Err(e) => panic!("{text:?}: {e}"),
        }
    }
}

#[test]
fn long_input_maps() {
    let sentence = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。";
    let text: String = sentence.chars().cycle().take(10_000).collect();
    let tokens = to_phonemes(&analyze(&text));
    assert!(!tokens.is_empty());
}

/// Every token of whatever the analysis gives points at a mora of it.
fn check(text: &str) -> Result<(), TestCaseError> {
    match frontend().analyze(text) {
        Ok(phrases) => {
            let tokens = to_phonemes(&phrases);
            for t in &tokens {
                if let TokenOwner::Consonant { phrase, mora } | TokenOwner::Vowel { phrase, mora } =
                    t.owner
                {
                    prop_assert!(phrase < phrases.len() && mora < phrases[phrase].moras.len());
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
    fn tricky_text_maps_to_its_own_moras(chars in prop::collection::vec(tricky_char(), 0..80)) {
        let text: String = chars.into_iter().collect();
        check(&text)?;
    }

    #[test]
    fn arbitrary_text_maps_to_its_own_moras(text in any::<String>()) {
        check(&text)?;
    }
}
