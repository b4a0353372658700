//! WAV output that never leaves a partial file: samples go to a temporary file in the target
//! directory, renamed over the destination only when complete.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use yomiage_engine::Audio;
use yomiage_files::AtomicFile;

pub struct WavSink {
    file: AtomicFile,
}

impl WavSink {
    /// Opens the temporary file now, so an unwritable destination fails before synthesis.
    pub fn create(dest: &Path) -> Result<Self> {
        if dest.is_dir() {
            anyhow::bail!("{} is a directory", dest.display());
        }
        Ok(WavSink {
            file: crate::commands::create_output(dest)?,
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
            let file = std::io::BufWriter::new(self.file.file());
            let mut w = hound::WavWriter::new(file, spec).context("writing the WAV header")?;
            for &s in &audio.samples {
                w.write_sample(to_i16(s)).context("writing samples")?;
            }
            w.finalize().context("finishing the WAV file")?;
        }
        let dest = self.file.dest().to_owned();
        self.file
            .commit()
            .with_context(|| format!("cannot write {}", dest.display()))
    }
}

fn to_i16(s: f32) -> i16 {
    (s.clamp(-1.0, 1.0) * i16::MAX as f32).round() as i16
}
