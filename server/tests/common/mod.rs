//! A real server on loopback, on the real engine and assets (run `yomiage setup` first; the
//! test command does). Each test starts its own server so limits can differ.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use tokio::sync::oneshot;
use yomiage_engine::onnx::SessionOptions;
use yomiage_engine::{Engine, EnginePaths};
use yomiage_server::{AppState, ServerConfig};
use yomiage_voices::{Layout, Manifest};

pub struct TestServer {
    pub base: String,
    pub state: Arc<AppState>,
    pub user_dict: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    pub handle: Option<tokio::task::JoinHandle<Result<(), yomiage_server::ServeError>>>,
    _dir: tempfile::TempDir,
}

/// The engine, loaded once per test binary: ONNX Runtime allows one environment per process.
pub fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let layout = Layout::from_env().expect("a data directory");
            let manifest = Manifest::builtin().expect("the built-in manifest");
            let paths = EnginePaths::from_layout(&layout, &manifest);
            let engine = Engine::load(&paths, SessionOptions::default()).unwrap_or_else(|e| {
                panic!("the engine does not load ({e}); run `yomiage setup` (scripts/test.sh does)")
            });
            Arc::new(engine)
        })
        .clone()
}

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
        let engine = tokio::task::spawn_blocking(engine).await.expect("loads");
        let manifest = Manifest::builtin().expect("the built-in manifest");
        let state = AppState::with_shared_engine(engine, manifest, user_dict.clone(), config)
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

    /// Asks for a graceful shutdown (in-flight requests finish).
    pub fn shutdown(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

pub struct Wav {
    pub spec: hound::WavSpec,
    pub samples: Vec<i16>,
}

/// Parses a WAV body and checks it is real speech: RIFF, 16-bit, some length, not silent.
pub fn speech_wav(bytes: &[u8]) -> Wav {
    assert_eq!(&bytes[..4], b"RIFF", "not a WAV file");
    let mut r = hound::WavReader::new(std::io::Cursor::new(bytes)).expect("a readable WAV");
    let spec = r.spec();
    assert_eq!(spec.bits_per_sample, 16);
    let samples: Vec<i16> = r.samples::<i16>().map(|s| s.expect("a sample")).collect();
    let w = Wav { spec, samples };
    assert!(w.seconds() > 0.3, "only {} s of audio", w.seconds());
    assert!(w.rms() > 0.01, "silent audio (RMS {})", w.rms());
    w
}

impl Wav {
    pub fn seconds(&self) -> f64 {
        self.samples.len() as f64 / self.spec.channels as f64 / self.spec.sample_rate as f64
    }
    pub fn rms(&self) -> f64 {
        rms_i16(&self.samples)
    }
}

pub fn rms_i16(samples: &[i16]) -> f64 {
    let sum: f64 = samples.iter().map(|&s| (s as f64 / 32768.0).powi(2)).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client")
}
