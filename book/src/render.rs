//! Renders a book: plans each chapter against the manifest, synthesizes what is missing on a
//! shared engine with `jobs` chapters at a time, normalizes, encodes through a temp file and
//! a rename, and records each finished chapter at once — so an interrupted run loses at most
//! the chapters in flight.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use yomiage_engine::{
    AccentMode, CancelToken, Engine, Input, Rendering, Sink, StreamEvent, SynthesisOptions,
};
use yomiage_voices::VoiceId;

use crate::cache::SpeechCache;
use crate::encode::{self, Format, Mark, Tags};

use crate::loudness::{self, Normalized};
use crate::manifest::{self, hash, Entry};
use crate::{Book, BookError, Chapter, Result};

/// The engine's output rate.
const RATE: u32 = 24_000;
/// A chapter without sub-sections longer than this gets a mark at the next paragraph start.
const MARK_EVERY_S: f64 = 300.0;

/// Every setting that changes the audio (and so enters the hashes).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Settings {
    pub voice: String,
    pub speed: f32,
    pub pitch: f32,
    pub intonation: f32,
    /// Silence between sentences of a paragraph, s.
    pub sentence_pause: f32,
    /// Silence between paragraphs, s.
    pub paragraph_pause: f32,
    /// Silence after the spoken chapter title, s.
    pub title_pause: f32,
    /// Silence before the first word of each chapter file, s.
    pub lead_in: f32,
    /// Silence at the end of each chapter file (the pause between chapters), s.
    pub chapter_pause: f32,
    /// Integrated loudness target, LUFS.
    pub loudness_lufs: f64,
    /// True-peak ceiling, dBTP.
    pub true_peak_dbtp: f64,
    pub format: Format,
    /// sha256 of the dictionaries in effect (user + book), so a new word re-renders.
    pub dictionary_hash: String,
    /// The accent estimator and decoder weights the engine uses (e.g. `accent=learned;
    /// decoder=int8`).
    pub analysis: String,
}

impl Settings {
    /// Defaults: −18 LUFS (a common spoken-word level), −1.5 dBTP, 0.4 s between
    /// sentences, 0.9 s between paragraphs, 1.2 s after the title, 0.5 s lead-in, 2 s at
    /// the end of a chapter.
    pub fn new(voice: &str, format: Format) -> Settings {
        Settings {
            voice: voice.to_owned(),
            speed: 1.0,
            pitch: 0.0,
            intonation: 1.0,
            sentence_pause: 0.4,
            paragraph_pause: 0.9,
            title_pause: 1.2,
            lead_in: 0.5,
            chapter_pause: 2.0,
            loudness_lufs: -18.0,
            true_peak_dbtp: -1.5,
            format,
            dictionary_hash: String::new(),
            analysis: String::new(),
        }
    }

    fn synthesis_options(&self) -> SynthesisOptions {
        SynthesisOptions {
            speed: self.speed,
            pitch: self.pitch,
            intonation: self.intonation,
            volume: 1.0,
            sentence_pause: self.sentence_pause,
            leading_silence: 0.0,
            trailing_silence: 0.0,
            accent: AccentMode::Imposed,
        }
    }
}

/// Progress callbacks (the CLI draws bars; tests ignore them). Units are characters of text.
pub trait Progress: Sync {
    /// A chapter starts being worked on; `units` is its size.
    fn start(&self, _track: usize, _title: &str, _units: u64) {}
    /// `units` more of the chapter are done.
    fn advance(&self, _track: usize, _units: u64) {}
    /// The chapter is finished (or failed).
    fn finish(&self, _track: usize, _outcome: &Outcome) {}
}

/// No progress display.
pub struct Quiet;
impl Progress for Quiet {}

/// What happened to a chapter in this run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Its file was already finished with these settings.
    Kept,
    /// Synthesized and written.
    Rendered,
    /// Written from cached speech (only loudness, format or tags changed).
    Reencoded,
    /// It failed; the message says why. Other chapters go on.
    Failed(String),
}

