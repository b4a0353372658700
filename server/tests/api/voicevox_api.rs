//! The VOICEVOX-compatible API over real HTTP on loopback, on the real engine.

use crate::common;

use common::{client, config, speech_wav, TestServer};
use serde_json::{json, Value};

const TEXT: &str = "今日はいい天気ですね。";

#[tokio::test(flavor = "multi_thread")]
async fn info_endpoints_list_the_manifest_speakers() {
    let s = TestServer::start(config()).await;
    let c = client();
    let v: String = s.get_json("/version").await;
    assert_eq!(v, yomiage_server::VERSION);
    let r = c.get(s.url("/speakers")).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "application/json");
    let speakers: Vec<Value> = r.json().await.unwrap();
    let ids: Vec<u64> = speakers
        .iter()
        .map(|sp| sp["styles"][0]["id"].as_u64().unwrap())
        .collect();
    let manifest: Vec<u64> = s
        .state
        .manifest()
        .voices()
        .map(|v| u64::from(v.id()))
        .collect();
    assert_eq!(ids, manifest);
    let uuid = speakers[4]["speaker_uuid"].as_str().unwrap();
    let info: Value = s
        .get_json(&format!("/speaker_info?speaker_uuid={uuid}"))
        .await;
    assert_eq!(info["style_infos"][0]["id"], 4);
    assert!(info["policy"].as_str().unwrap().contains("jm_kumo"));
    let r = c
        .get(s.url("/speaker_info?speaker_uuid=nobody"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // Initialization is tracked per style.
    let init = |id: u32| format!("/is_initialized_speaker?speaker={id}");
    let b: bool = s.get_json(&init(2)).await;
    assert!(!b);
    let r = c
        .post(s.url("/initialize_speaker?speaker=2"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let b: bool = s.get_json(&init(2)).await;
    assert!(b);

    let dev: Value = s.get_json("/supported_devices").await;
    assert_eq!(dev["cpu"], true);
    let m: Value = s.get_json("/engine_manifest").await;
    assert_eq!(m["default_sampling_rate"], 24000);
    assert_eq!(m["supported_features"]["adjust_mora_pitch"], true);
    let cv: Vec<String> = s.get_json("/core_versions").await;
    assert_eq!(cv.len(), 1);
}

async fn audio_query(c: &reqwest::Client, s: &TestServer, text: &str, speaker: u32) -> Value {
    let r = c
        .post(s.url("/audio_query"))
        .query(&[("text", text), ("speaker", &speaker.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    r.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn audio_query_has_real_lengths_and_pitches_and_synthesizes() {
    let s = TestServer::start(config()).await;
    let c = client();
    let q = audio_query(&c, &s, TEXT, 0).await;
    assert_eq!(q["outputSamplingRate"], 24000);
    assert_eq!(q["speedScale"], 1.0);
    assert!(q["kana"].as_str().unwrap().contains('\''), "{}", q["kana"]);
    let mut total = 0.0;
    let mut voiced = 0;
    for p in q["accent_phrases"].as_array().unwrap() {
        for m in p["moras"].as_array().unwrap() {
            let v = m["vowel_length"].as_f64().unwrap();
            assert!(v > 0.0, "no vowel length in {m}");
            total += v + m["consonant_length"].as_f64().unwrap_or(0.0);
            let pitch = m["pitch"].as_f64().unwrap();
            assert!(pitch == 0.0 || (4.0..7.0).contains(&pitch), "pitch {pitch}");
            voiced += usize::from(pitch > 0.0);
        }
    }
    assert!(voiced >= 8, "only {voiced} voiced moras");

    let r = c
        .post(s.url("/synthesis?speaker=0"))
        .json(&q)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "audio/wav");
    let wav = speech_wav(&r.bytes().await.unwrap());
    assert_eq!(wav.spec.sample_rate, 24000);
    assert_eq!(wav.spec.channels, 1);
    // As voicevox-py sends it: the query as a raw body, no content type. The same audio.
    let raw = c
        .post(s.url("/synthesis?speaker=0"))
        .body(serde_json::to_string(&q).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 200);
    assert_eq!(
        speech_wav(&raw.bytes().await.unwrap()).samples,
        wav.samples,
        "a body without a content type gave other audio"
    );
    // The audio is as long as the query says (moras + pre/post silence), within trimming.
    let expected = total + 0.2;
    assert!(
        (wav.seconds() - expected).abs() < 0.35 * expected,
        "{} s of audio for a {expected} s query",
        wav.seconds()
    );

    // Scales are honoured: slower is longer; 48 kHz stereo as asked.
    let mut slow = q.clone();
    slow["speedScale"] = json!(0.5);
    slow["outputSamplingRate"] = json!(48000);
    slow["outputStereo"] = json!(true);
    let r = c
        .post(s.url("/cancellable_synthesis?speaker=0"))
        .json(&slow)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let slow_wav = speech_wav(&r.bytes().await.unwrap());
    assert_eq!(slow_wav.spec.sample_rate, 48000);
    assert_eq!(slow_wav.spec.channels, 2);
    assert!(slow_wav.seconds() > 1.6 * wav.seconds());

    // Several queries in one zip, named as VOICEVOX names them.
    let r = c
        .post(s.url("/multi_synthesis?speaker=4"))
        .json(&json!([q, q]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.bytes().await.unwrap())).unwrap();
    assert_eq!(zip.len(), 2);
    for name in ["001.wav", "002.wav"] {
        let mut f = zip.by_name(name).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut bytes).unwrap();
        speech_wav(&bytes);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn accent_phrases_and_mora_edits() {
    let s = TestServer::start(config()).await;
    let c = client();
    // Kana notation: the accent is where it was written, and lengths and pitches are filled.
    let r = c
        .post(s.url("/accent_phrases"))
        .query(&[
            ("text", "ハシ'ガ/ハシガ'"),
            ("speaker", "0"),
            ("is_kana", "true"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let phrases: Value = r.json().await.unwrap();
    assert_eq!(phrases[0]["accent"], 2);
    assert_eq!(phrases[1]["accent"], 0);
    let m = &phrases[0]["moras"][0];
    assert!(m["vowel_length"].as_f64().unwrap() > 0.0 && m["pitch"].as_f64().unwrap() > 0.0);
    // Nucleus on シ: pitch falls after it.
    let p = |i: usize| phrases[0]["moras"][i]["pitch"].as_f64().unwrap();
    assert!(p(1) > p(2), "no fall after the nucleus: {} {}", p(1), p(2));

    // Text.
    let r = c
        .post(s.url("/accent_phrases"))
        .query(&[("text", TEXT), ("speaker", "0")])
        .send()
        .await
        .unwrap();
    let text_phrases: Value = r.json().await.unwrap();
    assert!(text_phrases.as_array().unwrap().len() >= 2);

    // mora_pitch keeps lengths, mora_length keeps pitches, mora_data refreshes both.
    let mut edited = phrases.clone();
    edited[0]["moras"][0]["vowel_length"] = json!(0.5);
    edited[0]["moras"][0]["pitch"] = json!(1.0);
    let call = |path: &'static str, body: Value| {
        let c = c.clone();
        let url = s.url(path);
        async move {
            let r = c
                .post(url)
                .query(&[("speaker", "0")])
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{path}");
            r.json::<Value>().await.unwrap()
        }
    };
    let pitched = call("/mora_pitch", edited.clone()).await;
    assert_eq!(pitched[0]["moras"][0]["vowel_length"], 0.5);
    assert!(pitched[0]["moras"][0]["pitch"].as_f64().unwrap() > 3.0);
    let lengthened = call("/mora_length", edited.clone()).await;
    assert_eq!(lengthened[0]["moras"][0]["pitch"], 1.0);
    assert!(lengthened[0]["moras"][0]["vowel_length"].as_f64().unwrap() < 0.5);
    let both = call("/mora_data", edited).await;
    assert_ne!(both[0]["moras"][0]["pitch"], 1.0);
    assert_ne!(both[0]["moras"][0]["vowel_length"], 0.5);
    assert_eq!(call("/mora_data", json!([])).await, json!([]));

    let r = c
        .post(s.url("/validate_kana"))
        .query(&[("text", "ア'")])
        .send()
        .await
        .unwrap();
    assert!(r.json::<bool>().await.unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_gets_4xx_with_a_clear_message_and_the_server_keeps_serving() {
    let mut cfg = config();
    cfg.max_text_chars = 200;
    cfg.max_body_bytes = 64 * 1024;
    let s = TestServer::start(cfg).await;
    let c = client();
    let q = audio_query(&c, &s, "箸", 0).await;

    let detail = |v: &Value| v["detail"].to_string();
    // Malformed JSON.
    let r = c
        .post(s.url("/synthesis?speaker=0"))
        .body("{\"accent_phrases\": [")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["detail"][0]["type"], "json_invalid", "{v}");
    // Wrong type, deep inside: the path names it.
    let mut bad = q.clone();
    bad["accent_phrases"][0]["moras"][0]["pitch"] = json!("high");
    let r = c
        .post(s.url("/synthesis?speaker=0"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["detail"][0]["loc"],
        json!(["body", "accent_phrases", 0, "moras", 0, "pitch"]),
        "{v}"
    );
    // Out of range: the check names the field.
    let mut bad = q.clone();
    bad["speedScale"] = json!(100);
    let r = c
        .post(s.url("/synthesis?speaker=0"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(detail(&r.json().await.unwrap()).contains("speedScale"));
    // Unknown phoneme.
    let mut bad = q.clone();
    bad["accent_phrases"][0]["moras"][0]["vowel"] = json!("x");
    let r = c
        .post(s.url("/synthesis?speaker=0"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(detail(&r.json().await.unwrap()).contains("unknown phoneme"));
    // Unknown speaker, missing speaker, mistyped speaker.
    for (query, needle) in [
        ("speaker=77", "style_id 77 is not found"),
        ("speaker=-1", "style_id -1"),
        ("", "Field required"),
        ("speaker=abc", "speaker"),
    ] {
        let r = c
            .post(s.url(&format!("/synthesis?{query}")))
            .json(&q)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{query}");
        let v: Value = r.json().await.unwrap();
        assert!(detail(&v).contains(needle), "{query}: {v}");
    }
    // Huge text: refused by the text limit before any work.
    let huge = "あ".repeat(201);
    let r = c
        .post(s.url("/audio_query"))
        .query(&[("text", huge.as_str()), ("speaker", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(detail(&r.json().await.unwrap()).contains("at most 200"));
    // Huge body.
    let r = c
        .post(s.url("/synthesis?speaker=0"))
        .body(vec![b' '; 100 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    // Invalid kana: VOICEVOX's 400 with the error's name.
    let r = c
        .post(s.url("/accent_phrases"))
        .query(&[("text", "ア'ア'"), ("speaker", "0"), ("is_kana", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["detail"]["error_name"], "ACCENT_TWICE", "{v}");
    // Nothing to say: VOICEVOX gives an empty query rather than an error.
    let q2 = audio_query(&c, &s, "！？", 0).await;
    assert_eq!(q2["accent_phrases"], json!([]));
    // ...which cannot be synthesized.
    let r = c
        .post(s.url("/synthesis?speaker=0"))
        .json(&q2)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // Mixed sampling rates in multi_synthesis.
    let mut other = q.clone();
    other["outputSamplingRate"] = json!(48000);
    let r = c
        .post(s.url("/multi_synthesis?speaker=0"))
        .json(&json!([q, other]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // Unknown route and method: FastAPI's shapes.
    let r = c.get(s.url("/nowhere")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["detail"], "Not Found");
    let r = c.delete(s.url("/synthesis")).send().await.unwrap();
    assert_eq!(r.status(), 405);

    // After all that, the server still serves.
    let r = c
        .post(s.url("/synthesis?speaker=0"))
        .json(&q)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    speech_wav(&r.bytes().await.unwrap());
}
