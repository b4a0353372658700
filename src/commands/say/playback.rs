//! Where `say` sends its PCM as it comes: the default audio device (cpal; prebuffered,
//! resampled when the device cannot play 24 kHz) or raw s16le to a file or standard output.

use std::collections::VecDeque;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use yomiage_audio::pcm::s16le;
use yomiage_engine::{Sink, StreamEvent};
use yomiage_vocoder::SAMPLE_RATE;

/// Opens where the PCM goes: `out` (`-` is standard output), else the default audio device.
pub fn open(out: Option<&Path>) -> Result<Box<dyn Output>> {
    Ok(match out {
        Some(p) if p.as_os_str() == "-" => Box::new(RawPcm(Box::new(std::io::stdout().lock()))),
        Some(p) => Box::new(RawPcm(Box::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        ))),
        None => Box::new(Speaker::open()?),
    })
}

/// Where the PCM goes.
pub trait Output {
    fn write(&mut self, pcm: &[f32]) -> Result<()>;
    /// Everything of the current utterance has been written.
    fn end_utterance(&mut self) {}
    fn finish(&mut self) -> Result<()>;
}

/// The engine's sink for an [`Output`]: the audio events go to it; a failed write stops the
/// synthesis and is kept for the caller.
pub struct Playback<'a> {
    pub out: &'a mut dyn Output,
    pub failed: Option<anyhow::Error>,
}

impl Sink for Playback<'_> {
    fn event(&mut self, event: StreamEvent) -> std::ops::ControlFlow<()> {
        if let StreamEvent::Audio(pcm) = event {
            if let Err(e) = self.out.write(&pcm) {
                self.failed = Some(e);
                return std::ops::ControlFlow::Break(());
            }
        }
        std::ops::ControlFlow::Continue(())
    }
    fn end(&mut self, _: &yomiage_engine::StreamEnd) {
        self.out.end_utterance();
    }
}

struct RawPcm(Box<dyn Write>);

impl Output for RawPcm {
    fn write(&mut self, pcm: &[f32]) -> Result<()> {
        self.0.write_all(&s16le(pcm)).context("writing PCM")?;
        // Downstream players should get each chunk as soon as it exists.
        self.0.flush().context("writing PCM")
    }
    fn finish(&mut self) -> Result<()> {
        self.0.flush().context("writing PCM")
    }
}

/// Samples waiting for the audio callback. Playback starts (and restarts after running dry)
/// only once `PREBUFFER` seconds are queued or the utterance is complete: on a slow machine the
/// first chunks come slower than real time, and a late start is better than stutter.
#[derive(Default)]
struct Queue {
    samples: VecDeque<f32>,
    /// The current utterance is complete: play what is queued without waiting for more.
    complete: bool,
    playing: bool,
}

/// Measured with `cargo bench --bench stream` ("gapless playback can start at"): ~0.4 s after
/// the request on 2 cores, of which ~0.25 s is the first chunk.
const PREBUFFER: f64 = 0.3;

struct Speaker {
    queue: Arc<(Mutex<Queue>, Condvar)>,
    _stream: cpal::Stream,
    device_rate: u32,
    resample: Option<Resampler>,
}

/// Linear-phase FFT resampling (rubato) to the device's rate when it cannot play 24 kHz.
struct Resampler {
    inner: rubato::Fft<f32>,
    pending: Vec<f32>,
}

impl Resampler {
    fn new(to: u32) -> Result<Self> {
        let inner = rubato::Fft::<f32>::new(
            SAMPLE_RATE as usize,
            to as usize,
            1200,
            1,
            rubato::FixedSync::Input,
        )
        .map_err(|e| anyhow!("resampler: {e}"))?;
        Ok(Resampler {
            inner,
            pending: Vec::new(),
        })
    }
    fn process(&mut self, pcm: &[f32], last: bool) -> Result<Vec<f32>> {
        use rubato::Resampler as _;
        self.pending.extend_from_slice(pcm);
        if last {
            let need = self.inner.input_frames_next();
            let pad = (need - self.pending.len() % need) % need;
            self.pending.resize(self.pending.len() + pad, 0.0);
        }
        let mut out = Vec::new();
        while self.pending.len() >= self.inner.input_frames_next() {
            let n = self.inner.input_frames_next();
            let block: Vec<f32> = self.pending.drain(..n).collect();
            let input = rubato::audioadapter_buffers::direct::InterleavedSlice::new(&block, 1, n)
                .map_err(|e| anyhow!("resampler: {e}"))?;
            let res = self
                .inner
                .process(&input, None)
                .map_err(|e| anyhow!("resampler: {e}"))?;
            out.extend(res.take_data());
        }
        Ok(out)
    }
}

