//! 16-bit PCM WAV: whole files in memory, and the header of a stream of unknown length.

use std::io::Cursor;

use crate::pcm::to_i16;
use crate::EncodeError;

fn fail(e: hound::Error) -> EncodeError {
    EncodeError::Encode {
        format: "wav",
        reason: e.to_string(),
    }
}

/// A complete 16-bit PCM WAV file of interleaved `samples`.
pub fn wav_bytes(samples: &[f32], sample_rate: u32, channels: u16) -> Result<Vec<u8>, EncodeError> {
    let spec = hound::WavSpec {
        channels,
        sample_rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut out = Cursor::new(Vec::with_capacity(44 + samples.len() * 2));
    let mut w = hound::WavWriter::new(&mut out, spec).map_err(fail)?;
    {
        let mut i16w = w.get_i16_writer(samples.len() as u32);
        for &s in samples {
            i16w.write_sample(to_i16(s));
        }
        i16w.flush().map_err(fail)?;
    }
    w.finalize().map_err(fail)?;
    Ok(out.into_inner())
}

/// The header of a 16-bit PCM WAV stream whose length is not known yet: the RIFF and data
/// sizes are the largest a WAV can state (0xFFFFFFFF), as streaming encoders write them, so
/// readers take the data to run until the connection ends.
pub fn wav_stream_header(sample_rate: u32, channels: u16) -> [u8; 44] {
    let block_align = channels * 2;
    let mut h = [0u8; 44];
    h[0..4].copy_from_slice(b"RIFF");
    h[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    h[8..12].copy_from_slice(b"WAVE");
    h[12..16].copy_from_slice(b"fmt ");
    h[16..20].copy_from_slice(&16u32.to_le_bytes());
    h[20..22].copy_from_slice(&1u16.to_le_bytes()); // PCM
    h[22..24].copy_from_slice(&channels.to_le_bytes());
    h[24..28].copy_from_slice(&sample_rate.to_le_bytes());
    h[28..32].copy_from_slice(&(sample_rate * u32::from(block_align)).to_le_bytes());
    h[32..34].copy_from_slice(&block_align.to_le_bytes());
    h[34..36].copy_from_slice(&16u16.to_le_bytes());
    h[36..40].copy_from_slice(b"data");
    h[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pcm::s16le;

    #[test]
    fn wav_round_trips_through_hound() {
        let bytes = wav_bytes(&[0.0, 0.5, -0.5, 1.5], 24_000, 1).unwrap();
        assert_eq!(&bytes[..4], b"RIFF");
        let mut r = hound::WavReader::new(Cursor::new(bytes)).unwrap();
        assert_eq!(r.spec().sample_rate, 24_000);
        let s: Vec<i16> = r.samples::<i16>().map(Result::unwrap).collect();
        assert_eq!(s, [0, 16384, -16384, i16::MAX]);
    }

    #[test]
    fn the_stream_header_matches_a_complete_files_but_for_the_sizes() {
        let samples = [0.25; 10];
        let whole = wav_bytes(&samples, 24_000, 1).unwrap();
        let h = wav_stream_header(24_000, 1);
        assert_eq!(&h[..4], &whole[..4]);
        assert_eq!(&h[8..40], &whole[8..40]);
        assert_eq!(&h[4..8], &[0xff; 4]);
        assert_eq!(&h[40..44], &[0xff; 4]);
        assert_eq!(&whole[44..], s16le(&samples).as_slice());
    }
}
