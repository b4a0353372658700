//! The `yomiage` command line: setup, synthesis to WAV files, and the voice list.

mod setup;
mod wav;

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use yomiage_engine::onnx::SessionOptions;
use yomiage_engine::{Engine, EnginePaths, SynthesisOptions};
use yomiage_voices::{Layout, Manifest};

use setup::stamp::Health;
use setup::{Component, Setup};

#[derive(Parser)]
#[command(
    name = "yomiage",
    version,
    about = "Japanese text-to-speech with explicit, editable pitch accent"
)]
struct Cli {
    /// More log output (repeat for more); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Fetch, verify and build everything yomiage needs (idempotent).
    Setup {
        /// Only report what is present, missing or corrupt; exit 1 if anything is not present.
        #[arg(long)]
        check: bool,
        /// Limit to some components (default: all).
        #[arg(long, value_enum)]
        only: Vec<ComponentArg>,
    },
    /// Synthesize text into a WAV file (24 kHz, 16-bit, mono).
    Synth {
        /// The text to speak; `-` reads standard input.
        text: String,
        /// Output WAV file.
        #[arg(short, long, default_value = "out.wav")]
        output: PathBuf,
        /// Voice name or speaker ID (see `yomiage voices`).
        #[arg(long, default_value = "jf_alpha")]
        voice: String,
        /// Speaking rate (1 = the voice's own).
        #[arg(long, default_value_t = 1.0)]
        speed: f32,
    },
    /// List the voices and their speaker IDs.
    Voices,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ComponentArg {
    Onnxruntime,
    Voice,
    Models,
    Dictionary,
}

impl From<ComponentArg> for Component {
    fn from(c: ComponentArg) -> Self {
        match c {
            ComponentArg::Onnxruntime => Component::Runtime,
            ComponentArg::Voice => Component::Voice,
            ComponentArg::Models => Component::Models,
            ComponentArg::Dictionary => Component::Dictionary,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let default = match cli.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cmd: Cmd) -> Result<ExitCode> {
    let manifest = Manifest::builtin()?;
    let layout = Layout::from_env()?;
    match cmd {
        Cmd::Setup { check, only } => {
            let components: Vec<Component> = if only.is_empty() {
                Component::ALL.to_vec()
            } else {
                only.into_iter().map(Component::from).collect()
            };
            let setup = Setup::new(layout.clone(), manifest);
            if check {
                return check_report(&setup, &layout, &components);
            }
            eprintln!("data directory: {}", layout.root().display());
            setup.ensure(&components, true)?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Voices => {
            for s in &manifest.speakers {
                println!(
                    "{:>3}  {:<14} {} ({})",
                    s.id, s.name, s.display_name, s.gender
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Synth {
            text,
            output,
            voice,
            speed,
        } => {
            // Validate everything the user gave before any slow work.
            let voice = manifest.voice(&voice)?;
            let text = if text == "-" {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .context("reading the text from standard input")?;
                s
            } else {
                text
            };
            if text.trim().is_empty() {
                bail!("the text is empty");
            }
            let sink = wav::WavSink::create(&output)?;
            let engine = load_engine(&layout, &manifest)?;
            let opts = SynthesisOptions {
                speed,
                ..SynthesisOptions::default()
            };
            let audio = engine.synthesize_text(&text, &voice, &opts)?;
            let path = sink.finish(&audio)?;
            eprintln!(
                "wrote {} ({:.2} s, voice {voice})",
                path.display(),
                audio.duration_seconds()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check_report(setup: &Setup, layout: &Layout, components: &[Component]) -> Result<ExitCode> {
    println!("data directory: {}", layout.root().display());
    let mut ok = true;
    for &c in components {
        match setup.full_health(c)? {
            Health::Present => println!("present  {c}"),
            Health::Missing(r) => {
                ok = false;
                println!("missing  {c} ({r})");
            }
            Health::Corrupt(r) => {
                ok = false;
                println!("corrupt  {c} ({r})");
            }
        }
    }
    if !ok {
        println!("run `yomiage setup` to install or repair");
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Loads the engine, first running setup for anything missing (unless YOMIAGE_AUTO_SETUP=0).
fn load_engine(layout: &Layout, manifest: &Manifest) -> Result<Engine> {
    let setup = Setup::new(layout.clone(), manifest.clone());
    let missing: Vec<(Component, Health)> = Component::ALL
        .iter()
        .map(|&c| (c, setup.quick_health(c)))
        .filter(|(_, h)| *h != Health::Present)
        .collect();
    if !missing.is_empty() {
        let auto = std::env::var("YOMIAGE_AUTO_SETUP").map_or(true, |v| v != "0");
        let list: Vec<String> = missing.iter().map(|(c, h)| format!("{c} ({h})")).collect();
        if !auto {
            bail!("not set up: {}; run `yomiage setup`", list.join(", "));
        }
        eprintln!("first use: setting up {}", list.join(", "));
        let components: Vec<Component> = missing.iter().map(|(c, _)| *c).collect();
        setup
            .ensure(&components, false)
            .context("automatic setup failed")?;
    }
    let paths = EnginePaths::from_layout(layout, manifest);
    Engine::load(&paths, SessionOptions::default()).context("loading the engine")
}
