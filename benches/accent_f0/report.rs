//! Results of one condition, and printing them.

use yomiage_engine::prosody::ContourParams;

use crate::stats::{Agreement, Count, Quality};
use crate::{CLEAR_STEP, JUMP_ST};

/// Results of one condition over the sentences.
#[derive(Debug, Clone, Default)]
pub(crate) struct Report {
    pub(crate) gold: Agreement,
    pub(crate) frontend: Agreement,
    pub(crate) quality: Quality,
    pub(crate) synth_s: f64,
    pub(crate) analysis_s: f64,
    pub(crate) audio_s: f64,
}

impl Report {
    pub(crate) fn merge(&mut self, o: &Report) {
        self.gold.merge(&o.gold);
        self.frontend.merge(&o.frontend);
        self.quality.merge(&o.quality);
        self.synth_s += o.synth_s;
        self.analysis_s += o.analysis_s;
        self.audio_s += o.audio_s;
    }
}

// ---------------------------------------------------------------------------------------------
// Printing

pub(crate) fn ratio(a: f64, b: f64) -> String {
    if b.abs() > 0.0 && a.is_finite() && b.is_finite() {
        format!("{:6.3}", a / b)
    } else {
        "     -".into()
    }
}

pub(crate) fn print_agreement(title: &str, raw: &Agreement, imposed: &Agreement) {
    println!("{title}");
    println!(
        "  {:<34} {:<27} {:<27}",
        "", "raw (model F0)", "imposed (yomiage)"
    );
    let row = |name: &str, a: Count, b: Count| {
        println!("  {:<34} {:<27} {:<27}", name, a.show(), b.show());
    };
    row("rises (L→H)", raw.rise, imposed.rise);
    row("falls (H→L)", raw.fall, imposed.fall);
    row("overall (micro, pairs)", raw.overall(), imposed.overall());
    println!(
        "  {:<34} {:<27} {:<27}",
        "overall (macro, phrases)",
        format!("{:5.1}% ({} phrases)", raw.phrases.get(), raw.phrases.n),
        format!(
            "{:5.1}% ({} phrases)",
            imposed.phrases.get(),
            imposed.phrases.n
        ),
    );
    row(
        &format!("right direction by ≥ {CLEAR_STEP} st"),
        raw.clear,
        imposed.clear,
    );
}

pub(crate) fn print_quality(raw: &Quality, imposed: &Quality) {
    println!("quality guards (same timings in both renders)");
    println!(
        "  {:<46} {:>9} {:>9} {:>12}",
        "", "raw", "imposed", "imposed/raw"
    );
    let row = |name: &str, a: f64, b: f64| {
        println!("  {:<46} {:9.3} {:9.3} {:>12}", name, a, b, ratio(b, a));
    };
    let fb = (raw.flux_boundary.get(), imposed.flux_boundary.get());
    let fw = (raw.flux_within.get(), imposed.flux_within.get());
    row("spectral flux at mora boundaries (dB/bin)", fb.0, fb.1);
    row("spectral flux within moras (dB/bin)", fw.0, fw.1);
    row("  boundary / within", fb.0 / fw.0, fb.1 / fw.1);
    row(
        "RMS jump at mora boundaries (dB, ±20 ms)",
        raw.rms_jump_boundary.get(),
        imposed.rms_jump_boundary.get(),
    );
    row(
        "RMS jump at mora middles (dB, reference)",
        raw.rms_jump_mid.get(),
        imposed.rms_jump_mid.get(),
    );
    row(
        "F0 smoothness: mean |Δ² log-F0| (st/frame²)",
        raw.f0_d2.get(),
        imposed.f0_d2.get(),
    );
    row(
        "voiced frames inside moras (%)",
        raw.voiced.share(),
        imposed.voiced.share(),
    );
    let per_1k = |q: &Quality| 1000.0 * q.jumps as f64 / q.voiced_pairs.max(1) as f64;
    row(
        &format!("F0 jumps > {JUMP_ST} st per 1000 voiced pairs"),
        per_1k(raw),
        per_1k(imposed),
    );
    println!(
        "    (raw {}/{}, imposed {}/{} voiced frame pairs)",
        raw.jumps, raw.voiced_pairs, imposed.jumps, imposed.voiced_pairs
    );
    row(
        "F0 range per sentence, p95 − p5 (st)",
        raw.f0_range.get(),
        imposed.f0_range.get(),
    );
    row(
        "|F0 step| between adjacent moras (st)",
        raw.boundary_f0_step.get(),
        imposed.boundary_f0_step.get(),
    );
    println!(
        "  (frames: pYIN 5 ms hop; STFT 20 ms Hann, 5 ms hop, floor −80 dB; 1 st = 1/12 octave)"
    );
}

pub(crate) fn describe(p: &ContourParams) -> String {
    format!(
        "high {} low {} init {} down {} decl {} smooth {} detail {}",
        p.high, p.low, p.initial_low, p.downstep, p.declination, p.smoothing, p.detail
    )
}
