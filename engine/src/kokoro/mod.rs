//! The voice model's adapter: Kokoro-82M cut into duration, prosody and decoder stages.
//!
//! Everything that knows Kokoro lives here: its stage graphs ([`stages`]), its vocabulary and
//! voice styles, its phoneme characters for OpenJTalk's moras ([`phonemes`]), how moras become
//! its tokens and back ([`plan`]), its 510-token limit
//! ([`chunk`]), which decoder weights run ([`Precision`]), and the streaming generator's
//! instance-norm calibration ([`norm`]). The engine above sees moras, frames, F0 and PCM.
//! A second model family would sit beside this module with the same surface: `predict`,
//! `acoustics`, `decode` and the streaming decoder.

pub mod acoustic;
pub mod chunk;
mod decoders;
mod lazy;
pub mod norm;
pub mod phonemes;
pub mod plan;
pub mod stages;
pub mod voice;

use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use yomiage_frontend::{AccentPhrase, Vowel};
use yomiage_vocoder::{AcousticFrames, Vocoder, VocoderError, HARMONICS};
use yomiage_voices::VoiceId;

use crate::error::EngineError;
use crate::onnx::{Device, OnnxRuntime, RuntimeError};
use crate::prosody;
use decoders::OnnxDecoder;
pub(crate) use decoders::OnnxStreaming;
use lazy::LazyModel;
use norm::NormModel;
use plan::{LengthScales, MoraFrames, Plan};
use stages::{
    DecoderFrontModel, DecoderModel, DurationModel, GeneratorModel, NormStats, ProsodyModel,
    TokenFeatures,
};
use voice::{Style, Vocab, MAX_TOKENS};

/// The streaming statistics' calibration, in the file name of what it fitted: a new conversion
/// removes the files with the models, but a change of what calibration computes (its
/// sentences, the query's prediction) must not reuse statistics fitted by the old one.
/// 2: prosody predicted on the rendering's frames.
const CALIBRATION: u32 = 2;

/// Which decoder weights run. int8 is the CPU's: ONNX Runtime's CUDA provider lacks its
/// integer kernels, so on CUDA those nodes would bounce back to the CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// The decoder front in the original dynamic int8 and the generator with static int8
    /// residual blocks (`decoder_front.onnx` + `generator.int8.onnx`), for whole utterances
    /// and streaming alike.
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

/// Where the converted model's files are.
#[derive(Debug, Clone)]
pub struct ModelFiles {
    pub models_dir: PathBuf,
    /// The float decoders (installed for the GPU only).
    pub float_models_dir: PathBuf,
    pub vocab: PathBuf,
}

impl ModelFiles {
    fn decoder(&self, precision: Precision) -> PathBuf {
        match precision {
            Precision::Int8 => self.models_dir.join("decoder.onnx"),
            Precision::Fp32 => self.float_models_dir.join("decoder.f32.onnx"),
            Precision::Fp16 => self.float_models_dir.join("decoder.f16.onnx"),
        }
    }

    /// The streaming generator: static int8 where the int8 decoder runs on the CPU (about
    /// 1.6x the float one's speed there, with fixed scales so chunks still join), else float.
    fn generator(&self, precision: Precision, device: Device) -> PathBuf {
        match (precision, device) {
            (Precision::Int8, Device::Cpu) => self.models_dir.join("generator.int8.onnx"),
            _ => self.models_dir.join("generator.onnx"),
        }
    }
}

/// One model call's acoustics: frames (F0 as the voice predicted it), the style row, and
/// where each mora, pause and inserted silence falls.
pub struct Acoustics {
    pub frames: AcousticFrames,
    pub style: Vec<f32>,
    pub mora_frames: Vec<Vec<MoraFrames>>,
    pub pause_frames: Vec<Option<Range<usize>>>,
    /// (frame after which silence goes, seconds of silence) at pauses longer than the voice's.
    pub silences: Vec<(usize, f32)>,
}

/// The loaded voice model. Shareable across threads.
pub struct Kokoro {
    vocab: Vocab,
    duration: DurationModel,
    prosody: ProsodyModel,
    /// The whole-utterance decoder where the streaming pair does not decode whole utterances
    /// (the float ones); on the CPU with int8 it is never loaded.
    decoder: LazyModel<DecoderModel>,
    /// Whole utterances go through the streaming pair (see [`Kokoro::decode`]).
    whole_on_pair: bool,
    front: LazyModel<DecoderFrontModel>,
    generator: LazyModel<GeneratorModel>,
    models_dir: PathBuf,
    precision: Precision,
    styles: Mutex<HashMap<VoiceId, Arc<Style>>>,
    norm_stats: Mutex<HashMap<VoiceId, Arc<NormModel>>>,
    recent: Mutex<RecentAcoustics>,
    // Declared last so sessions are dropped before the runtime they were made from.
    runtime: OnnxRuntime,
}

