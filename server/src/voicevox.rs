//! VOICEVOX ENGINE's API: same paths, parameter names, JSON shapes and status codes, so apps
//! written for VOICEVOX work unchanged. Speaker and style IDs are the voice manifest's.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use yomiage_engine::{
    AccentMode, AudioQuery, CheckedQuery, Engine, Input, QueryError, SynthesisOptions,
};
use yomiage_frontend::{parse_kana, to_kana, AccentPhrase, FrontendError};
use yomiage_voices::{Speaker, VoiceId};

use crate::audio;
use crate::error::{loc, ApiError};
use crate::extract::{flag, parse_json, LimitedBody, VJson, VQuery};
use crate::limit::{CancelToken, Checkpoint, Priority};
use crate::state::AppState;
use crate::VERSION;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/version", get(version))
        .route("/core_versions", get(core_versions))
        .route("/speakers", get(speakers))
        .route("/speaker_info", get(speaker_info))
        .route("/initialize_speaker", post(initialize_speaker))
        .route("/is_initialized_speaker", get(is_initialized_speaker))
        .route("/audio_query", post(audio_query))
        .route("/accent_phrases", post(accent_phrases))
        .route("/mora_data", post(mora_data))
        .route("/mora_length", post(mora_length))
        .route("/mora_pitch", post(mora_pitch))
        .route("/synthesis", post(synthesis))
        .route("/cancellable_synthesis", post(synthesis))
        .route("/multi_synthesis", post(multi_synthesis))
        .route("/validate_kana", post(validate_kana))
        .route("/presets", get(presets))
        .route("/supported_devices", get(supported_devices))
        .route("/engine_manifest", get(engine_manifest))
}

/// A transparent 1×1 PNG: VOICEVOX clients expect base64 images for portraits and icons,
/// and yomiage's voices have none.
const BLANK_PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

/// Namespace of the speakers' UUIDs: `uuid5(namespace, name)` is stable as long as the
/// manifest's names are (they are part of the public API, like the IDs).
const SPEAKER_UUID_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x5d0b_3c4e_8a21_4f6b_9c1e_7a2d_4e8f_0b13);

pub fn speaker_uuid(speaker: &Speaker) -> String {
    uuid::Uuid::new_v5(&SPEAKER_UUID_NAMESPACE, speaker.name.as_bytes())
        .hyphenated()
        .to_string()
}

async fn version() -> Json<&'static str> {
    Json(VERSION)
}

async fn core_versions() -> Json<[&'static str; 1]> {
    Json([VERSION])
}

async fn speakers(State(state): State<Arc<AppState>>) -> Json<Value> {
    let list: Vec<Value> = state
        .manifest()
        .speakers
        .iter()
        .map(|s| {
            json!({
                "name": s.display_name,
                "speaker_uuid": speaker_uuid(s),
                "styles": [{ "name": "ノーマル", "id": s.id, "type": "talk" }],
                "version": VERSION,
                "supported_features": { "permitted_synthesis_morphing": "NOTHING" },
            })
        })
        .collect();
    Json(Value::Array(list))
}

#[derive(Deserialize)]
struct SpeakerInfoParams {
    speaker_uuid: String,
}

async fn speaker_info(
    State(state): State<Arc<AppState>>,
    VQuery(p): VQuery<SpeakerInfoParams>,
) -> Result<Json<Value>, ApiError> {
    let m = state.manifest();
    let s = m
        .speakers
        .iter()
        .find(|s| speaker_uuid(s) == p.speaker_uuid.trim())
        .ok_or_else(|| {
            ApiError::not_found(format!("no speaker with speaker_uuid {}", p.speaker_uuid))
        })?;
    let policy = format!(
        "# {} ({})\n\nA {} voice of {} ({}). Licence: {}.\n",
        s.display_name, s.name, s.gender, m.voice.name, m.voice.description, m.voice.licence
    );
    Ok(Json(json!({
        "policy": policy,
        "portrait": BLANK_PNG,
        "style_infos": [{ "id": s.id, "icon": BLANK_PNG, "portrait": null, "voice_samples": [] }],
    })))
}

#[derive(Deserialize)]
struct SpeakerParams {
    speaker: i64,
    #[serde(default, deserialize_with = "flag")]
    skip_reinit: Option<bool>,
}

