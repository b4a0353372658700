//! `cargo bench --bench gpu`: CUDA against the CPU on a warm engine — real-time factor of
//! whole-utterance synthesis, time to the first streamed audio, and batch throughput for
//! audiobook-style rendering (sentences rendered by 1 and by `GPU_BENCH_WORKERS` threads
//! sharing one engine). Prints figures and ratios from the same run; asserts nothing.
//! Without a CUDA device (or without `yomiage setup --gpu`) it measures the CPU and says why
//! CUDA was not measured.
//!
//! `GPU_BENCH_SENTENCES` (default 8) sentences of the batch; `GPU_BENCH_WORKERS` (default 4).

use std::ops::ControlFlow;
use std::time::Instant;

use yomiage_engine::onnx::{Device, DeviceRequest, SessionOptions};
use yomiage_engine::{CancelToken, Engine, EnginePaths, Precision, StreamEvent, SynthesisOptions};
use yomiage_voices::{Layout, Manifest, VoiceId};

mod common;
use common::median;

use yomiage_testkit::gpu;

const SHORT: &str = "こんにちは。";
const MEDIUM: &str = "今日はいい天気ですね。散歩に出かけて、公園で少し休みましょう。";
const BOOK: [&str; 8] = [
    "吾輩は猫である。",
    "名前はまだ無い。",
    "どこで生れたかとんと見当がつかぬ。",
    "何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。",
    "吾輩はここで始めて人間というものを見た。",
    "しかもあとで聞くとそれは書生という人間中で一番獰悪な種族であったそうだ。",
    "この書生というのは時々我々を捕えて煮て食うという話である。",
    "しかしその当時は何という考もなかったから別段恐しいとも思わなかった。",
];

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Figures {
    label: String,
    rtf: Vec<(f64, f64)>,
    first_audio: Vec<f64>,
    batch: Vec<(usize, f64)>,
}

/// (RTF, audio seconds) of warm whole-utterance synthesis, median of 3.
fn rtf(engine: &Engine, text: &str, voice: &VoiceId) -> (f64, f64) {
    let opts = SynthesisOptions::default();
    let _ = engine.synthesize_text(text, voice, &opts);
    let mut runs = Vec::new();
    let mut secs = 0.0;
    for _ in 0..3 {
        let started = Instant::now();
        let Ok(s) = engine.synthesize_text(text, voice, &opts) else {
            return (f64::NAN, 0.0);
        };
        secs = s.audio.duration_seconds();
        runs.push(started.elapsed().as_secs_f64() / secs);
    }
    (median(runs), secs)
}

/// Seconds to the first streamed sound (a sample above 0.01, as `benches/stream.rs` counts it:
/// the leading silence comes at once), median of 3 (warm).
fn first_audio(engine: &Engine, text: &str, voice: &VoiceId) -> f64 {
    let once = || {
        let started = Instant::now();
        let mut first = None;
        let _ = engine.stream_text(
            text,
            voice,
            &SynthesisOptions::default(),
            &CancelToken::new(),
            &mut |ev| {
                if let StreamEvent::Audio(pcm) = ev {
                    if pcm.iter().any(|s| s.abs() > 0.01) {
                        first.get_or_insert_with(|| started.elapsed().as_secs_f64());
                        return ControlFlow::Break(());
                    }
                }
                ControlFlow::Continue(())
            },
        );
        first.unwrap_or(f64::NAN)
    };
    let _ = once();
    median((0..3).map(|_| once()).collect())
}

/// Audio seconds rendered per wall-clock second, `workers` threads taking sentences in turn.
fn batch(engine: &Engine, sentences: &[&str], voice: &VoiceId, workers: usize) -> f64 {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let audio = std::sync::Mutex::new(0.0f64);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(text) = sentences.get(i) else { break };
                if let Ok(syn) = engine.synthesize_text(text, voice, &SynthesisOptions::default()) {
                    *audio.lock().unwrap_or_else(|p| p.into_inner()) +=
                        syn.audio.duration_seconds();
                }
            });
        }
    });
    let audio = *audio.lock().unwrap_or_else(|p| p.into_inner());
    audio / started.elapsed().as_secs_f64()
}

