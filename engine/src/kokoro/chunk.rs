//! Cutting accent phrases into model calls: the voice model takes at most 510 tokens, so long
//! input is cut — preferably after a pause, else between phrases, and only as a last resort
//! inside a phrase. Nothing is ever dropped, and every piece remembers where it came from.

use yomiage_frontend::AccentPhrase;

use super::phonemes::to_phonemes;

/// Phrases for one model call. `origin[i]` is (index of the input phrase, mora offset in it)
/// of `phrases[i]`; the offset is non-zero only for pieces of a phrase that was cut.
#[derive(Debug, Clone)]
pub struct Chunk {
    pub phrases: Vec<AccentPhrase>,
    pub origin: Vec<(usize, usize)>,
}

fn cost(ps: &[AccentPhrase]) -> usize {
    to_phonemes(ps).len()
}

pub fn chunk_phrases(phrases: &[AccentPhrase], limit: usize) -> Vec<Chunk> {
    let mut pieces: Vec<(AccentPhrase, (usize, usize))> = Vec::new();
    for (i, p) in phrases.iter().enumerate() {
        if cost(std::slice::from_ref(p)) <= limit {
            pieces.push((p.clone(), (i, 0)));
        } else {
            let mut offset = 0;
            for piece in split_phrase(p, limit) {
                let n = piece.moras.len();
                pieces.push((piece, (i, offset)));
                offset += n;
            }
        }
    }
    let mut out: Vec<Chunk> = Vec::new();
    let mut cur: Vec<(AccentPhrase, (usize, usize))> = Vec::new();
    let cur_cost = |c: &[(AccentPhrase, (usize, usize))]| {
        let ps: Vec<AccentPhrase> = c.iter().map(|(p, _)| p.clone()).collect();
        cost(&ps)
    };
    let flush = |out: &mut Vec<Chunk>, c: Vec<(AccentPhrase, (usize, usize))>| {
        if !c.is_empty() {
            let (phrases, origin) = c.into_iter().unzip();
            out.push(Chunk { phrases, origin });
        }
    };
    for piece in pieces {
        cur.push(piece);
        if cur.len() > 1 && cur_cost(&cur) > limit {
            let last = cur.split_off(cur.len() - 1);
            // Prefer to cut after the last phrase that ends in a pause.
            let cut = cur
                .iter()
                .rposition(|(q, _)| q.pause_mora.is_some())
                .map_or(cur.len(), |i| i + 1);
            let rest = cur.split_off(cut);
            flush(&mut out, std::mem::take(&mut cur));
            cur = rest;
            cur.extend(last);
            while cur.len() > 1 && cur_cost(&cur) > limit {
                let tail = cur.split_off(cur.len() - 1);
                flush(&mut out, std::mem::replace(&mut cur, tail));
            }
        }
    }
    flush(&mut out, cur);
    out
}

/// Cuts one over-long phrase between moras; the nucleus stays in the piece that holds it.
fn split_phrase(p: &AccentPhrase, limit: usize) -> Vec<AccentPhrase> {
    let empty = || AccentPhrase {
        moras: Vec::new(),
        accent: 0,
        pause_mora: None,
        is_interrogative: false,
    };
    let mut out = Vec::new();
    let mut cur = empty();
    for m in &p.moras {
        cur.moras.push(m.clone());
        if cur.moras.len() > 1 && cost(std::slice::from_ref(&cur)) > limit {
            let last = cur.moras.pop().into_iter().collect();
            out.push(std::mem::replace(
                &mut cur,
                AccentPhrase {
                    moras: last,
                    ..empty()
                },
            ));
        }
    }
    cur.pause_mora = p.pause_mora.clone();
    cur.is_interrogative = p.is_interrogative;
    out.push(cur);
    let mut offset = 0;
    for piece in &mut out {
        let n = piece.moras.len();
        if p.accent > offset && p.accent <= offset + n {
            piece.accent = p.accent - offset;
        }
        offset += n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use yomiage_frontend::{Consonant, Mora, Vowel};

    fn phrase(n: usize, pause: bool) -> AccentPhrase {
        AccentPhrase {
            moras: (0..n)
                .map(|_| Mora::new("カ", Some(Consonant::K), Vowel::A))
                .collect(),
            accent: 1,
            pause_mora: pause.then(Mora::pause),
            is_interrogative: false,
        }
    }

    fn moras(chunks: &[Chunk]) -> usize {
        chunks
            .iter()
            .flat_map(|c| &c.phrases)
            .map(|p| p.moras.len())
            .sum()
    }

    #[test]
    fn short_input_is_one_chunk_with_identity_origin() {
        let ps = vec![phrase(3, false), phrase(4, true), phrase(2, false)];
        let chunks = chunk_phrases(&ps, 510);
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].origin, [(0, 0), (1, 0), (2, 0)]);
    }

    #[test]
    fn long_input_is_cut_within_the_limit_at_pauses_without_losing_moras() {
        let ps: Vec<_> = (0..200).map(|i| phrase(5, i % 7 == 6)).collect();
        let chunks = chunk_phrases(&ps, 510);
        assert!(chunks.len() > 1);
        for c in &chunks {
            assert!(to_phonemes(&c.phrases).len() <= 510);
        }
        assert_eq!(moras(&chunks), 1000);
        assert!(chunks[..chunks.len() - 1]
            .iter()
            .all(|c| c.phrases.last().is_some_and(|p| p.pause_mora.is_some())));
        let origins: Vec<usize> = chunks
            .iter()
            .flat_map(|c| c.origin.iter().map(|o| o.0))
            .collect();
        assert_eq!(origins, (0..200).collect::<Vec<_>>());
    }

    #[test]
    fn one_huge_phrase_is_split_between_moras_with_offsets() {
        let ps = vec![phrase(600, true)];
        let chunks = chunk_phrases(&ps, 510);
        assert!(chunks.len() >= 3);
        assert_eq!(moras(&chunks), 600);
        let mut expected = 0;
        for c in &chunks {
            assert!(to_phonemes(&c.phrases).len() <= 510);
            for (p, &(orig, offset)) in c.phrases.iter().zip(&c.origin) {
                assert_eq!((orig, offset), (0, expected));
                expected += p.moras.len();
            }
        }
        assert_eq!(chunks[0].phrases[0].accent, 1);
        assert!(chunks.last().unwrap().phrases[0].pause_mora.is_some());
    }
}
