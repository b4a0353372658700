//! `GET /ws`: a WebSocket for character chat. The client sends JSON commands, the server
//! answers with JSON events and binary audio (16-bit little-endian PCM, 24 kHz mono), one
//! utterance at a time; a new `speak` or a `cancel` interrupts the current one at once.
//!
//! Client → server (text messages):
//! - `{"type":"speak","text":"…"}` or `{"type":"speak","query":{AudioQuery}}`, optionally
//!   with `"speaker": ID` (default: the connection's) and, for text, `"speed"` (0.25–4);
//! - `{"type":"cancel"}`.
//!
//! Server → client, per utterance `id` (counting from 1 on each connection):
//! `{"type":"start","id","sample_rate":24000,"channels":1,"format":"s16le"}`, then in the
//! engine's order `{"type":"sentence","id","index","text"}` (text only),
//! `{"type":"timeline","id","moras":[…],"phonemes":[…]}` (seconds from the start of this
//! utterance's audio, i.e. samples received since `start` / 24000; sent before the audio it
//! describes) and binary audio; finally `{"type":"end","id","samples","completed"}`, where
//! `samples` counts the samples sent for it and `completed` is false when it was interrupted
//! or failed. A failure is `{"type":"error","id","status","message"}` before that `end`; a
//! bad command is `{"type":"error","status","message"}` without an id, and changes nothing
//! (the connection and any current utterance go on).
//!
//! Limits: a message is at most the server's body limit (larger: closed with 1009 and a
//! reason), a text at most `max_text_chars`; a socket that sends nothing for
//! `ws_idle_timeout` while nothing is being spoken is closed (1001, with the reason); one
//! that stops reading is cut off after the send timeout, like any connection.

use std::sync::Arc;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{close_code, CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};
use yomiage_engine::{AudioQuery, StreamEvent, SynthesisOptions};
use yomiage_vocoder::SAMPLE_RATE;
use yomiage_voices::VoiceId;

use crate::audio;
use crate::error::ApiError;
use crate::extract::{parse_json, VQuery};
use crate::limit::Priority;
use crate::state::AppState;
use crate::stream::{check_stream_format, Job, Msg, Utterance};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/ws", get(upgrade))
}

#[derive(Deserialize)]
struct WsParams {
    /// The connection's default speaker; the manifest's default voice without it.
    #[serde(default)]
    speaker: Option<i64>,
}

async fn upgrade(
    State(state): State<Arc<AppState>>,
    VQuery(p): VQuery<WsParams>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let voice = match p.speaker {
        Some(id) => state.voice(id)?,
        None => state.manifest().default_voice(),
    };
    let ws = ws.map_err(|r| ApiError::with_status(r.status(), r.body_text()))?;
    let max = state.config().max_body_bytes;
    Ok(ws
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| async move {
            tracing::debug!("websocket connected");
            Session::new(socket, state, voice).run().await;
            tracing::debug!("websocket closed");
        }))
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Command {
    Speak {
        #[serde(default)]
        text: Option<String>,
        #[serde(default)]
        query: Option<AudioQuery>,
        #[serde(default)]
        speaker: Option<i64>,
        #[serde(default)]
        speed: Option<f32>,
    },
    Cancel,
}

/// The utterance being spoken.
struct Current {
    id: u64,
    utt: Utterance,
    samples: usize,
}

/// The socket is gone; the session ends.
struct Closed;

struct Session {
    socket: WebSocket,
    state: Arc<AppState>,
    voice: VoiceId,
    current: Option<Current>,
    last_id: u64,
}

impl Session {
    fn new(socket: WebSocket, state: Arc<AppState>, voice: VoiceId) -> Self {
        Session {
            socket,
            state,
            voice,
            current: None,
            last_id: 0,
        }
    }

