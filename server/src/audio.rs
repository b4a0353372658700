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
    audio
        .samples
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
    fn zip_names_files_like_voicevox() {
        let z = zip_wavs(&[b"a".to_vec(), b"b".to_vec()]).unwrap();
        let mut ar = zip::ZipArchive::new(Cursor::new(z)).unwrap();
        assert_eq!(ar.len(), 2);
        assert!(ar.by_name("002.wav").is_ok());
    }
}
