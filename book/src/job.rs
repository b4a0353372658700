//! A book's render job, cut so that chapters can be rendered anywhere: one process holds the
//! job (plans, records finished chapters in the resume manifest, writes the playlist and
//! book.json); each chapter is rendered by [`Job::render`] on whichever engine — a thread of
//! `yomiage book`, or another machine of a cluster sharing the output folder — and handed back
//! to [`Job::record`]. Chapter files are written atomically, so a renderer that dies leaves
//! nothing that looks finished.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::Serialize;
use yomiage_engine::Engine;
use yomiage_voices::VoiceId;

use crate::cache::SpeechCache;
use crate::encode::Mark;
use crate::manifest::{self, Entry, Manifest};
use crate::render::{plan, render_chapter, Outcome, Planned, Progress, Report, Settings};
use crate::{Book, BookError, Result};

/// A book planned into an output folder, with the resume manifest of that folder.
pub struct Job {
    book: Book,
    settings: Settings,
    outdir: PathBuf,
    planned: Vec<Planned>,
    skipped_empty: Vec<String>,
    manifest: Mutex<Manifest>,
    outcomes: Mutex<Vec<(usize, String, Outcome)>>,
    /// Where the chapters' speech is kept for re-encoding (outside the output folder).
    cache: SpeechCache,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Job {
    /// Plans `book` with `settings` into `outdir` and reads the folder's manifest. Touches no
    /// file: a renderer on another machine makes the same job to render one chapter of it.
    pub fn new(book: Book, settings: Settings, outdir: &Path) -> Job {
        let (planned, skipped_empty) = plan(&book, &settings);
        Job {
            cache: SpeechCache::default_for(outdir),
            manifest: Mutex::new(Manifest::load(outdir)),
            book,
            settings,
            outdir: outdir.to_owned(),
            planned,
            skipped_empty,
            outcomes: Mutex::new(Vec::new()),
        }
    }

    /// The job with its speech kept in `cache` rather than the user's default cache.
    pub fn with_cache(mut self, cache: SpeechCache) -> Job {
        self.cache = cache;
        self
    }

    /// Makes the output folder ready: created, writable, and without the unfinished files of
    /// an interrupted run. Call once, before any chapter is rendered.
    pub fn prepare(&self) -> Result<()> {
        let outdir = &self.outdir;
        std::fs::create_dir_all(outdir).map_err(|source| BookError::Write {
            path: outdir.clone(),
            source,
        })?;
        // Fail now, not after the first chapter, if the folder is not writable.
        drop(manifest::create(&outdir.join(".probe"))?);
        for p in manifest::clean_partials(outdir) {
            tracing::info!(file = %p.display(), "removed an unfinished file of an interrupted run");
        }
        self.cache.prepare(outdir)
    }

    pub fn book(&self) -> &Book {
        &self.book
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn outdir(&self) -> &Path {
        &self.outdir
    }

    /// The chapters to render, in track order.
    pub fn planned(&self) -> &[Planned] {
        &self.planned
    }

    /// Titles of the chapters left out for having nothing to say.
    pub fn skipped_empty(&self) -> &[String] {
        &self.skipped_empty
    }

    fn chapter(&self, track: usize) -> Option<&Planned> {
        track.checked_sub(1).and_then(|i| self.planned.get(i))
    }

    /// Whether `track`'s file is already finished with these settings.
    pub fn is_done(&self, track: usize) -> bool {
        self.chapter(track).is_some_and(|p| {
            lock(&self.manifest).is_done(&self.outdir, p.track, &p.file, &p.output_hash)
        })
    }

    /// Renders chapter `track` with `engine` (which must carry the dictionaries the settings
    /// hash) and writes its file; the manifest is left to [`Job::record`].
    pub fn render(
        &self,
        engine: &Engine,
        voice: &VoiceId,
        track: usize,
        progress: &dyn Progress,
    ) -> Result<(Entry, Outcome)> {
        let p = self.chapter(track).ok_or(BookError::NoTrack(track))?;
        render_chapter(
            engine,
            voice,
            &self.book,
            &self.settings,
            &self.outdir,
            &self.cache,
            self.planned.len(),
            p,
            progress,
        )
    }

    /// Notes that `track` was already finished.
    pub fn keep(&self, track: usize) -> Outcome {
        self.note(track, Outcome::Kept)
    }

    /// Records what rendering `track` gave: a finished chapter enters the manifest (saved at
    /// once, so an interrupted run keeps it); a failure is noted. Returns the outcome.
    pub fn record(&self, track: usize, rendered: Result<(Entry, Outcome)>) -> Outcome {
        let outcome = match (rendered, self.chapter(track)) {
            (_, None) => Outcome::Failed(BookError::NoTrack(track).to_string()),
            (Err(e), _) => Outcome::Failed(e.to_string()),
            (Ok((entry, outcome)), Some(p)) => {
                let mut m = lock(&self.manifest);
                // The file this track had before (another title or format) goes once the new
                // one is in place, unless the plan names it for another track.
                if let Some(old) = m.chapters.insert(p.track, entry) {
                    if old.file != p.file && !self.planned.iter().any(|q| q.file == old.file) {
                        let _ = std::fs::remove_file(self.outdir.join(&old.file));
                    }
                }
                match m.save(&self.outdir) {
                    Ok(()) => outcome,
                    Err(e) => Outcome::Failed(e.to_string()),
                }
            }
        };
        self.note(track, outcome)
    }

    /// Notes that rendering `track` failed elsewhere (a renderer's error, or no renderer
    /// left), for the report.
    pub fn fail(&self, track: usize, reason: String) -> Outcome {
        self.note(track, Outcome::Failed(reason))
    }

    fn note(&self, track: usize, outcome: Outcome) -> Outcome {
        let title = self
            .chapter(track)
            .map(|p| p.chapter.title.clone())
            .unwrap_or_default();
        if let Outcome::Failed(e) = &outcome {
            tracing::error!(track, chapter = %title, "{e}");
        }
        lock(&self.outcomes).push((track, title, outcome.clone()));
        outcome
    }

    /// Ends the run: forgets tracks past the end and deletes the files the plan no longer
    /// names (only once the current ones exist), prunes the speech cache, removes temp files
    /// that renderers which died left behind, and writes the playlist and book.json over the
    /// finished chapters.
    pub fn finish(self) -> Result<Report> {
        let outdir = &self.outdir;
        let planned = &self.planned;
        let mut manifest = self
            .manifest
            .into_inner()
            .unwrap_or_else(|p| p.into_inner());
        let mut outcomes = self
            .outcomes
            .into_inner()
            .unwrap_or_else(|p| p.into_inner());
        outcomes.sort_by_key(|o| o.0);
        let current: HashSet<&str> = planned.iter().map(|p| p.file.as_str()).collect();
        let stale: Vec<(usize, String)> = manifest
            .chapters
            .iter()
            .filter(|(t, e)| {
                planned
                    .get(**t - 1)
                    .is_none_or(|p| p.file != e.file || p.output_hash != e.output_hash)
            })
            .map(|(t, e)| (*t, e.file.clone()))
            .collect();
        for (t, file) in stale {
            let failed = outcomes
                .iter()
                .any(|(track, _, o)| *track == t && matches!(o, Outcome::Failed(_)));
            if failed {
                continue; // keep the old file of a chapter that failed this time
            }
            manifest.chapters.remove(&t);
            if !current.contains(file.as_str()) {
                let _ = std::fs::remove_file(outdir.join(&file));
            }
        }
        manifest.save(outdir)?;
        // Drop cached speech no chapter of this plan uses, and keep the whole cache bounded.
        let keep: HashSet<String> = planned.iter().map(|p| p.synth_hash.clone()).collect();
        self.cache.tidy(&keep);
        for dir in [outdir.as_path(), self.cache.dir()] {
            for p in manifest::clean_partials(dir) {
                tracing::info!(file = %p.display(), "removed an unfinished file of a renderer that stopped");
            }
        }
        let finished: Vec<(&Planned, &Entry)> = planned
            .iter()
            .filter_map(|p| {
                manifest
                    .chapters
                    .get(&p.track)
                    .filter(|e| e.output_hash == p.output_hash)
                    .map(|e| (p, e))
            })
            .collect();
        let book = &self.book;
        let playlist = write_playlist(book, outdir, &finished)?;
        let book_json =
            write_book_json(book, &self.settings, outdir, &finished, &self.skipped_empty)?;
        Ok(Report {
            audio_seconds: finished.iter().map(|(_, e)| e.duration_s).sum(),
            outcomes,
            skipped_empty: self.skipped_empty,
            book_json,
            playlist,
        })
    }
}

fn write_playlist(book: &Book, outdir: &Path, finished: &[(&Planned, &Entry)]) -> Result<PathBuf> {
    let mut m3u = String::from("#EXTM3U\n");
    m3u.push_str(&format!("#PLAYLIST:{}\n", book.title));
    for (p, e) in finished {
        m3u.push_str(&format!(
            "#EXTINF:{},{}\n{}\n",
            e.duration_s.round() as i64,
            p.chapter.title,
            e.file
        ));
    }
    let playlist = outdir.join(format!(
        "{}.m3u8",
        manifest::file_name(0, &book.title, "x")
            .trim_start_matches("000 - ")
            .trim_end_matches(".x")
    ));
    manifest::write_atomically(&playlist, m3u.as_bytes())?;
    Ok(playlist)
}

/// The book's metadata file (book.json).
#[derive(Serialize)]
struct BookJson<'a> {
    title: &'a str,
    author: &'a str,
    settings: &'a Settings,
    chapters: Vec<ChapterJson<'a>>,
    skipped_empty: &'a [String],
}

#[derive(Serialize)]
struct ChapterJson<'a> {
    track: usize,
    title: &'a str,
    file: &'a str,
    duration_s: f64,
    loudness_lufs: f64,
    true_peak_dbtp: f64,
    gain_db: f64,
    limited: bool,
    marks: &'a [Mark],
}

