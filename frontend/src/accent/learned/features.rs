//! The learned models' features: what a word boundary or a candidate nucleus looks like,
//! as text (training) or as hashes (analysis). Training and analysis call the same functions,
//! so a model's features mean the same thing in both.

use super::super::hook::{NodeInfo, RuleDecision};

/// The phrase so far, as decided (predicted while analysing, labelled while training).
#[derive(Debug, Clone, Copy)]
pub struct History {
    moras: usize,
    /// A content word with its own fall is in it already (a second one would need a new phrase).
    accented: bool,
}

impl History {
    /// The history after the breath group's first word.
    pub fn start(first: &NodeInfo) -> History {
        let mut h = History {
            moras: 0,
            accented: false,
        };
        h.advance(first, true);
        h
    }

    /// Moves past `word`; `starts`: it begins a new phrase.
    pub fn advance(&mut self, word: &NodeInfo, starts: bool) {
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

/// Where features go: strings while training (readable model files), 64-bit hashes while
/// analysing (no allocation per feature).
pub trait FeatureSink {
    /// Adds one feature.
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
pub fn boundary_features(
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
pub fn nucleus_features(
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
    // A conjugated word's fall moves with its form (考え'た but 考える'), and the form of the
    // phrase's last word decides what a fall near the end means.
    let (acc, m) = (node.accent.min(4), node.moras().min(6));
    feat!(
        f,
        "hc={}|{}|{np}|o={o}|acc={acc}|m={m}",
        node.ctype,
        node.cform
    );
    feat!(
        f,
        "lc={}|{}|rest={}",
        last.cform,
        last.word(),
        (n - k).min(4)
    );
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

/// Where each word sits in the rules' phrase: (moras before it, moras from it to the end).
pub fn rule_phrase_lengths(
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

/// The first index of the highest score: training and analysis break ties the same way.
pub fn argmax(scores: impl Iterator<Item = f32>) -> usize {
    let mut best = (0, f32::NEG_INFINITY);
    for (i, s) in scores.enumerate() {
        if s > best.1 {
            best = (i, s);
        }
    }
    best.0
}
