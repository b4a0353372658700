//! Parts of speech as the rules read them.

use jpreprocess_njd::NJDNode;

/// A node's part of speech as naist-jdic's four fields (品詞, 細分類1-3).
pub(super) struct Pos {
    pub(super) g: [String; 4],
}

impl Pos {
    pub(super) fn of(node: &NJDNode) -> Pos {
        let s = node.get_pos().to_string();
        let mut it = s.split(',').map(str::to_owned);
        let mut next = || it.next().unwrap_or_else(|| "*".to_owned());
        Pos {
            g: [next(), next(), next(), next()],
        }
    }
    pub(super) fn is(&self, pos: &str) -> bool {
        self.g[0] == pos
    }
    pub(super) fn is1(&self, pos: &str, g1: &str) -> bool {
        self.g[0] == pos && self.g[1] == g1
    }
    pub(super) fn g1(&self, g1: &str) -> bool {
        self.g[1] == g1
    }
}
