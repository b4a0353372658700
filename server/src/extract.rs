//! Query-string and JSON-body extractors whose rejections are VOICEVOX's (FastAPI's) 422
//! validation errors, naming the parameter or the JSON path at fault.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::error::{loc, ApiError};
use crate::state::AppState;

/// Query parameters; a missing or mistyped one is a 422 naming it.
pub struct VQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<Arc<AppState>> for VQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or("")).map(VQuery)
    }
}

pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if let Some(name) = missing_field(&inner) {
            return ApiError::validation(loc(&["query", name]), "Field required", "missing");
        }
        let mut l = vec![Value::from("query")];
        if path != "." {
            l.push(Value::from(path));
        }
        ApiError::validation(l, inner, "value_error")
    })
}

/// serde's "missing field `x`" → `x`.
fn missing_field(msg: &str) -> Option<&str> {
    msg.strip_prefix("missing field `")?.split('`').next()
}

/// The raw body within the server's size limit (413 beyond it), read whole within the body
/// timeout (408 after it: a client trickling its body gets no further, and since handlers
/// take the body before asking for a synthesis slot, it never holds one).
pub struct LimitedBody(pub Bytes);

impl FromRequest<Arc<AppState>> for LimitedBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let limit = state.config().body_timeout;
        let read = tokio::time::timeout(limit, Bytes::from_request(req, state)).await;
        let Ok(read) = read else {
            tracing::debug!("request body too slow: 408");
            return Err(ApiError::body_timeout(limit));
        };
        match read {
            Ok(b) => Ok(LimitedBody(b)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::payload_too_large(state.config().max_body_bytes))
            }
            Err(e) => Err(ApiError::bad_request(format!(
                "cannot read the request body: {}",
                e.body_text()
            ))),
        }
    }
}

/// A JSON body; malformed JSON or a wrong type is a 422 with the path of the value at fault.
pub struct VJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<Arc<AppState>> for VJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let LimitedBody(bytes) = LimitedBody::from_request(req, state).await?;
        parse_json(&bytes).map(VJson)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let mut l = vec![Value::from("body")];
        for seg in e.path().iter() {
            use serde_path_to_error::Segment;
            match seg {
                Segment::Seq { index } => l.push(Value::from(*index as u64)),
                Segment::Map { key } => l.push(Value::from(key.as_str())),
                Segment::Enum { variant } => l.push(Value::from(variant.as_str())),
                Segment::Unknown => {}
            }
        }
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            l.push(Value::from(inner.column() as u64));
            return ApiError::validation(l, format!("JSON decode error: {inner}"), "json_invalid");
        }
        let msg = inner.to_string();
        if let Some(name) = missing_field(&msg) {
            l.push(Value::from(name));
            return ApiError::validation(l, "Field required", "missing");
        }
        ApiError::validation(l, msg, "type_error")
    })?;
    // Trailing garbage after the value is also malformed.
    de.end().map_err(|e| {
        ApiError::validation(
            loc(&["body"]),
            format!("JSON decode error: {e}"),
            "json_invalid",
        )
    })?;
    Ok(value)
}

/// A query-string boolean as FastAPI reads it: true/false, 1/0, yes/no, on/off.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let s = Option::<String>::deserialize(d)?;
    let Some(s) = s else { return Ok(None) };
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" | "t" | "y" => Ok(Some(true)),
        "false" | "0" | "no" | "off" | "f" | "n" => Ok(Some(false)),
        _ => Err(serde::de::Error::custom(format!(
            "{s:?} is not a valid boolean (use true or false)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Q {
        text: String,
        speaker: i64,
        #[serde(default, deserialize_with = "flag")]
        is_kana: Option<bool>,
    }

    #[test]
    fn query_errors_name_the_parameter() {
        let q: Q = parse_query("text=%E3%81%82&speaker=1&is_kana=1").unwrap();
        assert_eq!(q.is_kana, Some(true));
        let e = parse_query::<Q>("text=a").unwrap_err();
        assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e.message().contains("speaker"), "{}", e.message());
        let e = parse_query::<Q>("text=a&speaker=abc").unwrap_err();
        assert!(e.message().starts_with("speaker:"), "{}", e.message());
        let e = parse_query::<Q>("text=a&speaker=1&is_kana=maybe").unwrap_err();
        assert!(e.message().contains("is_kana"), "{}", e.message());
    }

    #[test]
    fn json_errors_name_the_path() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct B {
            items: Vec<i32>,
        }
        let e = parse_json::<B>(br#"{"items": [1, "x"]}"#).unwrap_err();
        assert!(e.message().starts_with("items[1]"), "{}", e.message());
        let e = parse_json::<B>(br#"{"items": [1"#).unwrap_err();
        assert!(e.message().contains("JSON decode error"), "{}", e.message());
        let e = parse_json::<B>(br#"{}"#).unwrap_err();
        assert!(e.message().contains("items"), "{}", e.message());
        assert!(parse_json::<B>(br#"{"items": []} x"#).is_err());
    }
}