    async fn run(mut self) {
        let idle = self.state.config().ws_idle_timeout;
        let mut idle_since = tokio::time::Instant::now();
        loop {
            // Only a socket with nothing being spoken can be idle; a listener of a long
            // utterance sends nothing and is not.
            let speaking = self.current.is_some();
            let step = tokio::select! {
                incoming = self.socket.recv() => {
                    idle_since = tokio::time::Instant::now();
                    match incoming {
                        None | Some(Ok(Message::Close(_))) => Err(Closed),
                        Some(Err(e)) => self.broken(e).await,
                        Some(Ok(Message::Text(t))) => self.command(t.as_str()).await,
                        Some(Ok(Message::Binary(_))) => {
                            self.refuse(ApiError::bad_request(
                                "binary messages are not commands; send JSON text messages",
                            ))
                            .await
                        }
                        // Pings are answered by the socket itself.
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(()),
                    }
                },
                msg = next_msg(&mut self.current) => {
                    idle_since = tokio::time::Instant::now();
                    self.forward(msg).await
                }
                _ = tokio::time::sleep_until(idle_since + idle), if !speaking => {
                    tracing::debug!("websocket idle: closed");
                    let reason = format!(
                        "idle for {} s with nothing sent: closing",
                        idle.as_secs_f64()
                    );
                    self.close(close_code::AWAY, reason).await
                }
            };
            if step.is_err() {
                break;
            }
        }
        // Dropping the current utterance cancels it.
        if let Some(c) = self.current.take() {
            tracing::debug!(id = c.id, "websocket closed mid-utterance: cancelled");
        }
    }

    /// A read failed. A message over the size limit is answered with a close frame that says
    /// so (1009); anything else ends the session as it is.
    async fn broken(&mut self, e: axum::Error) -> Result<(), Closed> {
        let too_big = match e.into_inner().downcast::<tungstenite::Error>() {
            Ok(e) => match *e {
                tungstenite::Error::Capacity(c) => Some(c.to_string()),
                _ => None,
            },
            Err(_) => None,
        };
        if let Some(why) = too_big {
            tracing::debug!(%why, "websocket message over the limit: closed");
            let max = self.state.config().max_body_bytes;
            let reason = format!("message too big ({why}); at most {max} bytes per message");
            let _ = self.close(close_code::SIZE, reason).await;
        }
        Err(Closed)
    }

