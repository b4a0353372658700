//! One model call, ready to decode: frames with the accent imposed on F0, where silence goes
//! at pauses, which frames hold sound, and how frames map to mora and phoneme times.

use std::ops::Range;

use yomiage_frontend::{AccentPhrase, Phoneme};
use yomiage_vocoder::{AcousticFrames, SAMPLES_PER_FRAME, SAMPLE_RATE};

use super::shaper::PcmShaper;
use crate::audio::seconds_to_samples;
use crate::kokoro::plan::MoraFrames;
use crate::timeline::{MoraTiming, PhonemeTiming, Timeline, Viseme};

/// Samples quieter than this (−40 dBFS) at a chunk's edges count as silence.
const SILENCE_THRESHOLD: f32 = 0.01;
/// Kept around the first and last loud sample so onsets and releases are not clipped.
pub(super) const EDGE_MARGIN: f32 = 0.04;
/// The decoder sounds a phoneme about a token before its duration span (shared/notes/model.md).
const SOUND_LEAD: f64 = 0.025;
/// Fade into and out of silence inserted at a pause.
pub(super) const PAUSE_FADE: f32 = 0.01;
/// Frames kept around the first and last mora when streaming: the decoder sounds a phoneme
/// about a token early, and the trimming margin needs room.
pub(super) const EDGE_FRAMES: usize = 4;

pub(crate) struct PreparedChunk {
    pub phrases: Vec<AccentPhrase>,
    pub frames: AcousticFrames,
    pub style: Vec<f32>,
    /// (position in the decoder's samples, samples of silence) at pauses.
    pub inserts: Vec<(usize, usize)>,
    pub mora_frames: Vec<Vec<MoraFrames>>,
    pub pause_frames: Vec<Option<Range<usize>>>,
    /// Frames that hold sound (the streaming path decodes only these).
    pub sound: Range<usize>,
}

impl PreparedChunk {
    pub fn shaper(&self, origin: usize) -> PcmShaper {
        PcmShaper::new(
            origin,
            &self.inserts,
            seconds_to_samples(PAUSE_FADE),
            SILENCE_THRESHOLD,
            seconds_to_samples(EDGE_MARGIN),
        )
    }

    /// Share of the frames that belong to moras (the rest is pad, punctuation and pause): what
    /// the generator's statistics depend on most (see `kokoro::norm`).
    pub fn speech_share(&self) -> f64 {
        let n = self.frames.frames().max(1);
        let mut covered = vec![false; n];
        for r in self.mora_frames.iter().flatten().filter_map(|m| m.whole()) {
            for c in covered.iter_mut().take(r.end.min(n)).skip(r.start) {
                *c = true;
            }
        }
        covered.iter().filter(|&&c| c).count() as f64 / n as f64
    }

    /// Samples up to the end of the sound, silences included (the streaming timeline's limit).
    pub fn spliced_len(&self) -> usize {
        self.sound.end * SAMPLES_PER_FRAME + self.inserts.iter().map(|&(_, n)| n).sum::<usize>()
    }

    /// Timings relative to the sample `trimmed` (in spliced coordinates), clamped to `audible`
    /// samples after it.
    pub fn timeline(&self, trimmed: usize, audible: usize) -> Timeline {
        chunk_timeline(
            &self.phrases,
            &self.mora_frames,
            &self.pause_frames,
            trimmed,
            audible as f64 / SAMPLE_RATE as f64,
            &self.inserts,
        )
    }
}

/// The frames that hold sound: between the first and the last mora, with a margin. The pad
/// and final-punctuation tokens around them render as silence that is trimmed anyway.
pub(super) fn sound_frames(mora_frames: &[Vec<MoraFrames>], frames: usize) -> Range<usize> {
    let moras = mora_frames.iter().flatten().filter_map(|f| f.whole());
    let (first, last) = moras.fold((usize::MAX, 0), |(a, b), r| (a.min(r.start), b.max(r.end)));
    if first == usize::MAX {
        0..frames
    } else {
        first.saturating_sub(EDGE_FRAMES)..(last + EDGE_FRAMES).min(frames)
    }
}

/// Mora and phoneme times of one chunk, relative to its first kept sample.
fn chunk_timeline(
    phrases: &[AccentPhrase],
    mora_frames: &[Vec<MoraFrames>],
    pause_frames: &[Option<Range<usize>>],
    trimmed: usize,
    audible: f64,
    inserts: &[(usize, usize)],
) -> Timeline {
    let secs = |frame: usize| {
        let at = frame * SAMPLES_PER_FRAME;
        let inserted: usize = inserts
            .iter()
            .filter(|&&(pos, _)| pos <= at)
            .map(|&(_, n)| n)
            .sum();
        let t = (at + inserted) as f64 / SAMPLE_RATE as f64
            - trimmed as f64 / SAMPLE_RATE as f64
            - SOUND_LEAD;
        t.clamp(0.0, audible)
    };
    let mut timeline = Timeline::default();
    for (p, (phrase, frames)) in phrases.iter().zip(mora_frames).enumerate() {
        for (k, (mora, f)) in phrase.moras.iter().zip(frames).enumerate() {
            let Some(whole) = f.whole() else { continue };
            let vowel_viseme = Viseme::of_vowel(mora.vowel);
            timeline.moras.push(MoraTiming {
                phrase: p,
                mora: k,
                text: mora.text.clone(),
                start: secs(whole.start),
                end: secs(whole.end),
                viseme: vowel_viseme,
            });
            if let (Some(c), Some(consonant)) = (&f.consonant, mora.consonant) {
                timeline.phonemes.push(PhonemeTiming {
                    phoneme: consonant.into(),
                    start: secs(c.start),
                    end: secs(c.end),
                    viseme: Viseme::of_consonant(consonant, mora.vowel),
                });
            }
            if let Some(v) = &f.vowel {
                timeline.phonemes.push(PhonemeTiming {
                    phoneme: mora.vowel.into(),
                    start: secs(v.start),
                    end: secs(v.end),
                    viseme: vowel_viseme,
                });
            }
        }
        if let Some(Some(r)) = pause_frames.get(p) {
            timeline.phonemes.push(PhonemeTiming {
                phoneme: Phoneme::PAU,
                start: secs(r.start),
                end: secs(r.end),
                viseme: Viseme::Closed,
            });
        }
    }
    timeline
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insert_silences(pcm: Vec<f32>, inserts: &[(usize, usize)]) -> Vec<f32> {
        // a threshold below zero keeps every sample: splicing only
        let mut s = PcmShaper::new(0, inserts, seconds_to_samples(PAUSE_FADE), -1.0, 0);
        let mut out = s.push(&pcm);
        out.extend(s.finish());
        out
    }

    #[test]
    fn silences_go_where_asked_and_fade_in_and_out() {
        let pcm = vec![1.0f32; 10_000];
        let out = insert_silences(pcm, &[(4_000, 2_400), (8_000, 1_200)]);
        assert_eq!(out.len(), 10_000 + 2_400 + 1_200);
        assert!(out[4_000..6_400].iter().all(|&s| s == 0.0));
        assert!(out[10_400..11_600].iter().all(|&s| s == 0.0));
        // Untouched away from the cuts, and no jump anywhere larger than a fade step.
        assert_eq!(out[1_000], 1.0);
        assert_eq!(out[7_500], 1.0);
        let fade = seconds_to_samples(PAUSE_FADE) as f32;
        let max_step = out
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max);
        assert!(max_step < 4.0 / fade, "step {max_step}");
        assert_eq!(insert_silences(vec![0.5; 10], &[]), vec![0.5; 10]);
    }
}
