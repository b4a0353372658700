//! A real server on loopback, on the shared engine ([`crate::engine::shared`]) and the real
//! assets (run `yomiage setup` first; the test command does). Each test starts its own server
//! so limits can differ.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::oneshot;
use yomiage_server::{AppState, ServerConfig};

pub use crate::audio::{rms_i16, speech_wav, Wav};

pub struct TestServer {
    pub base: String,
    pub state: Arc<AppState>,
    pub user_dict: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    pub handle: Option<tokio::task::JoinHandle<Result<(), yomiage_server::ServeError>>>,
    _dir: tempfile::TempDir,
}

/// The default configuration on a free port.
pub fn config() -> ServerConfig {
    ServerConfig {
        port: 0,
        ..ServerConfig::default()
    }
}

impl TestServer {
    /// Starts a server with `config` on a free loopback port, with an empty user dictionary
    /// in a temporary directory.
    pub async fn start(config: ServerConfig) -> TestServer {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let user_dict = dir.path().join("user_dict.json");
        let engine = tokio::task::spawn_blocking(crate::engine::shared)
            .await
            .expect("loads");
        let state = AppState::with_shared_engine(
            engine,
            crate::engine::manifest(),
            user_dict.clone(),
            config,
        )
        .expect("state");
        let listener = yomiage_server::bind("127.0.0.1", 0).await.expect("binds");
        let addr: SocketAddr = listener.local_addr().expect("an address");
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(yomiage_server::serve(listener, state.clone(), async {
            let _ = rx.await;
        }));
        TestServer {
            base: format!("http://{addr}"),
            state,
            user_dict,
            stop: Some(tx),
            handle: Some(handle),
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// `GET path` answered with JSON, decoded (panics, as a test should, on any failure).
    pub async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        client()
            .get(self.url(path))
            .send()
            .await
            .expect("the request is answered")
            .json()
            .await
            .expect("a JSON body")
    }

    /// Asks for a graceful shutdown (in-flight requests finish).
    pub fn shutdown(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client")
}
