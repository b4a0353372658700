//! The float decoders made for the GPU (`setup --gpu`: fp32 dequantized, fp16 weighted layers),
//! checked on the CPU against the int8 decoder the CPU uses: the same query rendered by each,
//! compared by SNR and log-spectral distance, and by the accent-in-audio measure of
//! tests/cli/accent_audio.rs (pYIN F0 per mora, rise/fall between moras). Prints the figures.
//! NOT RUN (not passed) when the float models are not installed.

use crate::common;

use std::time::Instant;

use common::compare::{log_spectral_distance, snr_db, to_i16};
use common::pitch::{f0_track, mora_f0, tone_steps};
use common::runner::Runner;
use yomiage_engine::onnx::SessionOptions;
use yomiage_engine::{Engine, EnginePaths, Precision, Synthesis};
use yomiage_voices::{Layout, Manifest};

const SENTENCES: [&str; 6] = [
    "箸が",
    "橋が",
    "端が",
    "今日はいい天気ですね。",
    "吾輩は猫である。名前はまだ無い。",
    "東京都の新しい図書館は、駅から歩いて五分のところにあります。",
];

/// The gold tones of the 箸/橋/端 triplet (as tests/cli/accent_audio.rs asserts them): the first
/// step exactly, the second at most/least.
fn triplet_ok(text: &str, steps: &[i32]) -> Option<bool> {
    let s0 = *steps.first()?;
    let s1 = *steps.get(1)?;
    Some(match text {
        "箸が" => s0 == -1 && s1 <= 0,
        "橋が" => s0 == 1 && s1 == -1,
        "端が" => s0 == 1 && s1 >= 0,
        _ => return None,
    })
}

fn steps_of(s: &Synthesis) -> Vec<i32> {
    let track = f0_track(&to_i16(&s.audio.samples), s.audio.sample_rate);
    let spans: Vec<(f64, f64)> = s.timeline.moras.iter().map(|m| (m.start, m.end)).collect();
    tone_steps(&mora_f0(&track, &spans))
}

pub fn tests(t: &mut Runner) {
    let layout = Layout::from_env().expect("a data directory");
    let manifest = Manifest::builtin().expect("the manifest");
    let gate = common::gpu::float_models(&layout, &manifest);
    // In-process on the CPU build of ONNX Runtime: a process of its own.
    t.run_isolated(
        "float_models::float_decoders_match_the_int8_one_on_the_cpu",
        gate,
        || check(&layout, &manifest),
    );
}

