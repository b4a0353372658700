//! The only module that speaks ONNX Runtime. Everything outside it deals in the domain:
//! token ids, frame durations, feature frames, F0, energy and PCM.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ort::ep::cuda::ConvAlgorithmSearch;
use ort::ep::{ExecutionProviderDispatch, CUDA};
use ort::session::{builder::GraphOptimizationLevel, Session};
use ort::value::TensorRef;

/// Failures of the runtime layer, phrased for the person running the program.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("ONNX Runtime library not found at {0}; run `yomiage setup` to fetch it")]
    LibraryMissing(PathBuf),
    #[error(
        "could not load ONNX Runtime from {path}: {message}; run `yomiage setup` to repair it"
    )]
    LibraryLoad { path: PathBuf, message: String },
    #[error("model file {0} is missing; run `yomiage setup`")]
    ModelMissing(PathBuf),
    #[error("float model {0} is missing; run `yomiage setup --gpu`")]
    FloatModelMissing(PathBuf),
    #[error("could not load model {path}: {source}")]
    ModelLoad { path: PathBuf, source: ort::Error },
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
    /// ort loads one ONNX Runtime library per process and keeps it.
    #[error(
        "ONNX Runtime is already loaded from {loaded} in this process; cannot switch to {wanted}"
    )]
    OtherLibraryLoaded { loaded: PathBuf, wanted: PathBuf },
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
}

impl Default for SessionOptions {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        SessionOptions {
            intra_threads: cores.min(4),
            spinning: false,
            device: DeviceRequest::Cpu,
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
        const NOT_INSTALLED: &str =
            "the GPU runtime is not installed; run `yomiage setup --gpu` to fetch it";
        match (options.device, gpu) {
            (DeviceRequest::Cpu, _) => Self::init(cpu_library, options, Device::Cpu),
            (DeviceRequest::Cuda, None) => Err(RuntimeError::CudaUnavailable {
                reason: NOT_INSTALLED.into(),
            }),
            (DeviceRequest::Cuda, Some(gpu)) => Self::open_cuda(gpu, options),
            (DeviceRequest::Auto, None) => {
                tracing::info!("device auto: CPU ({NOT_INSTALLED})");
                Self::init(cpu_library, options, Device::Cpu)
            }
            (DeviceRequest::Auto, Some(gpu)) => match Self::open_cuda(gpu, options) {
                Ok(rt) => {
                    tracing::info!("device auto: CUDA");
                    Ok(rt)
                }
                Err(RuntimeError::CudaUnavailable { reason }) => {
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
                return Err(RuntimeError::CudaUnavailable {
                    reason: format!(
                        "{} is missing; run `yomiage setup --gpu` to repair",
                        lib.display()
                    ),
                });
            }
            // From the pinned, verified wheels; they stay loaded for the process.
            ort::util::preload_dylib(lib.as_path()).map_err(|e| RuntimeError::CudaUnavailable {
                reason: format!("cannot load {}: {e}", lib.display()),
            })?;
            tracing::debug!(library = %lib.display(), "preloaded");
        }
        let rt = Self::init(&gpu.library, options, Device::Cuda).map_err(|e| match e {
            e @ RuntimeError::OtherLibraryLoaded { .. } => e,
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

    fn session(&self, path: &Path) -> Result<Mutex<Session>, RuntimeError> {
        if !path.is_file() {
            return Err(RuntimeError::ModelMissing(path.to_owned()));
        }
        let wrap = |source: ort::Error| RuntimeError::ModelLoad {
            path: path.to_owned(),
            source,
        };
        let build = || -> ort::Result<Session> {
            let mut builder = Session::builder(&self.env)?;
            if self.device == Device::Cuda {
                builder = builder.with_execution_providers([cuda_provider()])?;
            }
            builder
                .with_intra_threads(self.options.intra_threads)?
                .with_inter_threads(1)?
                .with_intra_op_spinning(self.options.spinning)?
                .with_optimization_level(GraphOptimizationLevel::Level3)?
                .commit_from_file(path)
        };
        build().map(Mutex::new).map_err(wrap)
    }
}

/// Per-token output of the duration stage (token axis includes the two pad tokens).
#[derive(Debug, Clone)]
pub struct TokenFeatures {
    /// Frames per token after speed and rounding (≥ 1 each).
    pub durations: Vec<u32>,
    /// Durations before speed and rounding, in frames.
    pub raw_durations: Vec<f32>,
    /// Prosody-encoder features, token-major `[tokens][D_DIM]`.
    pub d: Vec<f32>,
    /// Text-encoder features, channel-major `[T_EN_DIM][tokens]`.
    pub t_en: Vec<f32>,
}

pub const D_DIM: usize = 640;
pub const T_EN_DIM: usize = 512;
pub const STYLE_DIM: usize = 256;

fn output<'a>(
    outputs: &'a ort::session::SessionOutputs<'_>,
    stage: &'static str,
    name: &str,
) -> Result<&'a [f32], RuntimeError> {
    let value = outputs.get(name).ok_or_else(|| RuntimeError::Output {
        stage,
        what: format!("no output named {name}"),
    })?;
    value
        .try_extract_tensor::<f32>()
        .map(|(_, data)| data)
        .map_err(|source| RuntimeError::Run { stage, source })
}

/// Durations and encoder features per token (stage "duration").
pub struct DurationModel(Mutex<Session>);
/// F0 and energy from frame-aligned features (stage "prosody").
pub struct ProsodyModel(Mutex<Session>);
/// Frame features, F0 and energy to PCM (stage "decoder").
pub struct DecoderModel(Mutex<Session>);

macro_rules! lock {
    ($m:expr) => {
        // A poisoned lock only means another thread panicked mid-run; the session itself holds
        // no partial state between runs, so it is safe to keep using it.
        $m.0.lock().unwrap_or_else(|p| p.into_inner())
    };
}

fn run_err(stage: &'static str) -> impl Fn(ort::Error) -> RuntimeError {
    move |source| RuntimeError::Run { stage, source }
}

impl DurationModel {
    pub fn load(rt: &OnnxRuntime, path: &Path) -> Result<Self, RuntimeError> {
        rt.session(path).map(DurationModel)
    }

