//! Reading fixes before the phrase rules: where naist-jdic's reading or a conjugated form's
//! accent is not what the standard language says.

use jpreprocess::NJD;
use jpreprocess_core::cform::CForm;
use jpreprocess_core::pos::POS;
use jpreprocess_core::pronunciation::Pronunciation;

use super::pos::Pos;
use crate::script::{is_hiragana, is_kanji, is_katakana};

/// 言う in its plain form is pronounced ユー (naist-jdic's pronunciation field, ユウ; ト'ユー),
/// where jpreprocess gives the spelling イウ.
pub(super) fn yuu_for_iu(njd: &mut NJD) {
    for node in &mut njd.nodes {
        let plain = matches!(node.get_string(), "言う" | "いう")
            && matches!(node.get_pos(), POS::Doushi(_))
            && node.get_pron().to_pure_string() == "イウ";
        if plain {
            let accent = node.get_pron().accent();
            if let Ok(pron) = Pronunciation::parse("ユー", accent) {
                node.set_pron(pron);
            }
        }
    }
}

/// A katakana word spelled with ヴ is said with it: naist-jdic and OpenJTalk's reading of
/// unknown katakana say ヴィ as ビ (ダ・ヴィンチ → ダビンチ, エヴェレスト → エベレスト), where the
/// spelling, and the labelled speaker, say vi. Only the ヴ moras change, and only where the
/// spelling has as many moras as the reading (so the accent still fits).
pub(super) fn vu_as_written(njd: &mut NJD) {
    for node in &mut njd.nodes {
        let surface = node.get_string();
        if !surface.contains('ヴ') || !surface.chars().all(|c| is_katakana(c) || c == '・') {
            continue;
        }
        let written: String = surface.chars().filter(|&c| c != '・').collect();
        let pron = node.get_pron();
        let Ok(spelt) = Pronunciation::parse(&written, pron.accent()) else {
            continue;
        };
        let only_vu = spelt.mora_size() == pron.mora_size()
            && spelt
                .moras()
                .iter()
                .zip(pron.moras())
                .all(|(a, b)| a.mora_enum == b.mora_enum || a.to_string().starts_with('ヴ'));
        if only_vu && spelt.to_pure_string() != pron.to_pure_string() {
            node.set_pron(spelt);
        }
    }
}

/// 御 before a native (和語) word is お: 御楽しみ, 御近く, 御休み, 御答え. naist-jdic's prefix
/// 御 reads ゴ, which belongs before Sino-Japanese words (御宿泊, 御迷惑); a word spelt with
/// kanji and then kana (okurigana) is native. (御存じ, ゴゾンジ, is one dictionary word.)
pub(super) fn o_before_native_words(njd: &mut NJD) {
    for i in 0..njd.nodes.len().saturating_sub(1) {
        let next = njd.nodes[i + 1].get_string();
        let native = next.chars().next().is_some_and(is_kanji) && next.chars().any(is_hiragana);
        let node = &njd.nodes[i];
        if native
            && node.get_string() == "御"
            && Pos::of(node).is("接頭詞")
            && node.get_pron().to_pure_string() == "ゴ"
        {
            if let Ok(pron) = Pronunciation::parse("オ", node.get_pron().accent()) {
                njd.nodes[i].set_pron(pron);
            }
        }
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
            if let Ok(pron) = Pronunciation::parse("ニホン", 2) {
                njd.nodes[i].set_pron(pron);
            }
        }
    }
}

/// Readings of single-kanji homographs chosen by their context, as the standard language reads
/// them (naist-jdic has each reading as an entry, but its costs pick one everywhere):
///
/// - 何 is ナン before a particle or auxiliary starting with t, d or n (何で, 何の, 何と,
///   何だ: ナ'ンデ, ナ'ンノ), ナニ elsewhere (何が, 何を, 何も).
/// - 他 on its own before a particle or a comma is ホカ "other" (他の, 他は: ホカノ); タ stays
///   in compounds (他国, 他人).
/// - 後 alone at the start of a sentence or clause, before に or は, is the adverbial ノチ
///   "later" (後に, …され、後に: ノチ'ニ); after a modifier it is アト (食べた後に).
pub(super) fn homograph_readings(njd: &mut NJD) {
    for i in 0..njd.nodes.len() {
        let next = njd.nodes.get(i + 1);
        let next_pos = next.map(Pos::of);
        let dependent = next_pos
            .as_ref()
            .is_some_and(|p| p.is("助詞") || p.is("助動詞"));
        let next_first = next
            .map(|n| n.get_pron().to_pure_string())
            .and_then(|s| s.chars().next());
        let node = &njd.nodes[i];
        let pure = node.get_pron().to_pure_string();
        let new = match (node.get_string(), pure.as_str()) {
            ("何", "ナニ")
                if dependent
                    && next_first.is_some_and(|c| "タテトダデドナニヌネノ".contains(c)) =>
            {
                Some(("ナン", 1))
            }
            ("他", "タ")
                if dependent || next_pos.as_ref().is_some_and(|p| p.is1("記号", "読点")) =>
            {
                Some(("ホカ", 0))
            }
            ("後", "アト")
                if next.is_some_and(|n| matches!(n.get_string(), "に" | "は"))
                    && (i == 0 || Pos::of(&njd.nodes[i - 1]).is("記号")) =>
            {
                Some(("ノチ", 2))
            }
            _ => None,
        };
        if let Some((reading, accent)) = new {
            if let Ok(pron) = Pronunciation::parse(reading, accent) {
                njd.nodes[i].set_pron(pron);
            }
        }
    }
}