/// One chapter of the plan.
#[derive(Debug, Clone)]
pub struct Planned {
    /// 1-based track number (empty chapters are skipped and not numbered).
    pub track: usize,
    pub chapter: Chapter,
    pub file: String,
    pub text_hash: String,
    pub synth_hash: String,
    pub output_hash: String,
}

impl Planned {
    /// Its size for progress: characters of the spoken title and paragraphs.
    pub fn units(&self) -> u64 {
        let c = &self.chapter;
        c.spoken_title.chars().count() as u64
            + c.paragraphs
                .iter()
                .map(|s| s.chars().count() as u64)
                .sum::<u64>()
    }
}

/// The result of a run.
#[derive(Debug, Clone)]
pub struct Report {
    pub outcomes: Vec<(usize, String, Outcome)>,
    pub skipped_empty: Vec<String>,
    pub audio_seconds: f64,
    pub book_json: PathBuf,
    pub playlist: PathBuf,
}

impl Report {
    pub fn failures(&self) -> Vec<&(usize, String, Outcome)> {
        self.outcomes
            .iter()
            .filter(|(_, _, o)| matches!(o, Outcome::Failed(_)))
            .collect()
    }
}

/// Plans the chapters: numbering, file names and hashes. Empty chapters are left out (and
/// named in the second list).
pub fn plan(book: &Book, settings: &Settings) -> (Vec<Planned>, Vec<String>) {
    let mut planned = Vec::new();
    let mut empty = Vec::new();
    let chapters: Vec<&Chapter> = book
        .chapters
        .iter()
        .filter(|c| {
            if c.is_empty() {
                tracing::warn!(chapter = %c.title, "empty chapter skipped");
                empty.push(c.title.clone());
                false
            } else {
                true
            }
        })
        .collect();
    let total = chapters.len();
    for (i, c) in chapters.into_iter().enumerate() {
        let track = i + 1;
        let text_hash = hash(&(
            &c.spoken_title,
            &c.paragraphs,
            &c.sections
                .iter()
                .map(|s| (&s.title, s.paragraph))
                .collect::<Vec<_>>(),
        ));
        let synth_hash = hash(&(
            &text_hash,
            &settings.voice,
            settings.speed,
            settings.pitch,
            settings.intonation,
            settings.sentence_pause,
            settings.paragraph_pause,
            settings.title_pause,
            settings.lead_in,
            settings.chapter_pause,
            &settings.dictionary_hash,
            &settings.analysis,
            env!("CARGO_PKG_VERSION"),
        ));
        let output_hash = hash(&(
            &synth_hash,
            settings.loudness_lufs,
            settings.true_peak_dbtp,
            settings.format,
            &c.title,
            &book.title,
            &book.author,
            track,
            total,
        ));
        planned.push(Planned {
            track,
            file: manifest::file_name(track, &c.title, settings.format.extension()),
            chapter: c.clone(),
            text_hash,
            synth_hash,
            output_hash,
        });
    }
    (planned, empty)
}

/// Synthesized speech of a chapter, before normalization, with its marks.
struct Speech {
    samples: Vec<f32>,
    marks: Vec<Mark>,
}

fn silence(samples: &mut Vec<f32>, seconds: f32) {
    let n = (seconds.max(0.0) * RATE as f32).round() as usize;
    samples.resize(samples.len() + n, 0.0);
}

/// The book's sink: a chapter's speech, paragraph after paragraph, in memory (it is
/// normalized as a whole before encoding).
struct ChapterSink<'a> {
    samples: &'a mut Vec<f32>,
}

impl Sink for ChapterSink<'_> {
    fn event(&mut self, event: StreamEvent) -> ControlFlow<()> {
        if let StreamEvent::Audio(pcm) = event {
            self.samples.extend_from_slice(&pcm);
        }
        ControlFlow::Continue(())
    }
}

