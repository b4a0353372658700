//! Comparing two renderings of the same utterance (another device, other weights): SNR after
//! aligning them, and a log-spectral distance that, unlike the SNR, does not count a drift of
//! the sine source's phase as noise.

use realfft::RealFftPlanner;

/// The lag (samples, within ±`max_lag`) that best aligns `b` to `a`: edge trimming may start
/// two renderings a few samples apart.
pub fn best_lag(a: &[f32], b: &[f32], max_lag: usize) -> isize {
    let n = a.len().min(b.len());
    let mut best = (f64::MIN, 0isize);
    for lag in -(max_lag as isize)..=max_lag as isize {
        let mut dot = 0.0f64;
        for i in (0..n).step_by(2) {
            let j = i as isize + lag;
            if j >= 0 && (j as usize) < b.len() {
                dot += a[i] as f64 * b[j as usize] as f64;
            }
        }
        if dot > best.0 {
            best = (dot, lag);
        }
    }
    best.1
}

/// `a` and `b` over their common span after aligning `b` by [`best_lag`] (±20 ms at 24 kHz).
pub fn aligned<'a>(a: &'a [f32], b: &'a [f32]) -> (&'a [f32], &'a [f32]) {
    let lag = best_lag(a, b, 480);
    let (a, b) = if lag >= 0 {
        (a, &b[lag as usize..])
    } else {
        (&a[(-lag) as usize..], b)
    };
    let n = a.len().min(b.len());
    (&a[..n], &b[..n])
}

/// Signal-to-noise ratio of `test` against `reference` (dB), aligned.
pub fn snr_db(reference: &[f32], test: &[f32]) -> f64 {
    let (r, t) = aligned(reference, test);
    let signal: f64 = r.iter().map(|&x| (x as f64).powi(2)).sum();
    let noise: f64 = r
        .iter()
        .zip(t)
        .map(|(&x, &y)| (x as f64 - y as f64).powi(2))
        .sum();
    10.0 * (signal / noise.max(1e-20)).log10()
}

/// Mean log-spectral distance (dB, RMS over 1024-point bins) over the frames where the
/// reference is louder than −50 dBFS, aligned. Both spectra are floored 60 dB below the
/// reference frame's peak bin, so the noise floor between harmonics does not dominate.
pub fn log_spectral_distance(reference: &[f32], test: &[f32]) -> f64 {
    const N: usize = 1024;
    const HOP: usize = 256;
    let (r, t) = aligned(reference, test);
    let mut planner = RealFftPlanner::<f64>::new();
    let fft = planner.plan_fft_forward(N);
    let window: Vec<f64> = (0..N)
        .map(|i| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / N as f64).cos())
        .collect();
    let spectrum = |x: &[f32]| -> Vec<f64> {
        let mut input: Vec<f64> = x.iter().zip(&window).map(|(&s, w)| s as f64 * w).collect();
        let mut out = fft.make_output_vec();
        // Lengths are fixed above; the transform cannot fail.
        let _ = fft.process(&mut input, &mut out);
        out.iter().map(|c| c.norm_sqr() + 1e-10).collect()
    };
    let (mut total, mut frames) = (0.0, 0usize);
    let mut start = 0;
    while start + N <= r.len() {
        let rms = (r[start..start + N]
            .iter()
            .map(|&s| (s as f64).powi(2))
            .sum::<f64>()
            / N as f64)
            .sqrt();
        if rms > 10f64.powf(-50.0 / 20.0) {
            let (a, b) = (
                spectrum(&r[start..start + N]),
                spectrum(&t[start..start + N]),
            );
            let d: f64 = a
                .iter()
                .zip(&b)
                .map(|(x, y)| (10.0 * (x / y).log10()).powi(2))
                .sum::<f64>()
                / a.len() as f64;
            total += d.sqrt();
            frames += 1;
        }
        start += HOP;
    }
    total / frames.max(1) as f64
}

/// PCM as 16-bit samples (for the pitch tracker).
pub fn to_i16(samples: &[f32]) -> Vec<i16> {
    samples
        .iter()
        .map(|&s| (s.clamp(-1.0, 1.0) * 32767.0).round() as i16)
        .collect()
}

/// Root-mean-square level of a signal.
pub fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / x.len().max(1) as f64).sqrt()
}
