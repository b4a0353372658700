//! The only module that speaks ONNX Runtime. Everything outside it deals in the domain:
//! token ids, frame durations, feature frames, F0, energy and PCM.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use ort::ep::cuda::ConvAlgorithmSearch;
use ort::ep::{ExecutionProviderDispatch, CUDA};
use ort::session::SessionInputValue;
use ort::session::{builder::GraphOptimizationLevel, Session};
use ort::value::TensorRef;

mod snake;

/// Failures of the runtime layer. Each names the file or stage at fault; what to do about it
/// is the caller's to say (the CLI turns these into advice).
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("ONNX Runtime library not found at {0}")]
    LibraryMissing(PathBuf),
    #[error("could not load ONNX Runtime from {path}: {message}")]
    LibraryLoad { path: PathBuf, message: String },
    #[error("model file {0} is missing")]
    ModelMissing(PathBuf),
    /// The float decoders are installed only for the GPU.
    #[error("float model {0} is missing")]
    FloatModelMissing(PathBuf),
    #[error("could not load model {path}: {source}")]
    ModelLoad { path: PathBuf, source: ort::Error },
    #[error("a model-loading thread panicked")]
    LoaderPanicked,
    #[error("{stage} model failed: {source}")]
    Run {
        stage: &'static str,
        source: ort::Error,
    },
    #[error("{stage} model returned {what}")]
    Output { stage: &'static str, what: String },
    /// `--device cuda` was asked for and the CUDA provider could not start (never a silent
    /// fall-back: `auto` is the choice that falls back).
    #[error("CUDA is not available: {reason}")]
    CudaUnavailable { reason: String },
    /// CUDA was asked for and the GPU runtime is not installed (`None`), or one of its
    /// libraries is missing.
    #[error("CUDA is not available: {}", gpu_missing(.0.as_deref()))]
    GpuRuntimeMissing(Option<PathBuf>),
    /// ort loads one ONNX Runtime library per process and keeps it.
    #[error(
        "ONNX Runtime is already loaded from {loaded} in this process; cannot switch to {wanted}"
    )]
    OtherLibraryLoaded { loaded: PathBuf, wanted: PathBuf },
}

fn gpu_missing(library: Option<&Path>) -> String {
    match library {
        None => "the GPU runtime is not installed".to_owned(),
        Some(p) => format!("{} is missing", p.display()),
    }
}

/// Where the models run, once decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Device {
    #[default]
    Cpu,
    Cuda,
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Device::Cpu => "cpu",
            Device::Cuda => "cuda",
        })
    }
}

/// Where the models should run: `Auto` takes CUDA when it starts and the CPU otherwise, and
/// says why; `Cuda` fails with [`RuntimeError::CudaUnavailable`] instead of falling back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeviceRequest {
    #[default]
    Cpu,
    Cuda,
    Auto,
}

/// ONNX Runtime's GPU build and the CUDA/cuDNN libraries its CUDA provider needs, as
/// `yomiage setup --gpu` installs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuRuntime {
    /// `libonnxruntime.so` of the onnxruntime-gpu wheel (its providers lie beside it).
    pub library: PathBuf,
    /// Loaded first, in this order: later lookups by soname (the provider's DT_NEEDED, its
    /// dlopen of cuDNN and NVRTC) find these instead of searching LD_LIBRARY_PATH, which a
    /// running process cannot change.
    pub preload: Vec<PathBuf>,
}

/// The library ort loaded in this process and its environment: ort keeps the first library
/// for good and allows one environment per process, so every runtime shares these.
static LOADED: Mutex<Option<(PathBuf, ort::environment::Environment)>> = Mutex::new(None);

fn loaded_library() -> Option<PathBuf> {
    LOADED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .map(|(l, _)| l.clone())
}

/// The CUDA provider as every session registers it: failing loudly (ort's default is to log
/// and run on the CPU), with cuDNN's heuristic algorithm choice — the default exhaustive
/// search benchmarks every convolution again for each new input length, and every utterance
/// has a new length.
fn cuda_provider() -> ExecutionProviderDispatch {
    CUDA::default()
        .with_conv_algorithm_search(ConvAlgorithmSearch::Heuristic)
        .build()
        .error_on_failure()
}

/// Why CUDA could not start, with the usual cause spelled out when the driver is absent.
fn cuda_reason(message: String) -> RuntimeError {
    // Loading the driver library only runs its initializers; if present it stays loaded.
    let driver = ort::util::preload_dylib("libcuda.so.1");
    let reason = match driver {
        Ok(()) => message,
        Err(e) => format!("{message} (no NVIDIA driver: libcuda.so.1 cannot be loaded: {e})"),
    };
    RuntimeError::CudaUnavailable { reason }
}

