//! The accent is in the audio: 箸が / 橋が / 端が rendered, F0 measured from the WAV with an
//! independent tracker (pYIN), read per mora through the returned timings.

use crate::common;
use common::pitch::{f0_track, median_f0, tone_steps};
use common::*;

struct Measured {
    moras: Vec<(String, Option<f64>)>,
}

fn render(text: &str, dir: &std::path::Path) -> Measured {
    let wav_path = dir.join("a.wav");
    let timings = dir.join("a.json");
    let o = run(yomiage()
        .args(["synth", text, "-o"])
        .arg(&wav_path)
        .arg("--timings")
        .arg(&timings));
    assert!(o.status.success(), "{}", stderr(&o));
    let wav = read_wav(&wav_path);
    let track = f0_track(&wav.samples, wav.spec.sample_rate);
    let t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&timings).unwrap()).unwrap();
    let moras = t["moras"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let (s, e) = (m["start"].as_f64().unwrap(), m["end"].as_f64().unwrap());
            // The mora's second half: where its vowel, and so its tone, is.
            let mid = (s + e) / 2.0;
            (
                m["text"].as_str().unwrap().to_owned(),
                median_f0(&track, mid, e),
            )
        })
        .collect();
    eprintln!("{text}: {moras:?}");
    Measured { moras }
}

/// Rise (+1), fall (−1) or level (0) between adjacent moras, with a 1-semitone dead band.
fn steps(m: &Measured) -> Vec<i32> {
    tone_steps(&m.moras.iter().map(|(_, f)| *f).collect::<Vec<_>>())
}

#[test]
fn hashi_minimal_triplet_has_three_measurably_different_melodies() {
    let dir = tempfile::tempdir().unwrap();
    let chopsticks = render("箸が", dir.path());
    let bridge = render("橋が", dir.path());
    let edge = render("端が", dir.path());
    for m in [&chopsticks, &bridge, &edge] {
        assert_eq!(m.moras.len(), 3, "{:?}", m.moras);
        assert!(
            m.moras.iter().all(|(_, f)| f.is_some()),
            "unvoiced mora: {:?}",
            m.moras
        );
    }
    // H-L-L: falls after the first mora, no rise after.
    let s = steps(&chopsticks);
    assert_eq!(s[0], -1, "箸が {:?}", chopsticks.moras);
    assert!(s[1] <= 0, "箸が {:?}", chopsticks.moras);
    // L-H-L: rises, then falls.
    let s = steps(&bridge);
    assert_eq!(s, [1, -1], "橋が {:?}", bridge.moras);
    // L-H-H: rises, then stays up.
    let s = steps(&edge);
    assert_eq!(s[0], 1, "端が {:?}", edge.moras);
    assert!(s[1] >= 0, "端が {:?}", edge.moras);
}
