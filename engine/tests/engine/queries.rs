//! AudioQuery JSON from outside (files, HTTP bodies) under arbitrary input: it parses or names
//! the field at fault, checks or names the range, and a checked query — however extreme its
//! lengths, pitches and scales — renders to finite audio of the length it asks for. Renders
//! are slow, so the property tests stop at the check and a few extreme queries are rendered.

use proptest::prelude::*;
use serde_json::{json, Value};
use yomiage_engine::{AudioQuery, CheckedQuery, QueryError};
use yomiage_testkit::engine::{default_voice, engine};
use yomiage_testkit::strategies::{regressions, unicode_text};

/// A real query (橋が、見えた？) as JSON, the base the mutations start from.
fn base() -> Value {
    let q = engine()
        .audio_query("橋が、見えた？", &default_voice())
        .expect("a query");
    serde_json::to_value(q).expect("serializes")
}

/// Numbers a client might send: in range, at the edges, just past, huge, negative, tiny.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => (-2.0f64..40.0).prop_map(|v| json!(v)),
        1 => prop::sample::select(vec![
            0.0, -0.0, 0.25, 4.0, 10.0, 30.0, 3600.0, -1.0, 1e-45, 1e38, 3.5e38, 1e300, -1e300,
        ]).prop_map(|v| json!(v)),
        1 => any::<i64>().prop_map(|v| json!(v)),
        1 => Just(json!(null)),
        1 => Just(json!("1.0")),
    ]
}

/// The base query with one to four fields replaced (top-level scales, a mora's length, pitch,
/// accent, phonemes) or removed.
fn mutated() -> impl Strategy<Value = String> {
    let field = prop::sample::select(vec![
        "/speedScale",
        "/pitchScale",
        "/intonationScale",
        "/volumeScale",
        "/prePhonemeLength",
        "/postPhonemeLength",
        "/pauseLength",
        "/pauseLengthScale",
        "/outputSamplingRate",
        "/accent_phrases/0/accent",
        "/accent_phrases/0/moras/0/vowel_length",
        "/accent_phrases/0/moras/0/consonant_length",
        "/accent_phrases/0/moras/1/pitch",
        "/accent_phrases/0/moras/0/vowel",
        "/accent_phrases/0/moras/0/consonant",
        "/accent_phrases/0/pause_mora/vowel_length",
        "/accent_phrases/1/moras",
        "/accent_phrases",
    ]);
    let value = prop_oneof![
        4 => number(),
        1 => prop::sample::select(vec!["a", "N", "cl", "pau", "ky", "xx", "", "A"]).prop_map(|s| json!(s)),
        1 => Just(json!([])),
        1 => Just(json!({})),
    ];
    prop::collection::vec((field, value, any::<bool>()), 1..5).prop_map(|edits| {
        let mut q = base();
        for (path, value, remove) in edits {
            let (parent, key) = path.rsplit_once('/').unwrap_or(("", path));
            match q.pointer_mut(parent) {
                Some(Value::Object(m)) if remove => {
                    m.remove(key);
                }
                Some(Value::Object(m)) => {
                    m.insert(key.to_owned(), value);
                }
                _ => {}
            }
        }
        q.to_string()
    })
}

/// Parse and check: a typed error that names a field or the fault, or a checked query within
/// every limit.
fn check(json: &str) -> Result<Option<CheckedQuery>, TestCaseError> {
    let q = match AudioQuery::from_json(json) {
        Ok(q) => q,
        Err(e) => {
            prop_assert!(matches!(e, QueryError::Json { .. }), "{e:?}");
            return Ok(None);
        }
    };
    match q.check() {
        Ok(c) => {
            let q = c.get();
            prop_assert!((0.25..=4.0).contains(&q.speed_scale));
            prop_assert!(q
                .accent_phrases
                .iter()
                .all(|p| !p.moras.is_empty() && p.accent <= p.moras.len()));
            Ok(Some(c))
        }
        Err(e) => {
            prop_assert!(!e.to_string().is_empty());
            Ok(None)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: yomiage_testkit::strategies::cases(256), ..ProptestConfig::default() })]

    #[test]
    fn mutated_queries_check_or_name_the_field(json in mutated()) {
        check(&json)?;
    }

    #[test]
    fn arbitrary_text_is_not_a_query(s in unicode_text()) {
        prop_assert!(check(&s)?.is_none());
    }
}

