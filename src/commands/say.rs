//! `yomiage say`: speech that starts while the rest is still being synthesized, to the default
//! audio device (cpal) or as raw PCM to a file or standard output.

mod playback;

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use yomiage_engine::{CancelToken, Engine, Input, Rendering, SynthesisOptions};
use yomiage_voices::VoiceId;

use super::{AccentArgs, DeviceArgs};
use crate::assets::Assets;
use playback::{Output, Playback};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    accent: AccentArgs,
    /// The text to speak; `-` reads standard input and speaks each line as it arrives (for
    /// piping a chatbot's output).
    text: String,
    /// Write raw PCM (s16le, 24 kHz, mono) here instead of playing it; `-` is standard output
    /// (e.g. `| aplay -f S16_LE -r 24000 -c 1`).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Voice name or speaker ID (see `yomiage voices`).
    #[arg(long, default_value = "jf_alpha")]
    voice: String,
    /// Speaking rate (1 = the voice's own).
    #[arg(long, default_value_t = 1.0)]
    speed: f32,
    #[command(flatten)]
    device: DeviceArgs,
}

pub fn run(args: Args, assets: &Assets) -> Result<ExitCode> {
    let voice = assets.manifest().voice(&args.voice)?;
    if !(0.5..=2.0).contains(&args.speed) {
        bail!("--speed must be between 0.5 and 2.0, got {}", args.speed);
    }
    if args.text.trim().is_empty() {
        bail!("the text is empty");
    }
    // Open the output first: a missing device fails before the model load.
    let mut sink = playback::open(args.out.as_deref())?;
    let engine = assets.load_engine(&args.device.engine(args.accent))?;
    if !engine.streaming_ready(&voice) {
        eprintln!("preparing voice {voice} for streaming (once, about 15 s)…");
        engine.prepare_streaming(&voice)?;
    }
    std::thread::scope(|scope| {
        // The streaming sessions load while the first text is analysed and its acoustic
        // model runs (a cold start's largest cost); a failure surfaces again when speaking.
        scope.spawn(|| engine.prepare_streaming(&voice));
        speak_all(&args, &engine, &voice, sink.as_mut())
    })?;
    sink.finish()?;
    Ok(ExitCode::SUCCESS)
}

fn speak_all(args: &Args, engine: &Engine, voice: &VoiceId, sink: &mut dyn Output) -> Result<()> {
    let opts = SynthesisOptions {
        speed: args.speed,
        ..SynthesisOptions::default()
    };
    let cancel = CancelToken::new();
    let speak = |text: &str, out: &mut dyn Output| -> Result<()> {
        let mut sink = Playback { out, failed: None };
        let result = engine.speak(
            Input::Text(text),
            voice,
            &opts,
            Rendering::Streamed,
            &cancel,
            &mut sink,
        );
        if let Some(e) = sink.failed {
            return Err(e);
        }
        match result {
            Ok(_) => Ok(()),
            Err(e) if e.is_nothing_to_say() => {
                sink.out.end_utterance();
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    };
    if args.text == "-" {
        for line in std::io::stdin().lock().lines() {
            let line = line.context("reading standard input (is it UTF-8?)")?;
            if !line.trim().is_empty() {
                speak(&line, sink)?;
            }
        }
    } else {
        speak(&args.text, sink)?;
    }
    Ok(())
}
