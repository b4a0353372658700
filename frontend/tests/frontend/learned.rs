//! The learned accent corrector: the shipped model, the estimator switch, user words winning,
//! and a broken model file (training is tested in tools/train-accent).

use crate::common;

use std::path::PathBuf;

use yomiage_frontend::{
    AccentEstimator, AccentModel, AccentPhrase, Frontend, UserDictionary, UserWord, WordType,
};

fn dict_dir() -> PathBuf {
    yomiage_voices::Layout::from_env()
        .expect("data directory")
        .dictionary_dir()
}

fn load(estimator: AccentEstimator, user: Option<&UserDictionary>) -> Frontend {
    let mut fe =
        Frontend::load_with_user_dictionary(&dict_dir(), user).unwrap_or_else(|e| panic!("{e}"));
    fe.set_accent_estimator(estimator);
    fe
}

/// (kana, accent) per phrase.
fn summary(phrases: &[AccentPhrase]) -> Vec<(String, usize)> {
    phrases
        .iter()
        .map(|p| (p.moras.iter().map(|m| m.text.as_str()).collect(), p.accent))
        .collect()
}

fn phrase<'a>(s: &'a [(String, usize)], kana: &str) -> &'a (String, usize) {
    s.iter()
        .find(|(k, _)| k == kana)
        .unwrap_or_else(|| panic!("no phrase {kana} in {s:?}"))
}

#[test]
fn the_shipped_model_is_readable_and_learned_is_the_default() {
    let m = AccentModel::builtin();
    assert!(m.boundary_len() > 1000, "{}", m.boundary_len());
    assert!(m.nucleus_len() > 1000, "{}", m.nucleus_len());
    assert_eq!(
        common::frontend().accent_estimator(),
        AccentEstimator::Learned
    );
    assert_eq!("rules".parse(), Ok(AccentEstimator::Rules));
    assert!("neural".parse::<AccentEstimator>().is_err());
}

/// This speaker says 大切です flat to the end (the labels: 22 flat, 9 with a fall on デ after a
/// flat noun); the rules put the fall on デ. Learned follows the labels, rules the textbook.
const TAISETSU: &str = "この問題を解決することが大切です。";

#[test]
fn the_estimator_setting_changes_the_analysis() {
    let rules = summary(
        &load(AccentEstimator::Rules, None)
            .analyze(TAISETSU)
            .unwrap(),
    );
    let learned = summary(
        &load(AccentEstimator::Learned, None)
            .analyze(TAISETSU)
            .unwrap(),
    );
    assert_eq!(phrase(&rules, "タイセツデス").1, 5, "{rules:?}");
    assert_eq!(phrase(&learned, "タイセツデス").1, 0, "{learned:?}");
    // Everything else, moras included, is the same analysis.
    let kana = |s: &[(String, usize)]| s.iter().map(|p| p.0.clone()).collect::<String>();
    assert_eq!(kana(&rules), kana(&learned));
}

#[test]
fn user_dictionary_words_keep_the_rules_result_under_the_learned_model() {
    let mut user = UserDictionary::new();
    user.add(UserWord::new("大切", "タイセツ", 0, WordType::CommonNoun, 5).expect("word"));
    let fe = load(AccentEstimator::Learned, Some(&user));
    let s = summary(&fe.analyze(TAISETSU).unwrap());
    // Without the user word, learned makes it flat (the test above).
    assert_eq!(phrase(&s, "タイセツデス").1, 5, "{s:?}");
}

#[test]
fn a_broken_model_file_is_an_error_not_a_panic() {
    assert!(AccentModel::from_tsv("b\tnot-a-number\tfeature\n").is_err());
    assert!(AccentModel::from_tsv("x\t1\tfeature\n").is_err());
    assert!(AccentModel::from_tsv("b 1 feature\n").is_err());
    assert!(AccentModel::from_tsv("# only a comment\n")
        .expect("empty")
        .is_empty());
}