    /// Closes the socket with `code` and `reason` (cut to what a close frame holds).
    async fn close(&mut self, code: u16, reason: String) -> Result<(), Closed> {
        let mut reason = reason;
        // A close frame's reason is at most 123 bytes.
        while reason.len() > 123 {
            reason.pop();
        }
        let _ = self
            .socket
            .send(Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })))
            .await;
        Err(Closed)
    }

    async fn send_json(&mut self, v: Value) -> Result<(), Closed> {
        self.socket
            .send(Message::Text(v.to_string().into()))
            .await
            .map_err(|_| Closed)
    }

    async fn refuse(&mut self, e: ApiError) -> Result<(), Closed> {
        tracing::debug!(error = %e, "websocket command refused");
        self.send_json(json!({
            "type": "error", "status": e.status().as_u16(), "message": e.message(),
        }))
        .await
    }

    async fn command(&mut self, text: &str) -> Result<(), Closed> {
        let cmd = match parse_json::<Command>(text.as_bytes()) {
            Ok(c) => c,
            Err(e) => {
                return self
                    .refuse(ApiError::bad_request(format!(
                        "not a command ({}); send {{\"type\":\"speak\",\"text\":\"…\"}}, \
                         {{\"type\":\"speak\",\"query\":{{…}}}} or {{\"type\":\"cancel\"}}",
                        e.message()
                    )))
                    .await
            }
        };
        match cmd {
            Command::Cancel => self.interrupt().await,
            Command::Speak {
                text,
                query,
                speaker,
                speed,
            } => match self.job(text, query, speaker, speed) {
                Ok((job, voice)) => {
                    self.interrupt().await?;
                    self.last_id += 1;
                    let id = self.last_id;
                    // A chat line: before bulk work (see `limit`).
                    let utt = Utterance::start(&self.state, job, voice, Priority::Interactive);
                    self.current = Some(Current {
                        id,
                        utt,
                        samples: 0,
                    });
                    self.send_json(json!({
                        "type": "start", "id": id, "sample_rate": SAMPLE_RATE,
                        "channels": 1, "format": "s16le",
                    }))
                    .await
                }
                Err(e) => self.refuse(e).await,
            },
        }
    }

    /// A `speak` command checked as the HTTP endpoints check theirs.
    fn job(
        &self,
        text: Option<String>,
        query: Option<AudioQuery>,
        speaker: Option<i64>,
        speed: Option<f32>,
    ) -> Result<(Job, VoiceId), ApiError> {
        let voice = match speaker {
            Some(id) => self.state.voice(id)?,
            None => self.voice.clone(),
        };
        let job = match (text, query) {
            (Some(text), None) => {
                if text.trim().is_empty() {
                    return Err(ApiError::bad_request("text is empty"));
                }
                let n = text.chars().count();
                let max = self.state.config().max_text_chars;
                if n > max {
                    return Err(ApiError::bad_request(format!(
                        "text is {n} characters long; this server takes at most {max} per \
                         utterance"
                    )));
                }
                let speed = speed.unwrap_or(1.0);
                if !(speed.is_finite() && (0.25..=4.0).contains(&speed)) {
                    return Err(ApiError::bad_request(format!(
                        "speed {speed} must be between 0.25 and 4.0"
                    )));
                }
                let opts = SynthesisOptions {
                    speed,
                    ..SynthesisOptions::default()
                };
                Job::Text { text, opts }
            }
            (None, Some(q)) => {
                if speed.is_some() {
                    return Err(ApiError::bad_request(
                        "speed applies to text; a query carries its own speedScale",
                    ));
                }
                check_stream_format(&q)?;
                Job::Query(q.check().map_err(|e| ApiError::query(&e))?)
            }
            _ => {
                return Err(ApiError::bad_request(
                    "a speak command needs exactly one of \"text\" and \"query\"",
                ))
            }
        };
        Ok((job, voice))
    }

    /// Stops the current utterance at once: nothing more of it is sent.
    async fn interrupt(&mut self) -> Result<(), Closed> {
        let Some(c) = self.current.take() else {
            return Ok(());
        };
        drop(c.utt);
        tracing::debug!(id = c.id, "utterance interrupted");
        self.send_json(json!({
            "type": "end", "id": c.id, "samples": c.samples, "completed": false,
        }))
        .await
    }

    async fn forward(&mut self, msg: Option<Msg>) -> Result<(), Closed> {
        let Some(cur) = self.current.as_mut() else {
            return Ok(());
        };
        let id = cur.id;
        match msg {
            Some(Msg::Event(StreamEvent::Audio(pcm))) => {
                cur.samples += pcm.len();
                self.socket
                    .send(Message::Binary(audio::s16le(&pcm).into()))
                    .await
                    .map_err(|_| Closed)
            }
            Some(Msg::Event(StreamEvent::Sentence { index, text })) => {
                self.send_json(json!({
                    "type": "sentence", "id": id, "index": index, "text": text,
                }))
                .await
            }
            Some(Msg::Event(StreamEvent::Timeline(t))) => {
                self.send_json(json!({
                    "type": "timeline", "id": id, "moras": t.moras, "phonemes": t.phonemes,
                }))
                .await
            }
            Some(Msg::End(Ok(end))) => {
                let samples = cur.samples;
                self.current = None;
                self.send_json(json!({
                    "type": "end", "id": id, "samples": samples, "completed": end.completed,
                }))
                .await
            }
            Some(Msg::End(Err(e))) => self.fail(id, &e).await,
            None => {
                self.fail(id, &ApiError::internal("synthesis failed unexpectedly"))
                    .await
            }
        }
    }

    async fn fail(&mut self, id: u64, e: &ApiError) -> Result<(), Closed> {
        let samples = self.current.take().map_or(0, |c| c.samples);
        self.send_json(json!({
            "type": "error", "id": id, "status": e.status().as_u16(), "message": e.message(),
        }))
        .await?;
        self.send_json(json!({
            "type": "end", "id": id, "samples": samples, "completed": false,
        }))
        .await
    }
}

/// The current utterance's next message; never resolves while there is none.
async fn next_msg(current: &mut Option<Current>) -> Option<Msg> {
    match current {
        Some(c) => c.utt.next().await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_and_bad_ones_are_errors() {
        let c: Command = parse_json(br#"{"type":"speak","text":"a","speed":1.5}"#).unwrap();
        assert!(matches!(
            c,
            Command::Speak {
                text: Some(_),
                speed: Some(_),
                ..
            }
        ));
        let c: Command = parse_json(br#"{"type":"cancel"}"#).unwrap();
        assert!(matches!(c, Command::Cancel));
        assert!(parse_json::<Command>(br#"{"type":"shout"}"#).is_err());
        assert!(parse_json::<Command>(br#"{"type":"speak","text":1}"#).is_err());
        assert!(parse_json::<Command>(b"{oops").is_err());
    }
}
