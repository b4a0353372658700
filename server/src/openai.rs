//! OpenAI-compatible `POST /v1/audio/speech`, so OpenAI SDKs work with `base_url` pointed
//! here. Errors use OpenAI's `{"error": {message, type, param, code}}` shape.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use yomiage_audio::StreamFormat;
use yomiage_engine::{Audio, Collect, Engine, Input, Rendering, SynthesisOptions};
use yomiage_voices::{Manifest, VoiceId};

use crate::audio;
use crate::error::ApiError;
use crate::extract::{parse_json, LimitedBody};
use crate::limit::Priority;
use crate::state::{AppState, Turn};
use crate::stream::{audio_response, Job, Utterance};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/v1/audio/speech", post(speech))
        .route("/v1/audio/voices", get(voices))
        .route("/v1/models", get(models))
}

#[derive(Deserialize)]
struct SpeechRequest {
    /// Any model name is accepted (`tts-1`, `gpt-4o-mini-tts`, `yomiage`): there is one.
    model: String,
    input: String,
    /// A name or speaker ID, or `{"id": …}` (the SDK's custom-voice form).
    voice: VoiceParam,
    /// `mp3` (the default, as OpenAI's), `opus`, `flac`, `wav` or `pcm` (24 kHz 16-bit mono
    /// little-endian). `aac` has no licence-clean encoder here: it is refused.
    #[serde(default)]
    response_format: Option<String>,
    /// 0.25 to 4 (VOICEVOX speedScale).
    #[serde(default)]
    speed: Option<f32>,
    /// Accepted and ignored (style prompts have no meaning for these voices).
    #[serde(default)]
    #[allow(dead_code)]
    instructions: Option<String>,
    #[serde(default)]
    stream_format: Option<String>,
    /// yomiage's extension: `true` sends the audio as it is synthesized (chunked body; a
    /// `wav` stream's header has an unknown length). FLAC is always sent whole.
    #[serde(default)]
    stream: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum VoiceParam {
    Name(String),
    Object { id: String },
}

impl VoiceParam {
    fn name(&self) -> &str {
        match self {
            VoiceParam::Name(n) | VoiceParam::Object { id: n } => n,
        }
    }
}

/// OpenAI's voice names, mapped onto the manifest's voices so apps that hard-code one work:
/// the lower voices to the male voice, the rest to the default.
const OPENAI_MALE_VOICES: [&str; 4] = ["echo", "onyx", "ash", "fable"];
const OPENAI_VOICES: [&str; 13] = [
    "alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer", "verse",
    "marin", "cedar",
];

fn resolve_voice(m: &Manifest, voice: &str) -> Result<VoiceId, ApiError> {
    if let Ok(v) = m.voice(voice) {
        return Ok(v);
    }
    let lower = voice.trim().to_ascii_lowercase();
    if OPENAI_VOICES.contains(&lower.as_str()) {
        if OPENAI_MALE_VOICES.contains(&lower.as_str()) {
            if let Some(v) = m.voices().find(|v| v.name().starts_with("jm_")) {
                return Ok(v);
            }
        }
        return Ok(m.default_voice());
    }
    let known: Vec<String> = m.voices().map(|v| v.name().to_owned()).collect();
    Err(ApiError::bad_request(format!(
        "unknown voice {voice:?}; use one of {} (or a speaker ID, or an OpenAI voice name)",
        known.join(", ")
    ))
    .with_param("voice"))
}

/// The formats this server answers in: OpenAI's, but for `aac` (no licence-clean encoder).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Mp3,
    Opus,
    Flac,
    Wav,
    Pcm,
}

const FORMATS: &str = "\"mp3\", \"opus\", \"flac\", \"wav\" or \"pcm\"";

impl Format {
    /// As OpenAI labels its responses.
    fn content_type(self) -> &'static str {
        match self {
            Format::Mp3 => "audio/mpeg",
            Format::Opus => "audio/opus",
            Format::Flac => "audio/flac",
            Format::Wav => "audio/wav",
            Format::Pcm => "audio/pcm",
        }
    }

    /// How the format is sent as it is made; `None` for FLAC, which is sent whole (its
    /// header holds the total length and a checksum of all samples).
    fn streamed(self) -> Option<StreamFormat> {
        match self {
            Format::Mp3 => Some(StreamFormat::Mp3),
            Format::Opus => Some(StreamFormat::Opus),
            Format::Wav => Some(StreamFormat::Wav),
            Format::Pcm => Some(StreamFormat::Pcm),
            Format::Flac => None,
        }
    }
}

/// A validated request.
struct Speech {
    text: String,
    voice: VoiceId,
    format: Format,
    speed: f32,
    stream: bool,
}

