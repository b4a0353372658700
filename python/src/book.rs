//! `BookJob`: `yomiage book` for Python — a book planned into an output folder with the
//! book crate's job (the same chapters, file names, hashes, resume manifest, encoders,
//! loudness and book.json as the CLI). It renders whole in this process (`render_all`, the
//! CLI's own `render_book`), or chapter by chapter anywhere: `state()` is everything a
//! renderer elsewhere needs (the book, the settings, the words), `BookJob.from_state` makes
//! the job there, `render_chapter` writes the chapter's file and returns its manifest entry,
//! and the job that owns the folder `record`s it and `finish`es.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use pyo3::prelude::*;
use serde::{Deserialize, Serialize};
use yomiage_book::cache::SpeechCache;
use yomiage_book::encode::Format;
use yomiage_book::job::render_book;
use yomiage_book::job::Job;
use yomiage_book::manifest::Entry;
use yomiage_book::render::{Outcome, Quiet, Report, Settings};
use yomiage_book::{Book, InputFormat};
use yomiage_frontend::UserDictionary;

use crate::engine::{accent, Engine};
use crate::{assets, err, lock, value_err};

/// What a renderer elsewhere needs to render a chapter of the job.
#[derive(Serialize, Deserialize)]
struct State {
    book: Book,
    settings: Settings,
    /// The words in effect (user + book dictionary), VOICEVOX JSON.
    words: String,
    output: PathBuf,
}

/// A rendered chapter on its way back to the job.
#[derive(Serialize, Deserialize)]
struct Rendered {
    entry: Entry,
    reencoded: bool,
}

/// JSON whose floats travel as their bits: serde_json's float parsing may be one ulp off, and
/// the driver's book.json must hold the worker's exact loudness figures.
mod exact {
    use serde_json::{Map, Number, Value};

    const KEY: &str = "$f64";

    fn encode(v: Value) -> Value {
        match v {
            Value::Number(n) if n.is_f64() => {
                let bits = n.as_f64().unwrap_or_default().to_bits();
                Value::Object(Map::from_iter([(
                    KEY.to_owned(),
                    Value::from(format!("{bits:016x}")),
                )]))
            }
            Value::Array(a) => Value::Array(a.into_iter().map(encode).collect()),
            Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, encode(v))).collect()),
            v => v,
        }
    }

    fn decode(v: Value) -> Value {
        match v {
            Value::Object(o) if o.len() == 1 && o.contains_key(KEY) => {
                let f = o[KEY]
                    .as_str()
                    .and_then(|s| u64::from_str_radix(s, 16).ok())
                    .map(f64::from_bits);
                f.and_then(Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
            Value::Array(a) => Value::Array(a.into_iter().map(decode).collect()),
            Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, decode(v))).collect()),
            v => v,
        }
    }

    pub fn to_string<T: serde::Serialize>(value: &T) -> serde_json::Result<String> {
        Ok(encode(serde_json::to_value(value)?).to_string())
    }

    pub fn from_str<T: serde::de::DeserializeOwned>(text: &str) -> serde_json::Result<T> {
        serde_json::from_value(decode(serde_json::from_str(text)?))
    }
}

/// (track, title, file name, size in characters, already done).
type ChapterRow = (usize, String, String, u64, bool);

#[pyclass(frozen, module = "yomiage._native")]
pub struct BookJob {
    /// `None` once finished.
    job: Mutex<Option<Job>>,
    words: UserDictionary,
}

fn format(name: &str) -> PyResult<Format> {
    Ok(match name {
        "wav" => Format::Wav,
        "flac" => Format::Flac,
        "ogg" => Format::Ogg,
        "mp3" => Format::Mp3,
        other => {
            return Err(value_err(format!(
                "unknown format {other:?} (wav, flac, ogg or mp3)"
            )))
        }
    })
}

fn input_format(name: Option<&str>) -> PyResult<Option<InputFormat>> {
    Ok(match name {
        None | Some("auto") => None,
        Some("aozora") => Some(InputFormat::Aozora),
        Some("plain") => Some(InputFormat::Plain),
        Some("epub") => Some(InputFormat::Epub),
        Some(other) => {
            return Err(value_err(format!(
                "unknown input format {other:?} (aozora, plain or epub)"
            )))
        }
    })
}

fn outcome_name(o: &Outcome) -> String {
    match o {
        Outcome::Kept => "kept".into(),
        Outcome::Rendered => "rendered".into(),
        Outcome::Reencoded => "reencoded".into(),
        Outcome::Failed(e) => format!("failed: {e}"),
    }
}

/// Reads a book: (title, author, [(chapter title, paragraphs, sections)]).
#[pyfunction]
#[pyo3(signature = (path, input_format=None))]
#[allow(clippy::type_complexity)]
pub fn read_book(
    path: PathBuf,
    input_format: Option<&str>,
) -> PyResult<(String, String, Vec<(String, Vec<String>, Vec<String>)>)> {
    let book = yomiage_book::read_book(&path, self::input_format(input_format)?).map_err(err)?;
    let chapters = book
        .chapters
        .into_iter()
        .map(|c| {
            let sections = c.sections.into_iter().map(|s| s.title).collect();
            (c.title, c.paragraphs, sections)
        })
        .collect();
    Ok((book.title, book.author, chapters))
}

