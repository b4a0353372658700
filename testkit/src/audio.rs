//! Audio the tests read back: WAV files and bodies, levels.

use std::path::Path;

pub struct Wav {
    pub spec: hound::WavSpec,
    pub samples: Vec<i16>,
}

/// A 16-bit WAV file.
pub fn read_wav(path: &Path) -> Wav {
    let mut r = hound::WavReader::open(path).expect("a readable WAV file");
    let spec = r.spec();
    let samples = r
        .samples::<i16>()
        .collect::<Result<Vec<_>, _>>()
        .expect("16-bit samples");
    Wav { spec, samples }
}

/// Parses a WAV body and checks it is real speech: RIFF, 16-bit, some length, not silent.
pub fn speech_wav(bytes: &[u8]) -> Wav {
    assert_eq!(&bytes[..4], b"RIFF", "not a WAV file");
    let mut r = hound::WavReader::new(std::io::Cursor::new(bytes)).expect("a readable WAV");
    let spec = r.spec();
    assert_eq!(spec.bits_per_sample, 16);
    let samples: Vec<i16> = r.samples::<i16>().map(|s| s.expect("a sample")).collect();
    let w = Wav { spec, samples };
    assert!(w.seconds() > 0.3, "only {} s of audio", w.seconds());
    assert!(w.rms() > 0.01, "silent audio (RMS {})", w.rms());
    w
}

impl Wav {
    /// Duration (seconds), whatever the channel count.
    pub fn seconds(&self) -> f64 {
        self.samples.len() as f64 / self.spec.channels as f64 / self.spec.sample_rate as f64
    }
    pub fn rms(&self) -> f64 {
        rms_i16(&self.samples)
    }
    /// RMS of each 25 ms window, in [0, 1].
    pub fn window_rms(&self) -> Vec<f64> {
        let w = (self.spec.sample_rate / 40) as usize;
        self.samples
            .chunks(w)
            .map(|c| {
                (c.iter().map(|&s| (s as f64 / 32768.0).powi(2)).sum::<f64>() / c.len() as f64)
                    .sqrt()
            })
            .collect()
    }
}

/// RMS of 16-bit samples, in [0, 1].
pub fn rms_i16(samples: &[i16]) -> f64 {
    let sum: f64 = samples.iter().map(|&s| (s as f64 / 32768.0).powi(2)).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

/// Decodes an encoded file (WAV, FLAC, Ogg Vorbis or MP3 with symphonia, `ext` a hint; Ogg
/// Opus, `ext` "opus", with libopus at 24 kHz): interleaved samples and the rate.
#[cfg(feature = "decode")]
pub fn decode(bytes: Vec<u8>, ext: &str) -> (Vec<f32>, u32) {
    if ext == "opus" {
        let samples = yomiage_audio::opus::decode(&bytes, 24_000)
            .unwrap_or_else(|e| panic!("the Ogg Opus data does not decode: {e}"));
        return (samples, 24_000);
    }
    use symphonia::core::codecs::audio::AudioDecoderOptions;
    use symphonia::core::formats::probe::Hint;
    use symphonia::core::formats::{FormatOptions, TrackType};
    use symphonia::core::io::MediaSourceStream;
    use symphonia::core::meta::MetadataOptions;
    let mss = MediaSourceStream::new(Box::new(std::io::Cursor::new(bytes)), Default::default());
    let mut hint = Hint::new();
    hint.with_extension(ext);
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .unwrap_or_else(|e| panic!("the {ext} data does not probe: {e}"));
    let track = format.default_track(TrackType::Audio).unwrap();
    let params = track
        .codec_params
        .as_ref()
        .unwrap()
        .audio()
        .unwrap()
        .clone();
    let rate = params.sample_rate.unwrap();
    let id = track.id;
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .unwrap();
    let mut out = Vec::new();
    let mut buf = Vec::new();
    while let Some(packet) = format.next_packet().unwrap() {
        if packet.track_id != id {
            continue;
        }
        let audio = decoder.decode(&packet).unwrap();
        buf.resize(audio.samples_interleaved(), 0f32);
        audio.copy_to_slice_interleaved(&mut buf);
        out.extend_from_slice(&buf);
    }
    (out, rate)
}
