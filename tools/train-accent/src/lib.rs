//! Training the learned corrector on human labels (the JSUT accent set's format).
//!
//! Each labelled sentence is analysed once with a recording hook: the analysis's moras are
//! aligned with the labelled ones by edit distance, every word boundary whose moras align
//! cleanly becomes a boundary example (features, "a phrase starts here" from the labels), the
//! labelled boundaries are then imposed, and every phrase that matches a labelled phrase
//! exactly becomes a nucleus example (the features of each candidate fall, the labelled one).
//! Both models are averaged perceptrons; the example order is shuffled by a seeded generator,
//! so the same data and seed give the same model.
//!
//! The frontend gives what this needs and nothing more: the pipeline with a hook
//! ([`Frontend::analyze_with`]), the features ([`boundary_features`], [`nucleus_features`]) and
//! the model format ([`AccentModel::from_weights`], [`AccentModel::to_tsv`]).

use std::collections::HashMap;

mod words;
pub use words::{words, Word};

use serde::Deserialize;

use yomiage_frontend::accent::learned::Learned;
use yomiage_frontend::accent::learned::{
    argmax, boundary_features, nucleus_features, rule_phrase_lengths, AccentModel, History,
};
use yomiage_frontend::accent::{breath_groups, AccentHook, NodeInfo, Phrase, RuleDecision};
use yomiage_frontend::{AccentPhrase, Frontend, FrontendError};

pub use yomiage_frontend::accent::learned::align;

/// One labelled sentence (the fields of the accent set that training reads).
#[derive(Debug, Clone, Deserialize)]
pub struct GoldSentence {
    pub id: String,
    pub text: String,
    pub phrases: Vec<GoldPhrase>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldPhrase {
    pub moras: Vec<String>,
    /// 0 = no fall inside the phrase; k = the pitch falls after mora k.
    pub accent: usize,
}

/// Examples drawn from one sentence.
#[derive(Debug, Clone, Default)]
pub struct Examples {
    boundaries: Vec<(Vec<String>, bool)>,
    /// Per phrase: the features of each candidate and the labelled candidate.
    nuclei: Vec<(Vec<Vec<String>>, usize)>,
}

impl Examples {
    pub fn boundary_count(&self) -> usize {
        self.boundaries.len()
    }
    pub fn nucleus_count(&self) -> usize {
        self.nuclei.len()
    }
}

/// Analyses `gold.text` and collects its training examples.
pub fn examples(frontend: &Frontend, gold: &GoldSentence) -> Result<Examples, FrontendError> {
    let mut rec = Recorder {
        gold,
        examples: Examples::default(),
        ours_to_gold: Vec::new(),
        gold_starts: Vec::new(),
    };
    frontend.analyze_with(&gold.text, &mut rec)?;
    Ok(rec.examples)
}

struct Recorder<'a> {
    gold: &'a GoldSentence,
    examples: Examples,
    /// For each of our moras (word nodes in order), the aligned labelled mora.
    ours_to_gold: Vec<Option<usize>>,
    /// For each labelled mora: (phrase index, position in the phrase).
    gold_starts: Vec<(usize, usize)>,
}

impl Recorder<'_> {
    /// Our first mora of each node (word nodes only).
    fn mora_offsets(nodes: &[NodeInfo]) -> Vec<usize> {
        let mut offsets = Vec::with_capacity(nodes.len());
        let mut at = 0;
        for n in nodes {
            offsets.push(at);
            if n.is_word() {
                at += n.mora_texts().len();
            }
        }
        offsets
    }

    /// The labelled mora that our mora `i` aligns with, if it does cleanly.
    fn gold_at(&self, i: usize) -> Option<usize> {
        self.ours_to_gold.get(i).copied().flatten()
    }
}

