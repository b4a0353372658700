//! Short lines under load: first-audio latency of chat lines while long texts keep every
//! synthesis slot busy, with the fair queue against first come, first served, in one run.
//!
//! `cargo bench -p yomiage-server --bench short_lines` (after `yomiage setup`). First, on an
//! idle warm server, one-second lines (each a new text, so no cache helps) streamed as PCM:
//! the time from sending the request to the first byte of audio and to the first sound (a
//! sample above 1 % of full scale), as a chat client hears it. Then for each scheduling,
//! `SHORT_LONG_CLIENTS` clients (default: one per slot) render a long text over and over, and
//! one chat client sends `SHORT_LINES` short lines (default 8) one after another, timing
//! each line's first audio. Prints p50/p99/max per scheduling and the ratio, and the long
//! texts' throughput (what the fairness costs them).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use yomiage_engine::onnx::SessionOptions;
use yomiage_engine::{Engine, EnginePaths};
use yomiage_server::limit::Scheduling;
use yomiage_server::{AppState, ServerConfig};
use yomiage_voices::{Layout, Manifest};

const LONG: &str = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。\
何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。\
吾輩はここで始めて人間というものを見た。しかもあとで聞くとそれは書生という人間中で\
一番獰悪な種族であったそうだ。この書生というのは時々我々を捕えて煮て食うという話である。";
const SHORT: &str = "うん、わかった。";
/// About a second of speech each, all different (the engine remembers recent analyses).
const ONE_SECOND: [&str; 9] = [
    "ありがとう、助かるよ。",
    "それは本当ですか？",
    "今日は晴れですね。",
    "少し待ってください。",
    "また明日会いましょう。",
    "お腹が空きました。",
    "いい考えだと思う。",
    "もう一度言って。",
    "すぐに行きます。",
];

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len().max(1) - 1) as f64 * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

struct Run {
    first_audio: Vec<Duration>,
    first_sound: Vec<Duration>,
    audio_seconds: Vec<f64>,
    long_done: usize,
    long_seconds: f64,
}

