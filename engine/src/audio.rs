//! Synthesized speech and its output format: sample rate (a real resampler, rubato) and
//! channel count.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};
use yomiage_vocoder::SAMPLE_RATE;

use crate::timeline::Timeline;

/// Synthesized speech: interleaved samples in [-1, 1].
#[derive(Debug, Clone)]
pub struct Audio {
    pub samples: Vec<f32>,
    pub sample_rate: u32,
    pub channels: u16,
}

impl Audio {
    pub fn duration_seconds(&self) -> f64 {
        self.samples.len() as f64 / self.channels.max(1) as f64 / self.sample_rate as f64
    }
}

/// Speech and when each mora and phoneme sounds in it.
#[derive(Debug, Clone)]
pub struct Synthesis {
    pub audio: Audio,
    pub timeline: Timeline,
}

/// Samples at the model's rate in `s` seconds (negative: none).
pub fn seconds_to_samples(s: f32) -> usize {
    (s.max(0.0) * SAMPLE_RATE as f32).round() as usize
}

/// Converts mono PCM at the model's rate to the requested rate and channels.
pub fn finish(pcm: Vec<f32>, rate: u32, stereo: bool) -> Result<Audio, String> {
    let samples = if rate == SAMPLE_RATE || pcm.is_empty() {
        pcm
    } else {
        resample(&pcm, rate)?
    };
    let (samples, channels) = if stereo {
        (samples.iter().flat_map(|&s| [s, s]).collect(), 2)
    } else {
        (samples, 1)
    };
    Ok(Audio {
        samples,
        sample_rate: rate,
        channels,
    })
}

fn resample(pcm: &[f32], rate: u32) -> Result<Vec<f32>, String> {
    let mut r = Fft::<f32>::new(
        SAMPLE_RATE as usize,
        rate as usize,
        1024,
        1,
        FixedSync::Input,
    )
    .map_err(|e| e.to_string())?;
    let input = InterleavedSlice::new(pcm, 1, pcm.len()).map_err(|e| e.to_string())?;
    let out = r
        .process_all(&input, pcm.len(), None)
        .map_err(|e| e.to_string())?;
    Ok(out.take_data())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resampling_keeps_duration_and_frequency() {
        // 1 s of 440 Hz at 24 kHz → 48 kHz: twice the samples, same tone.
        let pcm: Vec<f32> = (0..24_000)
            .map(|i| (2.0 * std::f32::consts::PI * 440.0 * i as f32 / 24_000.0).sin() * 0.5)
            .collect();
        let out = finish(pcm, 48_000, false).unwrap();
        assert_eq!(out.sample_rate, 48_000);
        let n = out.samples.len() as i64;
        assert!((n - 48_000).abs() < 100, "{n}");
        // Count zero crossings in the middle second-half: 440 Hz → ~440 per second.
        let mid = &out.samples[12_000..36_000];
        let crossings = mid
            .windows(2)
            .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
            .count();
        assert!((crossings as i64 - 440).abs() <= 4, "{crossings}");
    }

    #[test]
    fn stereo_duplicates_each_sample() {
        let out = finish(vec![0.1, 0.2], SAMPLE_RATE, true).unwrap();
        assert_eq!(out.channels, 2);
        assert_eq!(out.samples, [0.1, 0.1, 0.2, 0.2]);
    }
}
