//! The engine: one door from text (or an edited query) to speech.
//!
//! Data flows one way: text → [`yomiage_frontend`] (accent phrases) → [`pipeline`] (sentences,
//! queries) → [`render`] (the voice model's acoustics through the [`kokoro`] adapter, the accent
//! imposed on F0, [`yomiage_vocoder`] decoding) → a [`Sink`]. ONNX Runtime is behind [`onnx`].

pub mod audio;
mod error;
pub mod kokoro;
pub mod onnx;
mod options;
mod paths;
mod pipeline;
pub mod prosody;
pub mod query;
mod render;
pub mod sentences;
pub mod sink;
pub mod timeline;

use std::ops::ControlFlow;

use yomiage_frontend::{AccentPhrase, Frontend};
use yomiage_voices::VoiceId;

use crate::kokoro::Kokoro;
use crate::onnx::{Device, OnnxRuntime, RuntimeError, SessionOptions};
use crate::pipeline::Pipeline;
use crate::render::Renderer;
use crate::sink::Out;

pub use crate::audio::{Audio, Synthesis};
pub use crate::error::EngineError;
pub use crate::kokoro::Precision;
pub use crate::options::{AccentMode, Rendering, SynthesisOptions};
pub use crate::paths::EnginePaths;
pub use crate::pipeline::Input;
pub use crate::query::{AudioQuery, CheckedQuery, QueryError};
#[cfg(feature = "bench")]
pub use crate::render::DecodeVariants;
pub use crate::sink::{CancelToken, Collect, Sink, StreamEnd, StreamEvent};

