//! The prosody controller: writes the frontend's accent into per-mora pitch targets, and the
//! targets (possibly edited by a user) into the model's F0 before the decoder.
//!
//! Contour model (Tokyo Japanese, in semitones around the utterance's own mean pitch as the
//! voice model predicted it):
//! - tones per phrase from its accent: type 1 → H L L…, type 0 → L H H…, type k ≥ 2 →
//!   L H…H (up to mora k) L…; the phrase-initial L is shallower than a post-nucleus L;
//! - downstep: each phrase after an accented one (a fall) in the same breath group sits
//!   `downstep` lower, up to `max_downsteps` times; a pause resets it;
//! - declination: the register drifts down `declination` semitones per second of speech in a
//!   breath group;
//! - questions: the last mora of an interrogative phrase rises `question_rise` above its H.
//!
//! Imposition keeps the model's micro-prosody: each mora's F0 is shifted by (target − the
//! model's own mean on that mora), the shift curve smoothed over ~150 ms so pitch moves
//! smoothly between moras, and only voiced F0 points are touched.

use yomiage_frontend::{AccentPhrase, Tone};

/// F0 values at or below this are the model's "unvoiced" (it writes ~10 Hz there).
pub const VOICED_HZ: f32 = 50.0;

/// The highest F0 a query can impose, Hz (about a soprano's top C). A query may ask for up
/// to e^10 Hz scaled further by its pitchScale, and the decoder's sine source turns F0 far
/// above the audible voice range into NaN samples (found by the query property tests).
pub const MAX_F0_HZ: f32 = 1000.0;

/// Parameters of the contour model; the defaults were chosen by measurement (see the
/// `accent` benchmark and the engine's README section).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContourParams {
    /// Semitones of a high mora above the mean.
    pub high: f32,
    /// Semitones of a low mora after the nucleus below the mean.
    pub low: f32,
    /// Semitones of a phrase-initial low mora below the mean.
    pub initial_low: f32,
    /// Semitones each downstep lowers the register.
    pub downstep: f32,
    pub max_downsteps: u32,
    /// Semitones per second the register falls within a breath group.
    pub declination: f32,
    /// Semitones the final mora of a question rises above a high mora.
    pub question_rise: f32,
    /// Width of the smoothing of the pitch curves, in seconds.
    pub smoothing: f32,
    /// How much of the model's own pitch movement within a mora is kept (1 = all).
    pub detail: f32,
}

impl Default for ContourParams {
    fn default() -> Self {
        ContourParams {
            high: 3.0,
            low: 3.0,
            initial_low: 1.5,
            downstep: 1.0,
            max_downsteps: 3,
            declination: 0.5,
            question_rise: 4.0,
            smoothing: 0.15,
            detail: 0.5,
        }
    }
}

const LN2_OVER_12: f32 = std::f32::consts::LN_2 / 12.0;

fn semitones_to_ln(st: f32) -> f32 {
    st * LN2_OVER_12
}

/// Sets each mora's `pitch` (natural-log Hz) from its phrase's accent, around the mean of the
/// model's own pitches already in `phrases` (moras with pitch 0 — unvoiced — stay 0).
/// Mora lengths (seconds) must be filled in: declination runs on them.
pub fn impose_accent(phrases: &mut [AccentPhrase], params: &ContourParams) {
    let voiced: Vec<f32> = phrases
        .iter()
        .flat_map(|p| p.moras.iter())
        .map(|m| m.pitch)
        .filter(|&p| p > 0.0)
        .collect();
    if voiced.is_empty() {
        return;
    }
    let mean = voiced.iter().sum::<f32>() / voiced.len() as f32;
    let mut downsteps = 0u32;
    let mut elapsed = 0.0f32;
    for phrase in phrases.iter_mut() {
        let pattern = phrase.tones();
        let register = -params.downstep * downsteps as f32;
        let n = phrase.moras.len();
        for (k, (mora, tone)) in phrase.moras.iter_mut().zip(&pattern).enumerate() {
            let length = mora.consonant_length.unwrap_or(0.0) + mora.vowel_length;
            let at = elapsed + length / 2.0;
            elapsed += length;
            if mora.pitch <= 0.0 {
                continue;
            }
            let mut st = match tone {
                Tone::High => params.high,
                Tone::Low if k == 0 => -params.initial_low,
                Tone::Low => -params.low,
            };
            if phrase.is_interrogative && k + 1 == n {
                st = params.high.max(st) + params.question_rise;
            }
            st += register - params.declination * at;
            mora.pitch = mean + semitones_to_ln(st);
        }
        if phrase.accent != 0 {
            downsteps = (downsteps + 1).min(params.max_downsteps);
        }
        if phrase.pause_mora.is_some() {
            // A pause starts a new breath group.
            downsteps = 0;
            elapsed = 0.0;
        }
    }
}

