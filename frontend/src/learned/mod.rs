//! A learned corrector for the rules' accent phrases and nuclei (issue 8).
//!
//! OpenJTalk-style rules decide where phrases start and where their pitch falls from the
//! dictionary's accent types and chain rules; they get about 92 % of boundaries and 86 % of
//! nuclei right on the JSUT labels. Two averaged-perceptron models, trained on those labels
//! (`train`), revise the rules' output inside the NJD pipeline (`rules::preprocess`):
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

pub mod train;

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

use jpreprocess::NJD;
use jpreprocess_core::pronunciation::MoraEnum;

/// The model trained on the whole development set by `train-accent` (see the README).
const BUILTIN_MODEL: &str = include_str!("../../data/accent-model.tsv");

/// Which accent estimator the analysis uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccentEstimator {
    /// OpenJTalk's rules with ours (`rules`), nothing learned.
    Rules,
    /// The rules, revised by the learned model (the default: it scores higher).
    #[default]
    Learned,
}

impl std::str::FromStr for AccentEstimator {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "rules" => Ok(AccentEstimator::Rules),
            "learned" => Ok(AccentEstimator::Learned),
            other => Err(format!(
                "unknown accent estimator {other:?} (expected rules or learned)"
            )),
        }
    }
}

impl std::fmt::Display for AccentEstimator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AccentEstimator::Rules => "rules",
            AccentEstimator::Learned => "learned",
        })
    }
}

/// Feature weights of the two models.
#[derive(Debug, Clone, Default)]
pub struct AccentModel {
    pub(crate) boundary: Weights,
    pub(crate) nucleus: Weights,
}

/// One model's weights, by feature text (for the file) and by its hash (for scoring).
#[derive(Debug, Clone, Default)]
pub(crate) struct Weights {
    named: Vec<(String, f32)>,
    by_hash: HashMap<u64, f32, BuildHasherDefault<HashIsKey>>,
}

impl Weights {
    pub(crate) fn from_named(mut named: Vec<(String, f32)>) -> Weights {
        named.sort_by(|a, b| a.0.cmp(&b.0));
        let by_hash = named.iter().map(|(f, w)| (Fnv::of(f), *w)).collect();
        Weights { named, by_hash }
    }

    pub(crate) fn score(&self, features: &[u64]) -> f32 {
        features.iter().filter_map(|h| self.by_hash.get(h)).sum()
    }

    fn len(&self) -> usize {
        self.named.len()
    }

    fn is_empty(&self) -> bool {
        self.named.is_empty()
    }
}

/// The keys are FNV hashes already: hashing them again would only cost time.
#[derive(Default)]
pub(crate) struct HashIsKey(u64);

impl std::hash::Hasher for HashIsKey {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[derive(Debug, thiserror::Error)]
#[error("accent model line {line}: {what}")]
pub struct ModelParseError {
    line: usize,
    what: &'static str,
}

impl AccentModel {
    /// The model shipped in the crate; parsed once.
    pub fn builtin() -> &'static AccentModel {
        static MODEL: OnceLock<AccentModel> = OnceLock::new();
        MODEL.get_or_init(|| match AccentModel::from_tsv(BUILTIN_MODEL) {
            Ok(m) => m,
            Err(e) => {
                // Checked by a unit test; an empty model leaves the rules' result unchanged.
                tracing::error!("built-in accent model unreadable: {e}");
                AccentModel::default()
            }
        })
    }

    /// Reads `b|n <TAB> weight <TAB> feature` lines (`#` comments).
    pub fn from_tsv(text: &str) -> Result<AccentModel, ModelParseError> {
        let (mut boundary, mut nucleus) = (Vec::new(), Vec::new());
        for (i, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |what| ModelParseError { line: i + 1, what };
            let mut parts = line.splitn(3, '\t');
            let (Some(kind), Some(w), Some(feature)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(err("expected three tab-separated fields"));
            };
            let w: f32 = w.parse().map_err(|_| err("weight is not a number"))?;
            let table = match kind {
                "b" => &mut boundary,
                "n" => &mut nucleus,
                _ => return Err(err("kind must be b or n")),
            };
            table.push((feature.to_owned(), w));
        }
        Ok(AccentModel {
            boundary: Weights::from_named(boundary),
            nucleus: Weights::from_named(nucleus),
        })
    }

    /// The model as [`AccentModel::from_tsv`] reads it, sorted so files diff well.
    pub fn to_tsv(&self) -> String {
        let mut out = String::from(
            "# yomiage learned accent model: kind (b = boundary, n = nucleus), weight, feature\n",
        );
        for (kind, table) in [("b", &self.boundary), ("n", &self.nucleus)] {
            for (f, w) in &table.named {
                out.push_str(&format!("{kind}\t{w}\t{f}\n"));
            }
        }
        out
    }

