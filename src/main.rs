//! The `yomiage` command line: the top-level flags, logging, and one call into the command
//! asked for (each lives in `commands/`, its flags beside it). Everything the commands load from
//! the data directory goes through `assets`; failures are printed with the advice of `advice`.

mod advice;
mod commands;

// Asset location and set-up live in a library crate (the Python package uses them too).
use yomiage_setup as setup;
use yomiage_setup::assets;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

use assets::Assets;
use commands::{accent, book, dict, query, say, serve, synth, voices};

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
    /// The user dictionary file (default: user_dict.json in the data directory).
    #[arg(long, global = true, env = "YOMIAGE_USER_DICT", value_name = "FILE")]
    user_dict: Option<PathBuf>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Fetch, verify and build everything yomiage needs (idempotent).
    Setup(commands::setup::Args),
    /// Synthesize text into a WAV file (24 kHz, 16-bit, mono).
    Synth(synth::Args),
    /// Print the AudioQuery (VOICEVOX JSON) for a text: phrases, moras, lengths, pitches.
    Query(query::Args),
    /// List the voices and their speaker IDs.
    Voices,
    /// Show how a text is read and accented (needs only the dictionary, not the voice).
    Accent(accent::Args),
    /// The user dictionary: words with their reading, accent and priority, used by every
    /// command that analyses text (VOICEVOX-compatible import and export).
    Dict {
        #[command(subcommand)]
        action: dict::DictCmd,
    },
    /// Speak text through the default audio device as it is synthesized (or stream raw PCM
    /// with `--out`).
    Say(say::Args),
    /// Render a book (Aozora Bunko text, plain text or EPUB) to one audio file per chapter,
    /// with a playlist and book.json; resumable (run again to continue or to re-render what a
    /// changed setting affects).
    Book(Box<book::Args>),
    /// Run the HTTP server: VOICEVOX-compatible API, OpenAI-compatible /v1/audio/speech,
    /// docs at /docs.
    Serve(serve::Args),
}

/// At most two glibc malloc arenas. By default glibc gives each busy thread an arena of its own
/// (up to 8 per core) and keeps what is freed there: the server's many request threads then
/// hold on to freed audio buffers. Measured with the soak (32 clients, 60 s): peak RSS 624 MiB
/// with the default, 471 MiB with two arenas.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; it is called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn main() -> ExitCode {
    limit_malloc_arenas();
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", advice::explain(&e));
            ExitCode::FAILURE
        }
    }
}

/// Log lines on standard error: warnings by default, more with each `-v`; RUST_LOG overrides.
fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // Colors only on a terminal: a log written to a pipe or a file carries no escape codes.
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

fn run(cli: Cli) -> Result<ExitCode> {
    let assets = Assets::from_env(cli.user_dict)?;
    match cli.command {
        Cmd::Setup(args) => commands::setup::run(args, &assets),
        Cmd::Synth(args) => synth::run(args, &assets),
        Cmd::Query(args) => query::run(args, &assets),
        Cmd::Voices => voices::run(&assets),
        Cmd::Accent(args) => accent::run(args, &assets),
        Cmd::Dict { action } => dict::run(action, &assets),
        Cmd::Say(args) => say::run(args, &assets),
        Cmd::Book(args) => book::run(*args, &assets),
        Cmd::Serve(args) => serve::run(args, &assets),
    }
}