/// VOICEVOX's intonationScale and pitchScale on mora pitches (ln Hz; 0 = unvoiced stays 0):
/// deviations from the mean voiced pitch scaled by `intonation`, then pitch × 2^`pitch_scale`.
pub fn scale_pitches(pitches: &mut [f32], intonation: f32, pitch_scale: f32) {
    let voiced: Vec<f32> = pitches.iter().copied().filter(|&p| p > 0.0).collect();
    if voiced.is_empty() {
        return;
    }
    let mean = voiced.iter().sum::<f32>() / voiced.len() as f32;
    let factor = 2f32.powf(pitch_scale);
    for p in pitches.iter_mut().filter(|p| **p > 0.0) {
        *p = ((*p - mean) * intonation + mean) * factor;
    }
}

/// Where a mora sits in the F0 track, in F0 points (two per frame).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoraSpan {
    /// The whole mora (consonant and vowel).
    pub whole: std::ops::Range<usize>,
    /// The vowel part, where the pitch is realised.
    pub vowel: std::ops::Range<usize>,
}

/// Mean natural-log F0 over the voiced points of `range`, if any.
pub fn mean_ln_f0(f0: &[f32], range: std::ops::Range<usize>) -> Option<f32> {
    let voiced: Vec<f32> = f0
        .get(range)?
        .iter()
        .filter(|&&f| f > VOICED_HZ)
        .map(|f| f.ln())
        .collect();
    (!voiced.is_empty()).then(|| voiced.iter().sum::<f32>() / voiced.len() as f32)
}

/// Rewrites `f0` so each mora's voiced pitch follows its target (ln Hz; `None` or ≤ 0 = keep
/// the model's). The model's contour is split into its per-mora means (a smooth curve M) and
/// the detail around them; the result is the target curve T plus `detail` × that detail:
/// ln f0' = T + detail·(ln f0 − M). Both curves are piecewise constant per mora, linear across
/// moras without a value, then smoothed over `smoothing` seconds, so pitch glides between
/// moras. `points_per_second` is the F0 rate (80 for this model). Unvoiced points stay.
pub fn impose_targets(
    f0: &mut [f32],
    spans: &[MoraSpan],
    targets: &[Option<f32>],
    detail: f32,
    smoothing: f32,
    points_per_second: f32,
) {
    let model: Vec<Option<f32>> = spans
        .iter()
        .map(|span| {
            mean_ln_f0(f0, span.vowel.clone()).or_else(|| mean_ln_f0(f0, span.whole.clone()))
        })
        .collect();
    let wanted: Vec<Option<f32>> = model
        .iter()
        .zip(targets)
        .map(|(m, t)| m.and(t.filter(|&t| t > 0.0).or(*m)))
        .collect();
    let width = ((smoothing * points_per_second).round() as usize).max(1);
    let (Some(m_curve), Some(t_curve)) = (
        curve(f0.len(), spans, &model, width),
        curve(f0.len(), spans, &wanted, width),
    ) else {
        return;
    };
    for ((f, m), t) in f0.iter_mut().zip(m_curve).zip(t_curve) {
        if *f > VOICED_HZ {
            *f = (t + detail * (f.ln() - m)).exp().min(MAX_F0_HZ);
        }
    }
}

/// A smooth curve through per-mora values (see [`impose_targets`]); `None` if no mora has one.
fn curve(n: usize, spans: &[MoraSpan], values: &[Option<f32>], width: usize) -> Option<Vec<f32>> {
    let anchors: Vec<(usize, f32)> = spans
        .iter()
        .zip(values)
        .filter_map(|(span, v)| v.map(|v| ((span.whole.start + span.whole.end) / 2, v)))
        .collect();
    if anchors.is_empty() || n == 0 {
        return None;
    }
    let mut c: Vec<f32> = (0..n).map(|m| interpolate(&anchors, m)).collect();
    for (span, v) in spans.iter().zip(values) {
        if let Some(v) = v {
            for m in span.whole.clone().filter(|&m| m < n) {
                c[m] = *v;
            }
        }
    }
    Some(smooth(&c, width))
}

fn interpolate(anchors: &[(usize, f32)], m: usize) -> f32 {
    match anchors.iter().position(|&(a, _)| a >= m) {
        None => anchors[anchors.len() - 1].1,
        Some(0) => anchors[0].1,
        Some(i) => {
            let (a0, v0) = anchors[i - 1];
            let (a1, v1) = anchors[i];
            let t = (m - a0) as f32 / (a1 - a0).max(1) as f32;
            v0 + (v1 - v0) * t
        }
    }
}

