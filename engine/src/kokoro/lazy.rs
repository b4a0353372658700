//! A model loaded on first use: `synth` never needs the streaming pair and `say` never needs
//! the whole-utterance decoder, so neither pays for loading the other.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::onnx::RuntimeError;

pub(super) struct LazyModel<T> {
    path: PathBuf,
    cell: OnceLock<T>,
    init: Mutex<()>,
}

impl<T> LazyModel<T> {
    pub fn new(path: PathBuf) -> Result<Self, RuntimeError> {
        // Missing files are reported at load time, not at first use.
        if !path.is_file() {
            return Err(RuntimeError::ModelMissing(path));
        }
        Ok(LazyModel {
            path,
            cell: OnceLock::new(),
            init: Mutex::new(()),
        })
    }

    /// Already loaded (eager loading done elsewhere, e.g. in parallel with other sessions).
    pub fn loaded(path: PathBuf, value: T) -> Self {
        let cell = OnceLock::new();
        let _ = cell.set(value);
        LazyModel {
            path,
            cell,
            init: Mutex::new(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn get(
        &self,
        load: impl FnOnce(&Path) -> Result<T, RuntimeError>,
    ) -> Result<&T, RuntimeError> {
        if let Some(v) = self.cell.get() {
            return Ok(v);
        }
        let _guard = self.init.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = self.cell.get() {
            return Ok(v);
        }
        let v = load(&self.path)?;
        Ok(self.cell.get_or_init(|| v))
    }
}