    /// `tokens` must include the pad at each end; `style` has [`STYLE_DIM`] values.
    pub fn run(
        &self,
        tokens: &[i64],
        style: &[f32],
        speed: f32,
    ) -> Result<TokenFeatures, RuntimeError> {
        const STAGE: &str = "duration";
        let n = tokens.len();
        let err = run_err(STAGE);
        let mut session = lock!(self);
        let speed = [speed];
        let inputs = ort::inputs![
            "tokens" => TensorRef::from_array_view(([1usize, n], tokens)).map_err(&err)?,
            "style" => TensorRef::from_array_view(([1usize, STYLE_DIM], style)).map_err(&err)?,
            "speed" => TensorRef::from_array_view(([1usize], &speed[..])).map_err(&err)?,
        ];
        let out = session.run(inputs).map_err(&err)?;
        let durations = output(&out, STAGE, "durations")?;
        let raw = output(&out, STAGE, "raw_durations")?;
        let d = output(&out, STAGE, "d")?;
        let t_en = output(&out, STAGE, "t_en")?;
        if durations.len() != n || d.len() != n * D_DIM || t_en.len() != n * T_EN_DIM {
            return Err(RuntimeError::Output {
                stage: STAGE,
                what: format!("unexpected shapes for {n} tokens"),
            });
        }
        Ok(TokenFeatures {
            // The graph clips to ≥ 1 and rounds, so these are exact small integers.
            durations: durations.iter().map(|&f| f.max(1.0) as u32).collect(),
            raw_durations: raw.to_vec(),
            d: d.to_vec(),
            t_en: t_en.to_vec(),
        })
    }
}

impl ProsodyModel {
    pub fn load(rt: &OnnxRuntime, path: &Path) -> Result<Self, RuntimeError> {
        rt.session(path).map(ProsodyModel)
    }

