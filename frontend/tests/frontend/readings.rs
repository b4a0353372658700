//! Readings: numbers and counters by rule (OpenJTalk's digit rules, the normalizer and ours),
//! and the learned reading stage with the accent of the reading it chooses.

use std::sync::Arc;

use yomiage_frontend::{AccentEstimator, Frontend, ReadingModel, ReadingSource};

use crate::common::frontend;

/// The whole text's reading (moras of every phrase, pauses left out).
fn reading(text: &str) -> String {
    frontend()
        .analyze(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .iter()
        .flat_map(|p| p.moras.iter().map(|m| m.text.clone()))
        .collect()
}

#[test]
fn counters_take_sokuon_and_rendaku() {
    for (text, expected) in [
        ("一本", "イッポン"),
        ("三本", "サンボン"),
        ("六本", "ロッポン"),
        ("六百", "ロッピャク"),
        ("三百", "サンビャク"),
        // 八百 alone is ヤオ (as in 八百屋) in pyopenjtalk-plus's dictionary; a counter after
        // it makes it a number.
        ("八百円", "ハッピャクエン"),
        ("八百屋", "ヤオヤ"),
        ("三千", "サンゼン"),
        // 十分 alone is the adjective "enough"; with digits it is ten minutes.
        ("十分だ", "ジューブンダ"),
        ("一匹", "イッピキ"),
        ("1本", "イッポン"),
        ("10分", "ジュップン"),
    ] {
        assert_eq!(reading(text), expected, "{text}");
    }
}

#[test]
fn days_of_the_month_have_their_own_words() {
    for (text, expected) in [
        // 一日 alone is "one day" (イチニチ); after a month it is the first.
        ("一日", "イチニチ"),
        ("四月一日", "シガツツイタチ"),
        ("二日", "フツカ"),
        ("八日", "ヨーカ"),
        ("二十日", "ハツカ"),
        ("4月1日", "シガツツイタチ"),
        ("3月15日", "サンガツジューゴニチ"),
    ] {
        assert_eq!(reading(text), expected, "{text}");
    }
}

#[test]
fn years_times_and_dates() {
    for (text, expected) in [
        ("2024年", "ニセンニジューヨネン"),
        ("1980年", "センキューヒャクハチジューネン"),
        ("9時30分", "クジサンジュップン"),
        ("4時", "ヨジ"),
        ("2024/3/15", "ニセンニジューヨネンサンガツジューゴニチ"),
    ] {
        assert_eq!(reading(text), expected, "{text}");
    }
}

#[test]
fn juu_before_a_voiceless_sound_is_juq() {
    // Nouns the digit rules do not know as counters: ニジュッチーム, not ニジューチーム.
    assert_eq!(reading("20チーム"), "ニジュッチーム");
    assert_eq!(reading("10回転"), "ジュッカイテン");
    // Before a voiced sound it stays ジュー.
    assert_eq!(reading("10時"), "ジュージ");
    assert_eq!(reading("十人"), "ジューニン");
}

#[test]
fn numerals_fit_the_word_after_them() {
    // 棟 read ムネ, not the counter トー: the sokuon form イッ has no sound to stand before.
    assert_eq!(reading("十一棟"), "ジューイチムネ");
    assert_eq!(reading("八棟"), "ハチムネ");
    assert_eq!(reading("一本"), "イッポン");
    // 千円 is one dictionary word; after 三 it is voiced as 三千 is.
    assert_eq!(reading("三千円"), "サンゼンエン");
    assert_eq!(reading("二千円"), "ニセンエン");
    assert_eq!(reading("三つ目と四つ目"), "ミッツメトヨッツメ");
    assert_eq!(reading("3角形"), "サンカッケー");
    // p only after a sokuon or ン.
    assert_eq!(reading("一柱"), "ヒトハシラ");
    assert_eq!(reading("一杯"), "イッパイ");
    assert_eq!(reading("三分"), "サンプン");
    assert_eq!(reading("1ポンド"), "イチポンド");
    assert_eq!(reading("ナポレオン三世"), "ナポレオンサンセー");
    assert_eq!(reading("満床"), "マンショー");
    // 一 before a one-kanji Sino-Japanese suffix is イッ (h → p after it); longer words, native
    // nouns, 中/小 and the last digit of a number keep イチ.
    assert_eq!(reading("一国の首相"), "イッコクノシュショー");
    assert_eq!(reading("一審で"), "イッシンデ");
    assert_eq!(reading("第1譜"), "ダイイップ");
    assert_eq!(reading("一小節"), "イッショーセツ");
    assert_eq!(reading("一単位"), "イチタンイ");
    assert_eq!(reading("一企業"), "イチキギョー");
    assert_eq!(reading("1中のグラフ"), "イチチューノグラフ");
    assert_eq!(reading("二十一国"), "ニジューイチコク");
}

#[test]
fn listed_weekdays_take_their_on_readings() {
    assert_eq!(reading("土、日、月の午前"), "ドニチゲツノゴゼン");
    assert_eq!(reading("月・水・金"), "ゲツスイキン");
    assert_eq!(reading("土・日は休み"), "ドニチワヤスミ");
    // The parts of a date are not days.
    let date = reading("年・月・日で指定する");
    assert!(date.contains("ツキ") && !date.contains("ゲツ"), "{date}");
    // A lone kanji is a noun.
    assert_eq!(reading("月に一度"), "ツキニイチド");
}

#[test]
fn phone_numbers_and_separators() {
    assert_eq!(
        reading("090-1234-5678"),
        "ゼロキューゼロイチニーサンヨンゴーロクナナハチ"
    );
    assert_eq!(reading("486ー2435です"), "ヨンハチロクニーヨンサンゴーデス");
    assert_eq!(reading("１、０００名"), "センメー");
}

/// A frontend with a given reading model (the rules' accents, so the phrase is the word's).
fn with_model(tsv: &str) -> Frontend {
    let dir = yomiage_voices::Layout::from_env()
        .expect("data dir")
        .dictionary_dir();
    let mut fe = Frontend::load(&dir).unwrap_or_else(|e| panic!("{e}"));
    fe.set_accent_estimator(AccentEstimator::Rules);
    fe.set_reading_model(Arc::new(
        ReadingModel::from_tsv(tsv).unwrap_or_else(|e| panic!("{e}")),
    ));
    fe
}

#[test]
fn a_learned_reading_brings_its_dictionary_accent() {
    let off = with_model("");
    let p = off.analyze("今日で").expect("analysis");
    let kana: String = p[0].moras.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(kana, "キョーデ");
    // コンニチ is naist-jdic's 今日 with accent 1; the rule's accent column carries it.
    let on = with_model("今日\tキョー\tnext\tで\tコンニチ\t1\n");
    let p = on.analyze("今日で").expect("analysis");
    let kana: String = p[0].moras.iter().map(|m| m.text.as_str()).collect();
    assert_eq!((kana.as_str(), p[0].accent), ("コンニチデ", 1));
    // The context must hold: before が the rule does not fire.
    let p = on.analyze("今日が").expect("analysis");
    assert!(p[0].moras[0].text == "キョ", "{p:?}");
}

#[test]
fn the_shipped_reading_model_is_used() {
    assert!(!ReadingModel::builtin().is_empty());
    // One of its rules: the labelled speaker says チョサクケン where naist-jdic has
    // チョサッケン.
    assert_eq!(reading("著作権"), "チョサクケン");
}

#[test]
fn kanji_the_dictionary_lacks_are_read_by_their_on_reading_not_dropped() {
    // 龘 and 靐 are in no naist-jdic word; Unihan reads them トウ and ヒョウ.
    assert_eq!(reading("龘が好き"), "トーガスキ");
    assert_eq!(reading("靐"), "ヒョー");
    let (_, words) = frontend().explain("龘が好き").expect("analysis");
    let word = words
        .iter()
        .find(|w| w.surface == "龘")
        .expect("龘 is a word");
    assert_eq!(word.source, ReadingSource::KanjiReading);
}

#[test]
fn katakana_spelled_with_vu_is_said_with_it() {
    assert_eq!(reading("ダ・ヴィンチ"), "ダヴィンチ");
    assert_eq!(reading("エヴェレスト"), "エヴェレスト");
    // Only the ヴ moras: the rest of the reading stays the dictionary's.
    assert_eq!(reading("ヴァイオリン"), "ヴァイオリン");
}

#[test]
fn o_before_native_words_and_go_before_sino_japanese() {
    assert_eq!(reading("御休みください"), "オヤスミクダサイ");
    assert_eq!(reading("御手洗い"), "オテアライ");
    assert_eq!(reading("御迷惑"), "ゴメーワク");
    assert_eq!(reading("御宿泊"), "ゴシュクハク");
    // 大 likewise: オー before a native word, ダイ before a Sino-Japanese one.
    assert_eq!(reading("大違い"), "オーチガイ");
    assert_eq!(reading("大企業"), "ダイキギョー");
    // 微 the other way: ビ before a Sino-Japanese word.
    assert_eq!(reading("微振動"), "ビシンドー");
}

#[test]
fn homographs_are_read_by_their_neighbours() {
    for (text, expected) in [
        // 方: the person after a modifier, the comparative before が, a side after の.
        ("思う方は", "オモウカタワ"),
        ("くださる方だけ", "クダサルカタダケ"),
        ("早い方がいい", "ハヤイホーガイイ"),
        ("母の方が", "ハハノホーガ"),
        ("閉じる方のデリミタ", "トジルホーノデリミタ"),
        ("ある方の上に", "アルカタノウエニ"),
        // 後に: "later" at the start of a clause, "behind" before a verb of order.
        ("後に破談になった", "ノチニハダンニナッタ"),
        ("後に続く", "アトニツズク"),
        // 辛い: hot near food or taste, painful elsewhere.
        ("カレーが辛い", "カレーガカライ"),
        ("辛いラーメン", "カライラーメン"),
        ("この料理は辛すぎる", "コノリョーリワカラスギル"),
        ("別れが辛い", "ワカレガツライ"),
        ("辛い思いをした", "ツライオモイヲシタ"),
        ("見物に行く", "ケンブツニイク"),
        ("これは見物だ", "コレワミモノダ"),
        ("金星が見える", "キンセーガミエル"),
        // 日本人 as one word is ニホンジン.
        ("日本人です", "ニホンジンデス"),
        ("一目で分かる", "ヒトメデワカル"),
        ("一目置く", "イチモクオク"),
        ("カルボニル基", "カルボニルキ"),
        ("医学の基", "イガクノモト"),
        ("インレー湖に", "インレーコニ"),
        ("湖は", "ミズウミワ"),
    ] {
        assert_eq!(reading(text), expected, "{text}");
    }
}

#[test]
fn set_phrases_and_compounds_decide_a_reading() {
    for (text, expected) in [
        ("紀元前", "キゲンゼン"),
        ("門前で待つ", "モンゼンデマツ"),
        ("駅前", "エキマエ"),
        // 下 after の: under an authority モト, under a thing シタ.
        ("支配の下で", "シハイノモトデ"),
        ("国王陛下の下に", "コクオーヘーカノモトニ"),
        ("テーブルの下に", "テーブルノシタニ"),
        ("青空の下で", "アオゾラノシタデ"),
        ("今日では", "コンニチデワ"),
        ("今日は", "キョーワ"),
        ("私ども", "ワタクシドモ"),
        ("そんな風に", "ソンナフーニ"),
        ("感じる間もない", "カンジルマモナイ"),
        ("一番好きな", "イチバンスキナ"),
        ("酒好きな", "サケズキナ"),
        ("雨が降りそう", "アメガフリソー"),
        ("電車を降りる", "デンシャヲオリル"),
        ("絵を描く", "エヲカク"),
        ("理想を描く", "リソーヲエガク"),
        ("水分不足", "スイブンブソク"),
        ("不足する", "フソクスル"),
        ("身体が", "カラダガ"),
        ("身体障害者", "シンタイショーガイシャ"),
        ("額に手を", "ヒタイニテヲ"),
        ("合計額", "ゴーケーガク"),
        ("その額は", "ソノガクワ"),
        ("ある種の", "アルシュノ"),
        ("僕等の", "ボクラノ"),
        ("クロンクヴィスト家の", "クロンクヴィストケノ"),
        ("評論家の", "ヒョーロンカノ"),
        ("潜水夫は", "センスイフワ"),
        ("夫は", "オットワ"),
        ("幕府の命により", "バクフノメーニヨリ"),
        ("命を救う", "イノチヲスクウ"),
        ("言うまでもない", "ユーマデモナイ"),
        ("あなた方は", "アナタガタワ"),
        ("お腹が空いた", "オナカガスイタ"),
        ("度を超した", "ドヲコシタ"),
        ("実を言うと", "ジツヲユート"),
        ("性に合わない", "ショーニアワナイ"),
        ("か否か", "カイナカ"),
        ("無に帰した", "ムニキシタ"),
        ("年に一度", "ネンニイチド"),
        ("その年に三人", "ソノトシニサンニン"),
        ("前世紀の", "ゼンセーキノ"),
        ("忍耐強く", "ニンタイズヨク"),
        ("案内人", "アンナイニン"),
        ("外国人", "ガイコクジン"),
        ("エベレスト山", "エベレストサン"),
        ("学びの園", "マナビノソノ"),
        ("自画像を描く", "ジガゾーヲカク"),
        ("体中に", "カラダジューニ"),
        ("試合中に", "シアイチューニ"),
    ] {
        assert_eq!(reading(text), expected, "{text}");
    }
}

#[test]
fn katakana_read_as_spelt_lengthens_ou() {
    assert_eq!(reading("ケンシロウ"), "ケンシロー");
    // ウ before a small vowel is a mora of its own.
    assert_eq!(reading("ソフトウェア"), "ソフトウェア");
    assert_eq!(reading("ハードウエアー"), "ハードウエアー");
}
