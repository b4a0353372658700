//! Signal analysis: short-time spectra, spectral flux and RMS level.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

use crate::SAMPLE_RATE;

pub(crate) const STFT_WIN: usize = 480; // 20 ms
pub(crate) const STFT_FFT: usize = 512;
pub(crate) const STFT_HOP: usize = 120; // 5 ms
/// Magnitudes below this (−80 dB re full scale) are floored, so near-silence does not
/// dominate the log-spectral differences.
pub(crate) const MAG_FLOOR: f32 = 1e-4;

pub(crate) struct Stft {
    fft: Arc<dyn RealToComplex<f32>>,
    window: Vec<f32>,
    norm: f32,
    input: Vec<f32>,
    output: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
}

impl Stft {
    pub(crate) fn new() -> Self {
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(STFT_FFT);
        let window: Vec<f32> = (0..STFT_WIN)
            .map(|i| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * i as f32 / STFT_WIN as f32).cos())
            .collect();
        let norm = 2.0 / window.iter().sum::<f32>();
        Stft {
            input: fft.make_input_vec(),
            output: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            fft,
            window,
            norm,
        }
    }

    /// Log-magnitude spectra (dB) of successive frames; frame t starts at sample t·hop.
    pub(crate) fn log_spectra(&mut self, samples: &[f32]) -> Vec<Vec<f32>> {
        if samples.len() < STFT_WIN {
            return Vec::new();
        }
        let frames = (samples.len() - STFT_WIN) / STFT_HOP + 1;
        (0..frames)
            .map(|t| {
                let start = t * STFT_HOP;
                self.input.fill(0.0);
                for (dst, (s, w)) in self
                    .input
                    .iter_mut()
                    .zip(samples[start..start + STFT_WIN].iter().zip(&self.window))
                {
                    *dst = s * w;
                }
                self.fft
                    .process_with_scratch(&mut self.input, &mut self.output, &mut self.scratch)
                    .expect("buffers made by the planner have the right sizes");
                self.output
                    .iter()
                    .map(|c| 20.0 * (c.norm() * self.norm).max(MAG_FLOOR).log10())
                    .collect()
            })
            .collect()
    }
}

/// Spectral flux between consecutive STFT frames: (time s, mean |Δ dB| over bins).
pub(crate) fn spectral_flux(spectra: &[Vec<f32>]) -> Vec<(f64, f64)> {
    let center = |t: usize| (t * STFT_HOP + STFT_WIN / 2) as f64 / SAMPLE_RATE as f64;
    spectra
        .windows(2)
        .enumerate()
        .map(|(t, w)| {
            let d: f32 = w[0].iter().zip(&w[1]).map(|(a, b)| (a - b).abs()).sum();
            (
                (center(t) + center(t + 1)) / 2.0,
                d as f64 / w[0].len() as f64,
            )
        })
        .collect()
}

pub(crate) fn rms_db(samples: &[f32], from: f64, to: f64) -> Option<f64> {
    let idx = |t: f64| ((t.max(0.0) * SAMPLE_RATE as f64).round() as usize).min(samples.len());
    let s = samples.get(idx(from)..idx(to))?;
    if s.is_empty() {
        return None;
    }
    let ms = s.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() / s.len() as f64;
    Some(10.0 * ms.max(1e-10).log10())
}
