//! Streaming over real HTTP and WebSocket: chunked audio that arrives as it is made, clients
//! that go away or interrupt, and the WebSocket's event order.

use crate::common;

use std::time::{Duration, Instant};

use common::{client, config, rms_i16, speech_wav, TestServer};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

const RATE: f64 = 24_000.0;

/// Checks a streamed WAV's header (24 kHz mono 16-bit, unknown length) and returns its samples.
fn stream_wav_samples(bytes: &[u8]) -> Vec<i16> {
    assert!(bytes.len() > 44, "no audio after the header");
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(&bytes[8..16], b"WAVEfmt ");
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
    let u32_at =
        |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    assert_eq!(u16_at(20), 1, "PCM");
    assert_eq!(u16_at(22), 1, "mono");
    assert_eq!(u32_at(24), 24_000);
    assert_eq!(u16_at(34), 16);
    assert_eq!(&bytes[36..40], b"data");
    assert_eq!(u32_at(40), u32::MAX, "a stream's length is unknown");
    pcm_samples(&bytes[44..])
}

fn pcm_samples(bytes: &[u8]) -> Vec<i16> {
    assert_eq!(bytes.len() % 2, 0, "a torn sample");
    bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

fn assert_speech(samples: &[i16]) {
    let seconds = samples.len() as f64 / RATE;
    assert!(seconds > 0.3, "only {seconds} s of audio");
    let rms = rms_i16(samples);
    assert!(rms > 0.01, "silent audio (RMS {rms})");
}

async fn wait_until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    start.elapsed()
}

