//! `yomiage serve` end to end: the real binary on a free loopback port, driven over HTTP,
//! stopped with SIGTERM while a synthesis is in flight (graceful shutdown finishes it).

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A raw HTTP/1.1 request (no client library needed); returns status and body.
fn http(addr: &str, method: &str, path: &str, body: &str) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("a response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    (status, raw[split + 4..].to_vec())
}

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(args: &[&str]) -> Server {
    let mut child = common::yomiage()
        .args(["serve", "--port", "0"])
        .args(args)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("yomiage serve starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server says where it listens")
            .expect("a line");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest
                .split_whitespace()
                .next()
                .expect("an address")
                .to_owned();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, addr }
}

#[test]
fn serve_answers_on_loopback_and_sigterm_finishes_the_request_in_flight() {
    let mut server = start(&[]);
    assert!(server.addr.starts_with("127.0.0.1:"), "{}", server.addr);
    let (status, body) = http(&server.addr, "GET", "/version", "");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).starts_with('"'));

    // A synthesis of several sentences, and SIGTERM while it runs.
    let addr = server.addr.clone();
    let text = "今日はとてもいい天気ですね。".repeat(3);
    let request = std::thread::spawn(move || {
        let body = format!(
            r#"{{"model":"tts-1","input":"{text}","voice":"alloy","response_format":"wav"}}"#
        );
        http(&addr, "POST", "/v1/audio/speech", &body)
    });
    std::thread::sleep(Duration::from_millis(700));
    let pid = server.child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let (status, wav) = request.join().expect("the request thread");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&wav));
    assert_eq!(&wav[..4], b"RIFF");
    assert!(wav.len() > 48_000, "{} bytes", wav.len());
    // Then the process exits by itself, successfully.
    let start = Instant::now();
    let code = loop {
        if let Some(status) = server.child.try_wait().expect("waits") {
            break status;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "still running");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(code.success(), "{code:?}");
}

#[test]
fn serve_refuses_bad_settings_cleanly() {
    let out = common::run(common::yomiage().args(["serve", "--timeout", "0"]));
    common::assert_clean_failure(&out);
    assert!(common::stderr(&out).contains("--timeout"));
    for flag in ["--client-timeout", "--ws-idle-timeout"] {
        let out = common::run(common::yomiage().args(["serve", flag, "0"]));
        common::assert_clean_failure(&out);
        assert!(
            common::stderr(&out).contains(flag),
            "{}",
            common::stderr(&out)
        );
    }
    let out = common::run(common::yomiage().args(["serve", "--host", "256.0.0.1", "--port", "0"]));
    common::assert_clean_failure(&out);
    assert!(
        common::stderr(&out).contains("cannot listen"),
        "{}",
        common::stderr(&out)
    );
    let out = common::run(common::yomiage().args(["serve", "--warm", "nobody", "--port", "0"]));
    common::assert_clean_failure(&out);
    let err = common::stderr(&out);
    assert!(err.contains("--warm nobody"), "{err}");
}
