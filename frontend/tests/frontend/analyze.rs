use crate::common;

use common::frontend;
use yomiage_frontend::{AccentPhrase, Consonant, FrontendError, Vowel};

fn analyze(text: &str) -> Vec<AccentPhrase> {
    frontend()
        .analyze(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn kana(p: &AccentPhrase) -> String {
    p.moras.iter().map(|m| m.text.as_str()).collect()
}

#[test]
fn hashi_homophones_differ_only_in_accent() {
    for (word, accent) in [("箸", 1), ("橋", 2), ("端", 0)] {
        let p = analyze(word);
        assert_eq!(p.len(), 1, "{word}: {p:?}");
        assert_eq!(kana(&p[0]), "ハシ", "{word}");
        assert_eq!(p[0].accent, accent, "{word}");
        assert_eq!(p[0].moras.len(), 2);
    }
}

#[test]
fn hashi_with_particle_keeps_heiban_distinct_from_odaka() {
    for (text, accent) in [("箸が", 1), ("橋が", 2), ("端が", 0)] {
        let p = analyze(text);
        assert_eq!(p.len(), 1, "{text}: {p:?}");
        assert_eq!(kana(&p[0]), "ハシガ", "{text}");
        assert_eq!(p[0].moras.len(), 3, "{text}");
        assert_eq!(p[0].accent, accent, "{text}");
        assert!(p[0].pause_mora.is_none());
        assert!(!p[0].is_interrogative);
    }
}

#[test]
fn moras_use_openjtalk_phonemes() {
    let p = analyze("箸");
    let m = &p[0].moras;
    assert_eq!(m[0].consonant, Some(Consonant::H));
    assert_eq!(m[0].vowel, Vowel::A);
    assert_eq!(m[1].consonant, Some(Consonant::Sh));
    assert_eq!(m[1].vowel, Vowel::I);
    for mora in m {
        assert_eq!(mora.vowel_length, 0.0);
        assert_eq!(mora.pitch, 0.0);
        assert_eq!(mora.consonant_length, mora.consonant.as_ref().map(|_| 0.0));
    }
}

#[test]
fn a_sentence_gives_sensible_phrases() {
    let p = analyze("今日はいい天気ですね。");
    let texts: Vec<String> = p.iter().map(kana).collect();
    assert_eq!(texts, ["キョーワ", "イイ", "テンキデスネ"]);
    let accents: Vec<usize> = p.iter().map(|p| p.accent).collect();
    assert_eq!(accents, [1, 1, 1]);
    assert!(p.iter().all(|p| p.pause_mora.is_none()));
    // A sentence-final ね is said with a rise, like a question.
    let rises: Vec<bool> = p.iter().map(|p| p.is_interrogative).collect();
    assert_eq!(rises, [false, false, true]);

    // 今日: キョ + a long-vowel mora that repeats o.
    let kyo = &p[0].moras;
    assert_eq!(kyo[0].consonant, Some(Consonant::Ky));
    assert_eq!(
        (kyo[1].text.as_str(), kyo[1].consonant, kyo[1].vowel),
        ("ー", None, Vowel::O)
    );
    // 天気: ン is its own mora with vowel N; です: ス devoiced.
    let tenki = &p[2].moras;
    assert_eq!((tenki[1].consonant, tenki[1].vowel), (None, Vowel::N));
    assert_eq!(tenki[4].text, "ス");
    assert_eq!(tenki[4].vowel, Vowel::DevoicedU);
    assert!(tenki[4].is_devoiced());
    // (The voice model's phonemes for these: engine/tests/phonemes.rs.)
}

#[test]
fn punctuation_gives_a_pause_mora() {
    let p = analyze("本が好き、先生。東京");
    let texts: Vec<String> = p.iter().map(kana).collect();
    assert_eq!(texts, ["ホンガ", "スキ", "センセー", "トーキョー"]);
    let pauses: Vec<bool> = p.iter().map(|p| p.pause_mora.is_some()).collect();
    assert_eq!(pauses, [false, true, true, false]);
    let pause = p[1].pause_mora.as_ref().expect("pause");
    assert_eq!(pause.vowel, Vowel::Pau);
    assert_eq!(pause.consonant, None);
    assert_eq!(p[3].accent, 0, "東京 is heiban");
}

#[test]
fn question_marks_the_last_phrase_interrogative() {
    for text in [
        "行きますか？",
        "行きますか?",
        "行きますか！？",
        "行きますか？！",
    ] {
        let p = analyze(text);
        let last = p.last().expect("phrases");
        assert!(last.is_interrogative, "{text}: {p:?}");
        assert!(
            p[..p.len() - 1].iter().all(|p| !p.is_interrogative),
            "{text}"
        );
        assert_eq!(kana(last), "イキマスカ");
    }
    assert!(
        !analyze("行きます。")
            .last()
            .expect("phrase")
            .is_interrogative
    );
}

#[test]
fn question_in_the_middle_pauses_and_stays_interrogative() {
    let p = analyze("本当？行きます。");
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p[0].is_interrogative);
    assert!(p[0].pause_mora.is_some());
    assert!(!p[1].is_interrogative);
}

#[test]
fn empty_text_is_its_own_error() {
    for text in ["", "   ", "\n\t ", "　"] {
        let err = frontend().analyze(text).expect_err(text);
        assert!(matches!(err, FrontendError::EmptyText), "{text:?}: {err}");
    }
    assert_eq!(FrontendError::EmptyText.to_string(), "the text is empty");
}

#[test]
fn symbols_only_is_nothing_to_say() {
    for text in ["！？★☆♪", "😀", "。。。", "\u{3099}", "…", "「」"] {
        let err = frontend().analyze(text).expect_err(text);
        assert!(
            matches!(err, FrontendError::NothingToSay),
            "{text:?}: {err}"
        );
        assert!(err.to_string().contains("nothing to say"));
    }
}

#[test]
fn odd_characters_do_not_panic() {
    for text in yomiage_testkit::strategies::ODD_INPUTS {
        match frontend().analyze(text) {
            Ok(p) => {
                for phrase in &p {
                    assert!(!phrase.moras.is_empty(), "{text:?}");
                    assert!(phrase.accent <= phrase.moras.len(), "{text:?}");
                }
            }
            Err(FrontendError::EmptyText | FrontendError::NothingToSay) => {}
            Err(e) => panic!("{text:?}: {e}"),
        }
    }
}

#[test]
fn leading_long_vowel_mark_is_dropped_not_garbage() {
    let p = analyze("ーあ");
    assert_eq!(p.len(), 1);
    assert_eq!(kana(&p[0]), "ア");
}

#[test]
fn newlines_separate_like_a_pause() {
    let p = analyze("今日は\n晴れ");
    assert_eq!(p.len(), 2);
    assert!(p[0].pause_mora.is_some());
}

#[test]
fn long_input_is_fine() {
    let sentence = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。";
    let text: String = sentence.chars().cycle().take(10_000).collect();
    let started = std::time::Instant::now();
    let p = analyze(&text);
    let moras: usize = p.iter().map(|p| p.moras.len()).sum();
    assert!(moras > 10_000, "{moras}");
    // Phrases longer than the 49 moras labels can express must not be clamped.
    let long = analyze("東京特許許可局長今日急遽休暇許可拒否");
    assert!(long.iter().all(|p| p.accent <= p.moras.len()));
    eprintln!(
        "10,000 chars: {} phrases in {:?}",
        p.len(),
        started.elapsed()
    );
}

#[test]
fn frontend_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<yomiage_frontend::Frontend>();
}

