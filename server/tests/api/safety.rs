//! What a request may not do: grow the user dictionary past its limit, or reach the file
//! system through a name. Every place a name is taken (speaker IDs, voice names, speaker
//! UUIDs, word UUIDs, page files, any path) is tried with traversal strings over raw HTTP;
//! each gets a 4xx, nothing is read from or written outside the data directory, and the
//! server's own directory is left as it was.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use common::{client, config, TestServer};
use serde_json::{json, Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn dict_len(s: &TestServer) -> usize {
    let v: Value = s.get_json("/user_dict").await;
    v.as_object().unwrap().len()
}

async fn add_word(s: &TestServer, surface: &str) -> reqwest::Response {
    client()
        .post(s.url("/user_dict_word"))
        .query(&[
            ("surface", surface),
            ("pronunciation", "シケンゴ"),
            ("accent_type", "0"),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_user_dictionary_is_capped_in_words_and_imports_in_bytes() {
    let mut cfg = config();
    cfg.max_dict_words = 3;
    cfg.max_body_bytes = 16 * 1024;
    let s = TestServer::start(cfg).await;
    for surface in ["試験語a", "試験語b", "試験語c"] {
        assert_eq!(add_word(&s, surface).await.status(), 200);
    }
    let r = add_word(&s, "試験語d").await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert!(v["detail"].as_str().unwrap().contains("at most 3"), "{v}");
    assert_eq!(dict_len(&s).await, 3);

    // An import of more words than the limit is refused whole; one that fits is taken.
    let exported: Map<String, Value> = s.get_json("/user_dict").await;
    let word = exported.values().next().unwrap().clone();
    let import = |n: usize| {
        let words: Map<String, Value> = (0..n)
            .map(|i| (format!("00000000-0000-4000-8000-{i:012}"), word.clone()))
            .collect();
        Value::Object(words).to_string()
    };
    let r = client()
        .post(s.url("/import_user_dict?override=true"))
        .body(import(5))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert!(v["detail"].as_str().unwrap().contains("5 words"), "{v}");
    assert_eq!(dict_len(&s).await, 3);
    // Two new words on top of three: over the limit after the merge.
    let r = client()
        .post(s.url("/import_user_dict?override=false"))
        .body(import(2))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(dict_len(&s).await, 3);
    // Replacing the same three is fine.
    let r = client()
        .post(s.url("/import_user_dict?override=true"))
        .body(Value::Object(exported).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    // An import over the body limit: 413 naming it.
    let r = client()
        .post(s.url("/import_user_dict?override=true"))
        .body(format!("{{\"x\": \"{}\"}}", "a".repeat(32 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert!(r.text().await.unwrap().contains("16384 bytes"));
    assert_eq!(dict_len(&s).await, 3);
}

/// Each file under `dir` (recursively) with its contents.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.insert(
                    p.display().to_string(),
                    std::fs::read(&p).unwrap_or_default(),
                );
            }
        }
    }
    out
}

/// `target` sent as is (no URL normalization) on its own connection: the status and body.
async fn raw(s: &TestServer, method: &str, target: &[u8]) -> (u16, String) {
    let addr = s.base.trim_start_matches("http://");
    let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut req = format!("{method} ").into_bytes();
    req.extend_from_slice(target);
    req.extend_from_slice(b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n");
    req.extend_from_slice(b"Content-Type: application/json\r\n\r\n{}");
    c.write_all(&req).await.unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), c.read_to_end(&mut buf))
        .await
        .expect("answered")
        .unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// Percent-encodes every byte that is not unreserved (so `/`, `.` and NUL travel encoded).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn no_name_in_a_request_reaches_the_file_system() {
    let s = TestServer::start(config()).await;
    let dir = s.user_dict.parent().unwrap().to_owned();
    // A file the server may read: its contents must never come back.
    std::fs::write(&s.user_dict, "{}").unwrap();
    let probe = format!("yomiage-traversal-probe-{}", std::process::id());
    let tmp = std::env::temp_dir();
    let before = snapshot(&dir);
    let names = [
        format!("../../../../../../{}/{probe}", tmp.display()),
        format!("{}/{probe}", tmp.display()),
        "../../../../../../etc/passwd".to_owned(),
        "/etc/passwd".to_owned(),
        "..\\..\\..\\etc\\passwd".to_owned(),
        "....//....//etc/passwd".to_owned(),
        "%2e%2e/%2e%2e/etc/passwd".to_owned(),
        "..%2F..%2Fuser_dict.json".to_owned(),
        "user_dict.json".to_owned(),
        format!("{probe}\0.json"),
        "\0".to_owned(),
        "~/.ssh/id_rsa".to_owned(),
        "file:///etc/passwd".to_owned(),
    ];
    let mut tried = 0;
    for name in &names {
        let q = encode(name);
        // Query parameters that name a speaker, a voice or a word.
        let mut targets: Vec<(&str, String)> = vec![
            ("POST", format!("/audio_query?text=a&speaker={q}")),
            ("POST", format!("/synthesis?speaker={q}")),
            ("POST", format!("/stream_synthesis?speaker={q}")),
            ("POST", format!("/initialize_speaker?speaker={q}")),
            ("GET", format!("/is_initialized_speaker?speaker={q}")),
            ("GET", format!("/speaker_info?speaker_uuid={q}")),
            ("GET", format!("/ws?speaker={q}")),
            (
                "POST",
                format!("/user_dict_word/{q}?surface=a&pronunciation=ア&accent_type=0"),
            ),
            (
                "PUT",
                format!("/user_dict_word/{q}?surface=a&pronunciation=ア&accent_type=0"),
            ),
            ("DELETE", format!("/user_dict_word/{q}")),
            ("GET", format!("/web/{q}")),
            ("GET", format!("/docs/{q}")),
            ("GET", format!("/{q}")),
        ];
        // And the same names in the path unencoded, where a request line can carry them.
        if !name.contains(['\0', ' ', '\\']) {
            targets.push(("GET", format!("/web/{name}")));
            targets.push(("DELETE", format!("/user_dict_word/{name}")));
            targets.push(("GET", format!("/web/../{name}")));
        }
        for (method, target) in &targets {
            let (status, text) = raw(&s, method, target.as_bytes()).await;
            assert!(
                (400..500).contains(&status),
                "{method} {target}: {status}\n{text}"
            );
            assert!(!text.contains("root:"), "{method} {target}: {text}");
            tried += 1;
        }
        // The OpenAI voice and a WebSocket command's speaker come in JSON.
        let r = client()
            .post(s.url("/v1/audio/speech"))
            .json(&json!({"model": "tts-1", "input": "あ", "voice": name}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "voice {name:?}");
        tried += 1;
    }
    // A raw NUL and a dot-dot request line.
    for target in [&b"/web/\0"[..], b"/../../etc/passwd", b"/web/..%00/x"] {
        let (status, text) = raw(&s, "GET", target).await;
        assert!((400..500).contains(&status), "{target:?}: {status}\n{text}");
        assert!(!text.contains("root:"));
    }
    eprintln!("{tried} requests with traversal names, every one a 4xx");
    assert!(!tmp.join(&probe).exists());
    assert!(!dir.join(&probe).exists());
    assert_eq!(snapshot(&dir), before, "the server's directory changed");
}
