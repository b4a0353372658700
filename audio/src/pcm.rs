//! Float samples in [-1, 1] to 16-bit integers: clamped, scaled by `i16::MAX`, rounded.

/// One sample.
pub fn to_i16(s: f32) -> i16 {
    (s.clamp(-1.0, 1.0) * i16::MAX as f32).round() as i16
}

/// Samples as little-endian 16-bit PCM (raw output, OpenAI's `pcm`).
pub fn s16le(samples: &[f32]) -> Vec<u8> {
    samples
        .iter()
        .flat_map(|&s| to_i16(s).to_le_bytes())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_clamped_and_rounded() {
        assert_eq!(
            [0.0, 0.5, -0.5, 1.5, -2.0].map(to_i16),
            [0, 16384, -16384, i16::MAX, -i16::MAX]
        );
        assert_eq!(s16le(&[0.5, -1.0]), [0x00, 0x40, 0x01, 0x80]);
    }
}
