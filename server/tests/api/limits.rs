//! Limits and safety over real HTTP: the queue bound, the per-request timeout, cancellation
//! when a client goes away, CORS off by default, graceful shutdown.

use crate::common;

use std::time::{Duration, Instant};

use common::{client, config, speech_wav, TestServer};
use serde_json::{json, Value};

/// Many sentences: seconds of synthesis, with a cancellation checkpoint between sentences.
fn long_input(sentences: usize) -> String {
    "今日はとてもいい天気ですね。".repeat(sentences)
}

fn speech(text: &str) -> Value {
    json!({"model": "tts-1", "input": text, "voice": "alloy", "response_format": "wav"})
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
async fn a_full_queue_is_refused_at_once_and_queued_work_is_served() {
    let mut cfg = config();
    cfg.max_concurrency = 1;
    cfg.max_queue = 1;
    let s = TestServer::start(cfg).await;
    let c = client();
    let send = |text: String| {
        let c = c.clone();
        let url = s.url("/v1/audio/speech");
        tokio::spawn(async move { c.post(url).json(&speech(&text)).send().await.unwrap() })
    };
    let a = send(long_input(2));
    wait_until("a running synthesis", Duration::from_secs(30), || {
        s.state.limiter().running() == 1
    })
    .await;
    let b = send(long_input(1));
    wait_until("a queued request", Duration::from_secs(30), || {
        s.state.limiter().queued() == 1
    })
    .await;
    let t = Instant::now();
    let r = c
        .post(s.url("/v1/audio/speech"))
        .json(&speech("あ"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert!(t.elapsed() < Duration::from_secs(2), "refusal waited");
    assert!(r.headers().contains_key("retry-after"));
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"]["message"].as_str().unwrap().contains("busy"),
        "{v}"
    );
    for h in [a, b] {
        let r = h.await.unwrap();
        assert_eq!(r.status(), 200);
        speech_wav(&r.bytes().await.unwrap());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_disconnects_cancels_its_synthesis() {
    let mut cfg = config();
    cfg.max_concurrency = 1;
    let s = TestServer::start(cfg).await;
    // How long one sentence takes here (warm), to know what "stopped early" means.
    let c = client();
    let r = c
        .post(s.url("/v1/audio/speech"))
        .json(&speech(&long_input(1)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let t = Instant::now();
    let r = c
        .post(s.url("/v1/audio/speech"))
        .json(&speech(&long_input(1)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let one = t.elapsed();

    let sentences = 20;
    let impatient = reqwest::Client::builder()
        .no_proxy()
        .timeout(one * 2)
        .build()
        .unwrap();
    let err = impatient
        .post(s.url("/v1/audio/speech"))
        .json(&speech(&long_input(sentences)))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    // The slot is freed within about a sentence, not after the whole text.
    let freed = wait_until(
        "the abandoned synthesis to stop",
        one * sentences as u32,
        || s.state.limiter().running() == 0,
    )
    .await;
    assert!(
        freed < one * 4,
        "the abandoned synthesis ran on for {freed:?} (one sentence takes {one:?})"
    );
    // And the next client is served.
    let r = c
        .post(s.url("/v1/audio/speech"))
        .json(&speech("はい。"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_past_the_timeout_gets_503_and_stops() {
    let mut cfg = config();
    cfg.request_timeout = Duration::from_millis(1500);
    let s = TestServer::start(cfg).await;
    let c = client();
    let t = Instant::now();
    let r = c
        .post(s.url("/v1/audio/speech"))
        .json(&speech(&long_input(20)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert!(t.elapsed() < Duration::from_secs(10));
    let v: Value = r.json().await.unwrap();
    assert!(v["detail"].as_str().unwrap().contains("longer than"), "{v}");
    wait_until(
        "the timed-out synthesis to stop",
        Duration::from_secs(20),
        || s.state.limiter().running() == 0,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cors_is_off_by_default_and_allows_only_configured_origins() {
    let s = TestServer::start(config()).await;
    let c = client();
    let r = c
        .get(s.url("/version"))
        .header("Origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(!r.headers().contains_key("access-control-allow-origin"));

    let mut cfg = config();
    cfg.cors_origins = vec!["http://app.example".into()];
    let s = TestServer::start(cfg).await;
    let preflight = |origin: &'static str| {
        c.request(reqwest::Method::OPTIONS, s.url("/synthesis"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type")
            .send()
    };
    let r = preflight("http://app.example").await.unwrap();
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://app.example"
    );
    let r = preflight("http://evil.example").await.unwrap();
    assert!(!r.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test(flavor = "multi_thread")]
async fn graceful_shutdown_finishes_requests_in_flight() {
    let mut s = TestServer::start(config()).await;
    let c = client();
    let url = s.url("/v1/audio/speech");
    let inflight = {
        let c = c.clone();
        tokio::spawn(async move {
            c.post(url)
                .json(&speech(&long_input(2)))
                .send()
                .await
                .unwrap()
        })
    };
    wait_until("a running synthesis", Duration::from_secs(30), || {
        s.state.limiter().running() == 1
    })
    .await;
    s.shutdown();
    let r = inflight.await.unwrap();
    assert_eq!(r.status(), 200);
    speech_wav(&r.bytes().await.unwrap());
    let served = s.handle.take().unwrap();
    tokio::time::timeout(Duration::from_secs(30), served)
        .await
        .expect("the server stops after its last request")
        .unwrap()
        .unwrap();
    // New connections are no longer accepted.
    assert!(c.get(s.url("/version")).send().await.is_err());
}

/// With one slot busy on a long text, a chat line sent afterwards is answered before the long
/// text ends (it makes way between sentences); first come, first served, it would wait for
/// the whole text. Order, not timing, is what is checked.
#[tokio::test(flavor = "multi_thread")]
async fn a_short_line_is_not_queued_behind_a_long_text() {
    use yomiage_server::limit::Scheduling;
    for scheduling in [Scheduling::Fair, Scheduling::Fifo] {
        let mut cfg = config();
        cfg.max_concurrency = 1;
        cfg.scheduling = scheduling;
        let s = TestServer::start(cfg).await;
        let c = client();
        let url = s.url("/v1/audio/speech");
        let (c2, u2) = (c.clone(), url.clone());
        // 10 sentences, 140 characters: bulk.
        let long = tokio::spawn(async move {
            let r = c2
                .post(u2)
                .json(&speech(&long_input(10)))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.bytes().await.unwrap();
            Instant::now()
        });
        wait_until("the long text to start", Duration::from_secs(60), || {
            s.state.limiter().running() == 1
        })
        .await;
        let r = c
            .post(&url)
            .json(&speech("こんにちは。"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(speech_wav(&r.bytes().await.unwrap()).seconds() > 0.3);
        let short_done = Instant::now();
        let long_done = long.await.unwrap();
        eprintln!(
            "{scheduling:?}: the short line ended {:?} {} the long text",
            if short_done < long_done {
                long_done - short_done
            } else {
                short_done - long_done
            },
            if short_done < long_done {
                "before"
            } else {
                "after"
            }
        );
        assert_eq!(
            short_done < long_done,
            scheduling == Scheduling::Fair,
            "{scheduling:?}"
        );
        assert_eq!(s.state.limiter().running(), 0);
    }
}

/// `/health` is 503 while the voices warm and 200 once they are, each then initialized.
#[tokio::test(flavor = "multi_thread")]
async fn health_reports_ready_only_once_voices_are_warm() {
    let s = TestServer::start(config()).await;
    let c = client();
    // Nobody asked to warm: ready.
    let r = c.get(s.url("/health")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let voice = s.state.manifest().default_voice();
    s.state.warm_up_in_background(vec![voice.clone()]);
    assert!(!s.state.is_ready());
    let r = c.get(s.url("/health")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "warming", "{v}");
    assert_eq!(v["warming"], json!([voice.name()]), "{v}");
    wait_until("warm", Duration::from_secs(120), || s.state.is_ready()).await;
    let v: Value = s.get_json("/health").await;
    assert_eq!(v["status"], "ok", "{v}");
    assert_eq!(v["ready"], json!([voice.name()]), "{v}");
    let r: Value = c
        .get(s.url(&format!("/is_initialized_speaker?speaker={}", voice.id())))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r, json!(true));
}
