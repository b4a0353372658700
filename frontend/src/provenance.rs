//! Where each word's reading came from, recorded as the pipeline runs.
//!
//! Every stage that can give a word its reading — the normalizer, naist-jdic's entry chosen by
//! the lattice, the user dictionary, OpenJTalk's digit rules, our reading rules and the learned
//! reading stage — records itself in a [`ReadingSource`] kept beside the word while the pipeline
//! runs ([`Sources`]); the accent stage sees it on each [`crate::accent::NodeInfo`]. Nothing is
//! re-derived afterwards: the source is the last stage that changed the reading.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use jpreprocess::NJD;
use jpreprocess_core::pronunciation::Pronunciation;
use serde::Serialize;
use similar::{capture_diff_slices, Algorithm, DiffOp};

/// Where a word's reading came from: the last stage that set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReadingSource {
    /// naist-jdic's entry chosen by jpreprocess's lattice (or OpenJTalk's reading by rule of
    /// a word it does not know).
    Dictionary,
    /// A word of the user dictionary.
    UserDictionary,
    /// Text the normalizer wrote (2024/3/15 → 2024年3月15日, ¥ → 円, English words).
    Normalizer,
    /// OpenJTalk's digit rules (numbers and counters: 一本 イッポン, 八日 ヨーカ).
    DigitRule,
    /// One of our reading rules (`accent/rules/readings.rs`).
    ReadingRule { name: &'static str },
    /// A rule of the learned reading stage (`reading.rs`), with the context it matched.
    LearnedRule { context: String },
    /// Kanji the dictionary has no word for, read by their Unihan on-readings (`kanji.rs`).
    KanjiReading,
}

impl std::fmt::Display for ReadingSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadingSource::Dictionary => f.write_str("dictionary (lattice)"),
            ReadingSource::UserDictionary => f.write_str("user dictionary"),
            ReadingSource::Normalizer => f.write_str("normalizer"),
            ReadingSource::DigitRule => f.write_str("digit rule"),
            ReadingSource::ReadingRule { name } => write!(f, "reading rule {name}"),
            ReadingSource::LearnedRule { context } => {
                write!(f, "learned reading rule ({context})")
            }
            ReadingSource::KanjiReading => f.write_str("kanji on-reading (not in the dictionary)"),
        }
    }
}

/// The [`ReadingSource`] of each NJD node, kept in step with the nodes while the pipeline
/// changes them (a digit rule may join or split nodes).
pub(crate) struct Sources(Vec<ReadingSource>);

impl Sources {
    /// The sources after the dictionary lookup: the user's words, what the normalizer wrote,
    /// and the lattice's entries.
    pub(crate) fn new(
        njd: &NJD,
        user_words: &HashSet<(String, String)>,
        written: &Written,
    ) -> Sources {
        let by_normalizer = written.nodes(njd);
        Sources(
            njd.nodes
                .iter()
                .enumerate()
                .map(|(i, node)| {
                    let user = !user_words.is_empty()
                        && user_words.contains(&(
                            node.get_string().to_owned(),
                            node.get_pron().to_pure_string(),
                        ));
                    if user {
                        ReadingSource::UserDictionary
                    } else if by_normalizer.get(i).copied().unwrap_or(false) {
                        ReadingSource::Normalizer
                    } else {
                        ReadingSource::Dictionary
                    }
                })
                .collect(),
        )
    }

    /// Runs one stage; the words whose reading (or spelling) it changed get `source`. A
    /// reading rule (`ReadingRule`) leaves the user dictionary's words as the user wrote them.
    pub(crate) fn step(
        &mut self,
        njd: &mut NJD,
        source: ReadingSource,
        stage: impl FnOnce(&mut NJD),
    ) {
        let before = words(njd);
        self.step_from(njd, before, source, stage);
    }

    /// Runs the reading rules one after another, each as a [`Sources::step`] under its name.
    /// One rule's words after it are the next one's before, so each snapshot is taken once.
    pub(crate) fn reading_rules(&mut self, njd: &mut NJD, rules: &[NamedRule]) {
        let mut snapshot = words(njd);
        for &(name, rule) in rules {
            snapshot = self.step_from(njd, snapshot, ReadingSource::ReadingRule { name }, rule);
        }
    }

