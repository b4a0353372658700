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

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

const TEXTS: [&str; 4] = [
    "こんにちは。",
    "今日はいい天気ですね。散歩に行きましょう。",
    "箸と橋と端。",
    "吾輩は猫である。名前はまだ無い。",
];

fn env_num(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Counts per request kind.
#[derive(Default, Clone, Copy)]
struct Tally {
    ok: u64,
    client_error: u64,
    busy_503: u64,
    server_error: u64,
    unanswered: u64,
    /// An oversized body whose connection was closed (after the 413) while it was still being
    /// sent, so the client never read the answer: the refusal it asked for.
    cut_off: u64,
}

#[derive(Default)]
struct Counts(Mutex<BTreeMap<&'static str, Tally>>);

impl Counts {
    fn add(&self, kind: &'static str, f: impl FnOnce(&mut Tally)) {
        f(self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(kind)
            .or_default());
    }
    fn status(&self, kind: &'static str, status: u16, detail: &str) {
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
    fn unanswered(&self, kind: &'static str, why: &str) {
        eprintln!("soak: {kind}: unanswered: {why}");
        self.add(kind, |t| t.unanswered += 1);
    }
}

/// One /proc sample of the server process.
#[derive(Clone, Copy)]
struct Sample {
    t: f64,
    rss_mib: f64,
    fds: usize,
    threads: usize,
}

fn sample(pid: u32, t: f64) -> Option<Sample> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
    };
    Some(Sample {
        t,
        rss_mib: field("VmRSS:")? / 1024.0,
        threads: field("Threads:")? as usize,
        fds: std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count(),
    })
}

struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

fn start_server(dir: &Path) -> Server {
    let log = dir.join("serve.log");
    let mut child = yomiage_testkit::yomiage!()
        .args([
            "serve",
            "--port",
            "0",
            "--max-queue",
            "64",
            "--timeout",
            "120",
        ])
        .env("YOMIAGE_USER_DICT", dir.join("user_dict.json"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("a log file"))
        .spawn()
        .expect("yomiage serve starts (run `yomiage setup` first)");
    let started = Instant::now();
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(rest) = text.split("listening on ").nth(1) {
            let base = rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned();
            return Server { child, base, log };
        }
        if started.elapsed() > Duration::from_secs(120) || child.try_wait().ok().flatten().is_some()
        {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server did not start: {text}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn speech(text: &str, format: &str, stream: bool) -> serde_json::Value {
    json!({"model": "tts-1", "input": text, "voice": "alloy", "response_format": format, "stream": stream})
}

/// One request of kind `k` (chosen round-robin per client), answered and counted.
async fn one(k: usize, n: usize, c: &reqwest::Client, base: &str, counts: &Counts) {
    let text = TEXTS[n % TEXTS.len()];
    let kinds = 10;
    match k % kinds {
        0 => {
            let r = c
                .post(format!("{base}/audio_query"))
                .query(&[("text", text), ("speaker", "0")])
                .send()
                .await;
            let q = match r {
                Ok(r) if r.status().is_success() => r.bytes().await.ok(),
                Ok(r) => {
                    counts.status("voicevox query", r.status().as_u16(), "");
                    return;
                }
                Err(e) => return counts.unanswered("voicevox query", &e.to_string()),
            };
            counts.status("voicevox query", 200, "");
            let Some(q) = q else {
                return counts.unanswered("voicevox query", "body cut");
            };
            finish(
                c.post(format!("{base}/synthesis?speaker=0"))
                    .header("content-type", "application/json")
                    .body(q),
                "voicevox synthesis",
                counts,
            )
            .await;
        }
        1 => {
            finish(
                c.post(format!("{base}/v1/audio/speech"))
                    .json(&speech(text, "wav", false)),
                "openai wav",
                counts,
            )
            .await
        }
        2 => {
            finish(
                c.post(format!("{base}/v1/audio/speech"))
                    .json(&speech(text, "mp3", false)),
                "openai mp3",
                counts,
            )
            .await
        }
        3 => {
            finish(
                c.post(format!("{base}/v1/audio/speech"))
                    .json(&speech(text, "pcm", true)),
                "openai stream",
                counts,
            )
            .await
        }
        4 => {
            // A client that goes away after the first chunk.
            match c
                .post(format!("{base}/v1/audio/speech"))
                .json(&speech(&TEXTS[3].repeat(3), "pcm", true))
                .send()
                .await
            {
                Ok(mut r) => {
                    counts.status("dropped stream", r.status().as_u16(), "");
                    let _ = r.chunk().await;
                }
                Err(e) => counts.unanswered("dropped stream", &e.to_string()),
            }
        }
        5 => websocket(base, text, counts).await,
        6 => {
            finish(
                c.post(format!("{base}/synthesis?speaker=0"))
                    .header("content-type", "application/json")
                    .body(r#"{"accent_phrases": [{"moras": 3}"#),
                "malformed",
                counts,
            )
            .await
        }
        7 => {
            let r = c
                .post(format!("{base}/v1/audio/speech"))
                .header("content-type", "application/json")
                .body(vec![b' '; 5 << 20])
                .send()
                .await;
            match r {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let _ = r.bytes().await;
                    counts.status("oversized", status, "");
                }
                Err(e) if e.is_request() => counts.add("oversized", |t| t.cut_off += 1),
                Err(e) => counts.unanswered("oversized", &e.to_string()),
            }
        }
        8 => {
            let add = c
                .post(format!("{base}/user_dict_word"))
                .query(&[
                    ("surface", format!("ソーク{n}")),
                    ("pronunciation", "ソーク".into()),
                    ("accent_type", "1".into()),
                ])
                .send()
                .await;
            match add {
                Ok(r) if r.status().is_success() => {
                    counts.status("dictionary edit", 200, "");
                    if let Ok(id) = r.text().await {
                        finish(
                            c.delete(format!("{base}/user_dict_word/{id}")),
                            "dictionary edit",
                            counts,
                        )
                        .await;
                    }
                }
                Ok(r) => counts.status("dictionary edit", r.status().as_u16(), ""),
                Err(e) => counts.unanswered("dictionary edit", &e.to_string()),
            }
        }
        _ => {
            // A stream_synthesis dropped mid-body.
            let q = match c
                .post(format!("{base}/audio_query"))
                .query(&[("text", TEXTS[3]), ("speaker", "0")])
                .send()
                .await
            {
                Ok(r) if r.status().is_success() => match r.bytes().await {
                    Ok(q) => q,
                    Err(e) => return counts.unanswered("dropped stream_synthesis", &e.to_string()),
                },
                Ok(r) => return counts.status("dropped stream_synthesis", r.status().as_u16(), ""),
                Err(e) => return counts.unanswered("dropped stream_synthesis", &e.to_string()),
            };
            match c
                .post(format!("{base}/stream_synthesis?speaker=0"))
                .header("content-type", "application/json")
                .body(q)
                .send()
                .await
            {
                Ok(mut r) => {
                    counts.status("dropped stream_synthesis", r.status().as_u16(), "");
                    let _ = r.chunk().await;
                }
                Err(e) => counts.unanswered("dropped stream_synthesis", &e.to_string()),
            }
        }
    }
}

/// Sends, reads the whole body, counts.
async fn finish(req: reqwest::RequestBuilder, kind: &'static str, counts: &Counts) {
    match req.send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            match r.bytes().await {
                Ok(body) => counts.status(
                    kind,
                    status,
                    &String::from_utf8_lossy(&body[..body.len().min(200)]),
                ),
                Err(e) => counts.unanswered(kind, &format!("{status}, body cut: {e}")),
            }
        }
        Err(e) => counts.unanswered(kind, &e.to_string()),
    }
}

/// A chat client on the WebSocket: speaks and interrupts itself with a second `speak` at
/// once, speaks and cancels at the first audio, then speaks to the end. Every utterance must
/// be answered with its `end` (four in all).
async fn websocket(base: &str, text: &str, counts: &Counts) {
    type Ws = tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >;
    let url = format!("{}/ws?speaker=0", base.replacen("http", "ws", 1));
    let Ok(Ok((mut ws, _))) = tokio::time::timeout(
        Duration::from_secs(60),
        tokio_tungstenite::connect_async(&url),
    )
    .await
    else {
        return counts.unanswered("websocket", "no connection");
    };
    let speak = |t: &str| Message::text(json!({"type": "speak", "text": t}).to_string());
    let long = TEXTS[3].repeat(2);
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut ends = 0;
    /// Reads until `want` ends in all (Ok) or until the first binary chunk when `audio`.
    async fn read(
        ws: &mut Ws,
        ends: &mut usize,
        want: usize,
        audio: bool,
        deadline: Instant,
    ) -> Result<(), String> {
        while *ends < want {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, ws.next()).await {
                Ok(Some(Ok(Message::Text(t)))) => {
                    let v: serde_json::Value = serde_json::from_str(&t).unwrap_or_default();
                    match v["type"].as_str() {
                        Some("end") => *ends += 1,
                        Some("error") => return Err(format!("status {} {v}", v["status"])),
                        _ => {}
                    }
                }
                Ok(Some(Ok(Message::Binary(_)))) if audio => return Ok(()),
                Ok(Some(Ok(_))) => {}
                Ok(Some(Err(e))) => return Err(e.to_string()),
                Ok(None) => return Err("closed by the server".into()),
                Err(_) => return Err("no end within 3 minutes".into()),
            }
        }
        Ok(())
    }
    let steps = async {
        ws.send(speak(&long)).await.map_err(|e| e.to_string())?;
        ws.send(speak(text)).await.map_err(|e| e.to_string())?;
        read(&mut ws, &mut ends, 2, false, deadline).await?;
        ws.send(speak(&long)).await.map_err(|e| e.to_string())?;
        read(&mut ws, &mut ends, 3, true, deadline).await?;
        ws.send(Message::text(json!({"type": "cancel"}).to_string()))
            .await
            .map_err(|e| e.to_string())?;
        read(&mut ws, &mut ends, 3, false, deadline).await?;
        ws.send(speak(text)).await.map_err(|e| e.to_string())?;
        read(&mut ws, &mut ends, 4, false, deadline).await
    };
    match steps.await {
        Ok(()) => counts.status("websocket", 200, ""),
        // An error message from the server: counted by its status (503: queue full).
        Err(e) if e.starts_with("status ") => {
            let code = e
                .split_whitespace()
                .nth(1)
                .and_then(|c| c.parse().ok())
                .unwrap_or(500);
            counts.status("websocket", code, &e)
        }
        Err(e) => counts.unanswered("websocket", &format!("{e} ({ends} ends)")),
    }
    let _ = ws.close(None).await;
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

#[allow(clippy::too_many_arguments)]
fn report(
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
