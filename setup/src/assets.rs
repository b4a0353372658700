//! What the commands load from the data directory, resolved in one place: the layout and the
//! manifest, the user dictionary file, set-up of whatever is missing on first use
//! (`YOMIAGE_AUTO_SETUP=0` turns it off), the engine's files (with the GPU runtime and
//! `YOMIAGE_CUDA_LIBS`), and the engine — or the frontend alone — loaded on the device, with
//! the precision, accent estimator and words asked for.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use yomiage_engine::onnx::{DeviceRequest, SessionOptions};
use yomiage_engine::{Engine, EngineError, EnginePaths, Precision};
use yomiage_frontend::{AccentEstimator, Frontend, FrontendError, UserDictError, UserDictionary};
use yomiage_voices::{Layout, LayoutError, Manifest, ManifestError};

use crate::stamp::Health;
use crate::{Component, Setup, SetupError};

/// What can go wrong finding, setting up and loading the assets. Each wraps its cause (in the
/// error chain, where the CLI's advice finds it).
#[derive(Debug, thiserror::Error)]
pub enum AssetsError {
    #[error("the built-in voice manifest")]
    Manifest(#[source] ManifestError),
    #[error("the data directory")]
    Layout(#[source] LayoutError),
    #[error("loading the user dictionary")]
    UserDictionary(#[source] UserDictError),
    #[error(transparent)]
    NotSetUp(#[from] NotSetUp),
    #[error("automatic setup failed")]
    Setup(#[source] SetupError),
    #[error("loading the engine")]
    Engine(#[source] EngineError),
    #[error("applying the user dictionary")]
    Words(#[source] EngineError),
    #[error("loading the dictionary")]
    Frontend(#[source] FrontendError),
}

pub type Result<T, E = AssetsError> = std::result::Result<T, E>;

/// The data directory, the built-in manifest and the user dictionary file of this run.
pub struct Assets {
    layout: Layout,
    manifest: Manifest,
    user_dict: PathBuf,
}

/// How to load the engine.
#[derive(Clone, Copy, Debug)]
pub struct EngineOptions {
    pub device: DeviceRequest,
    /// Decoder weights; `None`: the device's default.
    pub precision: Option<Precision>,
    pub accent: AccentEstimator,
    /// Apply the words of the user dictionary (read before the slow work, so a corrupt file
    /// fails first).
    pub user_words: bool,
    /// ONNX Runtime threads per model call; `None`: the default.
    pub threads: Option<usize>,
    /// Sessions per model (runs at once); `None`: one.
    pub sessions: Option<usize>,
}

/// Components a command needs that are not installed, where set-up may not run by itself.
/// Typed so that `advice` can say which set-up installs them.
#[derive(Debug, thiserror::Error)]
pub enum NotSetUp {
    /// Auto set-up is off (`YOMIAGE_AUTO_SETUP=0`).
    #[error("not set up: {}", list(.0))]
    Components(Vec<(Component, Health)>),
    /// `--device cuda` without the GPU components (never installed by themselves).
    #[error("--device cuda: not set up: {}", list(.0))]
    Gpu(Vec<(Component, Health)>),
}

/// Those of `components` that the quick check does not find present, with what it found.
fn not_present(
    setup: &Setup,
    components: impl Iterator<Item = Component>,
) -> Vec<(Component, Health)> {
    components
        .map(|c| (c, setup.quick_health(c)))
        .filter(|(_, h)| *h != Health::Present)
        .collect()
}

fn list(missing: &[(Component, Health)]) -> String {
    let items: Vec<String> = missing.iter().map(|(c, h)| format!("{c} ({h})")).collect();
    items.join(", ")
}

/// `YOMIAGE_CUDA_LIBS`: directories (`:`-separated) to take the CUDA and cuDNN libraries from
/// instead of the data directory's GPU runtime — e.g. a PyTorch install's `nvidia/cu13/lib`
/// and `nvidia/cudnn/lib` on a machine where the pinned ones cannot be fetched.
fn cuda_libs() -> Option<OsString> {
    std::env::var_os("YOMIAGE_CUDA_LIBS").filter(|v| !v.is_empty())
}

impl Assets {
    /// The data directory of the environment (`$YOMIAGE_HOME`, …) and the user dictionary at
    /// `user_dict`, else the data directory's.
    pub fn from_env(user_dict: Option<PathBuf>) -> Result<Self> {
        let manifest = Manifest::builtin().map_err(AssetsError::Manifest)?;
        let layout = Layout::from_env().map_err(AssetsError::Layout)?;
        let user_dict = user_dict.unwrap_or_else(|| layout.user_dictionary_file());
        Ok(Assets {
            layout,
            manifest,
            user_dict,
        })
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The user dictionary file (`--user-dict`, `YOMIAGE_USER_DICT`, else the data
    /// directory's `user_dict.json`).
    pub fn user_dict_file(&self) -> &Path {
        &self.user_dict
    }

    pub fn setup(&self) -> Setup {
        Setup::new(self.layout.clone(), self.manifest.clone())
    }

    /// The user dictionary (a missing file is an empty dictionary; a corrupt one an error).
    pub fn user_dictionary(&self) -> Result<UserDictionary> {
        UserDictionary::load(&self.user_dict).map_err(AssetsError::UserDictionary)
    }

    /// The user dictionary for analysis, if it has any words.
    pub fn user_words(&self) -> Result<Option<UserDictionary>> {
        let dict = self.user_dictionary()?;
        if !dict.is_empty() {
            tracing::info!(words = dict.len(), path = %self.user_dict.display(), "user dictionary");
        }
        Ok((!dict.is_empty()).then_some(dict))
    }

    /// Runs set-up for whichever of `components` is missing (unless YOMIAGE_AUTO_SETUP=0,
    /// where that is a [`NotSetUp`] error).
    pub fn ensure(&self, components: &[Component]) -> Result<()> {
        let setup = self.setup();
        let missing = not_present(&setup, components.iter().copied());
        if missing.is_empty() {
            return Ok(());
        }
        let auto = std::env::var("YOMIAGE_AUTO_SETUP").map_or(true, |v| v != "0");
        if !auto {
            return Err(NotSetUp::Components(missing).into());
        }
        eprintln!("first use: setting up {}", list(&missing));
        let components: Vec<Component> = missing.iter().map(|(c, _)| *c).collect();
        setup
            .ensure(&components, false)
            .map_err(AssetsError::Setup)?;
        Ok(())
    }

    /// Loads the engine, first running set-up for anything missing (never the GPU components,
    /// which are large and only on request).
    pub fn load_engine(&self, options: &EngineOptions) -> Result<Engine> {
        // A corrupt user dictionary fails before the slow work.
        let words = if options.user_words {
            self.user_words()?
        } else {
            None
        };
        self.ensure(&Component::ALL)?;
        let paths = self.engine_paths(options.device)?;
        let default = SessionOptions::default();
        let session = SessionOptions {
            device: options.device,
            intra_threads: options.threads.unwrap_or(default.intra_threads),
            sessions: options.sessions.unwrap_or(default.sessions),
            ..default
        };
        let mut engine =
            Engine::load_with(&paths, session, options.precision).map_err(AssetsError::Engine)?;
        tracing::info!(device = %engine.device(), precision = %engine.precision(), "engine ready");
        engine.set_accent_estimator(options.accent);
        if let Some(words) = words {
            engine
                .set_user_dictionary(&words)
                .map_err(AssetsError::Words)?;
        }
        Ok(engine)
    }

    /// The engine's files; with the GPU runtime when the device may be CUDA and it is
    /// installed.
    fn engine_paths(&self, device: DeviceRequest) -> Result<EnginePaths> {
        let (layout, manifest) = (&self.layout, &self.manifest);
        let paths = EnginePaths::from_layout(layout, manifest);
        if device == DeviceRequest::Cpu {
            return Ok(paths);
        }
        // With YOMIAGE_CUDA_LIBS the CUDA libraries come from elsewhere: only the float models
        // must be installed here, and the GPU build of ONNX Runtime must be there (its absence
        // is reported when it is loaded).
        let cuda_libs = cuda_libs();
        let needed = Component::GPU
            .into_iter()
            .filter(|&c| !(cuda_libs.is_some() && c == Component::Gpu));
        let missing = not_present(&self.setup(), needed);
        if missing.is_empty() {
            return Ok(paths.with_gpu(layout, manifest, cuda_libs.as_deref()));
        }
        if device == DeviceRequest::Cuda {
            return Err(NotSetUp::Gpu(missing).into());
        }
        let missing = list(&missing);
        tracing::info!(%missing, "device auto: CPU (run `yomiage setup --gpu` for CUDA)");
        Ok(paths)
    }

    /// The frontend alone (no ONNX), after setting up the dictionary if it is missing (only
    /// it), with the words of the user dictionary; and how long loading took.
    pub fn load_frontend(&self, accent: AccentEstimator) -> Result<(Frontend, Duration)> {
        let words = self.user_words()?;
        self.ensure(&[Component::Dictionary])?;
        let started = Instant::now();
        let mut frontend =
            Frontend::load_with_user_dictionary(&self.layout.dictionary_dir(), words.as_ref())
                .map_err(AssetsError::Frontend)?;
        frontend.set_accent_estimator(accent);
        Ok((frontend, started.elapsed()))
    }
}
