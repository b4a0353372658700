//! `Engine`: one loaded engine and voice, loaded as the CLI loads it (`yomiage_setup::assets`:
//! the data directory, set-up on first use, the user dictionary), and reached only through the
//! engine's one door. Every call that computes audio releases the GIL.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use pyo3::types::PyByteArray;
use yomiage_engine::onnx::DeviceRequest;
use yomiage_engine::{AudioQuery, CancelToken, Input, Precision, SynthesisOptions};
use yomiage_frontend::AccentEstimator;
use yomiage_setup::assets::{Assets, EngineOptions};
use yomiage_voices::VoiceId;

use crate::dict::UserDictionary;
use crate::stream::Stream;
use crate::{assets, err, message, samples_bytes, value_err};

/// A loaded engine with its voice.
#[pyclass(frozen, subclass, module = "yomiage._native")]
pub struct Engine {
    pub(crate) inner: Arc<yomiage_engine::Engine>,
    pub(crate) voice: VoiceId,
    pub(crate) accent: AccentEstimator,
    /// The hash of the words the engine carries now, as book settings hash them (`None`:
    /// the user dictionary it was loaded with). Held while a chapter renders, so that two
    /// jobs with different words never share the engine at once.
    pub(crate) words: Mutex<Option<String>>,
    assets: Assets,
}

fn device(name: &str) -> PyResult<DeviceRequest> {
    Ok(match name {
        "cpu" => DeviceRequest::Cpu,
        "cuda" => DeviceRequest::Cuda,
        "auto" => DeviceRequest::Auto,
        other => {
            return Err(value_err(format!(
                "unknown device {other:?} (cpu, cuda or auto)"
            )))
        }
    })
}

fn precision(name: &str) -> PyResult<Precision> {
    Ok(match name {
        "int8" => Precision::Int8,
        "fp32" => Precision::Fp32,
        "fp16" => Precision::Fp16,
        other => {
            return Err(value_err(format!(
                "unknown precision {other:?} (int8, fp32 or fp16)"
            )))
        }
    })
}

pub(crate) fn accent(name: &str) -> PyResult<AccentEstimator> {
    name.parse().map_err(value_err)
}

