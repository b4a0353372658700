//! The one seam of accent estimation: the rules' pipeline calls an [`AccentHook`] at two
//! points, with the words as [`NodeInfo`]s and the phrases as [`Phrase`]s. The learned
//! corrector, [`RulesOnly`] and the training recorder (in the `yomiage-train-accent` tool) are
//! hooks; the types here are all they share.

use std::collections::HashSet;

use jpreprocess::NJD;
use jpreprocess_core::pronunciation::{Mora as JMora, MoraEnum};

use crate::provenance::ReadingSource;

/// Runs inside the rules' pipeline (`accent::rules::preprocess`): may revise the rules' phrase starts and nuclei.
pub trait AccentHook {
    /// `starts[i]`: node `i` starts a phrase (only word nodes matter). `rules[i]` says how the
    /// rules decided.
    fn boundaries(&mut self, nodes: &[NodeInfo], rules: &[RuleDecision], starts: &mut [bool]);
    /// Each phrase's word nodes and accent (the rules' after the accent combination).
    fn nuclei(&mut self, nodes: &[NodeInfo], phrases: &mut [Phrase]);
}

/// Leaves the rules' result as it is.
pub struct RulesOnly;

impl AccentHook for RulesOnly {
    fn boundaries(&mut self, _: &[NodeInfo], _: &[RuleDecision], _: &mut [bool]) {}
    fn nuclei(&mut self, _: &[NodeInfo], _: &mut [Phrase]) {}
}

/// The rules' decision for a word: `B` starts a phrase, `J` joins by the chain rules, `M`
/// joins by one of our merge rules.
pub type RuleDecision = char;

/// What the pipeline knows about a word before the phrase rules run.
#[derive(Debug, Clone)]
pub struct NodeInfo {
    pub(crate) surface: String,
    /// 品詞, 細分類1-3.
    pub(crate) pos: [String; 4],
    /// 品詞/細分類1, and all four joined by `/`.
    pub(crate) pos01: String,
    pub(crate) pos_full: String,
    pub(crate) ctype: String,
    pub(crate) cform: String,
    /// The dictionary's accent of the word alone (0 = flat).
    pub(crate) accent: usize,
    pub(crate) chain_rule: String,
    /// Mora kinds: `n` normal, `N` moraic nasal, `Q` geminate, `R` long vowel.
    pub(crate) kinds: Vec<char>,
    /// The moras in katakana (ー for a long vowel), for aligning with labels in training.
    pub(crate) texts: Vec<String>,
    /// The moras joined: the word's pronunciation, whatever its spelling.
    pub(crate) reading: String,
    /// A word that carries moras (not punctuation or an unreadable symbol).
    pub(crate) is_word: bool,
    /// Punctuation or a question mark: ends a breath group.
    pub(crate) is_break: bool,
    /// From the user dictionary: its accent and boundaries are not revised.
    pub(crate) user: bool,
    /// Where its reading came from.
    pub(crate) source: ReadingSource,
}

impl NodeInfo {
    pub(crate) fn snapshot(
        njd: &NJD,
        user_words: &HashSet<(String, String)>,
        sources: &[ReadingSource],
    ) -> Vec<NodeInfo> {
        njd.nodes
            .iter()
            .enumerate()
            .map(|(i, node)| {
                let pron = node.get_pron();
                let pos_s = node.get_pos().to_string();
                let mut it = pos_s.split(',').map(str::to_owned);
                let mut next = || it.next().unwrap_or_else(|| "*".to_owned());
                let pos = [next(), next(), next(), next()];
                let sounding = pron
                    .moras()
                    .iter()
                    .filter(|m| !matches!(m.mora_enum, MoraEnum::Touten | MoraEnum::Question));
                let texts: Vec<String> = sounding.clone().map(mora_text).collect();
                let kinds: Vec<char> = sounding
                    .map(|m| match m.mora_enum {
                        MoraEnum::N => 'N',
                        MoraEnum::Xtsu => 'Q',
                        MoraEnum::Long => 'R',
                        _ => 'n',
                    })
                    .collect();
                let is_break = pron.is_touten() || pron.is_question();
                let surface = node.get_string().to_owned();
                let user = !user_words.is_empty()
                    && user_words.contains(&(surface.clone(), pron.to_pure_string()));
                NodeInfo {
                    surface,
                    pos01: format!("{}/{}", pos[0], pos[1]),
                    pos_full: pos.join("/"),
                    pos,
                    ctype: node.get_ctype().to_string(),
                    cform: node.get_cform().to_string(),
                    accent: pron.accent(),
                    chain_rule: node.get_chain_rule().to_string(),
                    is_word: !is_break && !kinds.is_empty(),
                    is_break,
                    kinds,
                    reading: texts.concat(),
                    texts,
                    user,
                    source: sources.get(i).cloned().unwrap_or(ReadingSource::Dictionary),
                }
            })
            .collect()
    }

    /// A word that carries moras (not punctuation or an unreadable symbol).
    pub fn is_word(&self) -> bool {
        self.is_word
    }

    /// Its moras in katakana (ー for a long vowel), as labels write them.
    pub fn mora_texts(&self) -> &[String] {
        &self.texts
    }

    /// The word as written in the text.
    pub fn surface(&self) -> &str {
        &self.surface
    }

    /// Its reading: the moras joined, in katakana.
    pub fn reading(&self) -> &str {
        &self.reading
    }

    /// The dictionary's accent of the word alone (0 = flat).
    pub fn dictionary_accent(&self) -> usize {
        self.accent
    }

    /// Where its reading came from.
    pub fn reading_source(&self) -> &ReadingSource {
        &self.source
    }

    /// Its part of speech: 品詞, 細分類1-3 (naist-jdic's, `*` where none).
    pub fn pos(&self) -> &[String; 4] {
        &self.pos
    }

    /// Function words are told apart by their surface; content words by their class.
    pub(crate) fn is_function(&self) -> bool {
        matches!(self.pos[0].as_str(), "助詞" | "助動詞" | "記号")
            || matches!(self.pos[1].as_str(), "接尾" | "非自立")
    }

    pub(crate) fn word(&self) -> &str {
        if self.is_function() {
            &self.surface
        } else {
            &self.pos[1]
        }
    }

    pub(crate) fn moras(&self) -> usize {
        self.kinds.len()
    }
}

/// A phrase as the nucleus step sees it.
#[derive(Debug, Clone)]
pub struct Phrase {
    /// Indices of its word nodes, in order.
    pub words: Vec<usize>,
    /// The pitch falls after this mora (0 = no fall).
    pub accent: usize,
}

impl Phrase {
    /// Its moras, counted over its words.
    pub fn moras(&self, nodes: &[NodeInfo]) -> usize {
        self.words.iter().map(|&i| nodes[i].moras()).sum()
    }
}

/// Word nodes grouped by breath group (punctuation between them).
pub fn breath_groups(nodes: &[NodeInfo]) -> Vec<Vec<usize>> {
    let mut groups = vec![Vec::new()];
    for (i, n) in nodes.iter().enumerate() {
        if n.is_break {
            groups.push(Vec::new());
        } else if n.is_word {
            if let Some(g) = groups.last_mut() {
                g.push(i);
            }
        }
    }
    groups.retain(|g| !g.is_empty());
    groups
}

/// Katakana for one mora as OpenJTalk's pronunciation writes it (ー stays ー).
pub(crate) fn mora_text(m: &JMora) -> String {
    if m.mora_enum == MoraEnum::Long {
        return "ー".to_owned();
    }
    // Display appends ’ to devoiced moras; the vowel's case already says that.
    m.to_string().trim_end_matches('’').to_owned()
}
