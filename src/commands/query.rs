//! `yomiage query`: the AudioQuery (VOICEVOX JSON) of a text, to edit and render with
//! `synth --query`.

use std::process::ExitCode;

use anyhow::Result;

use super::{read_text, AccentArgs, DeviceArgs};
use crate::assets::Assets;

#[derive(clap::Args)]
pub struct Args {
    /// The text; `-` reads standard input.
    text: String,
    /// Voice name or speaker ID.
    #[arg(long, default_value = "jf_alpha")]
    voice: String,
    #[command(flatten)]
    device: DeviceArgs,
    #[command(flatten)]
    accent: AccentArgs,
}

pub fn run(args: Args, assets: &Assets) -> Result<ExitCode> {
    let voice = assets.manifest().voice(&args.voice)?;
    let text = read_text(args.text)?;
    let engine = assets.load_engine(&args.device.engine(args.accent))?;
    let query = engine.audio_query(&text, &voice)?;
    println!("{}", serde_json::to_string_pretty(&query)?);
    Ok(ExitCode::SUCCESS)
}
