//! `yomiage book`: a whole book to one audio file per chapter (see the `yomiage-book` crate
//! for the readers, the plan and the encoders; this is the command line around them).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::{bail, Context, Result};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use yomiage_book::cache::SpeechCache;
use yomiage_book::encode::Format;
use yomiage_book::render::{Outcome, Progress, Settings};
use yomiage_book::InputFormat;

use super::{AccentArgs, DeviceArgs};
use crate::assets::Assets;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    accent: AccentArgs,
    /// The book: Aozora Bunko text (Shift_JIS or UTF-8), plain UTF-8 text, or EPUB.
    input: PathBuf,
    /// Output folder (created if missing). Running again resumes: finished chapters are kept.
    #[arg(short, long, required_unless_present = "list")]
    output: Option<PathBuf>,
    /// Voice name or speaker ID.
    #[arg(long, default_value = "jf_alpha")]
    voice: String,
    #[command(flatten)]
    device: DeviceArgs,
    /// Audio format of the chapter files.
    #[arg(long, value_enum, default_value_t = FormatArg::Flac)]
    format: FormatArg,
    /// Chapters rendered at once (they share one engine). Default: 2 on 2+ cores.
    #[arg(long)]
    jobs: Option<usize>,
    /// ONNX Runtime threads per model call (default: cores / jobs, at least 1).
    #[arg(long)]
    threads: Option<usize>,
    /// How to read the input (default: guessed from its content).
    #[arg(long, value_enum, default_value_t = InputArg::Auto)]
    input_format: InputArg,
    /// A book dictionary (same format as the user dictionary, `yomiage dict` with
    /// --user-dict FILE edits one): its words apply on top of the user dictionary, and win
    /// over user words with the same surface.
    #[arg(long, value_name = "FILE")]
    dict: Option<PathBuf>,
    /// Integrated loudness of every chapter file, LUFS (EBU R128).
    #[arg(long, default_value_t = -18.0, allow_negative_numbers = true)]
    loudness: f64,
    /// True-peak ceiling, dBTP.
    #[arg(long, default_value_t = -1.5, allow_negative_numbers = true)]
    true_peak: f64,
    /// Speaking rate (1 = the voice's own).
    #[arg(long, default_value_t = 1.0)]
    speed: f32,
    /// Pitch (VOICEVOX pitchScale).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pitch: f32,
    /// Intonation (VOICEVOX intonationScale).
    #[arg(long, default_value_t = 1.0)]
    intonation: f32,
    /// Silence between sentences, seconds.
    #[arg(long, default_value_t = 0.4)]
    sentence_pause: f32,
    /// Silence between paragraphs, seconds.
    #[arg(long, default_value_t = 0.9)]
    paragraph_pause: f32,
    /// Silence after the spoken chapter title, seconds.
    #[arg(long, default_value_t = 1.2)]
    title_pause: f32,
    /// Silence at the end of each chapter file (between chapters), seconds.
    #[arg(long, default_value_t = 2.0)]
    chapter_pause: f32,
    /// Override the book's title (album tag, playlist name).
    #[arg(long)]
    title: Option<String>,
    /// Override the book's author (artist tag).
    #[arg(long)]
    author: Option<String>,
    /// Only print the chapters found (title, paragraphs, characters) and exit.
    #[arg(long)]
    list: bool,
    /// Bound of the speech cache (all books together), MiB. The cache keeps each chapter's
    /// speech so a new loudness or format re-encodes without re-synthesizing; it lives in
    /// $YOMIAGE_CACHE_DIR, else $XDG_CACHE_HOME/yomiage, else ~/.cache/yomiage. 0 keeps none.
    #[arg(long, value_name = "MIB", default_value_t = yomiage_book::cache::DEFAULT_MAX_BYTES >> 20)]
    cache_limit: u64,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Wav,
    Flac,
    Ogg,
    Mp3,
    Opus,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Wav => Format::Wav,
            FormatArg::Flac => Format::Flac,
            FormatArg::Ogg => Format::Ogg,
            FormatArg::Mp3 => Format::Mp3,
            FormatArg::Opus => Format::Opus,
        }
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum InputArg {
    Auto,
    Aozora,
    Plain,
    Epub,
}

