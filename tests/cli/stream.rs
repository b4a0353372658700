//! Streaming on the real model: events in order, timings before the audio they describe, audio
//! that matches the whole-utterance render in length and accent, cancellation within a chunk,
//! and the `say` command's raw PCM output and device error.

use crate::common;
use common::compare::rms;
use common::pitch::{f0_track, median_f0, semitones};
use common::*;

use std::io::Write;
use std::ops::ControlFlow;
use std::process::Stdio;

use std::time::{Duration, Instant};

use yomiage_engine::onnx::SessionOptions;
use yomiage_engine::timeline::Timeline;
use yomiage_engine::{CancelToken, Engine, StreamEvent, SynthesisOptions};
use yomiage_vocoder::ChunkSchedule;
use yomiage_voices::VoiceId;

/// The test process's shared engine (testkit: loaded once per process) and the default voice.
fn engine() -> (&'static Engine, VoiceId) {
    (
        yomiage_testkit::engine::engine(),
        yomiage_testkit::engine::default_voice(),
    )
}

struct Collected {
    events: Vec<&'static str>,
    audio: Vec<f32>,
    /// Audio events that held sound (|s| > 0.01).
    loud_chunks: usize,
    timeline: Timeline,
    /// Samples already sent when each timeline event arrived, and its first mora's start.
    timeline_at: Vec<(usize, f64)>,
}

fn stream(text: &str) -> Collected {
    let (engine, voice) = engine();
    stream_with(engine, &voice, text)
}

fn stream_with(engine: &Engine, voice: &VoiceId, text: &str) -> Collected {
    let mut c = Collected {
        events: Vec::new(),
        audio: Vec::new(),
        loud_chunks: 0,
        timeline: Timeline::default(),
        timeline_at: Vec::new(),
    };
    let end = engine
        .stream_text(
            text,
            voice,
            &SynthesisOptions::default(),
            &CancelToken::new(),
            &mut |e| {
                match e {
                    StreamEvent::Sentence { .. } => c.events.push("sentence"),
                    StreamEvent::Timeline(t) => {
                        c.events.push("timeline");
                        let first = t.moras.first().map_or(f64::NAN, |m| m.start);
                        c.timeline_at.push((c.audio.len(), first));
                        c.timeline.moras.extend(t.moras);
                        c.timeline.phonemes.extend(t.phonemes);
                    }
                    StreamEvent::Audio(pcm) => {
                        c.events.push("audio");
                        if pcm.iter().any(|s| s.abs() > 0.01) {
                            c.loud_chunks += 1;
                        }
                        c.audio.extend(pcm);
                    }
                }
                ControlFlow::Continue(())
            },
        )
        .expect("streaming");
    assert!(end.completed);
    assert_eq!(end.samples, c.audio.len());
    c
}

#[test]
fn a_stream_sends_sentences_timings_then_audio_matching_the_whole_render() {
    let text = "今日はいい天気ですね。散歩に出かけて、公園で少し休みましょう。";
    let c = stream(text);
    assert_eq!(c.events[0], "sentence");
    assert_eq!(c.events.iter().filter(|e| **e == "sentence").count(), 2);
    // Audio arrives in several pieces that each hold sound: it really streams.
    assert!(c.loud_chunks >= 3, "{} loud chunks", c.loud_chunks);
    // Each sentence's timings arrive before the audio they describe.
    for &(sent, first_mora) in &c.timeline_at {
        assert!(
            first_mora >= sent as f64 / 24_000.0 - 0.05,
            "timing for {first_mora:.3}s sent after {:.3}s of audio",
            sent as f64 / 24_000.0
        );
    }
    let moras = c.timeline.moras.len();
    let (engine, voice) = engine();
    let voice = &voice;
    let whole = engine
        .synthesize_text(text, voice, &SynthesisOptions::default())
        .unwrap();
    assert_eq!(moras, whole.timeline.moras.len());
    let (a, b) = (c.audio.len() as f64, whole.audio.samples.len() as f64);
    assert!(
        (a / b - 1.0).abs() < 0.1,
        "streamed {a} vs whole {b} samples"
    );
    // Times only move forward and stay with the audio: timings go out before the sentence's
    // faded tail is trimmed, so only a final mora may run on into the silence after it.
    let secs = a / 24_000.0;
    assert!(c
        .timeline
        .moras
        .windows(2)
        .all(|w| w[0].start <= w[1].start));
    assert!(c.timeline.moras.iter().all(|m| m.start < secs));
    assert!(c.timeline.moras.iter().all(|m| m.end <= secs + 0.5));
    // And they agree with the whole render's timings, mora by mora, within 60 ms at the start.
    let offsets: Vec<f64> = c
        .timeline
        .moras
        .iter()
        .zip(&whole.timeline.moras)
        .map(|(s, w)| (s.start - w.start).abs())
        .collect();
    assert!(offsets.iter().all(|&d| d < 0.06), "{offsets:?}");
    // Not clipped and not silent.
    let rms = (c.audio.iter().map(|s| s * s).sum::<f32>() / c.audio.len() as f32).sqrt();
    assert!(rms > 0.02, "rms {rms}");
    assert!(c.audio.iter().all(|s| s.abs() <= 1.0));
}

