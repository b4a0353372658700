//! Where accent phrases begin: OpenJTalk's chain rules (revised as in pyopenjtalk-plus's
//! fork) with ours, and the merging of phrases joined across a dependent word.

use jpreprocess::NJD;
use jpreprocess_core::ctype::{CType, SaIrregular};
use jpreprocess_core::pos::POS;
use jpreprocess_njd::NJDNode;

use super::pos::Pos;

/// Decides where accent phrases begin (chain flag false = a new phrase) for every node whose
/// flag is still unset (the digit rules set some already).
///
/// The rules run in order and a later rule overrides an earlier one, as in OpenJTalk's C code.
///
/// Returns the nodes that join the previous phrase by merging (see [`merge_phrases`]).
pub(super) fn set_chain_flags(njd: &mut NJD) -> Vec<usize> {
    let mut merged = Vec::new();
    for i in 1..njd.nodes.len() {
        if njd.nodes[i].get_chain_flag().is_some() {
            continue;
        }
        let chain = match chain_flag(&njd.nodes[i - 1], &njd.nodes[i]) {
            Chain::Merge => {
                merged.push(i);
                true
            }
            Chain::Join => true,
            Chain::Break => false,
        };
        njd.nodes[i].set_chain_flag(chain);
    }
    merged
}

/// How a word relates to the accent phrase before it.
#[derive(Clone, Copy, PartialEq)]
enum Chain {
    /// Starts a new phrase.
    Break,
    /// Joins it; the dictionary's chain rule combines the accents.
    Join,
    /// Joins it as a phrase of its own would (see [`merge_phrases`]).
    Merge,
}

/// Joins each merged node's phrase to the phrase before it. Two phrases said as one keep the
/// first one's fall if it has one (カ'ク|コトガ → カ'クコトガ, ミ'タ|タメ); after a flat first
/// part the second part's fall stays where it was (スル|コ'トガ → スルコ'トガ, オナジ|ヨ'ーニ →
/// オナジヨ'ーニ). This is how dependent nouns (こと, ため, よう) behave after an inflected
/// word, which naist-jdic's chain rules (written for nouns after nouns) get wrong.
pub(super) fn merge_phrases(njd: &mut NJD, merged: &[usize]) {
    for &i in merged {
        let mut top = i - 1;
        while top > 0 && njd.nodes[top].get_chain_flag() == Some(true) {
            top -= 1;
        }
        let first = njd.nodes[top].get_pron().accent();
        let len: usize = njd.nodes[top..i]
            .iter()
            .map(|n| n.get_pron().mora_size())
            .sum();
        let mut second = njd.nodes[i].get_pron().accent();
        let end = (i + 1..njd.nodes.len())
            .find(|&j| njd.nodes[j].get_chain_flag() != Some(true))
            .unwrap_or(njd.nodes.len());
        let second_len: usize = njd.nodes[i..end]
            .iter()
            .map(|n| n.get_pron().mora_size())
            .sum();
        // A verb phrase has no fall after its last mora: した's "odaka" from the chain rules is
        // flat (コクハツシタ, not コクハツシタ').
        if matches!(njd.nodes[i].get_pos(), POS::Doushi(_)) && second == second_len {
            second = 0;
        }
        let accent = if first != 0 {
            first
        } else if second != 0 {
            len + second
        } else {
            0
        };
        njd.nodes[top].get_pron_mut().set_accent(accent);
        njd.nodes[i].set_chain_flag(true);
    }
}

