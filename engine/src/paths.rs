//! Where the engine's files are, usually derived from a data directory's [`Layout`].

use std::ffi::OsStr;
use std::path::PathBuf;

use yomiage_voices::{Layout, Manifest};

use crate::kokoro::ModelFiles;
use crate::onnx::GpuRuntime;

#[derive(Debug, Clone)]
pub struct EnginePaths {
    /// The CPU build of ONNX Runtime.
    pub onnxruntime: PathBuf,
    pub models_dir: PathBuf,
    /// The float decoders (installed for the GPU only).
    pub float_models_dir: PathBuf,
    pub vocab: PathBuf,
    pub dictionary: PathBuf,
    /// The GPU build of ONNX Runtime and its CUDA libraries, when installed.
    pub gpu: Option<GpuRuntime>,
}

impl EnginePaths {
    /// The paths of a data directory, without the GPU runtime (see [`EnginePaths::with_gpu`]).
    pub fn from_layout(layout: &Layout, manifest: &Manifest) -> Self {
        EnginePaths {
            onnxruntime: layout
                .onnxruntime_dir()
                .join(manifest.onnxruntime.library_name()),
            models_dir: layout.models_dir(),
            float_models_dir: layout.float_models_dir(),
            vocab: layout.voice_source_dir().join("vocab.json"),
            dictionary: layout.dictionary_dir(),
            gpu: None,
        }
    }

    /// Adds the GPU runtime of the data directory (the caller knows it is installed).
    /// `cuda_libs` (directories, `:`-separated) supplies the CUDA and cuDNN libraries from
    /// there instead, by file name — e.g. a PyTorch install's `nvidia/cu13/lib` and
    /// `nvidia/cudnn/lib` on a machine where the pinned ones cannot be fetched.
    pub fn with_gpu(
        mut self,
        layout: &Layout,
        manifest: &Manifest,
        cuda_libs: Option<&OsStr>,
    ) -> Self {
        let dir = layout.gpu_dir();
        let external = cuda_libs.filter(|v| !v.is_empty());
        let find = |rel: &String| -> PathBuf {
            let installed = dir.join(rel);
            let (Some(dirs), Some(name)) = (external, installed.file_name()) else {
                return installed;
            };
            std::env::split_paths(dirs)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
                .unwrap_or(installed)
        };
        self.gpu = Some(GpuRuntime {
            library: dir.join(&manifest.gpu.library),
            preload: manifest.gpu.preload.iter().map(find).collect(),
        });
        self
    }

    pub(crate) fn model_files(&self) -> ModelFiles {
        ModelFiles {
            models_dir: self.models_dir.clone(),
            float_models_dir: self.float_models_dir.clone(),
            vocab: self.vocab.clone(),
        }
    }
}
