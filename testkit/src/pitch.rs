//! An independent pitch measurement of rendered audio (pYIN, the `pyin` crate), read per mora
//! through the timeline that synthesis returned.

use pyin::{Framing, PYINExecutor, PadMode};

/// F0 track of 16-bit mono audio: (time s, F0 Hz or NaN when unvoiced), 5 ms hop.
pub fn f0_track(samples: &[i16], rate: u32) -> Vec<(f64, f64)> {
    let wav: Vec<f64> = samples.iter().map(|&s| s as f64 / 32768.0).collect();
    let hop = (rate / 200) as usize;
    let mut exec = PYINExecutor::new(70.0, 700.0, rate, 1024, None, Some(hop), None);
    let (times, f0, voiced, _) = exec.pyin(&wav, f64::NAN, Framing::Center(PadMode::Constant(0.0)));
    times
        .into_iter()
        .zip(f0)
        .zip(voiced)
        .map(|((t, f), v)| (t, if v { f } else { f64::NAN }))
        .collect()
}

/// Median F0 (Hz) of the voiced points within [start, end), if there are at least 3.
pub fn median_f0(track: &[(f64, f64)], start: f64, end: f64) -> Option<f64> {
    let mut v: Vec<f64> = track
        .iter()
        .filter(|(t, f)| *t >= start && *t < end && f.is_finite())
        .map(|&(_, f)| f)
        .collect();
    if v.len() < 3 {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

pub fn semitones(a: f64, b: f64) -> f64 {
    12.0 * (b / a).log2()
}

/// Median F0 of each mora's second half — where its vowel, and so its tone, is — for moras
/// given as (start, end) seconds.
pub fn mora_f0(track: &[(f64, f64)], moras: &[(f64, f64)]) -> Vec<Option<f64>> {
    moras
        .iter()
        .map(|&(s, e)| median_f0(track, (s + e) / 2.0, e))
        .collect()
}

/// Rise (+1), fall (−1) or level (0) between adjacent moras, with a 1-semitone dead band
/// (0 where either mora has no pitch).
pub fn tone_steps(f0: &[Option<f64>]) -> Vec<i32> {
    f0.windows(2)
        .map(|w| match (w[0], w[1]) {
            (Some(a), Some(b)) => {
                let st = semitones(a, b);
                if st > 1.0 {
                    1
                } else if st < -1.0 {
                    -1
                } else {
                    0
                }
            }
            _ => 0,
        })
        .collect()
}
