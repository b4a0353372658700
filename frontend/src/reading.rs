//! The learned reading stage: after OpenJTalk's readings and our reading rules, and before the
//! accent, a word's reading can be replaced by the one the labelled speaker used in the same
//! context.
//!
//! The model is a decision list learned from the accent set's readings (`scripts/train-readings.py`):
//! each rule names a surface, the reading the pipeline gave it, an optional context (the word
//! before or after it) and the reading to use instead, with the dictionary accent of that
//! reading. Rules with a context are tried before the context-free one. A small readable table
//! rather than a statistical model because the evidence is lexical and sparse: a rule exists only
//! where the training sentences showed it at least twice and it was right almost every time.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use jpreprocess::NJD;
use jpreprocess_core::pronunciation::{MoraEnum, Pronunciation};

use crate::provenance::{ReadingSource, Sources};

const BUILTIN_MODEL: &str = include_str!("../data/reading-model.tsv");

/// Where a rule looks.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Context {
    /// The word before (`^` at the start of the text).
    Prev(String),
    /// The word after (`$` at the end).
    Next(String),
    /// The part of speech (品詞/細分類1) of the word before (`^/^` at the start).
    PrevPos(String),
    /// The part of speech of the word after (`$/$` at the end).
    NextPos(String),
    Any,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    context: Context,
    reading: String,
    /// The dictionary accent of the new reading; `None` keeps the word's.
    accent: Option<usize>,
}

/// A line of the model that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("reading model line {line}: {what}")]
pub struct ReadingModelError {
    line: usize,
    what: &'static str,
}

/// Reading rules keyed by (surface, the reading the pipeline gave). Empty: the stage does
/// nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadingModel {
    rules: HashMap<(String, String), Vec<Rule>>,
}

impl ReadingModel {
    /// The model shipped in the crate (`frontend/data/reading-model.tsv`); parsed once.
    pub fn builtin() -> Arc<ReadingModel> {
        static MODEL: OnceLock<Arc<ReadingModel>> = OnceLock::new();
        Arc::clone(
            MODEL.get_or_init(|| match ReadingModel::from_tsv(BUILTIN_MODEL) {
                Ok(m) => Arc::new(m),
                Err(e) => {
                    // Checked by a unit test; an empty model leaves the readings unchanged.
                    tracing::error!("built-in reading model unreadable: {e}");
                    Arc::new(ReadingModel::default())
                }
            }),
        )
    }