impl Kokoro {
    /// Loads the duration and prosody stages now, and the decoders: now where the streaming
    /// pair decodes whole utterances too (every command needs it), else on first use.
    /// Sessions are created in parallel (session creation dominates a cold start).
    pub fn load(
        runtime: OnnxRuntime,
        files: &ModelFiles,
        precision: Precision,
    ) -> Result<Self, EngineError> {
        let device = runtime.device();
        let decoder_file = files.decoder(precision);
        if precision != Precision::Int8 && !decoder_file.is_file() {
            return Err(RuntimeError::FloatModelMissing(decoder_file).into());
        }
        let whole_on_pair = precision == Precision::Int8 && device == Device::Cpu;
        let m = &files.models_dir;
        let (front_file, generator_file) = (
            m.join("decoder_front.onnx"),
            files.generator(precision, device),
        );
        let rt = &runtime;
        let (duration, prosody, pair) = std::thread::scope(|s| {
            let generator = whole_on_pair.then(|| {
                let path = generator_file.clone();
                s.spawn(move || GeneratorModel::load(rt, &path))
            });
            let front = whole_on_pair.then(|| {
                let path = front_file.clone();
                s.spawn(move || DecoderFrontModel::load(rt, &path))
            });
            let duration = DurationModel::load(rt, &m.join("duration.onnx"));
            let prosody = ProsodyModel::load(rt, &m.join("prosody.onnx"));
            let pair = match (front, generator) {
                (Some(f), Some(g)) => Some((joined(f), joined(g))),
                _ => None,
            };
            (duration, prosody, pair)
        });
        let (front, generator) = match pair {
            Some((f, g)) => (
                LazyModel::loaded(front_file, f?),
                LazyModel::loaded(generator_file, g?),
            ),
            None => (LazyModel::new(front_file)?, LazyModel::new(generator_file)?),
        };
        Ok(Kokoro {
            vocab: Vocab::load(&files.vocab)?,
            duration: duration?,
            prosody: prosody?,
            decoder: LazyModel::new(decoder_file)?,
            whole_on_pair,
            front,
            generator,
            models_dir: m.clone(),
            precision,
            styles: Mutex::new(HashMap::new()),
            norm_stats: Mutex::new(HashMap::new()),
            recent: Mutex::new(RecentAcoustics::default()),
            runtime,
        })
    }

    /// The ONNX Runtime the stages run on.
    pub fn runtime(&self) -> &OnnxRuntime {
        &self.runtime
    }

    /// The weights of the whole-utterance decoder.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// The phrases cut into model calls of at most 510 tokens.
    pub fn chunks(&self, phrases: &[AccentPhrase]) -> Vec<chunk::Chunk> {
        chunk::chunk_phrases(phrases, MAX_TOKENS)
    }

    fn style(&self, voice: &VoiceId) -> Result<Arc<Style>, EngineError> {
        let mut cache = lock(&self.styles);
        if let Some(s) = cache.get(voice) {
            return Ok(s.clone());
        }
        let style = Arc::new(Style::load(&self.models_dir, voice)?);
        cache.insert(voice.clone(), style.clone());
        Ok(style)
    }

    /// Loads the voice's style (the first synthesis with a voice otherwise pays for it).
    pub fn load_voice(&self, voice: &VoiceId) -> Result<(), EngineError> {
        self.style(voice).map(|_| ())
    }

    /// Fills the moras' lengths and the voice's own pitch (mean ln F0 of each voiced vowel) for
    /// the phrases of one model call.
    pub fn predict(
        &self,
        phrases: &mut [AccentPhrase],
        voice: &VoiceId,
    ) -> Result<(), EngineError> {
        let style = self.style(voice)?;
        let plan = Plan::new(phrases, &self.vocab);
        let style = style.for_tokens(plan.token_count());
        let features = self.token_features(&plan.ids, style)?;
        plan::fill_lengths(phrases, &plan, &features.raw_durations);
        // Prosody on the frames that rendering these lengths unedited will use (the model's
        // own rounding differs by a frame here and there): the rendering then finds this run
        // remembered, and the first streamed sound waits for one prosody run, not two.
        let durations = plan::durations_for(
            phrases,
            &plan,
            &features.raw_durations,
            &LengthScales::UNSCALED,
        )
        .frames;
        let frames = self.acoustic_frames(&plan.ids, &features, &durations, style)?;
        let (spans, _) = plan::mora_frames(phrases, &plan, &durations);
        for (phrase, spans) in phrases.iter_mut().zip(spans) {
            for (mora, span) in phrase.moras.iter_mut().zip(spans) {
                let unvoiced = mora.is_devoiced() || mora.vowel == Vowel::Cl;
                mora.pitch = match span.f0_span() {
                    Some(s) if !unvoiced => {
                        prosody::mean_ln_f0(frames.f0(), s.vowel).unwrap_or(0.0)
                    }
                    _ => 0.0,
                };
            }
        }
        Ok(())
    }

