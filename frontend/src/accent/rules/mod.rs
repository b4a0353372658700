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
use jpreprocess_core::pronunciation::Pronunciation;
use jpreprocess_njd::{digit, digit_sequence, pronunciation, unvoiced_vowel};

use self::chain::{merge_phrases, set_chain_flags};
use self::homographs::{homograph_readings, karai_for_taste, native_prefixes, nihon_in_compounds};
use self::nucleus::{phrase_accents, retreat_nucleus, set_accent_type};
use self::numbers::{
    beds, full_numeral_before_voiced, juu_sokuon, kakkei_after_digits, no_p_after_a_vowel,
    one_before_kango, regnal_sansei, sanzen, tsu_me_ordinals, weekday_lists,
};
use self::phrases::phrase_readings;
use self::pos::Pos;
use self::readings::{
    adjective_forms, long_ei, long_ou_as_spelt, verb_forms, vu_as_written, yuu_for_iu,
};
use crate::kanji::{read_unknown_kanji, KanjiTable};
use crate::provenance::{NamedRule, ReadingSource, Sources, Written};
use crate::reading::ReadingModel;

use super::hook::{breath_groups, AccentHook, NodeInfo, Phrase, RuleDecision};

mod chain;
mod homographs;
mod nucleus;
mod numbers;
mod phrases;
mod pos;
mod readings;

/// The reading rules, in the order they run, each under the name `--explain` shows for the
/// readings it set.
const READING_RULES: &[NamedRule] = &[
    ("言う ユー", yuu_for_iu),
    ("日本 in compounds", nihon_in_compounds),
    ("homograph by context", homograph_readings),
    ("辛い カライ near food", karai_for_taste),
    ("set phrase or compound", phrase_readings),
    ("十 ジュッ", juu_sokuon),
    ("一 イッ before a Sino suffix", one_before_kango),
    ("numeral before a voiced word", full_numeral_before_voiced),
    ("三千 サンゼン", sanzen),
    ("三つ目 ミッツメ", tsu_me_ordinals),
    ("3角形 カッケー", kakkei_after_digits),
    ("listed weekdays", weekday_lists),
    ("no p after a vowel", no_p_after_a_vowel),
    ("床 ショー counting beds", beds),
    ("三世 サンセー after a name", regnal_sansei),
    ("エイ → エー", long_ei),
    ("オウ → オー as spelt", long_ou_as_spelt),
    ("ヴ as written", vu_as_written),
    ("御 オ, 大 オー before native words", native_prefixes),
];

/// Sets word `i`'s reading and accent (a reading that does not parse leaves the word as it was).
fn set_reading(njd: &mut NJD, i: usize, reading: &str, accent: usize) {
    if let Ok(pron) = Pronunciation::parse(reading, accent) {
        njd.nodes[i].set_pron(pron);
    }
}

/// OpenJTalk's NJD pipeline with our phrase and nucleus rules in between.
///
/// `hook` may revise the rules' phrase starts and nuclei (the learned corrector); the words of
/// `user_words` (surface, pronunciation) are marked so it leaves them alone. Each stage that
/// sets readings records itself as the source of the readings it changed (`written`: what
/// the normalizer wrote).
pub(crate) fn preprocess(
    njd: &mut NJD,
    hook: &mut dyn AccentHook,
    user_words: &HashSet<(String, String)>,
    readings: &ReadingModel,
    written: &Written,
    kanji: &KanjiTable,
) {
    // Before OpenJTalk's pronunciation step, which drops a word it has no reading for.
    let read_by_kanji = read_unknown_kanji(njd, kanji);
    pronunciation::njd_set_pronunciation(njd);
    let mut sources = Sources::new(njd, user_words, written);
    sources.mark(njd, &read_by_kanji, ReadingSource::KanjiReading);
    sources.step(njd, ReadingSource::DigitRule, |njd| {
        digit_sequence::njd_digit_sequence(njd);
        digit::njd_set_digit(njd);
    });
    sources.reading_rules(njd, READING_RULES);
    // The learned reading stage sees the readings as the rules left them (as in training).
    readings.apply(
        njd,
        &|surface, pron| {
            !user_words.is_empty() && user_words.contains(&(surface.to_owned(), pron.to_owned()))
        },
        &mut sources,
    );
    adjective_forms(njd);
    verb_forms(njd);
    let nodes = NodeInfo::snapshot(njd, user_words, sources.as_slice());
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