#[test]
fn the_regression_corpus_still_passes() {
    for r in regressions("query") {
        check(&r.input).unwrap_or_else(|e| panic!("{} ({}): {e}", r.input, r.note));
    }
    // Queries that once rendered badly: they render to finite audio now.
    for r in regressions("render") {
        let q = AudioQuery::from_json(&r.input)
            .and_then(AudioQuery::check)
            .unwrap_or_else(|e| panic!("{} ({}): {e}", r.input, r.note));
        let s = engine()
            .synthesize(&q, &default_voice())
            .unwrap_or_else(|e| panic!("{}: {e}", r.note));
        assert!(s.audio.samples.iter().all(|x| x.is_finite()), "{}", r.note);
    }
}

/// `edit` applied to the base query, checked (it must be valid) and rendered whole.
fn render(what: &str, edit: impl FnOnce(&mut Value)) -> (CheckedQuery, yomiage_engine::Audio) {
    let mut q = base();
    edit(&mut q);
    let checked = AudioQuery::from_json(&q.to_string())
        .and_then(AudioQuery::check)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let s = engine()
        .synthesize(&checked, &default_voice())
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        s.audio.samples.iter().all(|x| x.is_finite()),
        "{what}: non-finite samples"
    );
    let peak = s.audio.samples.iter().fold(0f32, |m, x| m.max(x.abs()));
    eprintln!(
        "{what}: {:.2} s at {} Hz × {} ch, peak {peak:.3}",
        s.audio.duration_seconds(),
        s.audio.sample_rate,
        s.audio.channels
    );
    (checked, s.audio)
}

fn each_mora(q: &mut Value, f: impl Fn(&mut serde_json::Map<String, Value>)) {
    for p in q["accent_phrases"].as_array_mut().into_iter().flatten() {
        for m in p["moras"].as_array_mut().into_iter().flatten() {
            if let Some(m) = m.as_object_mut() {
                f(m);
            }
        }
    }
}

/// Extreme but valid: every length zero, the longest moras, every pitch at 0 (unvoiced) and at
/// the top, the fastest and slowest speeds, the lowest and highest output rates in stereo, the
/// loudest volume and widest intonation. Each renders without panic to finite audio.
#[test]
fn extreme_valid_queries_render() {
    let (_, a) = render("all lengths zero", |q| {
        each_mora(q, |m| {
            m.insert("vowel_length".into(), json!(0.0));
            if m.get("consonant_length").is_some_and(|c| !c.is_null()) {
                m.insert("consonant_length".into(), json!(0.0));
            }
        });
        q["prePhonemeLength"] = json!(0.0);
        q["postPhonemeLength"] = json!(0.0);
        q["pauseLength"] = json!(0.0);
    });
    assert!(a.duration_seconds() < 0.5, "{}", a.duration_seconds());
    let (_, a) = render("one mora 10 s long", |q| {
        q["accent_phrases"][0]["moras"][0]["vowel_length"] = json!(10.0);
    });
    assert!(a.duration_seconds() > 10.0, "{}", a.duration_seconds());
    render("every pitch 0 (whispered)", |q| {
        each_mora(q, |m| {
            m.insert("pitch".into(), json!(0.0));
        })
    });
    render("every pitch 10, loudest, widest", |q| {
        each_mora(q, |m| {
            m.insert("pitch".into(), json!(10.0));
        });
        q["pitchScale"] = json!(1.0);
        q["intonationScale"] = json!(4.0);
        q["volumeScale"] = json!(8.0);
    });
    let (_, fast) = render("speed 4, 8 kHz stereo", |q| {
        q["speedScale"] = json!(4.0);
        q["outputSamplingRate"] = json!(8000);
        q["outputStereo"] = json!(true);
    });
    assert_eq!((fast.sample_rate, fast.channels), (8000, 2));
    let (_, slow) = render("speed 0.25, 192 kHz, 30 s of silence each side", |q| {
        q["speedScale"] = json!(0.25);
        q["outputSamplingRate"] = json!(192_000);
        q["prePhonemeLength"] = json!(30.0);
        q["postPhonemeLength"] = json!(30.0);
    });
    assert!(
        slow.duration_seconds() > 60.0,
        "{}",
        slow.duration_seconds()
    );
    assert!(slow.duration_seconds() > 8.0 * fast.duration_seconds());
}

/// More moras than the voice model takes at once (510 tokens): chunked, not refused.
#[test]
fn a_query_longer_than_the_model_window_renders() {
    let (checked, a) = render("700 short moras", |q| {
        let mora = q["accent_phrases"][0]["moras"][0].clone();
        let mut m = mora;
        m["vowel_length"] = json!(0.03);
        if !m["consonant_length"].is_null() {
            m["consonant_length"] = json!(0.01);
        }
        q["accent_phrases"] = json!([{ "moras": vec![m; 700], "accent": 1, "pause_mora": null, "is_interrogative": false }]);
    });
    assert_eq!(checked.get().accent_phrases[0].moras.len(), 700);
    assert!(a.duration_seconds() > 10.0, "{}", a.duration_seconds());
}