/// Per-mora F0 (second half of each mora) of streamed speech, through the streamed timings.
fn streamed_moras(text: &str) -> Vec<Option<f64>> {
    let c = stream(text);
    let pcm: Vec<i16> = c.audio.iter().map(|s| (s * 32767.0) as i16).collect();
    let track = f0_track(&pcm, 24_000);
    c.timeline
        .moras
        .iter()
        .map(|m| median_f0(&track, (m.start + m.end) / 2.0, m.end))
        .collect()
}

#[test]
fn streamed_speech_keeps_the_accent() {
    let step = |m: &[Option<f64>], i: usize| {
        let (a, b) = (m[i].unwrap(), m[i + 1].unwrap());
        semitones(a, b)
    };
    let chopsticks = streamed_moras("箸が");
    let bridge = streamed_moras("橋が");
    eprintln!("箸が {chopsticks:?} 橋が {bridge:?}");
    assert_eq!(chopsticks.len(), 3);
    assert_eq!(bridge.len(), 3);
    assert!(step(&chopsticks, 0) < -1.0, "箸が falls after ハ");
    assert!(step(&bridge, 0) > 1.0, "橋が rises to シ");
    assert!(step(&bridge, 1) < -1.0, "橋が falls to ガ");
}

#[test]
fn streamed_speech_is_as_loud_as_the_whole_render_for_short_and_long_text() {
    // The generator's fixed statistics once made short utterances 20–30 dB too quiet.
    let (engine, voice) = engine();
    let voice = &voice;
    for text in ["はい。", "吾輩は猫である。名前はまだ無い。"] {
        let streamed = stream(text).audio;
        let whole = engine
            .synthesize_text(text, voice, &SynthesisOptions::default())
            .unwrap()
            .audio
            .samples;
        let db = 20.0 * (rms(&streamed) / rms(&whole)).log10();
        assert!(
            db.abs() < 3.0,
            "{text}: streamed is {db:+.1} dB against the whole render"
        );
    }
}

