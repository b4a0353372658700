//! Streaming decode: the frame-rate front once per utterance, then the waveform generator on
//! overlapping chunks whose joins cannot be heard.
//!
//! What makes chunks join (measured, shared/notes/model.md and `cargo bench --bench stream`):
//! float weights, instance-norm statistics fixed per voice instead of taken over each chunk,
//! the sine source's phase carried across chunks ([`phase_before`]), and `context` frames of
//! overlap on both sides that are computed and thrown away.

use std::ops::{ControlFlow, Range};

use crate::{AcousticFrames, VocoderError, SAMPLES_PER_FRAME, SAMPLE_RATE};

/// Harmonics of the generator's sine source.
pub const HARMONICS: usize = 9;
/// Samples per F0 point (two points per frame).
const SAMPLES_PER_POINT: usize = SAMPLES_PER_FRAME / 2;

/// The two halves of a decoder that can stream.
pub trait StreamingDecoder {
    /// Frame-rate features for the whole utterance: channel-major `[channels][2·frames]`.
    fn front(&self, frames: &AcousticFrames, style: &[f32]) -> Result<Vec<f32>, VocoderError>;
    /// Samples for `f0.len()` points (300 each) of the front's output `x` (channel-major,
    /// `[channels][f0.len()]`), starting the sine source at `phase` (cycles per harmonic) and
    /// normalizing with the fixed statistics `stats`.
    fn generate(
        &self,
        x: &[f32],
        f0: &[f32],
        style: &[f32],
        phase: &[f32; HARMONICS],
        stats: &[f32],
    ) -> Result<Vec<f32>, VocoderError>;
}

/// How an utterance is cut: a small first chunk for a fast first sound, then chunks that grow
/// (by `growth`) up to `max` so the overlap costs little on long utterances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkSchedule {
    /// Frames in the first chunk (25 ms each).
    pub first: usize,
    /// Largest chunk, in frames.
    pub max: usize,
    /// Each chunk is this many times the one before (until `max`). Every chunk computes
    /// `2 × context` frames it discards, so fewer, larger chunks cost less in all.
    pub growth: usize,
    /// Frames of overlap computed on each side of a chunk and discarded.
    pub context: usize,
    /// Frames computed and discarded before the first chunk, at most `context`. The streamed
    /// range starts in the silence before the first mora, where a cold start's edge transient
    /// needs less room than a join does, and these frames delay the first sound.
    pub lead: usize,
    /// Samples over which a chunk's start is cross-faded from the previous chunk's right
    /// context. An int8 generator renders the same instant with slightly different rounding
    /// in two chunks, so a hard cut would step; at most `context` frames.
    pub crossfade: usize,
}

impl Default for ChunkSchedule {
    /// Chosen by `cargo bench --bench stream` (README, *Streaming*).
    fn default() -> Self {
        ChunkSchedule {
            first: 4,
            max: 64,
            growth: 4,
            context: 5,
            lead: 2,
            crossfade: 240,
        }
    }
}

impl ChunkSchedule {
    /// The chunks (frame ranges, without context) covering `range`.
    pub fn chunks(&self, range: Range<usize>) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut size = self.first.max(1);
        let mut at = range.start;
        while at < range.end {
            let end = (at + size).min(range.end);
            out.push(at..end);
            at = end;
            size = (size * self.growth.max(2)).min(self.max.max(1));
        }
        out
    }
}

/// The sine source's phase (cycles, in [0, 1)) per harmonic after the first `points` F0
/// points: the decoder accumulates frac(F0·h / sample rate) once per point (shared/notes/model.md).
pub fn phase_before(f0: &[f32], points: usize) -> [f32; HARMONICS] {
    let mut acc = [0f64; HARMONICS];
    for &f in &f0[..points.min(f0.len())] {
        for (h, a) in acc.iter_mut().enumerate() {
            let step = f64::from(f) * (h + 1) as f64 / f64::from(SAMPLE_RATE);
            *a = (*a + (step - step.floor())) % 1.0;
        }
    }
    acc.map(|a| a as f32)
}

