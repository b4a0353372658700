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
//! were tried and left out (no gain there). The accent combination itself is a port of
//! jpreprocess's (`set_accent_type`) with a few suffix rules added, and the phrase-level
//! rules after it (`phrase_accents`) follow standard Tokyo accent rules (particle accents
//! after flat words, odaka nouns before の, verb forms) as this speaker's labels realise them.

use std::collections::HashSet;

use jpreprocess::NJD;
use jpreprocess_core::accent_rule::AccentType;
use jpreprocess_core::cform::CForm;
use jpreprocess_core::ctype::{CType, Five, SaIrregular};
use jpreprocess_core::pos::POS;
use jpreprocess_core::pronunciation::{MoraEnum, Pronunciation};
use jpreprocess_njd::{digit, digit_sequence, pronunciation, unvoiced_vowel, NJDNode};

use crate::learned::{breath_groups, AccentHook, NodeInfo, Phrase, RuleDecision};

/// OpenJTalk's NJD pipeline with our phrase and nucleus rules in between.
///
/// `hook` may revise the rules' phrase starts and nuclei (the learned corrector); the words of
/// `user_words` (surface, pronunciation) are marked so it leaves them alone.
pub(crate) fn preprocess(
    njd: &mut NJD,
    hook: &mut dyn AccentHook,
    user_words: &HashSet<(String, String)>,
) {
    pronunciation::njd_set_pronunciation(njd);
    digit_sequence::njd_digit_sequence(njd);
    digit::njd_set_digit(njd);
    yuu_for_iu(njd);
    nihon_in_compounds(njd);
    homograph_readings(njd);
    long_ei(njd);
    adjective_forms(njd);
    verb_forms(njd);
    let nodes = NodeInfo::snapshot(njd, user_words);
    let mut merged = set_chain_flags(njd);
    revise_boundaries(njd, &nodes, &mut merged, hook);
    // Phrases joined by a merge rule get their accents combined by `merge_phrases`, not by
    // the dictionary's chain rules: they are kept apart while those run.
    for &i in &merged {
        njd.nodes[i].set_chain_flag(false);
    }
    set_accent_type(njd);
    merge_phrases(njd, &merged);
    phrase_accents(njd);
    retreat_nucleus(njd);
    revise_nuclei(njd, &nodes, hook);
    unvoiced_vowel::njd_set_unvoiced_vowel(njd);
}

/// Lets `hook` change where phrases start; a word it splits off leaves the merge list.
fn revise_boundaries(
    njd: &mut NJD,
    nodes: &[NodeInfo],
    merged: &mut Vec<usize>,
    hook: &mut dyn AccentHook,
) {
    let rules: Vec<RuleDecision> = (0..njd.nodes.len())
        .map(|i| {
            if i == 0 || njd.nodes[i].get_chain_flag() != Some(true) {
                'B'
            } else if merged.contains(&i) {
                'M'
            } else {
                'J'
            }
        })
        .collect();
    let mut starts: Vec<bool> = rules.iter().map(|&r| r == 'B').collect();
    hook.boundaries(nodes, &rules, &mut starts);
    for i in 1..njd.nodes.len() {
        if !nodes[i].is_word || starts[i] == (rules[i] == 'B') {
            continue;
        }
        njd.nodes[i].set_chain_flag(!starts[i]);
        if starts[i] {
            merged.retain(|&m| m != i);
        }
    }
}

