//! Slow and stalled clients over raw TCP on loopback: a client trickling its headers or its
//! body, or one that stops reading a streamed response, is cut off, never holds a synthesis
//! slot for long, and other clients are served meanwhile. The timeouts are set small here;
//! what is asserted is that things end eventually within generous bounds, not how fast.

use crate::common;

use std::time::{Duration, Instant};

use common::{client, config, TestServer};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Generous: these happen after about a second; the machine may be busy.
const EVENTUALLY: Duration = Duration::from_secs(60);

fn addr(s: &TestServer) -> String {
    s.base.trim_start_matches("http://").to_owned()
}

/// A short synthesis by a well-behaved client: 200 with audio.
async fn served(s: &TestServer) {
    let r = client()
        .post(s.url("/v1/audio/speech"))
        .json(
            &json!({"model": "tts-1", "input": "はい。", "voice": "alloy",
                      "response_format": "wav"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(!r.bytes().await.unwrap().is_empty());
}

/// Writes `byte` every 100 ms (at most `limit` of them) until the server closes the socket.
fn trickle(
    mut w: tokio::net::tcp::OwnedWriteHalf,
    byte: u8,
    limit: usize,
) -> tokio::task::JoinHandle<usize> {
    tokio::spawn(async move {
        for sent in 0..limit {
            if w.write_all(&[byte]).await.is_err() {
                return sent;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        limit
    })
}

/// Everything the server sends until it closes the connection (a reset counts as closed);
/// panics if it is still open after `EVENTUALLY`.
async fn until_closed(r: &mut tokio::net::tcp::OwnedReadHalf, what: &str) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let deadline = Instant::now() + EVENTUALLY;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, r.read(&mut chunk)).await {
            Err(_) => panic!("{what}: the connection is still open after {EVENTUALLY:?}"),
            Ok(Ok(0)) | Ok(Err(_)) => return buf,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn status(answer: &[u8]) -> Option<u16> {
    let head = String::from_utf8_lossy(&answer[..answer.len().min(20)]).into_owned();
    head.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_trickling_its_headers_is_cut_off_while_others_are_served() {
    let mut cfg = config();
    cfg.max_concurrency = 1;
    cfg.header_timeout = Duration::from_secs(1);
    let s = TestServer::start(cfg).await;
    let (mut r, mut w) = TcpStream::connect(addr(&s)).await.unwrap().into_split();
    w.write_all(b"POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    // One byte every 100 ms, for up to a minute: headers that never end.
    let slow = trickle(w, b'a', 600);
    served(&s).await;
    let answer = until_closed(&mut r, "trickled headers").await;
    assert!(
        status(&answer).is_none_or(|s| s >= 400),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let sent = slow.await.unwrap();
    assert!(sent < 600, "the server read the trickle to its end");
    assert_eq!(s.state.limiter().running(), 0);
    // An idle kept-alive connection is closed the same way.
    let (mut r, _w) = TcpStream::connect(addr(&s)).await.unwrap().into_split();
    until_closed(&mut r, "an idle connection").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_trickling_its_body_gets_408_and_never_holds_a_slot() {
    let mut cfg = config();
    cfg.max_concurrency = 1;
    cfg.body_timeout = Duration::from_secs(2);
    let s = TestServer::start(cfg).await;
    let (mut r, mut w) = TcpStream::connect(addr(&s)).await.unwrap().into_split();
    w.write_all(
        b"POST /synthesis?speaker=0 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 100000\r\n\r\n{",
    )
    .await
    .unwrap();
    let slow = trickle(w, b' ', 600);
    // While its body trickles in, the one slot is free and a well-behaved client gets it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        s.state.limiter().running(),
        0,
        "a slot taken before the body"
    );
    served(&s).await;
    let answer = until_closed(&mut r, "a trickled body").await;
    let text = String::from_utf8_lossy(&answer);
    assert_eq!(status(&answer), Some(408), "{text}");
    assert!(text.contains("did not arrive within"), "{text}");
    assert!(slow.await.unwrap() < 600);
    assert_eq!(s.state.limiter().running(), 0);
}

/// The body of a chunked response is complete only with its last, empty chunk.
fn chunked_body_complete(answer: &[u8]) -> bool {
    answer.ends_with(b"\r\n0\r\n\r\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_stops_reading_a_stream_is_cut_off_and_its_synthesis_stops() {
    let mut cfg = config();
    cfg.max_concurrency = 1;
    cfg.send_timeout = Duration::from_secs(1);
    // Small kernel buffers, so that a stalled reader stalls the server's writes within a few
    // seconds of audio (the kernel's default queues up to a minute of it).
    cfg.send_buffer_bytes = Some(16 * 1024);
    let s = TestServer::start(cfg).await;
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(addr(&s).parse().unwrap()).await.unwrap();
    let (mut r, mut w) = stream.into_split();
    // About a minute of audio: far more than the buffers hold.
    let body = json!({"model": "tts-1", "input": "今日はとてもいい天気ですね。".repeat(20),
                      "voice": "alloy", "response_format": "pcm", "stream": true})
    .to_string();
    let head = format!(
        "POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    w.write_all(head.as_bytes()).await.unwrap();
    w.write_all(body.as_bytes()).await.unwrap();
    // Read the head and the first audio, then nothing more.
    let mut first = vec![0u8; 4096];
    let n = tokio::time::timeout(EVENTUALLY, r.read(&mut first))
        .await
        .expect("the first audio")
        .unwrap();
    assert_eq!(status(&first[..n]), Some(200));
    let started = Instant::now();
    while s.state.limiter().running() != 0 {
        assert!(
            started.elapsed() < EVENTUALLY * 2,
            "the stalled stream's synthesis still holds its slot"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The slot is free for others while the stalled client is still connected.
    served(&s).await;
    // The server closed the connection with the body cut short.
    let rest = until_closed(&mut r, "a stalled reader").await;
    eprintln!(
        "stalled reader: cut off after {} bytes (20 sentences are about 2 MB)",
        n + rest.len()
    );
    assert!(
        !chunked_body_complete(&rest),
        "the whole stream was sent ({} bytes): the reader never stalled the server",
        n + rest.len()
    );
}

// ---- WebSocket ----

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn ws(s: &TestServer) -> Socket {
    let url = format!("{}/ws?speaker=0", s.base.replace("http://", "ws://"));
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

/// The server's close frame (code, reason), skipping other messages; panics if the socket
/// stays open past `EVENTUALLY` or ends without one.
async fn closed_with(socket: &mut Socket) -> (u16, String) {
    loop {
        let m = tokio::time::timeout(EVENTUALLY, socket.next())
            .await
            .expect("closed in time");
        match m {
            Some(Ok(Message::Close(Some(f)))) => return (f.code.into(), f.reason.to_string()),
            Some(Ok(Message::Close(None))) | None => panic!("closed without a reason"),
            Some(Ok(_)) => continue,
            Some(Err(e)) => panic!("closed without a close frame: {e}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_websocket_is_closed_but_not_while_it_is_spoken_to() {
    let mut cfg = config();
    cfg.ws_idle_timeout = Duration::from_secs(1);
    let s = TestServer::start(cfg).await;
    // Speaking is not idle, however long the synthesis takes (the first stream of a voice
    // also calibrates it).
    let mut socket = ws(&s).await;
    let text = "今日はとてもいい天気ですね。".repeat(3);
    socket
        .send(Message::Text(
            json!({"type": "speak", "text": text}).to_string().into(),
        ))
        .await
        .unwrap();
    let end = loop {
        let m = tokio::time::timeout(EVENTUALLY * 2, socket.next())
            .await
            .expect("the utterance ends")
            .expect("the socket stays open while speaking")
            .unwrap();
        if let Message::Text(t) = m {
            let v: Value = serde_json::from_str(&t).unwrap();
            assert_ne!(v["type"], "error", "{v}");
            if v["type"] == "end" {
                break v;
            }
        }
    };
    assert_eq!(end["completed"], true, "{end}");
    // Then silence: closed, saying why.
    let (code, reason) = closed_with(&mut socket).await;
    assert_eq!(code, u16::from(CloseCode::Away));
    assert!(reason.contains("idle"), "{reason}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversized_websocket_message_closes_with_a_reason() {
    let mut cfg = config();
    cfg.max_body_bytes = 64 * 1024;
    let s = TestServer::start(cfg).await;
    let mut socket = ws(&s).await;
    let huge = json!({"type": "speak", "text": "あ".repeat(40_000)}).to_string();
    // The server may close before the whole message is written.
    let _ = socket.send(Message::Text(huge.into())).await;
    let (code, reason) = closed_with(&mut socket).await;
    assert_eq!(code, u16::from(CloseCode::Size));
    assert!(reason.contains("too big"), "{reason}");
    assert!(reason.contains("65536"), "{reason}");
    // Other sockets go on.
    let mut other = ws(&s).await;
    other
        .send(Message::Text(r#"{"type":"cancel"}"#.into()))
        .await
        .unwrap();
    served(&s).await;
}
