//! The user dictionary as files and imports, under arbitrary input: our `user_dict.json` and
//! VOICEVOX's JSON (API and saved shapes) load or give a typed error — never a panic, never a
//! half-imported dictionary — and what loads writes back to the same words. Words whose
//! surface or reading is odd but valid compile into the analysis and are read with it.

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use yomiage_frontend::{
    Frontend, FrontendError, UserDictError, UserDictionary, UserWord, WordType,
};
use yomiage_testkit::strategies::{regressions, tricky_char, unicode_text};

fn surface() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => prop::collection::vec(tricky_char(), 0..12).prop_map(|v| v.into_iter().collect()),
        1 => unicode_text().prop_map(|s| s.chars().take(60).collect()),
        1 => prop::sample::select(vec!["鬱金香庵", "ＡＢＣ", "abc", "ｶﾞｷﾞ", "𠮷", " 前後 ", "a b"])
            .prop_map(String::from),
    ]
}

fn pronunciation() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec(
            prop::sample::select("アイウエオカガキャッンーヴァシュヲヮヵヶ".chars().collect::<Vec<_>>()),
            0..12
        ).prop_map(|v| v.into_iter().collect()),
        1 => prop::collection::vec(
            prop::sample::select("あいうえおかがきゃっんーゔぁ".chars().collect::<Vec<_>>()), 1..8
        ).prop_map(|v| v.into_iter().collect()),
        1 => prop::collection::vec(tricky_char(), 0..8).prop_map(|v| v.into_iter().collect()),
    ]
}

fn small_or_any() -> impl Strategy<Value = i64> {
    prop_oneof![4 => -1i64..12, 1 => any::<i64>()]
}

fn uuid_or_not() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<u128>().prop_map(|n| uuid::Uuid::from_u128(n).to_string()),
        1 => any::<u128>().prop_map(|n| uuid::Uuid::from_u128(n).simple().to_string().to_uppercase()),
        1 => surface(),
    ]
}

/// A VOICEVOX word as JSON: the API shape (priority) or the saved shape (cost), fields present
/// or missing, part of speech agreeing with the context ID or not.
fn voicevox_word() -> impl Strategy<Value = Value> {
    let context = prop_oneof![
        4 => prop::sample::select(vec![1348i64, 1345, 642, 20, 1358]),
        1 => any::<i64>(),
    ];
    (
        surface(),
        pronunciation(),
        small_or_any(),
        prop::option::of(small_or_any()),
        prop::option::of(prop_oneof![-2000i64..10000, any::<i64>()]),
        prop::option::of(context),
        prop::option::of(prop::sample::select(vec![
            "名詞",
            "動詞",
            "形容詞",
            "接尾",
            "x",
        ])),
        prop::sample::select(vec!["*", "C1", "C3", "C5", "D", ""]),
    )
        .prop_map(
            |(surface, pron, accent, priority, cost, context, pos, rule)| {
                let mut w = Map::new();
                w.insert("surface".into(), json!(surface));
                w.insert("pronunciation".into(), json!(pron));
                w.insert("yomi".into(), json!(pron));
                w.insert("accent_type".into(), json!(accent));
                w.insert("accent_associative_rule".into(), json!(rule));
                if let Some(p) = priority {
                    w.insert("priority".into(), json!(p));
                }
                if let Some(c) = cost {
                    w.insert("cost".into(), json!(c));
                }
                if let Some(c) = context {
                    w.insert("context_id".into(), json!(c));
                }
                if let Some(p) = pos {
                    w.insert("part_of_speech".into(), json!(p));
                }
                Value::Object(w)
            },
        )
}

fn voicevox_dict() -> impl Strategy<Value = String> {
    prop::collection::vec((uuid_or_not(), voicevox_word()), 0..6).prop_map(|words| {
        let map: Map<String, Value> = words.into_iter().collect();
        Value::Object(map).to_string()
    })
}

