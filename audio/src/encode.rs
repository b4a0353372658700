//! Audio files with tags and chapter marks:
//! - WAV: 16-bit PCM (hound), tags and chapters in an ID3v2.4 `id3 ` chunk (the `id3` crate);
//! - FLAC: 16-bit (flacenc, pure Rust), a Vorbis comment block with TITLE/ALBUM/ARTIST/
//!   TRACKNUMBER/TRACKTOTAL and CHAPTERnnn/CHAPTERnnnNAME marks;
//! - Ogg Vorbis: libvorbis (aoTuV) built from source by `vorbis_rs`, quality VBR, the same
//!   comments;
//! - MP3: LAME built from source by `mp3lame-encoder`, CBR mono, an ID3v2.4 tag in front with
//!   TIT2/TALB/TPE1/TRCK and CHAP frames under a CTOC;
//! - Ogg Opus: libopus ([`crate::opus`]), 32 kb/s, the same comments as FLAC and Vorbis.

use std::path::Path;

use crate::pcm::to_i16;
use crate::EncodeError;

type Result<T, E = EncodeError> = std::result::Result<T, E>;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Wav,
    Flac,
    Ogg,
    Mp3,
    Opus,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Wav => "wav",
            Format::Flac => "flac",
            Format::Ogg => "ogg",
            Format::Mp3 => "mp3",
            Format::Opus => "opus",
        }
    }
    fn name(self) -> &'static str {
        self.extension()
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "wav" => Ok(Format::Wav),
            "flac" => Ok(Format::Flac),
            "ogg" | "vorbis" => Ok(Format::Ogg),
            "mp3" => Ok(Format::Mp3),
            "opus" => Ok(Format::Opus),
            other => Err(format!(
                "unknown format {other} (wav, flac, ogg, mp3, opus)"
            )),
        }
    }
}

/// A chapter mark inside a file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Mark {
    pub start_s: f64,
    pub title: String,
}

/// What goes into a file's tags.
#[derive(Debug, Clone, Default)]
pub struct Tags {
    pub title: String,
    pub album: String,
    pub artist: String,
    pub track: usize,
    pub total: usize,
    pub marks: Vec<Mark>,
}

fn err(format: Format) -> impl Fn(String) -> EncodeError {
    move |reason| EncodeError::Encode {
        format: format.name(),
        reason,
    }
}

/// `samples` (mono, `rate` Hz, [-1, 1]) as a `format` file in memory: tagged as the book
/// writes its chapters (except WAV's ID3 chunk, which [`write`] adds on disk), or untagged
/// (`None`) for a response body.
pub fn encode(format: Format, samples: &[f32], rate: u32, tags: Option<&Tags>) -> Result<Vec<u8>> {
    let e = err(format);
    Ok(match format {
        Format::Wav => crate::wav::wav_bytes(samples, rate, 1)?,
        Format::Flac => flac(samples, rate, tags).map_err(&e)?,
        Format::Ogg => ogg(samples, rate, tags).map_err(&e)?,
        Format::Mp3 => {
            let mut out = Vec::new();
            if let Some(tags) = tags {
                id3_tag(tags, samples.len() as f64 / rate as f64)
                    .write_to(&mut out, id3::Version::Id3v24)
                    .map_err(|x| e(x.to_string()))?;
            }
            out.extend(mp3(samples, rate).map_err(&e)?);
            out
        }
        Format::Opus => {
            crate::opus::encode(samples, rate, &comments(tags), serial(tags)).map_err(&e)?
        }
    })
}

/// Writes `samples` (mono, `rate` Hz, [-1, 1]) as `format` with `tags` to `path` (a temporary
/// file the caller renames when all is well).
pub fn write(format: Format, samples: &[f32], rate: u32, tags: &Tags, path: &Path) -> Result<()> {
    let e = err(format);
    let bytes = encode(format, samples, rate, Some(tags))?;
    std::fs::write(path, bytes).map_err(|source| EncodeError::Write {
        path: path.to_owned(),
        source,
    })?;
    if format == Format::Wav {
        // Deprecated for the format-sniffing `write_to_path`; the explicit WAV call is kept
        // because the temp file's name does not end in .wav.
        #[allow(deprecated)]
        id3_tag(tags, samples.len() as f64 / rate as f64)
            .write_to_wav_path(path, id3::Version::Id3v24)
            .map_err(|x| e(x.to_string()))?;
    }
    Ok(())
}

