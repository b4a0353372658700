//! The engine: voices, ONNX Runtime sessions, the acoustic model and the synthesis pipeline.
//!
//! Data flows one way: text → [`yomiage_frontend`] (accent phrases, phonemes) → acoustic model
//! (durations, F0, energy) → [`yomiage_vocoder`] (PCM).

pub mod acoustic;
pub mod chunk;
mod norm;
pub mod onnx;
mod output;
pub mod prosody;
pub mod query;
pub mod render;
pub mod sentences;
pub mod stream;
pub mod timeline;
pub mod voice;

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use yomiage_frontend::{AccentPhrase, Frontend, FrontendError};
use yomiage_vocoder::{
    AcousticFrames, ChunkSchedule, Decoder, StreamingDecoder, Vocoder, VocoderError, HARMONICS,
    SAMPLES_PER_FRAME, SAMPLE_RATE,
};
use yomiage_voices::{Layout, Manifest, VoiceId};

use crate::acoustic::AcousticError;
use crate::chunk::chunk_phrases;
use crate::norm::NormModel;
use crate::onnx::{
    DecoderFrontModel, DecoderModel, Device, DurationModel, GeneratorModel, GpuRuntime, NormStats,
    OnnxRuntime, ProsodyModel, RuntimeError, SessionOptions,
};
use crate::prosody::ContourParams;
use crate::render::{LengthScales, Plan};
use crate::stream::PcmShaper;
use crate::timeline::{MoraTiming, PhonemeTiming, Timeline, Viseme};
use crate::voice::{Style, Vocab, VoiceError, MAX_TOKENS};

pub use crate::query::{AudioQuery, CheckedQuery, QueryError};
pub use crate::stream::{CancelToken, StreamEnd, StreamEvent};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the text is empty")]
    EmptyText,
    #[error("the text has nothing speakable (only symbols, emoji or punctuation)")]
    NothingToSay,
    #[error(transparent)]
    Frontend(#[from] FrontendError),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    #[error(transparent)]
    Acoustic(#[from] AcousticError),
    #[error(transparent)]
    Vocoder(#[from] VocoderError),
    #[error(transparent)]
    Voice(#[from] VoiceError),
    #[error("invalid query: {0}")]
    Query(#[from] QueryError),
    #[error("resampling failed: {0}")]
    Resample(String),
}

/// Adapts the ONNX decoder stage to the vocoder crate's interface.
struct OnnxDecoder<'a>(&'a DecoderModel);

impl Decoder for OnnxDecoder<'_> {
    fn decode(&self, f: &AcousticFrames, style: &[f32]) -> Result<Vec<f32>, VocoderError> {
        self.0
            .run(f.asr(), f.f0(), f.energy(), f.frames(), style)
            .map_err(|e| VocoderError::Decoder(Box::new(e)))
    }
}

/// Adapts the streaming pair (front + generator) to the vocoder crate's interface.
struct OnnxStreaming<'a> {
    front: &'a DecoderFrontModel,
    generator: &'a GeneratorModel,
}

impl StreamingDecoder for OnnxStreaming<'_> {
    fn front(&self, f: &AcousticFrames, style: &[f32]) -> Result<Vec<f32>, VocoderError> {
        let t = std::time::Instant::now();
        let x = self
            .front
            .run(f.asr(), f.f0(), f.energy(), f.frames(), style)
            .map_err(|e| VocoderError::Decoder(Box::new(e)))?;
        tracing::debug!(
            frames = f.frames(),
            ms = t.elapsed().as_millis(),
            "decoder front"
        );
        Ok(x)
    }
    fn generate(
        &self,
        x: &[f32],
        f0: &[f32],
        style: &[f32],
        phase: &[f32; HARMONICS],
        stats: &[f32],
    ) -> Result<Vec<f32>, VocoderError> {
        let t = std::time::Instant::now();
        let pcm = self
            .generator
            .run(x, f0, style, phase, NormStats::Fixed(stats))
            .map(|(pcm, _)| pcm)
            .map_err(|e| VocoderError::Decoder(Box::new(e)))?;
        tracing::debug!(
            frames = f0.len() / 2,
            ms = t.elapsed().as_millis(),
            "generator chunk"
        );
        Ok(pcm)
    }
}

/// A model loaded on first use: `synth` never needs the streaming pair and `say` never needs
/// the whole-utterance decoder, so neither pays for loading the other.
struct LazyModel<T> {
    path: PathBuf,
    cell: OnceLock<T>,
    init: Mutex<()>,
}