    pub fn boundary_len(&self) -> usize {
        self.boundary.len()
    }

    pub fn nucleus_len(&self) -> usize {
        self.nucleus.len()
    }

    pub fn is_empty(&self) -> bool {
        self.boundary.is_empty() && self.nucleus.is_empty()
    }
}

/// What the pipeline knows about a word before the phrase rules run.
#[derive(Debug, Clone)]
pub(crate) struct NodeInfo {
    surface: String,
    /// 品詞, 細分類1-3.
    pos: [String; 4],
    /// 品詞/細分類1, and all four joined by `/`.
    pos01: String,
    pos_full: String,
    ctype: String,
    cform: String,
    /// The dictionary's accent of the word alone (0 = flat).
    accent: usize,
    chain_rule: String,
    /// Mora kinds: `n` normal, `N` moraic nasal, `Q` geminate, `R` long vowel.
    kinds: Vec<char>,
    /// The moras in katakana (ー for a long vowel), for aligning with labels in training.
    pub(crate) texts: Vec<String>,
    /// The moras joined: the word's pronunciation, whatever its spelling.
    reading: String,
    /// A word that carries moras (not punctuation or an unreadable symbol).
    pub(crate) is_word: bool,
    /// Punctuation or a question mark: ends a breath group.
    pub(crate) is_break: bool,
    /// From the user dictionary: its accent and boundaries are not revised.
    user: bool,
}

impl NodeInfo {
    pub(crate) fn snapshot(njd: &NJD, user_words: &HashSet<(String, String)>) -> Vec<NodeInfo> {
        njd.nodes
            .iter()
            .map(|node| {
                let pron = node.get_pron();
                let pos_s = node.get_pos().to_string();
                let mut it = pos_s.split(',').map(str::to_owned);
                let mut next = || it.next().unwrap_or_else(|| "*".to_owned());
                let pos = [next(), next(), next(), next()];
                let sounding = pron
                    .moras()
                    .iter()
                    .filter(|m| !matches!(m.mora_enum, MoraEnum::Touten | MoraEnum::Question));
                let texts: Vec<String> = sounding.clone().map(crate::analysis::mora_text).collect();
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
                }
            })
            .collect()
    }

    /// Function words are told apart by their surface; content words by their class.
    fn is_function(&self) -> bool {
        matches!(self.pos[0].as_str(), "助詞" | "助動詞" | "記号")
            || matches!(self.pos[1].as_str(), "接尾" | "非自立")
    }

    fn word(&self) -> &str {
        if self.is_function() {
            &self.surface
        } else {
            &self.pos[1]
        }
    }

    fn moras(&self) -> usize {
        self.kinds.len()
    }
}

/// The phrase so far, as decided (predicted while analysing, labelled while training).
#[derive(Debug, Clone, Copy)]
pub(crate) struct History {
    moras: usize,
    /// A content word with its own fall is in it already (a second one would need a new phrase).
    accented: bool,
}

impl History {
    pub(crate) fn start(first: &NodeInfo) -> History {
        let mut h = History {
            moras: 0,
            accented: false,
        };
        h.advance(first, true);
        h
    }

    pub(crate) fn advance(&mut self, word: &NodeInfo, starts: bool) {
        if starts {
            *self = History {
                moras: 0,
                accented: false,
            };
        }
        self.moras += word.moras();
        self.accented |= word.accent > 0 && !word.is_function();
    }
}

/// The rules' decision for a word: `B` starts a phrase, `J` joins by the chain rules, `M`
/// joins by one of our merge rules.
pub(crate) type RuleDecision = char;

/// Where features go: strings while training (readable model files), 64-bit hashes while
/// analysing (no allocation per feature).
pub(crate) trait FeatureSink {
    fn add(&mut self, feature: std::fmt::Arguments<'_>);
}

impl FeatureSink for Vec<String> {
    fn add(&mut self, feature: std::fmt::Arguments<'_>) {
        self.push(feature.to_string());
    }
}

impl FeatureSink for Vec<u64> {
    fn add(&mut self, feature: std::fmt::Arguments<'_>) {
        let mut h = Fnv::new();
        // Writing into a hasher cannot fail.
        let _ = std::fmt::Write::write_fmt(&mut h, feature);
        self.push(h.0);
    }
}

/// FNV-1a over a feature's text: stable across Rust versions and platforms, unlike std's
/// hasher, so a model file's features hash the same everywhere.
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub(crate) fn of(s: &str) -> u64 {
        let mut h = Fnv::new();
        let _ = std::fmt::Write::write_str(&mut h, s);
        h.0
    }
}

impl std::fmt::Write for Fnv {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        for b in s.bytes() {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        Ok(())
    }
}

macro_rules! feat {
    ($sink:expr, $($arg:tt)*) => {
        $sink.add(format_args!($($arg)*))
    };
}