impl AccentHook for Recorder<'_> {
    fn boundaries(&mut self, nodes: &[NodeInfo], rules: &[RuleDecision], starts: &mut [bool]) {
        let ours: Vec<&str> = nodes
            .iter()
            .filter(|n| n.is_word())
            .flat_map(|n| n.mora_texts().iter().map(String::as_str))
            .collect();
        let mut gold = Vec::new();
        for (p, phrase) in self.gold.phrases.iter().enumerate() {
            for (k, m) in phrase.moras.iter().enumerate() {
                gold.push(m.as_str());
                self.gold_starts.push((p, k));
            }
        }
        self.ours_to_gold = align(&ours, &gold);
        let offsets = Self::mora_offsets(nodes);
        for group in breath_groups(nodes) {
            let lens = rule_phrase_lengths(nodes, &group, starts);
            // The labelled phrases replace the rules' where known: the history the boundary
            // model sees, and the phrases the nucleus examples are taken on.
            let mut history = History::start(&nodes[group[0]]);
            for at in 1..group.len() {
                let i = group[at];
                let s = offsets[i];
                let label = match (
                    self.gold_at(s),
                    s.checked_sub(1).and_then(|p| self.gold_at(p)),
                ) {
                    (Some(g), Some(gp)) if gp + 1 == g => Some(self.gold_starts[g].1 == 0),
                    _ => None,
                };
                if let Some(label) = label {
                    let mut f = Vec::new();
                    boundary_features(&mut f, nodes, &group, at, rules[i], lens[at], history);
                    self.examples.boundaries.push((f, label));
                    starts[i] = label;
                }
                history.advance(&nodes[i], starts[i]);
            }
        }
    }

    fn nuclei(&mut self, nodes: &[NodeInfo], phrases: &mut [Phrase]) {
        let offsets = Self::mora_offsets(nodes);
        for phrase in phrases.iter() {
            let n = phrase.moras(nodes);
            if n == 0 {
                continue;
            }
            let a = offsets[phrase.words[0]];
            let (Some(ga), Some(gb)) = (self.gold_at(a), self.gold_at(a + n - 1)) else {
                continue;
            };
            let (pa, ka) = self.gold_starts[ga];
            let (pb, kb) = self.gold_starts[gb];
            let gold_phrase = &self.gold.phrases[pa];
            if pa != pb || ka != 0 || kb + 1 != gold_phrase.moras.len() || gb - ga + 1 != n {
                continue;
            }
            let label = if gold_phrase.accent >= n {
                0
            } else {
                gold_phrase.accent
            };
            let rule = if phrase.accent >= n { 0 } else { phrase.accent };
            let candidates = (0..n)
                .map(|k| {
                    let mut f = Vec::new();
                    nucleus_features(&mut f, nodes, &phrase.words, k, rule);
                    f
                })
                .collect();
            self.examples.nuclei.push((candidates, label));
        }
    }
}

/// Training settings.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    pub epochs: usize,
    pub seed: u64,
    /// Features seen in fewer examples than this are left out of the boundary model, and of
    /// the nucleus model. Cross-validated on the dev set, every boundary feature pays (1 beat
    /// 2 and 3 on boundary F1), while nucleus features seen once memorize single words (端が
    /// took 橋が's fall).
    pub boundary_min_count: usize,
    pub nucleus_min_count: usize,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 12,
            seed: 1,
            boundary_min_count: 1,
            nucleus_min_count: 2,
        }
    }
}

/// Trains both models on the examples of some sentences.
pub fn train<'a>(
    sentences: impl Iterator<Item = &'a Examples> + Clone,
    opts: &TrainOptions,
) -> AccentModel {
    let boundaries: Vec<_> = sentences
        .clone()
        .flat_map(|e| e.boundaries.iter())
        .collect();
    let nuclei: Vec<_> = sentences.flat_map(|e| e.nuclei.iter()).collect();
    AccentModel::from_weights(
        train_boundaries(&boundaries, opts),
        train_nuclei(&nuclei, opts),
    )
}

/// Feature strings ↔ dense indices, keeping those seen often enough.
struct Index {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Index {
    fn build<'a>(features: impl Iterator<Item = &'a String>, min_count: usize) -> Index {
        let mut counts: HashMap<&String, usize> = HashMap::new();
        for f in features {
            *counts.entry(f).or_default() += 1;
        }
        let mut names: Vec<String> = counts
            .into_iter()
            .filter(|&(_, c)| c >= min_count)
            .map(|(f, _)| f.clone())
            .collect();
        names.sort();
        let ids = names
            .iter()
            .enumerate()
            .map(|(i, f)| (f.clone(), i as u32))
            .collect();
        Index { ids, names }
    }

    fn encode(&self, features: &[String]) -> Vec<u32> {
        features
            .iter()
            .filter_map(|f| self.ids.get(f).copied())
            .collect()
    }

    /// The weights worth keeping, by feature name, rounded as the model file writes them.
    fn into_table(self, weights: &[f32]) -> Vec<(String, f32)> {
        self.names
            .into_iter()
            .zip(weights)
            .filter(|(_, w)| w.abs() > 1e-4)
            .map(|(f, &w)| (f, (w * 1e4).round() / 1e4))
            .collect()
    }
}

/// Perceptron weights with the averaging trick (Daumé): the average over all steps is
/// `w - u / c`.
struct Averaged {
    w: Vec<f32>,
    u: Vec<f32>,
    c: f32,
}

