//! The browser pages: the accent editor (`/editor`) and the talk view (`/talk`).
//!
//! Plain HTML, CSS and JavaScript modules from `server/web/`, embedded in the binary with
//! `include_str!`: no build step, no CDN, so the pages work offline and on a loopback-only
//! host, and `cargo build` is all it takes. They speak the public API (VOICEVOX routes, the
//! user dictionary, the WebSocket); the one route added for them, `POST /accent_notation`,
//! answers an edited phrase list's kana notation and H/L tones with the frontend's own
//! functions, so the page keeps no second copy of the tone rule or the notation.

use std::sync::Arc;

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use yomiage_frontend::{to_kana, AccentPhrase};

use crate::error::ApiError;
use crate::extract::VJson;
use crate::state::AppState;

/// Every embedded file: name under `/web/`, contents, content type.
const ASSETS: &[(&str, &str, &str)] = &[
    ("editor.html", include_str!("../web/editor.html"), HTML),
    ("talk.html", include_str!("../web/talk.html"), HTML),
    ("style.css", include_str!("../web/style.css"), CSS),
    ("api.js", include_str!("../web/api.js"), JS),
    ("player.js", include_str!("../web/player.js"), JS),
    ("editor.js", include_str!("../web/editor.js"), JS),
    ("phrases.js", include_str!("../web/phrases.js"), JS),
    ("view.js", include_str!("../web/view.js"), JS),
    ("talk.js", include_str!("../web/talk.js"), JS),
];

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/editor", get(|| async { page("editor.html") }))
        .route("/talk", get(|| async { page("talk.html") }))
        .route("/web/{file}", get(asset))
        .route("/accent_notation", post(accent_notation))
}

fn page(name: &str) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, body, mime)) => (
            [
                (header::CONTENT_TYPE, *mime),
                // The files change with the binary; a stale cached copy would mix versions.
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *body,
        )
            .into_response(),
        None => ApiError::not_found(format!("no such file: /web/{name}")).into_response(),
    }
}

async fn asset(Path(file): Path<String>) -> Response {
    page(&file)
}

/// `POST /accent_notation` with accent phrases: their kana notation (what `/accent_phrases`
/// with `is_kana` reads back) and each phrase's tones as `"H"`/`"L"` letters.
async fn accent_notation(
    VJson(phrases): VJson<Vec<AccentPhrase>>,
) -> Result<Json<Value>, ApiError> {
    if let Some(i) = phrases.iter().position(|p| p.accent > p.moras.len()) {
        return Err(ApiError::validation(
            vec![json!("body"), json!(i), json!("accent")],
            format!(
                "accent {} is beyond the phrase's {} moras",
                phrases[i].accent,
                phrases[i].moras.len()
            ),
            "value_error",
        ));
    }
    let tones: Vec<String> = phrases
        .iter()
        .map(|p| p.tones().iter().map(|t| t.letter()).collect())
        .collect();
    Ok(Json(json!({ "kana": to_kana(&phrases), "tones": tones })))
}
