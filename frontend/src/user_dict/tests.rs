//! The user dictionary: words, ids, files, VOICEVOX's format and the compiled dictionary.

use super::*;

fn word(surface: &str, pron: &str, accent: i64) -> UserWord {
    UserWord::new(surface, pron, accent, WordType::ProperNoun, 5).expect("valid word")
}

#[test]
fn valid_word_counts_moras_as_openjtalk() {
    let w = word("鬱金香庵", "ウコンコウアン", 3);
    assert_eq!(w.mora_count(), 7);
    assert_eq!(w.accent_type(), 3);
    assert_eq!(w.priority(), DEFAULT_PRIORITY);
    // Contracted sounds are one mora; ッ, ン and ー are moras.
    assert_eq!(word("キャット", "キャット", 1).mora_count(), 3);
    assert_eq!(word("ティーカップ", "ティーカップ", 3).mora_count(), 5);
    assert_eq!(word("ヴァイオリン", "ヴァイオリン", 0).moras().len(), 5);
    assert_eq!(
        word("ウィキ", "ウィキ", 1).moras(),
        vec!["ウィ".to_owned(), "キ".to_owned()]
    );
}

#[test]
fn empty_surface_is_refused() {
    for s in ["", "   ", "\u{3000}"] {
        let e = UserWord::new(s, "ア", 0, WordType::ProperNoun, 5).expect_err(s);
        assert_eq!(e, WordError::EmptySurface);
        assert_eq!(e.field(), "surface");
    }
    let e = UserWord::new("New York", "ニューヨーク", 3, WordType::ProperNoun, 5)
        .expect_err("space inside");
    assert!(matches!(e, WordError::SurfaceWhitespace { .. }), "{e}");
}

#[test]
fn surface_is_normalized_like_the_analysed_text() {
    // ASCII becomes full-width (jpreprocess looks words up that way); full-width input
    // and half-width katakana land on the same word.
    assert_eq!(word("yomiage", "ヨミアゲ", 0).surface(), "ｙｏｍｉａｇｅ");
    assert_eq!(
        word("ｙｏｍｉａｇｅ", "ヨミアゲ", 0).surface(),
        "ｙｏｍｉａｇｅ"
    );
    assert_eq!(word("ﾖﾐｱｹﾞ", "ヨミアゲ", 0).surface(), "ヨミアゲ");
    assert_eq!(word("  太郎 ", "タロウ", 1).surface(), "太郎");
}

#[test]
fn pronunciation_must_be_katakana() {
    for (p, found) in [
        ("abc", 'a'),
        ("ウコン庵", '庵'),
        ("ア イ", ' '),
        ("ア、イ", '、'),
    ] {
        let e = UserWord::new("x", p, 0, WordType::ProperNoun, 5).expect_err(p);
        assert_eq!(
            e,
            WordError::NotKatakana {
                pronunciation: p.to_owned(),
                found
            }
        );
        assert_eq!(e.field(), "pronunciation");
        assert!(e.to_string().starts_with("pronunciation"), "{e}");
    }
    let e = UserWord::new("x", "", 0, WordType::ProperNoun, 5).expect_err("empty");
    assert_eq!(e, WordError::EmptyPronunciation);
    // VOICEVOX's small-kana rules.
    for p in ["キャャ", "アッッ", "イヮ"] {
        let e = UserWord::new("x", p, 0, WordType::ProperNoun, 5).expect_err(p);
        assert!(
            matches!(e, WordError::InvalidPronunciation { .. }),
            "{p}: {e}"
        );
    }
    // Hiragana and half-width katakana are converted, not refused.
    assert_eq!(word("x", "よみあげ", 0).pronunciation(), "ヨミアゲ");
    assert_eq!(word("x", "ﾖﾐｱｹﾞ", 0).pronunciation(), "ヨミアゲ");
}

#[test]
fn accent_beyond_the_moras_is_refused() {
    let e = UserWord::new("x", "ウコン", 4, WordType::ProperNoun, 5).expect_err("4 > 3");
    assert_eq!(
        e,
        WordError::AccentOutOfRange {
            accent_type: 4,
            mora_count: 3
        }
    );
    assert_eq!(e.field(), "accent_type");
    assert!(e.to_string().contains("0..=3"), "{e}");
    let e = UserWord::new("x", "ウコン", -1, WordType::ProperNoun, 5).expect_err("-1");
    assert_eq!(e.field(), "accent_type");
    // 0 (flat) and the mora count (odaka) are both fine.
    word("x", "ウコン", 0);
    word("x", "ウコン", 3);
}

