//! Error responses. VOICEVOX's shapes (FastAPI's): `{"detail": …}` where detail is a list of
//! `{loc, msg, type}` for validation errors, a string for the engine's own errors, or the
//! kana parser's object. The OpenAI routes wrap the same errors as `{"error": {…}}`.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use yomiage_engine::{EngineError, QueryError};
use yomiage_frontend::{FrontendError, KanaError};

/// An error answered to the client; never a crash.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    /// VOICEVOX's `detail` value.
    detail: Value,
    /// One line for people (and for the OpenAI shape).
    message: String,
    /// The offending parameter, when known (OpenAI's `param`).
    param: Option<String>,
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError {
            status,
            detail: Value::String(message.clone()),
            message,
            param: None,
            retry_after: None,
        }
    }

    /// Any status with a plain message (e.g. a refused WebSocket upgrade).
    pub fn with_status(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError::new(status, message)
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// 422 with FastAPI's validation list: `loc` is e.g. `["query", "speaker"]` or
    /// `["body", "accent_phrases", 0, "moras"]`.
    pub fn validation(loc: Vec<Value>, msg: impl Into<String>, kind: &str) -> Self {
        let msg = msg.into();
        let field = field_name(loc.get(1..).unwrap_or_default());
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: json!([{ "loc": loc, "msg": msg, "type": kind }]),
            message: if field.is_empty() || msg.starts_with(&field) {
                msg
            } else {
                format!("{field}: {msg}")
            },
            param: (!field.is_empty()).then_some(field),
            retry_after: None,
        }
    }

    /// 422 with a string detail (VOICEVOX's HTTPException(422)).
    pub fn unprocessable(msg: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, msg)
    }

    pub fn bad_request(msg: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, msg)
    }

    pub fn not_found(msg: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, msg)
    }

    pub fn method_not_allowed() -> Self {
        ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
    }

    pub fn payload_too_large(limit: usize) -> Self {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than the server's limit of {limit} bytes"),
        )
    }

    /// The body did not arrive in time (a client trickling it); it is left unread.
    pub fn body_timeout(limit: Duration) -> Self {
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request body did not arrive within the server's limit of {} s",
                limit.as_secs_f64()
            ),
        )
    }

    pub fn busy(max_queue: usize) -> Self {
        let mut e = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the server is busy: all synthesis slots are in use and {max_queue} requests \
                 are already waiting; retry later"
            ),
        );
        e.retry_after = Some(1);
        e
    }

    pub fn timeout(limit: Duration) -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the request took longer than the server's limit of {} s and was cancelled",
                limit.as_secs_f64()
            ),
        )
    }

    /// The client is gone; nobody reads this, it only ends the work.
    pub fn cancelled() -> Self {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the request was cancelled")
    }

    pub fn internal(msg: impl Into<String>) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, msg)
    }

    /// VOICEVOX's ParseKanaBadRequest (400): `{text, error_name, error_args}`.
    pub fn kana(text: &str, err: &KanaError) -> Self {
        let name = match err {
            KanaError::AccentAtStart { .. } => "ACCENT_TOP",
            KanaError::AccentTwice { .. } => "ACCENT_TWICE",
            KanaError::AccentMissing { .. } => "ACCENT_NOTFOUND",
            KanaError::EmptyPhrase { .. } => "EMPTY_PHRASE",
            KanaError::MisplacedQuestion { .. } => "INTERROGATION_MARK_NOT_AT_END",
            KanaError::UnknownMora { .. } => "UNKNOWN_TEXT",
        };
        let message = err.to_string();
        ApiError {
            status: StatusCode::BAD_REQUEST,
            detail: json!({
                "text": message,
                "error_name": name,
                "error_args": {
                    "text": text,
                    "position": (err.pos() + 1).to_string(),
                    "phrase": (err.phrase() + 1).to_string(),
                },
            }),
            message,
            param: Some("text".into()),
            retry_after: None,
        }
    }

    /// A query that failed [`yomiage_engine::AudioQuery::check`] or JSON parsing: 422 with
    /// the field path the check names.
    pub fn query(err: &QueryError) -> Self {
        let field = match err {
            QueryError::OutOfRange { field, .. }
            | QueryError::Invalid { field, .. }
            | QueryError::Json { field, .. } => field.clone(),
            QueryError::NoMoras => "accent_phrases".into(),
            QueryError::TooLong { .. } => String::new(),
        };
        let mut loc = vec![Value::from("body")];
        loc.extend(parse_field_path(&field));
        match err {
            QueryError::Json { reason, .. } => {
                ApiError::validation(loc, reason.clone(), "type_error")
            }
            _ => ApiError::validation(loc, err.to_string(), "value_error"),
        }
    }

    /// Engine errors: the caller's fault (422) or ours (500).
    pub fn engine(err: EngineError) -> Self {
        match err {
            EngineError::EmptyText
            | EngineError::NothingToSay
            | EngineError::Frontend(FrontendError::EmptyText)
            | EngineError::Frontend(FrontendError::NothingToSay)
            | EngineError::Frontend(FrontendError::Analysis(_))
            | EngineError::Frontend(FrontendError::Internal { .. }) => {
                ApiError::validation(loc(&["query", "text"]), err.to_string(), "value_error")
            }
            EngineError::Query(q) => ApiError::query(&q),
            EngineError::Cancelled => ApiError::cancelled(),
            other => {
                tracing::error!(error = %other, "engine error");
                ApiError::internal(format!("synthesis failed: {other}"))
            }
        }
    }

    /// Names the parameter at fault (OpenAI's `param`).
    pub fn with_param(mut self, param: &str) -> Self {
        self.param = Some(param.to_owned());
        self
    }

    /// The same validation error for item `i` of a body list: `loc` gets the index after
    /// `body`, and the message names it.
    pub fn at_index(mut self, i: usize) -> Self {
        if let Some(Value::Array(l)) = self.detail.get_mut(0).and_then(|d| d.get_mut("loc")) {
            let at = usize::from(!l.is_empty());
            l.insert(at, Value::from(i as u64));
        }
        self.message = format!("[{i}].{}", self.message);
        self.param = Some(match self.param {
            Some(p) => format!("[{i}].{p}"),
            None => format!("[{i}]"),
        });
        self
    }

    /// The OpenAI error shape: `{"error": {message, type, param, code}}`.
    pub fn into_openai(self) -> Response {
        let kind = if self.status.is_server_error() {
            "server_error"
        } else {
            "invalid_request_error"
        };
        // OpenAI reports validation problems as 400.
        let status = if self.status == StatusCode::UNPROCESSABLE_ENTITY {
            StatusCode::BAD_REQUEST
        } else {
            self.status
        };
        let body = json!({
            "error": {
                "message": self.message,
                "type": kind,
                "param": self.param,
                "code": Value::Null,
            }
        });
        with_retry(status, Json(body), self.retry_after)
    }
}

