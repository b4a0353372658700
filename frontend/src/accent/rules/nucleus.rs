//! Accent nuclei: OpenJTalk's accent combination of chained words (ported, with suffix rules
//! of ours), the phrase-level rules after it, and the retreat from special moras.

use jpreprocess::NJD;
use jpreprocess_core::accent_rule::AccentType;
use jpreprocess_core::cform::CForm;
use jpreprocess_core::ctype::{CType, Five};
use jpreprocess_core::pos::POS;
use jpreprocess_core::pronunciation::MoraEnum;
use jpreprocess_njd::NJDNode;

use super::pos::Pos;

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
pub(super) fn phrase_accents(njd: &mut NJD) {
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

/// OpenJTalk's accent combination (`njd_set_accent_type`, ported from jpreprocess-njd 0.15,
/// BSD-3-Clause): each chained word's chain rule updates the phrase's accent. One change:
/// the passive and causative suffixes (れる, られる, せる, させる), which naist-jdic gives no
/// rule (the phrase kept the verb's accent), make a new accented verb out of an accented one,
/// as in the standard language: オモ'ウ → オモワレ'ル, オモワ'レタ; カンガ'エル →
/// カンガエラレ'ル, カンガエラ'レタ. A flat verb stays flat (ウタウ → ウタワレル).
pub(super) fn set_accent_type(njd: &mut NJD) {
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
pub(super) fn retreat_nucleus(njd: &mut NJD) {
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