impl<T> LazyModel<T> {
    fn new(path: PathBuf) -> Result<Self, RuntimeError> {
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

    fn get(&self, load: impl FnOnce(&Path) -> Result<T, RuntimeError>) -> Result<&T, RuntimeError> {
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

/// Where the engine's files are; usually derived from a [`Layout`] and the manifest.
#[derive(Debug, Clone)]
pub struct EnginePaths {
    /// The CPU build of ONNX Runtime.
    pub onnxruntime: PathBuf,
    pub models_dir: PathBuf,
    /// The float decoders (`setup --gpu`).
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
    /// `cuda_libs` (directories, `:`-separated, as in `YOMIAGE_CUDA_LIBS`) takes the CUDA and
    /// cuDNN libraries from there instead, by file name — e.g. a PyTorch install's
    /// `nvidia/cu13/lib` and `nvidia/cudnn/lib` on a machine where the pinned ones cannot be
    /// fetched.
    pub fn with_gpu(
        mut self,
        layout: &Layout,
        manifest: &Manifest,
        cuda_libs: Option<&std::ffi::OsStr>,
    ) -> Self {
        let dir = layout.gpu_dir();
        let external = cuda_libs.filter(|v| !v.is_empty());
        let find = |rel: &String| -> PathBuf {
            let installed = dir.join(rel);
            let (Some(dirs), Some(name)) = (&external, installed.file_name()) else {
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
}

/// Which decoder weights run. The int8 original is the CPU's: ONNX Runtime's CUDA provider
/// lacks its dynamic-quantization kernels, so on CUDA those nodes would bounce back to the CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    Int8,
    /// Dequantized weights (`decoder.f32.onnx`).
    Fp32,
    /// Weighted layers in float16, the rest float32 (`decoder.f16.onnx`).
    Fp16,
}

impl Precision {
    /// int8 on the CPU, float32 on CUDA.
    pub fn default_for(device: Device) -> Self {
        match device {
            Device::Cpu => Precision::Int8,
            Device::Cuda => Precision::Fp32,
        }
    }

    /// The streaming generator: static int8 where the int8 decoder runs on the CPU (about
    /// 1.6x the float one's speed there, with fixed scales so chunks still join), else float.
    fn generator_file(self, device: Device, paths: &EnginePaths) -> PathBuf {
        match (self, device) {
            (Precision::Int8, Device::Cpu) => paths.models_dir.join("generator.int8.onnx"),
            _ => paths.models_dir.join("generator.onnx"),
        }
    }

    fn decoder_file(self, paths: &EnginePaths) -> PathBuf {
        match self {
            Precision::Int8 => paths.models_dir.join("decoder.onnx"),
            Precision::Fp32 => paths.float_models_dir.join("decoder.f32.onnx"),
            Precision::Fp16 => paths.float_models_dir.join("decoder.f16.onnx"),
        }
    }
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Precision::Int8 => "int8",
            Precision::Fp32 => "fp32",
            Precision::Fp16 => "fp16",
        })
    }
}

/// Synthesized speech: interleaved samples in [-1, 1].
#[derive(Debug, Clone)]
pub struct Audio {
    pub samples: Vec<f32>,
    pub sample_rate: u32,
    pub channels: u16,
}

impl Audio {
    pub fn duration_seconds(&self) -> f64 {
        self.samples.len() as f64 / self.channels.max(1) as f64 / self.sample_rate as f64
    }
}

/// Speech and when each mora and phoneme sounds in it.
#[derive(Debug, Clone)]
pub struct Synthesis {
    pub audio: Audio,
    pub timeline: Timeline,
}

/// Options of plain-text synthesis (a query carries its own).
#[derive(Debug, Clone, Copy)]
pub struct SynthesisOptions {
    /// Speaking rate; 1 is the voice's own (VOICEVOX speedScale).
    pub speed: f32,
    /// VOICEVOX pitchScale: mora pitches (ln Hz) × 2^pitch.
    pub pitch: f32,
    /// VOICEVOX intonationScale: deviation from the mean pitch × intonation.
    pub intonation: f32,
    /// VOICEVOX volumeScale.
    pub volume: f32,
    /// Silence between sentences, in seconds.
    pub sentence_pause: f32,
    /// Silence before the first and after the last sound, in seconds (VOICEVOX's
    /// prePhonemeLength / postPhonemeLength defaults).
    pub leading_silence: f32,
    pub trailing_silence: f32,
    pub accent: AccentMode,
}

impl Default for SynthesisOptions {
    fn default() -> Self {
        SynthesisOptions {
            speed: 1.0,
            pitch: 0.0,
            intonation: 1.0,
            volume: 1.0,
            sentence_pause: 0.35,
            leading_silence: 0.1,
            trailing_silence: 0.1,
            accent: AccentMode::Imposed,
        }
    }
}

/// Where mora pitches come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccentMode {
    /// The frontend's accent, written over the model's mean pitch (yomiage's default).
    Imposed,
    /// The voice model's own melody, untouched (for comparison).
    Model,
}

/// Samples quieter than this (−40 dBFS) at a chunk's edges count as silence.
const SILENCE_THRESHOLD: f32 = 0.01;
/// Kept around the first and last loud sample so onsets and releases are not clipped.
const EDGE_MARGIN: f32 = 0.04;
/// The decoder sounds a phoneme about a token before its duration span (shared/notes/model.md).
const SOUND_LEAD: f64 = 0.025;
/// Fade into and out of silence inserted at a pause.
const PAUSE_FADE: f32 = 0.01;
/// F0 points per second (two per 25 ms frame).
const F0_RATE: f32 = 80.0;

/// A loaded engine: models in memory, ready to synthesize. Shareable across threads.
pub struct Engine {
    frontend: Frontend,
    vocab: Vocab,
    duration: DurationModel,
    prosody: ProsodyModel,
    decoder: LazyModel<DecoderModel>,
    front: LazyModel<DecoderFrontModel>,
    generator: LazyModel<GeneratorModel>,
    models_dir: PathBuf,
    styles: Mutex<HashMap<VoiceId, Arc<Style>>>,
    norm_stats: Mutex<HashMap<VoiceId, Arc<NormModel>>>,
    recent: Mutex<RecentAcoustics>,
    contour: ContourParams,
    schedule: ChunkSchedule,
    precision: Precision,
    // Declared last so sessions are dropped before the runtime they were made from.
    runtime: OnnxRuntime,
}

/// One rendered model call: PCM trimmed of its edge silence, and its mora/phoneme timings
/// relative to the first kept sample.
struct RenderedChunk {
    pcm: Vec<f32>,
    timeline: Timeline,
}

impl Engine {
    /// Loads on `session.device` with that device's decoder (see [`Precision::default_for`]).
    pub fn load(paths: &EnginePaths, session: SessionOptions) -> Result<Self, EngineError> {
        Self::load_with(paths, session, None)
    }

    /// [`Engine::load`] with a chosen decoder precision (`None`: the device's default).
    pub fn load_with(
        paths: &EnginePaths,
        session: SessionOptions,
        precision: Option<Precision>,
    ) -> Result<Self, EngineError> {
        // The runtime first: a missing library is the most common set-up fault.
        let runtime = OnnxRuntime::open(&paths.onnxruntime, paths.gpu.as_ref(), session)?;
        let device = runtime.device();
        let precision = precision.unwrap_or(Precision::default_for(device));
        let decoder_file = precision.decoder_file(paths);
        if precision != Precision::Int8 && !decoder_file.is_file() {
            return Err(RuntimeError::FloatModelMissing(decoder_file).into());
        }
        if device == Device::Cuda && precision == Precision::Int8 {
            tracing::warn!("int8 decoder on CUDA: its integer operators run on the CPU");
        }
        tracing::info!(%device, %precision, library = %runtime.library().display(), "engine");
        let frontend = Frontend::load(&paths.dictionary)?;
        let vocab = Vocab::load(&paths.vocab)?;
        let m = &paths.models_dir;
        let duration = DurationModel::load(&runtime, &m.join("duration.onnx"))?;
        let prosody = ProsodyModel::load(&runtime, &m.join("prosody.onnx"))?;
        Ok(Engine {
            frontend,
            vocab,
            duration,
            prosody,
            decoder: LazyModel::new(decoder_file)?,
            front: LazyModel::new(m.join("decoder_front.onnx"))?,
            generator: LazyModel::new(precision.generator_file(device, paths))?,
            models_dir: m.clone(),
            styles: Mutex::new(HashMap::new()),
            norm_stats: Mutex::new(HashMap::new()),
            recent: Mutex::new(RecentAcoustics::default()),
            contour: ContourParams::default(),
            schedule: ChunkSchedule::default(),
            precision,
            runtime,
        })
    }