#[test]
fn priority_out_of_range_is_refused() {
    for p in [-1, 11, 1000] {
        let e = UserWord::new("x", "ア", 0, WordType::ProperNoun, p).expect_err("range");
        assert_eq!(e, WordError::PriorityOutOfRange { priority: p });
        assert_eq!(e.field(), "priority");
    }
    for p in [0, 10] {
        UserWord::new("x", "ア", 0, WordType::ProperNoun, p).expect("in range");
    }
}

#[test]
fn accent_rule_depends_on_word_type() {
    UserWord::with_rule("x", "ア", 0, WordType::CommonNoun, 5, "C2").expect("noun C2");
    let e = UserWord::with_rule("x", "アウ", 0, WordType::Verb, 5, "C2").expect_err("verb");
    assert_eq!(e.field(), "accent_associative_rule");
}

#[test]
fn word_type_names() {
    for t in WordType::ALL {
        assert_eq!(t.as_str().parse::<WordType>(), Ok(t));
        let kebab = t.as_str().to_ascii_lowercase().replace('_', "-");
        assert_eq!(kebab.parse::<WordType>(), Ok(t));
        assert_eq!(WordType::from_context_id(t.context_id().into()), Some(t));
    }
    assert!("noun".parse::<WordType>().is_err());
}

#[test]
fn priority_maps_to_voicevox_costs_and_back() {
    let t = WordType::ProperNoun;
    assert_eq!(t.cost(10), -988);
    assert_eq!(t.cost(5), 8609);
    assert_eq!(t.cost(0), 14176);
    assert_eq!(WordType::CommonNoun.cost(5), 5746);
    for t in WordType::ALL {
        for p in 0..=MAX_PRIORITY {
            assert_eq!(t.priority_for_cost(t.cost(p).into()), p, "{t} {p}");
        }
    }
    // Between two costs: the nearer one.
    assert_eq!(t.priority_for_cost(8700), 4);
    assert_eq!(t.priority_for_cost(-30000), 10);
}

#[test]
fn naist_jdic_row_is_what_voicevox_writes() {
    let w = UserWord::with_rule(
        "鬱金香庵",
        "ウコンコウアン",
        3,
        WordType::CommonNoun,
        7,
        "C1",
    )
    .expect("word");
    let row = w.naist_jdic_row();
    assert_eq!(
        row.join(","),
        "鬱金香庵,1345,1345,2897,名詞,一般,*,*,*,*,鬱金香庵,ウコンコウアン,ウコンコウアン,3/7,C1"
    );
}

fn sample() -> UserDictionary {
    let mut d = UserDictionary::new();
    d.add(word("鬱金香庵", "ウコンコウアン", 3));
    d.add(UserWord::new("yomiage", "ヨミアゲ", 0, WordType::CommonNoun, 9).expect("word"));
    d.add(UserWord::new("さま", "サマ", 1, WordType::Suffix, 0).expect("word"));
    d
}

#[test]
fn ids_are_uuids_and_prefixes_resolve() {
    let mut d = sample();
    let ids: Vec<String> = d.iter().map(|(id, _)| id.to_owned()).collect();
    for id in &ids {
        assert_eq!(parse_word_id(id).expect("uuid"), *id);
    }
    assert_eq!(d.resolve_id(&ids[1][..8]).expect("prefix"), ids[1]);
    assert_eq!(d.resolve_id(&ids[1].to_uppercase()).expect("upper"), ids[1]);
    assert!(matches!(
        d.resolve_id("zz"),
        Err(UserDictError::NotFound(_))
    ));
    assert!(matches!(d.resolve_id(""), Err(UserDictError::InvalidId(_))));
    let removed = d.remove(&ids[0]).expect("remove");
    assert_eq!(removed.surface(), "鬱金香庵");
    assert_eq!(d.len(), 2);
    assert!(matches!(d.remove(&ids[0]), Err(UserDictError::NotFound(_))));
    assert!(matches!(
        d.insert("not-a-uuid", word("a", "ア", 0)),
        Err(UserDictError::InvalidId(_))
    ));
}