    /// Frames realising the phrases' (possibly edited) lengths, for one model call.
    pub fn acoustics(
        &self,
        phrases: &[AccentPhrase],
        voice: &VoiceId,
        scales: &LengthScales,
    ) -> Result<Acoustics, EngineError> {
        let style = self.style(voice)?;
        let plan = Plan::new(phrases, &self.vocab);
        let style = style.for_tokens(plan.token_count()).to_vec();
        let features = self.token_features(&plan.ids, &style)?;
        let plan::Durations {
            frames: durations,
            silences,
        } = plan::durations_for(phrases, &plan, &features.raw_durations, scales);
        let frames = self.acoustic_frames(&plan.ids, &features, &durations, &style)?;
        let (mora_frames, pause_frames) = plan::mora_frames(phrases, &plan, &durations);
        let token_ends = plan::token_frames(&durations);
        let silences = silences
            .iter()
            .filter_map(|&(token, secs)| Some((token_ends.get(token)?.end, secs)))
            .collect();
        Ok(Acoustics {
            frames,
            style,
            mora_frames,
            pause_frames,
            silences,
        })
    }

    /// Decodes whole frames. On the CPU with int8 that is the streaming pair run once over the
    /// utterance with its own statistics: about 1.7x the original int8 decoder's speed, as close
    /// to the float decoder (README, Speed), and one set of decoder weights in memory for
    /// whole and streamed speech. Otherwise the float whole-utterance decoder.
    pub fn decode(&self, frames: &AcousticFrames, style: &[f32]) -> Result<Vec<f32>, EngineError> {
        if self.whole_on_pair {
            let pair = self.streaming_decoder()?;
            return Ok(Vocoder::new(pair).render(frames, style)?);
        }
        self.decode_with_decoder(frames, style)
    }

    /// The whole-utterance decoder file of this precision (`decoder.onnx` for int8: the
    /// original model's, kept as a reference for benchmarks).
    pub(crate) fn decode_with_decoder(
        &self,
        frames: &AcousticFrames,
        style: &[f32],
    ) -> Result<Vec<f32>, EngineError> {
        let decoder = self.decoder.get(|p| DecoderModel::load(&self.runtime, p))?;
        Ok(Vocoder::new(OnnxDecoder(decoder)).render(frames, style)?)
    }

    /// Whole utterances through the original int8 decoder instead of the streaming pair (a
    /// benchmark baseline: what `synth` did before).
    #[cfg(feature = "bench")]
    pub(crate) fn set_original_decoder(&mut self, on: bool) {
        self.whole_on_pair =
            !on && self.precision == Precision::Int8 && self.runtime.device() == Device::Cpu;
    }

    /// The float generator over the whole utterance with its own statistics (front output
    /// `x`): the quality reference in benchmarks. Loaded per call.
    #[cfg(feature = "bench")]
    pub(crate) fn decode_float_reference(
        &self,
        x: &[f32],
        frames: &AcousticFrames,
        style: &[f32],
    ) -> Result<Vec<f32>, EngineError> {
        let generator =
            GeneratorModel::load(&self.runtime, &self.models_dir.join("generator.onnx"))?;
        let (pcm, _) = generator.run(x, frames.f0(), style, &[0.0; HARMONICS], NormStats::Own)?;
        Ok(pcm)
    }