pub fn run(args: Args, assets: &Assets) -> Result<ExitCode> {
    let format = match args.input_format {
        InputArg::Auto => None,
        InputArg::Aozora => Some(InputFormat::Aozora),
        InputArg::Plain => Some(InputFormat::Plain),
        InputArg::Epub => Some(InputFormat::Epub),
    };
    let mut book = yomiage_book::read_book(&args.input, format)
        .with_context(|| format!("reading {}", args.input.display()))?;
    if let Some(t) = args.title {
        book.title = t;
    }
    if let Some(a) = args.author {
        book.author = a;
    }
    if args.list {
        println!("{} / {}", book.title, book.author);
        for (i, c) in book.chapters.iter().enumerate() {
            let chars: usize = c.paragraphs.iter().map(|p| p.chars().count()).sum();
            println!(
                "{:>3}  {}  ({} paragraphs, {} characters, {} sections)",
                i + 1,
                c.title,
                c.paragraphs.len(),
                chars,
                c.sections.len()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    // Everything the user gave is checked before the slow work.
    let voice = assets.manifest().voice(&args.voice)?;
    let mut settings = Settings::new(&voice.to_string(), args.format.into());
    settings.speed = args.speed;
    settings.pitch = args.pitch;
    settings.intonation = args.intonation;
    settings.sentence_pause = args.sentence_pause;
    settings.paragraph_pause = args.paragraph_pause;
    settings.title_pause = args.title_pause;
    settings.chapter_pause = args.chapter_pause;
    settings.loudness_lufs = args.loudness;
    settings.true_peak_dbtp = args.true_peak;
    settings.check()?;
    let (words, dictionary_hash) =
        yomiage_book::options::dictionaries(assets.user_dictionary()?, args.dict.as_deref())?;
    settings.dictionary_hash = dictionary_hash;
    let Some(output) = args.output else {
        bail!("no output folder (-o)");
    };
    std::fs::create_dir_all(&output)
        .with_context(|| format!("cannot create the output folder {}", output.display()))?;

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = args.jobs.unwrap_or(cores.min(2)).max(1);
    let threads = args.threads.unwrap_or((cores / jobs).max(1)).max(1);

    let mut options = args.device.engine(args.accent);
    // The book's words are applied below, with the user dictionary's.
    options.user_words = false;
    options.threads = Some(threads);
    // One session per job: chapters decode side by side instead of queueing for one session.
    options.sessions = Some(jobs);
    let engine = assets.load_engine(&options)?;
    settings.set_analysis(options.accent, engine.precision());
    if !words.is_empty() {
        engine
            .set_user_dictionary(&words)
            .context("applying the dictionaries")?;
    }
    tracing::info!(jobs, threads, "rendering");
    let started = std::time::Instant::now();
    let bars = Bars::new(&book);
    let cache_root = SpeechCache::user_root()
        .context("no cache directory: set YOMIAGE_CACHE_DIR, XDG_CACHE_HOME or HOME")?;
    let cache = SpeechCache::new(
        &cache_root,
        &output,
        args.cache_limit.saturating_mul(1 << 20),
    );
    let report = yomiage_book::job::render_book(
        &engine, &voice, &book, &settings, &output, &cache, jobs, &bars,
    )
    .with_context(|| format!("rendering into {}", output.display()))?;
    bars.done();
    let wall = started.elapsed().as_secs_f64();
    let count = |f: fn(&Outcome) -> bool| report.outcomes.iter().filter(|o| f(&o.2)).count();
    eprintln!(
        "{}: {} chapters ({} rendered, {} re-encoded, {} kept), {:.1} min of audio in {:.1} min \
         (jobs {jobs}, threads {threads}); {}",
        output.display(),
        report.outcomes.len(),
        count(|o| *o == Outcome::Rendered),
        count(|o| *o == Outcome::Reencoded),
        count(|o| *o == Outcome::Kept),
        report.audio_seconds / 60.0,
        wall / 60.0,
        report.book_json.display()
    );
    for t in &report.skipped_empty {
        eprintln!("warning: chapter \"{t}\" has nothing to read aloud; skipped");
    }
    let failures = report.failures();
    if !failures.is_empty() {
        for (track, title, o) in &failures {
            if let Outcome::Failed(e) = o {
                eprintln!("error: chapter {track} \"{title}\": {e}");
            }
        }
        bail!(
            "{} chapter(s) failed; the others are finished and kept (run again to retry)",
            failures.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// indicatif bars: the total (characters, with ETA) and one per chapter in progress. Drawn
/// only on a terminal; otherwise each finished chapter is logged as a line.
struct Bars {
    multi: MultiProgress,
    total: ProgressBar,
    chapters: Mutex<std::collections::HashMap<usize, ProgressBar>>,
    terminal: bool,
}

impl Bars {
    fn new(book: &yomiage_book::Book) -> Bars {
        use std::io::IsTerminal;
        let terminal = std::io::stderr().is_terminal();
        let multi = MultiProgress::with_draw_target(if terminal {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        });
        let units: u64 = book
            .chapters
            .iter()
            .map(|c| {
                (c.spoken_title.chars().count()
                    + c.paragraphs
                        .iter()
                        .map(|p| p.chars().count())
                        .sum::<usize>()) as u64
            })
            .sum();
        let total = multi.add(ProgressBar::new(units));
        if let Ok(style) = ProgressStyle::with_template(
            "total    [{bar:30}] {percent:>3}% {elapsed_precise} ETA {eta_precise}",
        ) {
            total.set_style(style.progress_chars("=> "));
        }
        Bars {
            multi,
            total,
            chapters: Mutex::new(Default::default()),
            terminal,
        }
    }

    fn done(&self) {
        self.total.finish_and_clear();
    }
}

impl Progress for Bars {
    fn start(&self, track: usize, title: &str, units: u64) {
        let bar = self
            .multi
            .insert_before(&self.total, ProgressBar::new(units));
        if let Ok(style) =
            ProgressStyle::with_template("{prefix:>3} [{bar:30}] {percent:>3}% ETA {eta:>4} {msg}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(track.to_string());
        bar.set_message(title.to_owned());
        self.chapters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(track, bar);
    }

    fn advance(&self, track: usize, units: u64) {
        if let Some(bar) = self
            .chapters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&track)
        {
            bar.inc(units);
        }
        self.total.inc(units);
    }

    fn finish(&self, track: usize, outcome: &Outcome) {
        let bar = self
            .chapters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&track);
        if let Some(bar) = bar {
            let title = bar.message();
            bar.finish_and_clear();
            self.multi.remove(&bar);
            let line = match outcome {
                Outcome::Kept => format!("{track:>3} {title}: kept (already finished)"),
                Outcome::Rendered => format!("{track:>3} {title}: rendered"),
                Outcome::Reencoded => format!("{track:>3} {title}: re-encoded from cached speech"),
                Outcome::Failed(e) => format!("{track:>3} {title}: FAILED: {e}"),
            };
            if self.terminal {
                let _ = self.multi.println(line);
            } else {
                tracing::info!("{line}");
            }
        }
    }
}