/// Hann-weighted moving average of width `width` points (edges use the available points).
fn smooth(x: &[f32], width: usize) -> Vec<f32> {
    if width <= 1 {
        return x.to_vec();
    }
    let half = width / 2;
    let weights: Vec<f32> = (0..=2 * half)
        .map(|i| {
            let t = i as f32 / (2 * half) as f32;
            0.5 - 0.5 * (2.0 * std::f32::consts::PI * t).cos() + 1e-3
        })
        .collect();
    (0..x.len())
        .map(|m| {
            let (mut acc, mut wsum) = (0.0, 0.0);
            for (j, w) in weights.iter().enumerate() {
                let idx = m as isize + j as isize - half as isize;
                if idx >= 0 && (idx as usize) < x.len() {
                    acc += w * x[idx as usize];
                    wsum += w;
                }
            }
            acc / wsum
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use yomiage_frontend::{Consonant, Mora, Vowel};
    use Tone::{High as H, Low as L};

    fn phrase(n: usize, accent: usize, question: bool, pause: bool) -> AccentPhrase {
        AccentPhrase {
            moras: (0..n)
                .map(|_| {
                    let mut m = Mora::new("カ", Some(Consonant::K), Vowel::A);
                    m.consonant_length = Some(0.05);
                    m.vowel_length = 0.1;
                    m.pitch = 5.5;
                    m
                })
                .collect(),
            accent,
            pause_mora: pause.then(Mora::pause),
            is_interrogative: question,
        }
    }

    fn pitches(p: &AccentPhrase) -> Vec<f32> {
        p.moras.iter().map(|m| m.pitch).collect()
    }

    #[test]
    fn imposed_pitches_rise_and_fall_where_the_accent_says() {
        for (accent, expect) in [(1, [H, L, L]), (2, [L, H, L]), (0, [L, H, H])] {
            let mut ps = vec![phrase(3, accent, false, false)];
            impose_accent(&mut ps, &ContourParams::default());
            let p = pitches(&ps[0]);
            for k in 0..2 {
                let rises = p[k + 1] > p[k];
                let expected_rise = expect[k] == L && expect[k + 1] == H;
                let expected_fall = expect[k] == H && expect[k + 1] == L;
                if expected_rise {
                    assert!(rises, "accent {accent}: {p:?}");
                }
                if expected_fall {
                    assert!(!rises && p[k] - p[k + 1] > 0.2, "accent {accent}: {p:?}");
                }
            }
        }
    }

    #[test]
    fn downstep_lowers_phrases_after_a_fall_and_a_pause_resets_it() {
        let mut ps = vec![
            phrase(3, 1, false, false),
            phrase(3, 1, false, true),
            phrase(3, 1, false, false),
        ];
        impose_accent(
            &mut ps,
            &ContourParams {
                declination: 0.0,
                ..ContourParams::default()
            },
        );
        assert!(ps[1].moras[0].pitch < ps[0].moras[0].pitch - 0.03);
        assert!((ps[2].moras[0].pitch - ps[0].moras[0].pitch).abs() < 1e-5);
    }

    #[test]
    fn questions_end_high() {
        let mut ps = vec![phrase(3, 1, true, false)];
        impose_accent(&mut ps, &ContourParams::default());
        let p = pitches(&ps[0]);
        assert!(p[2] > p[0], "{p:?}");
    }

    #[test]
    fn unvoiced_moras_keep_pitch_zero() {
        let mut ps = vec![phrase(3, 0, false, false)];
        ps[0].moras[1].pitch = 0.0;
        impose_accent(&mut ps, &ContourParams::default());
        assert_eq!(ps[0].moras[1].pitch, 0.0);
    }

    #[test]
    fn intonation_and_pitch_scale_follow_voicevox() {
        let mut p = vec![5.0, 0.0, 6.0];
        scale_pitches(&mut p, 0.0, 0.0);
        assert_eq!(p, [5.5, 0.0, 5.5]);
        let mut p = vec![5.0, 6.0];
        scale_pitches(&mut p, 1.0, 1.0);
        assert_eq!(p, [10.0, 12.0]);
    }

    #[test]
    fn targets_move_voiced_f0_smoothly_and_leave_unvoiced_points() {
        // Two moras of 8 points each at 200 Hz, the middle two points unvoiced.
        let mut f0 = vec![200.0f32; 16];
        f0[7] = 10.0;
        f0[8] = 10.0;
        let spans = [
            MoraSpan {
                whole: 0..8,
                vowel: 2..8,
            },
            MoraSpan {
                whole: 8..16,
                vowel: 10..16,
            },
        ];
        let high = (200.0f32 * 2f32.powf(3.0 / 12.0)).ln();
        let low = (200.0f32 * 2f32.powf(-3.0 / 12.0)).ln();
        impose_targets(&mut f0, &spans, &[Some(high), Some(low)], 1.0, 0.05, 80.0);
        assert_eq!(f0[7], 10.0);
        assert_eq!(f0[8], 10.0);
        assert!((f0[0].ln() - high).abs() < 0.01, "{f0:?}");
        assert!((f0[15].ln() - low).abs() < 0.01, "{f0:?}");
        // No step larger than the smoothing allows between neighbouring voiced points.
        for w in f0[..7].windows(2).chain(f0[9..].windows(2)) {
            assert!((w[1].ln() - w[0].ln()).abs() < 0.2, "{f0:?}");
        }
    }
}