/// Session settings. Two intra-op threads without spinning measured fastest on 2 cores
/// (shared/notes/model.md).
#[derive(Debug, Clone, Copy)]
pub struct SessionOptions {
    pub intra_threads: usize,
    pub spinning: bool,
    pub device: DeviceRequest,
    /// Sessions per model, so that as many runs go at once (a session takes one run at a
    /// time). Books rendering two chapters at once on one thread each want two: the decoder
    /// then runs on both cores without intra-op overhead. Each extra one costs the model's
    /// weights and working memory again.
    pub sessions: usize,
}

impl Default for SessionOptions {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        SessionOptions {
            intra_threads: cores.min(4),
            spinning: false,
            device: DeviceRequest::Cpu,
            sessions: 1,
        }
    }
}

/// A loaded ONNX Runtime library. Keep it alive as long as any model made from it.
pub struct OnnxRuntime {
    env: ort::environment::Environment,
    options: SessionOptions,
    device: Device,
    library: PathBuf,
}

impl OnnxRuntime {
    /// Loads the CPU library at `library` (never searches the system; a missing file is
    /// reported instead of letting `ort` panic at its first call). A CUDA request fails here:
    /// CUDA needs [`OnnxRuntime::open`] with the GPU runtime.
    pub fn load(library: &Path, options: SessionOptions) -> Result<Self, RuntimeError> {
        Self::open(library, None, options)
    }

    /// Loads the library `options.device` calls for: the CPU build at `cpu_library`, or the
    /// GPU build of `gpu` (its CUDA libraries first), whose CUDA provider must then start.
    /// `Auto` falls back to the CPU, logging why; `Cuda` returns the reason as an error.
    pub fn open(
        cpu_library: &Path,
        gpu: Option<&GpuRuntime>,
        options: SessionOptions,
    ) -> Result<Self, RuntimeError> {
        match (options.device, gpu) {
            (DeviceRequest::Cpu, _) => Self::init(cpu_library, options, Device::Cpu),
            (DeviceRequest::Cuda, None) => Err(RuntimeError::GpuRuntimeMissing(None)),
            (DeviceRequest::Cuda, Some(gpu)) => Self::open_cuda(gpu, options),
            (DeviceRequest::Auto, None) => {
                tracing::info!("device auto: CPU ({})", gpu_missing(None));
                Self::init(cpu_library, options, Device::Cpu)
            }
            (DeviceRequest::Auto, Some(gpu)) => match Self::open_cuda(gpu, options) {
                Ok(rt) => {
                    tracing::info!("device auto: CUDA");
                    Ok(rt)
                }
                Err(
                    e @ (RuntimeError::CudaUnavailable { .. } | RuntimeError::GpuRuntimeMissing(_)),
                ) => {
                    let reason = e.to_string();
                    // The GPU build, once loaded, stays for the process; its CPU provider runs
                    // the models as well as the CPU build's does.
                    let library = loaded_library()
                        .filter(|l| *l == gpu.library)
                        .unwrap_or_else(|| cpu_library.to_owned());
                    tracing::warn!(
                        %reason,
                        library = %library.display(),
                        "device auto: CUDA unavailable, running on the CPU"
                    );
                    Self::init(&library, options, Device::Cpu)
                }
                Err(e) => Err(e),
            },
        }
    }

    fn open_cuda(gpu: &GpuRuntime, options: SessionOptions) -> Result<Self, RuntimeError> {
        for lib in &gpu.preload {
            if !lib.is_file() {
                return Err(RuntimeError::GpuRuntimeMissing(Some(lib.clone())));
            }
            // From the pinned, verified wheels; they stay loaded for the process.
            ort::util::preload_dylib(lib.as_path()).map_err(|e| RuntimeError::CudaUnavailable {
                reason: format!("cannot load {}: {e}", lib.display()),
            })?;
            tracing::debug!(library = %lib.display(), "preloaded");
        }
        let rt = Self::init(&gpu.library, options, Device::Cuda).map_err(|e| match e {
            e @ RuntimeError::OtherLibraryLoaded { .. } => e,
            RuntimeError::LibraryMissing(p) => RuntimeError::GpuRuntimeMissing(Some(p)),
            e => RuntimeError::CudaUnavailable {
                reason: e.to_string(),
            },
        })?;
        // Registering the provider loads libonnxruntime_providers_cuda.so and starts CUDA:
        // this is where a missing driver or GPU shows.
        let probe = Session::builder(&rt.env).and_then(|b| {
            b.with_execution_providers([cuda_provider()])
                .map_err(Into::into)
        });
        match probe {
            Ok(_) => {
                tracing::info!(library = %gpu.library.display(), "CUDA execution provider started");
                Ok(rt)
            }
            Err(e) => Err(cuda_reason(e.to_string())),
        }
    }

