//! `yomiage serve`: the HTTP server (VOICEVOX-compatible API, OpenAI-compatible speech).

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use yomiage_server::limit::Scheduling;
use yomiage_server::{AppState, ServerConfig};
use yomiage_voices::{Manifest, VoiceId};

use super::{AccentArgs, DeviceArgs};
use crate::assets::Assets;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    accent: AccentArgs,
    /// Address to listen on; 0.0.0.0 exposes the server to the network.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port (VOICEVOX's 50021 by default; 0 picks a free one, printed at start).
    #[arg(long, default_value_t = 50021)]
    port: u16,
    /// Syntheses running at once (default: the number of CPU cores).
    #[arg(long, value_name = "N")]
    max_concurrency: Option<usize>,
    /// Requests waiting for a synthesis slot; more are refused with 503.
    #[arg(long, value_name = "N", default_value_t = 64)]
    max_queue: usize,
    /// Per-request time limit in seconds, queueing included.
    #[arg(long, value_name = "SECONDS", default_value_t = 120.0)]
    timeout: f64,
    /// Longest text per request, in characters.
    #[arg(long, value_name = "N", default_value_t = 4096)]
    max_text_chars: usize,
    /// Largest request body in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 4 * 1024 * 1024)]
    max_body_bytes: usize,
    /// Seconds a client has to send a request's headers, and its body, and to take a
    /// response's next bytes; slower clients are cut off (408 for a late body).
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    client_timeout: f64,
    /// Seconds a WebSocket may stay silent (nothing sent, nothing being spoken) before it is
    /// closed.
    #[arg(long, value_name = "SECONDS", default_value_t = 600.0)]
    ws_idle_timeout: f64,
    /// Most words the user dictionary may hold (additions and imports beyond it are refused).
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    max_dict_words: usize,
    /// Allow browser pages from this origin (repeatable; `*` for any). CORS is off without it.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// Voices to warm before `/health` reports ready (repeatable; `all` = every voice, `none`
    /// = report ready at once). Each first warm-up calibrates streaming once (about 15 s,
    /// then kept on disk).
    #[arg(long = "warm", value_name = "VOICE", default_value = "all")]
    warm: Vec<String>,
    /// Order of the synthesis queue: `fair` (short lines before long texts, long texts make
    /// way between sentences) or `fifo` (first come, first served).
    #[arg(long, value_enum, default_value_t = SchedulingArg::Fair)]
    scheduling: SchedulingArg,
    #[command(flatten)]
    device: DeviceArgs,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum SchedulingArg {
    Fair,
    Fifo,
}

impl Args {
    fn config(&self) -> Result<ServerConfig> {
        let seconds = |flag: &str, v: f64| {
            if v.is_finite() && v > 0.0 && v < 1e9 {
                Ok(Duration::from_secs_f64(v))
            } else {
                Err(anyhow::anyhow!(
                    "{flag} must be a positive number of seconds"
                ))
            }
        };
        let client = seconds("--client-timeout", self.client_timeout)?;
        let default = ServerConfig::default();
        Ok(ServerConfig {
            host: self.host.clone(),
            port: self.port,
            max_concurrency: self
                .max_concurrency
                .unwrap_or(default.max_concurrency)
                .max(1),
            max_queue: self.max_queue,
            request_timeout: seconds("--timeout", self.timeout)?,
            header_timeout: client,
            body_timeout: client,
            send_timeout: client,
            send_buffer_bytes: default.send_buffer_bytes,
            ws_idle_timeout: seconds("--ws-idle-timeout", self.ws_idle_timeout)?,
            max_dict_words: self.max_dict_words,
            max_body_bytes: self.max_body_bytes,
            max_text_chars: self.max_text_chars,
            cors_origins: self.cors_origins.clone(),
            scheduling: match self.scheduling {
                SchedulingArg::Fair => Scheduling::Fair,
                SchedulingArg::Fifo => Scheduling::Fifo,
            },
        })
    }

    /// The voices `--warm` names.
    fn warm(&self, manifest: &Manifest) -> Result<Vec<VoiceId>> {
        let mut voices = Vec::new();
        for name in &self.warm {
            match name.as_str() {
                "all" => voices.extend(manifest.voices()),
                "none" => {}
                other => voices.push(
                    manifest
                        .voice(other)
                        .with_context(|| format!("--warm {other}"))?,
                ),
            }
        }
        voices.dedup_by(|a, b| a.id() == b.id());
        Ok(voices)
    }
}

pub fn run(args: Args, assets: &Assets) -> Result<ExitCode> {
    let config = args.config()?;
    let warm = args.warm(assets.manifest())?;
    // The server reads and applies the user dictionary itself (and edits it over HTTP).
    let mut options = args.device.engine(args.accent);
    options.user_words = false;
    let engine = assets.load_engine(&options)?;
    eprintln!(
        "yomiage serve: models on {} ({} decoder)",
        engine.device(),
        engine.precision()
    );
    let state = AppState::new(
        engine,
        assets.manifest().clone(),
        assets.user_dict_file().to_owned(),
        config,
    )
    .context("starting the server")?;
    yomiage_server::run_blocking(state, warm, |addr| {
        eprintln!("yomiage serve: listening on http://{addr} (API docs at http://{addr}/docs)");
    })
    .context("serving")?;
    eprintln!("yomiage serve: stopped");
    Ok(ExitCode::SUCCESS)
}
