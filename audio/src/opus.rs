//! Ogg Opus (RFC 7845): libopus (built from its bundled source by the `opus` crate's
//! `opusic-sys`) for the packets, the pure-Rust `ogg` crate for the pages.
//!
//! The speech goes in at its own rate (24 kHz is one of Opus's native input rates, so nothing
//! is resampled); the stream plays at 48 kHz as every Opus stream does. The encoder works
//! chunk by chunk, so the same code serves a whole file and a live HTTP body: each
//! [`OpusStream::push`] returns the pages completed so far.

use ogg::writing::{PacketWriteEndInfo, PacketWriter};
use opus::{Application, Bitrate, Channels, Encoder, Signal};

/// 20 ms, Opus's usual frame.
const FRAME_MS: u32 = 20;
/// Mono speech: transparent well below this; OpenAI's own opus is in this range.
const BITRATE: i32 = 32_000;
/// Granule positions count 48 kHz samples whatever the input rate.
const GRANULE_RATE: u64 = 48_000;
/// An Opus packet is at most 1275 bytes per frame; room for one frame.
const MAX_PACKET: usize = 1500;

/// An Ogg Opus stream being written.
pub struct OpusStream {
    enc: Encoder,
    ogg: PacketWriter<'static, Vec<u8>>,
    serial: u32,
    /// Input samples per frame.
    frame: usize,
    /// 48 kHz samples per input sample (2 at 24 kHz).
    scale: u64,
    /// The encoder's delay in 48 kHz samples: the decoder drops this much from the start.
    pre_skip: u64,
    /// Input samples not yet making a whole frame.
    pending: Vec<f32>,
    /// Input samples received.
    received: u64,
    /// Frames encoded.
    frames: u64,
    /// The last packet, held back so that the stream's final packet can carry the end flag.
    held: Option<Vec<u8>>,
}

impl OpusStream {
    /// Starts a stream of `rate` Hz mono audio (8, 12, 16, 24 or 48 kHz) with `comments`
    /// (Vorbis-comment `KEY=value` pairs) in its header; returns it and the header pages.
    pub fn new(
        rate: u32,
        comments: &[(String, String)],
        serial: u32,
    ) -> Result<(Self, Vec<u8>), String> {
        if !matches!(rate, 8000 | 12000 | 16000 | 24000 | 48000) {
            return Err(format!(
                "Opus takes 8, 12, 16, 24 or 48 kHz audio, not {rate} Hz"
            ));
        }
        let e = |x: opus::Error| x.to_string();
        let mut enc = Encoder::new(rate, Channels::Mono, Application::Audio).map_err(e)?;
        enc.set_bitrate(Bitrate::Bits(BITRATE)).map_err(e)?;
        enc.set_signal(Signal::Voice).map_err(e)?;
        let scale = GRANULE_RATE / u64::from(rate);
        let lookahead = u64::try_from(enc.get_lookahead().map_err(e)?).unwrap_or(0);
        let pre_skip = lookahead * scale;
        let mut ogg = PacketWriter::new(Vec::new());
        let io = |x: std::io::Error| x.to_string();
        ogg.write_packet(head(rate, pre_skip), serial, PacketWriteEndInfo::EndPage, 0)
            .map_err(io)?;
        ogg.write_packet(tags(comments), serial, PacketWriteEndInfo::EndPage, 0)
            .map_err(io)?;
        let header = std::mem::take(ogg.inner_mut());
        let stream = OpusStream {
            enc,
            ogg,
            serial,
            frame: (rate * FRAME_MS / 1000) as usize,
            scale,
            pre_skip,
            pending: Vec::new(),
            received: 0,
            frames: 0,
            held: None,
        };
        Ok((stream, header))
    }

    /// Encodes `samples` (mono, [-1, 1]); returns the pages completed (empty while less than a
    /// frame has arrived).
    pub fn push(&mut self, samples: &[f32]) -> Result<Vec<u8>, String> {
        self.received += samples.len() as u64;
        self.pending.extend_from_slice(samples);
        let whole = self.pending.len() / self.frame * self.frame;
        let input: Vec<f32> = self.pending.drain(..whole).collect();
        for frame in input.chunks(self.frame) {
            self.encode(frame)?;
        }
        // Close the page so that what was pushed can be sent now.
        self.release(PacketWriteEndInfo::EndPage)?;
        Ok(std::mem::take(self.ogg.inner_mut()))
    }

