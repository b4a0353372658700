//! `cargo bench --bench accent_f0`: is the accent that yomiage imposes heard in the audio, and
//! what does imposing it cost in smoothness?
//!
//! For the first N sentences of `../shared/data/accent/dev.jsonl` (JSUT basic5000 with gold H/L
//! tones; N = 200, `ACCENT_BENCH_N` overrides), each sentence is rendered twice with the same
//! mora lengths, so both renders have the same timeline:
//! - raw: the voice model's own F0, untouched (the query's pitches cleared and the contour's
//!   `detail` at 1, so the F0 reaching the decoder is the model's);
//! - imposed: yomiage's accent contour with the engine's default parameters.
//!
//! F0 is measured on the audio with an independent tracker (pYIN), and read per mora as the
//! median over the mora's vowel span in the returned timeline. Frontend moras are aligned with
//! the gold moras by katakana edit distance (only equal, aligned moras count). Each gold tone
//! change inside a phrase (L→H rise, H→L fall) whose two moras both have a measured F0 is
//! scored by the sign of the measured F0 step. Quality guards (spectral flux and energy jumps
//! at mora boundaries, F0 smoothness, voicing, octave-like jumps) compare the two renders.
//!
//! `ACCENT_BENCH_SWEEP=1` then renders the first `ACCENT_BENCH_SWEEP_N` (50) sentences under a
//! few contour settings and prints agreement and smoothness per setting.
//! Prints figures; asserts nothing.

use yomiage_testkit::pitch;

mod gold;
mod measure;
mod report;
mod spectrum;
mod stats;

use std::path::{Path, PathBuf};
use std::process::exit;
use std::time::Instant;

use yomiage_engine::onnx::SessionOptions;
use yomiage_engine::prosody::ContourParams;
use yomiage_engine::{Engine, EnginePaths};
use yomiage_voices::{Layout, Manifest, VoiceId};

use gold::{load_gold, GoldSentence};
use measure::{prepare, render, Condition, Prepared};
use report::{describe, print_agreement, print_quality, Report};
use spectrum::Stft;
use stats::Quality;

const DEFAULT_N: usize = 200;
const DEFAULT_SWEEP_N: usize = 50;
pub(crate) const SAMPLE_RATE: u32 = 24_000;
/// A measured step at least this large (semitones) counts as clearly in the right direction.
pub(crate) const CLEAR_STEP: f64 = 1.0;
/// A jump between adjacent voiced pYIN frames above this (semitones) is octave-error-like.
pub(crate) const JUMP_ST: f64 = 5.0;

pub(crate) fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("accent_f0: {msg}");
    exit(1)
}

fn env_usize(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| fail(format!("{name}={v:?} is not a count"))),
        Err(_) => default,
    }
}

fn run_conditions(
    engine: &mut Engine,
    voice: &VoiceId,
    prepared: &[(&GoldSentence, Prepared)],
    conditions: &[Condition],
    progress: &str,
) -> Vec<Report> {
    let mut stft = Stft::new();
    let mut reports: Vec<Report> = conditions.iter().map(|_| Report::default()).collect();
    for (i, (gold, prep)) in prepared.iter().enumerate() {
        for (c, report) in conditions.iter().zip(reports.iter_mut()) {
            if let Err(e) = render(engine, voice, prep, *c, &mut stft, report) {
                // The query was built by the engine itself: a failure here is a bug to see.
                fail(format!("{}: rendering failed: {e}", gold.id));
            }
        }
        if (i + 1) % 10 == 0 || i + 1 == prepared.len() {
            eprintln!("{progress}: {}/{}", i + 1, prepared.len());
        }
    }
    reports
}