fn chain_flag(prev_node: &NJDNode, node: &NJDNode) -> Chain {
    let prev = Pos::of(prev_node);
    let cur = Pos::of(node);
    // Rule 1: by default a word joins the phrase before it (2: 名詞 + 名詞 included).
    let mut chain = true;
    // Set where a rule joins what OpenJTalk's rules would have split.
    let mut merge = false;

    // Rule 3: an adjective ends its phrase before a content word
    // (赤い|花, 美しく|咲く, 高く|険しい).
    if prev.is("形容詞") && (cur.is("名詞") || cur.is("動詞") || cur.is("形容詞")) {
        chain = false;
    }
    // (OpenJTalk's rule 4, 形容動詞語幹 + 名詞 → new phrase, is dropped as in the fork:
    // 安全|運転 is mostly said as one compound.)

    // Rule 5: a verb ends its phrase before an adjective or a noun (走る|人).
    if prev.is("動詞") && (cur.is("形容詞") || cur.is("名詞")) {
        chain = false;
    }
    // Rule 6: adverbs, conjunctions and adnominals stand alone (とても|, しかし|, この|).
    for p in [&prev, &cur] {
        if p.is("副詞") || p.is("接続詞") || p.is("連体詞") {
            chain = false;
        }
    }
    // Rule 7: adverbial nouns stand alone (すべて, 今日).
    if prev.is1("名詞", "副詞可能") || cur.is1("名詞", "副詞可能") {
        chain = false;
    }
    // Rule 8: particles and auxiliaries attach to what precedes them (本|が, 書き|ます).
    if cur.is("助動詞") || cur.is("助詞") {
        chain = true;
    }
    // Rule 9: after a particle or an auxiliary, a content word starts a phrase (本が|読む).
    if (prev.is("助動詞") || prev.is("助詞")) && !(cur.is("助動詞") || cur.is("助詞")) {
        chain = false;
    }
    // Rule 10: after a suffix, a noun starts a phrase (三人|兄弟).
    if prev.g1("接尾") && cur.is("名詞") {
        chain = false;
    }
    // Rule 11: a dependent adjective joins a continuative verb/adjective or て/で
    // (食べ|たい, 読んで|ほしい).
    if cur.is1("形容詞", "非自立") {
        let continuative = (prev.is("動詞") || prev.is("形容詞")) && prev_node.is_renyou();
        let te = prev.is1("助詞", "接続助詞") && matches!(prev_node.get_string(), "て" | "で");
        if continuative || te {
            chain = true;
        }
    }
    // Rule 12: after a noun, a verb, adjective or adjectival noun starts a phrase
    // (雨が|降る is rule 9; 本|読む, 問題|ない).
    if prev.is("名詞") && (cur.is("動詞") || cur.is("形容詞") || cur.g1("形容動詞語幹"))
    {
        chain = false;
    }
    // Rule 13: a dependent verb joins a continuative verb, a サ変 noun, an adjectival noun or
    // a particle (読み|始める, 勉強|させる, 食べて|いる, 読んで|しまう).
    if cur.is1("動詞", "非自立") {
        if (prev.is("動詞") && prev_node.is_renyou())
            || prev.is1("名詞", "サ変接続")
            || prev.is1("名詞", "形容動詞語幹")
        {
            chain = true;
        } else if prev.is("助詞") {
            merge = !chain;
            chain = true;
        }
    }
    // A サ変 noun and the する after it are one verb (告発|した → コクハツシタ, 勉強|します →
    // ベンキョーシマ'ス): OpenJTalk's rule 12 splits them as noun + verb.
    if prev.is1("名詞", "サ変接続")
        && cur.is("動詞")
        && matches!(node.get_ctype(), CType::SaIrregular(SaIrregular::Alone))
    {
        merge = true;
        chain = true;
    }
    // Rule 14: symbols stand alone.
    if cur.is("記号") || prev.is("記号") {
        chain = false;
    }
    // Rule 15: a prefix starts a phrase (お|茶 is joined again by the prefix's own rule).
    if cur.is("接頭詞") {
        chain = false;
    }
    // Rules 16, 17: a given name starts its own phrase after a surname or noun (山田|太郎).
    if cur.g[3] == "名" && (prev.g[3] == "姓" || prev.is("名詞")) {
        chain = false;
    }
    // Rule 18: suffixes attach (東京|都, 三|人).
    if cur.g1("接尾") {
        chain = true;
    }
    // Rule 19: a dependent noun (の, こと, ため) joins the inflected word or particle before
    // it (行く|こと, ならない|のです).
    if cur.is1("名詞", "非自立")
        && (prev.is("助動詞")
            || prev.is("連体詞")
            || prev.is("助詞")
            || prev.is("形容詞")
            || prev.is("動詞"))
    {
        merge = true;
        chain = true;
    }
    // Rule 20: a proper noun starts a phrase (日本|銀行 stays one by rule 2 on 銀行).
    if cur.g1("固有名詞") {
        chain = false;
    }
    // Rule 21: after a dependent noun or pronoun, a common noun starts a phrase (その|後 is
    // rule 6; これ|問題).
    if prev.is("名詞")
        && (prev.g1("非自立") || prev.g1("代名詞"))
        && cur.is("名詞")
        && (cur.g1("一般") || cur.g1("サ変接続"))
    {
        chain = false;
    }
    // After a conditional ば or a topic は, the verb or ない that completes an obligation or
    // a negation starts a phrase of its own (イカネバ|ナラナイ, シテワ|イケナイ, ソーデワ|ナイ).
    let obligation = cur.is1("動詞", "非自立") || node.get_string() == "ない";
    if prev.is("助詞") && matches!(prev_node.get_string(), "ば" | "は") && obligation {
        chain = false;
    }
    // A quotative と and the いう after it are one phrase (ナンダト|イウ → ナンダトイウ); the
    // quoted phrase keeps its fall ([`merge_phrases`]).
    if prev.is1("助詞", "格助詞")
        && prev.g[2] == "引用"
        && cur.is("動詞")
        && matches!(node.get_string(), "いう" | "言う")
    {
        merge = true;
        chain = true;
    }
    match (chain, merge) {
        (false, _) => Chain::Break,
        (true, true) => Chain::Merge,
        (true, false) => Chain::Join,
    }
}