fn measure(
    label: &str,
    engine: &Engine,
    voice: &VoiceId,
    sentences: &[&str],
    workers: usize,
) -> Figures {
    eprintln!("measuring {label} …");
    let rtf = vec![rtf(engine, SHORT, voice), rtf(engine, MEDIUM, voice)];
    let first_audio = vec![
        first_audio(engine, SHORT, voice),
        first_audio(engine, MEDIUM, voice),
    ];
    let _ = batch(engine, &sentences[..1], voice, 1);
    let batch = [1, workers]
        .into_iter()
        .map(|w| (w, batch(engine, sentences, voice, w)))
        .collect();
    Figures {
        label: label.to_owned(),
        rtf,
        first_audio,
        batch,
    }
}

fn main() {
    let layout = Layout::from_env().unwrap_or_else(|e| panic!("{e}"));
    let manifest = Manifest::builtin().unwrap_or_else(|e| panic!("{e}"));
    let voice = manifest.default_voice();
    let n = env_usize("GPU_BENCH_SENTENCES", BOOK.len()).clamp(1, BOOK.len());
    let workers = env_usize("GPU_BENCH_WORKERS", 4).max(1);
    let sentences = &BOOK[..n];
    let setup = gpu::gpu_setup(&layout, &manifest);
    let cuda_gate = setup.clone().and_then(|()| gpu::cuda_device());
    let mut paths = EnginePaths::from_layout(&layout, &manifest);
    if setup.is_ok() {
        // One library per process: the CPU figures come from the GPU build's CPU provider,
        // so both devices run the same ONNX Runtime.
        let cuda_libs = std::env::var_os("YOMIAGE_CUDA_LIBS");
        paths = paths.with_gpu(&layout, &manifest, cuda_libs.as_deref());
        if let Some(g) = &paths.gpu {
            paths.onnxruntime = g.library.clone();
        }
    }
    let load = |device, precision| {
        let session = SessionOptions {
            device,
            ..SessionOptions::default()
        };
        Engine::load_with(&paths, session, precision)
    };
    let mut figures = Vec::new();
    match load(DeviceRequest::Cpu, None) {
        Ok(e) => figures.push(measure("cpu int8", &e, &voice, sentences, workers)),
        Err(e) => panic!("loading the CPU engine: {e}"),
    }
    match &cuda_gate {
        Err(reason) => println!("CUDA not measured: {reason}"),
        Ok(gpu) => {
            println!("CUDA device: {gpu}");
            for p in [Precision::Fp32, Precision::Fp16] {
                match load(DeviceRequest::Cuda, Some(p)) {
                    Ok(e) if e.device() == Device::Cuda => figures.push(measure(
                        &format!("cuda {p}"),
                        &e,
                        &voice,
                        sentences,
                        workers,
                    )),
                    Ok(_) => println!("CUDA {p}: engine not on CUDA"),
                    Err(e) => println!("CUDA {p}: {e}"),
                }
            }
        }
    }
    let base = &figures[0];
    println!(
        "\n{:<10} {:>11} {:>11} {:>13} {:>13} {:>13} {:>13}",
        "", "RTF short", "RTF medium", "sound short", "sound medium", "batch ×1", "batch ×W"
    );
    for f in &figures {
        println!(
            "{:<10} {:>11.3} {:>11.3} {:>10.0} ms {:>10.0} ms {:>10.1} x/s {:>10.1} x/s",
            f.label,
            f.rtf[0].0,
            f.rtf[1].0,
            f.first_audio[0] * 1e3,
            f.first_audio[1] * 1e3,
            f.batch[0].1,
            f.batch[1].1,
        );
    }
    println!(
        "(audio: short {:.2} s, medium {:.2} s; batch: {n} sentences, W = {workers} threads; \
         x/s = seconds of audio per second)",
        base.rtf[0].1, base.rtf[1].1
    );
    for f in &figures[1..] {
        println!(
            "{} vs {}: RTF ×{:.1} faster (medium), first sound ×{:.1} sooner, batch ×{:.1}",
            f.label,
            base.label,
            base.rtf[1].0 / f.rtf[1].0,
            base.first_audio[1] / f.first_audio[1],
            f.batch[1].1 / base.batch[1].1
        );
    }
}
