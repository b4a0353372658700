//! Server soak: `yomiage serve` (the real binary, its own process) under N concurrent clients
//! on 127.0.0.1 for a bounded time, mixing every kind of request a character-chat or batch
//! user sends, the good and the bad:
//!
//! VOICEVOX audio_query + synthesis, OpenAI speech whole (wav, mp3) and streamed (pcm), streams
//! dropped after the first chunk, WebSocket speak / cancel / interrupt, malformed JSON,
//! oversized bodies, user-dictionary edits.
//!
//! Counts per kind: answers by class, 503s (documented: full queue or timeout), other 5xx,
//! requests left unanswered (connection error or no answer in 3 minutes); samples the server's
//! resident memory, open files and threads from /proc every second; then stops the server with
//! SIGTERM and looks for panics in its log. Prints the figures; exits 1 on a violation (a 5xx
//! other than 503, an unanswered request, a panic, open files or threads growing after the
//! warm-up). Memory is printed against the targets (at most 600 MiB, no growth beyond 10 %
//! after the warm-up); `SOAK_MAX_RSS_MIB` / `SOAK_MAX_GROWTH` make them violations too.
//!
//! `cargo bench --bench soak` (after `yomiage setup`): 10 minutes, 32 clients. Environment:
//! `SOAK_SECONDS`, `SOAK_CLIENTS`, `SOAK_WARMUP_SECONDS` (default a quarter of the run).
//! `scripts/test.sh` runs the test build of this bench for two minutes (`SOAK_SECONDS=120`).
//!
//! The parts: `clients` (the request mix), `server` (the server process and its /proc
//! samples), `report` (the tallies, the figures and the verdict).

mod clients;
mod report;
mod server;

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clients::one;
use report::{report, Counts};
use server::{sample, start_server, Sample};

fn env_num(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    if !bench && std::env::var_os("SOAK_SECONDS").is_none() {
        println!("soak: `cargo bench --bench soak` (10 min, 32 clients) or SOAK_SECONDS=120 <this binary>");
        return;
    }
    let seconds = env_num("SOAK_SECONDS", 600.0);
    let clients = env_num("SOAK_CLIENTS", 32.0) as usize;
    let warmup = env_num("SOAK_WARMUP_SECONDS", seconds / 4.0);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut server = start_server(dir.path());
    let pid = server.child.id();
    let base = server.base.clone();
    println!("soak: {clients} clients for {seconds:.0} s (warm-up {warmup:.0} s) against {base}, pid {pid}");
    std::thread::sleep(Duration::from_secs(2));
    let idle = sample(pid, 0.0).expect("/proc of the server");

    let counts = Arc::new(Counts::default());
    let samples = Arc::new(Mutex::new(Vec::<Sample>::new()));
    let start = Instant::now();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async {
        let sampler = {
            let samples = samples.clone();
            tokio::spawn(async move {
                loop {
                    if let Some(s) = sample(pid, start.elapsed().as_secs_f64()) {
                        samples.lock().unwrap_or_else(|p| p.into_inner()).push(s);
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            })
        };
        let deadline = start + Duration::from_secs_f64(seconds);
        let tasks: Vec<_> = (0..clients)
            .map(|i| {
                let counts = counts.clone();
                let base = base.clone();
                tokio::spawn(async move {
                    let c = reqwest::Client::builder()
                        .no_proxy()
                        .timeout(Duration::from_secs(180))
                        .build()
                        .expect("a client");
                    let mut n = 0;
                    while Instant::now() < deadline {
                        one(i + n, n, &c, &base, &counts).await;
                        n += 1;
                    }
                })
            })
            .collect();
        for t in tasks {
            let _ = t.await;
        }
        // Let finished work settle (idle blocking threads retire after 10 s).
        tokio::time::sleep(Duration::from_secs(12)).await;
        sampler.abort();
    });
    let settled = sample(pid, start.elapsed().as_secs_f64()).expect("/proc of the server");
    let elapsed = start.elapsed().as_secs_f64();

    // SIGTERM: the server finishes in-flight work and exits 0.
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let exit = server.child.wait().expect("the server exits");
    let log = std::fs::read_to_string(&server.log).unwrap_or_default();
    let panics = log.matches("panicked").count();

    let counts = counts.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let samples = samples.lock().unwrap_or_else(|p| p.into_inner()).clone();
    report(
        &counts,
        &samples,
        idle,
        settled,
        warmup,
        elapsed,
        panics,
        exit.success(),
    )
}
