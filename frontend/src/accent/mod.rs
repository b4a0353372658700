//! Accent estimation: where accent phrases start and where their pitch falls.
//!
//! The rules ([`rules`], OpenJTalk's with ours) run inside jpreprocess's NJD pipeline and call
//! an [`AccentHook`] at two points; the learned corrector ([`learned`]) is such a hook, and
//! [`RulesOnly`] the hook that changes nothing. [`AccentEstimator`] chooses between them. The
//! types the hooks see ([`NodeInfo`], [`Phrase`], [`RuleDecision`]) live in `hook`, below both.
//!
//! The training tool (`tools/train-accent`) drives the same pipeline through
//! [`crate::Frontend::analyze_with`] with a recording hook, and builds its features with
//! [`learned::boundary_features`] and [`learned::nucleus_features`].

mod hook;
pub mod learned;
pub(crate) mod rules;

pub(crate) use hook::mora_text;
pub use hook::{breath_groups, AccentHook, NodeInfo, Phrase, RuleDecision, RulesOnly};
pub(crate) use rules::{preprocess, rises_before};

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

impl AccentEstimator {
    /// Runs `f` with this estimator's hook (the learned one with the shipped model).
    pub(crate) fn with_hook<R>(self, f: impl FnOnce(&mut dyn AccentHook) -> R) -> R {
        match self {
            AccentEstimator::Rules => f(&mut RulesOnly),
            AccentEstimator::Learned => {
                f(&mut learned::Learned::new(learned::AccentModel::builtin()))
            }
        }
    }
}
