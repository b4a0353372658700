//! The soak's clients: one request of each kind in turn, answered and counted, and the
//! WebSocket chat client.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::report::Counts;

const TEXTS: [&str; 4] = [
    "こんにちは。",
    "今日はいい天気ですね。散歩に行きましょう。",
    "箸と橋と端。",
    "吾輩は猫である。名前はまだ無い。",
];

fn speech(text: &str, format: &str, stream: bool) -> serde_json::Value {
    json!({"model": "tts-1", "input": text, "voice": "alloy", "response_format": format, "stream": stream})
}

/// One request of kind `k` (chosen round-robin per client), answered and counted.
pub async fn one(k: usize, n: usize, c: &reqwest::Client, base: &str, counts: &Counts) {
    let text = TEXTS[n % TEXTS.len()];
    let kinds = 10;
    match k % kinds {
        0 => {
            let r = c
                .post(format!("{base}/audio_query"))
                .query(&[("text", text), ("speaker", "0")])
                .send()
                .await;
            let q = match r {
                Ok(r) if r.status().is_success() => r.bytes().await.ok(),
                Ok(r) => {
                    counts.status("voicevox query", r.status().as_u16(), "");
                    return;
                }
                Err(e) => return counts.unanswered("voicevox query", &e.to_string()),
            };
            counts.status("voicevox query", 200, "");
            let Some(q) = q else {
                return counts.unanswered("voicevox query", "body cut");
            };
            finish(
                c.post(format!("{base}/synthesis?speaker=0"))
                    .header("content-type", "application/json")
                    .body(q),
                "voicevox synthesis",
                counts,
            )
            .await;
        }
        1 => {
            finish(
                c.post(format!("{base}/v1/audio/speech"))
                    .json(&speech(text, "wav", false)),
                "openai wav",
                counts,
            )
            .await
        }
        2 => {
            finish(
                c.post(format!("{base}/v1/audio/speech"))
                    .json(&speech(text, "mp3", false)),
                "openai mp3",
                counts,
            )
            .await
        }
        3 => {
            finish(
                c.post(format!("{base}/v1/audio/speech"))
                    .json(&speech(text, "pcm", true)),
                "openai stream",
                counts,
            )
            .await
        }
        4 => {
            // A client that goes away after the first chunk.
            match c
                .post(format!("{base}/v1/audio/speech"))
                .json(&speech(&TEXTS[3].repeat(3), "pcm", true))
                .send()
                .await
            {
                Ok(mut r) => {
                    counts.status("dropped stream", r.status().as_u16(), "");
                    let _ = r.chunk().await;
                }
                Err(e) => counts.unanswered("dropped stream", &e.to_string()),
            }
        }
        5 => websocket(base, text, counts).await,
        6 => {
            finish(
                c.post(format!("{base}/synthesis?speaker=0"))
                    .header("content-type", "application/json")
                    .body(r#"{"accent_phrases": [{"moras": 3}"#),
                "malformed",
                counts,
            )
            .await
        }
        7 => {
            let r = c
                .post(format!("{base}/v1/audio/speech"))
                .header("content-type", "application/json")
                .body(vec![b' '; 5 << 20])
                .send()
                .await;
            match r {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let _ = r.bytes().await;
                    counts.status("oversized", status, "");
                }
                Err(e) if e.is_request() => counts.add("oversized", |t| t.cut_off += 1),
                Err(e) => counts.unanswered("oversized", &e.to_string()),
            }
        }
        8 => {
            let add = c
                .post(format!("{base}/user_dict_word"))
                .query(&[
                    ("surface", format!("ソーク{n}")),
                    ("pronunciation", "ソーク".into()),
                    ("accent_type", "1".into()),
                ])
                .send()
                .await;
            match add {
                Ok(r) if r.status().is_success() => {
                    counts.status("dictionary edit", 200, "");
                    if let Ok(id) = r.text().await {
                        finish(
                            c.delete(format!("{base}/user_dict_word/{id}")),
                            "dictionary edit",
                            counts,
                        )
                        .await;
                    }
                }
                Ok(r) => counts.status("dictionary edit", r.status().as_u16(), ""),
                Err(e) => counts.unanswered("dictionary edit", &e.to_string()),
            }
        }
        _ => {
            // A stream_synthesis dropped mid-body.
            let q = match c
                .post(format!("{base}/audio_query"))
                .query(&[("text", TEXTS[3]), ("speaker", "0")])
                .send()
                .await
            {
                Ok(r) if r.status().is_success() => match r.bytes().await {
                    Ok(q) => q,
                    Err(e) => return counts.unanswered("dropped stream_synthesis", &e.to_string()),
                },
                Ok(r) => return counts.status("dropped stream_synthesis", r.status().as_u16(), ""),
                Err(e) => return counts.unanswered("dropped stream_synthesis", &e.to_string()),
            };
            match c
                .post(format!("{base}/stream_synthesis?speaker=0"))
                .header("content-type", "application/json")
                .body(q)
                .send()
                .await
            {
                Ok(mut r) => {
                    counts.status("dropped stream_synthesis", r.status().as_u16(), "");
                    let _ = r.chunk().await;
                }
                Err(e) => counts.unanswered("dropped stream_synthesis", &e.to_string()),
            }
        }
    }
}