/// Lets `hook` change each phrase's nucleus (kept on the phrase's first word, where the
/// grouping in `analysis` reads it).
fn revise_nuclei(njd: &mut NJD, nodes: &[NodeInfo], hook: &mut dyn AccentHook) {
    let mut phrases = Vec::new();
    for group in breath_groups(nodes) {
        for (at, &i) in group.iter().enumerate() {
            if at == 0 || njd.nodes[i].get_chain_flag() != Some(true) {
                phrases.push(Phrase {
                    words: vec![i],
                    accent: njd.nodes[i].get_pron().accent(),
                });
            } else if let Some(p) = phrases.last_mut() {
                p.words.push(i);
            }
        }
    }
    let before: Vec<usize> = phrases.iter().map(|p| p.accent).collect();
    hook.nuclei(nodes, &mut phrases);
    for (p, old) in phrases.iter().zip(before) {
        if p.accent != old {
            njd.nodes[p.words[0]].get_pron_mut().set_accent(p.accent);
        }
    }
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

/// 言う in its plain form is pronounced ユー (naist-jdic's pronunciation field, ユウ; ト'ユー),
/// where jpreprocess gives the spelling イウ.
fn yuu_for_iu(njd: &mut NJD) {
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

/// 日本 has two readings in naist-jdic, ニッポン (its default) and ニホン. As the first part
/// of a compound noun the common reading is ニホン (NHK's preference: 日本人, 日本政府, 日本食
/// → ニホンジン, ニホンセーフ, ニホンショク); alone before a particle ニッポン stays.
fn nihon_in_compounds(njd: &mut NJD) {
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
fn homograph_readings(njd: &mut NJD) {
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

/// Inside a word, イ after an e-column mora lengthens the vowel (エイ is said エー: キレイ →
/// キレー, セイ → セー, プレイヤー → プレーヤー), as naist-jdic's pronunciation field already
/// writes most Sino-Japanese words (先生 センセー); words written in kana or katakana and some
/// others keep the spelling イ there.
fn long_ei(njd: &mut NJD) {
    for node in &mut njd.nodes {
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
fn adjective_forms(njd: &mut NJD) {
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

/// Accent changes that depend on the whole phrase, after the chain rules combined it:
///
/// - `〜的` words are flat (ケーザイテキ, グタイテキニ), where naist-jdic's chain rule for 的
///   puts the fall before it.
/// - A flat noun followed by には or では takes a fall on the case particle (ガッコーニ'ワ,
///   ニホンデ'ワ).
/// - A flat verb before の, が or と ends in a fall ([`odaka_before`]).
/// - である after a flat word falls on its ア (デア'ル); so do にも, だった, なかった and a
///   few other dependent pairs on their first mora ([`accented_pair`]).
/// - An odaka noun of two or more moras loses its fall before の (オトコ' → オトコノ,
///   アタマ' → アタマノ); one-mora nouns keep it (キ'ノ).
fn phrase_accents(njd: &mut NJD) {
    for (start, end) in phrase_ranges(njd) {
        let nodes = &njd.nodes[start..end];
        let accent = nodes[0].get_pron().accent();
        let moras_before =
            |k: usize| -> usize { nodes[..k].iter().map(|n| n.get_pron().mora_size()).sum() };
        let mut new_accent = accent;
        if let Some(k) = nodes
            .iter()
            .position(|n| n.get_string() == "的" && Pos::of(n).g1("接尾"))
        {
            if accent <= moras_before(k + 1) {
                new_accent = 0;
            }
        }
        let n = nodes.len();
        if n >= 3 && accent == 0 {
            let (noun, case, wa) = (Pos::of(&nodes[n - 3]), &nodes[n - 2], &nodes[n - 1]);
            if noun.is("名詞")
                && Pos::of(case).is1("助詞", "格助詞")
                && matches!(case.get_string(), "に" | "で")
                && Pos::of(wa).is1("助詞", "係助詞")
                && wa.get_string() == "は"
            {
                new_accent = moras_before(n - 1);
            }
        }
        if n >= 2 && accent >= 2 {
            let (noun, no) = (Pos::of(&nodes[n - 2]), &nodes[n - 1]);
            // A fall before a final ン or ー is odaka by syllables (ニッポ'ン, センセ'ー):
            // flat before の too (ニッポンノ).
            let last_special = nodes[n - 2]
                .get_pron()
                .moras()
                .last()
                .is_some_and(|m| matches!(m.mora_enum, MoraEnum::N));
            let odaka = accent == moras_before(n - 1)
                || (last_special && noun.g1("固有名詞") && accent + 1 == moras_before(n - 1));
            if noun.is("名詞") && no.get_string() == "の" && Pos::of(no).is("助詞") && odaka {
                new_accent = 0;
            }
        }
        if accent == 0 {
            if let Some(k) =
                (0..n.saturating_sub(1)).find(|&k| odaka_before(&nodes[k], &nodes[k + 1]))
            {
                new_accent = moras_before(k + 1);
            }
        }
        // である after a flat word falls on its ア: ヒツヨーデア'ル, デア'ッタ. (The chain
        // rules give であった a fall at its end, odaka of a flat word: that is replaced too.)
        if let Some(k) = (1..n).find(|&k| {
            nodes[k - 1].get_string() == "で"
                && Pos::of(&nodes[k - 1]).is("助動詞")
                && matches!(nodes[k].get_ctype(), CType::Five(Five::RaAru))
        }) {
            if accent == 0 || accent > moras_before(k) {
                new_accent = moras_before(k) + 1;
            }
        }
        // A flat verb or auxiliary before the quotative と (and the いう joined to it) ends in
        // a fall: オボレル'トユー, シテイル'トユー.
        if new_accent == 0 {
            if let Some(k) = (1..n).find(|&k| {
                let q = Pos::of(&nodes[k]);
                q.is1("助詞", "格助詞")
                    && q.g[2] == "引用"
                    && matches!(nodes[k - 1].get_pos(), POS::Doushi(_) | POS::Jodoushi)
            }) {
                new_accent = moras_before(k);
            }
        }
        // (A fall at the pair's or the phrase's end is the chain rules' odaka for a flat word:
        // イワナケレ'バ, イカナカッタ'.)
        if let Some(k) = (1..n.saturating_sub(1)).find(|&k| accented_pair(&nodes[k], &nodes[k + 1]))
        {
            let flat = [0, moras_before(k + 1), moras_before(n)];
            if flat.contains(&new_accent) {
                new_accent = moras_before(k) + 1;
            }
        }
        // The interrogatives 何 and 誰 with も ("nothing", "nobody") are flat: ナニモ, ダレモ.
        if n == 2
            && matches!(nodes[0].get_string(), "何" | "誰")
            && Pos::of(&nodes[0]).g1("代名詞")
            && nodes[1].get_string() == "も"
        {
            new_accent = 0;
        }
        // 何 read ナン before の is flat ("what kind of": ナンノ), as 何も is.
        if n == 2
            && nodes[0].get_string() == "何"
            && Pos::of(&nodes[0]).g1("代名詞")
            && nodes[1].get_string() == "の"
            && Pos::of(&nodes[1]).is("助詞")
        {
            new_accent = 0;
        }
        // A flat verb's て form before the topic は falls on its て (イッテ'ワ, ワスレテ'ワ,
        // シテ'ワ), as て form + も does ([`accented_pair`]).
        if n >= 3 && new_accent == 0 {
            let (te, wa) = (&nodes[n - 2], &nodes[n - 1]);
            if Pos::of(te).is1("助詞", "接続助詞")
                && matches!(te.get_string(), "て" | "で")
                && ((Pos::of(wa).is1("助詞", "係助詞") && wa.get_string() == "は")
                    || (Pos::of(wa).is("助詞") && wa.get_string() == "から"))
                && nodes[..n - 2]
                    .iter()
                    .any(|v| matches!(v.get_pos(), POS::Doushi(_)))
            {
                new_accent = moras_before(n - 1);
            }
        }
        // Sentence-final ます is labelled flat in this speaker's data (about 70%, by final
        // lowering): the fall on マ is dropped before a full stop.
        let sentence_end = end == njd.nodes.len() || Pos::of(&njd.nodes[end]).is1("記号", "句点");
        let last = &nodes[n - 1];
        if sentence_end
            && last.get_string() == "ます"
            && Pos::of(last).is("助動詞")
            && new_accent == moras_before(n - 1) + 1
        {
            new_accent = 0;
        }
        njd.nodes[start].get_pron_mut().set_accent(new_accent);
    }
}

/// Pairs of dependent words that carry a fall on their first mora after a flat word:
/// にも, でも, ても, とも (ガッコーニ'モ, ヨンデ'モ), だった, だと, だが (シズカダ'ッタ), and
/// なかった, なければ (イカナ'カッタ, イワナ'ケレバ).
fn accented_pair(first: &NJDNode, second: &NJDNode) -> bool {
    let (a, b) = (first.get_string(), second.get_string());
    let (pa, pb) = (Pos::of(first), Pos::of(second));
    if pa.is("助詞") && pb.is("助詞") {
        return matches!(a, "に" | "で" | "て" | "と") && b == "も";
    }
    pa.is("助動詞")
        && ((matches!(a, "だ" | "だっ") && matches!(b, "た" | "と" | "が"))
            || (a == "なかっ" && b == "た")
            || (a == "なけれ" && b == "ば"))
}

/// A flat verb in its dictionary form takes a fall on its last mora before the nominalizing
/// の and the conjunctions が and と: イウ'ノワ, イル'ノガ, スル'ト, アル'ガ.
fn odaka_before(verb: &NJDNode, next: &NJDNode) -> bool {
    let next_pos = Pos::of(next);
    let s = next.get_string();
    Pos::of(verb).is("動詞")
        && matches!(verb.get_cform(), CForm::Basic)
        && ((next_pos.is1("名詞", "非自立") && s == "の")
            || (next_pos.is1("助詞", "接続助詞") && matches!(s, "が" | "と")))
}

/// Whether the sentence ending at node `end` (a full stop, or the end of the text) ends in
/// the particle か or ね, said with a final rise (行きますか。, いいですね。) as a question or a
/// request for agreement, even without a question mark.
pub(crate) fn rises_before(njd: &NJD, end: usize) -> bool {
    let at_end = end == njd.nodes.len()
        || (Pos::of(&njd.nodes[end]).is1("記号", "句点") && njd.nodes[end].get_string() != "！");
    at_end
        && end > 0
        && Pos::of(&njd.nodes[end - 1]).is("助詞")
        && matches!(njd.nodes[end - 1].get_string(), "か" | "ね")
}

/// OpenJTalk's accent combination (`njd_set_accent_type`, ported from jpreprocess-njd 0.15,
/// BSD-3-Clause): each chained word's chain rule updates the phrase's accent. One change:
/// the passive and causative suffixes (れる, られる, せる, させる), which naist-jdic gives no
/// rule (the phrase kept the verb's accent), make a new accented verb out of an accented one,
/// as in the standard language: オモ'ウ → オモワレ'ル, オモワ'レタ; カンガ'エル →
/// カンガエラレ'ル, カンガエラ'レタ. A flat verb stays flat (ウタウ → ウタワレル).
fn set_accent_type(njd: &mut NJD) {
    if njd.nodes.is_empty() {
        return;
    }
    let mut top = 0;
    let mut mora_size = 0;
    for i in 0..njd.nodes.len() {
        let mut top_acc = None;
        let mut prev_acc = None;
        let mut current_acc = None;
        {
            let nodes = &njd.nodes;
            let current = &nodes[i];
            let next = nodes.get(i + 1);
            if i == 0 || current.get_chain_flag() != Some(true) {
                top = i;
                mora_size = 0;
                if current.get_string() == "十" && next.is_some_and(|n| n.get_pos().is_kazu()) {
                    current_acc = Some(0);
                }
            } else {
                let prev = &nodes[i - 1];
                top_acc = Some(match suffix_verb_accent(current, next) {
                    Some(own) if nodes[top].get_pron().accent() != 0 => mora_size + own,
                    Some(_) => 0,
                    // なさい and ください keep their own fall after any verb (C1):
                    // ヤスミナサ'イ, オツタエクダサ'イ.
                    None if is_polite_imperative(current) => {
                        mora_size + current.get_pron().accent()
                    }
                    // 〜者 nouns fall just before 者 (カガク'シャ, コーレ'ーシャ), where
                    // naist-jdic makes them flat (C4).
                    None if current.get_string() == "者" && Pos::of(current).g1("接尾") => {
                        mora_size
                    }
                    // The volitional falls just before its う, flat verbs included:
                    // アルコ'ー, オサエヨ'ー, シヨ'ー (naist-jdic's う keeps the verb's accent).
                    None if is_volitional(prev, current) => mora_size,
                    // The plural たち keeps an accented noun's fall (セ'ートタチ, カ'ノジョタチ)
                    // and falls just before itself after a flat one (コドモ'タチ), where
                    // naist-jdic's rule always puts it before たち.
                    None if matches!(current.get_string(), "たち" | "達")
                        && Pos::of(current).g1("接尾")
                        && nodes[top].get_pron().accent() != 0 =>
                    {
                        nodes[top].get_pron().accent()
                    }
                    None => top_node_acc(current, prev, &nodes[top], mora_size),
                });
                if prev.get_pos().is_kazu() && current.get_pos().is_kazu() {
                    prev_acc = digit_acc(prev, current, next);
                }
            }
            mora_size += current.get_pron().mora_size();
        }
        if let Some(acc) = top_acc {
            njd.nodes[top].get_pron_mut().set_accent(acc);
        }
        if let Some(acc) = prev_acc {
            njd.nodes[i - 1].get_pron_mut().set_accent(acc);
        }
        if let Some(acc) = current_acc {
            njd.nodes[i].get_pron_mut().set_accent(acc);
        }
    }
}

/// For a passive or causative suffix, its nucleus within itself as a verb accented on its
/// penultimate mora: レ'ル, ラレ'ル, レ'レバ; the stem forms (レ, ラレ) have it on their last
/// mora, or one earlier before た/て (オモワ'レタ, where 0 puts it just before the suffix).
fn suffix_verb_accent(node: &NJDNode, next: Option<&NJDNode>) -> Option<usize> {
    let pos = Pos::of(node);
    let s = node.get_string();
    let passive = ["れ", "られ", "せ", "させ"]
        .iter()
        .any(|p| s.starts_with(p));
    if !(pos.is1("動詞", "接尾") && passive) {
        return None;
    }
    let moras = node.get_pron().mora_size();
    let before_ta = next.is_some_and(|n| matches!(n.get_string(), "た" | "て" | "だ" | "で"));
    let full = matches!(node.get_cform(), CForm::Basic | CForm::Conditional);
    Some(if full || before_ta {
        moras.saturating_sub(1)
    } else {
        moras
    })
}

fn is_volitional(prev: &NJDNode, node: &NJDNode) -> bool {
    node.get_string() == "う"
        && Pos::of(node).is("助動詞")
        && Pos::of(prev).is("動詞")
        && matches!(prev.get_cform(), CForm::MizenConjunctionU)
}

fn is_polite_imperative(node: &NJDNode) -> bool {
    Pos::of(node).is1("動詞", "非自立")
        && matches!(node.get_string(), "なさい" | "ください" | "下さい")
        && node.get_pron().accent() > 0
}

fn top_node_acc(node: &NJDNode, prev: &NJDNode, top_node: &NJDNode, mora_size: usize) -> usize {
    let node_acc = node.get_pron().accent();
    let top_acc = top_node.get_pron().accent();
    let Some(rule) = node.get_chain_rule().get_rule(prev.get_pos()) else {
        return top_acc;
    };
    let add = || (mora_size as isize + rule.add_type).max(0) as usize;
    match rule.accent_type {
        AccentType::F1 => top_acc,
        AccentType::F2 if top_acc == 0 => add(),
        AccentType::F3 if top_acc != 0 => add(),
        AccentType::F4 => add(),
        AccentType::F5 => 0,
        AccentType::C1 => mora_size + node_acc,
        AccentType::C2 => mora_size + 1,
        AccentType::C3 => mora_size,
        AccentType::C4 => 0,
        AccentType::C5 => top_acc,
        AccentType::P1 | AccentType::P2 if top_acc == 0 => 0,
        AccentType::P1 | AccentType::P2 => mora_size + node_acc,
        AccentType::P6 => 0,
        AccentType::P14 if top_acc != 0 => mora_size + node_acc,
        _ => top_acc,
    }
}

fn digit_acc(prev: &NJDNode, current: &NJDNode, next: Option<&NJDNode>) -> Option<usize> {
    let prev_moras = prev.get_pron().mora_size();
    match (
        prev.get_string(),
        current.get_string(),
        next.map(|n| n.get_string()),
    ) {
        (
            "五" | "六" | "八",
            "十",
            Some("一" | "二" | "三" | "四" | "五" | "六" | "七" | "八" | "九"),
        ) => Some(0),
        (_, "十", _) => Some(1),
        ("七", "百", _) => Some(2),
        ("三" | "四" | "九" | "何", "百", _) => Some(1),
        (_, "百", _) => Some(prev_moras + current.get_pron().mora_size()),
        (_, "千" | "万", _) => Some(prev_moras + 1),
        ("一" | "六" | "七" | "八" | "幾", "億", _) => Some(2),
        (_, "億", _) => Some(1),
        ("六" | "七", "兆", _) => Some(2),
        (_, "兆", _) => Some(1),
        _ => None,
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
