//! AudioQuery in, speech and timings out: `yomiage query`, edits, `synth --query --timings`.

use crate::common;
use common::pitch::{f0_track, median_f0, semitones};
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const FRAME: f64 = 0.025;

/// A change that makes a query invalid.
type Edit = Box<dyn Fn(&mut Value)>;

fn query_json(text: &str) -> Value {
    let o = run(yomiage().args(["query", text]));
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("query prints JSON")
}

/// Renders a query; returns the WAV and the timeline JSON.
fn synth_query(dir: &Path, name: &str, q: &Value, extra: &[&str]) -> (Wav, Value) {
    let qpath = dir.join(format!("{name}.json"));
    std::fs::write(&qpath, q.to_string()).unwrap();
    let wav = dir.join(format!("{name}.wav"));
    let timings = dir.join(format!("{name}.timings.json"));
    let o = run(yomiage()
        .arg("synth")
        .arg("--query")
        .arg(&qpath)
        .arg("-o")
        .arg(&wav)
        .arg("--timings")
        .arg(&timings)
        .args(extra));
    assert!(o.status.success(), "{name}: {}", stderr(&o));
    let t = serde_json::from_slice(&std::fs::read(&timings).unwrap()).unwrap();
    (read_wav(&wav), t)
}

fn mora_times(t: &Value) -> Vec<(f64, f64)> {
    t["moras"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["start"].as_f64().unwrap(), m["end"].as_f64().unwrap()))
        .collect()
}

fn query_moras(q: &Value) -> Vec<Value> {
    q["accent_phrases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["moras"].as_array().unwrap().clone())
        .collect()
}

fn mora_seconds(m: &Value) -> f64 {
    m["consonant_length"].as_f64().unwrap_or(0.0) + m["vowel_length"].as_f64().unwrap()
}

fn rms(w: &Wav, start: f64, end: f64) -> f64 {
    let rate = w.spec.sample_rate as f64;
    let (a, b) = ((start * rate) as usize, (end * rate) as usize);
    let s = &w.samples[a.min(w.samples.len())..b.min(w.samples.len())];
    if s.is_empty() {
        return 0.0;
    }
    (s.iter().map(|&x| (x as f64 / 32768.0).powi(2)).sum::<f64>() / s.len() as f64).sqrt()
}

#[test]
fn timeline_follows_the_query_and_the_audio() {
    let dir = tempfile::tempdir().unwrap();
    let mut q = query_json("箸が、橋が。");
    // VOICEVOX's pauseLength: every pause lasts this long, whatever the model predicted.
    q["pauseLength"] = 0.4.into();
    let (wav, t) = synth_query(dir.path(), "q", &q, &[]);
    let moras = query_moras(&q);
    let times = mora_times(&t);
    assert_eq!(times.len(), moras.len());
    // Each mora lasts what the query says, to within one frame; the sentence-final one may end
    // early, where the voice fades out before its frames do.
    let last_mora = moras.len() - 1;
    for (m, (s, e)) in moras[..last_mora].iter().zip(&times) {
        assert!(
            ((e - s) - mora_seconds(m)).abs() <= FRAME,
            "{m}: timed {:.3} s",
            e - s
        );
    }
    // Silence before the first mora and after the last, speech inside, silence in the pause.
    let (first, last) = (times[0].0, times[times.len() - 1].1);
    assert!(
        rms(&wav, 0.0, first - FRAME) < 0.005,
        "noise before the first mora"
    );
    assert!(
        rms(&wav, last + 2.0 * FRAME, wav.seconds()) < 0.005,
        "noise after the end"
    );
    assert!(
        rms(&wav, first, last) > 0.03,
        "no speech where the moras are"
    );
    let pause_start = times[2].1;
    let pause_end = times[3].0;
    assert!(
        ((pause_end - pause_start) - 0.4).abs() < 3.0 * FRAME,
        "pause of {:.3} s at 、, asked for 0.4: {times:?}",
        pause_end - pause_start
    );
    assert!(
        rms(&wav, pause_end - 0.3, pause_end - FRAME) < 0.005,
        "the pause is not quiet"
    );
    assert!(last <= wav.seconds());
    // Visemes: every mora and phoneme has one of the seven classes.
    for item in t["moras"]
        .as_array()
        .unwrap()
        .iter()
        .chain(t["phonemes"].as_array().unwrap())
    {
        let v = item["viseme"].as_str().unwrap();
        assert!(["a", "i", "u", "e", "o", "N", "closed"].contains(&v), "{v}");
    }
}

#[test]
fn query_from_text_renders_like_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let direct = dir.path().join("direct.wav");
    let o = run(yomiage()
        .args(["synth", "今日はいい天気ですね。", "-o"])
        .arg(&direct));
    assert!(o.status.success(), "{}", stderr(&o));
    let (via_query, _) = synth_query(dir.path(), "q", &query_json("今日はいい天気ですね。"), &[]);
    let direct = read_wav(&direct);
    assert!(
        (direct.seconds() - via_query.seconds()).abs() <= FRAME,
        "{} vs {}",
        direct.seconds(),
        via_query.seconds()
    );
}

