//! The one engine loader of the tests: the data directory (`YOMIAGE_HOME`, …) and the built-in
//! manifest → a loaded engine, on the real voice, runtime and dictionary that `yomiage setup`
//! installed (the test command runs it first). A missing set-up fails the test, never skips it.

use std::sync::{Arc, OnceLock};

use yomiage_engine::onnx::SessionOptions;
use yomiage_engine::{Engine, EnginePaths, Precision};
use yomiage_frontend::Frontend;
use yomiage_voices::{Layout, Manifest, VoiceId};

/// The data directory the tests use.
pub fn layout() -> Layout {
    Layout::from_env().expect("a data directory (YOMIAGE_HOME/XDG_DATA_HOME/HOME)")
}

/// The built-in voice manifest.
pub fn manifest() -> Manifest {
    Manifest::builtin().expect("the built-in manifest")
}

/// The engine's files in the data directory (CPU runtime, int8 models).
pub fn paths() -> EnginePaths {
    EnginePaths::from_layout(&layout(), &manifest())
}

/// The default voice of the manifest.
pub fn default_voice() -> VoiceId {
    manifest().default_voice()
}

/// A voice by name or speaker id.
pub fn voice(name: &str) -> VoiceId {
    manifest()
        .voice(name)
        .unwrap_or_else(|e| panic!("voice {name}: {e}"))
}

/// A new engine on `paths` (its own sessions; the process's ONNX Runtime library and
/// environment are shared by every engine, see `yomiage_engine::onnx`).
pub fn load_with(
    paths: &EnginePaths,
    options: SessionOptions,
    precision: Option<Precision>,
) -> Engine {
    Engine::load_with(paths, options, precision).unwrap_or_else(|e| {
        panic!("the engine does not load ({e}); run `yomiage setup` (scripts/test.sh does)")
    })
}

/// A new engine on the installed assets with `options` (for the tests that need a cold engine
/// or other session settings; the others share [`engine`]).
pub fn load(options: SessionOptions) -> Engine {
    load_with(&paths(), options, None)
}

fn cell() -> &'static Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE.get_or_init(|| Arc::new(load(SessionOptions::default())))
}

/// The engine of this test process (default session options), loaded on first use: models are
/// loaded once per process, whatever the number of tests.
pub fn shared() -> Arc<Engine> {
    cell().clone()
}

/// The shared engine (synthesize, stream, analyse). Only the server harness and the
/// dictionary-swap test change its user dictionary.
pub fn engine() -> &'static Engine {
    cell()
}

/// The frontend on the installed dictionary, once per process. Fails (does not skip) when it
/// is missing: the frontend tests are the proof that accents come out right.
pub fn frontend() -> &'static Frontend {
    static FRONTEND: OnceLock<Frontend> = OnceLock::new();
    FRONTEND.get_or_init(|| {
        let dir = layout().dictionary_dir();
        Frontend::load(&dir).unwrap_or_else(|e| {
            panic!(
                "{e}\n\nThe frontend tests need the built naist-jdic dictionary at {}: \
                 run `yomiage setup` (it fetches and builds it).",
                dir.display()
            )
        })
    })
}