/// `HH:MM:SS.mmm`, the Vorbis comment chapter time format.
fn clock(s: f64) -> String {
    let ms = (s.max(0.0) * 1000.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// The Vorbis comments for FLAC and Ogg (Vorbis chapter extension for the marks).
fn comments(tags: Option<&Tags>) -> Vec<(String, String)> {
    let Some(tags) = tags else {
        return Vec::new();
    };
    let mut c = vec![
        ("TITLE".to_owned(), tags.title.clone()),
        ("ALBUM".to_owned(), tags.album.clone()),
        ("TRACKNUMBER".to_owned(), tags.track.to_string()),
        ("TRACKTOTAL".to_owned(), tags.total.to_string()),
    ];
    if !tags.artist.is_empty() {
        c.push(("ARTIST".to_owned(), tags.artist.clone()));
    }
    for (i, m) in tags.marks.iter().enumerate() {
        c.push((format!("CHAPTER{:03}", i + 1), clock(m.start_s)));
        c.push((format!("CHAPTER{:03}NAME", i + 1), m.title.clone()));
    }
    c
}

const VENDOR: &str = concat!("yomiage ", env!("CARGO_PKG_VERSION"));

fn flac(samples: &[f32], rate: u32, tags: Option<&Tags>) -> Result<Vec<u8>, String> {
    use flacenc::component::BitRepr;
    use flacenc::error::Verify;
    let ints: Vec<i32> = samples.iter().map(|&s| i32::from(to_i16(s))).collect();
    let config = flacenc::config::Encoder::default()
        .into_verified()
        .map_err(|(_, e)| format!("{e:?}"))?;
    let source = flacenc::source::MemSource::from_samples(&ints, 1, 16, rate as usize);
    let mut stream = flacenc::encode_with_fixed_block_size(&config, source, config.block_size)
        .map_err(|e| format!("{e:?}"))?;
    // VORBIS_COMMENT (block type 4).
    let block = crate::comment::vorbis_comment(VENDOR, &comments(tags));
    stream.add_metadata_block(
        flacenc::component::MetadataBlockData::new_unknown(4, &block)
            .map_err(|e| format!("{e:?}"))?,
    );
    let mut sink = flacenc::bitsink::ByteSink::new();
    stream.write(&mut sink).map_err(|e| format!("{e:?}"))?;
    let mut bytes = sink.as_slice().to_vec();
    // flacenc records the short last block as STREAMINFO's minimum block size; the format
    // says the minimum excludes the last block, and readers (symphonia) then take the
    // fixed-size stream for a variable one and reject its frames. Min = max, as libFLAC.
    if bytes.len() >= 12 && &bytes[..4] == b"fLaC" {
        let (min, max) = bytes[8..12].split_at_mut(2);
        min.copy_from_slice(max);
    }
    Ok(bytes)
}

fn ogg(samples: &[f32], rate: u32, tags: Option<&Tags>) -> Result<Vec<u8>, String> {
    use std::num::{NonZeroU32, NonZeroU8};
    use vorbis_rs::{VorbisBitrateManagementStrategy, VorbisEncoderBuilder};
    let rate = NonZeroU32::new(rate).ok_or("sample rate 0")?;
    let mono = NonZeroU8::MIN;
    let mut out = Vec::new();
    let serial = serial(tags) as i32;
    let mut builder = VorbisEncoderBuilder::new_with_serial(rate, mono, &mut out, serial);
    builder.bitrate_management_strategy(VorbisBitrateManagementStrategy::QualityVbr {
        target_quality: 0.4,
    });
    for (k, v) in comments(tags) {
        builder.comment_tag(k, v).map_err(|e| e.to_string())?;
    }
    let mut enc = builder.build().map_err(|e| e.to_string())?;
    for block in samples.chunks(1024) {
        enc.encode_audio_block([block]).map_err(|e| e.to_string())?;
    }
    enc.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

/// An Ogg stream serial derived from the track, so the same input gives the same file.
fn serial(tags: Option<&Tags>) -> u32 {
    OPUS_SERIAL | (tags.map_or(0, |t| t.track) as u32 & 0xffff)
}

/// The serial of untagged Ogg streams ("YO").
pub(crate) const OPUS_SERIAL: u32 = 0x594f_0000;

fn mp3(samples: &[f32], rate: u32) -> Result<Vec<u8>, String> {
    let mut enc = Mp3Stream::new(rate)?;
    let mut out = Vec::with_capacity(samples.len() / 2);
    for block in samples.chunks(24000) {
        out.extend(enc.push(block)?);
    }
    out.extend(enc.finish()?);
    Ok(out)
}

/// LAME fed chunk by chunk: 64 kb/s CBR mono, no VBR header (a stream cannot go back to
/// fill one in), so a whole file and a streamed body are the same frames.
pub(crate) struct Mp3Stream {
    enc: mp3lame_encoder::Encoder,
}

impl Mp3Stream {
    pub(crate) fn new(rate: u32) -> Result<Self, String> {
        use mp3lame_encoder::{Bitrate, Builder, Mode, Quality};
        let mut b = Builder::new().ok_or("LAME did not initialize")?;
        let s = |e: mp3lame_encoder::BuildError| e.to_string();
        b.set_num_channels(1).map_err(s)?;
        b.set_sample_rate(rate).map_err(s)?;
        b.set_mode(Mode::Mono).map_err(s)?;
        b.set_brate(Bitrate::Kbps64).map_err(s)?;
        b.set_quality(Quality::Good).map_err(s)?;
        b.set_to_write_vbr_tag(false).map_err(s)?;
        Ok(Mp3Stream {
            enc: b.build().map_err(s)?,
        })
    }

    /// The frames completed by `samples`.
    pub(crate) fn push(&mut self, samples: &[f32]) -> Result<Vec<u8>, String> {
        let mut out = Vec::with_capacity(mp3lame_encoder::max_required_buffer_size(samples.len()));
        self.enc
            .encode_to_vec(mp3lame_encoder::MonoPcm(samples), &mut out)
            .map_err(|e| e.to_string())?;
        Ok(out)
    }

    /// The last frames.
    pub(crate) fn finish(mut self) -> Result<Vec<u8>, String> {
        let mut out = Vec::with_capacity(7200);
        self.enc
            .flush_to_vec::<mp3lame_encoder::FlushNoGap>(&mut out)
            .map_err(|e| e.to_string())?;
        Ok(out)
    }
}

/// ID3v2 tag: TIT2/TALB/TPE1/TRCK and a CHAP frame per mark (each ending where the next
/// starts) listed by a top-level, ordered CTOC.
fn id3_tag(tags: &Tags, duration_s: f64) -> id3::Tag {
    use id3::frame::{Chapter, TableOfContents};
    use id3::{Frame, TagLike};
    let mut tag = id3::Tag::new();
    tag.set_title(&tags.title);
    tag.set_album(&tags.album);
    if !tags.artist.is_empty() {
        tag.set_artist(&tags.artist);
    }
    tag.set_track(tags.track as u32);
    tag.set_total_tracks(tags.total as u32);
    let ms = |s: f64| (s.max(0.0) * 1000.0).round() as u32;
    let mut ids = Vec::new();
    for (i, m) in tags.marks.iter().enumerate() {
        let end = tags.marks.get(i + 1).map_or(duration_s, |n| n.start_s);
        let id = format!("chp{i}");
        tag.add_frame(Chapter {
            element_id: id.clone(),
            start_time: ms(m.start_s),
            end_time: ms(end),
            start_offset: u32::MAX,
            end_offset: u32::MAX,
            frames: vec![Frame::text("TIT2", m.title.clone())],
        });
        ids.push(id);
    }
    if !ids.is_empty() {
        tag.add_frame(TableOfContents {
            element_id: "toc".to_owned(),
            top_level: true,
            ordered: true,
            elements: ids,
            frames: vec![Frame::text("TIT2", tags.title.clone())],
        });
    }
    tag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_format() {
        assert_eq!(clock(0.0), "00:00:00.000");
        assert_eq!(clock(3723.5), "01:02:03.500");
    }

    #[test]
    fn comments_carry_marks() {
        let t = Tags {
            title: "一".into(),
            album: "本".into(),
            track: 2,
            total: 3,
            marks: vec![Mark {
                start_s: 1.5,
                title: "小".into(),
            }],
            ..Tags::default()
        };
        let c = comments(Some(&t));
        assert!(comments(None).is_empty());
        assert!(c.contains(&("CHAPTER001".into(), "00:00:01.500".into())));
        assert!(c.contains(&("CHAPTER001NAME".into(), "小".into())));
        assert!(c.contains(&("TRACKNUMBER".into(), "2".into())));
    }
}
