//! The browser pages: `/editor` and `/talk` and every file they load (found by following
//! their `/web/…` references and the modules' imports) are served from the binary with the
//! right content types; `/accent_notation` answers the kana and tones the editor draws. (The
//! pages themselves are driven in a real browser by `server/tests/browser/run.sh`.)

use crate::common;

use common::{client, config, TestServer};
use serde_json::{json, Value};

/// `/web/…` paths referenced by a page or imported by a module.
fn references(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    for quote in ['"', '\''] {
        for part in body.split(quote).skip(1).step_by(2) {
            if let Some(name) = part.strip_prefix("/web/").or(part.strip_prefix("./")) {
                if name.ends_with(".js") || name.ends_with(".css") {
                    out.push(format!("/web/{name}"));
                }
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_and_their_assets_are_served_with_their_content_types() {
    let s = TestServer::start(config()).await;
    let c = client();
    let mut todo = vec!["/editor".to_owned(), "/talk".to_owned()];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(path) = todo.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let r = c.get(s.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        let want = if path.ends_with(".js") {
            "text/javascript; charset=utf-8"
        } else if path.ends_with(".css") {
            "text/css; charset=utf-8"
        } else {
            "text/html; charset=utf-8"
        };
        assert_eq!(ct, want, "{path}");
        let body = r.text().await.unwrap();
        assert!(!body.is_empty(), "{path} is empty");
        todo.extend(references(&body));
    }
    // Both pages, the style sheet and at least the shared modules were reached.
    for p in [
        "/web/style.css",
        "/web/api.js",
        "/web/player.js",
        "/web/editor.js",
        "/web/talk.js",
    ] {
        assert!(seen.contains(p), "{p} not referenced: {seen:?}");
    }
    let r = c.get(s.url("/web/nothing.js")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let r = c.get(s.url("/web/..%2Fsrc%2Flib.rs")).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn accent_notation_gives_kana_and_tones_and_refuses_a_nucleus_past_the_end() {
    let s = TestServer::start(config()).await;
    let c = client();
    let phrases: Value = c
        .post(s.url("/accent_phrases"))
        .query(&[
            ("text", "ハシ'ガ/ア'メ"),
            ("speaker", "0"),
            ("is_kana", "true"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = c
        .post(s.url("/accent_notation"))
        .json(&phrases)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v, json!({"kana": "ハシ'ガ/ア'メ", "tones": ["LHL", "HL"]}));

    let mut bad = phrases.clone();
    bad[1]["accent"] = json!(3);
    let r = c
        .post(s.url("/accent_notation"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["detail"][0]["loc"], json!(["body", 1, "accent"]));
}
