//! CUDA end to end. What needs a GPU runs only where there is one; what needs the GPU set-up
//! (`yomiage setup --gpu`, ~1.2 GB, never fetched by the test suite) runs only where it is
//! installed. Everything else is reported NOT RUN with the reason — never as passed.
//!
//! On a machine without a GPU but with the GPU set-up this checks the fall-back: `--device
//! auto` loads the GPU build of ONNX Runtime, its CUDA provider fails (no driver), and the
//! audio is the CPU's; `--device cuda` fails with a clear error. With a GPU it checks that CUDA
//! is chosen and that its audio matches the CPU's, and prints first-audio and RTF figures.

use crate::common;

use std::ops::ControlFlow;
use std::path::Path;
use std::time::Instant;

use common::compare::{log_spectral_distance, rms, snr_db, to_i16};
use common::pitch::{f0_track, mora_f0, semitones, tone_steps};
use common::runner::Runner;
use common::*;
use yomiage_engine::onnx::{Device, DeviceRequest, SessionOptions};
use yomiage_engine::{CancelToken, Engine, EnginePaths, Precision, StreamEvent, SynthesisOptions};
use yomiage_voices::{Layout, Manifest};

const TEXT: &str = "今日はいい天気ですね。散歩に行きましょう。";

pub fn tests(t: &mut Runner) {
    let layout = Layout::from_env().expect("a data directory");
    let manifest = Manifest::builtin().expect("the manifest");
    let device = common::gpu::cuda_device();
    let setup = common::gpu::gpu_setup(&layout, &manifest);
    // The fall-back tests need the GPU set-up and no GPU.
    let no_gpu = match (&setup, &device) {
        (Err(e), _) => Err(e.clone()),
        (Ok(()), Ok(gpu)) => Err(format!("a CUDA device is present ({gpu})")),
        (Ok(()), Err(_)) => Ok(()),
    };
    let with_gpu = match (&setup, &device) {
        (Err(e), _) | (Ok(()), Err(e)) => Err(e.clone()),
        (Ok(()), Ok(_)) => Ok(()),
    };
    t.run(
        "cuda::cuda_without_the_gpu_setup_names_setup_gpu",
        Ok(()),
        cuda_without_setup,
    );
    t.run(
        "cuda::auto_without_a_driver_falls_back_to_the_cpu",
        no_gpu.clone(),
        || auto_falls_back(&layout),
    );
    t.run(
        "cuda::cuda_without_a_driver_is_a_clear_error",
        no_gpu,
        cuda_fails,
    );
    t.run(
        "cuda::auto_chooses_cuda",
        with_gpu.clone(),
        auto_chooses_cuda,
    );
    // In-process on the GPU build of ONNX Runtime: a process of its own.
    t.run_isolated(
        "cuda::cuda_audio_matches_the_cpu_and_timings",
        with_gpu,
        || cuda_matches_cpu(&layout, &manifest),
    );
}

/// A data directory with the default set-up (linked from the real one) but no GPU set-up.
fn home_without_gpu(real: &Path, dir: &Path) {
    for d in ["onnxruntime", "voice", "models", "dictionary"] {
        std::os::unix::fs::symlink(real.join(d), dir.join(d)).expect("symlink");
    }
    std::fs::create_dir_all(dir.join("stamps")).expect("stamps dir");
    for s in ["onnxruntime", "voice", "models", "dictionary"] {
        let name = format!("{s}.json");
        std::os::unix::fs::symlink(
            real.join("stamps").join(&name),
            dir.join("stamps").join(&name),
        )
        .expect("symlink");
    }
}

fn cuda_without_setup() {
    let real = Layout::from_env().expect("a data directory");
    let home = tempfile::tempdir().expect("temp dir");
    home_without_gpu(real.root(), home.path());
    let out = home.path().join("out.wav");
    let o = run(yomiage()
        .env("YOMIAGE_HOME", home.path())
        .args(["synth", "こんにちは。", "--device", "cuda", "-o"])
        .arg(&out));
    assert_clean_failure(&o);
    let e = stderr(&o);
    assert!(e.contains("setup --gpu") && e.contains("cuda"), "{e}");
    assert!(!out.exists());
}

