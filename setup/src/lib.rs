//! `yomiage setup`: fetch, verify and build everything the engine needs, idempotently.
//!
//! Four components, each installed into the data directory and sealed by a stamp written
//! last: the ONNX Runtime library, the voice (model + styles + vocabulary as published), the
//! stage models converted from it, and the jpreprocess dictionary. Two more only on request
//! (`setup --gpu`), because they are large: the GPU runtime (onnxruntime-gpu and the CUDA /
//! cuDNN libraries, ~1.2 GB) and the float decoders for it (~320 MB). Downloads are cached in
//! `downloads/` and re-verified by sha256 before each use.

pub mod assets;
pub mod fetch;
mod install;
pub mod stamp;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use yomiage_voices::{Layout, Manifest};

use fetch::ensure_dir;
use stamp::{Health, Stamp};

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{what} failed: {detail}")]
    Command { what: String, detail: String },
    #[error("verification failed: {0}")]
    Verify(String),
    #[error("{0}")]
    Other(String),
}

impl From<yomiage_files::FileError> for SetupError {
    fn from(e: yomiage_files::FileError) -> Self {
        SetupError::Io {
            path: e.path,
            source: e.source,
        }
    }
}

impl SetupError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        SetupError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    Runtime,
    Voice,
    Models,
    Dictionary,
    /// UniDic's readings and accents (a table converted from unidic-lite's `sys.dic`), for
    /// measuring readings (`scripts/reading-errors.sh`): only on request (`setup --lexicon`);
    /// no command needs it.
    Lexicon,
    /// onnxruntime-gpu and the CUDA/cuDNN libraries (`setup --gpu` only).
    Gpu,
    /// The float decoders for the GPU (`setup --gpu` only).
    FloatModels,
}

impl Component {
    /// What every command needs; the default `setup` installs these.
    pub const ALL: [Component; 4] = [
        Component::Runtime,
        Component::Voice,
        Component::Models,
        Component::Dictionary,
    ];
    /// What CUDA needs in addition; only on request (large, and CI must not fetch it).
    pub const GPU: [Component; 2] = [Component::Gpu, Component::FloatModels];

    fn slug(self) -> &'static str {
        match self {
            Component::Runtime => "onnxruntime",
            Component::Voice => "voice",
            Component::Models => "models",
            Component::Dictionary => "dictionary",
            Component::Lexicon => "lexicon",
            Component::Gpu => "gpu",
            Component::FloatModels => "models-float",
        }
    }

    /// What must be installed first (converted models are made from the voice, float models
    /// from the converted ones).
    fn needs(self) -> &'static [Component] {
        match self {
            Component::Models => &[Component::Voice],
            Component::FloatModels => &[Component::Voice, Component::Models],
            _ => &[],
        }
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Component::Runtime => "ONNX Runtime library",
            Component::Voice => "voice model and styles",
            Component::Models => "converted stage models",
            Component::Dictionary => "dictionary (naist-jdic, pyopenjtalk-plus)",
            Component::Lexicon => "UniDic lexicon",
            Component::Gpu => "GPU runtime (onnxruntime-gpu, CUDA, cuDNN)",
            Component::FloatModels => "float models for the GPU",
        })
    }
}

pub struct Setup {
    layout: Layout,
    manifest: Manifest,
    quiet: bool,
}

impl Setup {
    pub fn new(layout: Layout, manifest: Manifest) -> Self {
        Setup {
            layout,
            manifest,
            quiet: false,
        }
    }

    fn stamp_path(&self, c: Component) -> PathBuf {
        self.layout
            .root()
            .join("stamps")
            .join(format!("{}.json", c.slug()))
    }

    /// What the installed component must match: changes whenever a pinned input changes.
    fn key(&self, c: Component) -> String {
        let m = &self.manifest;
        match c {
            Component::Runtime => format!("{}:{}", m.onnxruntime.version, m.onnxruntime.sha256),
            Component::Voice => format!("{}:{}", m.voice.model_sha256, m.voice.pack.wheel_sha256),
            Component::Models => {
                let files: Vec<&str> = m
                    .voice
                    .converted
                    .iter()
                    .map(|f| f.sha256.as_str())
                    .collect();
                format!("{}:{}", m.voice.model_sha256, files.join(","))
            }
            Component::Dictionary => format!(
                "{}:{}:{}:jpreprocess-{}",
                m.dictionary.version,
                m.dictionary.wheel_sha256,
                m.dictionary.kanji_readings.sha256,
                yomiage_frontend::JPREPROCESS_VERSION
            ),
            Component::Lexicon => format!(
                "{}:{}:{}",
                m.lexicon.version, m.lexicon.sdist_sha256, m.lexicon.table_sha256
            ),
            Component::Gpu => {
                let files: Vec<&str> = m
                    .gpu
                    .wheels
                    .iter()
                    .flat_map(|w| &w.files)
                    .map(|f| f.sha256.as_str())
                    .collect();
                files.join(",")
            }
            Component::FloatModels => {
                let decoder = m
                    .voice
                    .converted
                    .iter()
                    .find(|f| f.name == "decoder.onnx")
                    .map_or("", |f| f.sha256.as_str());
                let files: Vec<&str> = m.voice.float.iter().map(|f| f.sha256.as_str()).collect();
                format!("{decoder}:{}", files.join(","))
            }
        }
    }

