//! The learned accent corrector: the shipped model, the estimator switch, user words winning,
//! and deterministic training.

use crate::common;

use std::path::PathBuf;

use yomiage_frontend::learned::train::{self, GoldSentence, TrainOptions};
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

/// A few sentences labelled by hand, in the accent set's format.
fn tiny_gold() -> Vec<GoldSentence> {
    [
        r#"{"id":"a","text":"箸を使う。","phrases":[{"moras":["ハ","シ","ヲ"],"accent":1},{"moras":["ツ","カ","ウ"],"accent":0}]}"#,
        r#"{"id":"b","text":"橋を渡る。","phrases":[{"moras":["ハ","シ","ヲ"],"accent":2},{"moras":["ワ","タ","ル"],"accent":0}]}"#,
        r#"{"id":"c","text":"新しい本を読んでいる。","phrases":[{"moras":["ア","タ","ラ","シ","イ"],"accent":4},{"moras":["ホ","ン","ヲ"],"accent":1},{"moras":["ヨ","ン","デ","イ","ル"],"accent":1}]}"#,
    ]
    .iter()
    .map(|l| serde_json::from_str(l).expect("gold line"))
    .collect()
}

#[test]
fn training_is_deterministic_and_fits_its_examples() {
    let fe = load(AccentEstimator::Rules, None);
    let gold = tiny_gold();
    let examples: Vec<_> = gold
        .iter()
        .map(|g| train::examples(&fe, g).expect("examples"))
        .collect();
    assert!(examples.iter().all(|e| e.nucleus_count() > 0));
    let opts = TrainOptions {
        min_count: 1,
        ..TrainOptions::default()
    };
    let a = train::train(examples.iter(), &opts);
    let b = train::train(examples.iter(), &opts);
    assert_eq!(a.to_tsv(), b.to_tsv());
    let reread = AccentModel::from_tsv(&a.to_tsv()).expect("model file");
    assert_eq!(reread.to_tsv(), a.to_tsv());
    for g in &gold {
        let got = summary(&fe.analyze_with_model(&g.text, &a).unwrap());
        let want: Vec<(String, usize)> = g
            .phrases
            .iter()
            .map(|p| (p.moras.concat(), p.accent))
            .collect();
        // Odaka and flat are one class in the labels.
        let got: Vec<_> = got
            .into_iter()
            .map(|(k, a)| {
                let n = k.chars().count();
                (k, if a >= n { 0 } else { a })
            })
            .collect();
        assert_eq!(got, want, "{}", g.text);
    }
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
