//! Homographs read by their context: one spelling, several readings in naist-jdic, and the
//! dictionary's costs pick one everywhere. Each rule is a pattern of the standard language (the
//! word's neighbours and their parts of speech), not a list of sentences.

use jpreprocess::NJD;
use jpreprocess_njd::NJDNode;

use super::pos::Pos;
use super::set_reading;
use crate::script::{is_hiragana, is_kanji, is_katakana};

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
        if !matches!(njd.nodes[i].get_string(), "御" | "大" | "微") {
            continue;
        }
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
        set_reading(njd, i, native, accent);
    }
}

/// 日本 has two readings in naist-jdic, ニッポン and ニホン. As the first part of a compound
/// noun the common reading is ニホン (NHK's preference: 日本人, 日本政府, 日本食 → ニホンジン,
/// ニホンセーフ, ニホンショク). pyopenjtalk-plus's dictionary already prefers ニホン, so this
/// only fires where the lattice still picks ニッポン before a noun, or for 日本人 as one word
/// (日本人です read ニッポンジン).
pub(super) fn nihon_in_compounds(njd: &mut NJD) {
    for i in 0..njd.nodes.len() {
        let node = &njd.nodes[i];
        if node.get_string() == "日本人" && node.get_pron().to_pure_string() == "ニッポンジン"
        {
            set_reading(njd, i, "ニホンジン", 4);
            continue;
        }
        if node.get_string() != "日本" || i + 1 == njd.nodes.len() {
            continue;
        }
        let next = Pos::of(&njd.nodes[i + 1]);
        let compound = next.is("名詞") && !next.g1("非自立") && !next.g1("代名詞");
        let node = &njd.nodes[i];
        if compound
            && node.get_string() == "日本"
            && Pos::of(node).is1("名詞", "固有名詞")
            && node.get_pron().to_pure_string() == "ニッポン"
        {
            set_reading(njd, i, "ニホン", 2);
        }
    }
}

/// What a rule may look at around word `i`: the words before and after it and their parts of
/// speech, read only when a rule asks (the rules run on every word of every sentence, and most
/// words have no rule).
pub(super) struct Around<'a> {
    njd: &'a NJD,
    i: usize,
}

impl<'a> Around<'a> {
    pub(super) fn of(njd: &'a NJD, i: usize) -> Around<'a> {
        Around { njd, i }
    }
    fn node(&self, offset: isize) -> Option<&'a NJDNode> {
        self.i
            .checked_add_signed(offset)
            .and_then(|k| self.njd.nodes.get(k))
    }
    fn word(&self, offset: isize) -> Option<&'a str> {
        self.node(offset).map(|n| n.get_string())
    }
    fn pos(&self, offset: isize) -> Option<Pos> {
        self.node(offset).map(Pos::of)
    }
    pub(super) fn prev(&self) -> Option<&'a str> {
        self.word(-1)
    }
    pub(super) fn prev2(&self) -> Option<&'a str> {
        self.word(-2)
    }
    pub(super) fn next(&self) -> Option<&'a str> {
        self.word(1)
    }
    pub(super) fn next2(&self) -> Option<&'a str> {
        self.word(2)
    }
    pub(super) fn prev_tag(&self) -> Option<Pos> {
        self.pos(-1)
    }
    pub(super) fn next_tag(&self) -> Option<Pos> {
        self.pos(1)
    }
    /// The first kana of the next word's reading.
    pub(super) fn next_first(&self) -> Option<char> {
        self.node(1)
            .and_then(|n| n.get_pron().to_pure_string().chars().next())
    }
    pub(super) fn prev_is(&self, words: &[&str]) -> bool {
        self.prev().is_some_and(|w| words.contains(&w))
    }
    pub(super) fn next_is(&self, words: &[&str]) -> bool {
        self.next().is_some_and(|w| words.contains(&w))
    }
    pub(super) fn next_dependent(&self) -> bool {
        self.next_tag()
            .is_some_and(|p| p.is("助詞") || p.is("助動詞"))
    }
    pub(super) fn prev2_tag(&self) -> Option<Pos> {
        self.pos(-2)
    }
    pub(super) fn prev_pos_is(&self, pos: &str, g1: &str) -> bool {
        self.prev_tag().is_some_and(|p| p.is1(pos, g1))
    }
    pub(super) fn prev_pos(&self, heads: &[&str]) -> bool {
        self.prev_tag()
            .is_some_and(|p| heads.iter().any(|h| p.is(h)))
    }
    /// Whether the word before is a noun this word forms a compound with (not a pronoun or
    /// a dependent noun such as の or こと).
    pub(super) fn after_noun(&self) -> bool {
        self.prev_tag()
            .is_some_and(|p| p.is("名詞") && !p.g1("非自立") && !p.g1("代名詞"))
    }
}

