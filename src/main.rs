//! The `yomiage` command line: setup, synthesis to WAV files, the voice list and the user
//! dictionary.

mod book;
mod device;
mod dict;
mod say;
mod serve;
mod setup;
mod wav;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use yomiage_engine::onnx::SessionOptions;
use yomiage_engine::{AudioQuery, Engine, EnginePaths, SynthesisOptions};
use yomiage_frontend::AccentEstimator;
use yomiage_voices::{Layout, Manifest};

use device::{DeviceArg, DeviceArgs};
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
    /// The user dictionary file (default: user_dict.json in the data directory).
    #[arg(long, global = true, env = "YOMIAGE_USER_DICT", value_name = "FILE")]
    user_dict: Option<PathBuf>,
    #[command(subcommand)]
    command: Cmd,
}

/// `--accent rules|learned`, flattened into every command that analyses text. Not a global
/// flag: `dict add --accent N` is a word's accent type.
#[derive(clap::Args, Clone, Copy, Debug)]
pub(crate) struct AccentArgs {
    /// How accent phrases and nuclei are decided: `learned` (the rules revised by a model
    /// trained on human-labelled speech; the default, more accurate) or `rules` (OpenJTalk-style
    /// rules alone). User-dictionary words keep their accent under both.
    #[arg(
        long = "accent",
        env = "YOMIAGE_ACCENT",
        value_name = "rules|learned",
        default_value = "learned"
    )]
    pub(crate) estimator: AccentEstimator,
}