async fn initialize_speaker(
    State(state): State<Arc<AppState>>,
    VQuery(p): VQuery<SpeakerParams>,
) -> Result<StatusCode, ApiError> {
    let voice = state.voice(p.speaker)?;
    if p.skip_reinit == Some(true) && state.is_initialized(&voice) {
        return Ok(StatusCode::NO_CONTENT);
    }
    let v = voice.clone();
    state
        .run(Priority::Interactive, move |engine, _| {
            // One tiny prediction loads the style and warms the model for this voice.
            let phrases = parse_kana("ア'").map_err(|e| ApiError::internal(e.to_string()))?;
            engine
                .predict(phrases, &v, AccentMode::Imposed)
                .map_err(ApiError::engine)?;
            Ok(())
        })
        .await?;
    state.mark_initialized(&voice);
    Ok(StatusCode::NO_CONTENT)
}

async fn is_initialized_speaker(
    State(state): State<Arc<AppState>>,
    VQuery(p): VQuery<SpeakerParams>,
) -> Result<Json<bool>, ApiError> {
    let voice = state.voice(p.speaker)?;
    Ok(Json(state.is_initialized(&voice)))
}

#[derive(Deserialize)]
struct TextParams {
    text: String,
    speaker: i64,
    #[serde(default, deserialize_with = "flag")]
    is_kana: Option<bool>,
}

/// The text within the server's length limit (422 naming `text` beyond it).
fn check_text(state: &AppState, text: &str) -> Result<(), ApiError> {
    let n = text.chars().count();
    let max = state.config().max_text_chars;
    if n > max {
        return Err(ApiError::validation(
            loc(&["query", "text"]),
            format!("text is {n} characters long; this server takes at most {max} per request"),
            "value_error",
        ));
    }
    Ok(())
}

/// Text → accent phrases with lengths and pitches (what `/audio_query` wraps).
fn text_phrases(
    engine: &Engine,
    text: &str,
    voice: &VoiceId,
) -> Result<Vec<AccentPhrase>, ApiError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let phrases = match engine.frontend().analyze(text) {
        Ok(p) => p,
        Err(FrontendError::NothingToSay | FrontendError::EmptyText) => return Ok(Vec::new()),
        Err(e) => return Err(ApiError::engine(e.into())),
    };
    if phrases.iter().all(|p| p.moras.is_empty()) {
        return Ok(Vec::new());
    }
    engine
        .predict(phrases, voice, AccentMode::Imposed)
        .map_err(ApiError::engine)
}

async fn audio_query(
    State(state): State<Arc<AppState>>,
    VQuery(p): VQuery<TextParams>,
) -> Result<Json<AudioQuery>, ApiError> {
    let voice = state.voice(p.speaker)?;
    check_text(&state, &p.text)?;
    let v = voice.clone();
    let priority = Priority::of_length(p.text.chars().count());
    let query = state
        .run(priority, move |engine, _| {
            // VOICEVOX answers text with nothing to say with an empty query, not an error.
            let phrases = text_phrases(engine, &p.text, &v)?;
            let mut q = AudioQuery::new(phrases);
            q.kana = Some(to_kana(&q.accent_phrases));
            Ok(q)
        })
        .await?;
    state.mark_initialized(&voice);
    Ok(Json(query))
}

async fn accent_phrases(
    State(state): State<Arc<AppState>>,
    VQuery(p): VQuery<TextParams>,
) -> Result<Json<Vec<AccentPhrase>>, ApiError> {
    let voice = state.voice(p.speaker)?;
    check_text(&state, &p.text)?;
    let kana = if p.is_kana == Some(true) {
        // Bad notation is answered before queueing for the model.
        Some(parse_kana(&p.text).map_err(|e| ApiError::kana(&p.text, &e))?)
    } else {
        None
    };
    let v = voice.clone();
    let priority = Priority::of_length(p.text.chars().count());
    let phrases = state
        .run(priority, move |engine, _| match kana {
            Some(phrases) => engine
                .predict(phrases, &v, AccentMode::Imposed)
                .map_err(ApiError::engine),
            None => text_phrases(engine, &p.text, &v),
        })
        .await?;
    state.mark_initialized(&voice);
    Ok(Json(phrases))
}

#[derive(Deserialize)]
struct SpeakerOnly {
    speaker: i64,
}

/// Which of the predicted values `/mora_*` write back.
#[derive(Clone, Copy)]
enum Update {
    Both,
    Length,
    Pitch,
}