    /// Drops the remembered acoustic-model results, so the next call on a text it has seen
    /// costs what a new text does (benchmarks repeat one text).
    pub fn forget_recent(&self) {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        *recent = RecentAcoustics::default();
    }

    /// Where the models run (CUDA only if its provider started).
    pub fn device(&self) -> Device {
        self.runtime.device()
    }

    /// The weights of the whole-utterance decoder.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    pub fn frontend(&self) -> &Frontend {
        &self.frontend
    }

    /// Analyses text with these user-dictionary words from now on (see
    /// [`Frontend::set_user_dictionary`]; an empty dictionary removes them).
    pub fn set_user_dictionary(
        &mut self,
        user: &yomiage_frontend::UserDictionary,
    ) -> Result<(), EngineError> {
        self.frontend.set_user_dictionary(user)?;
        Ok(())
    }

    /// Chooses how the frontend decides accent phrases and nuclei (default: learned).
    pub fn set_accent_estimator(&mut self, estimator: yomiage_frontend::AccentEstimator) {
        self.frontend.set_accent_estimator(estimator);
    }

    /// Replaces the accent contour parameters (for tuning and benchmarks).
    pub fn set_contour(&mut self, contour: ContourParams) {
        self.contour = contour;
    }

    /// Replaces the streaming chunk sizes (for tuning and benchmarks).
    pub fn set_chunk_schedule(&mut self, schedule: ChunkSchedule) {
        self.schedule = schedule;
    }

    fn style(&self, voice: &VoiceId) -> Result<Arc<Style>, EngineError> {
        let mut cache = self.styles.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = cache.get(voice) {
            return Ok(s.clone());
        }
        let style = Arc::new(Style::load(&self.models_dir, voice)?);
        cache.insert(voice.clone(), style.clone());
        Ok(style)
    }

    /// Text → AudioQuery: the frontend's phrases with lengths predicted by the voice and
    /// pitches following the accent.
    pub fn audio_query(&self, text: &str, voice: &VoiceId) -> Result<AudioQuery, EngineError> {
        self.audio_query_with(text, voice, AccentMode::Imposed)
    }

    pub fn audio_query_with(
        &self,
        text: &str,
        voice: &VoiceId,
        accent: AccentMode,
    ) -> Result<AudioQuery, EngineError> {
        if text.trim().is_empty() {
            return Err(EngineError::EmptyText);
        }
        let t = std::time::Instant::now();
        let phrases = match self.frontend.analyze(text) {
            Ok(p) if !p.iter().all(|p| p.moras.is_empty()) => p,
            Ok(_) | Err(FrontendError::NothingToSay) => return Err(EngineError::NothingToSay),
            Err(e) => return Err(e.into()),
        };
        let phrases = self.predict(phrases, voice, accent)?;
        tracing::debug!(ms = t.elapsed().as_millis(), "text analysed and predicted");
        Ok(AudioQuery::new(phrases))
    }

    /// Fills mora lengths and pitches for phrases (e.g. from kana or after an accent edit).
    pub fn predict(
        &self,
        mut phrases: Vec<AccentPhrase>,
        voice: &VoiceId,
        accent: AccentMode,
    ) -> Result<Vec<AccentPhrase>, EngineError> {
        let style = self.style(voice)?;
        for chunk in chunk_phrases(&phrases, MAX_TOKENS) {
            let mut local = chunk.phrases;
            let plan = Plan::new(&local, &self.vocab);
            let style = style.for_tokens(plan.token_count());
            let features = self.token_features(&plan.ids, style)?;
            render::fill_lengths(&mut local, &plan, &features.raw_durations);
            let frames = self.acoustic_frames(&plan.ids, &features, &features.durations, style)?;
            let (spans, _) = render::mora_frames(&local, &plan, &features.durations);
            for (p, (phrase, spans)) in local.iter_mut().zip(spans).enumerate() {
                for (mora, span) in phrase.moras.iter_mut().zip(spans) {
                    let unvoiced = mora.is_devoiced() || mora.vowel == "cl";
                    mora.pitch = match span.f0_span() {
                        Some(s) if !unvoiced => {
                            prosody::mean_ln_f0(frames.f0(), s.vowel).unwrap_or(0.0)
                        }
                        _ => 0.0,
                    };
                }
                // Write back into the caller's phrase (a cut phrase comes back piece by piece).
                let (orig, offset) = chunk.origin[p];
                if let Some(target) = phrases.get_mut(orig) {
                    for (k, m) in phrase.moras.iter().enumerate() {
                        if let Some(t) = target.moras.get_mut(offset + k) {
                            *t = m.clone();
                        }
                    }
                    if let (Some(src), Some(dst)) = (&phrase.pause_mora, target.pause_mora.as_mut())
                    {
                        *dst = src.clone();
                    }
                }
            }
        }
        if accent == AccentMode::Imposed {
            prosody::impose_accent(&mut phrases, &self.contour);
        }
        Ok(phrases)
    }