    fn init(library: &Path, options: SessionOptions, device: Device) -> Result<Self, RuntimeError> {
        if !library.is_file() {
            return Err(RuntimeError::LibraryMissing(library.to_owned()));
        }
        let load_err = |message: String| RuntimeError::LibraryLoad {
            path: library.to_owned(),
            message,
        };
        let mut loaded = LOADED.lock().unwrap_or_else(|p| p.into_inner());
        let env = match loaded.as_ref() {
            Some((l, env)) if l == library => env.clone(),
            Some((l, _)) => {
                return Err(RuntimeError::OtherLibraryLoaded {
                    loaded: l.clone(),
                    wanted: library.to_owned(),
                })
            }
            None => {
                let env = ort::init_from(library)
                    .map_err(|e| load_err(e.to_string()))?
                    .with_name("yomiage")
                    .build()
                    .map_err(|e| load_err(e.to_string()))?;
                tracing::info!(library = %library.display(), "ONNX Runtime loaded");
                *loaded = Some((library.to_owned(), env.clone()));
                env
            }
        };
        drop(loaded);
        Ok(OnnxRuntime {
            env,
            options,
            device,
            library: library.to_owned(),
        })
    }

    /// Where this runtime's sessions run.
    pub fn device(&self) -> Device {
        self.device
    }

    /// The ONNX Runtime library in use.
    pub fn library(&self) -> &Path {
        &self.library
    }

    /// Makes yomiage's custom operators known to ONNX Runtime once per process. It adds a
    /// custom domain to ONNX's process-wide version map with a check-then-add that is not
    /// locked, so the first sessions created at the same time (the engine loads its models in
    /// parallel) race, and one fails with "the domain is already exist". A one-node model
    /// registers it first, under a lock; later sessions find it there.
    fn register_operators(&self) -> Result<(), RuntimeError> {
        static REGISTERED: Mutex<bool> = Mutex::new(false);
        let mut done = REGISTERED.lock().unwrap_or_else(|p| p.into_inner());
        if *done {
            return Ok(());
        }
        Session::builder(&self.env)
            .and_then(|b| Ok(b.with_operators(snake::domain()?)?))
            .and_then(|b| Ok(b.with_intra_threads(1)?))
            .and_then(|mut b| b.commit_from_memory(snake::PROBE_MODEL))
            .map_err(|source| RuntimeError::ModelLoad {
                path: PathBuf::from("(built-in AdaSnake probe)"),
                source,
            })?;
        *done = true;
        Ok(())
    }

    /// Loads the graph at `path`; `stage` names it in errors.
    pub fn model(&self, path: &Path, stage: &'static str) -> Result<Model, RuntimeError> {
        if !path.is_file() {
            return Err(RuntimeError::ModelMissing(path.to_owned()));
        }
        let wrap = |source: ort::Error| RuntimeError::ModelLoad {
            path: path.to_owned(),
            source,
        };
        self.register_operators()?;
        let build = || -> ort::Result<Session> {
            let mut builder = Session::builder(&self.env)?;
            if self.device == Device::Cuda {
                builder = builder.with_execution_providers([cuda_provider()])?;
            }
            builder
                .with_operators(snake::domain()?)?
                .with_intra_threads(self.options.intra_threads)?
                .with_inter_threads(1)?
                .with_intra_op_spinning(self.options.spinning)?
                .with_optimization_level(GraphOptimizationLevel::Level3)?
                .commit_from_file(path)
        };
        let started = std::time::Instant::now();
        let sessions = (0..self.options.sessions.max(1))
            .map(|_| build().map(Mutex::new).map_err(wrap))
            .collect::<Result<Vec<_>, _>>()?;
        tracing::debug!(
            stage,
            sessions = sessions.len(),
            ms = started.elapsed().as_millis(),
            "session created"
        );
        Ok(Model {
            sessions,
            next: AtomicUsize::new(0),
            stage,
        })
    }
}