/// Log text without its colours.
fn plain(o: &std::process::Output) -> String {
    let e = stderr(o);
    let mut out = String::with_capacity(e.len());
    let mut chars = e.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn synth(dir: &Path, name: &str, args: &[&str]) -> (std::process::Output, std::path::PathBuf) {
    let out = dir.join(name);
    let o = run(yomiage()
        .args(["-v", "synth", TEXT, "-o"])
        .arg(&out)
        .args(args));
    (o, out)
}

fn samples(path: &Path) -> Vec<f32> {
    read_wav(path)
        .samples
        .iter()
        .map(|&s| s as f32 / 32768.0)
        .collect()
}

fn auto_falls_back(layout: &Layout) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (o, auto) = synth(dir.path(), "auto.wav", &["--device", "auto"]);
    let e = plain(&o);
    println!(
        "{}",
        e.lines()
            .filter(|l| l.contains("device") || l.contains("CUDA"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(o.status.success(), "{e}");
    // The GPU build was loaded, its CUDA provider failed for want of the driver, and the
    // models ran on the CPU.
    let gpu_lib = layout.gpu_dir().join("onnxruntime");
    assert!(e.contains(&gpu_lib.display().to_string()), "{e}");
    assert!(
        e.contains("CUDA unavailable") && e.contains("libcuda.so.1"),
        "{e}"
    );
    assert!(e.contains("device=cpu"), "{e}");
    let (o, cpu) = synth(dir.path(), "cpu.wav", &["--device", "cpu"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (a, b) = (samples(&cpu), samples(&auto));
    let snr = snr_db(&a, &b);
    let lsd = log_spectral_distance(&a, &b);
    println!(
        "auto (GPU build 1.31, CPU provider) vs cpu (CPU build 1.32), int8: SNR {snr:.1} dB, \
         log-spectral distance {lsd:.2} dB, {:.2} s vs {:.2} s",
        b.len() as f64 / 24000.0,
        a.len() as f64 / 24000.0
    );
    assert!(snr > 30.0, "SNR {snr:.1} dB");
}

fn cuda_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (o, out) = synth(dir.path(), "cuda.wav", &["--device", "cuda"]);
    assert_clean_failure(&o);
    let e = stderr(&o);
    println!("{}", e.lines().last().unwrap_or_default());
    assert!(
        e.contains("CUDA is not available") && e.contains("libcuda.so.1"),
        "{e}"
    );
    assert!(!out.exists());
}

fn auto_chooses_cuda() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (o, out) = synth(dir.path(), "auto.wav", &["--device", "auto"]);
    let e = plain(&o);
    assert!(o.status.success(), "{e}");
    assert!(
        e.contains("device auto: CUDA") && e.contains("device=cuda"),
        "{e}"
    );
    assert!(read_wav(&out).seconds() > 1.0);
}

/// Seconds to the first streamed sound (a sample above 0.01: the leading silence comes at
/// once), and the stream's audio length.
fn first_audio(engine: &Engine, text: &str, voice: &yomiage_voices::VoiceId) -> (f64, f64) {
    let started = Instant::now();
    let mut first = None;
    let mut samples = 0usize;
    engine
        .stream_text(
            text,
            voice,
            &SynthesisOptions::default(),
            &CancelToken::new(),
            &mut |ev| {
                if let StreamEvent::Audio(a) = ev {
                    if a.iter().any(|s| s.abs() > 0.01) {
                        first.get_or_insert_with(|| started.elapsed().as_secs_f64());
                    }
                    samples += a.len();
                }
                ControlFlow::Continue(())
            },
        )
        .expect("stream");
    (first.unwrap_or(f64::NAN), samples as f64 / 24000.0)
}

fn cuda_matches_cpu(layout: &Layout, manifest: &Manifest) {
    let cuda_libs = std::env::var_os("YOMIAGE_CUDA_LIBS");
    let gpu_paths =
        EnginePaths::from_layout(layout, manifest).with_gpu(layout, manifest, cuda_libs.as_deref());
    // The CPU engines use the GPU build too: a process loads one ONNX Runtime library.
    let mut cpu_paths = gpu_paths.clone();
    cpu_paths.onnxruntime = gpu_paths.gpu.as_ref().expect("gpu").library.clone();
    cpu_paths.gpu = None;
    let opts = |device| SessionOptions {
        device,
        ..SessionOptions::default()
    };
    let load = |paths: &EnginePaths, device, p| {
        Engine::load_with(paths, opts(device), Some(p)).expect("engine")
    };
    let cuda32 = load(&gpu_paths, DeviceRequest::Cuda, Precision::Fp32);
    let cuda16 = load(&gpu_paths, DeviceRequest::Cuda, Precision::Fp16);
    let cpu32 = load(&cpu_paths, DeviceRequest::Cpu, Precision::Fp32);
    let cpu8 = load(&cpu_paths, DeviceRequest::Cpu, Precision::Int8);
    assert_eq!(cuda32.device(), Device::Cuda);
    assert_eq!(cpu32.device(), Device::Cpu);
    let voice = manifest.voice("jf_alpha").expect("voice");
    let query = cpu8
        .audio_query(TEXT, &voice)
        .expect("query")
        .check()
        .expect("checked");
    let render = |e: &Engine| {
        let _ = e.synthesize(&query, &voice).expect("warm-up");
        let started = Instant::now();
        let s = e.synthesize(&query, &voice).expect("synthesis");
        (s, started.elapsed().as_secs_f64())
    };
    let (s32, t_cpu32) = render(&cpu32);
    let (s8, t_cpu8) = render(&cpu8);
    let (sc32, t_cuda32) = render(&cuda32);
    let (sc16, t_cuda16) = render(&cuda16);
    let (ref32, ref8) = (&s32.audio.samples, &s8.audio.samples);
    let secs = ref32.len() as f64 / 24000.0;
    let spans: Vec<(f64, f64)> = s32
        .timeline
        .moras
        .iter()
        .map(|m| (m.start, m.end))
        .collect();
    let mora_pitch = |x: &[f32]| mora_f0(&f0_track(&to_i16(x), 24000), &spans);
    let pitch32 = mora_pitch(ref32);
    let steps32 = tone_steps(&pitch32);
    println!("{secs:.2} s of audio, jf_alpha, whole-utterance synthesis (warm), against cpu fp32:");
    println!(
        "{:<10} {:>6} {:>8} {:>7} {:>24} {:>8} {:>12} {:>16}",
        "",
        "RTF",
        "SNR dB",
        "LSD dB",
        "SNR by quarter dB",
        "level dB",
        "tone steps ≠",
        "ΔF0 st med/max"
    );
    let mut rows = Vec::new();
    for (name, x, t) in [
        ("cpu int8", ref8, t_cpu8),
        ("cpu fp32", ref32, t_cpu32),
        ("cuda fp32", &sc32.audio.samples, t_cuda32),
        ("cuda fp16", &sc16.audio.samples, t_cuda16),
    ] {
        let v = Versus::measure(ref32, &pitch32, x, mora_pitch(x));
        let quarters: Vec<String> = v.quarters.iter().map(|q| format!("{q:.1}")).collect();
        let steps_differ = tone_steps(&v.pitch)
            .iter()
            .zip(&steps32)
            .filter(|(a, b)| a != b)
            .count();
        println!(
            "{name:<10} {:>6.3} {:>8.1} {:>7.2} {:>24} {:>8.2} {steps_differ:>5} of {:<4} {:>8.2} / {:.2}",
            t / secs,
            v.snr,
            v.lsd,
            quarters.join(" / "),
            v.level,
            steps32.len(),
            v.df0_median,
            v.df0_max
        );
        rows.push((name, v));
    }
    let per_mora: Vec<String> = rows[2]
        .1
        .pitch
        .iter()
        .zip(&pitch32)
        .map(|(a, b)| match (a, b) {
            (Some(a), Some(b)) => format!("{:+.2}", semitones(*b, *a)),
            _ => "-".to_owned(),
        })
        .collect();
    println!(
        "cuda fp32 per-mora F0 vs cpu fp32 (st): {}",
        per_mora.join(" ")
    );
    println!(
        "speed-up cuda fp32 / cpu int8: ×{:.1}; cuda fp16: ×{:.1}",
        t_cpu8 / t_cuda32,
        t_cpu8 / t_cuda16
    );
    let _ = first_audio(&cuda32, TEXT, &voice); // warm-up (and calibration on first use)
    let _ = first_audio(&cpu32, TEXT, &voice);
    let (fa_cuda, len) = first_audio(&cuda32, TEXT, &voice);
    let (fa_cpu, _) = first_audio(&cpu32, TEXT, &voice);
    println!(
        "first streamed sound ({len:.2} s stream): cuda {:.0} ms, cpu {:.0} ms",
        fa_cuda * 1e3,
        fa_cpu * 1e3
    );
    // Same float weights on another device, but not the same waveform: on an H200 the CUDA
    // rendering is −1.2 dB SNR from the CPU's (2.6 dB already in the first quarter, so not
    // only a phase that drifts), while its level, spectrum and melody match. So what is
    // asserted is what is heard: the same level (±1 dB), a spectrum as close to the CPU's
    // float rendering as the CPU's own int8 rendering is (LSD within 25 %: measured 5.9 / 6.1
    // dB vs 5.3), and the same melody — per-mora F0 within 0.2 semitone at the median and a
    // semitone at worst (tone steps, which use a 1-semitone dead band, are only printed: 2 of
    // 19 sat on that band's edge there).
    let lsd8 = rows[0].1.lsd;
    for (name, v) in &rows[2..] {
        assert!(
            v.df0_median < 0.2 && v.df0_max < 1.0 && v.level.abs() < 1.0 && v.lsd < lsd8 * 1.25,
            "{name} vs cpu fp32: per-mora ΔF0 median {:.2} st, max {:.2} st, level {:+.2} dB, \
             LSD {:.2} dB (cpu int8: {lsd8:.2} dB)",
            v.df0_median,
            v.df0_max,
            v.level,
            v.lsd
        );
    }
}

/// One rendering against the CPU's fp32 rendering of the same query.
struct Versus {
    snr: f64,
    lsd: f64,
    /// SNR in each quarter of the utterance: a drifting phase shows as SNR falling along it.
    quarters: Vec<f64>,
    /// Level difference, dB.
    level: f64,
    /// Median F0 of each mora (pYIN), measured once and reused for every figure.
    pitch: Vec<Option<f64>>,
    /// Median and largest per-mora F0 difference, semitones.
    df0_median: f64,
    df0_max: f64,
}

impl Versus {
    fn measure(
        reference: &[f32],
        ref_pitch: &[Option<f64>],
        x: &[f32],
        pitch: Vec<Option<f64>>,
    ) -> Versus {
        let quarter = reference.len().min(x.len()) / 4;
        let quarters = (0..4)
            .map(|q| {
                let r = q * quarter..(q + 1) * quarter;
                snr_db(&reference[r.clone()], &x[r])
            })
            .collect();
        let mut diffs: Vec<f64> = pitch
            .iter()
            .zip(ref_pitch)
            .filter_map(|(a, b)| Some(semitones((*b)?, (*a)?).abs()))
            .collect();
        diffs.sort_by(f64::total_cmp);
        Versus {
            snr: snr_db(reference, x),
            lsd: log_spectral_distance(reference, x),
            quarters,
            level: 20.0 * (rms(x) / rms(reference)).log10(),
            df0_median: diffs.get(diffs.len() / 2).copied().unwrap_or(f64::NAN),
            df0_max: diffs.last().copied().unwrap_or(f64::NAN),
            pitch,
        }
    }
}
