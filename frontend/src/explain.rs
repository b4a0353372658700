//! Why each word is read as it is (`yomiage accent --explain`): the [`ReadingSource`] recorded
//! while the pipeline ran ([`crate::provenance`]), and the other readings naist-jdic has for the
//! spelling.

use std::path::Path;

use jpreprocess_core::word_entry::WordEntry;
use jpreprocess_dictionary::dictionary::word_encoding::JPreprocessDictionaryWordEncoding;
use jpreprocess_dictionary::word_data::get_word_data;
use lindera_dictionary::dictionary::prefix_dictionary::PrefixDictionary;
use serde::Serialize;

use crate::accent::{AccentHook, NodeInfo, Phrase, RuleDecision};
use crate::provenance::ReadingSource;

/// One word of an analysis, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordReading {
    /// As analysed (jpreprocess writes letters and digits full-width).
    pub surface: String,
    /// The reading chosen, in katakana (ー for a long vowel).
    pub reading: String,
    /// The dictionary accent of that reading (0 = flat, n = fall after mora n), before the
    /// accent-phrase rules combine it with its neighbours'.
    pub accent: usize,
    /// 品詞, 細分類1-3 joined by `,`.
    pub pos: String,
    pub source: ReadingSource,
    /// naist-jdic's entries for this spelling, cheapest first, one per reading and accent.
    pub candidates: Vec<Candidate>,
}

/// A naist-jdic entry for a word's spelling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub reading: String,
    pub accent: usize,
    pub pos: String,
    /// naist-jdic's word cost (lower wins more often in the lattice).
    pub cost: i16,
}

/// The system dictionary's entries by spelling, for candidates (loaded on the first
/// explanation: memory-mapped, so it costs the address space, not the heap).
pub(crate) struct Lexicon(Option<PrefixDictionary>);

impl Lexicon {
    pub(crate) fn load(dict_dir: &Path) -> Lexicon {
        match jpreprocess::Dictionary::load_from_path_with_options(dict_dir, true) {
            Ok(d) => Lexicon(Some(d.prefix_dictionary)),
            Err(e) => {
                tracing::warn!(dir = %dict_dir.display(), "no candidates: {e}");
                Lexicon(None)
            }
        }
    }

    /// naist-jdic's single-word entries spelled `surface`, cheapest first, without repeats.
    pub(crate) fn candidates(&self, surface: &str) -> Vec<Candidate> {
        let Some(dict) = &self.0 else {
            return Vec::new();
        };
        let mut entries: Vec<_> = dict.find_surface_iter(surface).collect();
        entries.sort_by_key(|e| (e.word_cost, e.word_id.id));
        let mut out: Vec<Candidate> = Vec::new();
        for e in entries {
            let Some(data) = get_word_data(
                &dict.words_idx_data,
                &dict.words_data,
                Some(e.word_id.id as usize),
            ) else {
                continue;
            };
            let Ok(WordEntry::Single(details)) =
                JPreprocessDictionaryWordEncoding::deserialize(data)
            else {
                continue;
            };
            let c = Candidate {
                // Without the devoicing marks (デス’): as the words' readings are written.
                reading: details.pron.to_pure_string().replace('’', ""),
                accent: details.pron.accent(),
                pos: details.pos.to_string(),
                cost: e.word_cost,
            };
            if !out
                .iter()
                .any(|o| o.reading == c.reading && o.accent == c.accent)
            {
                out.push(c);
            }
        }
        out
    }
}

/// Records the words as the accent stage sees them, and lets `inner` decide as it would.
pub(crate) struct Recorder<'a> {
    pub(crate) inner: &'a mut dyn AccentHook,
    pub(crate) nodes: Vec<NodeInfo>,
}

impl AccentHook for Recorder<'_> {
    fn boundaries(&mut self, nodes: &[NodeInfo], rules: &[RuleDecision], starts: &mut [bool]) {
        self.nodes
            .extend(nodes.iter().filter(|n| n.is_word()).cloned());
        self.inner.boundaries(nodes, rules, starts);
    }
    fn nuclei(&mut self, nodes: &[NodeInfo], phrases: &mut [Phrase]) {
        self.inner.nuclei(nodes, phrases);
    }
}

/// The recorded words with their candidates.
pub(crate) fn word_readings(nodes: &[NodeInfo], lexicon: &Lexicon) -> Vec<WordReading> {
    nodes
        .iter()
        .map(|n| WordReading {
            surface: n.surface().to_owned(),
            reading: n.reading().to_owned(),
            accent: n.dictionary_accent(),
            pos: n.pos().join(","),
            source: n.reading_source().clone(),
            candidates: lexicon.candidates(n.surface()),
        })
        .collect()
}