#[test]
fn file_round_trip_keeps_ids_order_and_fields() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sub").join("user_dict.json");
    assert!(UserDictionary::load(&path)
        .expect("missing is empty")
        .is_empty());
    let d = sample();
    d.save(&path).expect("save");
    let back = UserDictionary::load(&path).expect("load");
    assert_eq!(back, d);
    // No temporary files are left next to it.
    let names: Vec<String> = std::fs::read_dir(path.parent().expect("dir"))
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["user_dict.json".to_owned()]);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    assert_eq!(json["version"], 1);
    let (id, _) = d.iter().nth(1).expect("second");
    assert_eq!(json["words"][id]["word_type"], "COMMON_NOUN");
    assert_eq!(json["words"][id]["priority"], 9);
}

#[test]
fn corrupt_file_is_an_error_and_is_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("user_dict.json");
    let id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
    let cases = [
        "{\"version\": 1, \"words\": {".to_owned(),
        "[]".to_owned(),
        format!(
            r#"{{"version": 1, "words": {{"{id}": {{"surface": "x", "pronunciation": "abc", "accent_type": 0}}}}}}"#
        ),
        format!(
            r#"{{"version": 1, "words": {{"{id}": {{"surface": "x", "pronunciation": "ア", "accent_type": 0}}, "{id}": {{"surface": "y", "pronunciation": "ア", "accent_type": 0}}}}}}"#
        ),
        r#"{"version": 1, "words": {"w1": {"surface": "x", "pronunciation": "ア", "accent_type": 0}}}"#.to_owned(),
    ];
    for text in cases {
        std::fs::write(&path, &text).expect("write");
        let e = UserDictionary::load(&path).expect_err(&text);
        assert!(matches!(e, UserDictError::Corrupt { .. }), "{text}: {e}");
        assert!(e.to_string().contains("user_dict.json"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
    }
    std::fs::write(&path, r#"{"version": 9, "words": {}}"#).expect("write");
    assert!(matches!(
        UserDictionary::load(&path),
        Err(UserDictError::UnsupportedVersion { found: 9, .. })
    ));
}

#[test]
fn voicevox_export_has_voicevox_fields_and_imports_back() {
    let d = sample();
    let json = d.to_voicevox_json();
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let (id, _) = d.iter().next().expect("first");
    let w = &v[id];
    let expected = serde_json::json!({
        "surface": "鬱金香庵",
        "priority": 5,
        "context_id": 1348,
        "part_of_speech": "名詞",
        "part_of_speech_detail_1": "固有名詞",
        "part_of_speech_detail_2": "一般",
        "part_of_speech_detail_3": "*",
        "inflectional_type": "*",
        "inflectional_form": "*",
        "stem": "*",
        "yomi": "ウコンコウアン",
        "pronunciation": "ウコンコウアン",
        "accent_type": 3,
        "mora_count": 7,
        "accent_associative_rule": "*"
    });
    assert_eq!(*w, expected);
    // Field order as VOICEVOX's model.
    let keys: Vec<&str> = json
        .lines()
        .skip(2)
        .take(15)
        .filter_map(|l| l.trim().split('"').nth(1))
        .collect();
    assert_eq!(keys[0], "surface");
    assert_eq!(keys[14], "accent_associative_rule");
    let back = UserDictionary::from_voicevox_json(&json).expect("import");
    assert_eq!(back, d);
}

#[test]
fn voicevox_saved_format_with_cost_imports() {
    // VOICEVOX's own user_dict.json: cost instead of priority; 0.12-era words lack
    // context_id (proper noun).
    let json = r#"{
      "A0B1C2D3-0000-4000-8000-000000000001": {
        "surface": "ｔｅｓｔ", "cost": 8600, "context_id": 1345,
        "part_of_speech": "名詞", "part_of_speech_detail_1": "一般",
        "part_of_speech_detail_2": "*", "part_of_speech_detail_3": "*",
        "inflectional_type": "*", "inflectional_form": "*", "stem": "*",
        "yomi": "テスト", "pronunciation": "テスト", "accent_type": 1,
        "accent_associative_rule": "*"
      },
      "a0b1c2d3-0000-4000-8000-000000000002": {
        "surface": "テスト二", "cost": -988, "part_of_speech": "名詞",
        "part_of_speech_detail_1": "固有名詞", "part_of_speech_detail_2": "一般",
        "part_of_speech_detail_3": "*", "inflectional_type": "*",
        "inflectional_form": "*", "stem": "*", "yomi": "テストニ",
        "pronunciation": "テストニ", "accent_type": 0, "accent_associative_rule": "*"
      }
    }"#;
    let d = UserDictionary::from_voicevox_json(json).expect("import");
    let words: Vec<(&str, &UserWord)> = d.iter().collect();
    assert_eq!(words[0].0, "a0b1c2d3-0000-4000-8000-000000000001");
    assert_eq!(words[0].1.surface(), "ｔｅｓｔ");
    assert_eq!(words[0].1.word_type(), WordType::CommonNoun);
    assert_eq!(words[0].1.priority(), 1); // 8979 is the nearest common-noun cost
    assert_eq!(words[1].1.word_type(), WordType::ProperNoun);
    assert_eq!(words[1].1.priority(), 10);
}

#[test]
fn voicevox_import_checks_every_word() {
    let good = r#""surface": "x", "priority": 5, "pronunciation": "ア", "accent_type": 0"#;
    let id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
    let bad = [
        (format!(r#"{{"nope": {{{good}}}}}"#), "not a word id"),
        (
            format!(r#"{{"{id}": {{{good}, "context_id": 5}}}}"#),
            "context_id 5",
        ),
        (
            format!(r#"{{"{id}": {{{good}, "context_id": 642, "part_of_speech": "名詞"}}}}"#),
            "part_of_speech",
        ),
        (
            format!(
                r#"{{"{id}": {{"surface": "x", "priority": 11, "pronunciation": "ア", "accent_type": 0}}}}"#
            ),
            "priority 11",
        ),
        (
            format!(
                r#"{{"{id}": {{"surface": "x", "priority": 5, "pronunciation": "ア", "accent_type": 2}}}}"#
            ),
            "accent_type 2",
        ),
        (
            format!(r#"{{"{id}": {{"surface": "x", "pronunciation": "ア", "accent_type": 0}}}}"#),
            "priority is missing",
        ),
        ("[1, 2]".to_owned(), "not a VOICEVOX user dictionary"),
    ];
    for (json, needle) in bad {
        let e = UserDictionary::from_voicevox_json(&json).expect_err(&json);
        assert!(e.to_string().contains(needle), "{json}: {e}");
    }
    let ok = format!(r#"{{"{id}": {{{good}}}}}"#);
    assert_eq!(
        UserDictionary::from_voicevox_json(&ok).expect("ok").len(),
        1
    );
}

#[test]
fn merge_keeps_or_overrides_existing_ids() {
    let mut d = sample();
    let (id, _) = d
        .iter()
        .next()
        .map(|(i, w)| (i.to_owned(), w.clone()))
        .expect("first");
    let mut other = UserDictionary::new();
    other
        .insert(&id, word("鬱金香庵", "ウコンコウアン", 0))
        .expect("insert");
    other.add(word("新語", "シンゴ", 0));

    let mut kept = d.clone();
    let s = kept.merge(other.clone(), false);
    assert_eq!(
        s,
        MergeSummary {
            added: 1,
            replaced: 0,
            kept: 1
        }
    );
    assert_eq!(kept.get(&id).expect("word").accent_type(), 3);
    assert_eq!(kept.len(), 4);

    let s = d.merge(other, true);
    assert_eq!(
        s,
        MergeSummary {
            added: 1,
            replaced: 1,
            kept: 0
        }
    );
    assert_eq!(d.get(&id).expect("word").accent_type(), 0);
}

#[test]
fn compiles_into_a_lindera_user_dictionary() {
    assert!(UserDictionary::new().compile().expect("empty").is_none());
    let d = sample();
    let compiled = d.compile().expect("compile").expect("some");
    let found = compiled.dict.find_surface("鬱金香庵");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].word_cost, 8609);
    assert_eq!(found[0].left_id, 1348);
    assert_eq!(compiled.dict.find_surface("ｙｏｍｉａｇｅ").len(), 1);
}
