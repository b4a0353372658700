//! Gates for the GPU tests and benchmarks: is there a CUDA device, is the GPU set-up installed.

use std::path::Path;

use yomiage_voices::{Layout, Manifest};

/// `Ok(GPU name)` when the NVIDIA driver is loaded and lists a GPU, else why not.
pub fn cuda_device() -> Result<String, String> {
    if !Path::new("/proc/driver/nvidia/version").exists() {
        return Err(
            "no CUDA device (no NVIDIA driver: /proc/driver/nvidia/version is absent)".into(),
        );
    }
    let out = std::process::Command::new("nvidia-smi")
        .arg("-L")
        .output()
        .map_err(|e| format!("no CUDA device (nvidia-smi: {e})"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find(|l| l.starts_with("GPU "))
        .map(str::to_owned)
        .ok_or_else(|| "no CUDA device (nvidia-smi lists no GPU)".into())
}

/// `Ok` when `yomiage setup --gpu` has installed the GPU runtime and the float models (their
/// stamps, written last, are there, and so are the files the engine opens).
/// With `YOMIAGE_CUDA_LIBS` (CUDA libraries from elsewhere) the GPU stamp is not needed.
pub fn gpu_setup(layout: &Layout, manifest: &Manifest) -> Result<(), String> {
    let stamps = layout.root().join("stamps");
    let mut need = vec![
        stamps.join("models-float.json"),
        layout.gpu_dir().join(&manifest.gpu.library),
    ];
    if std::env::var_os("YOMIAGE_CUDA_LIBS").is_none_or(|v| v.is_empty()) {
        need.push(stamps.join("gpu.json"));
    }
    need.extend(
        manifest
            .voice
            .float
            .iter()
            .map(|f| layout.float_models_dir().join(&f.name)),
    );
    match need.iter().find(|p| !p.is_file()) {
        None => Ok(()),
        Some(p) => Err(format!(
            "GPU set-up not installed ({} missing; run `yomiage setup --gpu`)",
            p.display()
        )),
    }
}

/// `Ok` when the float models are installed (the CPU can run them too).
pub fn float_models(layout: &Layout, manifest: &Manifest) -> Result<(), String> {
    let stamp = layout.root().join("stamps/models-float.json");
    let files = manifest
        .voice
        .float
        .iter()
        .map(|f| layout.float_models_dir().join(&f.name));
    match std::iter::once(stamp).chain(files).find(|p| !p.is_file()) {
        None => Ok(()),
        Some(p) => Err(format!(
            "float models not installed ({} missing; run `yomiage setup --gpu`)",
            p.display()
        )),
    }
}
