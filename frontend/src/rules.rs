//! Accent-phrase and accent-nucleus rules applied on top of jpreprocess's OpenJTalk port.
//!
//! jpreprocess runs OpenJTalk's NJD steps as one block ([`NJD::preprocess`]); here the steps
//! run one by one so that the accent phrases (chain flags) are decided by our rules before
//! `njd_set_accent_type` combines the accents of chained words, and so that nucleus fixes can
//! run after the combination and before devoicing (which avoids devoicing the nucleus).
//!
//! The phrase rules follow the revised OpenJTalk rule set of pyopenjtalk-plus's bundled
//! OpenJTalk fork, plus rules of our own (サ変 noun + する, merging of phrases joined across a
//! dependent word, adjective forms); the nucleus retreat follows pyopenjtalk-plus's
//! `retreat_acc_nuc`. Every rule is general (parts of speech, conjugation types): none names
//! a sentence. Each was kept only where it improved the JSUT accent development set
//! (`scripts/score-accent.sh`); pyopenjtalk-plus's filler, ます/ない and interjection rules
//! were tried and left out (no gain there).

use jpreprocess::NJD;
use jpreprocess_core::cform::CForm;
use jpreprocess_core::ctype::{CType, SaIrregular};
use jpreprocess_core::pos::POS;
use jpreprocess_core::pronunciation::MoraEnum;
use jpreprocess_njd::{accent_type, digit, digit_sequence, pronunciation, unvoiced_vowel, NJDNode};

/// OpenJTalk's NJD pipeline with our phrase and nucleus rules in between.
pub(crate) fn preprocess(njd: &mut NJD) {
    pronunciation::njd_set_pronunciation(njd);
    digit_sequence::njd_digit_sequence(njd);
    digit::njd_set_digit(njd);
    let zz_dict: Vec<usize> = njd.nodes.iter().map(|n| n.get_pron().accent()).collect();
    adjective_forms(njd);
    verb_forms(njd);
    let merged = set_chain_flags(njd);
    // Phrases joined by a merge rule get their accents combined by `merge_phrases`, not by
    // the dictionary's chain rules: they are kept apart while those run.
    for &i in &merged {
        njd.nodes[i].set_chain_flag(false);
    }
    accent_type::njd_set_accent_type(njd);
    merge_phrases(njd, &merged);
    retreat_nucleus(njd);
    unvoiced_vowel::njd_set_unvoiced_vowel(njd);
    zz_dump(njd, &zz_dict, &merged);
}

fn zz_dump(njd: &NJD, dict: &[usize], merged: &[usize]) {
    if std::env::var_os("ZZ_DUMP").is_none() {
        return;
    }
    let mut rows = Vec::new();
    for (i, n) in njd.nodes.iter().enumerate() {
        rows.push(serde_json::json!({
            "s": n.get_string(),
            "pos": n.get_pos().to_string(),
            "ct": n.get_ctype().to_string(),
            "cf": n.get_cform().to_string(),
            "rule": n.get_chain_rule().to_string(),
            "chain": n.get_chain_flag(),
            "merged": merged.contains(&i),
            "dacc": dict.get(i),
            "acc": n.get_pron().accent(),
            "mora": n.get_pron().mora_size(),
            "pron": n.get_pron().to_string(),
            "read": n.get_read(),
        }));
    }
    eprintln!("ZZ {}", serde_json::Value::Array(rows));
}

/// A node's part of speech as naist-jdic's four fields (品詞, 細分類1-3).
struct Pos {
    g: [String; 4],
}

impl Pos {
    fn of(node: &NJDNode) -> Pos {
        let s = node.get_pos().to_string();
        let mut it = s.split(',').map(str::to_owned);
        let mut next = || it.next().unwrap_or_else(|| "*".to_owned());
        Pos {
            g: [next(), next(), next(), next()],
        }
    }
    fn is(&self, pos: &str) -> bool {
        self.g[0] == pos
    }
    fn is1(&self, pos: &str, g1: &str) -> bool {
        self.g[0] == pos && self.g[1] == g1
    }
    fn g1(&self, g1: &str) -> bool {
        self.g[1] == g1
    }
}

/// Decides where accent phrases begin (chain flag false = a new phrase) for every node whose
/// flag is still unset (the digit rules set some already).
///
/// The rules run in order and a later rule overrides an earlier one, as in OpenJTalk's C code.
///
/// Returns the nodes that join the previous phrase by merging (see [`merge_phrases`]).
fn set_chain_flags(njd: &mut NJD) -> Vec<usize> {
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
fn merge_phrases(njd: &mut NJD, merged: &[usize]) {
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
    match (chain, merge) {
        (false, _) => Chain::Break,
        (true, true) => Chain::Merge,
        (true, false) => Chain::Join,
    }
}

/// An accented adjective's fall moves one mora earlier in its く, かっ(た) and ければ forms:
/// タカ'イ → タ'カク, タ'カカッタ, タ'カケレバ; ウツクシ'イ → ウツク'シク. naist-jdic gives the
/// conjugated forms the dictionary form's accent. Flat adjectives (アカイ → アカク) keep 0.
fn adjective_forms(njd: &mut NJD) {
    for node in &mut njd.nodes {
        let form = matches!(
            node.get_cform(),
            CForm::RenyouConjunctionTe | CForm::RenyouConjunctionTa
        );
        if matches!(node.get_pos(), POS::Keiyoushi(_)) && form {
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
fn verb_forms(njd: &mut NJD) {
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

/// The nodes of each accent phrase: (first node, end) ranges.
fn phrase_ranges(njd: &NJD) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut start = 0;
    for i in 1..=njd.nodes.len() {
        if i == njd.nodes.len() || njd.nodes[i].get_chain_flag() != Some(true) {
            ranges.push((start, i));
            start = i;
        }
    }
    ranges
}

/// A nucleus on a special mora (long vowel ー, geminate ッ, moraic nasal ン) cannot carry the
/// fall, which moves back one mora: センセー with the nucleus on ー is said セ[ンセ]ー... with
/// the fall after セ (ケンキュー 4 → 3). From pyopenjtalk-plus's `retreat_acc_nuc`.
fn retreat_nucleus(njd: &mut NJD) {
    for (start, end) in phrase_ranges(njd) {
        let accent = njd.nodes[start].get_pron().accent();
        if accent == 0 {
            continue;
        }
        let mut left = accent;
        for node in &njd.nodes[start..end] {
            let moras = node.get_pron().moras();
            if left <= moras.len() {
                let special = matches!(
                    moras[left - 1].mora_enum,
                    MoraEnum::Long | MoraEnum::Xtsu | MoraEnum::N
                );
                if special && accent > 1 {
                    njd.nodes[start].get_pron_mut().set_accent(accent - 1);
                }
                break;
            }
            left -= moras.len();
        }
    }
}