/// An input tensor: its shape and data.
pub enum Tensor<'a> {
    F32(Vec<usize>, &'a [f32]),
    I64(Vec<usize>, &'a [i64]),
    Bool(Vec<usize>, &'a [bool]),
}

/// One loaded graph in one or more sessions. A session takes one run at a time (ort's `run`
/// takes `&mut`); a run goes to a free session, else waits its turn on one. Sessions hold no
/// state between runs.
pub struct Model {
    sessions: Vec<Mutex<Session>>,
    next: AtomicUsize,
    stage: &'static str,
}

impl Model {
    /// A free session, else the next one in turn (waiting for it).
    fn session(&self) -> MutexGuard<'_, Session> {
        for s in &self.sessions {
            if let Ok(guard) = s.try_lock() {
                return guard;
            }
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.sessions.len();
        self.sessions[i].lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs the graph on named inputs and returns the named float outputs, in order.
    pub fn run(
        &self,
        inputs: Vec<(&str, Tensor<'_>)>,
        outputs: &[&str],
    ) -> Result<Vec<Vec<f32>>, RuntimeError> {
        let stage = self.stage;
        let err = move |source| RuntimeError::Run { stage, source };
        let mut values: Vec<(Cow<'_, str>, SessionInputValue<'_>)> = Vec::new();
        for (name, tensor) in inputs {
            let value: SessionInputValue<'_> = match tensor {
                Tensor::F32(shape, data) => TensorRef::from_array_view((shape, data))
                    .map_err(err)?
                    .into(),
                Tensor::I64(shape, data) => TensorRef::from_array_view((shape, data))
                    .map_err(err)?
                    .into(),
                Tensor::Bool(shape, data) => TensorRef::from_array_view((shape, data))
                    .map_err(err)?
                    .into(),
            };
            values.push((Cow::Borrowed(name), value));
        }
        // A poisoned lock only means another thread panicked mid-run; the session holds no
        // partial state between runs, so it is safe to keep using it.
        let mut session = self.session();
        let out = session.run(values).map_err(err)?;
        outputs
            .iter()
            .map(|name| {
                let value = out.get(name).ok_or_else(|| RuntimeError::Output {
                    stage,
                    what: format!("no output named {name}"),
                })?;
                value
                    .try_extract_tensor::<f32>()
                    .map(|(_, data)| data.to_vec())
                    .map_err(err)
            })
            .collect()
    }

    /// The first dimension of input `name` as the graph declares it (0 if unknown).
    pub fn input_len(&self, name: &str) -> usize {
        let session = self.session();
        session
            .inputs()
            .iter()
            .find(|i| i.name() == name)
            .and_then(|i| i.dtype().tensor_shape().and_then(|s| s.first().copied()))
            .unwrap_or(0)
            .max(0) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_library_is_an_error_that_names_the_file() {
        let err = OnnxRuntime::load(
            Path::new("/nonexistent/libonnxruntime.so"),
            SessionOptions::default(),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            err.contains("not found") && err.contains("/nonexistent"),
            "{err}"
        );
    }

    fn on(device: DeviceRequest) -> SessionOptions {
        SessionOptions {
            device,
            ..SessionOptions::default()
        }
    }

    #[test]
    fn cuda_without_the_gpu_runtime_is_an_error_saying_so() {
        let cpu = Path::new("/nonexistent/libonnxruntime.so.1.32.0");
        match OnnxRuntime::open(cpu, None, on(DeviceRequest::Cuda)) {
            Err(e @ RuntimeError::GpuRuntimeMissing(None)) => {
                assert!(e.to_string().contains("not installed"), "{e}")
            }
            other => panic!("{:?}", other.err()),
        }
    }

    #[test]
    fn a_missing_cuda_library_is_named_and_auto_then_takes_the_cpu_library() {
        let cpu = Path::new("/nonexistent/cpu/libonnxruntime.so.1.32.0");
        let gpu = GpuRuntime {
            library: PathBuf::from("/nonexistent/gpu/libonnxruntime.so.1.31.1"),
            preload: vec![PathBuf::from("/nonexistent/gpu/libcudart.so.13")],
        };
        match OnnxRuntime::open(cpu, Some(&gpu), on(DeviceRequest::Cuda)) {
            Err(RuntimeError::GpuRuntimeMissing(Some(p))) => {
                assert!(p.ends_with("libcudart.so.13"), "{}", p.display())
            }
            other => panic!("{:?}", other.err()),
        }
        // Auto falls back to the CPU build: here its absence is the error.
        match OnnxRuntime::open(cpu, Some(&gpu), on(DeviceRequest::Auto)) {
            Err(RuntimeError::LibraryMissing(p)) => assert_eq!(p, cpu),
            other => panic!("{:?}", other.err()),
        }
        match OnnxRuntime::open(cpu, None, on(DeviceRequest::Auto)) {
            Err(RuntimeError::LibraryMissing(p)) => assert_eq!(p, cpu),
            other => panic!("{:?}", other.err()),
        }
    }

    #[test]
    fn a_file_that_is_not_a_library_is_an_error_not_a_panic() {
        let dir = std::env::temp_dir().join(format!("yomiage-ort-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fake = dir.join("libonnxruntime.so.1.32.0");
        std::fs::write(&fake, b"not an ELF file").unwrap();
        let err = OnnxRuntime::load(&fake, SessionOptions::default())
            .err()
            .map(|e| e.to_string());
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(err.is_some_and(|e| e.contains("could not load ONNX Runtime")));
    }
}
