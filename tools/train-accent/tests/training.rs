//! Training is deterministic and a model trained on a few labelled sentences fits them.

use std::path::PathBuf;

use yomiage_frontend::{AccentEstimator, AccentModel, AccentPhrase, Frontend};
use yomiage_train_accent::{self as train, GoldSentence, TrainOptions};

fn dict_dir() -> PathBuf {
    yomiage_voices::Layout::from_env()
        .expect("data directory")
        .dictionary_dir()
}

/// (kana, accent) per phrase.
fn summary(phrases: &[AccentPhrase]) -> Vec<(String, usize)> {
    phrases
        .iter()
        .map(|p| (p.moras.iter().map(|m| m.text.as_str()).collect(), p.accent))
        .collect()
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
    let mut fe = Frontend::load(&dict_dir()).unwrap_or_else(|e| panic!("{e}"));
    fe.set_accent_estimator(AccentEstimator::Rules);
    let gold = tiny_gold();
    let examples: Vec<_> = gold
        .iter()
        .map(|g| train::examples(&fe, g).expect("examples"))
        .collect();
    assert!(examples.iter().all(|e| e.nucleus_count() > 0));
    let opts = TrainOptions {
        boundary_min_count: 1,
        nucleus_min_count: 1,
        ..TrainOptions::default()
    };
    let a = train::train(examples.iter(), &opts);
    let b = train::train(examples.iter(), &opts);
    assert_eq!(a.to_tsv(), b.to_tsv());
    let reread = AccentModel::from_tsv(&a.to_tsv()).expect("model file");
    assert_eq!(reread.to_tsv(), a.to_tsv());
    for g in &gold {
        let got = summary(&train::analyze_with_model(&fe, &g.text, &a).unwrap());
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
