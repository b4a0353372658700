//! The commands, one module each: its flags (`Args`) and what it does (`run`). Here: the flags
//! that several commands flatten in (`--accent`, `--device`, `--precision`) and the text
//! argument's `-` for standard input; output files opened before the slow work.

pub mod accent;
pub mod book;
pub mod dict;
pub mod query;
pub mod say;
pub mod serve;
pub mod setup;
pub mod synth;
pub mod voices;

use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context, Result};
use yomiage_engine::onnx::DeviceRequest;
use yomiage_engine::Precision;
use yomiage_files::AtomicFile;
use yomiage_frontend::AccentEstimator;

use crate::assets::EngineOptions;

/// `--accent rules|learned`, flattened into every command that analyses text. Not a global
/// flag: `dict add --accent N` is a word's accent type.
#[derive(clap::Args, Clone, Copy, Debug)]
pub struct AccentArgs {
    /// How accent phrases and nuclei are decided: `learned` (the rules revised by a model
    /// trained on human-labelled speech; the default, more accurate) or `rules` (OpenJTalk-style
    /// rules alone). User-dictionary words keep their accent under both.
    #[arg(
        long = "accent",
        env = "YOMIAGE_ACCENT",
        value_name = "rules|learned",
        default_value = "learned"
    )]
    pub estimator: AccentEstimator,
}

/// `--device` and `--precision`: one set of flags that every command running the models
/// flattens in (`#[command(flatten)] device: DeviceArgs`).
#[derive(clap::Args, Clone, Copy, Debug)]
pub struct DeviceArgs {
    /// Where the models run: cpu; cuda (an error if CUDA cannot start); auto (CUDA if it
    /// starts, else the CPU, saying why with -v). CUDA needs `yomiage setup --gpu`.
    #[arg(long, value_enum, env = "YOMIAGE_DEVICE", default_value_t = DeviceArg::Cpu)]
    pub device: DeviceArg,
    /// Decoder weights: int8 (the CPU's default), fp32 (CUDA's default) or fp16 (weighted
    /// layers in half precision). The float ones come with `yomiage setup --gpu`.
    #[arg(long, value_enum, env = "YOMIAGE_PRECISION")]
    pub precision: Option<PrecisionArg>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceArg {
    Cpu,
    Cuda,
    Auto,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrecisionArg {
    Int8,
    Fp32,
    Fp16,
}

impl DeviceArgs {
    /// The engine on this device with this accent estimator and the user dictionary's words.
    pub fn engine(&self, accent: AccentArgs) -> EngineOptions {
        EngineOptions {
            device: match self.device {
                DeviceArg::Cpu => DeviceRequest::Cpu,
                DeviceArg::Cuda => DeviceRequest::Cuda,
                DeviceArg::Auto => DeviceRequest::Auto,
            },
            precision: self.precision.map(|p| match p {
                PrecisionArg::Int8 => Precision::Int8,
                PrecisionArg::Fp32 => Precision::Fp32,
                PrecisionArg::Fp16 => Precision::Fp16,
            }),
            accent: accent.estimator,
            user_words: true,
            threads: None,
            sessions: None,
        }
    }
}

/// The text argument: `-` reads standard input. Empty (or blank) text is an error.
pub fn read_text(text: String) -> Result<String> {
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
    Ok(text)
}

/// An output file, written whole or not at all, opened before the slow work so that a bad
/// path fails early. Its folder must exist (a mistyped one is not created).
pub fn create_output(path: &Path) -> Result<AtomicFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let cannot = || format!("cannot write to {}", dir.display());
    std::fs::read_dir(dir).with_context(cannot)?;
    AtomicFile::create(path).with_context(cannot)
}

/// Columns a string takes in a terminal, for aligned tables: kana, kanji and full-width marks
/// take two.
pub fn width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}
