//! Audio encodings for whole responses: 16-bit WAV (VOICEVOX, OpenAI `wav`), raw 16-bit PCM
//! (OpenAI `pcm`), the compressed formats, and the zip of WAVs `/multi_synthesis` returns.
//! Streamed bodies use `yomiage_audio::StreamEncoder` ([`crate::stream`]).

use std::io::{Cursor, Write};

use yomiage_engine::Audio;

use crate::error::ApiError;

pub use yomiage_audio::pcm::s16le;

/// A complete 16-bit PCM WAV file in memory.
pub fn wav_bytes(audio: &Audio) -> Result<Vec<u8>, ApiError> {
    yomiage_audio::wav::wav_bytes(&audio.samples, audio.sample_rate, audio.channels)
        .map_err(|e| ApiError::internal(format!("encoding WAV failed: {e}")))
}

/// An untagged MP3, FLAC or Ogg Opus file of mono speech.
pub fn encoded(format: yomiage_audio::Format, audio: &Audio) -> Result<Vec<u8>, ApiError> {
    yomiage_audio::encode::encode(format, &audio.samples, audio.sample_rate, None)
        .map_err(|e| ApiError::internal(format!("encoding failed: {e}")))
}

/// Raw little-endian 16-bit samples, no header (OpenAI's `pcm`).
pub fn pcm_bytes(audio: &Audio) -> Vec<u8> {
    s16le(&audio.samples)
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
    fn wav_and_pcm_carry_the_audio_s_format_and_samples() {
        let audio = Audio {
            samples: vec![0.0, 0.5, -0.5, 1.5],
            sample_rate: 48_000,
            channels: 2,
        };
        let mut r = hound::WavReader::new(Cursor::new(wav_bytes(&audio).unwrap())).unwrap();
        assert_eq!((r.spec().sample_rate, r.spec().channels), (48_000, 2));
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
