//! Gold data: the accent development set, and the alignment of its moras with the frontend's.

use std::path::Path;

use serde::Deserialize;

use crate::fail;

#[derive(Debug, Deserialize)]
pub(crate) struct GoldSentence {
    pub(crate) id: String,
    pub(crate) text: String,
    pub(crate) phrases: Vec<GoldPhrase>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct GoldPhrase {
    pub(crate) moras: Vec<String>,
    pub(crate) hl: String,
}

pub(crate) fn load_gold(path: &Path, n: usize) -> Vec<GoldSentence> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        fail(format!(
            "cannot read the accent development set {}: {e}\n\
             (expected at ../shared/data/accent/dev.jsonl relative to the repository root)",
            path.display()
        ))
    });
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .take(n)
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| fail(format!("{}:{}: {e}", path.display(), i + 1)))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Alignment

/// For each gold mora, the index of the equal frontend mora it is aligned with (the frontend's
/// Levenshtein alignment; substituted moras do not count).
pub(crate) fn align(gold: &[&str], front: &[&str]) -> Vec<Option<usize>> {
    yomiage_frontend::accent::learned::align(gold, front)
        .into_iter()
        .enumerate()
        .map(|(i, j)| j.filter(|&j| gold[i] == front[j]))
        .collect()
}