    /// Renders a checked query: its lengths, pitches and scales, as VOICEVOX defines them.
    pub fn synthesize(
        &self,
        query: &CheckedQuery,
        voice: &VoiceId,
    ) -> Result<Synthesis, EngineError> {
        let q = query.get();
        let style = self.style(voice)?;
        let scales = LengthScales {
            speed: q.speed_scale,
            pause_length: q.pause_length,
            pause_scale: q.pause_length_scale,
        };
        let phrases = scaled_phrases(q);
        let mut pcm: Vec<f32> = vec![0.0; seconds_to_samples(q.pre_phoneme_length)];
        let mut timeline = Timeline::default();
        let chunks = chunk_phrases(&phrases, MAX_TOKENS);
        for (i, chunk) in chunks.iter().enumerate() {
            let rendered = self.render_chunk(chunk, &style, &scales)?;
            let at = pcm.len() as f64 / SAMPLE_RATE as f64;
            let mut t = rendered.timeline;
            renumber(&mut t, chunk, 0);
            timeline.append(t, at, 0);
            pcm.extend_from_slice(&rendered.pcm);
            if i + 1 < chunks.len() {
                // The pause at a cut was trimmed with the chunk's edge silence: put it back.
                let pause = chunk
                    .phrases
                    .last()
                    .and_then(|p| p.pause_mora.as_ref())
                    .map_or(0.0, |p| {
                        q.pause_length.unwrap_or(p.vowel_length) * q.pause_length_scale
                            / q.speed_scale
                    });
                pcm.resize(pcm.len() + seconds_to_samples(pause), 0.0);
            }
        }
        pcm.resize(pcm.len() + seconds_to_samples(q.post_phoneme_length), 0.0);
        for s in &mut pcm {
            *s *= q.volume_scale;
        }
        let audio = output::finish(pcm, q.output_sampling_rate, q.output_stereo)
            .map_err(EngineError::Resample)?;
        Ok(Synthesis { audio, timeline })
    }

