//! VOICEVOX's user-dictionary API over the same file `yomiage dict` edits.
//!
//! Every edit runs as one task that cannot be interrupted by the client leaving: under the
//! dictionary lock it changes a copy, applies it to the engine, saves the file atomically and
//! only then makes the copy current, so concurrent edits serialize and a failed save leaves
//! the engine, the file and the served dictionary as they were.
//!
//! Limits: an import is one body (the server's body limit), and the dictionary holds at most
//! `max_dict_words` words (each rebuild of the analysis grows with it). Word ids are parsed
//! as UUIDs; nothing from a request names a file (the dictionary's path is the server's).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use serde::Deserialize;
use yomiage_frontend::{
    parse_word_id, UserDictError, UserDictionary, UserWord, WordType, DEFAULT_PRIORITY,
};

use crate::error::ApiError;
use crate::extract::{flag, LimitedBody, VQuery};
use crate::state::AppState;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/user_dict", get(list))
        .route("/user_dict_word", post(add))
        .route("/user_dict_word/{word_uuid}", put(rewrite).delete(delete))
        .route("/import_user_dict", post(import))
}

async fn list(State(state): State<Arc<AppState>>) -> Response {
    let json = state.user_dict.lock().await.to_voicevox_json();
    ([(header::CONTENT_TYPE, "application/json")], json).into_response()
}

#[derive(Deserialize)]
struct WordParams {
    surface: String,
    pronunciation: String,
    accent_type: i64,
    #[serde(default)]
    word_type: Option<String>,
    #[serde(default)]
    priority: Option<i64>,
}

impl WordParams {
    fn word(&self) -> Result<UserWord, ApiError> {
        let word_type = match &self.word_type {
            Some(t) => t
                .parse::<WordType>()
                .map_err(|e| ApiError::unprocessable(e.to_string()))?,
            None => WordType::default(),
        };
        UserWord::new(
            &self.surface,
            &self.pronunciation,
            self.accent_type,
            word_type,
            self.priority.unwrap_or(i64::from(DEFAULT_PRIORITY)),
        )
        .map_err(|e| ApiError::unprocessable(e.to_string()))
    }
}

/// Client faults (bad id, unknown word, bad import) are 422 as in VOICEVOX; file trouble is
/// ours (500).
fn dict_error(e: UserDictError) -> ApiError {
    match e {
        UserDictError::Io { .. }
        | UserDictError::Corrupt { .. }
        | UserDictError::UnsupportedVersion { .. } => {
            tracing::error!(error = %e, "user dictionary");
            ApiError::internal(format!("the user dictionary could not be updated: {e}"))
        }
        other => ApiError::unprocessable(other.to_string()),
    }
}

/// Runs one edit to completion (see the module docs) and returns what `change` returned.
async fn edit<T, F>(state: &Arc<AppState>, change: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut UserDictionary) -> Result<T, ApiError> + Send + 'static,
{
    let state = state.clone();
    // A spawned task runs on even if the request's future is dropped.
    tokio::spawn(async move {
        let mut current = state.user_dict.lock().await;
        let mut next = current.clone();
        let out = change(&mut next)?;
        if next == *current {
            return Ok(out);
        }
        // A dictionary already over the limit (edited by hand) may still shrink or change.
        let max = state.config().max_dict_words;
        if next.len() > max && next.len() > current.len() {
            return Err(ApiError::unprocessable(format!(
                "the user dictionary would hold {} words; this server keeps at most {max} \
                 (yomiage serve --max-dict-words)",
                next.len()
            )));
        }
        state.apply_user_dictionary(next.clone()).await?;
        let path = state.user_dict_path.clone();
        let to_save = next.clone();
        let saved = tokio::task::spawn_blocking(move || to_save.save(&path))
            .await
            .map_err(|_| ApiError::internal("saving the user dictionary failed"))?;
        if let Err(e) = saved {
            // Put the engine back to the words still on disk and served.
            let _ = state.apply_user_dictionary(current.clone()).await;
            return Err(dict_error(e));
        }
        *current = next;
        Ok(out)
    })
    .await
    .map_err(|_| ApiError::internal("the user dictionary edit failed"))?
}

async fn add(
    State(state): State<Arc<AppState>>,
    VQuery(p): VQuery<WordParams>,
) -> Result<Response, ApiError> {
    let word = p.word()?;
    let id = edit(&state, move |d| Ok(d.add(word))).await?;
    // VOICEVOX answers the bare UUID, not a JSON string.
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], id).into_response())
}

fn word_id(raw: &str) -> Result<String, ApiError> {
    parse_word_id(raw).map_err(dict_error)
}

async fn rewrite(
    State(state): State<Arc<AppState>>,
    Path(word_uuid): Path<String>,
    VQuery(p): VQuery<WordParams>,
) -> Result<StatusCode, ApiError> {
    let id = word_id(&word_uuid)?;
    let word = p.word()?;
    edit(&state, move |d| {
        if d.get(&id).is_none() {
            return Err(dict_error(UserDictError::NotFound(id)));
        }
        d.insert(&id, word).map_err(dict_error)?;
        Ok(())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete(
    State(state): State<Arc<AppState>>,
    Path(word_uuid): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = word_id(&word_uuid)?;
    edit(&state, move |d| {
        d.remove(&id).map(|_| ()).map_err(dict_error)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct ImportParams {
    #[serde(rename = "override", deserialize_with = "flag")]
    override_existing: Option<bool>,
}

async fn import(
    State(state): State<Arc<AppState>>,
    VQuery(p): VQuery<ImportParams>,
    LimitedBody(body): LimitedBody,
) -> Result<StatusCode, ApiError> {
    let text = std::str::from_utf8(&body)
        .map_err(|e| ApiError::unprocessable(format!("the body is not UTF-8: {e}")))?;
    let imported = UserDictionary::from_voicevox_json(text).map_err(dict_error)?;
    let max = state.config().max_dict_words;
    if imported.len() > max {
        return Err(ApiError::unprocessable(format!(
            "the import holds {} words; this server keeps at most {max} in the user dictionary \
             (yomiage serve --max-dict-words)",
            imported.len()
        )));
    }
    let override_existing = p.override_existing.unwrap_or(false);
    edit(&state, move |d| {
        let summary = d.merge(imported, override_existing);
        tracing::info!(?summary, "user dictionary import");
        Ok(())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
