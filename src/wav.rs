//! WAV output that never leaves a partial file: samples go to a temporary file in the target
//! directory, renamed over the destination only when complete.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use yomiage_engine::Audio;

pub struct WavSink {
    dest: PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl WavSink {
    /// Opens the temporary file now, so an unwritable destination fails before synthesis.
    pub fn create(dest: &Path) -> Result<Self> {
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        if dest.is_dir() {
            anyhow::bail!("{} is a directory", dest.display());
        }
        let tmp = tempfile::Builder::new()
            .prefix(".yomiage-")
            .suffix(".wav.partial")
            .tempfile_in(&dir)
            .with_context(|| format!("cannot write to {}", dir.display()))?;
        Ok(WavSink {
            dest: dest.to_owned(),
            tmp,
        })
    }

    pub fn finish(mut self, audio: &Audio) -> Result<PathBuf> {
        let spec = hound::WavSpec {
            channels: audio.channels,
            sample_rate: audio.sample_rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        {
            let file = std::io::BufWriter::new(self.tmp.as_file_mut());
            let mut w = hound::WavWriter::new(file, spec).context("writing the WAV header")?;
            for &s in &audio.samples {
                w.write_sample(to_i16(s)).context("writing samples")?;
            }
            w.finalize().context("finishing the WAV file")?;
        }
        self.tmp
            .as_file()
            .sync_all()
            .context("flushing the WAV file")?;
        self.tmp
            .persist(&self.dest)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write {}", self.dest.display()))?;
        Ok(self.dest)
    }
}

fn to_i16(s: f32) -> i16 {
    (s.clamp(-1.0, 1.0) * i16::MAX as f32).round() as i16
}