    /// Cheap check used before every command.
    pub fn quick_health(&self, c: Component) -> Health {
        match Stamp::read(&self.stamp_path(c)) {
            None => Health::Missing("not installed".into()),
            Some(s) => s.quick_check(self.layout.root(), &self.key(c)),
        }
    }

    /// Thorough check (every file re-hashed).
    pub fn full_health(&self, c: Component) -> Result<Health, SetupError> {
        match Stamp::read(&self.stamp_path(c)) {
            None => Ok(Health::Missing("not installed".into())),
            Some(s) => s.full_check(self.layout.root(), &self.key(c)),
        }
    }

    /// Removes what a set-up killed mid-way left (pip and apt download folders, conversion
    /// folders, half-written files): never a finished component, since each is named by its
    /// temporary prefix; safe only under the lock, when no other set-up is running.
    fn remove_leftovers(&self) {
        const PREFIXES: [&str; 5] = [".pip-", ".apt-", ".convert-", ".dict-", ".lexicon-"];
        let root = self.layout.root();
        let dirs = std::iter::once(root.to_path_buf()).chain(
            std::fs::read_dir(root)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir()),
        );
        for dir in dirs.collect::<Vec<_>>() {
            for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let path = e.path();
                let removed = if PREFIXES.iter().any(|p| name.starts_with(p)) && path.is_dir() {
                    std::fs::remove_dir_all(&path).is_ok()
                } else if name.starts_with('.') && name.ends_with(".partial") {
                    std::fs::remove_file(&path).is_ok()
                } else {
                    false
                };
                if removed {
                    tracing::info!(path = %path.display(), "removed what an interrupted set-up left");
                }
            }
        }
    }

    fn lock(&self) -> Result<std::fs::File, SetupError> {
        ensure_dir(self.layout.root())?;
        let path = self.layout.root().join(".setup.lock");
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| SetupError::io(&path, e))?;
        // Several processes (parallel tests, two terminals) may start setup at once.
        f.lock().map_err(|e| SetupError::io(&path, e))?;
        Ok(f)
    }

    /// Installs whatever is missing or corrupt. With `thorough`, healthy-looking components are
    /// re-hashed too; otherwise the quick check decides.
    pub fn ensure(&self, components: &[Component], thorough: bool) -> Result<(), SetupError> {
        let _lock = self.lock()?;
        self.remove_leftovers();
        for &c in components {
            // Converted models are made from other components: make sure those are there.
            for &dep in c.needs() {
                if !components.contains(&dep) {
                    self.ensure_one(dep, thorough)?;
                }
            }
            self.ensure_one(c, thorough)?;
        }
        Ok(())
    }

    fn ensure_one(&self, c: Component, thorough: bool) -> Result<(), SetupError> {
        let quick = self.quick_health(c);
        let health = if quick == Health::Present && !thorough {
            Health::Present
        } else {
            self.full_health(c)?
        };
        let reason = match health {
            Health::Present => {
                if quick != Health::Present {
                    // Touched but intact (same hashes): re-seal so the quick check passes again.
                    self.restamp(c)?;
                }
                self.say(&format!("✓ {c}: present"));
                return Ok(());
            }
            Health::Missing(r) => r,
            Health::Corrupt(r) => {
                self.say(&format!("! {c}: {r}; reinstalling"));
                r
            }
        };
        tracing::info!(component = %c, %reason, "installing");
        let bar = self.spinner(&format!("{c}: installing"));
        let started = Instant::now();
        let _ = std::fs::remove_file(self.stamp_path(c));
        let files = match c {
            Component::Runtime => self.install_runtime(&bar),
            Component::Voice => self.install_voice(&bar),
            Component::Models => self.install_models(&bar),
            Component::Dictionary => self.install_dictionary(&bar),
            Component::Lexicon => self.install_lexicon(&bar),
            Component::Gpu => self.install_gpu(&bar),
            Component::FloatModels => self.install_float_models(&bar),
        };
        let files = match files {
            Ok(f) => f,
            Err(e) => {
                bar.abandon_with_message(format!("✗ {c}: failed"));
                return Err(e);
            }
        };
        bar.set_message(format!("{c}: verifying"));
        let stamp = Stamp::describe(self.layout.root(), &self.key(c), &files)?;
        stamp.write(&self.stamp_path(c))?;
        bar.finish_and_clear();
        self.say(&format!(
            "✓ {c}: installed in {:.1} s",
            started.elapsed().as_secs_f32()
        ));
        Ok(())
    }

    fn restamp(&self, c: Component) -> Result<(), SetupError> {
        if let Some(old) = Stamp::read(&self.stamp_path(c)) {
            let files: Vec<PathBuf> = old.files.iter().map(|f| f.path.clone()).collect();
            Stamp::describe(self.layout.root(), &self.key(c), &files)?
                .write(&self.stamp_path(c))?;
        }
        Ok(())
    }

    fn say(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }

    fn spinner(&self, msg: &str) -> ProgressBar {
        if self.quiet {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar.set_message(msg.to_owned());
        bar
    }

    fn rel(&self, p: &Path) -> PathBuf {
        p.strip_prefix(self.layout.root()).unwrap_or(p).to_owned()
    }
}