/// Validates phrases as the query check does; the error names the path in the body list.
fn check_phrases(phrases: &[AccentPhrase]) -> Result<(), ApiError> {
    let strip = |f: String| {
        f.strip_prefix("accent_phrases")
            .map(str::to_owned)
            .unwrap_or(f)
    };
    match AudioQuery::new(phrases.to_vec()).check() {
        Ok(_) => Ok(()),
        Err(QueryError::OutOfRange {
            field,
            value,
            lo,
            hi,
        }) => Err(ApiError::query(&QueryError::OutOfRange {
            field: strip(field),
            value,
            lo,
            hi,
        })),
        Err(QueryError::Invalid { field, reason }) => Err(ApiError::query(&QueryError::Invalid {
            field: strip(field),
            reason,
        })),
        Err(e) => Err(ApiError::query(&e)),
    }
}

async fn mora_update(
    state: Arc<AppState>,
    speaker: i64,
    phrases: Vec<AccentPhrase>,
    what: Update,
) -> Result<Json<Vec<AccentPhrase>>, ApiError> {
    let voice = state.voice(speaker)?;
    if phrases.is_empty() {
        return Ok(Json(phrases));
    }
    check_phrases(&phrases)?;
    let v = voice.clone();
    let out = state
        .run(Priority::Interactive, move |engine, _| {
            let predicted = engine
                .predict(phrases.clone(), &v, AccentMode::Imposed)
                .map_err(ApiError::engine)?;
            let mut out = phrases;
            for (o, p) in out.iter_mut().zip(predicted) {
                let pause = p.pause_mora;
                for (om, pm) in o.moras.iter_mut().zip(p.moras) {
                    if matches!(what, Update::Both | Update::Length) {
                        om.consonant_length = pm.consonant_length;
                        om.vowel_length = pm.vowel_length;
                    }
                    if matches!(what, Update::Both | Update::Pitch) {
                        om.pitch = pm.pitch;
                    }
                }
                if let (Some(op), Some(pp)) = (o.pause_mora.as_mut(), pause) {
                    if matches!(what, Update::Both | Update::Length) {
                        op.vowel_length = pp.vowel_length;
                    }
                }
            }
            Ok(out)
        })
        .await?;
    state.mark_initialized(&voice);
    Ok(Json(out))
}

async fn mora_data(
    State(state): State<Arc<AppState>>,
    VQuery(p): VQuery<SpeakerOnly>,
    VJson(phrases): VJson<Vec<AccentPhrase>>,
) -> Result<Json<Vec<AccentPhrase>>, ApiError> {
    mora_update(state, p.speaker, phrases, Update::Both).await
}

async fn mora_length(
    State(state): State<Arc<AppState>>,
    VQuery(p): VQuery<SpeakerOnly>,
    VJson(phrases): VJson<Vec<AccentPhrase>>,
) -> Result<Json<Vec<AccentPhrase>>, ApiError> {
    mora_update(state, p.speaker, phrases, Update::Length).await
}

async fn mora_pitch(
    State(state): State<Arc<AppState>>,
    VQuery(p): VQuery<SpeakerOnly>,
    VJson(phrases): VJson<Vec<AccentPhrase>>,
) -> Result<Json<Vec<AccentPhrase>>, ApiError> {
    mora_update(state, p.speaker, phrases, Update::Pitch).await
}

/// A query from the body: parsed with field paths (syntax errors apart, as FastAPI does),
/// then checked by the engine's [`AudioQuery::check`].
fn checked_query(bytes: &[u8]) -> Result<CheckedQuery, ApiError> {
    let q: AudioQuery = parse_json(bytes)?;
    q.check().map_err(|e| ApiError::query(&e))
}

pub fn wav_response(bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "audio/wav")], bytes).into_response()
}

fn render(
    engine: &Engine,
    token: &CancelToken,
    query: &CheckedQuery,
    voice: &VoiceId,
) -> Result<Vec<u8>, ApiError> {
    token.check()?;
    let opts = SynthesisOptions::default();
    let s = engine
        .render(Input::Query(query), voice, &opts, token)
        .map_err(ApiError::engine)?;
    audio::wav_bytes(&s.audio)
}

#[derive(Deserialize)]
struct SynthesisParams {
    speaker: i64,
    /// Accepted for compatibility; yomiage's question rise is already in the query's pitches
    /// (the accent contour raises the last mora of an interrogative phrase).
    #[serde(default, deserialize_with = "flag")]
    #[allow(dead_code)]
    enable_interrogative_upspeak: Option<bool>,
}