/// Features of "word `j` starts a phrase" (its previous word in the breath group is `p`).
pub(crate) fn boundary_features(
    f: &mut impl FeatureSink,
    nodes: &[NodeInfo],
    words: &[usize],
    at: usize,
    rule: RuleDecision,
    rule_len: (usize, usize),
    history: History,
) {
    let since = history.moras;
    let (left, right) = rule_len;
    let rule_len = left + right;
    let j = &nodes[words[at]];
    let p = &nodes[words[at - 1]];
    let pp = at.checked_sub(2).map(|k| &nodes[words[k]]);
    let n = words.get(at + 1).map(|&k| &nodes[k]);
    fn ctx(o: Option<&NodeInfo>) -> &str {
        o.map_or("^", |x| x.pos01.as_str())
    }
    let (pw, jw) = (p.word(), j.word());
    let (p01, j01) = (&p.pos01, &j.pos01);
    feat!(f, "r={rule}");
    feat!(f, "r={rule}|{p01}|{j01}");
    feat!(f, "pj={}|{}", p.pos_full, j.pos_full);
    feat!(f, "r={rule}|pw={pw}|jw={jw}");
    feat!(f, "ps={}|j={j01}", p.surface);
    feat!(f, "p={p01}|js={}", j.surface);
    feat!(f, "ps={}|js={}", p.surface, j.surface);
    feat!(f, "r={rule}|js={}", j.surface);
    feat!(f, "r={rule}|ps={}", p.surface);
    feat!(f, "pc={}|{}|{j01}", p.ctype, p.cform);
    feat!(f, "jcr={}|{p01}", j.chain_rule);
    feat!(f, "pm={}|jm={}", p.moras().min(6), j.moras().min(6));
    feat!(f, "r={rule}|len={}", rule_len.min(12));
    feat!(f, "r={rule}|jw={jw}|len={}", rule_len.min(12) / 3);
    feat!(f, "pp={}|p={p01}|j={j01}", ctx(pp));
    feat!(f, "p={p01}|j={j01}|n={}", ctx(n));
    feat!(f, "jw={jw}|nw={}", n.map_or("$", |x| x.word()));
    feat!(f, "acc={}|{}|{j01}", p.accent.min(1), j.accent.min(1));
    feat!(f, "end={}|{jw}", n.is_none());
    feat!(f, "r={rule}|left={}|right={}", left.min(8), right.min(8));
    feat!(
        f,
        "jw={jw}|left={}|right={}",
        left.min(8) / 2,
        right.min(8) / 2
    );
    feat!(f, "pw={pw}|jw={jw}|left={}", left.min(9) / 3);
    feat!(f, "r={rule}|since={}|right={}", since.min(10), right.min(8));
    feat!(f, "jw={jw}|since={}", since.min(12) / 2);
    feat!(f, "lacc={}|jacc={}|{j01}", history.accented, j.accent > 0);
}

/// Features of "the phrase made of the word nodes `phrase` falls after mora `k`" (0 = no
/// fall). `rule` is the rules' nucleus as a candidate (their odaka counts as 0).
pub(crate) fn nucleus_features(
    f: &mut impl FeatureSink,
    nodes: &[NodeInfo],
    phrase: &[usize],
    k: usize,
    rule: usize,
) {
    let first = &nodes[phrase[0]];
    let last = &nodes[phrase[phrase.len() - 1]];
    let n: usize = phrase.iter().map(|&i| nodes[i].moras()).sum();
    let eq = k == rule;
    let f01 = &first.pos01;
    feat!(f, "eq={eq}");
    feat!(f, "eq={eq}|f={f01}");
    feat!(f, "eq={eq}|fs={}", first.surface);
    feat!(f, "eq={eq}|l={}", last.word());
    feat!(f, "eq={eq}|n={}|w={}", n.min(10), phrase.len().min(5));
    feat!(f, "eq={eq}|r0={}|f={f01}", rule == 0);
    if k == 0 || rule == 0 {
        feat!(f, "k0={}|r0={}|f={f01}", k == 0, rule == 0);
        feat!(f, "k0={}|r0={}|l={}", k == 0, rule == 0, last.word());
    } else {
        let d = (k as i64 - rule as i64).clamp(-3, 3);
        feat!(f, "d={d}");
        feat!(f, "d={d}|f={f01}");
    }
    if k == 0 {
        feat!(f, "flat|fs={}", first.surface);
        feat!(f, "flat|fs={}|l={}", first.surface, last.word());
        feat!(f, "flat|n={}|f={f01}", n.min(10));
        return;
    }
    // The word holding mora k, and k's place in it.
    let mut start = 0;
    let mut holder = 0;
    for (w, &i) in phrase.iter().enumerate() {
        if k <= start + nodes[i].moras() {
            holder = w;
            break;
        }
        start += nodes[i].moras();
    }
    let node = &nodes[phrase[holder]];
    let o = k - start;
    let at_own = node.accent == o;
    let kind = node.kinds.get(o - 1).copied().unwrap_or('n');
    let next_kind = mora_kind(nodes, phrase, k).unwrap_or('$');
    let (w, np) = (holder.min(3), &node.pos01);
    feat!(f, "w={w}|own={at_own}");
    feat!(f, "w={w}|own={at_own}|p={np}");
    feat!(f, "ws={}|o={o}", node.surface);
    feat!(f, "ws={}|o={o}|m={}", node.surface, node.moras());
    feat!(f, "wend={}|p={np}", o == node.moras());
    feat!(f, "kk={kind}{next_kind}");
    feat!(f, "rest={}|l={}", (n - k).min(4), last.word());
    feat!(f, "wacc={}|o={}|own={at_own}", node.accent.min(4), o.min(4));
    feat!(f, "w={w}|f={f01}|p={np}");
    let next = phrase.get(holder + 1).map_or("$", |&i| nodes[i].word());
    feat!(f, "ws={}|o={o}|next={next}", node.surface);
    // Where k falls relative to each word (its own nucleus, its end).
    let mut begin = 0;
    for (w, &i) in phrase.iter().enumerate().take(4) {
        let word = &nodes[i];
        let rel = (k as i64 - begin as i64).clamp(-2, word.moras() as i64 + 1);
        feat!(f, "rel{w}={rel}|s={}|acc={}", word.surface, word.accent);
        feat!(f, "rel{w}={rel}|r={}", word.reading);
        feat!(
            f,
            "rel{w}={rel}|p={}|acc={}",
            word.pos01,
            word.accent.min(5)
        );
        begin += word.moras();
    }
}

