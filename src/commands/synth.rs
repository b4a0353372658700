//! `yomiage synth`: text, or an AudioQuery to render as it is, into a WAV file; the mora and
//! phoneme timeline beside it on request.

mod wav;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use yomiage_engine::{AudioQuery, CancelToken, Input, Rendering, SynthesisOptions};

use super::{create_output, read_text, AccentArgs, DeviceArgs};
use crate::assets::Assets;

#[derive(clap::Args)]
pub struct Args {
    /// The text to speak; `-` reads standard input. Not needed with --query.
    #[arg(required_unless_present = "query")]
    text: Option<String>,
    /// Render this AudioQuery JSON (from `yomiage query`, possibly edited) instead of text.
    #[arg(long, conflicts_with = "text")]
    query: Option<PathBuf>,
    /// Output WAV file.
    #[arg(short, long, default_value = "out.wav")]
    output: PathBuf,
    /// Write the mora/phoneme timeline (seconds, visemes) as JSON here.
    #[arg(long)]
    timings: Option<PathBuf>,
    /// Voice name or speaker ID (see `yomiage voices`).
    #[arg(long, default_value = "jf_alpha")]
    voice: String,
    #[command(flatten)]
    scales: Scales,
    #[command(flatten)]
    device: DeviceArgs,
    #[command(flatten)]
    accent: AccentArgs,
}

/// VOICEVOX's scales; with --query they override the query's own only when given.
#[derive(clap::Args, Clone, Copy)]
struct Scales {
    /// Speaking rate (speedScale; 1 = the voice's own).
    #[arg(long)]
    speed: Option<f32>,
    /// Pitch (pitchScale; mora log-pitches × 2^pitch, as VOICEVOX).
    #[arg(long, allow_hyphen_values = true)]
    pitch: Option<f32>,
    /// Intonation (intonationScale; deviation from the mean pitch × this).
    #[arg(long)]
    intonation: Option<f32>,
    /// Volume (volumeScale).
    #[arg(long)]
    volume: Option<f32>,
}

impl Scales {
    fn apply(&self, q: &mut AudioQuery) {
        q.speed_scale = self.speed.unwrap_or(q.speed_scale);
        q.pitch_scale = self.pitch.unwrap_or(q.pitch_scale);
        q.intonation_scale = self.intonation.unwrap_or(q.intonation_scale);
        q.volume_scale = self.volume.unwrap_or(q.volume_scale);
    }
}

pub fn run(args: Args, assets: &Assets) -> Result<ExitCode> {
    let Args {
        text,
        query,
        output,
        timings,
        voice,
        scales,
        device,
        accent,
    } = args;
    // Validate everything the user gave before any slow work.
    let voice = assets.manifest().voice(&voice)?;
    let query = match query {
        Some(path) => {
            let json = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let mut q = AudioQuery::from_json(&json)
                .with_context(|| format!("{} is not an AudioQuery", path.display()))?;
            scales.apply(&mut q);
            Some(
                q.check()
                    .with_context(|| format!("invalid query in {}", path.display()))?,
            )
        }
        None => None,
    };
    let text = match query {
        Some(_) => String::new(),
        None => read_text(text.unwrap_or_default())?,
    };
    // A query says its own output rate and channels; text comes out at 24 kHz mono.
    let (rate, channels) = match &query {
        Some(q) => (
            q.get().output_sampling_rate,
            if q.get().output_stereo { 2 } else { 1 },
        ),
        None => (yomiage_vocoder::SAMPLE_RATE, 1),
    };
    let mut wav = wav::WavFile::create(&output, rate, channels)?;
    let timings_file = timings.as_deref().map(create_output).transpose()?;
    let mut options = device.engine(accent);
    // A query is rendered as it is: no analysis, so no user dictionary.
    options.user_words = query.is_none();
    let engine = assets.load_engine(&options)?;
    match &query {
        Some(q) => {
            // Resampling and stereo need the whole utterance.
            let s = engine.synthesize(q, &voice)?;
            wav.write(&s.audio.samples)?;
            wav.timeline = s.timeline;
        }
        None => {
            let mut opts = SynthesisOptions::default();
            let mut q = AudioQuery::new(Vec::new());
            scales.apply(&mut q);
            opts.speed = q.speed_scale;
            opts.pitch = q.pitch_scale;
            opts.intonation = q.intonation_scale;
            opts.volume = q.volume_scale;
            let input = Input::Text(&text);
            let never = CancelToken::new();
            engine.speak(input, &voice, &opts, Rendering::Whole, &never, &mut wav)?;
        }
    };
    let seconds = wav.duration_seconds();
    let timeline = std::mem::take(&mut wav.timeline);
    let path = wav.finish()?;
    if let Some(mut file) = timings_file {
        let json = serde_json::to_string_pretty(&timeline)?;
        file.file().write_all(json.as_bytes())?;
        let dest = file.dest().to_owned();
        file.commit()
            .with_context(|| format!("cannot write {}", dest.display()))?;
    }
    eprintln!("wrote {} ({:.2} s, voice {voice})", path.display(), seconds);
    Ok(ExitCode::SUCCESS)
}