/// A location of string parts.
pub fn loc(parts: &[&str]) -> Vec<Value> {
    parts.iter().map(|&p| Value::from(p)).collect()
}

/// `accent_phrases[0].moras[2].pitch` → `["accent_phrases", 0, "moras", 2, "pitch"]`.
fn parse_field_path(path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|s| !s.is_empty() && *s != "?") {
        let mut pieces = part.split('[');
        if let Some(name) = pieces.next().filter(|n| !n.is_empty()) {
            out.push(Value::from(name));
        }
        for idx in pieces {
            let idx = idx.trim_end_matches(']');
            out.push(match idx.parse::<u64>() {
                Ok(i) => Value::from(i),
                Err(_) => Value::from(idx),
            });
        }
    }
    out
}

/// The inverse of [`parse_field_path`], for messages.
fn field_name(loc: &[Value]) -> String {
    let mut out = String::new();
    for part in loc {
        match part {
            Value::Number(n) => out.push_str(&format!("[{n}]")),
            Value::String(s) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(s);
            }
            other => out.push_str(&other.to_string()),
        }
    }
    out
}

fn with_retry(status: StatusCode, body: impl IntoResponse, retry_after: Option<u64>) -> Response {
    let mut r = (status, body).into_response();
    if let Some(s) = retry_after {
        if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    // The oversized (or late) body is left unread and the connection dropped: say so, or a keep-alive
    // client sends its next request on the dead connection (found by the soak: that request
    // failed unanswered).
    if status == StatusCode::PAYLOAD_TOO_LARGE || status == StatusCode::REQUEST_TIMEOUT {
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    r
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::warn!(status = %self.status, message = %self.message, "request failed");
        } else {
            tracing::debug!(status = %self.status, message = %self.message, "request refused");
        }
        with_retry(
            self.status,
            Json(json!({ "detail": self.detail })),
            self.retry_after,
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_errors_name_the_field_as_a_location() {
        let err = QueryError::OutOfRange {
            field: "accent_phrases[0].moras[1].pitch".into(),
            value: -1.0,
            lo: 0.0,
            hi: 10.0,
        };
        let e = ApiError::query(&err);
        assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            e.detail[0]["loc"],
            json!(["body", "accent_phrases", 0, "moras", 1, "pitch"])
        );
        assert!(e.message().contains("must be between"), "{}", e.message());
        assert_eq!(e.param.as_deref(), Some("accent_phrases[0].moras[1].pitch"));
    }

    #[test]
    fn kana_errors_use_voicevox_names() {
        let err = yomiage_frontend::parse_kana("'ア").unwrap_err();
        let e = ApiError::kana("'ア", &err);
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
        assert_eq!(e.detail["error_name"], "ACCENT_TOP");
        assert_eq!(e.detail["error_args"]["position"], "1");
    }
}