fn write_book_json(
    book: &Book,
    settings: &Settings,
    outdir: &Path,
    finished: &[(&Planned, &Entry)],
    skipped_empty: &[String],
) -> Result<PathBuf> {
    let chapters = finished
        .iter()
        .map(|(p, e)| ChapterJson {
            track: p.track,
            title: &p.chapter.title,
            file: &e.file,
            duration_s: e.duration_s,
            loudness_lufs: e.loudness.result.integrated_lufs,
            true_peak_dbtp: e.loudness.result.true_peak_dbtp,
            gain_db: e.loudness.gain_db,
            limited: e.loudness.limited,
            marks: &e.marks,
        })
        .collect();
    let json = serde_json::to_vec_pretty(&BookJson {
        title: &book.title,
        author: &book.author,
        settings,
        chapters,
        skipped_empty,
    })
    .unwrap_or_default();
    let book_json = outdir.join("book.json");
    manifest::write_atomically(&book_json, &json)?;
    Ok(book_json)
}

/// Renders `book` into `outdir` (created if missing) with `jobs` chapters at once on the
/// shared `engine` (which must already carry the dictionaries that `settings` hashes),
/// keeping the synthesized speech in `cache` (outside `outdir`): a [`Job`] run by `jobs`
/// threads.
#[allow(clippy::too_many_arguments)]
pub fn render_book(
    engine: &Engine,
    voice: &VoiceId,
    book: &Book,
    settings: &Settings,
    outdir: &Path,
    cache: &SpeechCache,
    jobs: usize,
    progress: &dyn Progress,
) -> Result<Report> {
    let job = Job::new(book.clone(), settings.clone(), outdir).with_cache(cache.clone());
    job.prepare()?;
    let next = AtomicUsize::new(0);
    let work = || loop {
        let i = next.fetch_add(1, Ordering::SeqCst);
        let Some(p) = job.planned().get(i) else { break };
        progress.start(p.track, &p.chapter.title, p.units());
        let outcome = if job.is_done(p.track) {
            progress.advance(p.track, p.units());
            job.keep(p.track)
        } else {
            let rendered = job.render(engine, voice, p.track, progress);
            job.record(p.track, rendered)
        };
        progress.finish(p.track, &outcome);
    };
    std::thread::scope(|s| {
        for _ in 1..jobs.max(1) {
            s.spawn(work);
        }
        work();
    });
    job.finish()
}