    /// Encodes what is left, padded with silence so the encoder's delay is flushed too, and
    /// ends the stream with a granule position that trims the padding.
    pub fn finish(mut self) -> Result<Vec<u8>, String> {
        let needed_in = self.received + self.pre_skip / self.scale;
        let mut input = std::mem::take(&mut self.pending);
        let encoded_in = self.frames * self.frame as u64;
        let total = needed_in.saturating_sub(encoded_in) as usize;
        input.resize(total.div_ceil(self.frame).max(1) * self.frame, 0.0);
        for frame in input.chunks(self.frame) {
            self.encode(frame)?;
        }
        let end = self.pre_skip + self.received * self.scale;
        let last = self.held.take().unwrap_or_default();
        self.ogg
            .write_packet(last, self.serial, PacketWriteEndInfo::EndStream, end)
            .map_err(|x| x.to_string())?;
        Ok(self.ogg.into_inner())
    }

    /// Encodes one frame; the previous packet goes into the page (the new one is held).
    fn encode(&mut self, frame: &[f32]) -> Result<(), String> {
        let mut buf = vec![0u8; MAX_PACKET];
        let n = self
            .enc
            .encode_float(frame, &mut buf)
            .map_err(|x| x.to_string())?;
        buf.truncate(n);
        self.release(PacketWriteEndInfo::NormalPacket)?;
        self.frames += 1;
        self.held = Some(buf);
        Ok(())
    }

    /// Writes the held packet (if any) with `end`; its granule is the 48 kHz position after it.
    fn release(&mut self, end: PacketWriteEndInfo) -> Result<(), String> {
        if let Some(packet) = self.held.take() {
            let granule = self.frames * self.frame as u64 * self.scale;
            self.ogg
                .write_packet(packet, self.serial, end, granule)
                .map_err(|x| x.to_string())?;
        }
        Ok(())
    }
}

/// The identification header (RFC 7845 §5.1): mono, mapping family 0.
fn head(rate: u32, pre_skip: u64) -> Vec<u8> {
    let mut h = b"OpusHead".to_vec();
    h.push(1); // version
    h.push(1); // channels
    h.extend(u16::try_from(pre_skip).unwrap_or(u16::MAX).to_le_bytes());
    h.extend(rate.to_le_bytes()); // the input's rate, for information
    h.extend(0i16.to_le_bytes()); // output gain
    h.push(0); // mapping family
    h
}

/// The comment header (RFC 7845 §5.2): vendor, then `KEY=value` entries.
fn tags(comments: &[(String, String)]) -> Vec<u8> {
    let mut t = b"OpusTags".to_vec();
    t.extend(crate::comment::vorbis_comment(
        concat!("yomiage ", env!("CARGO_PKG_VERSION"), " (libopus)"),
        comments,
    ));
    t
}

/// The whole of `samples` as an Ogg Opus file.
pub(crate) fn encode(
    samples: &[f32],
    rate: u32,
    comments: &[(String, String)],
    serial: u32,
) -> Result<Vec<u8>, String> {
    let (mut stream, mut out) = OpusStream::new(rate, comments, serial)?;
    // About a second per page: little page overhead, and readers can seek.
    for block in samples.chunks(rate as usize) {
        out.extend(stream.push(block)?);
    }
    out.extend(stream.finish()?);
    Ok(out)
}

