//! The HTTP service: a VOICEVOX-compatible engine API (so existing apps work unchanged), an
//! OpenAI-compatible `POST /v1/audio/speech`, and the OpenAPI document with a docs page.
//!
//! Synthesis is blocking CPU work: it runs on tokio's blocking pool behind a concurrency
//! limit with a bounded queue ([`limit::Limiter`]). A request whose client goes away (or that
//! runs past the per-request timeout) is cancelled: it leaves the queue at once, and a running
//! synthesis stops at its next checkpoint (between sentences or queries).
//!
//! Streaming ([`stream`], [`ws`]) sends audio as the engine produces it: chunked HTTP
//! (`/stream_synthesis`, `/v1/audio/speech` with `"stream": true`) and a WebSocket (`/ws`) for
//! character chat, under the same limits; a stream whose client goes away stops within one
//! chunk.
//!
//! Routes are grouped by API ([`voicevox`], [`user_dict`], [`openai`], [`stream`], [`ws`],
//! [`docs`], the browser pages in [`web`]) and merged in [`router`].

mod audio;
mod cancel;
mod conn;
mod docs;
mod error;
mod extract;
mod health;
pub mod limit;
mod openai;
mod openapi;
mod state;
mod stream;
mod user_dict;
mod voicevox;
mod web;
mod ws;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub use error::ApiError;
pub use state::{AppState, StateError};

/// Engine version reported by `/version` and the manifests.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Limits and network settings; [`ServerConfig::default`] is what `yomiage serve` uses
/// without flags.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub host: String,
    pub port: u16,
    /// Syntheses (and other model calls) running at once; more wait in the queue.
    pub max_concurrency: usize,
    /// Requests waiting for a slot; beyond this they get 503 at once.
    pub max_queue: usize,
    /// Short lines first (fair), or first come, first served.
    pub scheduling: limit::Scheduling,
    /// Wall-clock limit per request, queueing included.
    pub request_timeout: Duration,
    /// Largest request body (JSON queries, dictionaries).
    pub max_body_bytes: usize,
    /// Longest text per request (and per WebSocket utterance), in characters.
    pub max_text_chars: usize,
    /// Longest wait for a request's headers, and for the next request on an idle
    /// kept-alive connection; the connection is closed after it.
    pub header_timeout: Duration,
    /// Longest time to receive a request's whole body (408 after it). The body is read
    /// before a synthesis slot is asked for, so a slow body holds no slot.
    pub body_timeout: Duration,
    /// Longest a response (a streamed body, the WebSocket) may stay unread with nothing
    /// taken by the client; then the connection is closed and its synthesis cancelled.
    pub send_timeout: Duration,
    /// Each connection's kernel send buffer (`SO_SNDBUF`): how much of a response can be
    /// queued for a client that does not read before the send timeout starts counting.
    /// `None` keeps the kernel's autotuning (up to `net.ipv4.tcp_wmem`'s maximum, 4 MiB by
    /// default: 85 s of 24 kHz 16-bit audio).
    pub send_buffer_bytes: Option<usize>,
    /// A WebSocket that sends nothing for this long while nothing is being spoken is
    /// closed.
    pub ws_idle_timeout: Duration,
    /// Most words the user dictionary holds; additions and imports beyond it get 422.
    pub max_dict_words: usize,
    /// Origins allowed by CORS; empty = CORS off (no CORS headers at all), `*` = any.
    pub cors_origins: Vec<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            host: "127.0.0.1".into(),
            port: 50021,
            max_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            max_queue: 64,
            scheduling: limit::Scheduling::Fair,
            request_timeout: Duration::from_secs(120),
            max_body_bytes: 4 * 1024 * 1024,
            // OpenAI's own limit for /v1/audio/speech input.
            max_text_chars: 4096,
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            send_timeout: Duration::from_secs(30),
            send_buffer_bytes: None,
            ws_idle_timeout: Duration::from_secs(600),
            max_dict_words: 10_000,
            cors_origins: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("invalid CORS origin {0:?}")]
    CorsOrigin(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// Every route, with the limits, CORS and error shapes applied.
pub fn router(state: Arc<AppState>) -> Result<Router, ServeError> {
    let cors = cors_layer(&state.config().cors_origins)?;
    let api = Router::new()
        .merge(voicevox::routes())
        .merge(user_dict::routes())
        .merge(openai::routes())
        .merge(stream::routes())
        .merge(ws::routes())
        .merge(docs::routes())
        .merge(health::routes())
        .merge(web::routes())
        .fallback(|| async { ApiError::not_found("Not Found") })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            timeout_middleware,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(
            state.config().max_body_bytes,
        ))
        // A bug in a handler answers 500 for that request; the server goes on serving.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                ApiError::internal("internal error while handling the request").into_response()
            },
        ))
        .with_state(state);
    Ok(match cors {
        Some(cors) => api.layer(cors),
        None => api,
    })
}

/// CORS is off unless origins are configured (browsers then refuse cross-origin calls).
fn cors_layer(origins: &[String]) -> Result<Option<CorsLayer>, ServeError> {
    if origins.is_empty() {
        return Ok(None);
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        let values = origins
            .iter()
            .map(|o| HeaderValue::from_str(o).map_err(|_| ServeError::CorsOrigin(o.clone())))
            .collect::<Result<Vec<_>, _>>()?;
        AllowOrigin::list(values)
    };
    Ok(Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::DELETE,
                Method::OPTIONS,
            ])
            .allow_headers(tower_http::cors::Any),
    ))
}

/// Drops the request's future when it runs too long: queued work leaves the queue and a
/// running synthesis is cancelled at its next checkpoint (see [`limit::CancelOnDrop`]).
async fn timeout_middleware(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    let limit = state.config().request_timeout;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::timeout(limit).into_response(),
    }
}

/// Serves on `listener` until `shutdown` resolves, then stops accepting and waits for the
/// requests in flight to finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let limits = conn::Limits {
        header_timeout: state.config().header_timeout,
        send_timeout: state.config().send_timeout,
        send_buffer: state.config().send_buffer_bytes,
    };
    let app = router(state)?;
    conn::serve(listener, app, limits, shutdown).await;
    Ok(())
}

/// Binds `host:port` (port 0 picks a free one).
pub async fn bind(host: &str, port: u16) -> Result<tokio::net::TcpListener, ServeError> {
    let addr = format!("{host}:{port}");
    tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Runs the server on its own tokio runtime until Ctrl-C or SIGTERM (what `yomiage serve`
/// calls), warming `warm` (`/health` is 503 until they are). `on_listening` gets the bound
/// address (useful with port 0) before the first request is accepted.
pub fn run_blocking(
    state: Arc<AppState>,
    warm: Vec<yomiage_voices::VoiceId>,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served = rt.block_on(async move {
        let config = state.config().clone();
        let listener = bind(&config.host, config.port).await?;
        on_listening(listener.local_addr()?);
        state.warm_up_in_background(warm);
        let shutdown = async {
            shutdown_signal().await;
            tracing::warn!("shutting down: finishing the requests in flight");
        };
        serve(listener, state, shutdown).await
    });
    // The requests in flight are answered; a warm-up still running is not waited for.
    rt.shutdown_background();
    served
}