    /// `d_aligned` is channel-major `[D_DIM][frames]`. Returns (F0 Hz, energy), each 2 per frame.
    pub fn run(
        &self,
        d_aligned: &[f32],
        frames: usize,
        style: &[f32],
    ) -> Result<(Vec<f32>, Vec<f32>), RuntimeError> {
        const STAGE: &str = "prosody";
        let err = run_err(STAGE);
        let mut session = lock!(self);
        let inputs = ort::inputs![
            "d_aligned" => TensorRef::from_array_view(([1usize, D_DIM, frames], d_aligned)).map_err(&err)?,
            "style" => TensorRef::from_array_view(([1usize, STYLE_DIM], style)).map_err(&err)?,
        ];
        let out = session.run(inputs).map_err(&err)?;
        let f0 = output(&out, STAGE, "f0")?.to_vec();
        let energy = output(&out, STAGE, "energy")?.to_vec();
        if f0.len() != 2 * frames || energy.len() != 2 * frames {
            return Err(RuntimeError::Output {
                stage: STAGE,
                what: format!("F0/energy not 2×{frames} long"),
            });
        }
        Ok((f0, energy))
    }
}

impl DecoderModel {
    pub fn load(rt: &OnnxRuntime, path: &Path) -> Result<Self, RuntimeError> {
        rt.session(path).map(DecoderModel)
    }

    /// `asr` is channel-major `[T_EN_DIM][frames]`; `f0`/`energy` have 2 values per frame.
    pub fn run(
        &self,
        asr: &[f32],
        f0: &[f32],
        energy: &[f32],
        frames: usize,
        style: &[f32],
    ) -> Result<Vec<f32>, RuntimeError> {
        const STAGE: &str = "decoder";
        let err = run_err(STAGE);
        let mut session = lock!(self);
        let inputs = ort::inputs![
            "asr" => TensorRef::from_array_view(([1usize, T_EN_DIM, frames], asr)).map_err(&err)?,
            "f0" => TensorRef::from_array_view(([1usize, 2 * frames], f0)).map_err(&err)?,
            "energy" => TensorRef::from_array_view(([1usize, 2 * frames], energy)).map_err(&err)?,
            "style" => TensorRef::from_array_view(([1usize, STYLE_DIM], style)).map_err(&err)?,
        ];
        let out = session.run(inputs).map_err(&err)?;
        Ok(output(&out, STAGE, "audio")?.to_vec())
    }
}

/// The decoder's frame-rate front (float): run once per utterance for streaming.
pub struct DecoderFrontModel(Mutex<Session>);
/// The decoder's waveform generator (float), run on overlapping chunks of the front's output.
pub struct GeneratorModel(Mutex<Session>);

/// Channels of the front's output ("x"), two points per frame.
pub const FRONT_DIM: usize = 512;
/// Harmonics of the generator's sine source (its `phase` input has one value per harmonic).
pub const HARMONICS: usize = 9;

impl DecoderFrontModel {
    pub fn load(rt: &OnnxRuntime, path: &Path) -> Result<Self, RuntimeError> {
        rt.session(path).map(DecoderFrontModel)
    }

    /// Same inputs as [`DecoderModel::run`]; returns channel-major `[FRONT_DIM][2·frames]`.
    pub fn run(
        &self,
        asr: &[f32],
        f0: &[f32],
        energy: &[f32],
        frames: usize,
        style: &[f32],
    ) -> Result<Vec<f32>, RuntimeError> {
        const STAGE: &str = "decoder front";
        let err = run_err(STAGE);
        let mut session = lock!(self);
        let inputs = ort::inputs![
            "asr" => TensorRef::from_array_view(([1usize, T_EN_DIM, frames], asr)).map_err(&err)?,
            "f0" => TensorRef::from_array_view(([1usize, 2 * frames], f0)).map_err(&err)?,
            "energy" => TensorRef::from_array_view(([1usize, 2 * frames], energy)).map_err(&err)?,
            "style" => TensorRef::from_array_view(([1usize, STYLE_DIM], style)).map_err(&err)?,
        ];
        let out = session.run(inputs).map_err(&err)?;
        let x = output(&out, STAGE, "x")?;
        if x.len() != FRONT_DIM * 2 * frames {
            return Err(RuntimeError::Output {
                stage: STAGE,
                what: format!("{} values for {frames} frames", x.len()),
            });
        }
        Ok(x.to_vec())
    }
}

/// Which instance-norm statistics the generator uses.
pub enum NormStats<'a> {
    /// Its own, over the samples it is given (a whole utterance: calibration).
    Own,
    /// Fixed ones (the same for every chunk, so chunks join).
    Fixed(&'a [f32]),
}

fn stats_len(session: &Session) -> usize {
    session
        .inputs()
        .iter()
        .find(|i| i.name() == "norm_stats")
        .and_then(|i| i.dtype().tensor_shape().and_then(|s| s.first().copied()))
        .unwrap_or(0)
        .max(0) as usize
}

impl GeneratorModel {
    pub fn load(rt: &OnnxRuntime, path: &Path) -> Result<Self, RuntimeError> {
        rt.session(path).map(GeneratorModel)
    }

