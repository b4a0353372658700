//! Homographs read by their context: one spelling, several readings in naist-jdic, and the
//! dictionary's costs pick one everywhere. Each rule is a pattern of the standard language (the
//! word's neighbours and their parts of speech), not a list of sentences.

use jpreprocess::NJD;
use jpreprocess_core::pronunciation::Pronunciation;

use super::pos::Pos;
use crate::script::{is_hiragana, is_kanji, is_katakana};

fn set(njd: &mut NJD, i: usize, reading: &str, accent: usize) {
    if let Ok(pron) = Pronunciation::parse(reading, accent) {
        njd.nodes[i].set_pron(pron);
    }
}

/// A word spelt with kanji and then kana (okurigana) is native (和語): 楽しみ, 違い.
fn is_native(word: &str) -> bool {
    word.chars().next().is_some_and(is_kanji) && word.chars().any(is_hiragana)
}

/// The prefixes 御 and 大 before a native word take their native readings: 御楽しみ, 御近く,
/// 御休み オヤスミ; 大違い, 大慌て オーチガイ, オーアワテ. naist-jdic's prefixes read ゴ and
/// ダイ, which belong before Sino-Japanese words (御宿泊, 御迷惑, 大企業, 大成功). (御存じ
/// ゴゾンジ and 大好き ダイスキ are dictionary words of their own, which this leaves alone.)
/// The other way round, 微 before a Sino-Japanese word (kanji alone) is ビ (微振動, 微調整), where
/// naist-jdic's prefix says ホロ (as in 微酔い ホロヨイ).
pub(super) fn native_prefixes(njd: &mut NJD) {
    for i in 0..njd.nodes.len().saturating_sub(1) {
        let next = njd.nodes[i + 1].get_string();
        if !Pos::of(&njd.nodes[i]).is("接頭詞") {
            continue;
        }
        let sino = !next.is_empty() && next.chars().all(is_kanji);
        let node = &njd.nodes[i];
        let native = match (node.get_string(), node.get_pron().to_pure_string().as_str()) {
            ("御", "ゴ") if is_native(next) => "オ",
            ("大", "ダイ") if is_native(next) => "オー",
            ("微", "ホロ") if sino => "ビ",
            _ => continue,
        };
        let accent = node.get_pron().accent();
        set(njd, i, native, accent);
    }
}

/// 日本 has two readings in naist-jdic, ニッポン and ニホン. As the first part of a compound
/// noun the common reading is ニホン (NHK's preference: 日本人, 日本政府, 日本食 → ニホンジン,
/// ニホンセーフ, ニホンショク). pyopenjtalk-plus's dictionary already prefers ニホン, so this
/// only fires where the lattice still picks ニッポン before a noun.
pub(super) fn nihon_in_compounds(njd: &mut NJD) {
    for i in 0..njd.nodes.len().saturating_sub(1) {
        let next = Pos::of(&njd.nodes[i + 1]);
        let compound = next.is("名詞") && !next.g1("非自立") && !next.g1("代名詞");
        let node = &njd.nodes[i];
        if compound
            && node.get_string() == "日本"
            && Pos::of(node).is1("名詞", "固有名詞")
            && node.get_pron().to_pure_string() == "ニッポン"
        {
            set(njd, i, "ニホン", 2);
        }
    }
}

