//! `yomiage synth`: text, or an AudioQuery to render as it is, into a WAV file; the mora and
//! phoneme timeline beside it on request.

mod wav;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use yomiage_engine::{AudioQuery, SynthesisOptions};

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
    let sink = wav::WavSink::create(&output)?;
    let timings_file = timings.as_deref().map(create_output).transpose()?;
    let mut options = device.engine(accent);
    // A query is rendered as it is: no analysis, so no user dictionary.
    options.user_words = query.is_none();
    let engine = assets.load_engine(&options)?;
    let synthesis = match &query {
        Some(q) => engine.synthesize(q, &voice)?,
        None => {
            let mut opts = SynthesisOptions::default();
            let mut q = AudioQuery::new(Vec::new());
            scales.apply(&mut q);
            opts.speed = q.speed_scale;
            opts.pitch = q.pitch_scale;
            opts.intonation = q.intonation_scale;
            opts.volume = q.volume_scale;
            engine.synthesize_text(&text, &voice, &opts)?
        }
    };
    let path = sink.finish(&synthesis.audio)?;
    if let Some(mut file) = timings_file {
        let json = serde_json::to_string_pretty(&synthesis.timeline)?;
        file.file().write_all(json.as_bytes())?;
        let dest = file.dest().to_owned();
        file.commit()
            .with_context(|| format!("cannot write {}", dest.display()))?;
    }
    eprintln!(
        "wrote {} ({:.2} s, voice {voice})",
        path.display(),
        synthesis.audio.duration_seconds()
    );
    Ok(ExitCode::SUCCESS)
}
