//! Measuring a render (per-mora F0 and the quality guards), and rendering and scoring each
//! sentence under a condition.

use std::time::Instant;

use yomiage_audio::pcm::to_i16;
use yomiage_engine::prosody::{self, ContourParams};
use yomiage_engine::timeline::Timeline;
use yomiage_engine::{AccentMode, AudioQuery, Engine};
use yomiage_frontend::{Phoneme, Tone};
use yomiage_voices::VoiceId;

use crate::gold::{align, GoldSentence};
use crate::pitch::{f0_track, median_f0, semitones};
use crate::report::Report;
use crate::spectrum::{rms_db, spectral_flux, Stft, STFT_HOP};
use crate::stats::Quality;
use crate::{JUMP_ST, SAMPLE_RATE};

/// One render's measurements.
pub(crate) struct Measured {
    /// Per frontend mora (flattened over phrases): median F0 (Hz) over its vowel span.
    pub(crate) mora_f0: Vec<Option<f64>>,
}

/// Vowel span (seconds) of each timeline mora: the phoneme that ends with the mora (the
/// timeline lists a mora's consonant, then its vowel); the whole mora if none does.
pub(crate) fn vowel_spans(timeline: &Timeline) -> Vec<(f64, f64)> {
    const EPS: f64 = 1e-6;
    timeline
        .moras
        .iter()
        .map(|m| {
            timeline
                .phonemes
                .iter()
                .filter(|p| {
                    (p.end - m.end).abs() < EPS
                        && p.start >= m.start - EPS
                        && p.phoneme != Phoneme::PAU
                })
                .map(|p| (p.start, p.end))
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .unwrap_or((m.start, m.end))
        })
        .collect()
}

/// Measures one render: per-mora F0 for the agreement, and the quality guards into `q`.
pub(crate) fn measure(
    samples: &[f32],
    timeline: &Timeline,
    phrase_sizes: &[usize],
    stft: &mut Stft,
    q: &mut Quality,
) -> Measured {
    // 16-bit as the CLI writes its WAV files.
    let track = f0_track(
        &samples.iter().copied().map(to_i16).collect::<Vec<_>>(),
        SAMPLE_RATE,
    );
    let offsets: Vec<usize> = phrase_sizes
        .iter()
        .scan(0, |acc, &n| {
            let o = *acc;
            *acc += n;
            Some(o)
        })
        .collect();
    let total: usize = phrase_sizes.iter().sum();
    let mut mora_f0 = vec![None; total];
    for (m, (vs, ve)) in timeline.moras.iter().zip(vowel_spans(timeline)) {
        if let Some(&o) = offsets.get(m.phrase) {
            if let Some(slot) = mora_f0.get_mut(o + m.mora) {
                *slot = median_f0(&track, vs, ve);
            }
        }
    }

    // Mora boundaries: adjacent moras with at most a word-space frame between them.
    let boundaries: Vec<f64> = timeline
        .moras
        .windows(2)
        .filter(|w| w[1].start - w[0].end < 0.03)
        .map(|w| (w[0].end + w[1].start) / 2.0)
        .collect();
    let in_mora = |t: f64| timeline.moras.iter().any(|m| t >= m.start && t < m.end);

    // Spectral flux at boundaries vs well inside moras.
    let flux = spectral_flux(&stft.log_spectra(samples));
    let hop_s = STFT_HOP as f64 / SAMPLE_RATE as f64;
    for &(t, f) in &flux {
        if boundaries.iter().any(|b| (t - b).abs() <= hop_s) {
            q.flux_boundary.add(f);
        } else if timeline
            .moras
            .iter()
            .any(|m| t >= m.start + 0.02 && t <= m.end - 0.02)
        {
            q.flux_within.add(f);
        }
    }

    // Energy jumps: 20 ms either side of a boundary, and of each mora's middle for reference.
    const SIDE: f64 = 0.02;
    let jump = |at: f64| -> Option<f64> {
        Some((rms_db(samples, at, at + SIDE)? - rms_db(samples, at - SIDE, at)?).abs())
    };
    for &b in &boundaries {
        if let Some(j) = jump(b) {
            q.rms_jump_boundary.add(j);
        }
    }
    for m in &timeline.moras {
        if m.end - m.start >= 2.0 * SIDE {
            if let Some(j) = jump((m.start + m.end) / 2.0) {
                q.rms_jump_mid.add(j);
            }
        }
    }

    // F0 smoothness, voicing and jumps on the pYIN track (semitones re 100 Hz).
    let st: Vec<Option<f64>> = track
        .iter()
        .map(|&(_, f)| f.is_finite().then(|| semitones(100.0, f)))
        .collect();
    for (&(t, _), s) in track.iter().zip(&st) {
        if in_mora(t) {
            q.voiced.add(s.is_some());
        }
    }
    for w in st.windows(2) {
        if let (Some(a), Some(b)) = (w[0], w[1]) {
            q.voiced_pairs += 1;
            if (b - a).abs() > JUMP_ST {
                q.jumps += 1;
            }
        }
    }
    for w in st.windows(3) {
        if let (Some(a), Some(b), Some(c)) = (w[0], w[1], w[2]) {
            q.f0_d2.add((c - 2.0 * b + a).abs());
        }
    }
    let mut voiced: Vec<f64> = st.iter().flatten().copied().collect();
    if voiced.len() >= 20 {
        voiced.sort_by(f64::total_cmp);
        let p = |x: f64| voiced[((voiced.len() - 1) as f64 * x).round() as usize];
        q.f0_range.add(p(0.95) - p(0.05));
    }
    // Pitch step between adjacent moras' medians, where both are voiced (how abrupt the
    // melody is from mora to mora).
    for w in timeline.moras.windows(2) {
        let get = |m: &yomiage_engine::timeline::MoraTiming| {
            offsets
                .get(m.phrase)
                .and_then(|&o| mora_f0.get(o + m.mora).copied().flatten())
        };
        if let (Some(a), Some(b)) = (get(&w[0]), get(&w[1])) {
            q.boundary_f0_step.add(semitones(a, b).abs());
        }
    }
    Measured { mora_f0 }
}

