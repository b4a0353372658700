//! The user-dictionary API: edits reach the analysis and the file, concurrent edits lose
//! nothing, bad words and ids are 422. (One test: the engine is shared in this process.)

use crate::common;

use common::{client, config, TestServer};
use serde_json::Value;

async fn kana_of(c: &reqwest::Client, s: &TestServer, text: &str) -> String {
    let q: Value = c
        .post(s.url("/audio_query"))
        .query(&[("text", text), ("speaker", "0")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    q["kana"].as_str().unwrap().to_owned()
}

async fn words(c: &reqwest::Client, s: &TestServer) -> serde_json::Map<String, Value> {
    let r = c.get(s.url("/user_dict")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    match r.json::<Value>().await.unwrap() {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn user_dictionary_edits_reach_analysis_file_and_survive_concurrency() {
    let s = TestServer::start(config()).await;
    let c = client();
    assert!(words(&c, &s).await.is_empty());
    let before = kana_of(&c, &s, "鬱金香庵に行く").await;
    assert!(!before.contains("ウコンコウアン"), "{before}");

    // Add: the answer is the bare UUID, the reading is used at once and saved to the file.
    let r = c
        .post(s.url("/user_dict_word"))
        .query(&[
            ("surface", "鬱金香庵"),
            ("pronunciation", "ウコンコウアン"),
            ("accent_type", "4"),
            ("word_type", "PROPER_NOUN"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let id = r.text().await.unwrap();
    assert!(uuid_like(&id), "{id}");
    let after = kana_of(&c, &s, "鬱金香庵に行く").await;
    assert!(after.contains("ウコンコ'ウアン"), "{after}");
    let file = std::fs::read_to_string(&s.user_dict).unwrap();
    assert!(file.contains("鬱金香庵") && file.contains(&id));
    let w = words(&c, &s).await;
    assert_eq!(w[&id]["pronunciation"], "ウコンコウアン");
    assert_eq!(w[&id]["accent_type"], 4);
    assert_eq!(w[&id]["priority"], 5);

    // Rewrite and delete.
    let r = c
        .put(s.url(&format!("/user_dict_word/{id}")))
        .query(&[
            ("surface", "鬱金香庵"),
            ("pronunciation", "ウコンコウアン"),
            ("accent_type", "0"),
            ("priority", "8"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(words(&c, &s).await[&id]["priority"], 8);
    let r = c
        .delete(s.url(&format!("/user_dict_word/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(words(&c, &s).await.is_empty());
    let back = kana_of(&c, &s, "鬱金香庵に行く").await;
    assert_eq!(back, before);

    // Bad words and ids: 422 naming the problem; nothing changes.
    for (query, needle) in [
        (
            vec![
                ("surface", "x"),
                ("pronunciation", "abc"),
                ("accent_type", "0"),
            ],
            "katakana",
        ),
        (
            vec![
                ("surface", "x"),
                ("pronunciation", "ア"),
                ("accent_type", "5"),
            ],
            "accent_type",
        ),
        (
            vec![
                ("surface", "x"),
                ("pronunciation", "ア"),
                ("accent_type", "0"),
                ("priority", "11"),
            ],
            "priority",
        ),
        (
            vec![
                ("surface", "x"),
                ("pronunciation", "ア"),
                ("accent_type", "0"),
                ("word_type", "NOUN"),
            ],
            "word_type",
        ),
        (
            vec![("surface", "x"), ("pronunciation", "ア")],
            "accent_type",
        ),
    ] {
        let r = c
            .post(s.url("/user_dict_word"))
            .query(&query)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{query:?}");
        let v: Value = r.json().await.unwrap();
        assert!(v["detail"].to_string().contains(needle), "{query:?}: {v}");
    }
    let missing = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
    let r = c
        .delete(s.url(&format!("/user_dict_word/{missing}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = c
        .delete(s.url("/user_dict_word/not-a-uuid"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = c
        .put(s.url(&format!("/user_dict_word/{missing}")))
        .query(&[
            ("surface", "x"),
            ("pronunciation", "ア"),
            ("accent_type", "0"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(words(&c, &s).await.is_empty());

    // Concurrent adds: every one lands, in memory and in the file.
    let adds = (0..12).map(|i| {
        let c = c.clone();
        let url = s.url("/user_dict_word");
        async move {
            let surface = format!("試験語{}", char::from(b'a' + i as u8));
            let r = c
                .post(url)
                .query(&[
                    ("surface", surface.as_str()),
                    ("pronunciation", "シケンゴ"),
                    ("accent_type", "0"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.text().await.unwrap()
        }
    });
    let ids: Vec<String> = futures_join_all(adds).await;
    let w = words(&c, &s).await;
    assert_eq!(w.len(), 12);
    let file = std::fs::read_to_string(&s.user_dict).unwrap();
    for id in &ids {
        assert!(w.contains_key(id) && file.contains(id.as_str()));
    }

    // Export → import elsewhere round-trips; override semantics as VOICEVOX.
    let exported = c
        .get(s.url("/user_dict"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for id in &ids {
        let r = c
            .delete(s.url(&format!("/user_dict_word/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
    }
    let r = c
        .post(s.url("/import_user_dict?override=false"))
        .body(exported.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(words(&c, &s).await.len(), 12);
    // `override` is required, and garbage is refused.
    let r = c
        .post(s.url("/import_user_dict"))
        .body(exported)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = c
        .post(s.url("/import_user_dict?override=true"))
        .body("{\"x\": 1}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(words(&c, &s).await.len(), 12);
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|&c| c == '-').count() == 4
}

/// Runs the futures concurrently on the runtime and collects their results in order.
async fn futures_join_all<F>(futs: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}
