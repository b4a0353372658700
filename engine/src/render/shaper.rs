//! Shaping PCM as it arrives: the whole-utterance path cuts edge silence by looking at the
//! finished PCM and inserts silence at pauses; [`PcmShaper`] does the same on PCM that arrives
//! piece by piece, with the same result (the whole path runs through it too), holding back only
//! what it must: the fade before a pause and quiet samples that may turn out to be the trailing
//! silence.

use std::collections::VecDeque;

/// Inserts silence at given positions (with short fades) and trims the quiet edges, on PCM that
/// arrives in pieces. Positions are in the coordinates of the input, starting at `origin`.
pub(crate) struct PcmShaper {
    // splicing
    inserts: VecDeque<(usize, usize)>,
    fade: usize,
    pos: usize,
    held: Vec<f32>,
    segment_start_pos: usize,
    fade_in_left: usize,
    fade_in_len: usize,
    // trimming
    threshold: f32,
    margin: usize,
    spliced: usize,
    start: Option<usize>,
    before: VecDeque<f32>,
    quiet: Vec<f32>,
}

impl PcmShaper {
    pub fn new(
        origin: usize,
        inserts: &[(usize, usize)],
        fade: usize,
        threshold: f32,
        margin: usize,
    ) -> Self {
        PcmShaper {
            inserts: inserts
                .iter()
                .copied()
                .filter(|&(at, _)| at >= origin)
                .collect(),
            fade,
            pos: origin,
            held: Vec::new(),
            segment_start_pos: origin,
            fade_in_left: 0,
            fade_in_len: 0,
            threshold,
            margin,
            spliced: 0,
            start: None,
            before: VecDeque::new(),
            quiet: Vec::new(),
        }
    }

    /// Where the first kept sample lies in the spliced stream (counted from `origin`), once
    /// known.
    pub fn start(&self) -> Option<usize> {
        self.start
    }

    pub fn push(&mut self, pcm: &[f32]) -> Vec<f32> {
        let mut spliced = Vec::with_capacity(pcm.len());
        for &s in pcm {
            while let Some(&(at, n)) = self.inserts.front() {
                if at > self.pos {
                    break;
                }
                self.inserts.pop_front();
                // fade out what is held (at most `fade` samples of the current segment)
                let len = self.held.len();
                let fade_out = self.fade.min(len).min(self.pos - self.segment_start_pos);
                for (k, v) in self.held[len - fade_out..].iter_mut().enumerate() {
                    *v *= raised_cosine(fade_out - k, fade_out);
                }
                spliced.append(&mut self.held);
                spliced.resize(spliced.len() + n, 0.0);
                self.segment_start_pos = self.pos;
                self.fade_in_len = self.fade;
                self.fade_in_left = self.fade;
            }
            let mut v = s;
            if self.fade_in_left > 0 {
                let k = self.fade_in_len - self.fade_in_left;
                v *= raised_cosine(k, self.fade_in_len);
                self.fade_in_left -= 1;
            }
            self.held.push(v);
            self.pos += 1;
            if self.held.len() > self.fade {
                let extra = self.held.len() - self.fade;
                spliced.extend(self.held.drain(..extra));
            }
        }
        self.trim(&spliced)
    }

    /// The rest: held samples and the trailing margin.
    pub fn finish(&mut self) -> Vec<f32> {
        // an insert at the very end still adds its silence (as the whole path does)
        let mut spliced = std::mem::take(&mut self.held);
        while let Some((_, n)) = self.inserts.pop_front() {
            let len = spliced.len();
            let fade_out = self.fade.min(len).min(self.pos - self.segment_start_pos);
            for (k, v) in spliced[len - fade_out..].iter_mut().enumerate() {
                *v *= raised_cosine(fade_out - k, fade_out);
            }
            spliced.resize(spliced.len() + n, 0.0);
            self.segment_start_pos = self.pos;
        }
        let mut out = self.trim(&spliced);
        if self.start.is_some() {
            let keep = self.margin.min(self.quiet.len());
            out.extend_from_slice(&self.quiet[..keep]);
            self.quiet.clear();
        }
        out
    }

    fn trim(&mut self, spliced: &[f32]) -> Vec<f32> {
        let mut out = Vec::with_capacity(spliced.len());
        for &s in spliced {
            let loud = s.abs() > self.threshold;
            if self.start.is_none() {
                if loud {
                    self.start = Some(self.spliced - self.before.len());
                    out.extend(self.before.drain(..));
                    out.push(s);
                } else {
                    self.before.push_back(s);
                    if self.before.len() > self.margin {
                        self.before.pop_front();
                    }
                }
            } else if loud {
                out.append(&mut self.quiet);
                out.push(s);
            } else {
                self.quiet.push(s);
            }
            self.spliced += 1;
        }
        out
    }
}

/// 0 at `k = 0` rising to 1 at `k = n`.
pub(crate) fn raised_cosine(k: usize, n: usize) -> f32 {
    0.5 - 0.5 * (std::f32::consts::PI * k as f32 / n as f32).cos()
}

#[cfg(test)]
mod tests {
    use super::*;
    use yomiage_vocoder::voiced_span;

    fn shaped(pcm: &[f32], inserts: &[(usize, usize)], pieces: &[usize]) -> (Vec<f32>, usize) {
        let mut s = PcmShaper::new(0, inserts, 24, 0.01, 50);
        let mut out = Vec::new();
        let mut at = 0;
        for &p in pieces {
            let end = (at + p).min(pcm.len());
            out.extend(s.push(&pcm[at..end]));
            at = end;
        }
        out.extend(s.push(&pcm[at..]));
        out.extend(s.finish());
        (out, s.start().unwrap_or(0))
    }

    fn signal() -> Vec<f32> {
        (0..5000)
            .map(|i| {
                if (700..4100).contains(&i) {
                    ((i as f32) * 0.07).sin() * 0.5
                } else {
                    0.001
                }
            })
            .collect()
    }

    #[test]
    fn trimming_matches_the_whole_utterance_span() {
        let pcm = signal();
        let span = voiced_span(&pcm, 0.01, 50);
        let (whole, start) = shaped(&pcm, &[], &[]);
        assert_eq!(whole, pcm[span.clone()].to_vec());
        assert_eq!(start, span.start);
    }

    #[test]
    fn any_cut_into_pieces_gives_the_same_output() {
        let pcm = signal();
        let inserts = [(1500, 300), (2600, 100), (4050, 200)];
        let (whole, start) = shaped(&pcm, &inserts, &[]);
        assert_eq!(whole.len(), voiced_span(&pcm, 0.01, 50).len() + 600);
        for pieces in [
            vec![1; 3000],
            vec![599, 1, 7, 1000, 13],
            vec![1500, 1100, 1450],
        ] {
            let (out, s) = shaped(&pcm, &inserts, &pieces);
            assert_eq!(out, whole, "{pieces:?}");
            assert_eq!(s, start);
        }
    }

    #[test]
    fn inserted_silence_is_silent_and_faded_into() {
        let pcm = vec![0.5f32; 1000];
        let mut s = PcmShaper::new(0, &[(400, 200)], 20, 0.01, 0);
        let mut out = s.push(&pcm);
        out.extend(s.finish());
        assert_eq!(out.len(), 1200);
        assert!(out[400..600].iter().all(|&v| v == 0.0));
        assert!(out[399].abs() < 0.01 && out[600].abs() < 0.01);
        assert_eq!(out[300], 0.5);
        assert_eq!(out[700], 0.5);
    }
}
