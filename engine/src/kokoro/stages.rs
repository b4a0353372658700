//! Kokoro's stage graphs as yomiage cuts them (`voices/convert/split_kokoro.py`): their
//! inputs, outputs and shapes, declared here and nowhere else.

use std::path::Path;

use crate::onnx::{Model, OnnxRuntime, RuntimeError, Tensor};

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
/// Channels of the decoder front's output ("x"), two points per frame.
pub const FRONT_DIM: usize = 512;
/// Harmonics of the generator's sine source (its `phase` input has one value per harmonic).
pub use yomiage_vocoder::HARMONICS;

fn shape_error(stage: &'static str, what: String) -> RuntimeError {
    RuntimeError::Output { stage, what }
}

/// Takes the outputs of a run in order (they come back as many as were asked for).
fn take<const N: usize>(outputs: Vec<Vec<f32>>) -> [Vec<f32>; N] {
    let mut it = outputs.into_iter();
    std::array::from_fn(|_| it.next().unwrap_or_default())
}

/// Durations and encoder features per token (stage "duration").
pub struct DurationModel(Model);
/// F0 and energy from frame-aligned features (stage "prosody").
pub struct ProsodyModel(Model);
/// Frame features, F0 and energy to PCM (stage "decoder").
pub struct DecoderModel(Model);
/// The decoder's frame-rate front (float): run once per utterance for streaming.
pub struct DecoderFrontModel(Model);
/// The decoder's waveform generator, run on overlapping chunks of the front's output.
pub struct GeneratorModel(Model);
/// The unsplit Kokoro graph, kept to check that the stage models reproduce it and as a
/// baseline in benchmarks; synthesis never uses it.
pub struct WholeModel(Model);

impl DurationModel {
    pub fn load(rt: &OnnxRuntime, path: &Path) -> Result<Self, RuntimeError> {
        rt.model(path, "duration").map(DurationModel)
    }

    /// `tokens` must include the pad at each end; `style` has [`STYLE_DIM`] values.
    pub fn run(
        &self,
        tokens: &[i64],
        style: &[f32],
        speed: f32,
    ) -> Result<TokenFeatures, RuntimeError> {
        let n = tokens.len();
        let speed = [speed];
        let [durations, raw, d, t_en] = take(self.0.run(
            vec![
                ("tokens", Tensor::I64(vec![1, n], tokens)),
                ("style", Tensor::F32(vec![1, STYLE_DIM], style)),
                ("speed", Tensor::F32(vec![1], &speed)),
            ],
            &["durations", "raw_durations", "d", "t_en"],
        )?);
        if durations.len() != n || d.len() != n * D_DIM || t_en.len() != n * T_EN_DIM {
            return Err(shape_error(
                "duration",
                format!("unexpected shapes for {n} tokens"),
            ));
        }
        Ok(TokenFeatures {
            // The graph clips to ≥ 1 and rounds, so these are exact small integers.
            durations: durations.iter().map(|&f| f.max(1.0) as u32).collect(),
            raw_durations: raw,
            d,
            t_en,
        })
    }
}

impl ProsodyModel {
    pub fn load(rt: &OnnxRuntime, path: &Path) -> Result<Self, RuntimeError> {
        rt.model(path, "prosody").map(ProsodyModel)
    }

    /// `d_aligned` is channel-major `[D_DIM][frames]`. Returns (F0 Hz, energy), each 2 per frame.
    pub fn run(
        &self,
        d_aligned: &[f32],
        frames: usize,
        style: &[f32],
    ) -> Result<(Vec<f32>, Vec<f32>), RuntimeError> {
        let [f0, energy] = take(self.0.run(
            vec![
                ("d_aligned", Tensor::F32(vec![1, D_DIM, frames], d_aligned)),
                ("style", Tensor::F32(vec![1, STYLE_DIM], style)),
            ],
            &["f0", "energy"],
        )?);
        if f0.len() != 2 * frames || energy.len() != 2 * frames {
            return Err(shape_error(
                "prosody",
                format!("F0/energy not 2×{frames} long"),
            ));
        }
        Ok((f0, energy))
    }
}

