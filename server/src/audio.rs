//! Audio encodings for responses: 16-bit WAV (VOICEVOX, OpenAI `wav`), raw 16-bit PCM
//! (OpenAI `pcm`), and the zip of WAVs `/multi_synthesis` returns.

use std::io::{Cursor, Write};

use yomiage_engine::Audio;

use crate::error::ApiError;

fn to_i16(s: f32) -> i16 {
    (s.clamp(-1.0, 1.0) * i16::MAX as f32).round() as i16
}

/// A complete 16-bit PCM WAV file in memory.
pub fn wav_bytes(audio: &Audio) -> Result<Vec<u8>, ApiError> {
    let spec = hound::WavSpec {
        channels: audio.channels,
        sample_rate: audio.sample_rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut out = Cursor::new(Vec::with_capacity(44 + audio.samples.len() * 2));
    let fail = |e: hound::Error| ApiError::internal(format!("encoding WAV failed: {e}"));
    let mut w = hound::WavWriter::new(&mut out, spec).map_err(fail)?;
    {
        let mut i16w = w.get_i16_writer(audio.samples.len() as u32);
        for &s in &audio.samples {
            i16w.write_sample(to_i16(s));
        }
        i16w.flush().map_err(fail)?;
    }
    w.finalize().map_err(fail)?;
    Ok(out.into_inner())
}

/// Raw little-endian 16-bit samples, no header (OpenAI's `pcm`).
pub fn pcm_bytes(audio: &Audio) -> Vec<u8> {
    s16le(&audio.samples)
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

/// Samples in [-1, 1] as little-endian 16-bit PCM.
pub fn s16le(samples: &[f32]) -> Vec<u8> {
    samples
        .iter()
        .flat_map(|&s| to_i16(s).to_le_bytes())
        .collect()
}

/// WAV files named `001.wav`, `002.wav`… in a zip (VOICEVOX's `/multi_synthesis`).
pub fn zip_wavs(wavs: &[Vec<u8>]) -> Result<Vec<u8>, ApiError> {
    let fail =
        |e: &dyn std::fmt::Display| ApiError::internal(format!("building the zip failed: {e}"));
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (i, wav) in wavs.iter().enumerate() {
        zip.start_file(format!("{:03}.wav", i + 1), opts)
            .map_err(|e| fail(&e))?;
        zip.write_all(wav).map_err(|e| fail(&e))?;
    }
    let out = zip.finish().map_err(|e| fail(&e))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wav_round_trips_through_hound() {
        let audio = Audio {
            samples: vec![0.0, 0.5, -0.5, 1.5],
            sample_rate: 24_000,
            channels: 1,
        };
        let bytes = wav_bytes(&audio).unwrap();
        assert_eq!(&bytes[..4], b"RIFF");
        let mut r = hound::WavReader::new(Cursor::new(bytes)).unwrap();
        assert_eq!(r.spec().sample_rate, 24_000);
        let s: Vec<i16> = r.samples::<i16>().map(Result::unwrap).collect();
        assert_eq!(s, [0, 16384, -16384, i16::MAX]);
        assert_eq!(pcm_bytes(&audio).len(), 8);
    }

    #[test]
    fn the_stream_header_matches_a_complete_files_but_for_the_sizes() {
        let audio = Audio {
            samples: vec![0.25; 10],
            sample_rate: 24_000,
            channels: 1,
        };
        let whole = wav_bytes(&audio).unwrap();
        let h = wav_stream_header(24_000, 1);
        assert_eq!(&h[..4], &whole[..4]);
        assert_eq!(&h[8..40], &whole[8..40]);
        assert_eq!(&h[4..8], &[0xff; 4]);
        assert_eq!(&h[40..44], &[0xff; 4]);
        assert_eq!(&whole[44..], s16le(&audio.samples).as_slice());
    }

    #[test]
    fn zip_names_files_like_voicevox() {
        let z = zip_wavs(&[b"a".to_vec(), b"b".to_vec()]).unwrap();
        let mut ar = zip::ZipArchive::new(Cursor::new(z)).unwrap();
        assert_eq!(ar.len(), 2);
        assert!(ar.by_name("002.wav").is_ok());
    }
}