impl Averaged {
    fn new(n: usize) -> Averaged {
        Averaged {
            w: vec![0.0; n],
            u: vec![0.0; n],
            c: 1.0,
        }
    }
    fn score(&self, x: &[u32]) -> f32 {
        x.iter().map(|&i| self.w[i as usize]).sum()
    }
    fn update(&mut self, x: &[u32], delta: f32) {
        for &i in x {
            self.w[i as usize] += delta;
            self.u[i as usize] += delta * self.c;
        }
    }
    fn tick(&mut self) {
        self.c += 1.0;
    }
    fn averaged(&self) -> Vec<f32> {
        self.w
            .iter()
            .zip(&self.u)
            .map(|(w, u)| w - u / self.c)
            .collect()
    }
}

fn train_boundaries(examples: &[&(Vec<String>, bool)], opts: &TrainOptions) -> Vec<(String, f32)> {
    let index = Index::build(
        examples.iter().flat_map(|(f, _)| f),
        opts.boundary_min_count,
    );
    let data: Vec<(Vec<u32>, f32)> = examples
        .iter()
        .map(|(f, y)| (index.encode(f), if *y { 1.0 } else { -1.0 }))
        .collect();
    let mut model = Averaged::new(index.names.len());
    let mut rng = XorShift(opts.seed.max(1));
    let mut order: Vec<usize> = (0..data.len()).collect();
    for _ in 0..opts.epochs {
        rng.shuffle(&mut order);
        for &k in &order {
            let (x, y) = &data[k];
            if y * model.score(x) <= 0.0 {
                model.update(x, *y);
            }
            model.tick();
        }
    }
    index.into_table(&model.averaged())
}

type NucleusExample = (Vec<Vec<String>>, usize);

fn train_nuclei(examples: &[&NucleusExample], opts: &TrainOptions) -> Vec<(String, f32)> {
    let index = Index::build(
        examples.iter().flat_map(|(c, _)| c.iter().flatten()),
        opts.nucleus_min_count,
    );
    let data: Vec<(Vec<Vec<u32>>, usize)> = examples
        .iter()
        .map(|(c, y)| (c.iter().map(|f| index.encode(f)).collect(), *y))
        .collect();
    let mut model = Averaged::new(index.names.len());
    let mut rng = XorShift(opts.seed.max(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut order: Vec<usize> = (0..data.len()).collect();
    for _ in 0..opts.epochs {
        rng.shuffle(&mut order);
        for &k in &order {
            let (cands, y) = &data[k];
            let best = argmax(cands.iter().map(|x| model.score(x)));
            if best != *y {
                model.update(&cands[*y], 1.0);
                model.update(&cands[best], -1.0);
            }
            model.tick();
        }
    }
    index.into_table(&model.averaged())
}

/// A small seeded generator: the shuffles must not depend on a crate's version.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Sentence `i`'s fold among `k`, from a seeded shuffle of the ids.
pub fn folds(count: usize, k: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..count).collect();
    XorShift(seed.max(1) ^ 0xA5A5_A5A5).shuffle(&mut order);
    let mut fold = vec![0; count];
    for (pos, &i) in order.iter().enumerate() {
        fold[i] = pos % k.max(1);
    }
    fold
}

/// Analyses `text` with `model` in place of the shipped one (cross-validation scores held-out
/// sentences this way).
pub fn analyze_with_model(
    frontend: &Frontend,
    text: &str,
    model: &AccentModel,
) -> Result<Vec<AccentPhrase>, FrontendError> {
    frontend.analyze_with(text, &mut Learned::new(model))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_balanced_and_seeded() {
        let f = folds(10, 5, 7);
        for k in 0..5 {
            assert_eq!(f.iter().filter(|&&x| x == k).count(), 2);
        }
        assert_eq!(f, folds(10, 5, 7));
        assert_ne!(f, folds(10, 5, 8));
    }

    #[test]
    fn perceptron_learns_a_separable_boundary_rule() {
        let ex = |a: &str, y: bool| (vec![format!("p={a}"), "bias".to_owned()], y);
        let data = [ex("x", true), ex("y", false), ex("x", true), ex("y", false)];
        let refs: Vec<_> = data.iter().collect();
        let table = train_boundaries(&refs, &TrainOptions::default());
        let weight = |f: &str| table.iter().find(|(n, _)| n == f).map_or(0.0, |(_, w)| *w);
        let score = |a: &str| weight(&format!("p={a}")) + weight("bias");
        assert!(score("x") > 0.0 && score("y") < 0.0, "{table:?}");
    }
}