/// A loaded engine: the frontend and the voice model in memory. Shareable across threads;
/// every method takes `&self` except the set-up ones.
pub struct Engine {
    frontend: Frontend,
    renderer: Renderer,
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
        if device == Device::Cuda && precision == Precision::Int8 {
            tracing::warn!("int8 decoder on CUDA: its integer operators run on the CPU");
        }
        tracing::info!(%device, %precision, library = %runtime.library().display(), "engine");
        // The dictionary loads beside the sessions (a cold start waits for both).
        let (kokoro, frontend) = std::thread::scope(|s| {
            let frontend = s.spawn(|| Frontend::load(&paths.dictionary));
            let kokoro = Kokoro::load(runtime, &paths.model_files(), precision);
            (kokoro, frontend.join())
        });
        let kokoro = kokoro?;
        let frontend = frontend.map_err(|_| RuntimeError::LoaderPanicked)??;
        Ok(Engine {
            frontend,
            renderer: Renderer::new(kokoro),
        })
    }

    fn pipeline(&self) -> Pipeline<'_> {
        Pipeline {
            frontend: &self.frontend,
            renderer: &self.renderer,
        }
    }

    /// Where the models run (CUDA only if its provider started).
    pub fn device(&self) -> Device {
        self.renderer.kokoro.runtime().device()
    }

    /// The weights of the whole-utterance decoder.
    pub fn precision(&self) -> Precision {
        self.renderer.kokoro.precision()
    }

    pub fn frontend(&self) -> &Frontend {
        &self.frontend
    }

    /// Analyses text with these user-dictionary words from now on (an empty dictionary
    /// removes them). Swapped atomically: syntheses in progress finish with the words they
    /// started with, and nothing waits for anything.
    pub fn set_user_dictionary(
        &self,
        user: &yomiage_frontend::UserDictionary,
    ) -> Result<(), EngineError> {
        self.frontend.set_user_dictionary(user)?;
        Ok(())
    }

    /// Chooses how the frontend decides accent phrases and nuclei (default: learned).
    pub fn set_accent_estimator(&mut self, estimator: yomiage_frontend::AccentEstimator) {
        self.frontend.set_accent_estimator(estimator);
    }

    /// Speaks `input` into `sink`: the one door every caller uses. `Whole` renders each
    /// sentence with the whole-utterance decoder, `Streamed` in small chunks (24 kHz mono
    /// either way; a query's output rate and stereo apply to [`Engine::synthesize`] only).
    /// `cancel`, or the sink returning `Break`, stops it within one chunk (a sentence, whole).
    pub fn speak(
        &self,
        input: Input<'_>,
        voice: &VoiceId,
        opts: &SynthesisOptions,
        rendering: Rendering,
        cancel: &CancelToken,
        sink: &mut dyn Sink,
    ) -> Result<StreamEnd, EngineError> {
        let mut out = Out::new(sink, cancel);
        self.pipeline()
            .run(input, voice, opts, rendering, &mut out)?;
        Ok(out.end())
    }

    /// Text → AudioQuery (see [`Engine::audio_query_with`]) with the accent imposed.
    pub fn audio_query(&self, text: &str, voice: &VoiceId) -> Result<AudioQuery, EngineError> {
        self.audio_query_with(text, voice, AccentMode::Imposed)
    }

    /// Text → AudioQuery: the frontend's phrases with lengths predicted by the voice and
    /// pitches following the accent (or the voice's own melody).
    pub fn audio_query_with(
        &self,
        text: &str,
        voice: &VoiceId,
        accent: AccentMode,
    ) -> Result<AudioQuery, EngineError> {
        self.pipeline().audio_query(text, voice, accent)
    }

    /// Fills mora lengths and pitches for phrases (e.g. from kana or after an accent edit).
    pub fn predict(
        &self,
        phrases: Vec<AccentPhrase>,
        voice: &VoiceId,
        accent: AccentMode,
    ) -> Result<Vec<AccentPhrase>, EngineError> {
        self.renderer.predict(phrases, voice, accent)
    }

    /// Renders a checked query whole: its lengths, pitches and scales, as VOICEVOX defines
    /// them, at its output rate and channels.
    pub fn synthesize(
        &self,
        query: &CheckedQuery,
        voice: &VoiceId,
    ) -> Result<Synthesis, EngineError> {
        let opts = SynthesisOptions::default();
        self.render(Input::Query(query), voice, &opts, &CancelToken::new())
    }

    /// Text to speech, whole: sentence by sentence, joined by `sentence_pause`.
    pub fn synthesize_text(
        &self,
        text: &str,
        voice: &VoiceId,
        opts: &SynthesisOptions,
    ) -> Result<Synthesis, EngineError> {
        self.render(Input::Text(text), voice, opts, &CancelToken::new())
    }

    /// Speech in memory, rendered whole ([`Engine::speak`] into a collecting sink); a query's
    /// output rate and channels applied. [`EngineError::Cancelled`] if `cancel` stopped it.
    pub fn render(
        &self,
        input: Input<'_>,
        voice: &VoiceId,
        opts: &SynthesisOptions,
        cancel: &CancelToken,
    ) -> Result<Synthesis, EngineError> {
        let mut sink = Collect::default();
        let end = self.speak(input, voice, opts, Rendering::Whole, cancel, &mut sink)?;
        if !end.completed {
            return Err(EngineError::Cancelled);
        }
        let s = sink.into_synthesis();
        let Input::Query(query) = input else {
            return Ok(s);
        };
        let q = query.get();
        let audio = audio::finish(s.audio.samples, q.output_sampling_rate, q.output_stereo)
            .map_err(EngineError::Resample)?;
        Ok(Synthesis {
            audio,
            timeline: s.timeline,
        })
    }

    /// A checked query as a stream of events (see [`Engine::speak`]).
    pub fn stream(
        &self,
        query: &CheckedQuery,
        voice: &VoiceId,
        cancel: &CancelToken,
        sink: &mut dyn FnMut(StreamEvent) -> ControlFlow<()>,
    ) -> Result<StreamEnd, EngineError> {
        let opts = SynthesisOptions::default();
        let mut sink = sink;
        self.speak(
            Input::Query(query),
            voice,
            &opts,
            Rendering::Streamed,
            cancel,
            &mut sink,
        )
    }

    /// Text as a stream of events, sentence by sentence (see [`Engine::speak`]).
    pub fn stream_text(
        &self,
        text: &str,
        voice: &VoiceId,
        opts: &SynthesisOptions,
        cancel: &CancelToken,
        sink: &mut dyn FnMut(StreamEvent) -> ControlFlow<()>,
    ) -> Result<StreamEnd, EngineError> {
        let mut sink = sink;
        self.speak(
            Input::Text(text),
            voice,
            opts,
            Rendering::Streamed,
            cancel,
            &mut sink,
        )
    }

    /// Whether `voice` can stream without first calibrating (see [`Engine::prepare_streaming`]).
    pub fn streaming_ready(&self, voice: &VoiceId) -> bool {
        self.renderer.streaming_ready(voice)
    }

    /// Loads (or, the first time for a voice, computes and keeps) what streaming needs: both
    /// streaming sessions and the voice's statistics. Safe to call from a second thread while
    /// the first text is analysed, which hides most of the session loading from a cold start.
    pub fn prepare_streaming(&self, voice: &VoiceId) -> Result<(), EngineError> {
        self.pipeline().streaming(voice).map(|_| ())
    }
}

/// Hooks for benchmarks and tests that measure the engine's internals (feature `bench`).
#[cfg(feature = "bench")]
impl Engine {
    /// Drops the remembered acoustic-model results, so the next call on a text it has seen
    /// costs what a new text does (benchmarks repeat one text).
    pub fn forget_recent(&self) {
        self.renderer.kokoro.forget_recent();
    }

    /// Replaces the accent contour parameters.
    pub fn set_contour(&mut self, contour: prosody::ContourParams) {
        self.renderer.contour = contour;
    }

    /// Renders whole utterances with the original model's int8 decoder (`decoder.onnx`), as
    /// before the streaming pair took over: the baseline of the synth benchmark.
    pub fn set_original_decoder(&mut self, on: bool) {
        self.renderer.kokoro.set_original_decoder(on);
    }

    /// Replaces the streaming chunk sizes.
    pub fn set_chunk_schedule(&mut self, schedule: yomiage_vocoder::ChunkSchedule) {
        self.renderer.schedule = schedule;
    }

    /// The first model call of `query` decoded four ways (see [`DecodeVariants`]).
    pub fn decode_variants(
        &self,
        query: &CheckedQuery,
        voice: &VoiceId,
        schedule: &yomiage_vocoder::ChunkSchedule,
    ) -> Result<DecodeVariants, EngineError> {
        let norm = self.pipeline().streaming(voice)?;
        self.renderer.decode_variants(query, voice, &norm, schedule)
    }
}