/// Sends, reads the whole body, counts.
async fn finish(req: reqwest::RequestBuilder, kind: &'static str, counts: &Counts) {
    match req.send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            match r.bytes().await {
                Ok(body) => counts.status(
                    kind,
                    status,
                    &String::from_utf8_lossy(&body[..body.len().min(200)]),
                ),
                Err(e) => counts.unanswered(kind, &format!("{status}, body cut: {e}")),
            }
        }
        Err(e) => counts.unanswered(kind, &e.to_string()),
    }
}

/// A chat client on the WebSocket: speaks and interrupts itself with a second `speak` at
/// once, speaks and cancels at the first audio, then speaks to the end. Every utterance must
/// be answered with its `end` (four in all).
async fn websocket(base: &str, text: &str, counts: &Counts) {
    type Ws = tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >;
    let url = format!("{}/ws?speaker=0", base.replacen("http", "ws", 1));
    let Ok(Ok((mut ws, _))) = tokio::time::timeout(
        Duration::from_secs(60),
        tokio_tungstenite::connect_async(&url),
    )
    .await
    else {
        return counts.unanswered("websocket", "no connection");
    };
    let speak = |t: &str| Message::text(json!({"type": "speak", "text": t}).to_string());
    let long = TEXTS[3].repeat(2);
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut ends = 0;
    /// Reads until `want` ends in all (Ok) or until the first binary chunk when `audio`.
    async fn read(
        ws: &mut Ws,
        ends: &mut usize,
        want: usize,
        audio: bool,
        deadline: Instant,
    ) -> Result<(), String> {
        while *ends < want {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, ws.next()).await {
                Ok(Some(Ok(Message::Text(t)))) => {
                    let v: serde_json::Value = serde_json::from_str(&t).unwrap_or_default();
                    match v["type"].as_str() {
                        Some("end") => *ends += 1,
                        Some("error") => return Err(format!("status {} {v}", v["status"])),
                        _ => {}
                    }
                }
                Ok(Some(Ok(Message::Binary(_)))) if audio => return Ok(()),
                Ok(Some(Ok(_))) => {}
                Ok(Some(Err(e))) => return Err(e.to_string()),
                Ok(None) => return Err("closed by the server".into()),
                Err(_) => return Err("no end within 3 minutes".into()),
            }
        }
        Ok(())
    }
    let steps = async {
        ws.send(speak(&long)).await.map_err(|e| e.to_string())?;
        ws.send(speak(text)).await.map_err(|e| e.to_string())?;
        read(&mut ws, &mut ends, 2, false, deadline).await?;
        ws.send(speak(&long)).await.map_err(|e| e.to_string())?;
        read(&mut ws, &mut ends, 3, true, deadline).await?;
        ws.send(Message::text(json!({"type": "cancel"}).to_string()))
            .await
            .map_err(|e| e.to_string())?;
        read(&mut ws, &mut ends, 3, false, deadline).await?;
        ws.send(speak(text)).await.map_err(|e| e.to_string())?;
        read(&mut ws, &mut ends, 4, false, deadline).await
    };
    match steps.await {
        Ok(()) => counts.status("websocket", 200, ""),
        // An error message from the server: counted by its status (503: queue full).
        Err(e) if e.starts_with("status ") => {
            let code = e
                .split_whitespace()
                .nth(1)
                .and_then(|c| c.parse().ok())
                .unwrap_or(500);
            counts.status("websocket", code, &e)
        }
        Err(e) => counts.unanswered("websocket", &format!("{e} ({ends} ends)")),
    }
    let _ = ws.close(None).await;
}
