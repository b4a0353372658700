//! The one sentence loop: text → sentences → query → rendering → events into a [`Sink`].
//! Every caller — `synth`, `say`, the VOICEVOX and OpenAI handlers, streaming HTTP, the
//! WebSocket, books and bindings — goes through [`Pipeline::run`], so sentence splitting,
//! skipping what has nothing to say, pauses between sentences and cancellation have one home.
//!
//! [`Sink`]: crate::sink::Sink

use std::sync::Arc;

use yomiage_frontend::{Frontend, FrontendError};
use yomiage_voices::VoiceId;

use crate::audio::{seconds_to_samples, Synthesis};
use crate::error::EngineError;
use crate::kokoro::norm::NormModel;
use crate::options::{AccentMode, Rendering, SynthesisOptions};
use crate::query::{AudioQuery, CheckedQuery};
use crate::render::Renderer;
use crate::sentences::split_sentences;
use crate::sink::{Out, StreamEvent};
use crate::timeline::Timeline;

/// What to say.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// Text: split into sentences, each analysed and spoken with the options.
    Text(&'a str),
    /// One checked query, spoken with its own settings.
    Query(&'a CheckedQuery),
}

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

/// The frontend and the renderer, borrowed for one call.
pub(crate) struct Pipeline<'a> {
    pub frontend: &'a Frontend,
    pub renderer: &'a Renderer,
}

impl Pipeline<'_> {
    /// Text → AudioQuery: the frontend's phrases with lengths predicted by the voice and
    /// pitches following the accent.
    pub fn audio_query(
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
        let phrases = self.renderer.predict(phrases, voice, accent)?;
        tracing::debug!(ms = t.elapsed().as_millis(), "text analysed and predicted");
        Ok(AudioQuery::new(phrases))
    }

    /// What streaming needs for `voice`: both streaming sessions and the voice's statistics
    /// (computed the first time from built-in sentences, then kept on disk).
    pub fn streaming(&self, voice: &VoiceId) -> Result<Arc<NormModel>, EngineError> {
        self.renderer.norm_stats(voice, || {
            CALIBRATION_TEXTS
                .iter()
                .map(|text| self.audio_query(text, voice, AccentMode::Imposed))
                .collect()
        })
    }

    /// Speaks `input` into `out`.
    pub fn run(
        &self,
        input: Input<'_>,
        voice: &VoiceId,
        opts: &SynthesisOptions,
        rendering: Rendering,
        out: &mut Out<'_>,
    ) -> Result<(), EngineError> {
        let norm = match rendering {
            Rendering::Streamed => Some(self.streaming(voice)?),
            Rendering::Whole => None,
        };
        let render = |query: &CheckedQuery, out: &mut Out<'_>, phrase_offset: usize| match &norm {
            Some(norm) => self.renderer.stream(query, voice, norm, out, phrase_offset),
            None => {
                match self.renderer.whole(query, voice, out.cancel())? {
                    Some(s) => send_whole(out, s, phrase_offset),
                    None => out.stop(),
                }
                Ok(())
            }
        };
        let text = match input {
            Input::Query(query) => return render(query, out, 0),
            Input::Text(text) => text,
        };
        if text.trim().is_empty() {
            return Err(EngineError::EmptyText);
        }
        let mut phrase_offset = 0;
        let mut spoken = false;
        for (index, sentence) in split_sentences(text).into_iter().enumerate() {
            if out.stopped() {
                break;
            }
            let mut query = match self.audio_query(sentence, voice, opts.accent) {
                Ok(q) => q,
                Err(e) if e.is_nothing_to_say() => continue,
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
            query.pre_phoneme_length = 0.0;
            query.post_phoneme_length = 0.0;
            let pause = if spoken {
                opts.sentence_pause
            } else {
                opts.leading_silence
            };
            out.audio(vec![0.0; seconds_to_samples(pause)]);
            let n_phrases = query.accent_phrases.len();
            render(&query.check()?, out, phrase_offset)?;
            phrase_offset += n_phrases;
            spoken = true;
        }
        if !spoken {
            return Err(EngineError::NothingToSay);
        }
        out.audio(vec![0.0; seconds_to_samples(opts.trailing_silence)]);
        Ok(())
    }
}

/// A query rendered whole goes out as its timeline, then its audio.
fn send_whole(out: &mut Out<'_>, s: Synthesis, phrase_offset: usize) {
    let mut timeline = Timeline::default();
    timeline.append(s.timeline, out.seconds(), phrase_offset);
    out.send(StreamEvent::Timeline(timeline));
    out.audio(s.audio.samples);
}