/// Speaks a chapter: lead-in, title, paragraphs with pauses, the closing pause. Marks: the
/// chapter start, each sub-section heading, and (for long chapters without sections) a mark
/// at the first paragraph after every five minutes.
fn synthesize(
    engine: &Engine,
    voice: &VoiceId,
    settings: &Settings,
    p: &Planned,
    progress: &dyn Progress,
) -> Result<Speech> {
    let opts = settings.synthesis_options();
    let mut samples = Vec::new();
    silence(&mut samples, settings.lead_in);
    let mut marks = vec![Mark {
        start_s: 0.0,
        title: p.chapter.title.clone(),
    }];
    // Each paragraph through the engine's sentence loop, its audio appended to the chapter.
    let never = CancelToken::new();
    let say = |text: &str, samples: &mut Vec<f32>| -> Result<bool> {
        let mut sink = ChapterSink { samples };
        match engine.speak(
            Input::Text(text),
            voice,
            &opts,
            Rendering::Whole,
            &never,
            &mut sink,
        ) {
            Ok(_) => Ok(true),
            Err(e) if e.is_nothing_to_say() => Ok(false),
            Err(e) => Err(e.into()),
        }
    };
    if say(&p.chapter.spoken_title, &mut samples)? {
        silence(&mut samples, settings.title_pause);
    }
    progress.advance(p.track, p.chapter.spoken_title.chars().count() as u64);
    let mut last_mark = 0.0;
    let mut part = 1;
    for (i, para) in p.chapter.paragraphs.iter().enumerate() {
        let now = samples.len() as f64 / RATE as f64;
        if let Some(s) = p.chapter.sections.iter().find(|s| s.paragraph == i) {
            marks.push(Mark {
                start_s: now,
                title: s.title.clone(),
            });
        } else if p.chapter.sections.is_empty() && now - last_mark >= MARK_EVERY_S {
            part += 1;
            last_mark = now;
            marks.push(Mark {
                start_s: now,
                title: format!("{} ({part})", p.chapter.title),
            });
        }
        if say(para, &mut samples)? {
            silence(&mut samples, settings.paragraph_pause);
        }
        progress.advance(p.track, para.chars().count() as u64);
    }
    let pause = (settings.paragraph_pause.max(0.0) * RATE as f32).round() as usize;
    samples.truncate(samples.len().saturating_sub(pause));
    silence(&mut samples, settings.chapter_pause);
    Ok(Speech { samples, marks })
}

/// Renders one planned chapter into `outdir`: speech from the cache or the engine, normalized,
/// encoded through a temp file and a rename. The manifest is not touched (see [`Job::record`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn render_chapter(
    engine: &Engine,
    voice: &VoiceId,
    book: &Book,
    settings: &Settings,
    outdir: &Path,
    cache: &SpeechCache,
    total: usize,
    p: &Planned,
    progress: &dyn Progress,
) -> Result<(Entry, Outcome)> {
    let cached = cache.load(&p.synth_hash).map(|c| Speech {
        samples: c.samples,
        marks: c.marks,
    });
    let (mut speech, outcome) = match cached {
        Some(s) => {
            progress.advance(p.track, p.units());
            (s, Outcome::Reencoded)
        }
        None => {
            let s = synthesize(engine, voice, settings, p, progress)?;
            cache.store(&p.synth_hash, &s.samples, &s.marks, RATE)?;
            (s, Outcome::Rendered)
        }
    };
    let normalized: Normalized = loudness::normalize(
        &mut speech.samples,
        RATE,
        settings.loudness_lufs,
        settings.true_peak_dbtp,
    )?;
    let tags = Tags {
        title: p.chapter.title.clone(),
        album: book.title.clone(),
        artist: book.author.clone(),
        track: p.track,
        total,
        marks: speech.marks.clone(),
    };
    let dest = outdir.join(&p.file);
    let tmp = manifest::create(&dest)?;
    encode::write(
        settings.format,
        &speech.samples,
        RATE,
        &tags,
        tmp.temp_path(),
    )?;
    tmp.commit()?;
    let bytes = std::fs::metadata(&dest)
        .map_err(|source| BookError::Write {
            path: dest.clone(),
            source,
        })?
        .len();
    Ok((
        Entry {
            file: p.file.clone(),
            text_hash: p.text_hash.clone(),
            synth_hash: p.synth_hash.clone(),
            output_hash: p.output_hash.clone(),
            bytes,
            duration_s: speech.samples.len() as f64 / RATE as f64,
            loudness: normalized,
            marks: speech.marks,
        },
        outcome,
    ))
}
