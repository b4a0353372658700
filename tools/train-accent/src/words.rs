//! The words of an analysis as the accent stage sees them (surface, part of speech, moras
//! after the reading stage), for measuring readings against labelled sentences
//! (`scripts/reading-errors.sh`).

use serde::Serialize;

use yomiage_frontend::accent::{AccentHook, NodeInfo, Phrase, RuleDecision};
use yomiage_frontend::{Frontend, FrontendError};

/// One word node that carries moras.
#[derive(Debug, Clone, Serialize)]
pub struct Word {
    pub surface: String,
    /// 品詞, 細分類1-3.
    pub pos: [String; 4],
    pub moras: Vec<String>,
}

/// The word nodes of `text`'s analysis, in order (punctuation left out).
pub fn words(frontend: &Frontend, text: &str) -> Result<Vec<Word>, FrontendError> {
    let mut rec = WordRecorder(Vec::new());
    frontend.analyze_with(text, &mut rec)?;
    Ok(rec.0)
}

struct WordRecorder(Vec<Word>);

impl AccentHook for WordRecorder {
    fn boundaries(&mut self, nodes: &[NodeInfo], _: &[RuleDecision], _: &mut [bool]) {
        self.0 = nodes
            .iter()
            .filter(|n| n.is_word())
            .map(|n| Word {
                surface: n.surface().to_owned(),
                pos: n.pos().clone(),
                moras: n.mora_texts().to_vec(),
            })
            .collect();
    }
    fn nuclei(&mut self, _: &[NodeInfo], _: &mut [Phrase]) {}
}