    /// The duration stage, remembered for the last few token sequences: a text's query and
    /// its rendering run it on the same tokens, and the second run is on the path to the first
    /// streamed sound.
    fn token_features(
        &self,
        ids: &[i64],
        style: &[f32],
    ) -> Result<Arc<onnx::TokenFeatures>, EngineError> {
        let key = (
            ids.to_vec(),
            style.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        );
        let mut cache = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, f)) = cache.features.iter().find(|(k, _)| *k == key) {
            return Ok(f.clone());
        }
        drop(cache);
        let f = Arc::new(acoustic::token_features(&self.duration, ids, style, 1.0)?);
        cache = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        remember(&mut cache.features, (key, f.clone()));
        Ok(f)
    }

    /// The prosody stage, remembered like [`Engine::token_features`] (keyed by durations too).
    fn acoustic_frames(
        &self,
        ids: &[i64],
        features: &onnx::TokenFeatures,
        durations: &[u32],
        style: &[f32],
    ) -> Result<AcousticFrames, EngineError> {
        let key = (
            ids.to_vec(),
            durations.to_vec(),
            style.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        );
        let mut cache = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, f)) = cache.frames.iter().find(|(k, _)| *k == key) {
            return Ok(f.clone());
        }
        drop(cache);
        let f = acoustic::frames(&self.prosody, features, durations, style)?;
        cache = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        remember(&mut cache.frames, (key, f.clone()));
        Ok(f)
    }

    /// Durations, F0 with the accent imposed, and where pauses get silence, for one model call.
    fn prepare_chunk(
        &self,
        chunk: &chunk::Chunk,
        style: &Style,
        scales: &LengthScales,
    ) -> Result<PreparedChunk, EngineError> {
        let plan = Plan::new(&chunk.phrases, &self.vocab);
        let style = style.for_tokens(plan.token_count()).to_vec();
        let features = self.token_features(&plan.ids, &style)?;
        let render::Durations {
            frames: durations,
            silences,
        } = render::durations_for(&chunk.phrases, &plan, &features.raw_durations, scales);
        let mut frames = self.acoustic_frames(&plan.ids, &features, &durations, &style)?;
        let (mora_frames, pause_frames) = render::mora_frames(&chunk.phrases, &plan, &durations);
        let mut spans = Vec::new();
        let mut targets = Vec::new();
        for (phrase, frames_of) in chunk.phrases.iter().zip(&mora_frames) {
            for (m, f) in phrase.moras.iter().zip(frames_of) {
                if let Some(span) = f.f0_span() {
                    spans.push(span);
                    targets.push((m.pitch > 0.0).then_some(m.pitch));
                }
            }
        }
        prosody::impose_targets(
            frames.f0_mut(),
            &spans,
            &targets,
            self.contour.detail,
            self.contour.smoothing,
            F0_RATE,
        );
        let total = frames.frames() * SAMPLES_PER_FRAME;
        let token_ends = render::token_frames(&durations);
        let inserts: Vec<(usize, usize)> = silences
            .iter()
            .filter_map(|&(token, secs)| {
                let at = token_ends.get(token)?.end * SAMPLES_PER_FRAME;
                Some((at.min(total), seconds_to_samples(secs)))
            })
            .collect();
        // The sound lies between the first and the last mora; the pad and final-punctuation
        // tokens around it render as silence that is trimmed anyway, so streaming skips them.
        let moras = mora_frames.iter().flatten().filter_map(|f| f.whole());
        let (first, last) = moras.fold((usize::MAX, 0), |(a, b), r| (a.min(r.start), b.max(r.end)));
        let sound = if first == usize::MAX {
            0..frames.frames()
        } else {
            first.saturating_sub(EDGE_FRAMES)..(last + EDGE_FRAMES).min(frames.frames())
        };
        Ok(PreparedChunk {
            phrases: chunk.phrases.clone(),
            frames,
            style,
            inserts,
            mora_frames,
            pause_frames,
            sound,
        })
    }

    fn render_chunk(
        &self,
        chunk: &chunk::Chunk,
        style: &Style,
        scales: &LengthScales,
    ) -> Result<RenderedChunk, EngineError> {
        let prepared = self.prepare_chunk(chunk, style, scales)?;
        let decoder = self.decoder.get(|p| DecoderModel::load(&self.runtime, p))?;
        let voiced =
            Vocoder::new(OnnxDecoder(decoder)).render(&prepared.frames, &prepared.style)?;
        let mut shaper = prepared.shaper(0);
        let mut pcm = shaper.push(&voiced);
        pcm.extend(shaper.finish());
        // The model often gives a final vowel frames that it renders as fading silence; the
        // timeline ends where the sound ends, so lip-sync closes the mouth with the audio.
        let audible = pcm.len().saturating_sub(seconds_to_samples(EDGE_MARGIN));
        let timeline = prepared.timeline(shaper.start().unwrap_or(0), audible);
        Ok(RenderedChunk { pcm, timeline })
    }

    /// Whether `voice` can stream without first calibrating (see [`Engine::prepare_streaming`]).
    pub fn streaming_ready(&self, voice: &VoiceId) -> bool {
        let cached = self.norm_stats.lock().unwrap_or_else(|p| p.into_inner());
        cached.contains_key(voice) || self.norm_stats_path(voice).is_file()
    }

    /// Loads (or, the first time for a voice, computes and keeps) what streaming needs: both
    /// streaming sessions and the voice's statistics. Safe to call from a second thread while
    /// the first text is analysed, which hides most of the session loading from a cold start.
    pub fn prepare_streaming(&self, voice: &VoiceId) -> Result<(), EngineError> {
        self.front
            .get(|p| DecoderFrontModel::load(&self.runtime, p))?;
        self.norm_stats(voice).map(|_| ())
    }

    /// One per voice and generator: the int8 and float generators have their own statistics.
    fn norm_stats_path(&self, voice: &VoiceId) -> PathBuf {
        let generator = self
            .generator
            .path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        self.models_dir
            .join("streaming")
            .join(format!("{}.{generator}.norm-model.f32", voice.name()))
    }

    /// The instance-norm statistics model the streaming generator uses for `voice` (see
    /// `norm.rs`), fitted once on whole-utterance decodes of built-in sentences and kept beside
    /// the models (a new conversion removes it with the models).
    fn norm_stats(&self, voice: &VoiceId) -> Result<Arc<NormModel>, EngineError> {
        let mut cache = self.norm_stats.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = cache.get(voice) {
            return Ok(s.clone());
        }
        let generator = self
            .generator
            .get(|p| GeneratorModel::load(&self.runtime, p))?;
        let want = generator.stats_len();
        let path = self.norm_stats_path(voice);
        let model = match read_f32s(&path).and_then(|v| NormModel::from_f32s(&v, want)) {
            Some(m) => m,
            None => {
                let m = self.calibrate(voice, generator)?;
                let bytes: Vec<u8> = m.to_f32s().iter().flat_map(|v| v.to_le_bytes()).collect();
                if let Err(e) = yomiage_files::write_atomic(&path, &bytes) {
                    tracing::warn!(
                        "could not keep the streaming statistics in {}: {e}",
                        path.display()
                    );
                }
                m
            }
        };
        let model = Arc::new(model);
        cache.insert(voice.clone(), model.clone());
        Ok(model)
    }

    fn calibrate(
        &self,
        voice: &VoiceId,
        generator: &GeneratorModel,
    ) -> Result<NormModel, EngineError> {
        tracing::info!("calibrating streaming statistics for {}", voice.name());
        let front = self
            .front
            .get(|p| DecoderFrontModel::load(&self.runtime, p))?;
        let style = self.style(voice)?;
        let scales = LengthScales {
            speed: 1.0,
            pause_length: None,
            pause_scale: 1.0,
        };
        let mut samples = Vec::new();
        for text in CALIBRATION_TEXTS {
            let query = self.audio_query(text, voice)?;
            for chunk in chunk_phrases(&query.accent_phrases, MAX_TOKENS) {
                let p = self.prepare_chunk(&chunk, &style, &scales)?;
                let f = &p.frames;
                let x = front.run(f.asr(), f.f0(), f.energy(), f.frames(), &p.style)?;
                let (_, stats) =
                    generator.run(&x, f.f0(), &p.style, &[0.0; HARMONICS], NormStats::Own)?;
                samples.push((p.speech_share(), stats));
            }
        }
        NormModel::fit(&samples).ok_or_else(|| {
            EngineError::Vocoder(VocoderError::Shape(
                "calibration produced no statistics".into(),
            ))
        })
    }

    /// The first model call of `query` decoded four ways, for measuring the streaming scheme:
    /// chunked with `schedule` (as streamed), whole with the same fixed statistics, whole with
    /// its own statistics (the streaming generator, int8 or float), and the whole-utterance
    /// decoder that [`Engine::synthesize`] uses (int8 on the CPU by default, see
    /// [`Precision`]). No edge trimming or pause silence; the same frames for all.
    pub fn decode_variants(
        &self,
        query: &CheckedQuery,
        voice: &VoiceId,
        schedule: &ChunkSchedule,
    ) -> Result<DecodeVariants, EngineError> {
        let q = query.get();
        let style = self.style(voice)?;
        let norm = self.norm_stats(voice)?;
        let scales = LengthScales {
            speed: q.speed_scale,
            pause_length: q.pause_length,
            pause_scale: q.pause_length_scale,
        };
        let phrases = scaled_phrases(q);
        let chunk = chunk_phrases(&phrases, MAX_TOKENS)
            .into_iter()
            .next()
            .ok_or(EngineError::NothingToSay)?;
        let p = self.prepare_chunk(&chunk, &style, &scales)?;
        let stats = norm.at(p.speech_share());
        let front = self
            .front
            .get(|path| DecoderFrontModel::load(&self.runtime, path))?;
        let generator = self
            .generator
            .get(|path| GeneratorModel::load(&self.runtime, path))?;
        let f = &p.frames;
        let n = f.frames();
        let mut chunked = Vec::new();
        yomiage_vocoder::stream(
            &OnnxStreaming { front, generator },
            f,
            &p.style,
            &stats,
            schedule,
            0..n,
            |pcm| {
                chunked.extend_from_slice(pcm);
                ControlFlow::Continue(())
            },
        )?;
        let x = front.run(f.asr(), f.f0(), f.energy(), n, &p.style)?;
        let zero = [0.0; HARMONICS];
        let (whole_fixed, _) =
            generator.run(&x, f.f0(), &p.style, &zero, NormStats::Fixed(&stats))?;
        let (whole_own, _) = generator.run(&x, f.f0(), &p.style, &zero, NormStats::Own)?;
        let decoder = self
            .decoder
            .get(|path| DecoderModel::load(&self.runtime, path))?;
        let whole_int8 = Vocoder::new(OnnxDecoder(decoder)).render(f, &p.style)?;
        let joins = schedule
            .chunks(0..n)
            .iter()
            .skip(1)
            .map(|c| c.start * SAMPLES_PER_FRAME)
            .collect();
        Ok(DecodeVariants {
            chunked,
            whole_fixed,
            whole_own,
            whole_int8,
            joins,
        })
    }

    /// Renders a checked query as a stream of [`StreamEvent`]s: the first audio comes after
    /// the acoustic model, the decoder front and one small generator chunk, not after the
    /// whole utterance. `sink` returning `Break`, or `cancel`, stops it within one chunk.
    /// The stream is 24 kHz mono; the query's output rate and stereo apply to [`Engine::synthesize`].
    pub fn stream(
        &self,
        query: &CheckedQuery,
        voice: &VoiceId,
        cancel: &CancelToken,
        sink: &mut dyn FnMut(StreamEvent) -> ControlFlow<()>,
    ) -> Result<StreamEnd, EngineError> {
        let mut out = StreamOut::new(sink, cancel);
        self.stream_query(query, voice, &mut out, 0)?;
        Ok(out.end())
    }

    /// Text as a stream, sentence by sentence (see [`Engine::synthesize_text`] for the options).
    pub fn stream_text(
        &self,
        text: &str,
        voice: &VoiceId,
        opts: &SynthesisOptions,
        cancel: &CancelToken,
        sink: &mut dyn FnMut(StreamEvent) -> ControlFlow<()>,
    ) -> Result<StreamEnd, EngineError> {
        if text.trim().is_empty() {
            return Err(EngineError::EmptyText);
        }
        let mut out = StreamOut::new(sink, cancel);
        let mut phrase_offset = 0;
        let mut spoken = false;
        for (index, sentence) in sentences::split_sentences(text).into_iter().enumerate() {
            if out.stopped() {
                break;
            }
            let mut query = match self.audio_query_with(sentence, voice, opts.accent) {
                Ok(q) => q,
                Err(EngineError::NothingToSay | EngineError::EmptyText) => continue,
                Err(e) => return Err(e),
            };
            out.send(StreamEvent::Sentence {
                index,
                text: sentence.to_owned(),
            });
            query.speed_scale = opts.speed;
            query.pitch_scale = opts.pitch;
            query.intonation_scale = opts.intonation;
            query.volume_scale = opts.volume;
            query.pre_phoneme_length = if spoken {
                opts.sentence_pause
            } else {
                opts.leading_silence
            };
            query.post_phoneme_length = 0.0;
            let n_phrases = query.accent_phrases.len();
            self.stream_query(&query.check()?, voice, &mut out, phrase_offset)?;
            phrase_offset += n_phrases;
            spoken = true;
        }
        if !spoken {
            return Err(EngineError::NothingToSay);
        }
        out.audio(vec![0.0; seconds_to_samples(opts.trailing_silence)]);
        Ok(out.end())
    }

    fn stream_query(
        &self,
        query: &CheckedQuery,
        voice: &VoiceId,
        out: &mut StreamOut<'_>,
        phrase_offset: usize,
    ) -> Result<(), EngineError> {
        let q = query.get();
        let style = self.style(voice)?;
        let norm = self.norm_stats(voice)?;
        let front = self
            .front
            .get(|p| DecoderFrontModel::load(&self.runtime, p))?;
        let generator = self
            .generator
            .get(|p| GeneratorModel::load(&self.runtime, p))?;
        let decoder = OnnxStreaming { front, generator };
        let scales = LengthScales {
            speed: q.speed_scale,
            pause_length: q.pause_length,
            pause_scale: q.pause_length_scale,
        };
        let phrases = scaled_phrases(q);
        let volume = q.volume_scale;
        out.audio(vec![0.0; seconds_to_samples(q.pre_phoneme_length)]);
        let chunks = chunk_phrases(&phrases, MAX_TOKENS);
        for (i, chunk) in chunks.iter().enumerate() {
            if out.stopped() {
                return Ok(());
            }
            let prepared = self.prepare_chunk(chunk, &style, &scales)?;
            let stats = norm.at(prepared.speech_share());
            let origin = prepared.sound.start * SAMPLES_PER_FRAME;
            let mut shaper = prepared.shaper(origin);
            let chunk_start = out.samples;
            let mut timeline_sent = false;
            // Where the last timed mora ends (samples in the stream), once the timings are out.
            let mut promised_end = 0usize;
            // Timings go out as soon as the first kept sample is known, before its audio.
            let mut emit = |pcm: Vec<f32>, shaper: &PcmShaper, out: &mut StreamOut<'_>| {
                if !timeline_sent {
                    if let Some(start) = shaper.start() {
                        let kept_end = prepared.spliced_len() - origin - start;
                        let mut t = prepared.timeline(origin + start, kept_end);
                        renumber(&mut t, chunk, phrase_offset);
                        let mut all = Timeline::default();
                        all.append(t, chunk_start as f64 / SAMPLE_RATE as f64, 0);
                        let last = all.moras.iter().map(|m| m.end).fold(0.0, f64::max);
                        promised_end = (last * f64::from(SAMPLE_RATE)).ceil() as usize;
                        out.send(StreamEvent::Timeline(all));
                        timeline_sent = true;
                    }
                }
                if !pcm.is_empty() {
                    out.audio(pcm.into_iter().map(|s| s * volume).collect());
                }
            };
            let cancel = out.cancel.clone();
            let mut stopped = false;
            let finished = yomiage_vocoder::stream(
                &decoder,
                &prepared.frames,
                &prepared.style,
                &stats,
                &self.schedule,
                prepared.sound.clone(),
                |pcm| {
                    let shaped = shaper.push(pcm);
                    emit(shaped, &shaper, out);
                    if out.stopped() || cancel.is_cancelled() {
                        stopped = true;
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                },
            )?;
            if !finished || stopped {
                out.stop();
                return Ok(());
            }
            let rest = shaper.finish();
            emit(rest, &shaper, out);
            // The timings went out before the tail was trimmed, so a sentence's last mora may
            // be announced to end a little after its sound fades (the whole path clamps it).
            if promised_end > out.samples {
                tracing::debug!(
                    "last mora announced {} samples past the audible end",
                    promised_end - out.samples
                );
            }
            if i + 1 < chunks.len() {
                let pause = chunk
                    .phrases
                    .last()
                    .and_then(|p| p.pause_mora.as_ref())
                    .map_or(0.0, |p| {
                        q.pause_length.unwrap_or(p.vowel_length) * q.pause_length_scale
                            / q.speed_scale
                    });
                out.audio(vec![0.0; seconds_to_samples(pause)]);
            }
        }
        out.audio(vec![0.0; seconds_to_samples(q.post_phoneme_length)]);
        Ok(())
    }

    /// Text to speech: sentence by sentence, each through [`Engine::audio_query_with`] and
    /// [`Engine::synthesize`], joined by `sentence_pause`.
    pub fn synthesize_text(
        &self,
        text: &str,
        voice: &VoiceId,
        opts: &SynthesisOptions,
    ) -> Result<Synthesis, EngineError> {
        if text.trim().is_empty() {
            return Err(EngineError::EmptyText);
        }
        let sentences = sentences::split_sentences(text);
        let mut pcm: Vec<f32> = vec![0.0; seconds_to_samples(opts.leading_silence)];
        let mut timeline = Timeline::default();
        let mut phrase_offset = 0;
        let mut spoken = false;
        for sentence in sentences {
            let mut query = match self.audio_query_with(sentence, voice, opts.accent) {
                Ok(q) => q,
                Err(EngineError::NothingToSay | EngineError::EmptyText) => continue,
                Err(e) => return Err(e),
            };
            if spoken {
                pcm.resize(pcm.len() + seconds_to_samples(opts.sentence_pause), 0.0);
            }
            query.speed_scale = opts.speed;
            query.pitch_scale = opts.pitch;
            query.intonation_scale = opts.intonation;
            query.volume_scale = opts.volume;
            query.pre_phoneme_length = 0.0;
            query.post_phoneme_length = 0.0;
            let n_phrases = query.accent_phrases.len();
            let s = self.synthesize(&query.check()?, voice)?;
            timeline.append(
                s.timeline,
                pcm.len() as f64 / SAMPLE_RATE as f64,
                phrase_offset,
            );
            phrase_offset += n_phrases;
            pcm.extend_from_slice(&s.audio.samples);
            spoken = true;
        }
        if !spoken {
            return Err(EngineError::NothingToSay);
        }
        pcm.resize(pcm.len() + seconds_to_samples(opts.trailing_silence), 0.0);
        Ok(Synthesis {
            audio: Audio {
                samples: pcm,
                sample_rate: SAMPLE_RATE,
                channels: 1,
            },
            timeline,
        })
    }
}