#[test]
fn cancelling_stops_within_a_chunk() {
    let (engine, voice) = engine();
    let voice = &voice;
    let text = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。";
    let cancel = CancelToken::new();
    let mut loud = 0;
    let mut after_cancel = 0;
    let mut cancelled_at = None;
    let end = engine
        .stream_text(
            text,
            voice,
            &SynthesisOptions::default(),
            &cancel,
            &mut |e| {
                if let StreamEvent::Audio(pcm) = e {
                    if cancelled_at.is_some() {
                        after_cancel += 1;
                    }
                    if pcm.iter().any(|s| s.abs() > 0.01) {
                        loud += 1;
                        if loud == 2 {
                            cancel.cancel();
                            cancelled_at = Some(Instant::now());
                        }
                    }
                }
                ControlFlow::Continue(())
            },
        )
        .unwrap();
    let stopped_in = cancelled_at.unwrap().elapsed();
    assert!(!end.completed);
    assert_eq!(after_cancel, 0, "audio after cancel");
    assert!(end.samples < 24_000 * 4, "{} samples", end.samples);
    assert!(stopped_in < Duration::from_secs(2), "{stopped_in:?}");
    // A sink that says stop is obeyed the same way.
    let mut calls = 0;
    let end = engine
        .stream_text(
            text,
            voice,
            &SynthesisOptions::default(),
            &CancelToken::new(),
            &mut |e| {
                if matches!(e, StreamEvent::Audio(_)) {
                    calls += 1;
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            },
        )
        .unwrap();
    assert!(!end.completed);
    assert_eq!(calls, 1);
}

#[test]
fn say_writes_raw_pcm_to_stdout_and_reads_lines_from_stdin() {
    let o = run(yomiage().args(["say", "こんにちは。", "--out", "-"]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(o.stdout.len() % 2, 0);
    let one = o.stdout.len() / 2;
    assert!(one > 24_000 / 2 && one < 24_000 * 3, "{one} samples");
    let peak = o
        .stdout
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]).unsigned_abs())
        .max()
        .unwrap();
    assert!(peak > 3000, "peak {peak}");

    let mut child = yomiage()
        .args(["say", "-", "--out", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all("こんにちは。\n\nこんにちは。\n".as_bytes())
        .unwrap();
    drop(stdin);
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let two = o.stdout.len() / 2;
    assert!(two > one + one / 2, "two lines {two} vs one {one}");
}

#[test]
fn say_without_an_audio_device_fails_clearly_and_quickly() {
    let t = Instant::now();
    // No ALSA configuration: no default device, whatever the machine has.
    let o = run(yomiage()
        .args(["say", "こんにちは"])
        .env("ALSA_CONFIG_PATH", "/nonexistent/alsa.conf"));
    assert_clean_failure(&o);
    assert!(stderr(&o).contains("--out -"), "{}", stderr(&o));
    assert!(t.elapsed() < Duration::from_secs(20));
}

#[test]
fn say_rejects_empty_text_and_bad_speed() {
    assert_clean_failure(&run(yomiage().args(["say", " ", "--out", "-"])));
    let o = run(yomiage().args(["say", "あ", "--speed", "9", "--out", "-"]));
    assert_clean_failure(&o);
    assert!(stderr(&o).contains("--speed"), "{}", stderr(&o));
}

#[test]
fn say_plays_through_an_audio_device_and_returns_when_done() {
    // ALSA's null device: a real output device to cpal (callbacks, buffers) that discards the
    // sound, so playback runs end to end on machines without a sound card.
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("alsa.conf");
    std::fs::write(&conf, "pcm.!default {\n  type null\n}\n").unwrap();
    let t = Instant::now();
    let o = run(yomiage()
        .args(["say", "こんにちは。"])
        .env("ALSA_CONFIG_PATH", &conf));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
}

/// Mean |level difference| (dB) of `x` against `reference` in 10 ms windows centred on
/// `positions`, over the windows where the reference is not quiet.
fn level_error_db(x: &[f32], reference: &[f32], positions: &[usize]) -> f64 {
    let errors: Vec<f64> = positions
        .iter()
        .filter(|&&p| p >= 120 && p + 120 <= x.len().min(reference.len()))
        .filter_map(|&p| {
            let (a, b) = (rms(&x[p - 120..p + 120]), rms(&reference[p - 120..p + 120]));
            (b > 0.01).then(|| (20.0 * (a / b).log10()).abs())
        })
        .collect();
    assert!(!errors.is_empty(), "no loud windows");
    errors.iter().sum::<f64>() / errors.len() as f64
}

/// Level errors at the joins and halfway between them.
fn join_vs_midpoints(v: &yomiage_engine::DecodeVariants) -> (f64, f64) {
    let mids: Vec<usize> = v.joins.windows(2).map(|w| (w[0] + w[1]) / 2).collect();
    (
        level_error_db(&v.chunked, &v.whole_fixed, &v.joins),
        level_error_db(&v.chunked, &v.whole_fixed, &mids),
    )
}

#[test]
fn chunks_join_without_a_dip_or_bump() {
    // The int8 generator renders an instant a little differently in two chunks; context and
    // the cross-fade must keep the level at the joins as close to the whole decode as anywhere
    // else. A schedule without context (the generator starting cold at every edge, its
    // overlap-add tapering there) is the control that shows the measure sees a bad join.
    let (engine, voice) = engine();
    let voice = &voice;
    let q = engine
        .audio_query(
            "今日はいい天気ですね。散歩に出かけて、公園で少し休みましょう。",
            voice,
        )
        .unwrap()
        .check()
        .unwrap();
    let schedule = ChunkSchedule::default();
    let good = engine.decode_variants(&q, voice, &schedule).unwrap();
    assert!(good.joins.len() >= 4, "{} joins", good.joins.len());
    let cold = ChunkSchedule {
        context: 0,
        lead: 0,
        crossfade: 0,
        ..schedule
    };
    let bad = engine.decode_variants(&q, voice, &cold).unwrap();
    let (joins, mids) = join_vs_midpoints(&good);
    let (cold_joins, cold_mids) = join_vs_midpoints(&bad);
    eprintln!(
        "level error at joins / midpoints: default {joins:.2} / {mids:.2} dB, \
         without context {cold_joins:.2} / {cold_mids:.2} dB"
    );
    assert!(
        joins < mids + 1.0,
        "joins {joins:.2} dB vs {mids:.2} dB between them"
    );
    assert!(
        cold_joins > joins + 2.0,
        "control: {cold_joins:.2} dB vs {joins:.2} dB"
    );
    let db = 20.0 * (rms(&good.chunked) / rms(&good.whole_fixed)).log10();
    assert!(
        db.abs() < 1.0,
        "chunked is {db:+.2} dB against the whole decode"
    );
}

/// Seconds from the first loud sample (|s| > 0.01) to the first mora's announced start.
fn sound_before_first_mora(c: &Collected) -> f64 {
    let loud = c
        .audio
        .iter()
        .position(|s| s.abs() > 0.01)
        .expect("no sound");
    c.timeline.moras[0].start - loud as f64 / 24_000.0
}

#[test]
fn the_first_sound_is_the_first_mora_not_a_cold_start_click() {
    // Frames computed before the first chunk and discarded (the lead) keep the generator's
    // cold-start transient out of the audio. The control, without lead, must click first.
    let (engine, voice) = engine();
    let voice = &voice;
    let text = "こんにちは。";
    let good = sound_before_first_mora(&stream_with(engine, voice, text));
    let mut cold = yomiage_testkit::engine::load(SessionOptions::default());
    cold.set_chunk_schedule(ChunkSchedule {
        lead: 0,
        ..ChunkSchedule::default()
    });
    let bad = sound_before_first_mora(&stream_with(&cold, voice, text));
    eprintln!("sound before the first mora: default {good:.3} s, without lead {bad:.3} s");
    assert!(
        good.abs() < 0.04,
        "first sound {good:.3} s before the first mora"
    );
    assert!(bad > good + 0.04, "control: {bad:.3} s vs {good:.3} s");
}

/// A user-dictionary edit and a running synthesis do not wait for each other: the edit lands
/// while a stream is held mid-way inside its sink, the next analysis sees the word, and the
/// held stream then finishes with the words it started with.
#[test]
fn a_dictionary_edit_does_not_wait_for_a_running_synthesis_nor_it_for_the_edit() {
    use std::sync::mpsc;
    use yomiage_frontend::{UserDictionary, UserWord, WordType};
    let (engine, voice) = engine();
    let voice = &voice;
    let (started_tx, started) = mpsc::channel();
    let (release, release_rx) = mpsc::channel::<()>();
    let (edited_tx, edited) = mpsc::channel();
    std::thread::scope(|s| {
        let held = s.spawn(move || {
            let mut first = true;
            let opts = SynthesisOptions::default();
            engine.stream_text(
                "鬱金香庵に行く。これは長い文の二つ目です。",
                voice,
                &opts,
                &CancelToken::new(),
                &mut |ev| {
                    if matches!(ev, StreamEvent::Audio(_)) && first {
                        first = false;
                        started_tx.send(()).unwrap();
                        // Held here, mid-synthesis, until the edit is done.
                        let _ = release_rx.recv_timeout(Duration::from_secs(120));
                    }
                    ControlFlow::Continue(())
                },
            )
        });
        started
            .recv_timeout(Duration::from_secs(120))
            .expect("the synthesis started");
        s.spawn(move || {
            let mut words = UserDictionary::new();
            words.add(
                UserWord::new("鬱金香庵", "ウコンコウアン", 4, WordType::ProperNoun, 5).unwrap(),
            );
            engine.set_user_dictionary(&words).unwrap();
            edited_tx.send(()).unwrap();
        });
        // Would time out if the edit waited for the held synthesis.
        edited
            .recv_timeout(Duration::from_secs(60))
            .expect("the edit completed while a synthesis was running");
        let q = engine.audio_query("鬱金香庵に行く。", voice).unwrap();
        let kana = yomiage_frontend::to_kana(&q.accent_phrases);
        assert!(kana.contains("ウコンコ'ウアン"), "{kana}");
        release.send(()).unwrap();
        let end = held.join().unwrap().unwrap();
        assert!(end.completed && end.samples > 0);
    });
    engine.set_user_dictionary(&UserDictionary::new()).unwrap();
}
