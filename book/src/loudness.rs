//! EBU R128 loudness (via the `ebur128` crate: integrated loudness, true peak with 4×
//! oversampling) and normalization: one gain to the target, then a look-ahead limiter for the
//! few peaks that would pass the true-peak ceiling.

use ebur128::{EbuR128, Mode};

use crate::{BookError, Result};

/// Loudness of a signal.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Measurement {
    /// Integrated loudness, LUFS (−inf for silence).
    pub integrated_lufs: f64,
    /// True peak, dBTP.
    pub true_peak_dbtp: f64,
}

fn db(x: f64) -> f64 {
    20.0 * x.max(1e-12).log10()
}

/// Measures mono `samples` at `rate` Hz.
pub fn measure(samples: &[f32], rate: u32) -> Result<Measurement> {
    let err = |e: ebur128::Error| BookError::Loudness(e.to_string());
    let mut m = EbuR128::new(1, rate, Mode::I | Mode::TRUE_PEAK).map_err(err)?;
    m.add_frames_f32(samples).map_err(err)?;
    Ok(Measurement {
        integrated_lufs: m.loudness_global().map_err(err)?,
        true_peak_dbtp: db(m.true_peak(0).map_err(err)?),
    })
}

/// What normalization did.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Normalized {
    /// Before normalization.
    pub source: Measurement,
    /// After (what the file holds, before any lossy encoding).
    pub result: Measurement,
    /// The gain applied before limiting, dB.
    pub gain_db: f64,
    /// Whether the limiter had to act.
    pub limited: bool,
}

/// Brings `samples` to `target_lufs` with true peaks at or below `ceiling_dbtp`. Silence is
/// left alone. The limiter lowers loudness a little when it acts, so the gain is corrected
/// once more after limiting.
pub fn normalize(
    samples: &mut [f32],
    rate: u32,
    target_lufs: f64,
    ceiling_dbtp: f64,
) -> Result<Normalized> {
    let source = measure(samples, rate)?;
    if !source.integrated_lufs.is_finite() {
        return Ok(Normalized {
            source,
            result: source,
            gain_db: 0.0,
            limited: false,
        });
    }
    let original = samples.to_vec();
    let mut gain_db = target_lufs - source.integrated_lufs;
    let mut limited = false;
    let mut result = source;
    for _ in 0..3 {
        let g = 10f64.powf(gain_db / 20.0) as f32;
        for (s, &o) in samples.iter_mut().zip(&original) {
            *s = o * g;
        }
        result = measure(samples, rate)?;
        // Limit against a sample-peak ceiling a little under the true-peak one, lowering it
        // until the true peak (inter-sample peaks included) is under the ceiling.
        let mut margin = 0.3;
        let scaled = samples.to_vec();
        while result.true_peak_dbtp > ceiling_dbtp {
            limited = true;
            samples.copy_from_slice(&scaled);
            limit(
                samples,
                rate,
                10f64.powf((ceiling_dbtp - margin) / 20.0) as f32,
            );
            result = measure(samples, rate)?;
            margin += (result.true_peak_dbtp - ceiling_dbtp).max(0.0) + 0.2;
            if margin > 12.0 {
                // Pathological signal: fall back to plain gain under the ceiling.
                let over = 10f64.powf((ceiling_dbtp - result.true_peak_dbtp - 0.1) / 20.0) as f32;
                samples.iter_mut().for_each(|s| *s *= over);
                result = measure(samples, rate)?;
                break;
            }
        }
        let miss = target_lufs - result.integrated_lufs;
        if !limited || miss.abs() < 0.2 || !miss.is_finite() {
            break;
        }
        gain_db += miss;
    }
    Ok(Normalized {
        source,
        result,
        gain_db,
        limited,
    })
}

/// Look-ahead limiter: the gain each sample needs to stay under `ceiling` is spread by a
/// sliding minimum over ±10 ms and then smoothed by a ±10 ms moving average — since every
/// average's window lies inside the minimum's, the smoothed gain never exceeds what a peak
/// needs, and it ramps over 20 ms instead of clicking.
pub fn limit(samples: &mut [f32], rate: u32, ceiling: f32) {
    let half = (rate as usize / 100).max(1);
    let needed: Vec<f32> = samples
        .iter()
        .map(|&s| {
            let a = s.abs();
            if a > ceiling {
                ceiling / a
            } else {
                1.0
            }
        })
        .collect();
    if needed.iter().all(|&g| g >= 1.0) {
        return;
    }
    let min = sliding_min(&needed, half);
    // Moving average over ±half (the window is clipped at the ends).
    let n = min.len();
    let mut prefix = vec![0f64; n + 1];
    for (i, &g) in min.iter().enumerate() {
        prefix[i + 1] = prefix[i] + g as f64;
    }
    for (i, s) in samples.iter_mut().enumerate() {
        let lo = i.saturating_sub(half);
        let hi = (i + half + 1).min(n);
        let g = (prefix[hi] - prefix[lo]) / (hi - lo) as f64;
        *s *= g as f32;
    }
}

/// Minimum over the window ±`half` around each index (monotonic deque, O(n)).
fn sliding_min(x: &[f32], half: usize) -> Vec<f32> {
    let n = x.len();
    let mut out = vec![1.0; n];
    let mut deque = std::collections::VecDeque::<usize>::new();
    let mut next = 0;
    for (i, o) in out.iter_mut().enumerate() {
        let hi = (i + half).min(n - 1);
        while next <= hi {
            while deque.back().is_some_and(|&b| x[b] >= x[next]) {
                deque.pop_back();
            }
            deque.push_back(next);
            next += 1;
        }
        while deque.front().is_some_and(|&f| f + half < i) {
            deque.pop_front();
        }
        if let Some(&f) = deque.front() {
            *o = x[f];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(seconds: f32, amp: f32) -> Vec<f32> {
        (0..(seconds * 24000.0) as usize)
            .map(|i| amp * (i as f32 * 440.0 * std::f32::consts::TAU / 24000.0).sin())
            .collect()
    }

    #[test]
    fn normalizes_to_target_under_the_ceiling() {
        // Quiet tone with rare loud clicks: gain alone would push the clicks over.
        let mut x = tone(5.0, 0.05);
        for k in 0..5 {
            x[k * 20000 + 100] = 0.9;
        }
        let n = normalize(&mut x, 24000, -18.0, -1.5).unwrap();
        assert!(n.limited);
        assert!((n.result.integrated_lufs + 18.0).abs() < 0.5, "{n:?}");
        assert!(n.result.true_peak_dbtp <= -1.5, "{n:?}");
    }

    #[test]
    fn silence_is_left_alone() {
        let mut x = vec![0.0; 24000];
        let n = normalize(&mut x, 24000, -18.0, -1.5).unwrap();
        assert_eq!(n.gain_db, 0.0);
        assert!(x.iter().all(|&s| s == 0.0));
    }

    #[test]
    fn sliding_min_matches_naive() {
        let x = [1.0, 0.5, 1.0, 1.0, 0.2, 1.0, 1.0, 1.0];
        let m = sliding_min(&x, 1);
        assert_eq!(m, [0.5, 0.5, 0.5, 0.2, 0.2, 0.2, 1.0, 1.0]);
    }
}
