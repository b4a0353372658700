//! Ready means ready: `GET /health` answers 503 while the voices are warming (sessions
//! created, streaming calibrated, a first sentence rendered whole and streamed, so the first
//! real request pays none of it) and 200 once they all are.

use std::ops::ControlFlow;
use std::sync::{Arc, MutexGuard, PoisonError};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use yomiage_engine::{
    CancelToken, Engine, EngineError, Input, Rendering, StreamEvent, SynthesisOptions,
};
use yomiage_voices::VoiceId;

use crate::state::{AppState, Readiness};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/health", get(health))
}

/// What a warm-up says to the first sentence.
const WARM_TEXT: &str = "こんにちは。";

impl AppState {
    /// Warms `voices` on the blocking pool; `/health` reports 503 until all are done. Needs a
    /// tokio runtime.
    pub fn warm_up_in_background(self: &Arc<Self>, voices: Vec<VoiceId>) {
        {
            let mut r = self.readiness();
            r.pending.extend(voices.iter().map(|v| v.name().to_owned()));
        }
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            for voice in voices {
                let t = std::time::Instant::now();
                let result = warm(state.engine(), &voice);
                let mut r = state.readiness();
                r.pending.retain(|n| n != voice.name());
                match result {
                    Ok(()) => {
                        tracing::info!(voice = %voice, seconds = t.elapsed().as_secs_f32(), "voice warm");
                        state.mark_initialized(&voice);
                        r.ready.push(voice.name().to_owned());
                    }
                    Err(e) => {
                        tracing::warn!(voice = %voice, error = %e, "warming failed");
                        r.failed.push((voice.name().to_owned(), e.to_string()));
                    }
                }
            }
            tracing::info!("ready");
        });
    }

    fn readiness(&self) -> MutexGuard<'_, Readiness> {
        self.readiness
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// True once every voice asked to warm is warm (or failed to).
    pub fn is_ready(&self) -> bool {
        self.readiness().is_ready()
    }
}

/// One voice: streaming calibration (computed once, then read from disk), then a sentence
/// rendered whole and streamed, which creates and warms the sessions both paths use.
fn warm(engine: &Engine, voice: &VoiceId) -> Result<(), EngineError> {
    if !engine.streaming_ready(voice) {
        engine.prepare_streaming(voice)?;
    }
    let opts = SynthesisOptions::default();
    let cancel = CancelToken::new();
    engine.render(Input::Text(WARM_TEXT), voice, &opts, &cancel)?;
    let mut discard = |_: StreamEvent| ControlFlow::Continue(());
    engine.speak(
        Input::Text(WARM_TEXT),
        voice,
        &opts,
        Rendering::Streamed,
        &cancel,
        &mut discard,
    )?;
    Ok(())
}

/// `GET /health`: 200 `{"status": "ok", …}` when ready, 503 `{"status": "warming", …}` before.
async fn health(State(state): State<Arc<AppState>>) -> Response {
    let r = state.readiness();
    let failed: Vec<_> = r
        .failed
        .iter()
        .map(|(v, e)| json!({"voice": v, "error": e}))
        .collect();
    let (status, word) = if r.is_ready() {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "warming")
    };
    let body = json!({
        "status": word,
        "ready": r.ready,
        "warming": r.pending,
        "failed": failed,
    });
    (status, Json(body)).into_response()
}