#[test]
fn missing_dictionary_is_a_clear_error() {
    let err = yomiage_frontend::Frontend::load(std::path::Path::new("/nonexistent/dict"))
        .expect_err("no dictionary there");
    assert!(
        matches!(err, FrontendError::DictionaryMissing { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("/nonexistent/dict"));
}

/// (kana, accent) of every phrase.
fn structure(text: &str) -> Vec<(String, usize)> {
    analyze(text).iter().map(|p| (kana(p), p.accent)).collect()
}

fn s(kana: &str, accent: usize) -> (String, usize) {
    (kana.to_owned(), accent)
}

#[test]
fn sahen_noun_and_suru_are_one_phrase() {
    // 告発 is flat, so 告発した stays flat; ます puts the fall on マ (ヘンカンシマ'ス) except
    // at the end of a sentence (see `sentence_final_masu_is_flat`).
    assert_eq!(structure("告発した"), [s("コクハツシタ", 0)]);
    assert_eq!(structure("変換しますが"), [s("ヘンカンシマスガ", 6)]);
}

#[test]
fn dependent_nouns_join_the_inflected_word_before_them() {
    // ならない + の + です: one phrase; the fall of ならない's ない-form stays.
    let p = analyze("ならないのです");
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(kana(&p[0]), "ナラナイノデス");
    // An accented verb keeps its fall (カ'クコトガ), a flat one takes こと's (スルコ'トガ).
    assert_eq!(structure("書くことが"), [s("カクコトガ", 1)]);
    assert_eq!(structure("することが"), [s("スルコトガ", 4)]);
}

#[test]
fn auxiliary_verbs_after_te_join_the_verb() {
    let p = analyze("食べている");
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(kana(&p[0]), "タベテイル");
}

#[test]
fn adjective_ku_form_moves_the_fall_back() {
    assert_eq!(structure("高い"), [s("タカイ", 2)]);
    assert_eq!(structure("高く"), [s("タカク", 1)]);
    // A flat adjective's く form is said both ways in Tokyo speech: flat (the rules, as the
    // accent dictionaries list it first) or with a fall after its first mora (the learned
    // model, as the labelled speaker says く forms).
    let akaku = structure("赤く");
    assert!(
        akaku == [s("アカク", 0)] || akaku == [s("アカク", 1)],
        "{akaku:?}"
    );
}

#[test]
fn numbers_with_counters() {
    assert_eq!(structure("3本"), [s("サンボン", 1)]);
    for (text, reading) in [("1匹", "イッピキ"), ("20歳", "ニジュッサイ")] {
        let p = analyze(text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(kana(&p[0]), reading);
    }
}

#[test]
fn compound_nouns_are_one_phrase() {
    let p = analyze("音声合成");
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(kana(&p[0]), "オンセーゴーセー");
}

#[test]
fn question_mark_makes_the_last_phrase_rise() {
    let p = analyze("行きますか？");
    assert!(p.last().unwrap().is_interrogative, "{p:?}");
    let p = analyze("行きます。");
    assert!(!p.last().unwrap().is_interrogative, "{p:?}");
}

#[test]
fn accented_verb_stems_fall_one_mora_earlier_before_ta_and_te() {
    // タベ'ル → タ'ベタ, オト'ス → オト'シタ, ナズケ'ル → ナズ'ケテ; ミ'ル keeps ミ'タ.
    assert_eq!(structure("食べた"), [s("タベタ", 1)]);
    assert_eq!(structure("落とした"), [s("オトシタ", 2)]);
    assert_eq!(structure("名付けて"), [s("ナズケテ", 2)]);
    assert_eq!(structure("見た"), [s("ミタ", 1)]);
    // A flat verb's stem stays flat: the fall, if any, comes after its た/だ (アソンダ'ラ, as
    // the labelled speaker says イッタ'ラ), which at the end of a phrase sounds flat.
    let [(kana, accent)] = &structure("遊んだ")[..] else {
        panic!("one phrase")
    };
    assert_eq!(
        (kana.as_str(), *accent == 0 || *accent == 4),
        ("アソンダ", true)
    );
}

#[test]
fn passive_and_causative_make_a_new_accented_verb() {
    // オモ'ウ → オモワレ'ル, オモワ'レタ; カンガ'エル → カンガエラ'レテイル.
    assert_eq!(structure("思われる"), [s("オモワレル", 4)]);
    assert_eq!(structure("思われた"), [s("オモワレタ", 3)]);
    assert_eq!(structure("考えられている"), [s("カンガエラレテイル", 5)]);
    // A flat verb's passive is flat.
    assert_eq!(structure("歌われる"), [s("ウタワレル", 0)]);
}

#[test]
fn polite_imperatives_keep_their_own_fall() {
    assert_eq!(structure("休みなさい"), [s("ヤスミナサイ", 5)]);
}

#[test]
fn phrase_level_accent_rules() {
    // 〜的 is flat.
    assert_eq!(structure("経済的な")[0], s("ケーザイテキナ", 0));
    // A flat noun + には / では falls on the case particle.
    assert_eq!(structure("学校には")[0], s("ガッコーニワ", 5));
    // An odaka noun loses its fall before の (two or more moras).
    assert_eq!(structure("男の")[0], s("オトコノ", 0));
    // A flat verb falls on its last mora before の, が and と.
    assert_eq!(structure("行くのが")[0], s("イクノガ", 2));
    // 〜者 falls just before 者.
    assert_eq!(structure("科学者の")[0], s("カガクシャノ", 3));
}

#[test]
fn sentence_final_masu_is_flat() {
    assert_eq!(structure("変換します。"), [s("ヘンカンシマス", 0)]);
    assert_eq!(structure("行きますか。"), [s("イキマスカ", 3)]);
}

#[test]
fn sentence_final_ka_and_ne_rise() {
    for text in ["行きますか。", "いいですね", "そうですか？"] {
        let p = analyze(text);
        assert!(p.last().unwrap().is_interrogative, "{text}: {p:?}");
    }
    for text in ["行きます。", "行きますよ。"] {
        let p = analyze(text);
        assert!(!p.last().unwrap().is_interrogative, "{text}: {p:?}");
    }
}

#[test]
fn volitional_falls_before_its_u() {
    assert_eq!(structure("歩こうと")[0], s("アルコート", 3));
    // Flat verbs too: イウ → イオ'ー, ハジメル → ハジメヨ'ー.
    assert_eq!(structure("言おうと")[0], s("イオート", 2));
    assert_eq!(structure("始めようと")[0], s("ハジメヨート", 4));
}

#[test]
fn dependent_pairs_take_the_fall_after_a_flat_word() {
    assert_eq!(structure("必要である"), [s("ヒツヨーデアル", 6)]);
    assert_eq!(structure("学校にも")[0], s("ガッコーニモ", 5));
    assert_eq!(structure("行かなかった"), [s("イカナカッタ", 3)]);
    assert_eq!(structure("言わなければ"), [s("イワナケレバ", 3)]);
}

#[test]
fn obligation_and_negation_start_their_own_phrase() {
    assert_eq!(
        structure("言わなければならない"),
        [s("イワナケレバ", 3), s("ナラナイ", 2)]
    );
    let kana: Vec<String> = structure("してはいけない")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(kana, ["シテワ", "イケナイ"]);
    let kana: Vec<String> = structure("そうではない")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(kana, ["ソーデワ", "ナイ"]);
}

#[test]
fn iu_is_pronounced_yuu() {
    // (The quotative と and いう are one phrase.)
    assert_eq!(structure("と言う")[0].0, "トユー");
    assert_eq!(structure("という")[0].0, "トユー");
    // Other forms keep their spelling.
    assert_eq!(structure("言った")[0].0, "イッタ");
}

#[test]
fn nihon_is_nihon_in_compounds() {
    // pyopenjtalk-plus's naist-jdic prefers ニホン (as the labelled speaker does), alone and
    // in compounds; ニッポン stays where the dictionary has a compound that says it.
    let phrases = structure("彼は日本の経済を学ぶ");
    assert!(phrases.contains(&s("ニホンノ", 0)), "{phrases:?}");
    assert!(structure("日本の経済")[0].0.starts_with("ニホンノ"));
    assert!(structure("日本政府")[0].0.starts_with("ニホン"));
    assert!(structure("日本銀行")[0].0.starts_with("ニッポンギンコー"));
}

#[test]
fn homographs_read_by_context() {
    assert_eq!(structure("何でも")[0], s("ナンデモ", 1));
    assert_eq!(structure("何の話")[0].0, "ナンノ");
    assert_eq!(structure("何が")[0].0, "ナニガ");
    // 他 is ホカ here, and ホカノ a flat phrase of its own before ヒト'ヨリモ, as the labelled
    // speaker says 他の人よりも.
    let hoka = structure("他の人よりも");
    assert_eq!(hoka[0], s("ホカノ", 0), "{hoka:?}");
    assert_eq!(structure("後に有名になった")[0], s("ノチニ", 2));
    assert_eq!(structure("食べた後に寝る")[1].0, "アトニ");
}

#[test]
fn ei_inside_a_word_is_a_long_vowel() {
    assert_eq!(structure("きれいな花")[0].0, "キレーナ");
    // A word with kanji keeps the dictionary's エイ, which there spans two parts of a compound.
    assert!(structure("受け入れ")[0].0.starts_with("ウケイレ"));
    assert!(structure("先生")[0].0.starts_with("センセー"));
}

#[test]
fn phrase_accent_rules_for_te_wa_nani_mo_and_tachi() {
    assert_eq!(structure("行ってはいけない")[0], s("イッテワ", 3));
    assert_eq!(structure("何も見えない")[0], s("ナニモ", 0));
    assert_eq!(structure("生徒たち")[0], s("セートタチ", 1));
    assert_eq!(structure("子供たち")[0], s("コドモタチ", 3));
}

#[test]
fn nan_before_no_is_flat() {
    assert_eq!(structure("何の話ですか")[0], s("ナンノ", 0));
}

#[test]
fn de_atta_after_a_flat_word_falls_on_its_a() {
    assert_eq!(structure("必要であった")[0], s("ヒツヨーデアッタ", 6));
}

#[test]
fn quotative_to_iu_is_one_phrase_with_a_fall_after_a_flat_verb() {
    assert_eq!(structure("溺れるという話")[0], s("オボレルトユー", 4));
}
