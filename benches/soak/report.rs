//! The soak's tallies per request kind, and the report: figures printed, violations fail
//! the run.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::server::Sample;

/// Counts per request kind.
#[derive(Default, Clone, Copy)]
pub struct Tally {
    pub ok: u64,
    pub client_error: u64,
    busy_503: u64,
    pub server_error: u64,
    pub unanswered: u64,
    /// An oversized body whose connection was closed (after the 413) while it was still being
    /// sent, so the client never read the answer: the refusal it asked for.
    pub cut_off: u64,
}

#[derive(Default)]
pub struct Counts(pub Mutex<BTreeMap<&'static str, Tally>>);

impl Counts {
    pub fn add(&self, kind: &'static str, f: impl FnOnce(&mut Tally)) {
        f(self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(kind)
            .or_default());
    }
    pub fn status(&self, kind: &'static str, status: u16, detail: &str) {
        if status >= 500 && status != 503 {
            eprintln!("soak: {kind}: {status} {detail}");
        }
        self.add(kind, |t| match status {
            200..=299 => t.ok += 1,
            503 => t.busy_503 += 1,
            500.. => t.server_error += 1,
            _ => t.client_error += 1,
        });
    }
    pub fn unanswered(&self, kind: &'static str, why: &str) {
        eprintln!("soak: {kind}: unanswered: {why}");
        self.add(kind, |t| t.unanswered += 1);
    }
}

#[allow(clippy::too_many_arguments)]
pub fn report(
    counts: &BTreeMap<&'static str, Tally>,
    samples: &[Sample],
    idle: Sample,
    settled: Sample,
    warmup: f64,
    elapsed: f64,
    panics: usize,
    clean_exit: bool,
) {
    println!(
        "{:<26} {:>7} {:>7} {:>7} {:>7} {:>10} {:>8}",
        "kind", "2xx", "4xx", "503", "5xx", "unanswered", "cut off"
    );
    let mut total = Tally::default();
    for (kind, t) in counts {
        println!(
            "{kind:<26} {:>7} {:>7} {:>7} {:>7} {:>10} {:>8}",
            t.ok, t.client_error, t.busy_503, t.server_error, t.unanswered, t.cut_off
        );
        total.ok += t.ok;
        total.client_error += t.client_error;
        total.busy_503 += t.busy_503;
        total.server_error += t.server_error;
        total.unanswered += t.unanswered;
        total.cut_off += t.cut_off;
    }
    println!(
        "{:<26} {:>7} {:>7} {:>7} {:>7} {:>10} {:>8}",
        "all",
        total.ok,
        total.client_error,
        total.busy_503,
        total.server_error,
        total.unanswered,
        total.cut_off
    );
    let after: Vec<&Sample> = samples.iter().filter(|s| s.t >= warmup).collect();
    let mean = |v: &[&Sample]| v.iter().map(|s| s.rss_mib).sum::<f64>() / v.len().max(1) as f64;
    let q = after.len() / 4;
    let (first, last) = (
        mean(&after[..q.max(1).min(after.len())]),
        mean(&after[after.len() - q.max(1).min(after.len())..]),
    );
    let peak = samples
        .iter()
        .map(|s| s.rss_mib)
        .fold(idle.rss_mib, f64::max);
    let growth = last / first.max(1.0) - 1.0;
    println!("RSS MiB: idle {:.0}, first quarter after warm-up {first:.0}, last quarter {last:.0} ({:+.1} %), peak {peak:.0}, settled {:.0}", idle.rss_mib, growth * 100.0, settled.rss_mib);
    let max_of = |f: fn(&Sample) -> usize| samples.iter().map(f).max().unwrap_or(0);
    println!(
        "open files: idle {}, peak {}, settled {}",
        idle.fds,
        max_of(|s| s.fds),
        settled.fds
    );
    println!(
        "threads: idle {}, peak {}, settled {}",
        idle.threads,
        max_of(|s| s.threads),
        settled.threads
    );
    println!(
        "RSS over time (s: MiB): {}",
        samples
            .iter()
            .step_by((samples.len() / 12).max(1))
            .map(|s| format!("{:.0}: {:.0}", s.t, s.rss_mib))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("{elapsed:.0} s, {} requests, panics in the server log: {panics}, clean exit on SIGTERM: {clean_exit}",
        total.ok + total.client_error + total.busy_503 + total.server_error + total.unanswered + total.cut_off);

    let mut violations = Vec::new();
    if total.server_error > 0 {
        violations.push(format!("{} 5xx answers other than 503", total.server_error));
    }
    if total.unanswered > 0 {
        violations.push(format!("{} unanswered requests", total.unanswered));
    }
    if panics > 0 {
        violations.push(format!("{panics} panics in the server log"));
    }
    if !clean_exit {
        violations.push("the server did not exit cleanly on SIGTERM".into());
    }
    // After the load, open files are back near idle (connections closed), threads no more than
    // at the peak of the warm-up (worker pools are made once).
    if settled.fds > idle.fds + 8 {
        violations.push(format!(
            "open files grew: idle {}, after the load {}",
            idle.fds, settled.fds
        ));
    }
    let warm_threads = samples
        .iter()
        .filter(|s| s.t < warmup)
        .map(|s| s.threads)
        .max()
        .unwrap_or(idle.threads);
    if settled.threads > warm_threads + 4 {
        violations.push(format!(
            "threads grew: {} at warm-up, {} after the load",
            warm_threads, settled.threads
        ));
    }
    if let Some(max) = std::env::var("SOAK_MAX_RSS_MIB")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
    {
        if peak > max {
            violations.push(format!("peak RSS {peak:.0} MiB over {max:.0}"));
        }
    }
    if let Some(max) = std::env::var("SOAK_MAX_GROWTH")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
    {
        if growth > max {
            violations.push(format!(
                "RSS grew {:.1} % after warm-up (limit {:.1} %)",
                growth * 100.0,
                max * 100.0
            ));
        }
    }
    println!(
        "targets (issue 22): peak ≤ 600 MiB: {}; growth ≤ 10 %: {}",
        peak <= 600.0,
        growth <= 0.10
    );
    if violations.is_empty() {
        println!("soak: no violations");
    } else {
        println!("soak: VIOLATIONS: {violations:#?}");
        std::process::exit(1);
    }
}