#[tokio::test(flavor = "multi_thread")]
async fn stream_synthesis_renders_a_query_as_a_wav_stream() {
    let s = TestServer::start(config()).await;
    let c = client();
    let q: Value = c
        .post(s.url("/audio_query?speaker=0&text=こんにちは。"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = c
        .post(s.url("/stream_synthesis?speaker=0"))
        .json(&q)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "audio/wav");
    assert!(r.headers().get("content-length").is_none(), "not chunked");
    let samples = stream_wav_samples(&r.bytes().await.unwrap());
    assert_speech(&samples);

    // Raw PCM.
    let r = c
        .post(s.url("/stream_synthesis?speaker=0&format=pcm"))
        .json(&q)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("audio/pcm"));
    assert_speech(&pcm_samples(&r.bytes().await.unwrap()));

    // Bad requests are ordinary VOICEVOX errors, before any audio.
    let mut bad = q.clone();
    bad["speedScale"] = json!(100.0);
    let r = c
        .post(s.url("/stream_synthesis?speaker=0"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["detail"][0]["loc"], json!(["body", "speedScale"]), "{v}");
    let mut rate = q.clone();
    rate["outputSamplingRate"] = json!(48000);
    let r = c
        .post(s.url("/stream_synthesis?speaker=0"))
        .json(&rate)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = c
        .post(s.url("/stream_synthesis?speaker=0&format=mp3"))
        .json(&q)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = c
        .post(s.url("/stream_synthesis?speaker=99"))
        .json(&q)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
}

#[tokio::test(flavor = "multi_thread")]
async fn openai_speech_streams_audio_as_it_is_made() {
    let s = TestServer::start(config()).await;
    let c = client();
    let text = "今日はとてもいい天気ですね。午後は散歩に行きましょう。夕方には雨が降るそうです。";
    let t = Instant::now();
    let mut r = c
        .post(s.url("/v1/audio/speech"))
        .json(&json!({"model": "tts-1", "input": text, "voice": "alloy",
            "response_format": "pcm", "stream": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "audio/pcm");
    let mut body = Vec::new();
    let mut first = None;
    let mut first_sound = None;
    let mut chunks = 0;
    while let Some(chunk) = r.chunk().await.unwrap() {
        if first.is_none() && !chunk.is_empty() {
            first = Some(t.elapsed());
        }
        body.extend_from_slice(&chunk);
        // The leading silence goes out before any decoding; time the first real sound too.
        if first_sound.is_none() && pcm_samples(&body).iter().any(|&x| x.abs() > 1000) {
            first_sound = Some(t.elapsed());
        }
        chunks += 1;
    }
    let total = t.elapsed();
    let first = first.expect("some audio");
    let first_sound = first_sound.expect("some sound");
    let samples = pcm_samples(&body);
    assert_speech(&samples);
    let audio = samples.len() as f64 / RATE;
    eprintln!(
        "stream: first bytes after {first:?}, first sound after {first_sound:?}, all after \
         {total:?}, {chunks} chunks, {audio:.2} s of audio"
    );
    assert!(chunks >= 4, "only {chunks} body chunks");
    assert!(
        first_sound < total / 3,
        "the first sound came after {first_sound:?} of {total:?}"
    );

    // A WAV stream.
    let r = c
        .post(s.url("/v1/audio/speech"))
        .json(
            &json!({"model": "tts-1", "input": "こんにちは。", "voice": "alloy", "stream": true,
            "response_format": "wav"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "audio/wav");
    assert_speech(&stream_wav_samples(&r.bytes().await.unwrap()));

    // Nothing to say: an OpenAI error before any audio, naming the input.
    let r = c
        .post(s.url("/v1/audio/speech"))
        .json(&json!({"model": "tts-1", "input": "！？", "voice": "alloy", "stream": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["param"], "input", "{v}");
}

/// MP3 and Ogg Opus go out as they are encoded, in several body chunks, and the whole body
/// decodes to the same length of speech as the WAV answer.
#[tokio::test(flavor = "multi_thread")]
async fn openai_speech_streams_mp3_and_opus() {
    let s = TestServer::start(config()).await;
    let c = client();
    let text = "今日はとてもいい天気ですね。午後は散歩に行きましょう。";
    let body = |format: &str, stream: bool| {
        json!({"model": "tts-1", "input": text, "voice": "alloy", "response_format": format,
            "stream": stream})
    };
    let r = c
        .post(s.url("/v1/audio/speech"))
        .json(&body("wav", false))
        .send()
        .await
        .unwrap();
    let wav = speech_wav(&r.bytes().await.unwrap());
    for (format, content_type, magic) in [
        ("mp3", "audio/mpeg", &b"\xff"[..]),
        ("opus", "audio/opus", b"OggS"),
    ] {
        let mut r = c
            .post(s.url("/v1/audio/speech"))
            .json(&body(format, true))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{format}");
        assert_eq!(r.headers()["content-type"], content_type);
        let mut bytes = Vec::new();
        let mut chunks = 0;
        while let Some(chunk) = r.chunk().await.unwrap() {
            bytes.extend_from_slice(&chunk);
            chunks += 1;
        }
        assert!(
            bytes.starts_with(magic),
            "{format} starts {:?}",
            &bytes[..4]
        );
        assert!(chunks >= 3, "{format}: only {chunks} body chunks");
        let (samples, rate) = yomiage_testkit::audio::decode(bytes, format);
        let seconds = samples.len() as f64 / f64::from(rate);
        assert!(
            (seconds - wav.seconds()).abs() < 0.1,
            "{format}: {seconds} s streamed against {} s whole",
            wav.seconds()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_whose_client_disconnects_stops_and_frees_its_slot() {
    let mut cfg = config();
    cfg.max_concurrency = 1;
    let s = TestServer::start(cfg).await;
    let c = client();
    let text = "今日はとてもいい天気ですね。".repeat(12);
    let mut r = c
        .post(s.url("/v1/audio/speech"))
        .json(&json!({"model": "tts-1", "input": text, "voice": "alloy",
            "response_format": "pcm", "stream": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let chunk = r.chunk().await.unwrap().expect("a first chunk");
    assert!(!chunk.is_empty());
    assert_eq!(s.state.limiter().running(), 1);
    drop(r);
    let freed = wait_until("the slot to be freed", Duration::from_secs(20), || {
        s.state.limiter().running() == 0
    })
    .await;
    eprintln!("slot freed {freed:?} after the client left");
    assert!(
        freed < Duration::from_secs(4),
        "the abandoned stream ran on for {freed:?}"
    );
    // The next client is served at once: it is not queued behind the abandoned stream (12
    // sentences, minutes in a debug build). The bound is loose because a loaded machine makes
    // even a short request slow.
    let t = Instant::now();
    let r = c
        .post(s.url("/v1/audio/speech"))
        .json(
            &json!({"model": "tts-1", "input": "こんにちは。", "voice": "alloy", "stream": true,
            "response_format": "wav"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_speech(&stream_wav_samples(&r.bytes().await.unwrap()));
    assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
}

// ---- WebSocket ----

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

#[derive(Debug)]
enum Got {
    Json(Value),
    Audio(Vec<i16>),
}

struct Ws(Socket);

impl Ws {
    async fn connect(s: &TestServer, query: &str) -> Ws {
        let url = format!("{}/ws{query}", s.base.replace("http://", "ws://"));
        let (socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        Ws(socket)
    }

    async fn send(&mut self, v: Value) {
        self.send_text(&v.to_string()).await;
    }

    async fn send_text(&mut self, t: &str) {
        self.0.send(Message::Text(t.into())).await.unwrap();
    }

    /// The next message, or `None` if none comes within `limit`.
    async fn next_within(&mut self, limit: Duration) -> Option<Got> {
        loop {
            let m = tokio::time::timeout(limit, self.0.next()).await.ok()?;
            match m.expect("the socket stays open").unwrap() {
                Message::Text(t) => return Some(Got::Json(serde_json::from_str(&t).unwrap())),
                Message::Binary(b) => return Some(Got::Audio(pcm_samples(&b))),
                _ => continue,
            }
        }
    }

    async fn next(&mut self) -> Got {
        self.next_within(Duration::from_secs(60))
            .await
            .expect("a message within a minute")
    }

    async fn json(&mut self) -> Value {
        match self.next().await {
            Got::Json(v) => v,
            Got::Audio(a) => panic!("expected JSON, got {} samples", a.len()),
        }
    }

    /// Messages up to and including the `end` of utterance `id`.
    async fn until_end(&mut self, id: u64) -> (Vec<Got>, Value) {
        let mut got = Vec::new();
        loop {
            match self.next().await {
                Got::Json(v) if v["type"] == "end" && v["id"] == id => return (got, v),
                g => got.push(g),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn websocket_speaks_with_timelines_before_their_audio() {
    let s = TestServer::start(config()).await;
    let mut ws = Ws::connect(&s, "?speaker=0").await;
    ws.send(json!({"type": "speak", "text": "こんにちは。いい天気ですね。"}))
        .await;
    let start = ws.json().await;
    assert_eq!(start["type"], "start", "{start}");
    assert_eq!(start["id"], 1);
    assert_eq!(start["sample_rate"], 24000);
    let (got, end) = ws.until_end(1).await;
    assert_eq!(end["completed"], true, "{end}");

    let mut samples: Vec<i16> = Vec::new();
    let mut timelines = 0;
    let mut sentences = 0;
    let mut last_mora_end = 0.0f64;
    for g in &got {
        match g {
            Got::Audio(a) => samples.extend_from_slice(a),
            Got::Json(v) => match v["type"].as_str().unwrap() {
                "sentence" => sentences += 1,
                "timeline" => {
                    timelines += 1;
                    assert_eq!(v["id"], 1);
                    let moras = v["moras"].as_array().unwrap();
                    assert!(!moras.is_empty());
                    assert!(!v["phonemes"].as_array().unwrap().is_empty());
                    // Announced before its audio: nothing it describes has been received yet.
                    let first = moras[0]["start"].as_f64().unwrap();
                    let received = samples.len() as f64 / RATE;
                    assert!(
                        received <= first + 0.03,
                        "a timeline starting at {first} s came after {received} s of audio"
                    );
                    assert!(moras[0]["viseme"].is_string());
                    last_mora_end = moras
                        .iter()
                        .map(|m| m["end"].as_f64().unwrap())
                        .fold(last_mora_end, f64::max);
                }
                other => panic!("unexpected {other}: {v}"),
            },
        }
    }
    assert_eq!(sentences, 2);
    assert!(timelines >= 2, "{timelines} timelines");
    assert_eq!(end["samples"], samples.len() as u64);
    assert_speech(&samples);
    // Timings are on the utterance's audio clock.
    let audio = samples.len() as f64 / RATE;
    assert!(
        last_mora_end <= audio + 0.45 && last_mora_end > audio * 0.6,
        "last mora ends at {last_mora_end} s of {audio} s"
    );

    // A query works too, on the same connection.
    let q: Value = client()
        .post(s.url("/audio_query?speaker=0&text=こんにちは。"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    ws.send(json!({"type": "speak", "query": q})).await;
    assert_eq!(ws.json().await["id"], 2);
    let (got, end) = ws.until_end(2).await;
    assert_eq!(end["completed"], true, "{end}");
    let samples: Vec<i16> = got
        .into_iter()
        .filter_map(|g| match g {
            Got::Audio(a) => Some(a),
            Got::Json(_) => None,
        })
        .flatten()
        .collect();
    assert_speech(&samples);
}

#[tokio::test(flavor = "multi_thread")]
async fn websocket_cancel_stops_at_once_and_a_new_speak_interrupts() {
    let mut cfg = config();
    cfg.max_concurrency = 1;
    let s = TestServer::start(cfg).await;
    let mut ws = Ws::connect(&s, "").await;
    let long = "今日はとてもいい天気ですね。".repeat(8);
    ws.send(json!({"type": "speak", "text": long})).await;
    assert_eq!(ws.json().await["type"], "start");
    // Wait for audio, then cancel.
    while !matches!(ws.next().await, Got::Audio(_)) {}
    let t = Instant::now();
    ws.send(json!({"type": "cancel"})).await;
    let (_, end) = ws.until_end(1).await;
    let took = t.elapsed();
    assert_eq!(end["completed"], false, "{end}");
    assert!(
        took < Duration::from_secs(1),
        "cancel answered after {took:?}"
    );
    // Nothing more for it.
    assert!(
        ws.next_within(Duration::from_millis(1500)).await.is_none(),
        "messages after the end"
    );
    wait_until("the slot to be freed", Duration::from_secs(5), || {
        s.state.limiter().running() == 0
    })
    .await;

    // A second speak interrupts the first.
    ws.send(json!({"type": "speak", "text": long})).await;
    assert_eq!(ws.json().await["id"], 2);
    while !matches!(ws.next().await, Got::Audio(_)) {}
    ws.send(json!({"type": "speak", "text": "はい。"})).await;
    let (_, end) = ws.until_end(2).await;
    assert_eq!(end["completed"], false, "{end}");
    // The very next message is the new utterance's start: no audio of the first in between.
    let start = ws.json().await;
    assert_eq!(start["type"], "start", "{start}");
    assert_eq!(start["id"], 3);
    let (got, end) = ws.until_end(3).await;
    assert_eq!(end["completed"], true, "{end}");
    assert!(got.iter().any(|g| matches!(g, Got::Audio(_))));
    // With one slot, the second utterance could only run because the first stopped.
    assert_eq!(s.state.limiter().running(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn websocket_bad_commands_are_errors_and_the_socket_goes_on() {
    let mut cfg = config();
    cfg.max_text_chars = 20;
    let s = TestServer::start(cfg).await;
    let mut ws = Ws::connect(&s, "?speaker=0").await;
    for bad in [
        "{oops".to_owned(),
        json!({"type": "shout"}).to_string(),
        json!({"type": "speak"}).to_string(),
        json!({"type": "speak", "text": "あ".repeat(21)}).to_string(),
        json!({"type": "speak", "text": "はい", "speaker": 99}).to_string(),
        json!({"type": "speak", "text": "はい", "speed": 9}).to_string(),
        json!({"type": "speak", "query": {"accent_phrases": []}}).to_string(),
    ] {
        ws.send_text(&bad).await;
        let e = ws.json().await;
        assert_eq!(e["type"], "error", "{bad}: {e}");
        assert!(e.get("id").is_none(), "{e}");
        assert!(!e["message"].as_str().unwrap().is_empty());
    }
    // Text with nothing to say fails as an utterance: error and end with its id.
    ws.send(json!({"type": "speak", "text": "！？"})).await;
    assert_eq!(ws.json().await["type"], "start");
    let e = ws.json().await;
    assert_eq!(e["type"], "error", "{e}");
    assert_eq!(e["id"], 1);
    let (_, end) = ws.until_end(1).await;
    assert_eq!(end["completed"], false);
    // Still usable.
    ws.send(json!({"type": "speak", "text": "こんにちは。"}))
        .await;
    assert_eq!(ws.json().await["type"], "start");
    let (got, end) = ws.until_end(2).await;
    assert_eq!(end["completed"], true, "{end}");
    assert!(got.iter().any(|g| matches!(g, Got::Audio(_))));

    // An unknown speaker is refused before the upgrade; a plain GET is told to upgrade.
    let url = format!("{}/ws?speaker=99", s.base.replace("http://", "ws://"));
    assert!(tokio_tungstenite::connect_async(url).await.is_err());
    let r = client().get(s.url("/ws")).send().await.unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
}