// ---------------------------------------------------------------------------------------------
// Rendering and scoring

/// One sentence, analysed once: the model's query (raw pitches and lengths), and how its moras
/// line up with the gold moras.
pub(crate) struct Prepared {
    pub(crate) query: AudioQuery,
    /// Per gold phrase, per mora: the aligned frontend mora (flat index), if equal.
    pub(crate) gold_map: Vec<Vec<Option<usize>>>,
    pub(crate) gold_tones: Vec<Vec<Tone>>,
    pub(crate) gold_moras: usize,
    pub(crate) aligned: usize,
}

pub(crate) fn prepare(
    engine: &Engine,
    voice: &VoiceId,
    gold: &GoldSentence,
) -> Result<Prepared, String> {
    let query = engine
        .audio_query_with(&gold.text, voice, AccentMode::Model)
        .map_err(|e| e.to_string())?;
    let front: Vec<&str> = query
        .accent_phrases
        .iter()
        .flat_map(|p| p.moras.iter().map(|m| m.text.as_str()))
        .collect();
    let gold_flat: Vec<&str> = gold
        .phrases
        .iter()
        .flat_map(|p| p.moras.iter().map(String::as_str))
        .collect();
    let map = align(&gold_flat, &front);
    let aligned = map.iter().filter(|m| m.is_some()).count();
    let mut gold_map = Vec::new();
    let mut gold_tones = Vec::new();
    let mut at = 0;
    for p in &gold.phrases {
        let n = p.moras.len();
        let tones: Option<Vec<Tone>> =
            p.hl.chars()
                .map(|c| match c {
                    'H' => Some(Tone::High),
                    'L' => Some(Tone::Low),
                    _ => None,
                })
                .collect();
        match tones {
            Some(t) if t.len() == n => {
                gold_map.push(map[at..at + n].to_vec());
                gold_tones.push(t);
            }
            _ => eprintln!("{}: phrase with bad hl {:?}; skipped", gold.id, p.hl),
        }
        at += n;
    }
    Ok(Prepared {
        query,
        gold_map,
        gold_tones,
        gold_moras: gold_flat.len(),
        aligned,
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Condition {
    /// The model's F0 reaches the decoder untouched.
    Raw,
    /// The model's F0 with its within-mora detail scaled by the contour's `detail` around the
    /// model's own per-mora means: what `AccentMode::Model` renders today.
    ModelMode,
    /// yomiage's accent.
    Imposed(ContourParams),
}

pub(crate) fn render(
    engine: &mut Engine,
    voice: &VoiceId,
    prep: &Prepared,
    condition: Condition,
    stft: &mut Stft,
    report: &mut Report,
) -> Result<(), String> {
    let mut query = prep.query.clone();
    let contour = match condition {
        Condition::Raw => {
            // No targets: the F0 curve is the model's own; detail 1 keeps its movement.
            for m in query.accent_phrases.iter_mut().flat_map(|p| &mut p.moras) {
                m.pitch = 0.0;
            }
            ContourParams {
                detail: 1.0,
                ..ContourParams::default()
            }
        }
        Condition::ModelMode => ContourParams::default(),
        Condition::Imposed(params) => {
            prosody::impose_accent(&mut query.accent_phrases, &params);
            params
        }
    };
    engine.set_contour(contour);
    let checked = query.check().map_err(|e| e.to_string())?;
    let t = Instant::now();
    let synthesis = engine
        .synthesize(&checked, voice)
        .map_err(|e| e.to_string())?;
    report.synth_s += t.elapsed().as_secs_f64();
    report.audio_s += synthesis.audio.duration_seconds();
    let sizes: Vec<usize> = prep
        .query
        .accent_phrases
        .iter()
        .map(|p| p.moras.len())
        .collect();
    let t = Instant::now();
    let measured = measure(
        &synthesis.audio.samples,
        &synthesis.timeline,
        &sizes,
        stft,
        &mut report.quality,
    );
    report.analysis_s += t.elapsed().as_secs_f64();
    // Against the gold tones, through the alignment.
    for (map, tones) in prep.gold_map.iter().zip(&prep.gold_tones) {
        let f0: Vec<Option<f64>> = map
            .iter()
            .map(|i| i.and_then(|i| measured.mora_f0[i]))
            .collect();
        report.gold.score_phrase(tones, &f0);
    }
    // Against the frontend's own tones: how well the rendering realises what was asked.
    let mut at = 0;
    for p in &prep.query.accent_phrases {
        let n = p.moras.len();
        let tones = p.tones();
        report
            .frontend
            .score_phrase(&tones, &measured.mora_f0[at..at + n]);
        at += n;
    }
    Ok(())
}