#[derive(Subcommand)]
enum Cmd {
    /// Fetch, verify and build everything yomiage needs (idempotent).
    Setup {
        /// Only report what is present, missing or corrupt; exit 1 if anything is not present.
        #[arg(long)]
        check: bool,
        /// Limit to some components (default: all but the GPU ones).
        #[arg(long, value_enum)]
        only: Vec<ComponentArg>,
        /// Also the GPU runtime (onnxruntime-gpu, CUDA and cuDNN from PyPI, ~1.2 GB) and the
        /// float models that `--device cuda` runs.
        #[arg(long, conflicts_with = "only")]
        gpu: bool,
    },
    /// Synthesize text into a WAV file (24 kHz, 16-bit, mono).
    Synth {
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
    },
    /// Print the AudioQuery (VOICEVOX JSON) for a text: phrases, moras, lengths, pitches.
    Query {
        /// The text; `-` reads standard input.
        text: String,
        /// Voice name or speaker ID.
        #[arg(long, default_value = "jf_alpha")]
        voice: String,
        #[command(flatten)]
        device: DeviceArgs,
        #[command(flatten)]
        accent: AccentArgs,
    },
    /// List the voices and their speaker IDs.
    Voices,
    /// Show how a text is read and accented (needs only the dictionary, not the voice).
    Accent {
        /// The text; `-` reads standard input. With `--format jsonl`: a file of
        /// `{"id", "text"}` lines, or `-` for standard input.
        input: String,
        /// human: a line per accent phrase (＼ after the nucleus, H/L tones); json: VOICEVOX
        /// `accent_phrases`; jsonl: a `{"id", "phrases"}` line per input line (the accent
        /// dev-set format; bad lines are skipped with a warning and exit status 1).
        #[arg(long, value_enum, default_value_t = AccentFormat::Human)]
        format: AccentFormat,
        /// Short for `--format json`.
        #[arg(long, conflicts_with = "format")]
        json: bool,
        #[command(flatten)]
        accent: AccentArgs,
    },
    /// The user dictionary: words with their reading, accent and priority, used by every
    /// command that analyses text (VOICEVOX-compatible import and export).
    Dict {
        #[command(subcommand)]
        action: dict::DictCmd,
    },
    /// Speak text through the default audio device as it is synthesized (or stream raw PCM
    /// with `--out`).
    Say(say::SayArgs),
    /// Render a book (Aozora Bunko text, plain text or EPUB) to one audio file per chapter,
    /// with a playlist and book.json; resumable (run again to continue or to re-render what a
    /// changed setting affects).
    Book(Box<book::BookArgs>),
    /// Run the HTTP server: VOICEVOX-compatible API, OpenAI-compatible /v1/audio/speech,
    /// docs at /docs.
    Serve(serve::ServeArgs),
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum AccentFormat {
    Human,
    Json,
    Jsonl,
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

fn read_text(text: String) -> Result<String> {
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

#[derive(Clone, Copy, clap::ValueEnum)]
enum ComponentArg {
    Onnxruntime,
    Voice,
    Models,
    Dictionary,
    /// onnxruntime-gpu and the CUDA/cuDNN libraries.
    Gpu,
    /// The float decoders for the GPU.
    FloatModels,
}

impl From<ComponentArg> for Component {
    fn from(c: ComponentArg) -> Self {
        match c {
            ComponentArg::Onnxruntime => Component::Runtime,
            ComponentArg::Voice => Component::Voice,
            ComponentArg::Models => Component::Models,
            ComponentArg::Dictionary => Component::Dictionary,
            ComponentArg::Gpu => Component::Gpu,
            ComponentArg::FloatModels => Component::FloatModels,
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
    let accent = cli.command.accent();
    match run(cli.command, cli.user_dict, accent) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

impl Cmd {
    /// The `--accent` of a command that analyses text (the default for the others).
    fn accent(&self) -> AccentEstimator {
        match self {
            Cmd::Synth { accent, .. } | Cmd::Query { accent, .. } | Cmd::Accent { accent, .. } => {
                accent.estimator
            }
            Cmd::Say(a) => a.accent.estimator,
            Cmd::Serve(a) => a.accent.estimator,
            Cmd::Book(a) => a.accent.estimator,
            Cmd::Setup { .. } | Cmd::Dict { .. } | Cmd::Voices => AccentEstimator::default(),
        }
    }
}

fn run(cmd: Cmd, user_dict: Option<PathBuf>, accent: AccentEstimator) -> Result<ExitCode> {
    let manifest = Manifest::builtin()?;
    let layout = Layout::from_env()?;
    let user_dict = user_dict.unwrap_or_else(|| layout.user_dictionary_file());
    match cmd {
        Cmd::Setup { check, only, gpu } => {
            let mut components: Vec<Component> = if only.is_empty() {
                Component::ALL.to_vec()
            } else {
                only.into_iter().map(Component::from).collect()
            };
            if gpu {
                components.extend(Component::GPU);
            }
            let setup = Setup::new(layout.clone(), manifest);
            if check {
                // Without --gpu (and --only) the GPU components are reported, not required.
                let optional: &[Component] = if components == Component::ALL {
                    &Component::GPU
                } else {
                    &[]
                };
                return check_report(&setup, &layout, &components, optional);
            }
            eprintln!("data directory: {}", layout.root().display());
            setup.ensure(&components, true)?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Accent {
            input,
            format,
            json,
            accent: _,
        } => {
            let format = if json { AccentFormat::Json } else { format };
            accent_command(&layout, &manifest, &user_dict, accent, input, format)
        }
        Cmd::Dict { action } => dict::run(action, &user_dict),
        Cmd::Book(args) => book::run(*args, &layout, &manifest, &user_dict, accent),
        Cmd::Serve(args) => serve::run(args, &layout, &manifest, &user_dict, accent),
        Cmd::Say(args) => {
            let voice = manifest.voice(args.voice())?;
            let device = args.device();
            say::run(
                args,
                || load_engine(&layout, &manifest, Some(&user_dict), accent, &device),
                voice,
            )
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
            query,
            output,
            timings,
            voice,
            scales,
            device,
            accent: _,
        } => {
            // Validate everything the user gave before any slow work.
            let voice = manifest.voice(&voice)?;
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
            let timings_sink = timings.as_deref().map(json_sink).transpose()?;
            // A query is rendered as it is: no analysis, so no user dictionary.
            let words = query.is_none().then_some(user_dict.as_path());
            let engine = load_engine(&layout, &manifest, words, accent, &device)?;
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
            if let (Some(sink), Some(path)) = (timings_sink, &timings) {
                let json = serde_json::to_string_pretty(&synthesis.timeline)?;
                write_json(sink, json.as_bytes(), path)?;
            }
            eprintln!(
                "wrote {} ({:.2} s, voice {voice})",
                path.display(),
                synthesis.audio.duration_seconds()
            );
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Query {
            text,
            voice,
            device,
            accent: _,
        } => {
            let voice = manifest.voice(&voice)?;
            let text = read_text(text)?;
            let engine = load_engine(&layout, &manifest, Some(&user_dict), accent, &device)?;
            let query = engine.audio_query(&text, &voice)?;
            println!("{}", serde_json::to_string_pretty(&query)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A temporary file beside `path`, opened before synthesis so a bad path fails early.
fn json_sink(path: &std::path::Path) -> Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    tempfile::Builder::new()
        .prefix(".yomiage-")
        .suffix(".json.partial")
        .tempfile_in(&dir)
        .with_context(|| format!("cannot write to {}", dir.display()))
}

fn write_json(
    mut sink: tempfile::NamedTempFile,
    bytes: &[u8],
    path: &std::path::Path,
) -> Result<()> {
    use std::io::Write;
    sink.write_all(bytes)?;
    sink.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn check_report(
    setup: &Setup,
    layout: &Layout,
    components: &[Component],
    optional: &[Component],
) -> Result<ExitCode> {
    println!("data directory: {}", layout.root().display());
    let mut ok = true;
    for &c in optional {
        match setup.full_health(c)? {
            Health::Present => println!("present  {c} (optional)"),
            h => println!("optional {c}: {h} (`yomiage setup --gpu` installs it)"),
        }
    }
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

/// Loads the engine on the device asked for, first running setup for anything missing (unless
/// YOMIAGE_AUTO_SETUP=0; never the GPU components, which are large and only on request), with
/// the words of the user dictionary at `user_dict` if it has any.
fn load_engine(
    layout: &Layout,
    manifest: &Manifest,
    user_dict: Option<&Path>,
    accent: AccentEstimator,
    device: &DeviceArgs,
) -> Result<Engine> {
    // A corrupt user dictionary fails before the slow work.
    let words = user_dict
        .map(dict::load_for_analysis)
        .transpose()?
        .flatten();
    ensure_set_up(layout, manifest, &Component::ALL)?;
    let paths = engine_paths(layout, manifest, device)?;
    let session = SessionOptions {
        device: device.request(),
        ..SessionOptions::default()
    };
    let mut engine =
        Engine::load_with(&paths, session, device.precision()).context("loading the engine")?;
    tracing::info!(device = %engine.device(), precision = %engine.precision(), "engine ready");
    engine.set_accent_estimator(accent);
    if let Some(words) = words {
        engine
            .set_user_dictionary(&words)
            .context("applying the user dictionary")?;
    }
    Ok(engine)
}

/// The engine's files; with the GPU runtime when the device may be CUDA and it is installed.
fn engine_paths(layout: &Layout, manifest: &Manifest, device: &DeviceArgs) -> Result<EnginePaths> {
    let paths = EnginePaths::from_layout(layout, manifest);
    if device.device == DeviceArg::Cpu {
        return Ok(paths);
    }
    let setup = Setup::new(layout.clone(), manifest.clone());
    // With YOMIAGE_CUDA_LIBS the CUDA libraries come from elsewhere (see
    // `EnginePaths::with_gpu`): only the float models must be installed here, and the GPU
    // build of ONNX Runtime must be there (its absence is reported when it is loaded).
    let external_cuda = std::env::var_os("YOMIAGE_CUDA_LIBS").is_some_and(|v| !v.is_empty());
    let missing: Vec<String> = Component::GPU
        .iter()
        .filter(|&&c| !(external_cuda && c == Component::Gpu))
        .map(|&c| (c, setup.quick_health(c)))
        .filter(|(_, h)| *h != Health::Present)
        .map(|(c, h)| format!("{c} ({h})"))
        .collect();
    if missing.is_empty() {
        let cuda_libs = std::env::var_os("YOMIAGE_CUDA_LIBS");
        return Ok(paths.with_gpu(layout, manifest, cuda_libs.as_deref()));
    }
    let missing = missing.join(", ");
    if device.device == DeviceArg::Cuda {
        bail!("--device cuda: not set up: {missing}; run `yomiage setup --gpu`");
    }
    tracing::info!(%missing, "device auto: CPU (run `yomiage setup --gpu` for CUDA)");
    Ok(paths)
}

/// Runs set-up for whichever of `components` is missing (unless YOMIAGE_AUTO_SETUP=0).
fn ensure_set_up(layout: &Layout, manifest: &Manifest, components: &[Component]) -> Result<()> {
    let setup = Setup::new(layout.clone(), manifest.clone());
    let missing: Vec<(Component, Health)> = components
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
    Ok(())
}

/// `yomiage accent`: the frontend alone (dictionary, no ONNX), so it starts in milliseconds.
fn accent_command(
    layout: &Layout,
    manifest: &Manifest,
    user_dict: &Path,
    accent: AccentEstimator,
    input: String,
    format: AccentFormat,
) -> Result<ExitCode> {
    // Open or read the user's input before any set-up, so a typo fails at once.
    if let AccentFormat::Jsonl = format {
        let reader: Box<dyn std::io::BufRead> = if input == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            let file = std::fs::File::open(&input).with_context(|| format!("opening {input}"))?;
            Box::new(std::io::BufReader::new(file))
        };
        let (frontend, load_time) = load_frontend(layout, manifest, user_dict, accent)?;
        return accent_jsonl(&frontend, reader, load_time);
    }
    let text = read_text(input)?;
    let (frontend, _) = load_frontend(layout, manifest, user_dict, accent)?;
    let phrases = frontend.analyze(&text).context("analysing the text")?;
    match format {
        AccentFormat::Json => println!("{}", serde_json::to_string_pretty(&phrases)?),
        _ => print!("{}", accent_human(&phrases)),
    }
    Ok(ExitCode::SUCCESS)
}

/// Sets up the dictionary if it is missing (only it), loads it with the words of the user
/// dictionary at `user_dict` (if it has any), and says how long loading took.
fn load_frontend(
    layout: &Layout,
    manifest: &Manifest,
    user_dict: &Path,
    accent: AccentEstimator,
) -> Result<(yomiage_frontend::Frontend, std::time::Duration)> {
    let words = dict::load_for_analysis(user_dict)?;
    ensure_set_up(layout, manifest, &[Component::Dictionary])?;
    let started = std::time::Instant::now();
    let mut frontend = yomiage_frontend::Frontend::load_with_user_dictionary(
        &layout.dictionary_dir(),
        words.as_ref(),
    )
    .context("loading the dictionary")?;
    frontend.set_accent_estimator(accent);
    Ok((frontend, started.elapsed()))
}

/// One line per phrase: kana with ＼ after the nucleus (then ？ for a question, 、 for a
/// pause), the H/L tones and accent/moras; then the phrases in kana notation.
fn accent_human(phrases: &[yomiage_frontend::AccentPhrase]) -> String {
    // Kana and the marks are full-width: two columns each.
    let width = |s: &str| {
        s.chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum::<usize>()
    };
    let rows: Vec<(String, String, String)> = phrases
        .iter()
        .map(|p| {
            let mut kana = String::new();
            for (i, m) in p.moras.iter().enumerate() {
                kana.push_str(&m.text);
                if i + 1 == p.accent {
                    kana.push('＼');
                }
            }
            if p.is_interrogative {
                kana.push('？');
            }
            if p.pause_mora.is_some() {
                kana.push('、');
            }
            let hl = hl_pattern(p);
            (kana, hl, format!("{}/{}", p.accent, p.moras.len()))
        })
        .collect();
    let kana_w = rows.iter().map(|r| width(&r.0)).max().unwrap_or(0);
    let hl_w = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (kana, hl, accent) in &rows {
        let pad = " ".repeat(kana_w - width(kana));
        out.push_str(&format!("{kana}{pad}  {hl:<hl_w$}  {accent}\n"));
    }
    out.push_str(&format!("kana: {}\n", yomiage_frontend::to_kana(phrases)));
    out
}

/// A phrase's tones as the accent dev set writes them (`LHH`).
fn hl_pattern(phrase: &yomiage_frontend::AccentPhrase) -> String {
    phrase.tones().into_iter().map(|t| t.letter()).collect()
}

/// `--format jsonl`: a `{"id", "phrases"}` line per `{"id", "text"}` line. A bad line is
/// skipped with a warning naming its line number (no output line, so a scorer counts it as
/// missing) and the rest go on; the exit status is 1 if any line was skipped.
fn accent_jsonl(
    frontend: &yomiage_frontend::Frontend,
    mut reader: impl std::io::BufRead,
    load_time: std::time::Duration,
) -> Result<ExitCode> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let started = std::time::Instant::now();
    let (mut line_no, mut done, mut skipped) = (0usize, 0usize, 0usize);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        // Bytes, not `lines()`: a line that is not UTF-8 is one bad line, not the end.
        let n = reader
            .read_until(b'\n', &mut buf)
            .with_context(|| format!("reading line {}", line_no + 1))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        match accent_jsonl_line(frontend, &buf, line_no == 1) {
            Ok(None) => {}
            Ok(Some(json)) => {
                writeln!(out, "{json}").context("writing the output")?;
                done += 1;
            }
            Err(e) => {
                skipped += 1;
                eprintln!("warning: line {line_no}: {e:#} (skipped)");
            }
        }
    }
    out.flush().context("writing the output")?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "accent: {done} sentences in {secs:.2} s ({:.0} sentences/s); dictionary loaded in \
         {:.0} ms; peak memory {}{}",
        done as f64 / secs.max(1e-9),
        load_time.as_secs_f64() * 1e3,
        peak_rss().map_or_else(|| "unknown".to_owned(), |kib| format!("{} MiB", kib / 1024)),
        if skipped > 0 {
            format!("; {skipped} line(s) skipped")
        } else {
            String::new()
        }
    );
    Ok(if skipped > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Peak resident memory of this process in KiB (Linux's VmHWM), if the system reports it.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One input line → its output line; `None` for a blank line.
fn accent_jsonl_line(
    frontend: &yomiage_frontend::Frontend,
    bytes: &[u8],
    first: bool,
) -> Result<Option<String>> {
    #[derive(serde::Serialize)]
    struct Phrase<'a> {
        moras: Vec<&'a str>,
        accent: usize,
        pause: bool,
        question: bool,
        hl: String,
    }
    #[derive(serde::Serialize)]
    struct Record<'a> {
        id: &'a serde_json::Value,
        phrases: Vec<Phrase<'a>>,
    }

    let line = std::str::from_utf8(bytes).context("not UTF-8")?;
    let line = if first {
        line.trim_start_matches('\u{feff}')
    } else {
        line
    };
    let line = line.trim();
    if line.is_empty() {
        return Ok(None);
    }
    let value: serde_json::Value = serde_json::from_str(line).context("not a JSON object")?;
    let id = value
        .get("id")
        .filter(|id| !id.is_null())
        .context("no \"id\"")?;
    let text = value
        .get("text")
        .and_then(serde_json::Value::as_str)
        .with_context(|| format!("id {id}: no \"text\" string"))?;
    let analysed = frontend.analyze(text).with_context(|| format!("id {id}"))?;
    let phrases = analysed
        .iter()
        .map(|p| Phrase {
            moras: p.moras.iter().map(|m| m.text.as_str()).collect(),
            accent: p.accent,
            pause: p.pause_mora.is_some(),
            question: p.is_interrogative,
            hl: hl_pattern(p),
        })
        .collect();
    Ok(Some(serde_json::to_string(&Record { id, phrases })?))
}