/// Readings of homographs chosen by their context, as the standard language reads them:
///
/// - 何 is ナン before a particle or auxiliary starting with t, d or n (何で, 何の, 何と,
///   何だ: ナ'ンデ, ナ'ンノ), ナニ elsewhere (何が, 何を, 何も).
/// - 他 on its own before a particle or a comma is ホカ "other" (他の, 他は: ホカノ); タ stays
///   in compounds (他国, 他人).
/// - 後 alone at the start of a sentence or clause, before に or は, is the adverbial ノチ
///   "later" (後に, …され、後に: ノチ'ニ); after a modifier it is アト (食べた後に), and so it is
///   before the verbs of order and place that take 後に as "behind" (後に続く, 後にいく, 後に
///   回す, 後に残る, 後にする, 後に来る).
/// - 方 after a verb, adjective or この/その is the honorific "person" カタ (ご希望の方は →
///   思う方は, くださる方だけ, この方に); the comparative ホー takes が (早い方がいい, した方が
///   ましだ), and a direction takes を, へ, から or まで (音のする方を見る). After の it stays
///   ホー (母の方が), and so it does before の after a verb or adjective, "the one that"
///   (閉じる方のデリミタ, 長い方の辺); after この/その/ある it is the person (ある方の上に).
/// - 一目 is ヒトメ "a glance" (一目で, 一目見て); イチモク only in 一目置く and 一目瞭然.
/// - 基 after a katakana word is the chemical group キ (カルボニル基, ケトン基), not モト.
/// - 湖 right after a name is the suffix コ (インレー湖, バイカル湖), not ミズウミ.
/// - 見物 is the sightseeing ケンブツ (見物に行く, 見物客); the "sight worth seeing" ミモノ, which
///   naist-jdic prefers, is said of something: 見物だ, 見物です.
/// - 金星 is the planet キンセー; naist-jdic's lattice picks the surname カナボシ, kept before
///   さん, 氏, 君, 様.
pub(super) fn homograph_readings(njd: &mut NJD) {
    /// How the verbs that take 後に as "behind" begin (続く, いく, 回す, 残る, する, 来る).
    const BEHIND_VERBS: [&str; 12] = [
        "続", "つづ", "回", "まわ", "残", "のこ", "行", "い", "し", "す", "来", "く",
    ];
    for i in 0..njd.nodes.len() {
        let around = Around::of(njd, i);
        let node = &njd.nodes[i];
        let pure = node.get_pron().to_pure_string();
        let new = match (node.get_string(), pure.as_str()) {
            ("何", "ナニ")
                if around.next_dependent()
                    && around
                        .next_first()
                        .is_some_and(|c| "タテトダデドナニヌネノ".contains(c)) =>
            {
                Some(("ナン", 1))
            }
            ("他", "タ")
                if around.next_dependent()
                    || around.next_tag().is_some_and(|p| p.is1("記号", "読点")) =>
            {
                Some(("ホカ", 0))
            }
            ("後", "アト")
                if around.next_is(&["に", "は"])
                    && around.prev_tag().is_none_or(|p| p.is("記号"))
                    && !around
                        .next2()
                        .is_some_and(|w| BEHIND_VERBS.iter().any(|v| w.starts_with(v))) =>
            {
                Some(("ノチ", 2))
            }
            ("方", "ホー")
                if Pos::of(node).is1("名詞", "非自立")
                    && around.prev_pos(&["動詞", "助動詞", "形容詞", "連体詞"])
                    && around.next().is_some()
                    && !around.next_is(&["が", "を", "へ", "から", "まで"])
                    && (around.prev_pos(&["連体詞"]) || !around.next_is(&["の"])) =>
            {
                Some(("カタ", 1))
            }
            ("一目", "イチモク")
                if !around
                    .next()
                    .is_some_and(|w| w.starts_with('置') || w.starts_with("瞭")) =>
            {
                Some(("ヒトメ", 2))
            }
            ("基", "モト") if around.prev().is_some_and(|w| w.chars().all(is_katakana)) => {
                Some(("キ", 1))
            }
            ("湖", "ミズウミ") if around.after_noun() => Some(("コ", 1)),
            ("見物", "ミモノ") if !around.next_is(&["だ", "です", "で", "じゃ", "でしょ"]) => {
                Some(("ケンブツ", 0))
            }
            ("金星", "カナボシ") if !around.next_is(&["さん", "氏", "君", "様"]) => {
                Some(("キンセー", 0))
            }
            _ => None,
        };
        if let Some((reading, accent)) = new {
            set_reading(njd, i, reading, accent);
        }
    }
}

/// 辛い near a word of food or taste is カライ "hot" (カレーが辛い, 辛いラーメン, この料理は辛すぎる),
/// not ツライ "painful", which naist-jdic chooses everywhere.
pub(super) fn karai_for_taste(njd: &mut NJD) {
    /// Words of food and taste that make 辛い "hot".
    const TASTE: [&str; 21] = [
        "味",
        "料理",
        "カレー",
        "ラーメン",
        "スープ",
        "食べ物",
        "唐辛子",
        "香辛料",
        "舌",
        "キムチ",
        "わさび",
        "ソース",
        "甘い",
        "甘く",
        "味付け",
        "醤油",
        "胡椒",
        "こしょう",
        "辛子",
        "麺",
        "鍋",
    ];
    for i in 0..njd.nodes.len() {
        let node = &njd.nodes[i];
        // The spelling first: it is read without allocating, and most words fail it.
        if !node.get_string().starts_with('辛') {
            continue;
        }
        let pure = node.get_pron().to_pure_string();
        let Some(rest) = pure.strip_prefix("ツラ") else {
            continue;
        };
        if !Pos::of(node).is("形容詞") {
            continue;
        }
        let around = Around::of(njd, i);
        let taste = [around.prev(), around.prev2(), around.next(), around.next2()]
            .into_iter()
            .flatten()
            .any(|w| TASTE.contains(&w));
        if taste {
            let accent = node.get_pron().accent();
            set_reading(njd, i, &format!("カラ{rest}"), accent);
        }
    }
}