/// Our file: mostly well-formed, with odd words, ids, versions and types.
fn our_file() -> impl Strategy<Value = Vec<u8>> {
    let word = (
        surface(),
        pronunciation(),
        small_or_any(),
        small_or_any(),
        prop::sample::select(vec![
            "PROPER_NOUN",
            "COMMON_NOUN",
            "VERB",
            "ADJECTIVE",
            "SUFFIX",
            "NOUN",
            "",
        ]),
    )
        .prop_map(|(s, p, a, pr, t)| {
            json!({"surface": s, "pronunciation": p, "accent_type": a,
            "priority": pr, "word_type": t})
        });
    let file = (
        prop_oneof![4 => Just(1i64), 1 => any::<i64>()],
        prop::collection::vec((uuid_or_not(), word), 0..5),
    )
        .prop_map(|(version, words)| {
            let words: Map<String, Value> = words.into_iter().collect();
            json!({"version": version, "words": words})
                .to_string()
                .into_bytes()
        });
    prop_oneof![
        4 => file,
        1 => any::<Vec<u8>>(),
        1 => (file_prefix(), any::<Vec<u8>>()).prop_map(|(mut a, b)| { a.extend(b); a }),
    ]
}

fn file_prefix() -> impl Strategy<Value = Vec<u8>> {
    Just(br#"{"version": 1, "words": {"#.to_vec())
}

fn load_bytes(bytes: &[u8]) -> Result<UserDictionary, UserDictError> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("user_dict.json");
    std::fs::write(&path, bytes).expect("writes");
    UserDictionary::load(&path)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: yomiage_testkit::strategies::cases(256), ..ProptestConfig::default() })]

    /// An import is all or nothing, and what imports exports and re-imports the same.
    #[test]
    fn voicevox_json_imports_or_names_the_fault(json in voicevox_dict()) {
        match UserDictionary::from_voicevox_json(&json) {
            Ok(dict) => {
                let again = UserDictionary::from_voicevox_json(&dict.to_voicevox_json());
                prop_assert_eq!(again.as_ref().ok(), Some(&dict), "{}", json);
                prop_assert_eq!(load_bytes(dict.to_json().as_bytes()).ok(), Some(dict));
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn arbitrary_text_is_not_a_voicevox_dictionary_or_is_one(s in unicode_text()) {
        let _ = UserDictionary::from_voicevox_json(&s);
    }

    /// A damaged or foreign file is an error naming the file, never a panic.
    #[test]
    fn our_file_loads_or_is_reported_corrupt(bytes in our_file()) {
        match load_bytes(&bytes) {
            Ok(dict) => prop_assert_eq!(load_bytes(dict.to_json().as_bytes()).ok(), Some(dict)),
            Err(e) => prop_assert!(
                matches!(e, UserDictError::Corrupt { .. } | UserDictError::UnsupportedVersion { .. }),
                "{e:?}"
            ),
        }
    }
}

/// One frontend of its own (user dictionaries here must not change the other tests' words).
fn own_frontend() -> &'static Frontend {
    static FE: OnceLock<Frontend> = OnceLock::new();
    FE.get_or_init(|| {
        let dir = yomiage_voices::Layout::from_env()
            .expect("a data directory")
            .dictionary_dir();
        Frontend::load(&dir).unwrap_or_else(|e| panic!("{e}"))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: yomiage_testkit::strategies::cases(48), ..ProptestConfig::default() })]

    /// A word that validates compiles into the analysis, and text containing it analyses.
    #[test]
    fn valid_odd_words_compile_and_analyse(
        surface in surface(),
        pron in pronunciation(),
        accent in 0i64..6,
        kind in prop::sample::select(WordType::ALL.to_vec()),
    ) {
        let Ok(word) = UserWord::new(&surface, &pron, accent, kind, 5) else { return Ok(()) };
        let mut dict = UserDictionary::new();
        dict.add(word);
        let fe = own_frontend();
        fe.set_user_dictionary(&dict).map_err(|e| TestCaseError::fail(format!("{surface:?}/{pron:?}: {e}")))?;
        match fe.analyze(&format!("今日は{surface}です。")) {
            Ok(_) | Err(FrontendError::EmptyText | FrontendError::NothingToSay) => {}
            Err(e) => prop_assert!(false, "{:?}/{:?}: {}", surface, pron, e),
        }
    }
}

#[test]
fn the_regression_corpus_still_passes() {
    for r in regressions("voicevox_dict") {
        if let Ok(dict) = UserDictionary::from_voicevox_json(&r.input) {
            let again = UserDictionary::from_voicevox_json(&dict.to_voicevox_json());
            assert_eq!(again.ok(), Some(dict), "{:?} ({})", r.input, r.note);
        }
    }
    for r in regressions("user_dict_file") {
        if let Ok(dict) = load_bytes(r.input.as_bytes()) {
            assert_eq!(
                load_bytes(dict.to_json().as_bytes()).ok(),
                Some(dict),
                "{}",
                r.note
            );
        }
    }
}
