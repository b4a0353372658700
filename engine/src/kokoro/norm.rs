//! Instance-norm statistics for the streaming generator, predicted per utterance.
//!
//! The generator normalizes over time; a chunk must use the statistics the whole utterance
//! would have, not its own. A single per-voice average is wrong for short utterances: there the
//! pad silence is a large share of the frames, the statistics shift, and decoding with
//! speech-heavy averages came out 20–30 dB too quiet ("はい。"). Over whole-utterance decodes
//! each statistic is close to linear in the utterance's speech share `p` (a mixture of speech
//! and silence frames: the mean exactly, the variance nearly), so calibration fits
//! `a + b·p` per statistic and streaming evaluates it at the utterance's own `p`.

/// Per-statistic linear model in the speech share, with the range it was fitted on.
#[derive(Debug, Clone, PartialEq)]
pub struct NormModel {
    a: Vec<f32>,
    b: Vec<f32>,
    /// Smallest value seen per statistic; a statistic never seen ≤ 0 (a variance) is kept
    /// above half of it, so the generator never divides by a non-positive spread.
    floor: Vec<f32>,
    p_range: (f32, f32),
}

impl NormModel {
    /// Least-squares fit over `(p, statistics)` samples of equal length. With fewer than two
    /// distinct shares it degrades to the average.
    pub fn fit(samples: &[(f64, Vec<f32>)]) -> Option<NormModel> {
        let n = samples.first()?.1.len();
        if n == 0 || samples.iter().any(|(p, s)| s.len() != n || !p.is_finite()) {
            return None;
        }
        let k = samples.len() as f64;
        let mp = samples.iter().map(|(p, _)| p).sum::<f64>() / k;
        let spp: f64 = samples.iter().map(|(p, _)| (p - mp).powi(2)).sum();
        let (mut a, mut b, mut floor) = (vec![0f32; n], vec![0f32; n], vec![0f32; n]);
        for j in 0..n {
            let my = samples.iter().map(|(_, s)| f64::from(s[j])).sum::<f64>() / k;
            let slope = if spp > 1e-9 {
                samples
                    .iter()
                    .map(|(p, s)| (p - mp) * (f64::from(s[j]) - my))
                    .sum::<f64>()
                    / spp
            } else {
                0.0
            };
            a[j] = (my - slope * mp) as f32;
            b[j] = slope as f32;
            let min = samples
                .iter()
                .map(|(_, s)| s[j])
                .fold(f32::INFINITY, f32::min);
            floor[j] = if min > 0.0 {
                0.5 * min
            } else {
                f32::NEG_INFINITY
            };
        }
        let lo = samples
            .iter()
            .map(|(p, _)| *p)
            .fold(f64::INFINITY, f64::min) as f32;
        let hi = samples
            .iter()
            .map(|(p, _)| *p)
            .fold(f64::NEG_INFINITY, f64::max) as f32;
        Some(NormModel {
            a,
            b,
            floor,
            p_range: (lo, hi),
        })
    }

    /// The statistics for an utterance whose speech share is `p` (clamped to the fitted range:
    /// no extrapolation).
    pub fn at(&self, p: f64) -> Vec<f32> {
        let p = (p as f32).clamp(self.p_range.0, self.p_range.1);
        self.a
            .iter()
            .zip(&self.b)
            .zip(&self.floor)
            .map(|((a, b), f)| (a + b * p).max(*f))
            .collect()
    }

    /// `[a…, b…, floor…, p_lo, p_hi]`, for keeping on disk.
    pub fn to_f32s(&self) -> Vec<f32> {
        let mut v = Vec::with_capacity(3 * self.a.len() + 2);
        v.extend(&self.a);
        v.extend(&self.b);
        v.extend(&self.floor);
        v.extend([self.p_range.0, self.p_range.1]);
        v
    }

    /// The inverse of [`NormModel::to_f32s`] for `n` statistics; `None` if it does not fit.
    pub fn from_f32s(v: &[f32], n: usize) -> Option<NormModel> {
        if n == 0 || v.len() != 3 * n + 2 {
            return None;
        }
        let (lo, hi) = (v[3 * n], v[3 * n + 1]);
        if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
            return None;
        }
        if v[..2 * n].iter().any(|x| !x.is_finite()) {
            return None;
        }
        Some(NormModel {
            a: v[..n].to_vec(),
            b: v[n..2 * n].to_vec(),
            floor: v[2 * n..3 * n].to_vec(),
            p_range: (lo, hi),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linear_mixture_is_recovered_and_not_extrapolated() {
        // statistic 0 = 1 + 2p (a mean), statistic 1 = 4 − 3p (a spread, always positive)
        let samples: Vec<(f64, Vec<f32>)> = [0.3, 0.5, 0.8]
            .iter()
            .map(|&p| (p, vec![(1.0 + 2.0 * p) as f32, (4.0 - 3.0 * p) as f32]))
            .collect();
        let m = NormModel::fit(&samples).unwrap();
        let at = m.at(0.6);
        assert!(
            (at[0] - 2.2).abs() < 1e-5 && (at[1] - 2.2).abs() < 1e-5,
            "{at:?}"
        );
        // clamped to the fitted range
        assert_eq!(m.at(2.0), m.at(0.8));
        assert_eq!(m.at(-1.0), m.at(0.3));
        let back = NormModel::from_f32s(&m.to_f32s(), 2).unwrap();
        assert_eq!(back, m);
        assert!(NormModel::from_f32s(&m.to_f32s(), 3).is_none());
    }

    #[test]
    fn a_spread_never_goes_below_half_its_smallest_calibrated_value() {
        let samples = vec![(0.2, vec![1.0f32]), (0.9, vec![0.1f32])];
        let mut m = NormModel::fit(&samples).unwrap();
        m.p_range = (0.0, 5.0); // force extrapolation
        assert!(m.at(5.0)[0] >= 0.05);
    }

    #[test]
    fn one_share_gives_the_average() {
        let samples = vec![(0.5, vec![1.0f32]), (0.5, vec![3.0f32])];
        let m = NormModel::fit(&samples).unwrap();
        assert_eq!(m.at(0.1), vec![2.0]);
        assert!(NormModel::fit(&[]).is_none());
    }
}
