//! Load benchmark: N concurrent HTTP clients against a real server on loopback.
//!
//! `cargo bench -p yomiage-server --bench server_load` (after `yomiage setup`). Prints, per
//! endpoint, requests per second, p50/p99 time to first byte and total time, errors (must be
//! 0; the run fails otherwise) and the process's resident memory over the run.
//!
//! Environment: `LOAD_CLIENTS` (default 4), `LOAD_REQUESTS` per client (default 5),
//! `LOAD_TEXT`, `LOAD_CONCURRENCY` (server synthesis slots; default: CPU cores).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use yomiage_engine::onnx::SessionOptions;
use yomiage_engine::{Engine, EnginePaths};
use yomiage_server::{AppState, ServerConfig};
use yomiage_voices::{Layout, Manifest};

/// Builds one request of a load case.
type MakeRequest = Arc<dyn Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync>;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Resident set size of this process (server and clients), in MiB.
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

struct Outcome {
    ttfb: Vec<Duration>,
    total: Vec<Duration>,
    errors: Vec<String>,
    wall: Duration,
    audio_seconds: f64,
}

/// `clients` tasks, each sending `requests` requests one after another.
async fn run_load(
    clients: usize,
    requests: usize,
    make: MakeRequest,
    bytes_per_second: f64,
) -> Outcome {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let client = client.clone();
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for _ in 0..requests {
                let t = Instant::now();
                let r = make(&client).send().await;
                let ttfb = t.elapsed();
                let result = match r {
                    Ok(r) if r.status().is_success() => match r.bytes().await {
                        Ok(b) => Ok((ttfb, t.elapsed(), b.len())),
                        Err(e) => Err(e.to_string()),
                    },
                    Ok(r) => Err(format!(
                        "{} {}",
                        r.status(),
                        r.text().await.unwrap_or_default()
                    )),
                    Err(e) => Err(e.to_string()),
                };
                out.push(result);
            }
            out
        }));
    }
    let mut o = Outcome {
        ttfb: Vec::new(),
        total: Vec::new(),
        errors: Vec::new(),
        wall: Duration::ZERO,
        audio_seconds: 0.0,
    };
    for t in tasks {
        for r in t.await.expect("client task") {
            match r {
                Ok((ttfb, total, len)) => {
                    o.ttfb.push(ttfb);
                    o.total.push(total);
                    o.audio_seconds += len as f64 / bytes_per_second;
                }
                Err(e) => o.errors.push(e),
            }
        }
    }
    o.wall = started.elapsed();
    o.ttfb.sort();
    o.total.sort();
    o
}