/// Renders `subset` under a few contour settings; `raw` and `default` are the main run's
/// reports on the same sentences.
fn sweep(
    engine: &mut Engine,
    voice: &VoiceId,
    subset: &[(&GoldSentence, Prepared)],
    raw: Report,
    default: Report,
) {
    let d = ContourParams::default();
    let with = |f: fn(&mut ContourParams)| {
        let mut p = d;
        f(&mut p);
        Condition::Imposed(p)
    };
    let settings: Vec<(&str, Condition)> = vec![
        ("model mode (detail 0.5)", Condition::ModelMode),
        (
            "H/L ±2 st",
            with(|p| {
                p.high = 2.0;
                p.low = 2.0;
                p.initial_low = 1.0;
            }),
        ),
        (
            "H/L ±4 st",
            with(|p| {
                p.high = 4.0;
                p.low = 4.0;
                p.initial_low = 2.0;
            }),
        ),
        ("detail 0", with(|p| p.detail = 0.0)),
        ("detail 1", with(|p| p.detail = 1.0)),
        ("smoothing 50 ms", with(|p| p.smoothing = 0.05)),
        ("smoothing 150 ms", with(|p| p.smoothing = 0.15)),
        ("no downstep", with(|p| p.downstep = 0.0)),
        ("downstep 2 st", with(|p| p.downstep = 2.0)),
    ];
    let conditions: Vec<Condition> = settings.iter().map(|(_, c)| *c).collect();
    let t = Instant::now();
    let swept = run_conditions(engine, voice, subset, &conditions, "sweep");
    let mut settings = settings;
    settings.insert(0, ("raw (model F0)", Condition::Raw));
    settings.insert(1, ("default", Condition::Imposed(d)));
    let mut reports = vec![raw, default];
    reports.extend(swept);
    println!();
    println!(
        "contour sweep — first {} sentences, {:.0} s; default = {}",
        subset.len(),
        t.elapsed().as_secs_f64(),
        describe(&d)
    );
    println!(
        "  {:<24} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6}",
        "setting",
        "rise%",
        "fall%",
        "all%",
        "macro%",
        "≥1st%",
        "front%",
        "Δ²F0",
        "jump‰",
        "voic%",
        "fluxBW",
        "rmsB"
    );
    let jumps = |q: &Quality| 1000.0 * q.jumps as f64 / q.voiced_pairs.max(1) as f64;
    let raw_q = reports[0].quality.clone();
    let mut best: Option<(&str, f64)> = None;
    let mut best_guarded: Option<(&str, f64)> = None;
    for ((name, c), r) in settings.iter().zip(&reports) {
        let q = &r.quality;
        let all = r.gold.overall().share();
        println!(
            "  {:<24} {:6.1} {:6.1} {:6.1} {:6.1} {:6.1} {:7.1} {:6.3} {:6.2} {:6.1} {:6.3} {:6.2}",
            name,
            r.gold.rise.share(),
            r.gold.fall.share(),
            all,
            r.gold.phrases.get(),
            r.gold.clear.share(),
            r.frontend.overall().share(),
            q.f0_d2.get(),
            jumps(q),
            q.voiced.share(),
            q.flux_boundary.get() / q.flux_within.get(),
            q.rms_jump_boundary.get(),
        );
        if !matches!(c, Condition::Imposed(_)) {
            continue;
        }
        if best.is_none_or(|(_, b)| all > b) {
            best = Some((name, all));
        }
        let no_rougher = q.f0_d2.get() <= raw_q.f0_d2.get()
            && jumps(q) <= jumps(&raw_q)
            && q.voiced.share() >= raw_q.voiced.share() - 1.0;
        if no_rougher && best_guarded.is_none_or(|(_, b)| all > b) {
            best_guarded = Some((name, all));
        }
    }
    println!("  all% = gold agreement (micro), macro% over phrases, ≥1st% steps of at least 1 st the right way,");
    println!("  front% = agreement with the frontend's own tones; Δ²F0 st/frame²; jump‰ F0 jumps > 5 st per");
    println!("  1000 voiced pairs; voic% voiced frames in moras; fluxBW spectral flux at mora boundaries /");
    println!("  within moras; rmsB RMS jump at mora boundaries (dB)");
    if let Some((name, all)) = best {
        println!("  best imposed setting by gold agreement: {name} ({all:.1}%)");
    }
    match best_guarded {
        Some((name, all)) => println!(
            "  best by gold agreement among settings no rougher than raw \
             (Δ²F0 and jumps not above raw, voicing within 1 point): {name} ({all:.1}%)"
        ),
        None => println!("  no imposed setting is as smooth as raw by Δ²F0, jumps and voicing"),
    }
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("accent_f0 benchmark: run it with `cargo bench --bench accent_f0`");
        return;
    }
    let n = env_usize("ACCENT_BENCH_N", DEFAULT_N);
    let do_sweep = std::env::var("ACCENT_BENCH_SWEEP").is_ok_and(|v| v == "1");
    let sweep_n = env_usize("ACCENT_BENCH_SWEEP_N", DEFAULT_SWEEP_N);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data: PathBuf = root.join("../shared/data/accent/dev.jsonl");
    let gold = load_gold(&data, n);

    let layout = Layout::from_env().expect("a data directory");
    let manifest = Manifest::builtin().expect("the built-in manifest");
    let voice = manifest.default_voice();
    let paths = EnginePaths::from_layout(&layout, &manifest);
    let mut engine = Engine::load(&paths, SessionOptions::default()).unwrap_or_else(|e| {
        fail(format!(
            "cannot load the engine ({e}); run `cargo run --release -- setup` first"
        ))
    });

    let t0 = Instant::now();
    let mut skipped = Vec::new();
    let prepared: Vec<(&GoldSentence, Prepared)> = gold
        .iter()
        .filter_map(|g| match prepare(&engine, &voice, g) {
            Ok(p) => Some((g, p)),
            Err(e) => {
                skipped.push(format!("{}: {e}", g.id));
                None
            }
        })
        .collect();
    let main_set = &prepared[..];

    // The sweep's sentences first, so their raw and default reports serve the sweep too.
    let split = if do_sweep {
        sweep_n.min(main_set.len())
    } else {
        0
    };
    let t = Instant::now();
    let conditions = [Condition::Raw, Condition::Imposed(ContourParams::default())];
    let head = run_conditions(
        &mut engine,
        &voice,
        &main_set[..split],
        &conditions,
        "renders (sweep set)",
    );
    let tail = run_conditions(
        &mut engine,
        &voice,
        &main_set[split..],
        &conditions,
        "renders",
    );
    let render_s = t.elapsed().as_secs_f64();
    let wall = t0.elapsed().as_secs_f64();
    let mut reports = head.clone();
    for (r, t) in reports.iter_mut().zip(&tail) {
        r.merge(t);
    }
    let (raw, imposed) = (&reports[0], &reports[1]);

    let gold_moras: usize = main_set.iter().map(|(_, p)| p.gold_moras).sum();
    let aligned: usize = main_set.iter().map(|(_, p)| p.aligned).sum();
    println!();
    println!(
        "accent_f0 benchmark — {} sentences of {} (voice {}), F0 by pYIN on the audio",
        main_set.len(),
        data.display(),
        voice
    );
    if !skipped.is_empty() {
        println!("  skipped {}: {}", skipped.len(), skipped.join("; "));
    }
    println!(
        "  moras aligned with gold (equal katakana): {aligned}/{gold_moras} ({:.1}%)",
        100.0 * aligned as f64 / gold_moras.max(1) as f64
    );
    println!();
    print_agreement(
        "agreement with gold H/L (sign of the measured F0 step across each tone change)",
        &raw.gold,
        &imposed.gold,
    );
    println!();
    print_agreement(
        "realisation of the frontend's own H/L (same measure, frontend tones)",
        &raw.frontend,
        &imposed.frontend,
    );
    println!();
    print_quality(&raw.quality, &imposed.quality);
    println!();
    let audio_s = raw.audio_s;
    println!(
        "throughput ({} cores)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "  {} sentences, {:.1} s of audio per render; wall {:.1} s (text analysis and model query \
         {:.1} s, then 2 renders + 2 pYIN each) → {:.3} sentences/s",
        main_set.len(),
        audio_s,
        wall,
        wall - render_s,
        main_set.len() as f64 / wall
    );
    for (name, r) in [("raw", raw), ("imposed", imposed)] {
        println!(
            "  {:<8} synthesis {:7.1} s → {:.3} sentences/s, RTF {:.3}; pYIN + analysis {:.1} s",
            name,
            r.synth_s,
            main_set.len() as f64 / r.synth_s,
            r.synth_s / r.audio_s,
            r.analysis_s
        );
    }

    if do_sweep {
        let [raw, default]: [Report; 2] = head.try_into().expect("one report per condition");
        sweep(&mut engine, &voice, &main_set[..split], raw, default);
    }
}
