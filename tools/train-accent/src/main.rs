//! Trains the learned accent corrector on labelled sentences and cross-validates it.
//!
//!     train-accent --dict DIR --gold dev.jsonl [--folds 5] [--cv-out DIR] [--model-out FILE]
//!
//! With `--cv-out`, writes `rules.jsonl` and `learned.jsonl`: every sentence predicted by the
//! rules and by a model trained on the other folds (score both with the set's score.py;
//! `scripts/train-accent.sh` does all of it). `--model-out` trains on every sentence and
//! writes the model the crate ships (frontend/data/accent-model.tsv).
//! `scripts/train-accent.sh` runs it.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use yomiage_frontend::{AccentEstimator, AccentPhrase, Frontend, ReadingModel};
use yomiage_train_accent::{self as train, GoldSentence, TrainOptions};

#[derive(Parser)]
struct Args {
    /// The dictionary directory (yomiage setup builds it: <data dir>/dictionary/naist-jdic).
    #[arg(long)]
    dict: PathBuf,
    /// Labelled sentences in the accent set's JSON-lines format.
    #[arg(long)]
    gold: PathBuf,
    #[arg(long, default_value_t = 5)]
    folds: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, default_value_t = TrainOptions::default().epochs)]
    epochs: usize,
    #[arg(long, default_value_t = TrainOptions::default().boundary_min_count)]
    boundary_min_count: usize,
    #[arg(long, default_value_t = TrainOptions::default().nucleus_min_count)]
    nucleus_min_count: usize,
    /// Write cross-validated predictions (rules.jsonl, learned.jsonl) here.
    #[arg(long)]
    cv_out: Option<PathBuf>,
    /// Train on everything and write the model here.
    #[arg(long)]
    model_out: Option<PathBuf>,
    /// Write every sentence's words (surface, part of speech, moras) here as JSON lines, for
    /// `scripts/reading-errors.sh`.
    #[arg(long)]
    words_out: Option<PathBuf>,
    /// The learned reading model to analyse with: a file, or `none` to turn the stage off
    /// (default: the built-in one).
    #[arg(long)]
    reading_model: Option<String>,
    /// Cross-validate the reading stage too: every sentence is read by DIR/fold<k>.tsv, the
    /// reading model trained without its fold (`scripts/train-readings.py --cv-dir`; same
    /// folds and seed). The model written by --model-out still uses --reading-model.
    #[arg(long)]
    reading_cv: Option<PathBuf>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let opts = TrainOptions {
        epochs: args.epochs,
        seed: args.seed,
        boundary_min_count: args.boundary_min_count,
        nucleus_min_count: args.nucleus_min_count,
    };
    let mut frontend = Frontend::load(&args.dict).context("loading the dictionary")?;
    frontend.set_accent_estimator(AccentEstimator::Rules);
    let base_readings = match args.reading_model.as_deref() {
        None => ReadingModel::builtin(),
        Some("none") => Arc::new(ReadingModel::default()),
        Some(path) => Arc::new(load_readings(std::path::Path::new(path))?),
    };
    frontend.set_reading_model(Arc::clone(&base_readings));
    let file = std::fs::File::open(&args.gold)
        .with_context(|| format!("opening {}", args.gold.display()))?;
    let mut gold = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("reading line {}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let s: GoldSentence =
            serde_json::from_str(&line).with_context(|| format!("line {}", i + 1))?;
        gold.push(s);
    }
    let fold = train::folds(gold.len(), args.folds, args.seed);
    let fold_readings = match &args.reading_cv {
        Some(dir) => Some(
            (0..args.folds)
                .map(|k| load_readings(&dir.join(format!("fold{k}.tsv"))).map(Arc::new))
                .collect::<Result<Vec<_>>>()?,
        ),
        None => None,
    };
    // The reading model for sentence `i`: its fold's under --reading-cv.
    let select = |frontend: &mut Frontend, i: usize| {
        if let Some(models) = &fold_readings {
            frontend.set_reading_model(Arc::clone(&models[fold[i]]));
        }
    };
    if let Some(path) = &args.words_out {
        let mut lines = Vec::with_capacity(gold.len());
        for (i, s) in gold.iter().enumerate() {
            select(&mut frontend, i);
            let words = train::words(&frontend, &s.text).unwrap_or_default();
            lines.push(serde_json::json!({ "id": s.id, "words": words }).to_string());
        }
        write_lines(path, &lines)?;
        if args.cv_out.is_none() && args.model_out.is_none() {
            return Ok(());
        }
    }
    let started = Instant::now();
    let mut examples = Vec::with_capacity(gold.len());
    for (i, s) in gold.iter().enumerate() {
        select(&mut frontend, i);
        examples.push(train::examples(&frontend, s).unwrap_or_default());
    }
    let (b, n): (usize, usize) = examples
        .iter()
        .map(|e| (e.boundary_count(), e.nucleus_count()))
        .fold((0, 0), |a, x| (a.0 + x.0, a.1 + x.1));
    eprintln!(
        "{} sentences: {b} boundary and {n} nucleus examples ({:.1} s)",
        gold.len(),
        started.elapsed().as_secs_f64()
    );

    if let Some(dir) = &args.cv_out {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut learned = vec![String::new(); gold.len()];
        let mut rules = vec![String::new(); gold.len()];
        for k in 0..args.folds {
            let t = Instant::now();
            let model = train::train(
                examples
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| fold[*i] != k)
                    .map(|(_, e)| e),
                &opts,
            );
            for (i, s) in gold.iter().enumerate().filter(|(i, _)| fold[*i] == k) {
                select(&mut frontend, i);
                let ours =
                    train::analyze_with_model(&frontend, &s.text, &model).unwrap_or_default();
                learned[i] = record(&s.id, &ours);
                let base = frontend.analyze(&s.text).unwrap_or_default();
                rules[i] = record(&s.id, &base);
            }
            eprintln!(
                "fold {k}: trained and predicted in {:.1} s",
                t.elapsed().as_secs_f64()
            );
        }
        for (name, lines) in [("learned.jsonl", &learned), ("rules.jsonl", &rules)] {
            write_lines(&dir.join(name), lines)?;
        }
    }

    if let Some(path) = &args.model_out {
        let t = Instant::now();
        if fold_readings.is_some() {
            // The shipped model learns from the readings the shipped reading model gives.
            frontend.set_reading_model(Arc::clone(&base_readings));
            examples = gold
                .iter()
                .map(|s| train::examples(&frontend, s).unwrap_or_default())
                .collect();
        }
        let model = train::train(examples.iter(), &opts);
        std::fs::write(path, model.to_tsv())
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!(
            "model: {} boundary and {} nucleus weights → {} ({:.1} s)",
            model.boundary_len(),
            model.nucleus_len(),
            path.display(),
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn load_readings(path: &std::path::Path) -> Result<ReadingModel> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    ReadingModel::from_tsv(&text).with_context(|| path.display().to_string())
}

fn write_lines(path: &std::path::Path, lines: &[String]) -> Result<()> {
    let mut f = std::io::BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
    );
    for l in lines {
        writeln!(f, "{l}")?;
    }
    f.flush()?;
    Ok(())
}

/// One prediction line in the accent set's format.
fn record(id: &str, phrases: &[AccentPhrase]) -> String {
    let phrases: Vec<_> = phrases
        .iter()
        .map(|p| {
            serde_json::json!({
                "moras": p.moras.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(),
                "accent": p.accent,
                "pause": p.pause_mora.is_some(),
                "question": p.is_interrogative,
            })
        })
        .collect();
    serde_json::json!({ "id": id, "phrases": phrases }).to_string()
}