fn main() {
    // `cargo test --all-targets` runs bench targets too; the load run is for `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("server load benchmark: run it with `cargo bench -p yomiage-server --bench server_load`");
        return;
    }
    let clients = env_usize("LOAD_CLIENTS", 4);
    let requests = env_usize("LOAD_REQUESTS", 5);
    let text = std::env::var("LOAD_TEXT")
        .unwrap_or_else(|_| "こんにちは、今日はいい天気ですね。".to_owned());
    let rss_start = rss_mib();

    let layout = Layout::from_env().expect("a data directory");
    let manifest = Manifest::builtin().expect("the manifest");
    let engine = Engine::load(
        &EnginePaths::from_layout(&layout, &manifest),
        SessionOptions::default(),
    )
    .unwrap_or_else(|e| panic!("the engine does not load ({e}); run `yomiage setup`"));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut config = ServerConfig {
        port: 0,
        max_queue: clients * 2,
        ..ServerConfig::default()
    };
    config.max_concurrency = env_usize("LOAD_CONCURRENCY", config.max_concurrency);
    let slots = config.max_concurrency;
    let state = AppState::new(engine, manifest, dir.path().join("user_dict.json"), config)
        .expect("server state");
    let rss_loaded = rss_mib();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let listener = yomiage_server::bind("127.0.0.1", 0).await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(yomiage_server::serve(listener, state, async {
            let _ = stop_rx.await;
        }));

        // The query the VOICEVOX clients render, and one warm-up request.
        let c = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client");
        let query: Value = c
            .post(format!("{base}/audio_query"))
            .query(&[("text", text.as_str()), ("speaker", "0")])
            .send()
            .await
            .expect("audio_query")
            .json()
            .await
            .expect("a query");
        let warm = c
            .post(format!("{base}/synthesis?speaker=0"))
            .json(&query)
            .send()
            .await
            .expect("warm-up");
        assert!(
            warm.status().is_success(),
            "warm-up failed: {}",
            warm.status()
        );

        // Memory sampler.
        let done = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(Mutex::new((f64::MAX, 0.0f64)));
        let sampler = {
            let done = done.clone();
            let peak = peak.clone();
            tokio::spawn(async move {
                while !done.load(Ordering::SeqCst) {
                    let r = rss_mib();
                    if let Ok(mut p) = peak.lock() {
                        p.0 = p.0.min(r);
                        p.1 = p.1.max(r);
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        };

        println!(
            "server_load: {clients} clients × {requests} requests, {slots} synthesis slots, \
             text {text:?}"
        );
        println!(
            "{:<22} {:>7} {:>9} {:>9} {:>9} {:>9} {:>7} {:>8}",
            "endpoint", "req/s", "ttfb p50", "ttfb p99", "total p50", "total p99", "errors", "RTF"
        );
        let mut failed = false;
        let cases: Vec<(&str, MakeRequest, f64)> = vec![
            (
                "POST /synthesis",
                {
                    let url = format!("{base}/synthesis?speaker=0");
                    let query = query.clone();
                    Arc::new(move |c: &reqwest::Client| c.post(&url).json(&query))
                },
                48_000.0,
            ),
            (
                "POST /v1/audio/speech",
                {
                    let url = format!("{base}/v1/audio/speech");
                    let body = json!({"model": "tts-1", "input": text, "voice": "alloy",
                        "response_format": "pcm"});
                    Arc::new(move |c: &reqwest::Client| c.post(&url).json(&body))
                },
                48_000.0,
            ),
            (
                "POST /v1 … stream",
                {
                    let url = format!("{base}/v1/audio/speech");
                    let body = json!({"model": "tts-1", "input": text, "voice": "alloy",
                        "response_format": "pcm", "stream": true});
                    Arc::new(move |c: &reqwest::Client| c.post(&url).json(&body))
                },
                48_000.0,
            ),
        ];
        for (name, make, bps) in cases {
            let o = run_load(clients, requests, make, bps).await;
            let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1e3);
            let done_n = o.total.len();
            println!(
                "{:<22} {:>7.2} {:>9} {:>9} {:>9} {:>9} {:>7} {:>8.3}",
                name,
                done_n as f64 / o.wall.as_secs_f64(),
                ms(percentile(&o.ttfb, 0.5)),
                ms(percentile(&o.ttfb, 0.99)),
                ms(percentile(&o.total, 0.5)),
                ms(percentile(&o.total, 0.99)),
                o.errors.len(),
                // Wall time per second of audio produced, all clients together.
                o.wall.as_secs_f64() / o.audio_seconds.max(1e-9),
            );
            for e in o.errors.iter().take(5) {
                println!("  error: {e}");
            }
            failed |= !o.errors.is_empty();
        }
        done.store(true, Ordering::SeqCst);
        let _ = sampler.await;
        let (lo, hi) = peak.lock().map(|p| *p).unwrap_or((0.0, 0.0));
        println!(
            "memory (RSS, MiB): {rss_start:.0} at start, {rss_loaded:.0} with the engine loaded, \
             {lo:.0}..{hi:.0} during the load"
        );
        println!(
            "(non-streaming: the first byte comes with the whole response; streaming: with the \
             first audio, which begins with 0.1 s of leading silence)"
        );
        let _ = stop_tx.send(());
        let _ = server.await;
        if failed {
            eprintln!("server_load: errors during the run");
            std::process::exit(1);
        }
    });
}