fn seconds_to_samples(s: f32) -> usize {
    (s.max(0.0) * SAMPLE_RATE as f32).round() as usize
}

/// The query's phrases with its pitch and intonation scales applied (to all voiced moras at
/// once, as VOICEVOX does).
fn scaled_phrases(q: &AudioQuery) -> Vec<AccentPhrase> {
    let mut pitches: Vec<f32> = q
        .accent_phrases
        .iter()
        .flat_map(|p| p.moras.iter().map(|m| m.pitch))
        .collect();
    prosody::scale_pitches(&mut pitches, q.intonation_scale, q.pitch_scale);
    let mut phrases = q.accent_phrases.clone();
    for (m, p) in phrases
        .iter_mut()
        .flat_map(|ph| ph.moras.iter_mut())
        .zip(pitches)
    {
        m.pitch = p;
    }
    phrases
}

/// Numbers a model call's timeline as in the query (plus `phrase_offset` for earlier sentences).
fn renumber(t: &mut Timeline, chunk: &chunk::Chunk, phrase_offset: usize) {
    for m in &mut t.moras {
        let (orig, offset) = chunk.origin[m.phrase];
        m.phrase = orig + phrase_offset;
        m.mora += offset;
    }
}

/// Frames kept around the first and last mora when streaming: the decoder sounds a phoneme
/// about a token early, and the trimming margin needs room.
const EDGE_FRAMES: usize = 4;