    /// The streaming pair, loaded on first use.
    pub(crate) fn streaming_decoder(&self) -> Result<OnnxStreaming<'_>, EngineError> {
        let front = self
            .front
            .get(|p| DecoderFrontModel::load(&self.runtime, p))?;
        let generator = self
            .generator
            .get(|p| GeneratorModel::load(&self.runtime, p))?;
        Ok(OnnxStreaming { front, generator })
    }

    /// The duration stage, remembered for the last few token sequences: a text's query and
    /// its rendering run it on the same tokens, and the second run is on the path to the first
    /// streamed sound.
    fn token_features(
        &self,
        ids: &[i64],
        style: &[f32],
    ) -> Result<Arc<TokenFeatures>, EngineError> {
        let key = (ids.to_vec(), bits(style));
        if let Some((_, f)) = lock(&self.recent).features.iter().find(|(k, _)| *k == key) {
            return Ok(f.clone());
        }
        let f = Arc::new(acoustic::token_features(&self.duration, ids, style, 1.0)?);
        remember(&mut lock(&self.recent).features, (key, f.clone()));
        Ok(f)
    }

    /// The prosody stage, remembered like [`Kokoro::token_features`] (keyed by durations too).
    fn acoustic_frames(
        &self,
        ids: &[i64],
        features: &TokenFeatures,
        durations: &[u32],
        style: &[f32],
    ) -> Result<AcousticFrames, EngineError> {
        let key = (ids.to_vec(), durations.to_vec(), bits(style));
        if let Some((_, f)) = lock(&self.recent).frames.iter().find(|(k, _)| *k == key) {
            return Ok(f.clone());
        }
        let f = acoustic::frames(&self.prosody, features, durations, style)?;
        remember(&mut lock(&self.recent).frames, (key, f.clone()));
        Ok(f)
    }

    /// Drops the remembered stage results (benchmarks repeat one text).
    pub fn forget_recent(&self) {
        *lock(&self.recent) = RecentAcoustics::default();
    }

    /// Whether `voice` can stream without first calibrating (see [`Kokoro::norm_stats`]).
    pub fn streaming_ready(&self, voice: &VoiceId) -> bool {
        lock(&self.norm_stats).contains_key(voice) || self.norm_stats_path(voice).is_file()
    }

    /// One per voice and generator (the int8 and float generators have their own statistics)
    /// and calibration: [`CALIBRATION`] names what computed them.
    fn norm_stats_path(&self, voice: &VoiceId) -> PathBuf {
        let generator = self
            .generator
            .path()
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        self.models_dir.join("streaming").join(format!(
            "{}.{generator}.norm-model.v{CALIBRATION}.f32",
            voice.name()
        ))
    }

    /// The instance-norm statistics model the streaming generator uses for `voice` (see
    /// [`norm`]), fitted once on whole-utterance decodes of `calibration()`'s model calls
    /// (speech share, frames, style) and kept beside the models (a new conversion removes it
    /// with the models).
    pub fn norm_stats(
        &self,
        voice: &VoiceId,
        calibration: impl FnOnce() -> Result<Vec<(f64, AcousticFrames, Vec<f32>)>, EngineError>,
    ) -> Result<Arc<NormModel>, EngineError> {
        let mut cache = lock(&self.norm_stats);
        if let Some(s) = cache.get(voice) {
            return Ok(s.clone());
        }
        let stream = self.streaming_decoder()?;
        let want = stream.generator.stats_len();
        let path = self.norm_stats_path(voice);
        let model = match read_f32s(&path).and_then(|v| NormModel::from_f32s(&v, want)) {
            Some(m) => m,
            None => {
                tracing::info!("calibrating streaming statistics for {}", voice.name());
                let mut samples = Vec::new();
                for (share, f, style) in calibration()? {
                    let x = stream
                        .front
                        .run(f.asr(), f.f0(), f.energy(), f.frames(), &style)?;
                    let (_, stats) = stream.generator.run(
                        &x,
                        f.f0(),
                        &style,
                        &[0.0; HARMONICS],
                        NormStats::Own,
                    )?;
                    samples.push((share, stats));
                }
                let m = NormModel::fit(&samples).ok_or_else(|| {
                    EngineError::Vocoder(VocoderError::Shape(
                        "calibration produced no statistics".into(),
                    ))
                })?;
                let bytes: Vec<u8> = m.to_f32s().iter().flat_map(|v| v.to_le_bytes()).collect();
                if let Err(e) = yomiage_files::write_atomic(&path, &bytes) {
                    tracing::warn!("could not keep the streaming statistics: {e}");
                }
                m
            }
        };
        let model = Arc::new(model);
        cache.insert(voice.clone(), model.clone());
        Ok(model)
    }
}

/// A loading thread's result; a panic in it becomes an error, not a crash.
fn joined<T>(
    h: std::thread::ScopedJoinHandle<'_, Result<T, RuntimeError>>,
) -> Result<T, RuntimeError> {
    h.join()
        .unwrap_or_else(|_| Err(RuntimeError::LoaderPanicked))
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

type FeatureKey = (Vec<i64>, Vec<u32>);
type FramesKey = (Vec<i64>, Vec<u32>, Vec<u32>);

/// The last few stage results (see [`Kokoro::token_features`]).
#[derive(Default)]
struct RecentAcoustics {
    features: VecDeque<(FeatureKey, Arc<TokenFeatures>)>,
    frames: VecDeque<(FramesKey, AcousticFrames)>,
}

/// Keeps at most four entries, newest first.
fn remember<T>(list: &mut VecDeque<T>, item: T) {
    list.push_front(item);
    list.truncate(4);
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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