    /// Reads `surface ours context value reading accent` lines (tab-separated; context is
    /// `prev`, `next`, `prevpos`, `nextpos` or `any`; accent `-` keeps the word's); `#` starts a comment line.
    pub fn from_tsv(text: &str) -> Result<ReadingModel, ReadingModelError> {
        let mut rules: HashMap<(String, String), Vec<Rule>> = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |what| ReadingModelError { line: i + 1, what };
            let cols: Vec<&str> = line.split('\t').collect();
            let [surface, ours, context, value, reading, accent] = cols[..] else {
                return Err(err("expected 6 tab-separated columns"));
            };
            let context = match context {
                "prev" => Context::Prev(value.to_owned()),
                "next" => Context::Next(value.to_owned()),
                "prevpos" => Context::PrevPos(value.to_owned()),
                "nextpos" => Context::NextPos(value.to_owned()),
                "any" => Context::Any,
                _ => return Err(err("unknown context")),
            };
            let accent = match accent {
                "-" => None,
                a => Some(a.parse().map_err(|_| err("accent must be a number or -"))?),
            };
            if Pronunciation::parse(reading, 0).is_err() || reading.is_empty() {
                return Err(err("reading is not katakana"));
            }
            rules
                .entry((surface.to_owned(), ours.to_owned()))
                .or_default()
                .push(Rule {
                    context,
                    reading: reading.to_owned(),
                    accent,
                });
        }
        for list in rules.values_mut() {
            // Neighbouring words first, then their parts of speech, the context-free rule last.
            list.sort_by_key(|r| match r.context {
                Context::Prev(_) => 0,
                Context::Next(_) => 1,
                Context::PrevPos(_) => 2,
                Context::NextPos(_) => 3,
                Context::Any => 4,
            });
        }
        Ok(ReadingModel { rules })
    }

    /// How many rules it has.
    pub fn len(&self) -> usize {
        self.rules.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Replaces readings in `njd` where a rule matches, and records the rule as their source.
    /// Words of the user dictionary (`is_user`) keep theirs.
    pub(crate) fn apply(
        &self,
        njd: &mut NJD,
        is_user: &dyn Fn(&str, &str) -> bool,
        sources: &mut Sources,
    ) {
        if self.rules.is_empty() {
            return;
        }
        // Word nodes only: punctuation is not a neighbour, as in training.
        let words: Vec<usize> = (0..njd.nodes.len())
            .filter(|&i| {
                let pron = njd.nodes[i].get_pron();
                !pron.is_touten()
                    && !pron.is_question()
                    && pron
                        .moras()
                        .iter()
                        .any(|m| !matches!(m.mora_enum, MoraEnum::Touten | MoraEnum::Question))
            })
            .collect();
        let mut changes = Vec::new();
        for (k, &i) in words.iter().enumerate() {
            let node = &njd.nodes[i];
            let ours = node.get_pron().to_pure_string();
            let Some(list) = self
                .rules
                .get(&(node.get_string().to_owned(), ours.clone()))
            else {
                continue;
            };
            if is_user(node.get_string(), &ours) {
                continue;
            }
            let prev = k.checked_sub(1).map(|p| &njd.nodes[words[p]]);
            let next = words.get(k + 1).map(|&n| &njd.nodes[n]);
            let pos01 = |n: &jpreprocess_njd::NJDNode| {
                let pos = n.get_pos().to_string();
                let mut it = pos.split(',');
                format!("{}/{}", it.next().unwrap_or("*"), it.next().unwrap_or("*"))
            };
            let rule = list.iter().find(|r| match &r.context {
                Context::Prev(v) => v == prev.map_or("^", |n| n.get_string()),
                Context::Next(v) => v == next.map_or("$", |n| n.get_string()),
                Context::PrevPos(v) => *v == prev.map_or_else(|| "^/^".to_owned(), pos01),
                Context::NextPos(v) => *v == next.map_or_else(|| "$/$".to_owned(), pos01),
                Context::Any => true,
            });
            if let Some(rule) = rule {
                if rule.reading != ours {
                    changes.push((i, rule));
                }
            }
        }
        for (i, rule) in changes {
            let node = &mut njd.nodes[i];
            let accent = rule.accent.unwrap_or_else(|| node.get_pron().accent());
            if let Ok(pron) = Pronunciation::parse(&rule.reading, accent) {
                let moras = pron.mora_size();
                let mut pron = pron;
                if pron.accent() > moras {
                    pron.set_accent(moras);
                }
                node.set_pron(pron);
                sources.set(
                    i,
                    ReadingSource::LearnedRule {
                        context: rule.context.to_string(),
                    },
                );
            }
        }
    }
}

impl std::fmt::Display for Context {
    /// As `yomiage accent --explain` names it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Context::Prev(w) if w == "^" => f.write_str("at the start"),
            Context::Prev(w) => write!(f, "after {w}"),
            Context::Next(w) if w == "$" => f.write_str("at the end"),
            Context::Next(w) => write!(f, "before {w}"),
            Context::PrevPos(p) if p == "^/^" => f.write_str("at the start"),
            Context::PrevPos(p) => write!(f, "after a {p}"),
            Context::NextPos(p) if p == "$/$" => f.write_str("at the end"),
            Context::NextPos(p) => write!(f, "before a {p}"),
            Context::Any => f.write_str("any context"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_model_parses() {
        let m = ReadingModel::from_tsv(BUILTIN_MODEL).unwrap_or_else(|e| panic!("{e}"));
        assert!(!m.is_empty());
    }

    #[test]
    fn context_rules_come_before_the_default() {
        let m = ReadingModel::from_tsv(
            "# comment\n方\tホー\tany\t\tカタ\t2\n方\tホー\tprev\tこの\tホー\t-\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let list = &m.rules[&("方".to_owned(), "ホー".to_owned())];
        assert_eq!(list[0].context, Context::Prev("この".to_owned()));
        assert_eq!(list[1].accent, Some(2));
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn contexts_are_named_for_explain() {
        let names: Vec<String> = [
            Context::Prev("この".to_owned()),
            Context::Prev("^".to_owned()),
            Context::Next("に".to_owned()),
            Context::NextPos("$/$".to_owned()),
            Context::PrevPos("名詞/一般".to_owned()),
            Context::Any,
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(
            names,
            [
                "after この",
                "at the start",
                "before に",
                "at the end",
                "after a 名詞/一般",
                "any context"
            ]
        );
    }

    #[test]
    fn bad_lines_are_errors() {
        for bad in [
            "方\tホー\tany\t\tカタ",
            "方\tホー\tsomewhere\t\tカタ\t2",
            "方\tホー\tany\t\tカタ\tx",
        ] {
            assert!(ReadingModel::from_tsv(bad).is_err(), "{bad}");
        }
    }
}