impl Speaker {
    fn open() -> Result<Self> {
        const NO_DEVICE: &str = "no audio output device is available; use `--out -` to write \
             raw PCM (s16le, 24 kHz, mono) to standard output, e.g. \
             `yomiage say \"…\" --out - | aplay -f S16_LE -r 24000 -c 1`, or `--out FILE`";
        let no_device = || anyhow!(NO_DEVICE);
        let cause = |e: &dyn std::fmt::Display| anyhow!("{NO_DEVICE} ({e})");
        let host = cpal::default_host();
        let device = host.default_output_device().ok_or_else(no_device)?;
        let configs: Vec<_> = device
            .supported_output_configs()
            .map_err(|e| cause(&e))?
            .collect();
        // Prefer 24 kHz f32; otherwise the device's default rate with resampling.
        let wanted = cpal::SampleRate(SAMPLE_RATE);
        let config = configs
            .iter()
            .filter(|c| c.sample_format() == cpal::SampleFormat::F32)
            .find(|c| c.min_sample_rate() <= wanted && wanted <= c.max_sample_rate())
            .map(|c| c.with_sample_rate(wanted))
            .or_else(|| device.default_output_config().ok())
            .ok_or_else(no_device)?;
        if config.sample_format() != cpal::SampleFormat::F32 {
            bail!(
                "the audio device does not take 32-bit float samples ({:?}); use `--out -`",
                config.sample_format()
            );
        }
        let channels = config.channels() as usize;
        let device_rate = config.sample_rate().0;
        let queue: Arc<(Mutex<Queue>, Condvar)> = Arc::default();
        let q = queue.clone();
        let prebuffer = (PREBUFFER * f64::from(config.sample_rate().0)) as usize;
        let stream = device
            .build_output_stream(
                &config.into(),
                move |data: &mut [f32], _| {
                    let (lock, cv) = &*q;
                    let mut g = lock.lock().unwrap_or_else(|p| p.into_inner());
                    if !g.playing && (g.samples.len() >= prebuffer || g.complete) {
                        g.playing = true;
                    }
                    for frame in data.chunks_mut(channels.max(1)) {
                        let s = if g.playing {
                            g.samples.pop_front()
                        } else {
                            None
                        };
                        if s.is_none() && !g.complete {
                            // Ran dry mid-utterance: wait for a new prebuffer.
                            g.playing = false;
                        }
                        frame.fill(s.unwrap_or(0.0));
                    }
                    cv.notify_all();
                },
                |e| tracing::warn!("audio output: {e}"),
                None,
            )
            .map_err(|e| cause(&e))?;
        stream.play().map_err(|e| cause(&e))?;
        let resample = (device_rate != SAMPLE_RATE)
            .then(|| Resampler::new(device_rate))
            .transpose()?;
        Ok(Speaker {
            queue,
            _stream: stream,
            device_rate,
            resample,
        })
    }
}

impl Output for Speaker {
    fn write(&mut self, pcm: &[f32]) -> Result<()> {
        let pcm = match &mut self.resample {
            Some(r) => r.process(pcm, false)?,
            None => pcm.to_vec(),
        };
        let (lock, _) = &*self.queue;
        let mut g = lock.lock().unwrap_or_else(|p| p.into_inner());
        g.complete = false;
        g.samples.extend(pcm);
        Ok(())
    }
    fn end_utterance(&mut self) {
        let (lock, _) = &*self.queue;
        lock.lock().unwrap_or_else(|p| p.into_inner()).complete = true;
    }
    fn finish(&mut self) -> Result<()> {
        if let Some(r) = &mut self.resample {
            let rest = r.process(&[], true)?;
            let (lock, _) = &*self.queue;
            lock.lock()
                .unwrap_or_else(|p| p.into_inner())
                .samples
                .extend(rest);
        }
        // Wait until the device has played everything (bounded, in case it stalls).
        let (lock, cv) = &*self.queue;
        let mut g = lock.lock().unwrap_or_else(|p| p.into_inner());
        g.complete = true;
        let limit = Duration::from_secs_f64(g.samples.len() as f64 / self.device_rate as f64 + 2.0);
        let started = std::time::Instant::now();
        while !g.samples.is_empty() && started.elapsed() < limit {
            g = cv
                .wait_timeout(g, Duration::from_millis(50))
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        drop(g);
        // Let the device's own buffer drain.
        std::thread::sleep(Duration::from_millis(150));
        Ok(())
    }
}