/// Decodes `range` (frames) of an utterance chunk by chunk, giving each chunk's samples to
/// `sink` as soon as it is ready. `sink` may stop the work by returning `Break`.
/// Returns whether it ran to the end.
pub fn stream<D: StreamingDecoder>(
    decoder: &D,
    frames: &AcousticFrames,
    style: &[f32],
    stats: &[f32],
    schedule: &ChunkSchedule,
    range: Range<usize>,
    mut sink: impl FnMut(&[f32]) -> ControlFlow<()>,
) -> Result<bool, VocoderError> {
    let n = frames.frames();
    let range = range.start.min(n)..range.end.min(n);
    if range.is_empty() {
        return Ok(true);
    }
    let x = decoder.front(frames, style)?;
    let points = 2 * n;
    if x.is_empty() || x.len() % points != 0 {
        return Err(VocoderError::Shape(format!(
            "front returned {} values for {points} points",
            x.len()
        )));
    }
    let channels = x.len() / points;
    let f0 = frames.f0();
    let fade = schedule.crossfade.min(schedule.context * SAMPLES_PER_FRAME);
    // The previous chunk's samples just past its end (from its right context).
    let mut tail: Vec<f32> = Vec::new();
    for (i, chunk) in schedule.chunks(range.clone()).into_iter().enumerate() {
        // Context may reach before `range`: a cold start makes an edge transient, which must
        // fall in the discarded part.
        let before = if i == 0 {
            schedule.lead.min(schedule.context)
        } else {
            schedule.context
        };
        let lo = chunk.start.saturating_sub(before);
        let hi = (chunk.end + schedule.context).min(n);
        let (p0, p1) = (2 * lo, 2 * hi);
        let mut xs = Vec::with_capacity(channels * (p1 - p0));
        for c in 0..channels {
            xs.extend_from_slice(&x[c * points + p0..c * points + p1]);
        }
        let phase = phase_before(f0, p0);
        let pcm = decoder.generate(&xs, &f0[p0..p1], style, &phase, stats)?;
        let want = (p1 - p0) * SAMPLES_PER_POINT;
        if pcm.len() != want {
            return Err(VocoderError::Shape(format!(
                "generator returned {} samples for {} points (expected {want})",
                pcm.len(),
                p1 - p0
            )));
        }
        let keep = (chunk.start - lo) * SAMPLES_PER_FRAME..(chunk.end - lo) * SAMPLES_PER_FRAME;
        let mut out = pcm[keep.clone()].to_vec();
        let n = tail.len().min(out.len());
        for (i, (o, t)) in out.iter_mut().zip(&tail).take(n).enumerate() {
            let w = 0.5 - 0.5 * (std::f32::consts::PI * (i as f32 + 0.5) / n as f32).cos();
            *o = t * (1.0 - w) + *o * w;
        }
        tail = pcm[keep.end..(keep.end + fade).min(pcm.len())].to_vec();
        if sink(&out).is_break() {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ASR_DIM;

    /// A stand-in decoder whose output is a pure function of absolute time, the F0 and the
    /// phase: chunked output equals whole output exactly iff the driver slices, phases and
    /// stitches correctly.
    struct Sines;
    impl StreamingDecoder for Sines {
        fn front(&self, f: &AcousticFrames, _: &[f32]) -> Result<Vec<f32>, VocoderError> {
            // two channels: the point index and its square root
            let p = 2 * f.frames();
            Ok((0..p)
                .map(|i| i as f32)
                .chain((0..p).map(|i| (i as f32).sqrt()))
                .collect())
        }
        fn generate(
            &self,
            x: &[f32],
            f0: &[f32],
            _: &[f32],
            phase: &[f32; HARMONICS],
            stats: &[f32],
        ) -> Result<Vec<f32>, VocoderError> {
            let mut out = Vec::new();
            let mut cyc = f64::from(phase[0]);
            for (k, &f) in f0.iter().enumerate() {
                let step = f64::from(f) / f64::from(SAMPLE_RATE);
                cyc += step - step.floor();
                for s in 0..SAMPLES_PER_POINT {
                    let local = cyc + step * s as f64 / SAMPLES_PER_POINT as f64;
                    out.push(
                        (local * std::f64::consts::TAU).sin() as f32 * 0.5 + x[k] * 1e-4 + stats[0],
                    );
                }
            }
            Ok(out)
        }
    }

    fn frames(n: usize) -> AcousticFrames {
        let f0 = (0..2 * n).map(|i| 180.0 + (i % 37) as f32 * 3.3).collect();
        AcousticFrames::new(n, vec![0.0; ASR_DIM * n], f0, vec![1.0; 2 * n]).unwrap()
    }

    fn collect(f: &AcousticFrames, schedule: ChunkSchedule, range: Range<usize>) -> Vec<f32> {
        let mut out = Vec::new();
        let done = stream(&Sines, f, &[], &[0.01], &schedule, range, |pcm| {
            out.extend_from_slice(pcm);
            ControlFlow::Continue(())
        })
        .unwrap();
        assert!(done);
        out
    }

    #[test]
    fn chunks_cover_the_range_growing_to_the_maximum() {
        let s = ChunkSchedule {
            first: 4,
            max: 16,
            growth: 2,
            context: 2,
            lead: 2,
            crossfade: 0,
        };
        let quadrupling = ChunkSchedule { growth: 4, ..s }.chunks(3..60);
        assert_eq!(quadrupling[..3], [3..7, 7..23, 23..39]);
        let c = s.chunks(3..60);
        assert_eq!(c[0], 3..7);
        assert_eq!(c[1], 7..15);
        assert_eq!(c[2], 15..31);
        assert_eq!(c[3], 31..47);
        assert_eq!(c.last().unwrap().end, 60);
        assert!(c.windows(2).all(|w| w[0].end == w[1].start));
        assert!(s.chunks(5..5).is_empty());
    }

    #[test]
    fn chunked_output_equals_the_whole_decode() {
        let f = frames(97);
        let whole = collect(
            &f,
            ChunkSchedule {
                first: 1000,
                max: 1000,
                ..ChunkSchedule::default()
            },
            0..97,
        );
        assert_eq!(whole.len(), 97 * SAMPLES_PER_FRAME);
        for schedule in [
            ChunkSchedule {
                first: 1,
                max: 3,
                growth: 2,
                context: 0,
                lead: 0,
                crossfade: 0,
            },
            ChunkSchedule::default(),
            ChunkSchedule {
                first: 5,
                max: 40,
                growth: 2,
                context: 7,
                lead: 3,
                crossfade: 600,
            },
        ] {
            let chunked = collect(&f, schedule, 0..97);
            assert_eq!(chunked.len(), whole.len(), "{schedule:?}");
            let worst = whole
                .iter()
                .zip(&chunked)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(worst < 1e-4, "{schedule:?}: max difference {worst}");
        }
    }

    #[test]
    fn a_sub_range_gives_exactly_those_frames() {
        let f = frames(50);
        let whole = collect(
            &f,
            ChunkSchedule {
                first: 1000,
                max: 1000,
                ..ChunkSchedule::default()
            },
            0..50,
        );
        let part = collect(&f, ChunkSchedule::default(), 10..31);
        assert_eq!(part.len(), 21 * SAMPLES_PER_FRAME);
        let worst = whole[10 * SAMPLES_PER_FRAME..31 * SAMPLES_PER_FRAME]
            .iter()
            .zip(&part)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(worst < 1e-4, "{worst}");
    }

    #[test]
    fn the_sink_can_stop_the_stream_after_one_chunk() {
        let f = frames(200);
        let mut calls = 0;
        let done = stream(
            &Sines,
            &f,
            &[],
            &[0.0],
            &ChunkSchedule::default(),
            0..200,
            |_| {
                calls += 1;
                ControlFlow::Break(())
            },
        )
        .unwrap();
        assert!(!done);
        assert_eq!(calls, 1);
    }

    #[test]
    fn phase_wraps_and_accumulates_per_harmonic() {
        let f0 = vec![12_000.0f32; 3]; // half a cycle per point for h = 1
        let p = phase_before(&f0, 3);
        assert!((p[0] - 0.5).abs() < 1e-6, "{p:?}");
        assert!(p[1].abs() < 1e-6 || (p[1] - 1.0).abs() < 1e-6, "{p:?}");
        assert_eq!(phase_before(&f0, 0), [0.0; HARMONICS]);
    }
}