#[test]
fn edited_lengths_and_pitches_are_heard() {
    let dir = tempfile::tempdir().unwrap();
    let q = query_json("あおい");
    let (base_wav, base_t) = synth_query(dir.path(), "base", &q, &[]);

    // Lengthen the second mora by 0.3 s: the mora grows by that in the timeline and in sound.
    let mut longer = q.clone();
    let v = &mut longer["accent_phrases"][0]["moras"][1]["vowel_length"];
    *v = (v.as_f64().unwrap() + 0.3).into();
    let (long_wav, long_t) = synth_query(dir.path(), "long", &longer, &[]);
    let (b, l) = (mora_times(&base_t), mora_times(&long_t));
    let grew = (l[1].1 - l[1].0) - (b[1].1 - b[1].0);
    assert!((grew - 0.3).abs() <= FRAME, "mora grew {grew:.3} s");
    // The lengthened vowel sounds all through its new length (not a gap or a fade).
    for k in 0..((l[1].1 - l[1].0) / FRAME) as usize {
        let at = l[1].0 + k as f64 * FRAME;
        let r = rms(&long_wav, at, at + FRAME);
        assert!(
            r > 0.03,
            "silent at {at:.3} s inside the lengthened mora ({r:.4})"
        );
    }
    // Whatever the voice does with a sentence-final vowel, the audio grew.
    let audio_grew = long_wav.seconds() - base_wav.seconds();
    assert!(audio_grew > 0.15, "audio grew only {audio_grew:.3} s");

    // Raise every mora by 4 semitones (ln 2^(4/12)): the measured F0 follows.
    let mut higher = q.clone();
    for m in higher["accent_phrases"][0]["moras"].as_array_mut().unwrap() {
        let p = m["pitch"].as_f64().unwrap();
        if p > 0.0 {
            m["pitch"] = (p + 4.0 / 12.0 * std::f64::consts::LN_2).into();
        }
    }
    let (high_wav, high_t) = synth_query(dir.path(), "high", &higher, &[]);
    let f0 = |w: &Wav, t: &Value| {
        let times = mora_times(t);
        let track = f0_track(&w.samples, w.spec.sample_rate);
        median_f0(&track, times[0].0, times[times.len() - 1].1).expect("voiced speech")
    };
    let shift = semitones(f0(&base_wav, &base_t), f0(&high_wav, &high_t));
    assert!((shift - 4.0).abs() < 1.0, "measured shift {shift:.2} st");
}