/// The engine must analyse as the job's settings say (they enter the chapters' hashes).
fn same_analysis(engine: &Engine, settings: &Settings) -> PyResult<()> {
    let mut probe = settings.clone();
    probe.set_analysis(engine.accent, engine.inner.precision());
    if probe.analysis != settings.analysis {
        return Err(value_err(format!(
            "the engine's analysis ({}) is not the job's ({}): make the job with the engine's accent and precision",
            probe.analysis, settings.analysis
        )));
    }
    Ok(())
}

impl BookJob {
    fn with_job<R>(&self, f: impl FnOnce(&Job) -> PyResult<R>) -> PyResult<R> {
        match lock(&self.job).as_ref() {
            Some(job) => f(job),
            None => Err(value_err("this book job is finished")),
        }
    }
}

fn report_dict(py: Python<'_>, r: Report) -> PyResult<Bound<'_, pyo3::types::PyDict>> {
    let d = pyo3::types::PyDict::new(py);
    let outcomes: Vec<(usize, String, String)> = r
        .outcomes
        .iter()
        .map(|(t, title, o)| (*t, title.clone(), outcome_name(o)))
        .collect();
    d.set_item("outcomes", outcomes)?;
    d.set_item("skipped_empty", r.skipped_empty)?;
    d.set_item("audio_seconds", r.audio_seconds)?;
    d.set_item("book_json", r.book_json)?;
    d.set_item("playlist", r.playlist)?;
    Ok(d)
}

#[pymethods]
impl BookJob {
    /// Plans the book `path` into the folder `output` with `yomiage book`'s settings and
    /// defaults. The words are the user dictionary's (`user_dict`, else the CLI's) with the
    /// book dictionary `dict` on top; `accent` and `precision` name the analysis of the
    /// engines that will render it (they must match: a chapter made with another one is
    /// rendered again).
    #[new]
    #[pyo3(signature = (path, output, *, voice="jf_alpha", format="flac", input_format=None, dict=None, user_dict=None, title=None, author=None, loudness=-18.0, true_peak=-1.5, speed=1.0, pitch=0.0, intonation=1.0, sentence_pause=0.4, paragraph_pause=0.9, title_pause=1.2, chapter_pause=2.0, accent="learned", precision="int8"))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        path: PathBuf,
        output: PathBuf,
        voice: &str,
        format: &str,
        input_format: Option<&str>,
        dict: Option<PathBuf>,
        user_dict: Option<PathBuf>,
        title: Option<String>,
        author: Option<String>,
        loudness: f64,
        true_peak: f64,
        speed: f32,
        pitch: f32,
        intonation: f32,
        sentence_pause: f32,
        paragraph_pause: f32,
        title_pause: f32,
        chapter_pause: f32,
        accent: &str,
        precision: &str,
    ) -> PyResult<Self> {
        let assets = assets(user_dict)?;
        let mut book =
            yomiage_book::read_book(&path, self::input_format(input_format)?).map_err(err)?;
        if let Some(t) = title {
            book.title = t;
        }
        if let Some(a) = author {
            book.author = a;
        }
        let voice = assets.manifest().voice(voice).map_err(err)?;
        let mut settings = Settings::new(&voice.to_string(), self::format(format)?);
        settings.speed = speed;
        settings.pitch = pitch;
        settings.intonation = intonation;
        settings.sentence_pause = sentence_pause;
        settings.paragraph_pause = paragraph_pause;
        settings.title_pause = title_pause;
        settings.chapter_pause = chapter_pause;
        settings.loudness_lufs = loudness;
        settings.true_peak_dbtp = true_peak;
        settings.check().map_err(|e| value_err(&e))?;
        let user = assets.user_dictionary().map_err(err)?;
        let (words, hash) =
            yomiage_book::options::dictionaries(user, dict.as_deref()).map_err(err)?;
        settings.dictionary_hash = hash;
        settings.set_analysis(self::accent(accent)?, precision);
        Ok(BookJob {
            job: Mutex::new(Some(Job::new(book, settings, &output))),
            words,
        })
    }

    /// The job made again from `state()` (on a renderer elsewhere). It touches no file.
    #[staticmethod]
    fn from_state(state: &str) -> PyResult<Self> {
        let s: State = exact::from_str(state).map_err(value_err)?;
        let words = UserDictionary::from_voicevox_json(&s.words).map_err(err)?;
        Ok(BookJob {
            job: Mutex::new(Some(Job::new(s.book, s.settings, &s.output))),
            words,
        })
    }

    /// Everything a renderer elsewhere needs, as JSON (see `from_state`).
    fn state(&self) -> PyResult<String> {
        self.with_job(|job| {
            let s = State {
                book: job.book().clone(),
                settings: job.settings().clone(),
                words: self.words.to_voicevox_json(),
                output: job.outdir().to_owned(),
            };
            exact::to_string(&s).map_err(value_err)
        })
    }

    #[getter]
    fn title(&self) -> PyResult<String> {
        self.with_job(|j| Ok(j.book().title.clone()))
    }

    #[getter]
    fn author(&self) -> PyResult<String> {
        self.with_job(|j| Ok(j.book().author.clone()))
    }

    #[getter]
    fn output(&self) -> PyResult<PathBuf> {
        self.with_job(|j| Ok(j.outdir().to_owned()))
    }

    /// The settings as book.json writes them (JSON).
    #[getter]
    fn settings(&self) -> PyResult<String> {
        self.with_job(|j| serde_json::to_string(j.settings()).map_err(value_err))
    }

    /// The planned chapters: (track, title, file name, size in characters, already done).
    fn chapters(&self) -> PyResult<Vec<ChapterRow>> {
        self.with_job(|job| {
            Ok(job
                .planned()
                .iter()
                .map(|p| {
                    (
                        p.track,
                        p.chapter.title.clone(),
                        p.file.clone(),
                        p.units(),
                        job.is_done(p.track),
                    )
                })
                .collect())
        })
    }

    /// Titles of the chapters left out for having nothing to say.
    fn skipped_empty(&self) -> PyResult<Vec<String>> {
        self.with_job(|j| Ok(j.skipped_empty().to_vec()))
    }

    /// Makes the output folder ready (created, writable, no unfinished files of an
    /// interrupted run). Once, by the job that owns the folder, before any chapter renders.
    fn prepare(&self, py: Python<'_>) -> PyResult<()> {
        self.with_job(|job| py.detach(|| job.prepare()).map_err(err))
    }

    /// Renders chapter `track` with `engine` and writes its file (atomically); returns its
    /// manifest entry (JSON) for `record`. The GIL is released meanwhile.
    fn render_chapter(&self, py: Python<'_>, engine: &Engine, track: usize) -> PyResult<String> {
        self.with_job(|job| {
            let settings = job.settings();
            same_analysis(engine, settings)?;
            // The engine carries the job's words while the chapter renders.
            let mut current = lock(&engine.words);
            if current.as_deref() != Some(settings.dictionary_hash.as_str()) {
                engine.inner.set_user_dictionary(&self.words).map_err(err)?;
                *current = Some(settings.dictionary_hash.clone());
            }
            let rendered = py
                .detach(|| job.render(&engine.inner, &engine.voice, track, &Quiet))
                .map_err(err)?;
            drop(current);
            let (entry, outcome) = rendered;
            exact::to_string(&Rendered {
                entry,
                reencoded: outcome == Outcome::Reencoded,
            })
            .map_err(value_err)
        })
    }

    /// Records a chapter rendered by `render_chapter` (here or elsewhere) in the resume
    /// manifest, saved at once. Returns the outcome (`rendered`, `reencoded`, `failed: …`)
    /// and the chapter's length in seconds.
    fn record(&self, track: usize, rendered: &str) -> PyResult<(String, f64)> {
        let r: Rendered = exact::from_str(rendered).map_err(value_err)?;
        let seconds = r.entry.duration_s;
        self.with_job(|job| {
            let outcome = if r.reencoded {
                Outcome::Reencoded
            } else {
                Outcome::Rendered
            };
            let outcome = outcome_name(&job.record(track, Ok((r.entry, outcome))));
            Ok((outcome, seconds))
        })
    }

    /// Notes a chapter already finished (`kept`).
    fn keep(&self, track: usize) -> PyResult<String> {
        self.with_job(|job| Ok(outcome_name(&job.keep(track))))
    }

    /// Notes a chapter that failed, with why.
    fn fail(&self, track: usize, reason: String) -> PyResult<String> {
        self.with_job(|job| Ok(outcome_name(&job.fail(track, reason))))
    }

    /// Ends the run: stale files and cache pruned, leftover temp files removed, playlist and
    /// book.json written. Returns the report (outcomes, audio seconds, paths).
    fn finish<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let job = lock(&self.job)
            .take()
            .ok_or_else(|| value_err("this book job is finished"))?;
        let report = py.detach(|| job.finish()).map_err(err)?;
        report_dict(py, report)
    }

    /// Renders the whole book in this process, `jobs` chapters at once on `engine`, as
    /// `yomiage book` does (the same function); finishes the job and returns the report.
    #[pyo3(signature = (engine, jobs=1))]
    fn render_all<'py>(
        &self,
        py: Python<'py>,
        engine: &Engine,
        jobs: usize,
    ) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let job = lock(&self.job)
            .take()
            .ok_or_else(|| value_err("this book job is finished"))?;
        same_analysis(engine, job.settings())?;
        let mut current = lock(&engine.words);
        engine.inner.set_user_dictionary(&self.words).map_err(err)?;
        *current = Some(job.settings().dictionary_hash.clone());
        let outdir: &Path = job.outdir();
        let report = py
            .detach(|| {
                render_book(
                    &engine.inner,
                    &engine.voice,
                    job.book(),
                    job.settings(),
                    outdir,
                    &SpeechCache::default_for(outdir),
                    jobs,
                    &Quiet,
                )
            })
            .map_err(err)?;
        drop(current);
        report_dict(py, report)
    }
}
