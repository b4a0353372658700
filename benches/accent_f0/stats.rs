//! Statistics: running means and counts, agreement of F0 steps with tones, quality guards.

use yomiage_frontend::Tone;

use crate::pitch::semitones;
use crate::CLEAR_STEP;

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Mean {
    pub(crate) sum: f64,
    pub(crate) n: usize,
}

impl Mean {
    pub(crate) fn add(&mut self, x: f64) {
        if x.is_finite() {
            self.sum += x;
            self.n += 1;
        }
    }
    pub(crate) fn get(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.sum / self.n as f64
        }
    }
    pub(crate) fn merge(&mut self, o: &Mean) {
        self.sum += o.sum;
        self.n += o.n;
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Count {
    pub(crate) ok: usize,
    pub(crate) n: usize,
}

impl Count {
    pub(crate) fn add(&mut self, ok: bool) {
        self.ok += usize::from(ok);
        self.n += 1;
    }
    pub(crate) fn merge(&mut self, o: &Count) {
        self.ok += o.ok;
        self.n += o.n;
    }
    pub(crate) fn share(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            100.0 * self.ok as f64 / self.n as f64
        }
    }
    pub(crate) fn show(&self) -> String {
        format!("{:5.1}% ({:>5}/{:<5})", self.share(), self.ok, self.n)
    }
}

/// Agreement of measured F0 steps with expected tone changes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Agreement {
    pub(crate) rise: Count,
    pub(crate) fall: Count,
    /// Steps in the right direction by at least [`CLEAR_STEP`].
    pub(crate) clear: Count,
    /// Per phrase with at least one scored pair: its share of matching pairs.
    pub(crate) phrases: Mean,
}

impl Agreement {
    pub(crate) fn merge(&mut self, o: &Agreement) {
        self.rise.merge(&o.rise);
        self.fall.merge(&o.fall);
        self.clear.merge(&o.clear);
        self.phrases.merge(&o.phrases);
    }

    pub(crate) fn overall(&self) -> Count {
        Count {
            ok: self.rise.ok + self.fall.ok,
            n: self.rise.n + self.fall.n,
        }
    }

    /// Scores one phrase: `tones` H/L per mora, `f0` the measured F0 per mora (None when the
    /// mora is not aligned or has no voiced F0).
    pub(crate) fn score_phrase(&mut self, tones: &[Tone], f0: &[Option<f64>]) {
        let mut phrase = Count::default();
        for k in 0..tones.len().saturating_sub(1) {
            let rise = match (tones[k], tones[k + 1]) {
                (Tone::Low, Tone::High) => true,
                (Tone::High, Tone::Low) => false,
                _ => continue,
            };
            let (Some(a), Some(b)) = (f0[k], f0[k + 1]) else {
                continue;
            };
            let st = semitones(a, b);
            let ok = if rise { st > 0.0 } else { st < 0.0 };
            if rise {
                self.rise.add(ok);
            } else {
                self.fall.add(ok);
            }
            self.clear.add(if rise {
                st >= CLEAR_STEP
            } else {
                st <= -CLEAR_STEP
            });
            phrase.add(ok);
        }
        if phrase.n > 0 {
            self.phrases.add(phrase.share());
        }
    }
}

/// Quality guards, micro-averaged over all sentences.
#[derive(Debug, Clone, Default)]
pub(crate) struct Quality {
    pub(crate) flux_boundary: Mean,
    pub(crate) flux_within: Mean,
    pub(crate) rms_jump_boundary: Mean,
    pub(crate) rms_jump_mid: Mean,
    pub(crate) f0_d2: Mean,
    pub(crate) voiced: Count,
    pub(crate) jumps: usize,
    pub(crate) voiced_pairs: usize,
    pub(crate) f0_range: Mean,
    pub(crate) boundary_f0_step: Mean,
}

impl Quality {
    pub(crate) fn merge(&mut self, o: &Quality) {
        self.flux_boundary.merge(&o.flux_boundary);
        self.flux_within.merge(&o.flux_within);
        self.rms_jump_boundary.merge(&o.rms_jump_boundary);
        self.rms_jump_mid.merge(&o.rms_jump_mid);
        self.f0_d2.merge(&o.f0_d2);
        self.voiced.merge(&o.voiced);
        self.jumps += o.jumps;
        self.voiced_pairs += o.voiced_pairs;
        self.f0_range.merge(&o.f0_range);
        self.boundary_f0_step.merge(&o.boundary_f0_step);
    }
}