/// The kind of the mora after mora `k` (1-based) in the phrase, if any.
fn mora_kind(nodes: &[NodeInfo], phrase: &[usize], k: usize) -> Option<char> {
    phrase
        .iter()
        .flat_map(|&i| nodes[i].kinds.iter().copied())
        .nth(k)
}

/// Runs inside `rules::preprocess`: may revise the rules' phrase starts and nuclei.
pub(crate) trait AccentHook {
    /// `starts[i]`: node `i` starts a phrase (only word nodes matter). `rules[i]` says how the
    /// rules decided.
    fn boundaries(&mut self, nodes: &[NodeInfo], rules: &[RuleDecision], starts: &mut [bool]);
    /// Each phrase's word nodes and accent (the rules' after the accent combination).
    fn nuclei(&mut self, nodes: &[NodeInfo], phrases: &mut [Phrase]);
}

/// A phrase as the nucleus step sees it.
#[derive(Debug, Clone)]
pub(crate) struct Phrase {
    pub(crate) words: Vec<usize>,
    pub(crate) accent: usize,
}

impl Phrase {
    pub(crate) fn moras(&self, nodes: &[NodeInfo]) -> usize {
        self.words.iter().map(|&i| nodes[i].moras()).sum()
    }
}

/// Word nodes grouped by breath group (punctuation between them).
pub(crate) fn breath_groups(nodes: &[NodeInfo]) -> Vec<Vec<usize>> {
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

/// Where each word sits in the rules' phrase: (moras before it, moras from it to the end).
pub(crate) fn rule_phrase_lengths(
    nodes: &[NodeInfo],
    group: &[usize],
    starts: &[bool],
) -> Vec<(usize, usize)> {
    let mut lens = vec![(0, 0); group.len()];
    let mut begin = 0;
    for at in 1..=group.len() {
        if at == group.len() || starts[group[at]] {
            let total: usize = group[begin..at].iter().map(|&i| nodes[i].moras()).sum();
            let mut before = 0;
            for (k, l) in lens[begin..at].iter_mut().enumerate() {
                *l = (before, total - before);
                before += nodes[group[begin + k]].moras();
            }
            begin = at;
        }
    }
    lens
}

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
pub(crate) struct Learned<'a> {
    pub(crate) model: &'a AccentModel,
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

/// The first index of the highest score: training and analysis break ties the same way.
pub(crate) fn argmax(scores: impl Iterator<Item = f32>) -> usize {
    let mut best = (0, f32::NEG_INFINITY);
    for (i, s) in scores.enumerate() {
        if s > best.1 {
            best = (i, s);
        }
    }
    best.0
}

/// Leaves the rules' result as it is.
pub(crate) struct RulesOnly;

impl AccentHook for RulesOnly {
    fn boundaries(&mut self, _: &[NodeInfo], _: &[RuleDecision], _: &mut [bool]) {}
    fn nuclei(&mut self, _: &[NodeInfo], _: &mut [Phrase]) {}
}
