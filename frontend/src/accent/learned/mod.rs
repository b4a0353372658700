//! A learned corrector for the rules' accent phrases and nuclei (issue 8).
//!
//! OpenJTalk-style rules decide where phrases start and where their pitch falls from the
//! dictionary's accent types and chain rules; they get about 92 % of boundaries and 86 % of
//! nuclei right on the JSUT labels. Two averaged-perceptron models, trained on those labels
//! (by the `yomiage-train-accent` tool), revise the rules' output inside the NJD pipeline (`accent::rules::preprocess`):
//!
//! 1. boundaries: after the rules' chain flags, every word is scored "starts a phrase" or not
//!    from its own and its neighbours' parts of speech, surfaces, conjugation, dictionary
//!    accent and chain rule, and the rules' decision itself;
//! 2. nuclei: after the rules have combined the accents of the (now revised) phrases, each
//!    phrase's candidates — flat, or a fall after mora k — are ranked from the rules' nucleus,
//!    the dictionary nuclei of its words, the moras around the fall and word identities.
//!
//! A linear model over sparse, readable features was chosen over trees or a network because
//! the signal is lexical (which particle, which word's accent) and the data small (4000
//! sentences): a perceptron learns it in seconds, deterministically, runs in microseconds per
//! sentence with a hash lookup per feature, and its model file is a plain text table.
//!
//! Words from the user dictionary keep the rules' decisions: what a user wrote wins.

mod align;
mod features;
mod model;

use super::hook::{breath_groups, AccentHook, NodeInfo, Phrase, RuleDecision};
pub use align::align;
pub use features::{
    argmax, boundary_features, nucleus_features, rule_phrase_lengths, FeatureSink, History,
};
pub use model::{AccentModel, ModelParseError};

/// For each word of a breath group: whether its boundary belongs to a rules' phrase that holds
/// a user-dictionary word (the phrase's own boundaries and the one after it), which the
/// learned model must not move: the user's word is said as the user wrote it, in the phrase
/// the rules put it in.
fn user_phrase_bounds(nodes: &[NodeInfo], group: &[usize], starts: &[bool]) -> Vec<bool> {
    let mut fixed = vec![false; group.len()];
    let mut begin = 0;
    for at in 1..=group.len() {
        if at == group.len() || starts[group[at]] {
            if group[begin..at].iter().any(|&i| nodes[i].user) {
                for f in &mut fixed[begin..at] {
                    *f = true;
                }
                if let Some(next) = fixed.get_mut(at) {
                    *next = true;
                }
            }
            begin = at;
        }
    }
    fixed
}

/// The learned corrector as the analysis runs it.
pub struct Learned<'a> {
    model: &'a AccentModel,
}

impl<'a> Learned<'a> {
    /// The corrector with `model` (cross-validation scores held-out sentences this way).
    pub fn new(model: &'a AccentModel) -> Learned<'a> {
        Learned { model }
    }
}

impl AccentHook for Learned<'_> {
    fn boundaries(&mut self, nodes: &[NodeInfo], rules: &[RuleDecision], starts: &mut [bool]) {
        if self.model.boundary.is_empty() {
            return;
        }
        for group in breath_groups(nodes) {
            let lens = rule_phrase_lengths(nodes, &group, starts);
            let fixed = user_phrase_bounds(nodes, &group, starts);
            let mut history = History::start(&nodes[group[0]]);
            let mut f: Vec<u64> = Vec::with_capacity(32);
            for at in 1..group.len() {
                let i = group[at];
                if !fixed[at] {
                    f.clear();
                    boundary_features(&mut f, nodes, &group, at, rules[i], lens[at], history);
                    starts[i] = self.model.boundary.score(&f) > 0.0;
                }
                history.advance(&nodes[i], starts[i]);
            }
        }
    }

    fn nuclei(&mut self, nodes: &[NodeInfo], phrases: &mut [Phrase]) {
        if self.model.nucleus.is_empty() {
            return;
        }
        for phrase in phrases {
            if phrase.words.iter().any(|&i| nodes[i].user) {
                continue;
            }
            let n = phrase.moras(nodes);
            if n == 0 {
                continue;
            }
            let rule = if phrase.accent >= n { 0 } else { phrase.accent };
            let mut f: Vec<u64> = Vec::with_capacity(48);
            let best = argmax((0..n).map(|k| {
                f.clear();
                nucleus_features(&mut f, nodes, &phrase.words, k, rule);
                self.model.nucleus.score(&f)
            }));
            // The class "no fall inside" holds flat and odaka alike: keep the rules' odaka.
            if best != rule {
                phrase.accent = best;
            }
        }
    }
}
