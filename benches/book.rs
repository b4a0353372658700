//! Audiobook throughput: minutes of audio per minute of wall clock for a ~10-minute book
//! (plain text, 8 chapters of JSUT sentences from the shared accent dev set), rendered by the
//! `yomiage book` binary with `--jobs 1` and `--jobs 2` in the same run (fresh output folders,
//! so nothing is cached). `BOOK_BENCH_SENTENCES` (default 125, about 10 minutes of audio) sets the length,
//! `BOOK_BENCH_SWEEP=1` adds jobs 1 × 1 thread and jobs 2 × 2 threads.
//!
//! Runs only under `cargo bench --bench book` (harness = false; `cargo test --all-targets`
//! builds it but the `--bench` flag is missing there, so it returns at once).

use std::path::Path;
use std::process::Command;

mod common;
use common::run_measured;

fn sentences(n: usize) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("../shared/data/accent/dev.jsonl");
    let text = std::fs::read_to_string(&data)
        .unwrap_or_else(|e| panic!("{}: {e} (the shared accent dev set)", data.display()));
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_owned))
        .take(n)
        .collect()
}

fn book_text(n: usize) -> String {
    let s = sentences(n);
    let per_chapter = s.len().div_ceil(8);
    let mut out = String::from("[[title: ベンチマークの本]]\n[[author: JSUT]]\n");
    for (c, chunk) in s.chunks(per_chapter.max(1)).enumerate() {
        out.push_str(&format!("\n第{}章\n", c + 1));
        for para in chunk.chunks(4) {
            out.push_str(&para.concat());
            out.push('\n');
        }
    }
    out
}

struct Run {
    jobs: usize,
    threads: usize,
    audio_s: f64,
    wall_s: f64,
    peak_mib: f64,
}

fn render(input: &Path, out: &Path, jobs: usize, threads: usize) -> Run {
    let (ok, wall_s, peak_mib) = run_measured(
        Command::new(env!("CARGO_BIN_EXE_yomiage"))
            .env("YOMIAGE_AUTO_SETUP", "0")
            .env("YOMIAGE_USER_DICT", out.with_extension("no-dict.json"))
            .env("YOMIAGE_CACHE_DIR", out.with_extension("cache"))
            .args(["book", "--format", "flac"])
            .arg(input)
            .arg("-o")
            .arg(out)
            .args([
                "--jobs",
                &jobs.to_string(),
                "--threads",
                &threads.to_string(),
            ]),
    );
    assert!(ok, "yomiage book failed");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("book.json")).expect("book.json"))
            .expect("book.json is JSON");
    let audio_s = json["chapters"]
        .as_array()
        .map(|c| c.iter().filter_map(|c| c["duration_s"].as_f64()).sum())
        .unwrap_or(0.0);
    Run {
        jobs,
        threads,
        audio_s,
        wall_s,
        peak_mib,
    }
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n = std::env::var("BOOK_BENCH_SENTENCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(125);
    let sweep = std::env::var("BOOK_BENCH_SWEEP").is_ok_and(|v| v == "1");
    let dir = tempfile::tempdir().expect("a temp dir");
    let input = dir.path().join("book.txt");
    let text = book_text(n);
    std::fs::write(&input, &text).expect("writing the book");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "book: {n} sentences, {} characters, 8 chapters; {cores} cores",
        text.chars().count()
    );
    let mut configs = vec![(1, cores), (2, (cores / 2).max(1))];
    if sweep {
        configs.extend([(1, 1), (2, cores)]);
    }
    let mut runs = Vec::new();
    for (i, (jobs, threads)) in configs.into_iter().enumerate() {
        let r = render(&input, &dir.path().join(format!("out{i}")), jobs, threads);
        println!(
            "jobs {} × {} threads: {:.2} min of audio in {:.2} min wall = {:.2} min audio per min; \
             peak RSS {:.0} MiB",
            r.jobs,
            r.threads,
            r.audio_s / 60.0,
            r.wall_s / 60.0,
            r.audio_s / r.wall_s,
            r.peak_mib
        );
        runs.push(r);
    }
    let speed = |r: &Run| r.audio_s / r.wall_s;
    println!(
        "jobs 2 / jobs 1 throughput: {:.2}×",
        speed(&runs[1]) / speed(&runs[0])
    );
}