/// `lines` streamed one after another while `long_clients` render long texts.
async fn run(
    engine: Arc<Engine>,
    manifest: Manifest,
    scheduling: Scheduling,
    long_clients: usize,
    lines: &[&str],
) -> Run {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config = ServerConfig {
        port: 0,
        scheduling,
        ..ServerConfig::default()
    };
    let state =
        AppState::with_shared_engine(engine, manifest, dir.path().join("dict.json"), config)
            .expect("server state");
    let listener = yomiage_server::bind("127.0.0.1", 0).await.expect("bind");
    let url = format!(
        "http://{}/v1/audio/speech",
        listener.local_addr().expect("addr")
    );
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(yomiage_server::serve(listener, state, async {
        let _ = stop_rx.await;
    }));
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut long = Vec::new();
    for _ in 0..long_clients {
        let (c, url, stop) = (client.clone(), url.clone(), stop.clone());
        long.push(tokio::spawn(async move {
            let body = json!({"model": "tts-1", "input": LONG, "voice": "alloy",
                "response_format": "pcm"});
            let (mut n, mut bytes) = (0, 0);
            while !stop.load(Ordering::SeqCst) {
                let r = c.post(&url).json(&body).send().await.expect("long request");
                assert!(r.status().is_success(), "long text: {}", r.status());
                bytes += r.bytes().await.expect("long body").len();
                n += 1;
            }
            (n, bytes)
        }));
    }
    if long_clients > 0 {
        // Let the long texts take every slot first.
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let (mut first_audio, mut first_sound, mut audio_seconds) =
        (Vec::new(), Vec::new(), Vec::new());
    for line in lines {
        let body = json!({"model": "tts-1", "input": line, "voice": "alloy",
            "response_format": "pcm", "stream": true});
        let t = Instant::now();
        let mut r = client
            .post(&url)
            .json(&body)
            .send()
            .await
            .expect("short line");
        assert!(r.status().is_success(), "short line: {}", r.status());
        let (mut audio, mut sound, mut bytes) = (None, None, 0usize);
        while let Some(chunk) = r.chunk().await.expect("short body") {
            if !chunk.is_empty() {
                audio.get_or_insert(t.elapsed());
            }
            let loud = chunk
                .chunks_exact(2)
                .any(|b| i16::from_le_bytes([b[0], b[1]]).unsigned_abs() > 327);
            if loud {
                sound.get_or_insert(t.elapsed());
            }
            bytes += chunk.len();
        }
        first_audio.push(audio.expect("audio"));
        first_sound.push(sound.expect("a sound"));
        audio_seconds.push(bytes as f64 / 48_000.0);
        // A chat's next line comes after a moment.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    stop.store(true, Ordering::SeqCst);
    let mut out = Run {
        first_audio,
        first_sound,
        audio_seconds,
        long_done: 0,
        long_seconds: 0.0,
    };
    for t in long {
        let (n, bytes) = t.await.expect("long client");
        out.long_done += n;
        out.long_seconds += bytes as f64 / 48_000.0;
    }
    out.long_seconds /= started.elapsed().as_secs_f64();
    out.first_audio.sort();
    out.first_sound.sort();
    let _ = stop_tx.send(());
    let _ = server.await;
    out
}

fn main() {
    // `cargo test --all-targets` runs bench targets too; the run is for `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("short-lines benchmark: run it with `cargo bench -p yomiage-server --bench short_lines`");
        return;
    }
    let layout = Layout::from_env().expect("a data directory");
    let manifest = Manifest::builtin().expect("the manifest");
    let engine = Engine::load(
        &EnginePaths::from_layout(&layout, &manifest),
        SessionOptions::default(),
    )
    .unwrap_or_else(|e| panic!("the engine does not load ({e}); run `yomiage setup`"));
    let engine = Arc::new(engine);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let fair = |long, lines: &[&str]| {
        rt.block_on(run(
            engine.clone(),
            manifest.clone(),
            Scheduling::Fair,
            long,
            lines,
        ))
    };
    // Warm: the server's own warm-up, then one line not counted.
    let _ = fair(0, &["こんにちは。"]);
    let idle = fair(0, &ONE_SECOND);
    let secs = idle.audio_seconds.iter().sum::<f64>() / idle.audio_seconds.len().max(1) as f64;
    println!(
        "idle warm server, {} one-second lines ({secs:.2} s of audio on average, streamed PCM):",
        ONE_SECOND.len()
    );
    for (what, v) in [
        ("first audio", &idle.first_audio),
        ("first sound", &idle.first_sound),
    ] {
        println!(
            "  {what}: p50 {:.0} ms, max {:.0} ms",
            ms(percentile(v, 0.5)),
            ms(v.last().copied().unwrap_or_default())
        );
    }
    let shorts = vec![SHORT; env_usize("SHORT_LINES", 8)];
    let long_clients = env_usize(
        "SHORT_LONG_CLIENTS",
        ServerConfig::default().max_concurrency,
    );
    let mut p99 = Vec::new();
    println!(
        "short lines ({SHORT:?}, streamed) while long texts ({} chars) fill every slot",
        LONG.chars().count()
    );
    println!(
        "{:<6} {:>10} {:>10} {:>10} {:>12} {:>16}",
        "queue", "p50 ms", "p99 ms", "max ms", "long texts", "long audio s/s"
    );
    for scheduling in [Scheduling::Fifo, Scheduling::Fair] {
        let r = rt.block_on(run(
            engine.clone(),
            manifest.clone(),
            scheduling,
            long_clients,
            &shorts,
        ));
        let f = &r.first_audio;
        println!(
            "{:<6} {:>10.0} {:>10.0} {:>10.0} {:>12} {:>16.2}",
            format!("{scheduling:?}").to_lowercase(),
            ms(percentile(f, 0.5)),
            ms(percentile(f, 0.99)),
            ms(f.last().copied().unwrap_or_default()),
            r.long_done,
            r.long_seconds
        );
        p99.push(ms(percentile(f, 0.99)));
    }
    println!(
        "fair / fifo p99 first audio: {:.2}",
        p99[1] / p99[0].max(1e-9)
    );
}