fn check(layout: &Layout, manifest: &Manifest) {
    let paths = EnginePaths::from_layout(layout, manifest);
    let voice = manifest.voice("jf_alpha").expect("jf_alpha");
    let load = |p| Engine::load_with(&paths, SessionOptions::default(), Some(p)).expect("engine");
    let engines = [
        ("int8", load(Precision::Int8)),
        ("fp32", load(Precision::Fp32)),
        ("fp16", load(Precision::Fp16)),
    ];
    println!(
        "{:<22} {:>6} {:>11} {:>11} {:>11} {:>9} {:>9} {:>9} {:>9}",
        "sentence (jf_alpha)",
        "audio",
        "int8 tones",
        "fp32 tones",
        "fp16 tones",
        "SNR32 dB",
        "SNR16 dB",
        "LSD32/16",
        "16vs32 dB"
    );
    let (mut worst32, mut worst16) = (f64::MAX, f64::MAX);
    let (mut lsd32_max, mut lsd16_max) = (0.0f64, 0.0f64);
    let mut worst16_32 = f64::MAX;
    let mut tone_agree = [0usize; 3];
    let mut tone_total = 0usize;
    let mut triplet = [0usize; 3];
    let mut times = [0.0f64; 3];
    let mut audio_total = 0.0;
    for text in SENTENCES {
        let query = engines[0]
            .1
            .audio_query(text, &voice)
            .expect("query")
            .check()
            .expect("checked");
        let mut out = Vec::new();
        for (k, (_, e)) in engines.iter().enumerate() {
            // One warm-up so session creation is not timed.
            if times[k] == 0.0 {
                let _ = e.synthesize(&query, &voice);
            }
            let started = Instant::now();
            let s = e.synthesize(&query, &voice).expect("synthesis");
            times[k] += started.elapsed().as_secs_f64();
            out.push(s);
        }
        let reference = &out[0].audio.samples;
        let snr32 = snr_db(reference, &out[1].audio.samples);
        let snr16 = snr_db(reference, &out[2].audio.samples);
        let lsd32 = log_spectral_distance(reference, &out[1].audio.samples);
        let lsd16 = log_spectral_distance(reference, &out[2].audio.samples);
        let snr16_32 = snr_db(&out[1].audio.samples, &out[2].audio.samples);
        worst16_32 = worst16_32.min(snr16_32);
        worst32 = worst32.min(snr32);
        worst16 = worst16.min(snr16);
        lsd32_max = lsd32_max.max(lsd32);
        lsd16_max = lsd16_max.max(lsd16);
        audio_total += out[0].audio.duration_seconds();
        let steps: Vec<Vec<i32>> = out.iter().map(steps_of).collect();
        for (k, st) in steps.iter().enumerate() {
            tone_agree[k] += st.iter().zip(&steps[0]).filter(|(a, b)| a == b).count();
            if triplet_ok(text, st) == Some(true) {
                triplet[k] += 1;
            }
        }
        tone_total += steps[0].len();
        let tones = |st: &[i32]| -> String {
            st.iter()
                .take(10)
                .map(|s| match s {
                    1 => '↑',
                    -1 => '↓',
                    _ => '-',
                })
                .collect()
        };
        println!(
            "{:<22} {:>5.2}s {:>11} {:>11} {:>11} {:>9.1} {:>9.1} {:>4.2}/{:.2} {:>9.1}",
            text.chars().take(10).collect::<String>(),
            out[0].audio.duration_seconds(),
            tones(&steps[0]),
            tones(&steps[1]),
            tones(&steps[2]),
            snr32,
            snr16,
            lsd32,
            lsd16,
            snr16_32
        );
    }
    println!(
        "\nworst SNR vs int8: fp32 {worst32:.1} dB, fp16 {worst16:.1} dB; largest log-spectral \
         distance vs int8: fp32 {lsd32_max:.2} dB, fp16 {lsd16_max:.2} dB; worst SNR fp16 vs \
         fp32: {worst16_32:.1} dB"
    );
    println!(
        "tone steps (rise/fall/level per mora pair, pYIN) equal to int8's: fp32 {}/{tone_total}, \
         fp16 {}/{tone_total}; 箸/橋/端 triplet as gold: int8 {}/3, fp32 {}/3, fp16 {}/3",
        tone_agree[1], tone_agree[2], triplet[0], triplet[1], triplet[2]
    );
    println!(
        "CPU time for {audio_total:.1} s of audio: int8 {:.2} s (RTF {:.2}), fp32 {:.2} s \
         (×{:.2}), fp16 {:.2} s (×{:.2})",
        times[0],
        times[0] / audio_total,
        times[1],
        times[1] / times[0],
        times[2],
        times[2] / times[0]
    );
    // The float decoders carry the accent as int8 does (measured here: every tone step the
    // same). Their waveforms differ from int8's as much as int8's own quantization noise does
    // (13-22 dB SNR measured), and fp16 stays close to fp32.
    assert_eq!(triplet, [3, 3, 3], "triplet tones per precision");
    assert!(tone_agree[1] * 10 >= tone_total * 9, "fp32 tone steps");
    assert!(tone_agree[2] * 10 >= tone_total * 9, "fp16 tone steps");
    assert!(worst32 > 10.0, "fp32 vs int8 SNR {worst32:.1} dB");
    assert!(worst16_32 > 25.0, "fp16 vs fp32 SNR {worst16_32:.1} dB");
    assert!(
        lsd32_max < 6.0,
        "fp32 log-spectral distance {lsd32_max:.2} dB"
    );
    assert!(
        lsd16_max < 6.0,
        "fp16 log-spectral distance {lsd16_max:.2} dB"
    );
}