impl Engine {
    fn voice_or(&self, voice: Option<&str>) -> PyResult<VoiceId> {
        match voice {
            None => Ok(self.voice.clone()),
            Some(v) => self.assets.manifest().voice(v).map_err(err),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn options(
    speed: f32,
    pitch: f32,
    intonation: f32,
    volume: f32,
    sentence_pause: f32,
) -> SynthesisOptions {
    SynthesisOptions {
        speed,
        pitch,
        intonation,
        volume,
        sentence_pause,
        ..SynthesisOptions::default()
    }
}

#[pymethods]
impl Engine {
    /// Loads the engine (running set-up first for anything missing, as the CLI does, unless
    /// `YOMIAGE_AUTO_SETUP=0`). `user_dict`: a user dictionary file instead of the data
    /// directory's; `user_words=False` loads none.
    #[new]
    #[pyo3(signature = (voice="jf_alpha", accent="learned", device="cpu", precision=None, threads=None, user_dict=None, user_words=true))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        voice: &str,
        accent: &str,
        device: &str,
        precision: Option<&str>,
        threads: Option<usize>,
        user_dict: Option<PathBuf>,
        user_words: bool,
    ) -> PyResult<Self> {
        let options = EngineOptions {
            device: self::device(device)?,
            precision: precision.map(self::precision).transpose()?,
            accent: self::accent(accent)?,
            user_words,
            threads,
            sessions: None,
        };
        let assets = crate::assets(user_dict)?;
        let voice = assets.manifest().voice(voice).map_err(err)?;
        let inner = py.detach(|| assets.load_engine(&options)).map_err(err)?;
        Ok(Engine {
            inner: Arc::new(inner),
            voice,
            accent: options.accent,
            words: Mutex::new(None),
            assets,
        })
    }

    /// The voice's name.
    #[getter]
    fn voice(&self) -> String {
        self.voice.to_string()
    }

    /// 24000: the rate of `stream`'s chunks and of text synthesis.
    #[getter]
    fn sample_rate(&self) -> u32 {
        crate::SAMPLE_RATE
    }

    /// Where the models run (`cpu` or `cuda`).
    #[getter]
    fn device(&self) -> String {
        self.inner.device().to_string()
    }

    /// The decoder's weights (`int8`, `fp32`, `fp16`).
    #[getter]
    fn precision(&self) -> String {
        self.inner.precision().to_string()
    }

    /// The accent estimator (`learned` or `rules`).
    #[getter]
    fn accent_estimator(&self) -> String {
        self.accent.to_string()
    }

    /// Text (or an AudioQuery as JSON) to speech, whole: (float32 bytes, rate, channels).
    #[pyo3(signature = (text=None, query=None, voice=None, speed=1.0, pitch=0.0, intonation=1.0, volume=1.0, sentence_pause=0.35))]
    #[allow(clippy::too_many_arguments)]
    fn _synthesize<'py>(
        &self,
        py: Python<'py>,
        text: Option<String>,
        query: Option<String>,
        voice: Option<&str>,
        speed: f32,
        pitch: f32,
        intonation: f32,
        volume: f32,
        sentence_pause: f32,
    ) -> PyResult<(Bound<'py, PyByteArray>, u32, u16)> {
        let voice = self.voice_or(voice)?;
        let opts = options(speed, pitch, intonation, volume, sentence_pause);
        let engine = &self.inner;
        let never = CancelToken::new();
        let synthesis = match (text, query) {
            (Some(text), None) => py
                .detach(|| engine.render(Input::Text(&text), &voice, &opts, &never))
                .map_err(err)?,
            (None, Some(json)) => {
                let q: AudioQuery = serde_json::from_str(&json)
                    .map_err(|e| value_err(format!("not an AudioQuery: {e}")))?;
                let checked = q.check().map_err(|e| value_err(message(&e)))?;
                py.detach(|| engine.render(Input::Query(&checked), &voice, &opts, &never))
                    .map_err(err)?
            }
            _ => return Err(value_err("give either text or query")),
        };
        let audio = synthesis.audio;
        Ok((
            samples_bytes(py, &audio.samples),
            audio.sample_rate,
            audio.channels,
        ))
    }

    /// The AudioQuery (VOICEVOX JSON) for a text: phrases, moras, lengths, pitches.
    #[pyo3(signature = (text, voice=None))]
    fn _audio_query(&self, py: Python<'_>, text: String, voice: Option<&str>) -> PyResult<String> {
        let voice = self.voice_or(voice)?;
        let engine = &self.inner;
        let q = py
            .detach(|| engine.audio_query(&text, &voice))
            .map_err(err)?;
        serde_json::to_string(&q).map_err(value_err)
    }

    /// How a text is read and accented, in kana notation (AquesTalk-like, as VOICEVOX accepts):
    /// `'` after the nucleus, `/` between phrases, `、` at pauses.
    fn accent(&self, py: Python<'_>, text: String) -> PyResult<String> {
        let frontend = self.inner.frontend();
        let phrases = py.detach(|| frontend.analyze(&text)).map_err(err)?;
        Ok(yomiage_frontend::to_kana(&phrases))
    }

    /// Text to speech as it is made: an iterator of events (see `Stream`), cancellable.
    #[pyo3(signature = (text, voice=None, speed=1.0, pitch=0.0, intonation=1.0, volume=1.0, sentence_pause=0.35))]
    #[allow(clippy::too_many_arguments)]
    fn _stream(
        &self,
        text: String,
        voice: Option<&str>,
        speed: f32,
        pitch: f32,
        intonation: f32,
        volume: f32,
        sentence_pause: f32,
    ) -> PyResult<Stream> {
        let voice = self.voice_or(voice)?;
        let opts = options(speed, pitch, intonation, volume, sentence_pause);
        Ok(Stream::start(self.inner.clone(), voice, text, opts))
    }

    /// Swaps the words the analysis uses (running syntheses keep theirs).
    fn set_user_dictionary(&self, dictionary: &UserDictionary) -> PyResult<()> {
        let words = dictionary.snapshot();
        self.inner.set_user_dictionary(&words).map_err(err)?;
        *crate::lock(&self.words) = None;
        Ok(())
    }
}

/// The voices of the manifest: (speaker ID, name, display name, gender).
#[pyfunction]
pub fn voices() -> PyResult<Vec<(u32, String, String, String)>> {
    let assets = assets(None)?;
    Ok(assets
        .manifest()
        .speakers
        .iter()
        .map(|s| {
            (
                s.id,
                s.name.clone(),
                s.display_name.clone(),
                s.gender.to_string(),
            )
        })
        .collect())
}

/// The data directory (`$YOMIAGE_HOME`, else `$XDG_DATA_HOME/yomiage`, else
/// `~/.local/share/yomiage`), as the CLI resolves it.
#[pyfunction]
pub fn data_dir() -> PyResult<PathBuf> {
    Ok(assets(None)?.layout().root().to_owned())
}