async fn synthesis(
    State(state): State<Arc<AppState>>,
    VQuery(p): VQuery<SynthesisParams>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, ApiError> {
    let voice = state.voice(p.speaker)?;
    let query = checked_query(&body)?;
    let v = voice.clone();
    let priority = Priority::of_queries([query.get()]);
    let wav = state
        .run(priority, move |engine, turn| {
            render(engine, &turn.token, &query, &v)
        })
        .await?;
    state.mark_initialized(&voice);
    Ok(wav_response(wav))
}

async fn multi_synthesis(
    State(state): State<Arc<AppState>>,
    VQuery(p): VQuery<SpeakerOnly>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, ApiError> {
    let voice = state.voice(p.speaker)?;
    let queries: Vec<AudioQuery> = parse_json(&body)?;
    if queries.is_empty() {
        return Err(ApiError::validation(
            loc(&["body"]),
            "the list of queries is empty",
            "value_error",
        ));
    }
    let rate = queries[0].output_sampling_rate;
    let mut checked = Vec::with_capacity(queries.len());
    for (i, q) in queries.into_iter().enumerate() {
        if q.output_sampling_rate != rate {
            return Err(ApiError::unprocessable(format!(
                "query {i} has outputSamplingRate {}, the first has {rate}: all queries must \
                 share one sampling rate",
                q.output_sampling_rate
            )));
        }
        let c = q.check().map_err(|e| ApiError::query(&e).at_index(i))?;
        checked.push(c);
    }
    let v = voice.clone();
    let priority = Priority::of_queries(checked.iter().map(CheckedQuery::get));
    let zip = state
        .run(priority, move |engine, turn| {
            let mut wavs = Vec::with_capacity(checked.len());
            for q in &checked {
                turn.make_way();
                wavs.push(render(engine, &turn.token, q, &v)?);
            }
            audio::zip_wavs(&wavs)
        })
        .await?;
    state.mark_initialized(&voice);
    Ok(([(header::CONTENT_TYPE, "application/zip")], zip).into_response())
}

#[derive(Deserialize)]
struct KanaParams {
    text: String,
}

async fn validate_kana(VQuery(p): VQuery<KanaParams>) -> Result<Json<bool>, ApiError> {
    parse_kana(&p.text).map_err(|e| ApiError::kana(&p.text, &e))?;
    Ok(Json(true))
}

/// No presets are stored; the editor asks for them at start-up.
async fn presets() -> Json<[(); 0]> {
    Json([])
}

/// The CPU always works; CUDA is reported when this engine's models run on it (`serve
/// --device cuda|auto`).
async fn supported_devices(State(state): State<Arc<AppState>>) -> Json<Value> {
    let cuda = state.engine().device() == yomiage_engine::onnx::Device::Cuda;
    Json(json!({ "cpu": true, "cuda": cuda, "dml": false }))
}

async fn engine_manifest(State(state): State<Arc<AppState>>) -> Json<Value> {
    let m = state.manifest();
    let licence = |name: &str, version: Option<&str>, licence: &str| json!({ "name": name, "version": version, "license": licence, "text": licence });
    Json(json!({
        "manifest_version": "0.13.1",
        "name": "yomiage",
        "brand_name": "yomiage",
        "uuid": "0f8e6c1a-3b2d-4c5e-9f70-8a1b2c3d4e5f",
        "url": "",
        "icon": BLANK_PNG,
        "default_sampling_rate": yomiage_vocoder::SAMPLE_RATE,
        "frame_rate": yomiage_vocoder::SAMPLE_RATE as f64
            / yomiage_vocoder::SAMPLES_PER_FRAME as f64,
        "terms_of_service": "yomiage is Apache-2.0. Voices: see /speaker_info.",
        "update_infos": [{ "version": VERSION, "descriptions": ["yomiage"], "contributors": [] }],
        "dependency_licenses": [
            licence(&m.voice.name, None, &m.voice.licence),
            licence("NAIST-jdic", Some(&m.dictionary.version), &m.dictionary.licence),
            licence("ONNX Runtime", Some(&m.onnxruntime.version), &m.onnxruntime.licence),
        ],
        "supported_vvlib_manifest_version": null,
        "supported_features": {
            "adjust_mora_pitch": true,
            "adjust_phoneme_length": true,
            "adjust_speed_scale": true,
            "adjust_pitch_scale": true,
            "adjust_intonation_scale": true,
            "adjust_volume_scale": true,
            "adjust_pause_length": true,
            "interrogative_upspeak": false,
            "synthesis_morphing": false,
            "sing": false,
            "manage_library": false,
            "return_resource_url": false,
            "apply_katakana_english": false,
        },
    }))
}