/// The decoder's and the decoder front's inputs (the same for both).
fn decoder_inputs<'a>(
    asr: &'a [f32],
    f0: &'a [f32],
    energy: &'a [f32],
    frames: usize,
    style: &'a [f32],
) -> Vec<(&'static str, Tensor<'a>)> {
    vec![
        ("asr", Tensor::F32(vec![1, T_EN_DIM, frames], asr)),
        ("f0", Tensor::F32(vec![1, 2 * frames], f0)),
        ("energy", Tensor::F32(vec![1, 2 * frames], energy)),
        ("style", Tensor::F32(vec![1, STYLE_DIM], style)),
    ]
}

impl DecoderModel {
    pub fn load(rt: &OnnxRuntime, path: &Path) -> Result<Self, RuntimeError> {
        rt.model(path, "decoder").map(DecoderModel)
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
        let [audio] = take(
            self.0
                .run(decoder_inputs(asr, f0, energy, frames, style), &["audio"])?,
        );
        Ok(audio)
    }
}

impl DecoderFrontModel {
    pub fn load(rt: &OnnxRuntime, path: &Path) -> Result<Self, RuntimeError> {
        rt.model(path, "decoder front").map(DecoderFrontModel)
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
        let [x] = take(
            self.0
                .run(decoder_inputs(asr, f0, energy, frames, style), &["x"])?,
        );
        if x.len() != FRONT_DIM * 2 * frames {
            return Err(shape_error(
                "decoder front",
                format!("{} values for {frames} frames", x.len()),
            ));
        }
        Ok(x)
    }
}

/// Which instance-norm statistics the generator uses.
pub enum NormStats<'a> {
    /// Its own, over the samples it is given (a whole utterance: calibration).
    Own,
    /// Fixed ones (the same for every chunk, so chunks join).
    Fixed(&'a [f32]),
}

impl GeneratorModel {
    pub fn load(rt: &OnnxRuntime, path: &Path) -> Result<Self, RuntimeError> {
        rt.model(path, "generator").map(GeneratorModel)
    }

    /// How many statistics `norm_stats` takes (means and variances of every instance norm).
    pub fn stats_len(&self) -> usize {
        self.0.input_len("norm_stats")
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
        let points = f0.len();
        // Own statistics still need a tensor to feed; the graph ignores it.
        let zeros;
        let (fixed, use_fixed) = match stats {
            NormStats::Fixed(s) => (s, true),
            NormStats::Own => {
                zeros = vec![0.0f32; self.stats_len()];
                (&zeros[..], false)
            }
        };
        let use_fixed = [use_fixed];
        let [audio, own] = take(self.0.run(
            vec![
                ("x", Tensor::F32(vec![1, FRONT_DIM, points], x)),
                ("f0", Tensor::F32(vec![1, points], f0)),
                ("style", Tensor::F32(vec![1, STYLE_DIM], style)),
                ("phase", Tensor::F32(vec![1, 1, HARMONICS], &phase[..])),
                ("norm_stats", Tensor::F32(vec![fixed.len()], fixed)),
                ("use_norm_stats", Tensor::Bool(vec![1], &use_fixed)),
            ],
            &["audio", "norm_stats_out"],
        )?);
        Ok((audio, own))
    }
}

impl WholeModel {
    pub fn load(rt: &OnnxRuntime, path: &Path) -> Result<Self, RuntimeError> {
        rt.model(path, "whole model").map(WholeModel)
    }

    pub fn run(&self, tokens: &[i64], style: &[f32], speed: f32) -> Result<Vec<f32>, RuntimeError> {
        let speed = [speed];
        let [audio] = take(self.0.run(
            vec![
                ("tokens", Tensor::I64(vec![1, tokens.len()], tokens)),
                ("style", Tensor::F32(vec![1, STYLE_DIM], style)),
                ("speed", Tensor::F32(vec![1], &speed)),
            ],
            &["audio"],
        )?);
        Ok(audio)
    }
}
