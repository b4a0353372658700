//! The model file: two tables of feature weights, read from and written as plain text.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

use super::features::Fnv;

/// The model trained on the whole development set by `train-accent` (see the README).
const BUILTIN_MODEL: &str = include_str!("../../../data/accent-model.tsv");

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

    pub(crate) fn len(&self) -> usize {
        self.named.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
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

    /// A model from its two tables of (feature, weight); the training tool makes them.
    pub fn from_weights(boundary: Vec<(String, f32)>, nucleus: Vec<(String, f32)>) -> AccentModel {
        AccentModel {
            boundary: Weights::from_named(boundary),
            nucleus: Weights::from_named(nucleus),
        }
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