/// Built-in sentences for calibrating the streaming statistics: varied lengths, both voicing
/// classes, a question and pauses.
const CALIBRATION_TEXTS: [&str; 9] = [
    "はい。",
    "ええ、そうです。",
    "ありがとう。",
    "おはようございます。",
    "本日は晴天なり、明日の天気は雨のち曇りでしょう。",
    "はい、わかりました。",
    "彼女は静かに窓の外を眺めながら、遠い昔の夏の日のことを思い出していた。",
    "えっ、本当ですか？それは知りませんでした。",
    "東京駅から新幹線に乗って、大阪まで二時間半ほどかかります。",
];

type FeatureKey = (Vec<i64>, Vec<u32>);
type FramesKey = (Vec<i64>, Vec<u32>, Vec<u32>);

/// The last few acoustic-model results (see [`Engine::token_features`]).
#[derive(Default)]
struct RecentAcoustics {
    features: std::collections::VecDeque<(FeatureKey, Arc<onnx::TokenFeatures>)>,
    frames: std::collections::VecDeque<(FramesKey, AcousticFrames)>,
}

/// Keeps at most four entries, newest first.
fn remember<T>(list: &mut std::collections::VecDeque<T>, item: T) {
    list.push_front(item);
    list.truncate(4);
}

/// See [`Engine::decode_variants`]. All at 24 kHz, the same length.
#[derive(Debug, Clone)]
pub struct DecodeVariants {
    pub chunked: Vec<f32>,
    pub whole_fixed: Vec<f32>,
    pub whole_own: Vec<f32>,
    pub whole_int8: Vec<f32>,
    /// Sample positions where one chunk ends and the next begins.
    pub joins: Vec<usize>,
}

/// One model call, ready to decode.
struct PreparedChunk {
    phrases: Vec<AccentPhrase>,
    frames: AcousticFrames,
    style: Vec<f32>,
    /// (position in the decoder's samples, samples of silence) at pauses.
    inserts: Vec<(usize, usize)>,
    mora_frames: Vec<Vec<render::MoraFrames>>,
    pause_frames: Vec<Option<std::ops::Range<usize>>>,
    /// Frames that hold sound (the streaming path decodes only these).
    sound: std::ops::Range<usize>,
}

impl PreparedChunk {
    fn shaper(&self, origin: usize) -> PcmShaper {
        PcmShaper::new(
            origin,
            &self.inserts,
            seconds_to_samples(PAUSE_FADE),
            SILENCE_THRESHOLD,
            seconds_to_samples(EDGE_MARGIN),
        )
    }