/// What a rule may look at around word `i`: the words before and after it, with their parts
/// of speech.
struct Around<'a> {
    prev: Option<(&'a str, Pos)>,
    prev2: Option<&'a str>,
    next: Option<(&'a str, Pos)>,
    next2: Option<&'a str>,
    /// The first kana of the next word's reading.
    next_first: Option<char>,
}

impl<'a> Around<'a> {
    fn of(njd: &'a NJD, i: usize) -> Around<'a> {
        let word = |k: usize| njd.nodes.get(k).map(|n| (n.get_string(), Pos::of(n)));
        let surface = |k: usize| njd.nodes.get(k).map(|n| n.get_string());
        Around {
            prev: i.checked_sub(1).and_then(word),
            prev2: i.checked_sub(2).and_then(surface),
            next: word(i + 1),
            next2: surface(i + 2),
            next_first: njd
                .nodes
                .get(i + 1)
                .and_then(|n| n.get_pron().to_pure_string().chars().next()),
        }
    }
    fn prev_is(&self, words: &[&str]) -> bool {
        self.prev.as_ref().is_some_and(|(w, _)| words.contains(w))
    }
    fn next_is(&self, words: &[&str]) -> bool {
        self.next.as_ref().is_some_and(|(w, _)| words.contains(w))
    }
    fn next_dependent(&self) -> bool {
        self.next
            .as_ref()
            .is_some_and(|(_, p)| p.is("助詞") || p.is("助動詞"))
    }
    fn prev_pos(&self, heads: &[&str]) -> bool {
        self.prev
            .as_ref()
            .is_some_and(|(_, p)| heads.iter().any(|h| p.is(h)))
    }
    /// Whether the word before is a noun this word forms a compound with (not a pronoun or
    /// a dependent noun such as の or こと).
    fn after_noun(&self) -> bool {
        self.prev
            .as_ref()
            .is_some_and(|(_, p)| p.is("名詞") && !p.g1("非自立") && !p.g1("代名詞"))
    }
}

/// Readings of homographs chosen by their context, as the standard language reads them:
///
/// - 何 is ナン before a particle or auxiliary starting with t, d or n (何で, 何の, 何と,
///   何だ: ナ'ンデ, ナ'ンノ), ナニ elsewhere (何が, 何を, 何も).
/// - 他 on its own before a particle or a comma is ホカ "other" (他の, 他は: ホカノ); タ stays
///   in compounds (他国, 他人).
/// - 後 alone at the start of a sentence or clause, before に or は, is the adverbial ノチ
///   "later" (後に, …され、後に: ノチ'ニ); after a modifier it is アト (食べた後に).
/// - 方 after a verb, adjective or この/その is the honorific "person" カタ (ご希望の方は →
///   思う方は, くださる方だけ, この方に); the comparative ホー takes が (早い方がいい, した方が
///   ましだ), and a direction takes を, へ, から or まで (音のする方を見る). After の it stays
///   ホー (母の方が).
/// - 一目 is ヒトメ "a glance" (一目で, 一目見て); イチモク only in 一目置く and 一目瞭然.
/// - 基 after a katakana word is the chemical group キ (カルボニル基, ケトン基), not モト.
/// - 湖 right after a name is the suffix コ (インレー湖, バイカル湖), not ミズウミ.
pub(super) fn homograph_readings(njd: &mut NJD) {
    for i in 0..njd.nodes.len() {
        let around = Around::of(njd, i);
        let node = &njd.nodes[i];
        let pure = node.get_pron().to_pure_string();
        let new = match (node.get_string(), pure.as_str()) {
            ("何", "ナニ")
                if around.next_dependent()
                    && around
                        .next_first
                        .is_some_and(|c| "タテトダデドナニヌネノ".contains(c)) =>
            {
                Some(("ナン", 1))
            }
            ("他", "タ")
                if around.next_dependent()
                    || around
                        .next
                        .as_ref()
                        .is_some_and(|(_, p)| p.is1("記号", "読点")) =>
            {
                Some(("ホカ", 0))
            }
            ("後", "アト")
                if around.next_is(&["に", "は"])
                    && around.prev.as_ref().is_none_or(|(_, p)| p.is("記号")) =>
            {
                Some(("ノチ", 2))
            }
            ("方", "ホー")
                if Pos::of(node).is1("名詞", "非自立")
                    && around.prev_pos(&["動詞", "助動詞", "形容詞", "連体詞"])
                    && around.next.is_some()
                    && !around.next_is(&["が", "を", "へ", "から", "まで"]) =>
            {
                Some(("カタ", 2))
            }
            ("一目", "イチモク")
                if !around
                    .next
                    .as_ref()
                    .is_some_and(|(w, _)| w.starts_with('置') || w.starts_with("瞭")) =>
            {
                Some(("ヒトメ", 2))
            }
            ("基", "モト")
                if around
                    .prev
                    .as_ref()
                    .is_some_and(|(w, _)| w.chars().all(is_katakana)) =>
            {
                Some(("キ", 1))
            }
            ("湖", "ミズウミ") if around.after_noun() => Some(("コ", 1)),
            _ => None,
        };
        if let Some((reading, accent)) = new {
            set(njd, i, reading, accent);
        }
    }
}

/// Readings a neighbouring word decides, as set phrases and compounds of the standard language
/// have them:
///
/// - 今日では "nowadays" is コンニチ (今日では計算機は…); 今日は stays キョー.
/// - 私ども and 私共 are the humble ワタクシドモ.
/// - こんな/そんな/あんな/どんな風 is フー "way" (そんな風に), not カゼ "wind".
/// - 間もない is マ (感じる間もない).
/// - 一番好き is スキ: 好き after 一番 is the adjective, not the suffix ズキ (酒好き).
/// - 降り after 雨が or 雪が is 降る's フリ (雨が降りそうだ), not 降りる's オリ.
/// - 描く with 絵 as its object is the everyday カク (絵を描く, 絵に描いたよう); エガク stays for
///   描写-like uses (理想を描く).
/// - 不足 and 合戦 as the second part of a compound are voiced (水分不足 スイブンブソク, 宝治合戦
///   ホージガッセン).
/// - 身体 on its own is カラダ (身体が, 身体を); シンタイ stays in compounds (身体障害者, 身体検査).
/// - 額 on its own is ヒタイ "forehead" (額に手を当てる, 猫の額); after a noun it is the amount
///   ガク (合計額, 利益額).
/// - ある種 is アルシュ "a kind of".
/// - 夫 after a noun is the suffix フ (潜水夫, 農夫), not オット "husband".
/// - 命 "order" before により or に従う is メー (幕府の命により, 親の命に従う), not イノチ.
/// - 等 after a pronoun is the plural ラ (僕等, 彼等), not ナド.
/// - 家 after a katakana name is the family ケ (クロンクヴィスト家), as after a Japanese one
///   (織田家), not the profession カ (評論家).
pub(super) fn phrase_readings(njd: &mut NJD) {
    for i in 0..njd.nodes.len() {
        let around = Around::of(njd, i);
        let node = &njd.nodes[i];
        let surface = node.get_string();
        let pure = node.get_pron().to_pure_string();
        let new: Option<(String, usize)> = match (surface, pure.as_str()) {
            ("今日", "キョー") if around.next_is(&["で"]) && around.next2 == Some("は") => {
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
                        .next2
                        .is_some_and(|w| w.starts_with('な') || w.starts_with('無')) =>
            {
                Some(("マ".into(), 0))
            }
            ("好き", "ズキ") if around.prev_is(&["一番"]) => Some(("スキ".into(), 2)),
            ("降り", "オリ")
                if around.prev_is(&["が", "も"])
                    && around
                        .prev2
                        .is_some_and(|w| matches!(w, "雨" | "雪" | "雹" | "霰")) =>
            {
                Some(("フリ".into(), 2))
            }
            (w, p)
                if w.starts_with('描')
                    && p.starts_with("エガ")
                    && around.prev_is(&["を", "に", "しか", "も", "は"])
                    && around.prev2 == Some("絵") =>
            {
                Some((format!("カ{}", &p["エガ".len()..]), 1))
            }
            ("不足", "フソク") if around.after_noun() => Some(("ブソク".into(), 0)),
            ("合戦", "カッセン") if around.after_noun() => Some(("ガッセン".into(), 0)),
            ("身体", "シンタイ") if around.next.as_ref().is_some_and(|(_, p)| p.is("助詞")) => {
                Some(("カラダ".into(), 0))
            }
            ("額", "ガク") if !around.after_noun() && !around.prev_pos(&["接頭詞"]) => {
                Some(("ヒタイ".into(), 0))
            }
            ("種", "タネ") if around.prev_is(&["ある"]) => Some(("シュ".into(), 1)),
            ("夫", "オット") if around.after_noun() => Some(("フ".into(), 1)),
            ("命", "イノチ")
                if around.next_is(&["に"])
                    && around
                        .next2
                        .is_some_and(|w| w == "より" || w == "よっ" || w.starts_with("従")) =>
            {
                Some(("メー".into(), 1))
            }
            ("等", _)
                if around
                    .prev
                    .as_ref()
                    .is_some_and(|(_, p)| p.is1("名詞", "代名詞")) =>
            {
                Some(("ラ".into(), 0))
            }
            ("家", "カ")
                if around
                    .prev
                    .as_ref()
                    .is_some_and(|(w, _)| w.chars().all(|c| is_katakana(c) || c == '・')) =>
            {
                Some(("ケ".into(), 0))
            }
            _ => None,
        };
        if let Some((reading, accent)) = new {
            set(njd, i, &reading, accent);
        }
    }
}