#[test]
fn scales_and_output_format_follow_voicevox() {
    let dir = tempfile::tempdir().unwrap();
    let q = query_json("こんにちは、世界。");
    let (base, _) = synth_query(dir.path(), "base", &q, &[]);
    let (fast, _) = synth_query(dir.path(), "fast", &q, &["--speed", "2"]);
    let (quiet, _) = synth_query(dir.path(), "quiet", &q, &["--volume", "0.5"]);
    let ratio = fast.seconds() / base.seconds();
    assert!(
        (0.4..0.65).contains(&ratio),
        "speed 2 gave {ratio:.2}× the length"
    );
    let peak = |w: &Wav| w.samples.iter().map(|s| s.unsigned_abs()).max().unwrap() as f64;
    let vol = peak(&quiet) / peak(&base);
    assert!(
        (vol - 0.5).abs() < 0.02,
        "volume 0.5 gave {vol:.3}× the peak"
    );

    let mut stereo = q.clone();
    stereo["outputSamplingRate"] = 48_000.into();
    stereo["outputStereo"] = true.into();
    stereo["prePhonemeLength"] = 0.5.into();
    let (s, _) = synth_query(dir.path(), "stereo", &stereo, &[]);
    assert_eq!(s.spec.sample_rate, 48_000);
    assert_eq!(s.spec.channels, 2);
    let seconds = s.samples.len() as f64 / 2.0 / 48_000.0;
    assert!(
        (seconds - base.seconds() - 0.4).abs() <= FRAME,
        "48 kHz stereo lasts {seconds:.3} s, 24 kHz mono {:.3} s",
        base.seconds()
    );
    let (l, r): (Vec<i16>, Vec<i16>) = s.samples.chunks(2).map(|c| (c[0], c[1])).unzip();
    assert_eq!(l, r);
}

#[test]
fn bad_queries_name_the_field_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good = query_json("箸");
    let cases: Vec<(&str, Edit)> = vec![
        (
            "accent_phrases[0].moras[0].vowel_length",
            Box::new(|q| q["accent_phrases"][0]["moras"][0]["vowel_length"] = (-1.0).into()),
        ),
        (
            "accent_phrases[0].moras[0].pitch",
            Box::new(|q| q["accent_phrases"][0]["moras"][0]["pitch"] = 1e6.into()),
        ),
        (
            "accent_phrases[0].moras[0].pitch",
            Box::new(|q| q["accent_phrases"][0]["moras"][0]["pitch"] = "high".into()),
        ),
        (
            "accent_phrases[0].moras",
            Box::new(|q| {
                q["accent_phrases"]
                    .as_array_mut()
                    .unwrap()
                    .push(serde_json::json!({"moras": [], "accent": 0, "pause_mora": null}))
            }),
        ),
        (
            "accent_phrases[0].moras[0]",
            Box::new(|q| q["accent_phrases"][0]["moras"][0]["vowel"] = "q".into()),
        ),
        ("speedScale", Box::new(|q| q["speedScale"] = 0.0.into())),
        (
            "audio",
            Box::new(|q| {
                let m = q["accent_phrases"][0]["moras"][0].clone();
                let mut long = m.clone();
                long["vowel_length"] = 9.0.into();
                q["accent_phrases"][0]["moras"] = Value::Array(vec![long; 500]);
            }),
        ),
    ];
    for (i, (field, edit)) in cases.iter().enumerate() {
        let mut q = good.clone();
        edit(&mut q);
        let qpath = dir.path().join(format!("bad{i}.json"));
        std::fs::write(&qpath, q.to_string()).unwrap();
        let out: PathBuf = dir.path().join(format!("bad{i}.wav"));
        let o = run(yomiage()
            .arg("synth")
            .arg("--query")
            .arg(&qpath)
            .arg("-o")
            .arg(&out));
        assert_clean_failure(&o);
        // The empty phrase is the second one; every other case names its field exactly.
        let expect = field.replace(
            "accent_phrases[0].moras",
            if i == 3 {
                "accent_phrases[1].moras"
            } else {
                "accent_phrases[0].moras"
            },
        );
        assert!(stderr(&o).contains(&expect), "case {i}: {}", stderr(&o));
        assert!(!out.exists(), "case {i} wrote a file");
    }
}