/// Validates the request; every fault names its parameter.
fn parse_request(state: &AppState, body: &[u8]) -> Result<Speech, ApiError> {
    let req: SpeechRequest = parse_json(body)?;
    if req.model.trim().is_empty() {
        return Err(ApiError::bad_request("model is empty").with_param("model"));
    }
    // OpenAI answers mp3 when no format is given, and so does this server.
    let format = match req.response_format.as_deref().map(str::trim) {
        None | Some("mp3") => Format::Mp3,
        Some("opus") => Format::Opus,
        Some("flac") => Format::Flac,
        Some("wav") => Format::Wav,
        Some("pcm") => Format::Pcm,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "response_format {other:?} is not supported; use {FORMATS}"
            ))
            .with_param("response_format"))
        }
    };
    if let Some(f) = req.stream_format.as_deref() {
        if f != "audio" {
            return Err(ApiError::bad_request(format!(
                "stream_format {f:?} is not supported; use \"audio\""
            ))
            .with_param("stream_format"));
        }
    }
    let speed = req.speed.unwrap_or(1.0);
    if !(speed.is_finite() && (0.25..=4.0).contains(&speed)) {
        return Err(
            ApiError::bad_request(format!("speed {speed} must be between 0.25 and 4.0"))
                .with_param("speed"),
        );
    }
    let n = req.input.chars().count();
    let max = state.config().max_text_chars;
    if req.input.trim().is_empty() {
        return Err(ApiError::bad_request("input is empty").with_param("input"));
    }
    if n > max {
        return Err(ApiError::bad_request(format!(
            "input is {n} characters long; this server takes at most {max} per request"
        ))
        .with_param("input"));
    }
    let voice = resolve_voice(state.manifest(), req.voice.name())?;
    Ok(Speech {
        text: req.input,
        voice,
        format,
        speed,
        stream: req.stream,
    })
}

/// Text to speech through the engine's sentence loop, making way for interactive requests
/// between sentences; the turn's token stops it when the request is abandoned.
fn speak(
    engine: &Engine,
    turn: &mut Turn,
    text: &str,
    voice: &VoiceId,
    speed: f32,
) -> Result<Audio, ApiError> {
    let opts = SynthesisOptions {
        speed,
        ..SynthesisOptions::default()
    };
    let token = turn.token.clone();
    let mut sink = turn.fair(Collect::default());
    match engine.speak(
        Input::Text(text),
        voice,
        &opts,
        Rendering::Whole,
        &token,
        &mut sink,
    ) {
        Ok(end) if end.completed => Ok(sink.inner.into_synthesis().audio),
        Ok(_) => Err(ApiError::cancelled()),
        Err(e) if e.is_nothing_to_say() => Err(ApiError::bad_request(
            "input has nothing speakable (only symbols, emoji or punctuation)",
        )
        .with_param("input")),
        Err(e) => Err(ApiError::engine(e).with_param("input")),
    }
}

async fn speech(
    State(state): State<Arc<AppState>>,
    body: Result<LimitedBody, ApiError>,
) -> Response {
    match speech_inner(state, body).await {
        Ok(r) => r,
        Err(e) => e.into_openai(),
    }
}

async fn speech_inner(
    state: Arc<AppState>,
    body: Result<LimitedBody, ApiError>,
) -> Result<Response, ApiError> {
    let LimitedBody(body) = body?;
    let Speech {
        text,
        voice,
        format,
        speed,
        stream,
    } = parse_request(&state, &body)?;
    // Streamed formats go out as they are synthesized; FLAC is encoded whole.
    if let (true, Some(encoding)) = (stream, format.streamed()) {
        let opts = SynthesisOptions {
            speed,
            ..SynthesisOptions::default()
        };
        let priority = Priority::of_length(text.chars().count());
        let utt = Utterance::start(&state, Job::Text { text, opts }, voice, priority);
        let content_type = format.content_type();
        // Text with nothing to say is the input's fault.
        return audio_response(utt, encoding, content_type)
            .await
            .map_err(|e| {
                if e.status().is_client_error() {
                    e.with_param("input")
                } else {
                    e
                }
            });
    }
    let v = voice.clone();
    let priority = Priority::of_length(text.chars().count());
    let audio = state
        .run(priority, move |engine, turn| {
            speak(engine, turn, &text, &v, speed)
        })
        .await?;
    state.mark_initialized(&voice);
    let bytes = match format {
        Format::Wav => audio::wav_bytes(&audio)?,
        Format::Pcm => audio::pcm_bytes(&audio),
        Format::Mp3 => audio::encoded(yomiage_audio::Format::Mp3, &audio)?,
        Format::Flac => audio::encoded(yomiage_audio::Format::Flac, &audio)?,
        Format::Opus => audio::encoded(yomiage_audio::Format::Opus, &audio)?,
    };
    Ok(([(header::CONTENT_TYPE, format.content_type())], bytes).into_response())
}

/// The model list, so clients that check `/v1/models` find one.
async fn models() -> Json<serde_json::Value> {
    Json(json!({
        "object": "list",
        "data": [{ "id": "yomiage", "object": "model", "created": 0, "owned_by": "yomiage" }],
    }))
}

/// The voice names `voice` takes, in the shape of Kokoro-FastAPI's `/v1/audio/voices` (the
/// de-facto list of OpenAI-compatible TTS servers); OpenAI's own names are accepted too.
async fn voices(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    let names: Vec<String> = state
        .manifest()
        .voices()
        .map(|v| v.name().to_owned())
        .collect();
    Json(json!({ "voices": names }))
}