/// Reads an Ogg Opus stream back: its samples at `rate` Hz (what a player hears, pre-skip
/// and end padding trimmed). For checks of what was written: tests and benchmarks.
pub fn decode(bytes: &[u8], rate: u32) -> Result<Vec<f32>, String> {
    let mut reader = ogg::reading::PacketReader::new(std::io::Cursor::new(bytes));
    let next = |r: &mut ogg::reading::PacketReader<_>| r.read_packet().map_err(|e| e.to_string());
    let head = next(&mut reader)?.ok_or("no OpusHead")?;
    if head.data.len() < 19 || &head.data[..8] != b"OpusHead" {
        return Err("the first packet is not an OpusHead".into());
    }
    let scale = GRANULE_RATE / u64::from(rate);
    let pre_skip = u64::from(u16::from_le_bytes([head.data[10], head.data[11]])) / scale;
    let tags = next(&mut reader)?.ok_or("no OpusTags")?;
    if !tags.data.starts_with(b"OpusTags") {
        return Err("the second packet is not OpusTags".into());
    }
    let mut dec = opus::Decoder::new(rate, Channels::Mono).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let mut end = None;
    let mut buf = vec![0f32; rate as usize * 120 / 1000];
    while let Some(p) = next(&mut reader)? {
        let n = dec
            .decode_float(&p.data, &mut buf, false)
            .map_err(|e| e.to_string())?;
        out.extend_from_slice(&buf[..n]);
        if p.last_in_stream() {
            end = Some(p.absgp_page() / scale);
        }
    }
    let end = end.ok_or("the stream has no end")? as usize;
    if end > out.len() || (pre_skip as usize) > end {
        return Err(format!(
            "end granule {end} outside the {} samples decoded",
            out.len()
        ));
    }
    out.truncate(end);
    out.drain(..pre_skip as usize);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A voiced-speech-like signal: a 150 Hz buzz with harmonics under a syllable envelope.
    fn speechlike(rate: u32, seconds: f32) -> Vec<f32> {
        let n = (rate as f32 * seconds) as usize;
        (0..n)
            .map(|i| {
                let t = i as f32 / rate as f32;
                let env = (std::f32::consts::PI * 4.0 * t).sin().abs();
                let f = 150.0 * std::f32::consts::TAU * t;
                0.3 * env * (f.sin() + 0.5 * (2.0 * f).sin() + 0.25 * (3.0 * f).sin())
            })
            .collect()
    }

    fn rms(x: &[f32]) -> f32 {
        (x.iter().map(|v| v * v).sum::<f32>() / x.len().max(1) as f32).sqrt()
    }

    #[test]
    fn a_stream_reads_back_with_the_same_length_level_and_timing() {
        let rate = 24_000;
        let input = speechlike(rate, 1.37);
        let mut chunks = Vec::new();
        let (mut s, head) = OpusStream::new(rate, &[("TITLE".into(), "声".into())], 7).unwrap();
        chunks.push(head);
        // Odd chunk sizes, as the engine's chunks are.
        for c in input.chunks(3_001) {
            chunks.push(s.push(c).unwrap());
        }
        chunks.push(s.finish().unwrap());
        // Pages go out as audio arrives, not all at the end.
        assert!(chunks.iter().filter(|c| !c.is_empty()).count() > 5);
        let bytes: Vec<u8> = chunks.concat();
        assert_eq!(&bytes[..4], b"OggS");
        let out = decode(&bytes, rate).unwrap();
        assert_eq!(out.len(), input.len());
        let (a, b) = (rms(&input), rms(&out));
        assert!((b / a - 1.0).abs() < 0.1, "level {a} in, {b} out");
        // Aligned in time: the difference is small next to the signal (a lag of even one
        // millisecond at 150 Hz would leave most of it).
        let diff: Vec<f32> = input.iter().zip(&out).map(|(x, y)| x - y).collect();
        assert!(rms(&diff) < 0.35 * a, "residual {} vs {a}", rms(&diff));
    }

    #[test]
    fn whole_file_equals_its_stream_and_carries_the_comments() {
        let input = speechlike(24_000, 0.5);
        let c = [("ARTIST".to_owned(), "読み上げ".to_owned())];
        let whole = encode(&input, 24_000, &c, 9).unwrap();
        assert!(whole.windows(8).any(|w| w == b"OpusTags"));
        assert!(whole.windows(16).any(|w| w == "ARTIST=読み上".as_bytes()));
        assert_eq!(decode(&whole, 24_000).unwrap().len(), input.len());
        // Silence and an empty input are valid streams too.
        assert!(decode(&encode(&[], 24_000, &[], 1).unwrap(), 24_000)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn a_rate_opus_cannot_take_is_an_error() {
        assert!(OpusStream::new(22_050, &[], 1).is_err());
    }
}