/// 十 at the end of a number before a word starting with k, s, t or p is said ジュッ
/// (２０チーム ニジュッチーム, １０回転 ジュッカイテン, １０歳 ジュッサイ), as the counters
/// OpenJTalk's digit rules know already are; before voiced sounds it stays ジュー (１０時).
pub(super) fn juu_sokuon(njd: &mut NJD) {
    for i in 0..njd.nodes.len().saturating_sub(1) {
        let node = &njd.nodes[i];
        let numeral = node.get_string() == "十"
            && Pos::of(node).is1("名詞", "数")
            && node.get_pron().to_pure_string() == "ジュー";
        let next = &njd.nodes[i + 1];
        let voiceless = next
            .get_pron()
            .to_pure_string()
            .chars()
            .next()
            .is_some_and(|c| "カキクケコサシスセソタチツテトパピプペポ".contains(c));
        if numeral && voiceless && !Pos::of(next).is1("名詞", "数") {
            let accent = node.get_pron().accent();
            if let Ok(pron) = Pronunciation::parse("ジュッ", accent) {
                njd.nodes[i].set_pron(pron);
            }
        }
    }
}

/// Inside a word written in kana, イ after an e-column mora lengthens the vowel (エイ is said
/// エー: きれい → キレー, プレイヤー → プレーヤー), as naist-jdic's pronunciation field already
/// writes Sino-Japanese words (先生 センセー). A word with kanji is left as the dictionary has
/// it: where pyopenjtalk-plus's naist-jdic keeps エイ there, イ mostly starts the next part of
/// a compound (受け入れ ウケイレ, 出入り口, 溜息), and lengthening it misread 5 dev sentences.
pub(super) fn long_ei(njd: &mut NJD) {
    for node in &mut njd.nodes {
        if node.get_string().chars().any(is_kanji) {
            continue;
        }
        let pure = node.get_pron().to_pure_string();
        let chars: Vec<char> = pure.chars().collect();
        let mut out = String::with_capacity(pure.len());
        let mut changed = false;
        for (k, &c) in chars.iter().enumerate() {
            let after_e = k > 0 && "エケセテネヘメレゲゼデベペェ".contains(chars[k - 1]);
            if c == 'イ' && after_e {
                out.push('ー');
                changed = true;
            } else {
                out.push(c);
            }
        }
        if changed {
            let accent = node.get_pron().accent();
            if let Ok(pron) = Pronunciation::parse(&out, accent) {
                node.set_pron(pron);
            }
        }
    }
}

/// An accented adjective's fall moves one mora earlier in its く form: タカ'イ → タ'カク,
/// ウツクシ'イ → ウツク'シク. naist-jdic gives the conjugated forms the dictionary form's
/// accent. Flat adjectives (アカイ → アカク) keep 0. The かった form keeps the dictionary
/// form's fall in this speaker's labels (タカ'カッタ), so it is left alone.
pub(super) fn adjective_forms(njd: &mut NJD) {
    for node in &mut njd.nodes {
        if matches!(node.get_pos(), POS::Keiyoushi(_))
            && matches!(node.get_cform(), CForm::RenyouConjunctionTe)
        {
            let accent = node.get_pron().accent();
            if accent >= 2 {
                node.get_pron_mut().set_accent(accent - 1);
            }
        }
    }
}

/// An accented verb's continuative stem said without its ending has the fall one mora
/// earlier: naist-jdic gives 連用形 nodes the dictionary form's accent, which for a verb
/// accented on its penultimate mora (タベ'ル, ナズケ'ル, オト'ス) lands on the stem's last
/// mora. The standard forms are タ'ベタ, ナズ'ケテ, オト'シタ, スマ'セ (連用中止). One-mora
/// stems (ミ'タ, キ'テ) keep their fall.
pub(super) fn verb_forms(njd: &mut NJD) {
    for node in &mut njd.nodes {
        let form = matches!(
            node.get_cform(),
            CForm::Renyou | CForm::RenyouConjunctionTa | CForm::RenyouConjunctionTe
        );
        if matches!(node.get_pos(), POS::Doushi(_)) && form {
            let accent = node.get_pron().accent();
            if accent >= 2 && accent == node.get_pron().mora_size() {
                node.get_pron_mut().set_accent(accent - 1);
            }
        }
    }
}
