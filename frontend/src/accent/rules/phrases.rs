//! Readings a neighbouring word decides: set phrases (今日では, か否か) and the second part of a
//! compound (水分不足 ブソク, 案内人 ニン), as the standard language says them.

use jpreprocess::NJD;

use super::homographs::Around;
use super::set_reading;
use crate::script::is_katakana_word;

/// Readings a neighbouring word decides, as set phrases and compounds of the standard language
/// have them:
///
/// - 今日では "nowadays" is コンニチ (今日では計算機は…); 今日は stays キョー.
/// - 私ども and 私共 are the humble ワタクシドモ.
/// - こんな/そんな/あんな/どんな風 is フー "way" (そんな風に), not カゼ "wind".
/// - 間もない is マ (感じる間もない).
/// - 一番好き is スキ: 好き after 一番 is the adjective, not the suffix ズキ (酒好き).
/// - 降り after 雨が or 雪が is 降る's フリ (雨が降りそうだ), not 降りる's オリ.
/// - 描く with a picture as its object is the everyday カク (絵を描く, 絵に描いたよう, 自画像を
///   描く); エガク stays for 描写-like uses (理想を描く).
/// - 不足 and 合戦 as the second part of a compound are voiced (水分不足 スイブンブソク, 宝治合戦
///   ホージガッセン).
/// - 身体 on its own is カラダ (身体が, 身体を); シンタイ stays in compounds (身体障害者, 身体検査).
/// - 額 on its own is ヒタイ "forehead" (額に手を当てる, 猫の額); after a noun or その/この it is
///   the amount ガク (合計額, 利益額, その額).
/// - ある種 is アルシュ "a kind of".
/// - 夫 after a noun is the suffix フ (潜水夫, 農夫), not オット "husband".
/// - 命 "order" before により or に従う is メー (幕府の命により, 親の命に従う), not イノチ.
/// - 等 after a pronoun is the plural ラ (僕等, 彼等), not ナド.
/// - 家 after a katakana name is the family ケ (クロンクヴィスト家), as after a Japanese one
///   (織田家), not the profession カ (評論家).
/// - 方 after a pronoun is the honorific plural ガタ (あなた方).
/// - お腹が空いた is スイタ (空く), not アイタ (空く "to open up").
/// - 度を超す/越す is ド, 実を言うと ジツ, 性に合う ショー, か否か イナ, 無に帰す キス, 年に一度/
///   何度 ネン (but その年に三人 トシ), 前世紀 ゼンセーキ (前 before 世紀, 大統領, 首相… is
///   "former").
/// - 強い after a noun is voiced (忍耐強い ニンタイヅヨイ, 力強い).
/// - 人 after a verbal noun is ニン (案内人, 管理人, 通行人), after other nouns ジン (外国人).
/// - 山 after a katakana name of three or more kana is サン (エベレスト山; ゴミ山 stays ヤマ), 園
///   after の ソノ (学びの園).
/// - 前 after 紀元 or 門 is ゼン (紀元前 キゲンゼン, 門前 モンゼン), the compounds' on-reading.
/// - 下 after の is モト "under" when what comes before の is an authority rather than a thing:
///   a verbal noun or a person (支配の下で, 指導の下に, スケアドルの下に付き) or a ruler (国王陛下
///   の下に, 法の下に); under a thing it stays シタ (テーブルの下, 青空の下).
/// - 中 after a place, the body or a span of time is "all through" ジュー (体中, 街中, 日本中,
///   一晩中); after an activity or a substance it stays "during, in" チュー (試合中, 空気中).
pub(super) fn phrase_readings(njd: &mut NJD) {
    for i in 0..njd.nodes.len() {
        let around = Around::of(njd, i);
        let node = &njd.nodes[i];
        let surface = node.get_string();
        let pure = node.get_pron().to_pure_string();
        let new: Option<(String, usize)> = match (surface, pure.as_str()) {
            ("今日", "キョー") if around.next_is(&["で"]) && around.next2() == Some("は") => {
                Some(("コンニチ".into(), 1))
            }
            ("私", "ワタシ") if around.next_is(&["ども", "共"]) => {
                Some(("ワタクシ".into(), 0))
            }
            ("風", "カゼ") if around.prev_is(&["こんな", "そんな", "あんな", "どんな"]) => {
                Some(("フー".into(), 1))
            }
            ("間", "アイダ")
                if around.next_is(&["も"])
                    && around
                        .next2()
                        .is_some_and(|w| w.starts_with('な') || w.starts_with('無')) =>
            {
                Some(("マ".into(), 0))
            }
            ("好き", "ズキ") if around.prev_is(&["一番"]) => Some(("スキ".into(), 2)),
            ("降り", "オリ")
                if around.prev_is(&["が", "も"])
                    && around
                        .prev2()
                        .is_some_and(|w| matches!(w, "雨" | "雪" | "雹" | "霰")) =>
            {
                Some(("フリ".into(), 2))
            }
            (w, p)
                if w.starts_with('描')
                    && p.starts_with("エガ")
                    && around.prev_is(&["を", "に", "しか", "も", "は"])
                    && around
                        .prev2()
                        .is_some_and(|w| w == "絵" || w == "図" || w.ends_with(['画', '像'])) =>
            {
                Some((format!("カ{}", &p["エガ".len()..]), 1))
            }
            ("不足", "フソク") if around.after_noun() => Some(("ブソク".into(), 0)),
            ("合戦", "カッセン") if around.after_noun() => Some(("ガッセン".into(), 0)),
            ("身体", "シンタイ") if around.next_tag().is_some_and(|p| p.is("助詞")) => {
                Some(("カラダ".into(), 0))
            }
            ("額", "ガク") if !around.after_noun() && !around.prev_pos(&["接頭詞", "連体詞"]) => {
                Some(("ヒタイ".into(), 0))
            }
            ("種", "タネ") if around.prev_is(&["ある"]) => Some(("シュ".into(), 1)),
            ("夫", "オット") if around.after_noun() => Some(("フ".into(), 1)),
            ("命", "イノチ")
                if around.next_is(&["に"])
                    && around
                        .next2()
                        .is_some_and(|w| w == "より" || w == "よっ" || w.starts_with("従")) =>
            {
                Some(("メー".into(), 1))
            }
            ("等", _) if around.prev_pos_is("名詞", "代名詞") => Some(("ラ".into(), 1)),
            ("家", "カ") if around.prev().is_some_and(is_katakana_word) => Some(("ケ".into(), 1)),
            ("方", "カタ") if around.prev_pos_is("名詞", "代名詞") => {
                Some(("ガタ".into(), 1))
            }
            (w, p)
                if w.starts_with('空')
                    && p.starts_with('ア')
                    && around.prev_is(&["が"])
                    && around
                        .prev2()
                        .is_some_and(|w| matches!(w, "お腹" | "腹" | "おなか")) =>
            {
                Some((format!("ス{}", &p['ア'.len_utf8()..]), 0))
            }
            ("度", "タビ")
                if around.next_is(&["を"])
                    && around.next2().is_some_and(|w| w.starts_with(['超', '越'])) =>
            {
                Some(("ド".into(), 0))
            }
            ("実", "ミ")
                if around.next_is(&["を"])
                    && around.next2().is_some_and(|w| w.starts_with(['言', 'い'])) =>
            {
                Some(("ジツ".into(), 2))
            }
            ("性", "セー")
                if around.next_is(&["に"])
                    && around.next2().is_some_and(|w| w.starts_with('合')) =>
            {
                Some(("ショー".into(), 1))
            }
            ("否", "ヒ") if around.prev_is(&["か"]) && around.next_is(&["か"]) => {
                Some(("イナ".into(), 1))
            }
            (w, p)
                if w.starts_with('帰')
                    && p.starts_with("カエ")
                    && around.prev_is(&["に"])
                    && around.prev2() == Some("無") =>
            {
                Some((format!("キ{}", &p["カエ".len()..]), 1))
            }
            ("年", "トシ")
                if around.next_is(&["に"])
                    && !around.prev_is(&["の"])
                    && !around.prev_pos(&["連体詞", "動詞", "助動詞", "形容詞"])
                    && around
                        .next2()
                        .is_some_and(|w| w.starts_with(['一', '何', '数', '二', '三'])) =>
            {
                Some(("ネン".into(), 1))
            }
            ("前", "マエ")
                if around.next_is(&["世紀", "年度", "大統領", "首相", "社長", "会長", "知事"])
                    || around.prev_is(&["紀元", "門"]) =>
            {
                Some(("ゼン".into(), 1))
            }
            (w, p)
                if w.starts_with('強')
                    && p.starts_with("ツヨ")
                    && around.after_noun()
                    && around.prev_tag().is_some_and(|pos| !pos.g1("数")) =>
            {
                Some((format!("ズ{}", &p['ツ'.len_utf8()..]), 2))
            }
            ("人", "ジン") if around.prev_pos_is("名詞", "サ変接続") => {
                Some(("ニン".into(), 1))
            }
            ("山", "ヤマ")
                if around
                    .prev()
                    .is_some_and(|w| w.chars().count() >= 3 && is_katakana_word(w)) =>
            {
                Some(("サン".into(), 2))
            }
            ("園", "エン") if around.prev_is(&["の"]) => Some(("ソノ".into(), 1)),
            ("下", "シタ")
                if around.prev_is(&["の"])
                    && (around.prev2_tag().is_some_and(|p| {
                        p.is1("名詞", "サ変接続") || (p.is1("名詞", "固有名詞") && p.g[2] == "人名")
                    }) || matches!(
                        around.prev2(),
                        Some("陛下" | "王" | "国王" | "法" | "名")
                    )) =>
            {
                Some(("モト".into(), 2))
            }
            ("中", "チュー")
                if around.prev_is(&[
                    "体", "身体", "街", "町", "世界", "日本", "国", "家", "部屋", "学校", "村",
                    "島", "会社", "一日", "一晩", "一年", "夜", "夏", "冬",
                ]) =>
            {
                Some(("ジュー".into(), 0))
            }
            _ => None,
        };
        if let Some((reading, accent)) = new {
            set_reading(njd, i, &reading, accent);
        }
    }
}
