//! OpenAI-compatible speech, the OpenAPI document and the docs page.

use crate::common;

use common::{client, config, rms_i16, speech_wav, TestServer};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread")]
async fn speech_in_wav_and_pcm_with_speed() {
    let s = TestServer::start(config()).await;
    let c = client();
    let speak = |body: Value| {
        let c = c.clone();
        let url = s.url("/v1/audio/speech");
        async move {
            c.post(url)
                .bearer_auth("sk-anything")
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let text = "こんにちは。今日は晴れです。";
    let r =
        speak(json!({"model": "tts-1", "input": text, "voice": "alloy", "response_format": "wav"}))
            .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "audio/wav");
    let wav = speech_wav(&r.bytes().await.unwrap());
    assert_eq!(wav.spec.sample_rate, 24000);

    // pcm: headerless 16-bit little-endian at 24 kHz, as OpenAI's.
    let r = speak(
        json!({"model": "tts-1", "input": text, "voice": "jm_kumo", "response_format": "pcm"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    assert_eq!(bytes.len() % 2, 0);
    assert_ne!(&bytes[..4], b"RIFF");
    let pcm: Vec<i16> = bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    assert!(pcm.len() as f64 / 24000.0 > 1.0);
    assert!(rms_i16(&pcm) > 0.01);

    // speed 2 is about half as long; the SDK's `{"id"}` voice form.
    let r = speak(
        json!({"model": "tts-1", "input": text, "voice": {"id": "0"}, "speed": 2.0,
        "response_format": "wav"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let fast = speech_wav(&r.bytes().await.unwrap());
    let ratio = fast.seconds() / wav.seconds();
    assert!(
        (0.4..0.75).contains(&ratio),
        "speed 2 gave {ratio} of the length"
    );
}

/// MP3 when no format is given (as OpenAI answers), FLAC and Ogg Opus: real files that decode to the
/// same speech as the WAV answer, labelled as OpenAI labels them.
#[tokio::test(flavor = "multi_thread")]
async fn speech_in_mp3_by_default_and_in_flac() {
    let s = TestServer::start(config()).await;
    let c = client();
    let text = "こんにちは。今日は晴れです。";
    let speak = |format: Option<&str>| {
        let mut body = json!({"model": "tts-1", "input": text, "voice": "alloy"});
        if let Some(f) = format {
            body["response_format"] = json!(f);
        }
        c.post(s.url("/v1/audio/speech")).json(&body).send()
    };
    let r = speak(Some("wav")).await.unwrap();
    let wav = speech_wav(&r.bytes().await.unwrap());
    for (format, content_type, ext) in [
        (None, "audio/mpeg", "mp3"),
        (Some("mp3"), "audio/mpeg", "mp3"),
        (Some("flac"), "audio/flac", "flac"),
        (Some("opus"), "audio/opus", "opus"),
    ] {
        let r = speak(format).await.unwrap();
        assert_eq!(r.status(), 200, "{format:?}");
        assert_eq!(r.headers()["content-type"], content_type, "{format:?}");
        let bytes = r.bytes().await.unwrap().to_vec();
        assert!(!bytes.starts_with(b"RIFF"), "{format:?} answered WAV");
        let (samples, rate) = yomiage_testkit::audio::decode(bytes, ext);
        assert_eq!(rate, 24000, "{format:?}");
        let seconds = samples.len() as f64 / f64::from(rate);
        // MP3 adds an encoder delay and padding (under 0.1 s); Opus trims its own; FLAC is
        // lossless.
        assert!(
            (seconds - wav.seconds()).abs() < 0.1,
            "{format:?}: {seconds} s against the WAV's {} s",
            wav.seconds()
        );
        let level = (samples.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>()
            / samples.len() as f64)
            .sqrt();
        let wav_level = rms_i16(&wav.samples);
        assert!(
            (level / wav_level - 1.0).abs() < 0.1,
            "{format:?}: level {level} against the WAV's {wav_level}"
        );
    }
    // The voices list, the way OpenAI-compatible servers expose it.
    let v: Value = s.get_json("/v1/audio/voices").await;
    let voices = v["voices"].as_array().expect("a voices list");
    assert!(
        voices.contains(&json!("jf_alpha")) && voices.contains(&json!("jm_kumo")),
        "{v}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn speech_errors_use_openai_shape() {
    let mut cfg = config();
    cfg.max_text_chars = 100;
    let s = TestServer::start(cfg).await;
    let c = client();
    for (body, param) in [
        (
            json!({"model": "tts-1", "input": "あ", "voice": "nobody"}),
            "voice",
        ),
        (
            json!({"model": "tts-1", "input": "あ", "voice": "alloy", "response_format": "aac"}),
            "response_format",
        ),
        (
            json!({"model": "tts-1", "input": "あ", "voice": "alloy", "speed": 9}),
            "speed",
        ),
        (
            json!({"model": "tts-1", "input": "", "voice": "alloy"}),
            "input",
        ),
        (
            json!({"model": "tts-1", "input": "あ".repeat(101), "voice": "alloy"}),
            "input",
        ),
        (
            json!({"model": "tts-1", "input": "★☆", "voice": "alloy"}),
            "input",
        ),
        (json!({"model": "tts-1", "voice": "alloy"}), "input"),
        (
            json!({"model": "tts-1", "input": 3, "voice": "alloy"}),
            "input",
        ),
    ] {
        let r = c
            .post(s.url("/v1/audio/speech"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{body}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["type"], "invalid_request_error", "{v}");
        assert_eq!(v["error"]["param"], param, "{body}: {v}");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
    }
    let r = c
        .post(s.url("/v1/audio/speech"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"]["message"].as_str().unwrap().contains("JSON"),
        "{v}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn openapi_document_covers_the_routes_and_docs_page_renders() {
    let s = TestServer::start(config()).await;
    let c = client();
    let doc: Value = s.get_json("/openapi.json").await;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for required in [
        "/version",
        "/speakers",
        "/speaker_info",
        "/initialize_speaker",
        "/is_initialized_speaker",
        "/audio_query",
        "/accent_phrases",
        "/mora_data",
        "/mora_length",
        "/mora_pitch",
        "/synthesis",
        "/multi_synthesis",
        "/cancellable_synthesis",
        "/user_dict",
        "/user_dict_word",
        "/user_dict_word/{word_uuid}",
        "/import_user_dict",
        "/supported_devices",
        "/engine_manifest",
        "/v1/audio/speech",
        "/stream_synthesis",
        "/ws",
        "/openapi.json",
        "/docs",
        "/accent_notation",
        "/editor",
        "/talk",
        "/health",
    ] {
        assert!(paths.contains_key(required), "{required} is not documented");
    }
    // Every documented operation exists on the server (anything but the 404/405 fallbacks).
    for (path, ops) in paths {
        let path = path.replace("{word_uuid}", "3f2504e0-4f89-41d3-9a0c-0305e82c3301");
        for method in ops.as_object().unwrap().keys() {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = c.request(m, s.url(&path)).send().await.unwrap();
            assert!(
                r.status() != 404 && r.status() != 405,
                "{method} {path} answered {}",
                r.status()
            );
        }
    }
    let r = c.get(s.url("/docs")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = r.text().await.unwrap();
    assert!(html.contains("/v1/audio/speech") && html.contains("AudioQuery"));
    assert!(html.contains("/stream_synthesis") && html.contains("WsTimeline"));
    assert!(doc["paths"]["/ws"]["get"]["x-websocket"]["client"].is_array());
}