    /// How many statistics `norm_stats` takes (means and variances of every instance norm).
    pub fn stats_len(&self) -> usize {
        stats_len(&lock!(self))
    }

    /// `x` is channel-major `[FRONT_DIM][points]`, `f0` has `points` values (two per frame),
    /// `phase` the sine source's starting phase per harmonic (cycles). Returns the samples
    /// (300 per point) and the statistics it computed.
    pub fn run(
        &self,
        x: &[f32],
        f0: &[f32],
        style: &[f32],
        phase: &[f32; HARMONICS],
        stats: NormStats<'_>,
    ) -> Result<(Vec<f32>, Vec<f32>), RuntimeError> {
        const STAGE: &str = "generator";
        let err = run_err(STAGE);
        let points = f0.len();
        let mut session = lock!(self);
        let (fixed, use_fixed): (&[f32], bool) = match stats {
            NormStats::Own => (&[], false),
            NormStats::Fixed(s) => (s, true),
        };
        // Own statistics still need a tensor to feed; the graph ignores it.
        let n_stats = stats_len(&session);
        let zeros;
        let fixed = if use_fixed {
            fixed
        } else {
            zeros = vec![0.0f32; n_stats];
            &zeros[..]
        };
        let use_fixed = [use_fixed];
        let inputs = ort::inputs![
            "x" => TensorRef::from_array_view(([1usize, FRONT_DIM, points], x)).map_err(&err)?,
            "f0" => TensorRef::from_array_view(([1usize, points], f0)).map_err(&err)?,
            "style" => TensorRef::from_array_view(([1usize, STYLE_DIM], style)).map_err(&err)?,
            "phase" => TensorRef::from_array_view(([1usize, 1, HARMONICS], &phase[..])).map_err(&err)?,
            "norm_stats" => TensorRef::from_array_view(([fixed.len()], fixed)).map_err(&err)?,
            "use_norm_stats" => TensorRef::from_array_view(([1usize], &use_fixed[..])).map_err(&err)?,
        ];
        let out = session.run(inputs).map_err(&err)?;
        let audio = output(&out, STAGE, "audio")?.to_vec();
        let own = output(&out, STAGE, "norm_stats_out")?.to_vec();
        Ok((audio, own))
    }
}

/// The unsplit Kokoro graph, kept to check that the stage models reproduce it and as a
/// baseline in benchmarks; synthesis never uses it.
pub struct WholeModel(Mutex<Session>);

impl WholeModel {
    pub fn load(rt: &OnnxRuntime, path: &Path) -> Result<Self, RuntimeError> {
        rt.session(path).map(WholeModel)
    }

    pub fn run(&self, tokens: &[i64], style: &[f32], speed: f32) -> Result<Vec<f32>, RuntimeError> {
        const STAGE: &str = "whole model";
        let err = run_err(STAGE);
        let mut session = lock!(self);
        let speed = [speed];
        let inputs = ort::inputs![
            "tokens" => TensorRef::from_array_view(([1usize, tokens.len()], tokens)).map_err(&err)?,
            "style" => TensorRef::from_array_view(([1usize, STYLE_DIM], style)).map_err(&err)?,
            "speed" => TensorRef::from_array_view(([1usize], &speed[..])).map_err(&err)?,
        ];
        let out = session.run(inputs).map_err(&err)?;
        Ok(output(&out, STAGE, "audio")?.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_library_is_an_error_that_names_setup() {
        let err = OnnxRuntime::load(
            Path::new("/nonexistent/libonnxruntime.so"),
            SessionOptions::default(),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            err.contains("yomiage setup") && err.contains("/nonexistent"),
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
    fn cuda_without_the_gpu_runtime_is_an_error_naming_setup_gpu() {
        let cpu = Path::new("/nonexistent/libonnxruntime.so.1.32.0");
        match OnnxRuntime::open(cpu, None, on(DeviceRequest::Cuda)) {
            Err(e @ RuntimeError::CudaUnavailable { .. }) => {
                assert!(e.to_string().contains("setup --gpu"), "{e}")
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
            Err(RuntimeError::CudaUnavailable { reason }) => {
                assert!(reason.contains("libcudart.so.13"), "{reason}")
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
