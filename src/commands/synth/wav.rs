//! A WAV file as the engine's sink: 16-bit samples written as they arrive into a temporary
//! file in the target directory, renamed over the destination only when complete; the
//! timeline kept for `--timings`.

use std::fs::File;
use std::io::BufWriter;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use yomiage_audio::pcm::to_i16;
use yomiage_engine::timeline::Timeline;
use yomiage_engine::{Sink, StreamEvent};
use yomiage_files::AtomicFile;

pub struct WavFile {
    file: AtomicFile,
    writer: hound::WavWriter<BufWriter<File>>,
    spec: hound::WavSpec,
    samples: usize,
    failed: Option<hound::Error>,
    /// Every timeline event, in order.
    pub timeline: Timeline,
}

impl WavFile {
    /// Opens the temporary file now, so an unwritable destination fails before synthesis.
    pub fn create(dest: &Path, sample_rate: u32, channels: u16) -> Result<Self> {
        if dest.is_dir() {
            anyhow::bail!("{} is a directory", dest.display());
        }
        let mut file = crate::commands::create_output(dest)?;
        let spec = hound::WavSpec {
            channels,
            sample_rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let handle = file.file().try_clone().context("opening the WAV file")?;
        let writer = hound::WavWriter::new(BufWriter::new(handle), spec)
            .context("writing the WAV header")?;
        Ok(WavFile {
            file,
            writer,
            spec,
            samples: 0,
            failed: None,
            timeline: Timeline::default(),
        })
    }

    /// Appends interleaved samples.
    pub fn write(&mut self, samples: &[f32]) -> Result<()> {
        self.push(samples).context("writing samples")
    }

    fn push(&mut self, samples: &[f32]) -> Result<(), hound::Error> {
        for &s in samples {
            self.writer.write_sample(to_i16(s))?;
        }
        self.samples += samples.len();
        Ok(())
    }

    /// Seconds written so far.
    pub fn duration_seconds(&self) -> f64 {
        self.samples as f64
            / f64::from(self.spec.channels.max(1))
            / f64::from(self.spec.sample_rate)
    }

    /// Completes the header and gives the file its name.
    pub fn finish(self) -> Result<PathBuf> {
        if let Some(e) = self.failed {
            return Err(e).context("writing samples");
        }
        self.writer.finalize().context("finishing the WAV file")?;
        let dest = self.file.dest().to_owned();
        self.file
            .commit()
            .with_context(|| format!("cannot write {}", dest.display()))
    }
}

impl Sink for WavFile {
    fn event(&mut self, event: StreamEvent) -> ControlFlow<()> {
        match event {
            StreamEvent::Audio(pcm) => {
                if let Err(e) = self.push(&pcm) {
                    self.failed = Some(e);
                    return ControlFlow::Break(());
                }
            }
            StreamEvent::Timeline(t) => {
                self.timeline.moras.extend(t.moras);
                self.timeline.phonemes.extend(t.phonemes);
            }
            StreamEvent::Sentence { .. } => {}
        }
        ControlFlow::Continue(())
    }
}