    /// [`Sources::step`] from a snapshot taken before it; returns the snapshot after it.
    fn step_from(
        &mut self,
        njd: &mut NJD,
        before: Vec<u64>,
        source: ReadingSource,
        stage: impl FnOnce(&mut NJD),
    ) -> Vec<u64> {
        let keep: Vec<(usize, Pronunciation)> =
            if matches!(source, ReadingSource::ReadingRule { .. }) {
                self.0
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| **s == ReadingSource::UserDictionary)
                    .map(|(i, _)| (i, njd.nodes[i].get_pron().clone()))
                    .collect()
            } else {
                Vec::new()
            };
        stage(njd);
        if njd.nodes.len() == before.len() {
            for (i, pron) in keep {
                njd.nodes[i].set_pron(pron);
            }
        }
        let after = words(njd);
        if before.len() == after.len() {
            for (i, (old, new)) in before.iter().zip(&after).enumerate() {
                if old != new {
                    self.0[i] = source.clone();
                }
            }
            return after;
        }
        let mut out = Vec::with_capacity(after.len());
        for op in capture_diff_slices(Algorithm::Myers, &before, &after) {
            match op {
                DiffOp::Equal { old_index, len, .. } => {
                    out.extend_from_slice(&self.0[old_index..old_index + len]);
                }
                DiffOp::Delete { .. } => {}
                DiffOp::Insert { new_len, .. } | DiffOp::Replace { new_len, .. } => {
                    out.extend(std::iter::repeat_n(source.clone(), new_len));
                }
            }
        }
        self.0 = out;
        after
    }

    /// Gives `source` to the words whose (surface, pronunciation) is one of `words` and that
    /// nothing but the dictionary has read yet.
    pub(crate) fn mark(&mut self, njd: &NJD, words: &[(String, String)], source: ReadingSource) {
        if words.is_empty() {
            return;
        }
        for (node, s) in njd.nodes.iter().zip(self.0.iter_mut()) {
            let word = (node.get_string(), node.get_pron().to_pure_string());
            if *s == ReadingSource::Dictionary
                && words
                    .iter()
                    .any(|(w, p)| (w.as_str(), p) == (word.0, &word.1))
            {
                *s = source.clone();
            }
        }
    }

    /// Sets one word's source (the learned stage names the rule that matched).
    pub(crate) fn set(&mut self, i: usize, source: ReadingSource) {
        if let Some(s) = self.0.get_mut(i) {
            *s = source;
        }
    }

    pub(crate) fn as_slice(&self) -> &[ReadingSource] {
        &self.0
    }
}

/// A reading rule and the name `--explain` shows for the readings it sets.
pub(crate) type NamedRule = (&'static str, fn(&mut NJD));

/// A hash of each node's spelling and moras (not its accent): equal where a stage left the
/// word's reading alone. Hashed rather than copied, so tracking costs no allocation per word.
fn words(njd: &NJD) -> Vec<u64> {
    njd.nodes
        .iter()
        .map(|n| {
            let mut h = std::hash::DefaultHasher::new();
            n.get_string().hash(&mut h);
            for m in n.get_pron().moras() {
                m.mora_enum.hash(&mut h);
            }
            h.finish()
        })
        .collect()
}

/// Which characters of the analysed text the normalizer wrote rather than took from the
/// user's text. Both are compared as jpreprocess tokenizes them (full-width), so only the
/// normalizer's rewrites count.
pub(crate) struct Written {
    text: Vec<char>,
    /// One flag per character of `text`; empty when nothing was written.
    flags: Vec<bool>,
}

impl Written {
    pub(crate) fn new(original: &str, normalized: &str) -> Written {
        if original == normalized {
            return Written {
                text: Vec::new(),
                flags: Vec::new(),
            };
        }
        let old: Vec<char> = jpreprocess::normalize_text_for_naist_jdic(original)
            .chars()
            .collect();
        let text: Vec<char> = jpreprocess::normalize_text_for_naist_jdic(normalized)
            .chars()
            .collect();
        let mut flags = vec![false; text.len()];
        for op in capture_diff_slices(Algorithm::Myers, &old, &text) {
            if let DiffOp::Insert {
                new_index, new_len, ..
            }
            | DiffOp::Replace {
                new_index, new_len, ..
            } = op
            {
                flags[new_index..new_index + new_len].fill(true);
            }
        }
        if !flags.contains(&true) {
            flags.clear();
        }
        Written { text, flags }
    }

    /// For each node: whether any of its characters was written by the normalizer. Nodes are
    /// found in the text in order; one that is not there (a rewritten spelling) counts as not.
    fn nodes(&self, njd: &NJD) -> Vec<bool> {
        if self.flags.is_empty() {
            return Vec::new();
        }
        let mut at = 0;
        njd.nodes
            .iter()
            .map(|node| {
                let s: Vec<char> = node.get_string().chars().collect();
                if s.is_empty() {
                    return false;
                }
                let found = (at..self.text.len().saturating_sub(s.len() - 1))
                    .find(|&k| self.text[k..k + s.len()] == s[..]);
                match found {
                    Some(k) => {
                        at = k + s.len();
                        self.flags[k..at].contains(&true)
                    }
                    None => false,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The characters of `normalized` (as jpreprocess sees it) flagged as written.
    fn written(original: &str, normalized: &str) -> String {
        let w = Written::new(original, normalized);
        w.text
            .iter()
            .zip(w.flags.iter().chain(std::iter::repeat(&false)))
            .filter(|(_, &f)| f)
            .map(|(c, _)| *c)
            .collect()
    }

    #[test]
    fn only_what_the_normalizer_wrote_is_flagged() {
        // Width changes are jpreprocess's own, not the normalizer's.
        assert_eq!(written("１０個", "10個"), "");
        assert_eq!(written("2024/3/15に", "2024年3月15日に"), "年月日");
        assert_eq!(written("¥1,000です", "1000円です"), "円");
        assert!(Written::new("同じ", "同じ").flags.is_empty());
    }

    #[test]
    fn sources_read_as_the_cli_prints_them() {
        assert_eq!(
            ReadingSource::Dictionary.to_string(),
            "dictionary (lattice)"
        );
        let rule = ReadingSource::ReadingRule {
            name: "日本 in compounds",
        };
        assert_eq!(rule.to_string(), "reading rule 日本 in compounds");
        let learned = ReadingSource::LearnedRule {
            context: "after この".to_owned(),
        };
        assert_eq!(learned.to_string(), "learned reading rule (after この)");
        let json = serde_json::to_value(&learned).unwrap_or_default();
        assert_eq!(json["kind"], "learned_rule");
        assert_eq!(json["context"], "after この");
    }
}
