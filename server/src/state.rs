//! What every handler shares: the engine, the voice manifest, the user dictionary and the
//! limiter.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use yomiage_engine::Engine;
use yomiage_frontend::UserDictionary;
use yomiage_voices::{Manifest, VoiceId};

use crate::error::ApiError;
use crate::limit::{CancelOnDrop, CancelToken, Checkpoint, Fair, Limiter, Priority, Slot};
use crate::ServerConfig;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("the user dictionary {path} cannot be read: {source}")]
    UserDictionary {
        path: PathBuf,
        #[source]
        source: yomiage_frontend::UserDictError,
    },
    #[error("applying the user dictionary failed: {0}")]
    Engine(#[from] yomiage_engine::EngineError),
}

pub struct AppState {
    config: ServerConfig,
    /// Shared by every model call; a user-dictionary edit swaps the frontend's words without
    /// waiting for (or blocking) syntheses in progress.
    engine: Arc<Engine>,
    manifest: Manifest,
    /// The words in use and the file they are saved to. The async mutex serializes edits
    /// (read, change, save, apply) so concurrent edits never lose each other's words.
    pub(crate) user_dict: tokio::sync::Mutex<UserDictionary>,
    pub(crate) user_dict_path: PathBuf,
    limiter: Arc<Limiter>,
    /// Speakers (style IDs) whose style has been loaded: `/is_initialized_speaker`.
    initialized: Mutex<HashSet<u32>>,
    /// Voices warming and warm: `/health`.
    pub(crate) readiness: Mutex<Readiness>,
}

impl AppState {
    /// The server's state around a loaded engine. The user dictionary at `user_dict_path` is
    /// read (missing = empty) and applied to the engine, so the server and `yomiage dict`
    /// share one file.
    pub fn new(
        engine: Engine,
        manifest: Manifest,
        user_dict_path: PathBuf,
        config: ServerConfig,
    ) -> Result<Arc<AppState>, StateError> {
        AppState::with_shared_engine(Arc::new(engine), manifest, user_dict_path, config)
    }

    /// [`AppState::new`] around an engine shared with other servers in this process (ONNX
    /// Runtime allows one environment per process, so tests and benchmarks load one engine
    /// for all their servers). Sharing servers share the user dictionary last applied.
    pub fn with_shared_engine(
        engine: Arc<Engine>,
        manifest: Manifest,
        user_dict_path: PathBuf,
        config: ServerConfig,
    ) -> Result<Arc<AppState>, StateError> {
        let words =
            UserDictionary::load(&user_dict_path).map_err(|source| StateError::UserDictionary {
                path: user_dict_path.clone(),
                source,
            })?;
        engine.set_user_dictionary(&words)?;
        let limiter = Limiter::new(
            config.max_concurrency.max(1),
            config.max_queue,
            config.scheduling,
        );
        Ok(Arc::new(AppState {
            config,
            engine,
            manifest,
            user_dict: tokio::sync::Mutex::new(words),
            user_dict_path,
            limiter,
            initialized: Mutex::new(HashSet::new()),
            readiness: Mutex::default(),
        }))
    }

    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn limiter(&self) -> &Arc<Limiter> {
        &self.limiter
    }

    /// The engine, for work that manages its own slot and cancellation (streaming).
    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    /// A speaker (VOICEVOX style ID) from the manifest, or 422 naming the known ones.
    pub(crate) fn voice(&self, style_id: i64) -> Result<VoiceId, ApiError> {
        u32::try_from(style_id)
            .ok()
            .and_then(|id| self.manifest.voice_by_id(id).ok())
            .ok_or_else(|| {
                let known: Vec<String> =
                    self.manifest.voices().map(|v| v.id().to_string()).collect();
                ApiError::unprocessable(format!(
                    "style_id {style_id} is not found (known style IDs: {})",
                    known.join(", ")
                ))
            })
    }

    pub(crate) fn mark_initialized(&self, voice: &VoiceId) {
        self.initialized
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(voice.id());
    }

    pub(crate) fn is_initialized(&self, voice: &VoiceId) -> bool {
        self.initialized
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&voice.id())
    }

    /// Runs `f` with the engine on the blocking pool, after waiting for a slot in turn for
    /// `priority`. If the request's future is dropped (client gone, timeout), the token in
    /// the [`Turn`] given to `f` is cancelled; work still queued never starts.
    pub(crate) async fn run<T, F>(self: &Arc<Self>, priority: Priority, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Engine, &mut Turn) -> Result<T, ApiError> + Send + 'static,
    {
        let slot = self.limiter.acquire(priority).await?;
        let guard = CancelOnDrop::new();
        let token = guard.token();
        let state = self.clone();
        let joined = tokio::task::spawn_blocking(move || {
            // The slot is held until the work really ends, even if the client left.
            let mut turn = Turn { token, slot };
            turn.token.check()?;
            f(&state.engine, &mut turn)
        })
        .await;
        guard.disarm();
        match joined {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "synthesis task failed");
                Err(ApiError::internal("synthesis failed unexpectedly"))
            }
        }
    }

    /// Replaces the engine's user dictionary (on the blocking pool: it rebuilds the tokenizer).
    pub(crate) async fn apply_user_dictionary(
        self: &Arc<Self>,
        words: UserDictionary,
    ) -> Result<(), ApiError> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            state.engine.set_user_dictionary(&words).map_err(|e| {
                tracing::error!(error = %e, "applying the user dictionary");
                ApiError::internal(format!("applying the user dictionary failed: {e}"))
            })
        })
        .await
        .map_err(|_| ApiError::internal("applying the user dictionary failed"))?
    }
}

/// A request's turn at the engine: its cancel token and its synthesis slot.
pub(crate) struct Turn {
    pub token: CancelToken,
    slot: Slot,
}

impl Turn {
    /// `inner`, making way for interactive requests between sentences.
    pub fn fair<S>(&mut self, inner: S) -> Fair<'_, S> {
        Fair::new(inner, &mut self.slot, &self.token)
    }

    /// Between the parts of a bulk job: see [`Slot::make_way`].
    pub fn make_way(&mut self) {
        self.slot.make_way(&self.token)
    }
}

/// Where warming stands (`/health`, [`crate::health`]).
#[derive(Debug, Default)]
pub(crate) struct Readiness {
    /// Voices still to warm (empty: ready). A server nobody asked to warm is ready.
    pub(crate) pending: Vec<String>,
    /// Voices warmed.
    pub(crate) ready: Vec<String>,
    /// Voices whose warming failed, with why (they still serve, cold).
    pub(crate) failed: Vec<(String, String)>,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.pending.is_empty()
    }
}