    /// Share of the frames that belong to moras (the rest is pad, punctuation and pause): what
    /// the generator's statistics depend on most (see `norm.rs`).
    fn speech_share(&self) -> f64 {
        let n = self.frames.frames().max(1);
        let mut covered = vec![false; n];
        for r in self.mora_frames.iter().flatten().filter_map(|m| m.whole()) {
            for c in covered.iter_mut().take(r.end.min(n)).skip(r.start) {
                *c = true;
            }
        }
        covered.iter().filter(|&&c| c).count() as f64 / n as f64
    }

    /// Samples up to the end of the sound, silences included (the streaming timeline's limit).
    fn spliced_len(&self) -> usize {
        self.sound.end * SAMPLES_PER_FRAME + self.inserts.iter().map(|&(_, n)| n).sum::<usize>()
    }

    /// Timings relative to the sample `trimmed` (in spliced coordinates), clamped to `audible`
    /// samples after it.
    fn timeline(&self, trimmed: usize, audible: usize) -> Timeline {
        chunk_timeline(
            &self.phrases,
            &self.mora_frames,
            &self.pause_frames,
            trimmed,
            audible as f64 / SAMPLE_RATE as f64,
            &self.inserts,
        )
    }
}

/// Where stream events go, with the sample count and whether to stop.
struct StreamOut<'a> {
    sink: &'a mut dyn FnMut(StreamEvent) -> ControlFlow<()>,
    cancel: CancelToken,
    samples: usize,
    stopped: bool,
}

impl<'a> StreamOut<'a> {
    fn new(sink: &'a mut dyn FnMut(StreamEvent) -> ControlFlow<()>, cancel: &CancelToken) -> Self {
        StreamOut {
            sink,
            cancel: cancel.clone(),
            samples: 0,
            stopped: false,
        }
    }
    fn stopped(&self) -> bool {
        self.stopped || self.cancel.is_cancelled()
    }
    fn stop(&mut self) {
        self.stopped = true;
    }
    fn send(&mut self, event: StreamEvent) {
        if !self.stopped() && (self.sink)(event).is_break() {
            self.stopped = true;
        }
    }
    fn audio(&mut self, pcm: Vec<f32>) {
        if pcm.is_empty() || self.stopped() {
            return;
        }
        let n = pcm.len();
        self.send(StreamEvent::Audio(pcm));
        self.samples += n;
    }
    fn end(&self) -> StreamEnd {
        StreamEnd {
            samples: self.samples,
            completed: !self.stopped(),
        }
    }
}

fn read_f32s(path: &Path) -> Option<Vec<f32>> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.len() % 4 != 0 {
        return None;
    }
    Some(
        bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
    )
}

/// Mora and phoneme times of one chunk, relative to its first kept sample.
fn chunk_timeline(
    phrases: &[AccentPhrase],
    mora_frames: &[Vec<render::MoraFrames>],
    pause_frames: &[Option<std::ops::Range<usize>>],
    trimmed: usize,
    audible: f64,
    inserts: &[(usize, usize)],
) -> Timeline {
    let secs = |frame: usize| {
        let at = frame * SAMPLES_PER_FRAME;
        let inserted: usize = inserts
            .iter()
            .filter(|&&(pos, _)| pos <= at)
            .map(|&(_, n)| n)
            .sum();
        let t = (at + inserted) as f64 / SAMPLE_RATE as f64
            - trimmed as f64 / SAMPLE_RATE as f64
            - SOUND_LEAD;
        t.clamp(0.0, audible)
    };
    let mut timeline = Timeline::default();
    for (p, (phrase, frames)) in phrases.iter().zip(mora_frames).enumerate() {
        for (k, (mora, f)) in phrase.moras.iter().zip(frames).enumerate() {
            let Some(whole) = f.whole() else { continue };
            let vowel_viseme = Viseme::of_vowel(&mora.vowel);
            timeline.moras.push(MoraTiming {
                phrase: p,
                mora: k,
                text: mora.text.clone(),
                start: secs(whole.start),
                end: secs(whole.end),
                viseme: vowel_viseme,
            });
            if let (Some(c), Some(name)) = (&f.consonant, &mora.consonant) {
                timeline.phonemes.push(PhonemeTiming {
                    phoneme: name.clone(),
                    start: secs(c.start),
                    end: secs(c.end),
                    viseme: Viseme::of_consonant(name, &mora.vowel),
                });
            }
            if let Some(v) = &f.vowel {
                timeline.phonemes.push(PhonemeTiming {
                    phoneme: mora.vowel.clone(),
                    start: secs(v.start),
                    end: secs(v.end),
                    viseme: vowel_viseme,
                });
            }
        }
        if let Some(Some(r)) = pause_frames.get(p) {
            timeline.phonemes.push(PhonemeTiming {
                phoneme: "pau".into(),
                start: secs(r.start),
                end: secs(r.end),
                viseme: Viseme::Closed,
            });
        }
    }
    timeline
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insert_silences(pcm: Vec<f32>, inserts: &[(usize, usize)]) -> Vec<f32> {
        // a threshold below zero keeps every sample: splicing only
        let mut s = PcmShaper::new(0, inserts, seconds_to_samples(PAUSE_FADE), -1.0, 0);
        let mut out = s.push(&pcm);
        out.extend(s.finish());
        out
    }

    #[test]
    fn silences_go_where_asked_and_fade_in_and_out() {
        let pcm = vec![1.0f32; 10_000];
        let out = insert_silences(pcm, &[(4_000, 2_400), (8_000, 1_200)]);
        assert_eq!(out.len(), 10_000 + 2_400 + 1_200);
        assert!(out[4_000..6_400].iter().all(|&s| s == 0.0));
        assert!(out[10_400..11_600].iter().all(|&s| s == 0.0));
        // Untouched away from the cuts, and no jump anywhere larger than a fade step.
        assert_eq!(out[1_000], 1.0);
        assert_eq!(out[7_500], 1.0);
        let fade = seconds_to_samples(PAUSE_FADE) as f32;
        let max_step = out
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max);
        assert!(max_step < 4.0 / fade, "step {max_step}");
        assert_eq!(insert_silences(vec![0.5; 10], &[]), vec![0.5; 10]);
    }
}
