//! Encoding as the audio arrives, for bodies sent while the speech is still being made: each
//! chunk in gives the bytes that can go out now, and [`StreamEncoder::finish`] the tail.

use crate::encode::{Mp3Stream, OPUS_SERIAL};
use crate::opus::OpusStream;
use crate::pcm::s16le;
use crate::EncodeError;

/// The formats that can be sent before the speech is complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamFormat {
    /// A WAV header with an unknown length, then 16-bit samples.
    Wav,
    /// 16-bit little-endian samples only.
    Pcm,
    /// MP3 frames (LAME, as [`crate::Format::Mp3`]).
    Mp3,
    /// Ogg Opus pages (as [`crate::Format::Opus`]).
    Opus,
}

enum Kind {
    Pcm,
    Mp3(Box<Mp3Stream>),
    Opus(Box<OpusStream>),
}

/// An encoder fed chunk by chunk.
pub struct StreamEncoder {
    kind: Kind,
}

impl StreamEncoder {
    /// An encoder for `rate` Hz mono audio, and the bytes that open the body (a WAV header,
    /// Ogg Opus's header pages; nothing for PCM and MP3).
    pub fn new(format: StreamFormat, rate: u32) -> Result<(Self, Vec<u8>), EncodeError> {
        let (kind, head) = match format {
            StreamFormat::Wav => (Kind::Pcm, crate::wav::wav_stream_header(rate, 1).to_vec()),
            StreamFormat::Pcm => (Kind::Pcm, Vec::new()),
            StreamFormat::Mp3 => (
                Kind::Mp3(Box::new(Mp3Stream::new(rate).map_err(err("mp3"))?)),
                Vec::new(),
            ),
            StreamFormat::Opus => {
                let (s, head) = OpusStream::new(rate, &[], OPUS_SERIAL).map_err(err("opus"))?;
                (Kind::Opus(Box::new(s)), head)
            }
        };
        Ok((StreamEncoder { kind }, head))
    }

    /// The bytes for `samples` (mono, [-1, 1]) that are ready to send.
    pub fn push(&mut self, samples: &[f32]) -> Result<Vec<u8>, EncodeError> {
        match &mut self.kind {
            Kind::Pcm => Ok(s16le(samples)),
            Kind::Mp3(m) => m.push(samples).map_err(err("mp3")),
            Kind::Opus(o) => o.push(samples).map_err(err("opus")),
        }
    }

    /// What the encoder still holds, once the speech is complete.
    pub fn finish(self) -> Result<Vec<u8>, EncodeError> {
        match self.kind {
            Kind::Pcm => Ok(Vec::new()),
            Kind::Mp3(m) => m.finish().map_err(err("mp3")),
            Kind::Opus(o) => o.finish().map_err(err("opus")),
        }
    }
}

fn err(format: &'static str) -> impl Fn(String) -> EncodeError {
    move |reason| EncodeError::Encode { format, reason }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::{encode, Format};

    fn tone(n: usize) -> Vec<f32> {
        (0..n).map(|i| 0.2 * (i as f32 * 0.05).sin()).collect()
    }

    fn streamed(format: StreamFormat, samples: &[f32], chunk: usize) -> Vec<u8> {
        let (mut enc, mut out) = StreamEncoder::new(format, 24_000).unwrap();
        for c in samples.chunks(chunk) {
            out.extend(enc.push(c).unwrap());
        }
        out.extend(enc.finish().unwrap());
        out
    }

    #[test]
    fn streamed_mp3_is_the_whole_files_frames() {
        let x = tone(61_234);
        let whole = encode(Format::Mp3, &x, 24_000, None).unwrap();
        assert_eq!(streamed(StreamFormat::Mp3, &x, 4_321), whole);
    }

    #[test]
    fn streamed_wav_and_pcm_are_samples_behind_their_header() {
        let x = tone(1_000);
        let pcm = streamed(StreamFormat::Pcm, &x, 333);
        assert_eq!(pcm, s16le(&x));
        let wav = streamed(StreamFormat::Wav, &x, 333);
        assert_eq!(&wav[..4], b"RIFF");
        assert_eq!(&wav[44..], &pcm[..]);
    }

    #[test]
    fn streamed_opus_decodes_to_the_input_length() {
        let x = tone(24_000);
        let bytes = streamed(StreamFormat::Opus, &x, 2_000);
        assert_eq!(crate::opus::decode(&bytes, 24_000).unwrap().len(), x.len());
    }
}
