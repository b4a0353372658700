//! Streaming synthesis: audio goes out as the engine produces it, over chunked HTTP
//! (`POST /stream_synthesis`, `POST /v1/audio/speech` with `"stream": true`) and over the
//! WebSocket ([`crate::ws`]).
//!
//! An [`Utterance`] runs [`Engine::stream_text`] / [`Engine::stream`] on the blocking pool
//! behind the same concurrency limit, queue and time limit as every other synthesis, and
//! forwards the engine's events through a channel. Dropping the utterance (client gone,
//! interrupted) cancels it: queued work leaves the queue at once, running work stops within
//! one chunk and frees its slot.
//!
//! The channel is unbounded on purpose: synthesis never waits for a slow reader, so a slot is
//! held only for the CPU work. What can pile up is bounded by the text limit (the whole
//! utterance's audio), and a client that stops reading altogether is cut off after the send
//! timeout ([`crate::conn`]): its connection closes, the body is dropped and the synthesis
//! with it.

use std::collections::VecDeque;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use tokio::sync::mpsc;
use yomiage_audio::{StreamEncoder, StreamFormat};
use yomiage_engine::{
    AudioQuery, CancelToken, CheckedQuery, Input, Rendering, Sink, StreamEnd, StreamEvent,
    SynthesisOptions,
};
use yomiage_vocoder::SAMPLE_RATE;
use yomiage_voices::VoiceId;

use crate::error::{loc, ApiError};
use crate::extract::{parse_json, LimitedBody, VQuery};
use crate::limit::{Fair, Priority};
use crate::state::AppState;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/stream_synthesis", post(stream_synthesis))
}

/// What to say.
pub(crate) enum Job {
    Text {
        text: String,
        opts: SynthesisOptions,
    },
    Query(CheckedQuery),
}

/// What an [`Utterance`] yields: the engine's events, then exactly one `End` (unless the
/// synthesis task itself failed, when the channel just closes).
pub(crate) enum Msg {
    Event(StreamEvent),
    End(Result<StreamEnd, ApiError>),
}

/// A streaming synthesis in progress. Dropping it cancels it.
pub(crate) struct Utterance {
    rx: mpsc::UnboundedReceiver<Msg>,
    cancel: CancelToken,
}

impl Utterance {
    /// Queues `job` for a synthesis slot in turn for `priority` and starts streaming once it
    /// has one. Never waits: a full queue or a failure arrives as the `End` message.
    pub fn start(state: &Arc<AppState>, job: Job, voice: VoiceId, priority: Priority) -> Utterance {
        let (tx, rx) = mpsc::unbounded_channel();
        let cancel = CancelToken::new();
        tokio::spawn(run(state.clone(), job, voice, priority, tx, cancel.clone()));
        Utterance { rx, cancel }
    }

    /// The next message; `None` once the synthesis is over (after `End`) or lost.
    pub async fn next(&mut self) -> Option<Msg> {
        self.rx.recv().await
    }
}

impl Drop for Utterance {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// The HTTP body's and the WebSocket's sink: events into the utterance's channel, stopping
/// when the listener is gone or the request's time is up.
struct ChannelSink {
    events: mpsc::UnboundedSender<Msg>,
    deadline: Instant,
    timed_out: bool,
}

impl Sink for ChannelSink {
    fn event(&mut self, event: StreamEvent) -> ControlFlow<()> {
        if Instant::now() >= self.deadline {
            self.timed_out = true;
            return ControlFlow::Break(());
        }
        match self.events.send(Msg::Event(event)) {
            Ok(()) => ControlFlow::Continue(()),
            Err(_) => ControlFlow::Break(()),
        }
    }
}

async fn run(
    state: Arc<AppState>,
    job: Job,
    voice: VoiceId,
    priority: Priority,
    tx: mpsc::UnboundedSender<Msg>,
    cancel: CancelToken,
) {
    let limit = state.config().request_timeout;
    let deadline = Instant::now() + limit;
    // Waiting for a slot: leave the queue at once if the listener goes away.
    let permit = tokio::select! {
        _ = tx.closed() => return,
        r = tokio::time::timeout_at(deadline.into(), state.limiter().acquire(priority)) => match r {
            Ok(Ok(p)) => p,
            Ok(Err(e)) => {
                let _ = tx.send(Msg::End(Err(e)));
                return;
            }
            Err(_) => {
                let _ = tx.send(Msg::End(Err(ApiError::timeout(limit))));
                return;
            }
        },
    };
    let st = state.clone();
    let v = voice.clone();
    let events = tx.clone();
    let joined = tokio::task::spawn_blocking(move || {
        // The slot is held until the work really ends (bulk work makes way between
        // sentences).
        let mut slot = permit;
        if cancel.is_cancelled() || events.is_closed() {
            return Ok(StreamEnd {
                samples: 0,
                completed: false,
            });
        }
        let engine = st.engine();
        let channel = ChannelSink {
            events,
            deadline,
            timed_out: false,
        };
        let mut sink = Fair::new(channel, &mut slot, &cancel);
        let (input, opts) = match &job {
            Job::Text { text, opts } => (Input::Text(text), *opts),
            Job::Query(q) => (Input::Query(q), SynthesisOptions::default()),
        };
        let result = engine.speak(input, &v, &opts, Rendering::Streamed, &cancel, &mut sink);
        if sink.inner.timed_out {
            tracing::info!("stream ran past the time limit: stopped");
            return Err(ApiError::timeout(limit));
        }
        result.map_err(ApiError::engine)
    })
    .await;
    let end = match joined {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "streaming synthesis task failed");
            Err(ApiError::internal("synthesis failed unexpectedly"))
        }
    };
    match &end {
        Ok(e) => {
            state.mark_initialized(&voice);
            tracing::debug!(samples = e.samples, completed = e.completed, "stream ended");
        }
        Err(e) => tracing::debug!(error = %e, "stream failed"),
    }
    let _ = tx.send(Msg::End(end));
}

/// Streams give 24 kHz mono; a query asking for another format is refused rather than
/// silently answered in a different one.
pub(crate) fn check_stream_format(q: &AudioQuery) -> Result<(), ApiError> {
    if q.output_sampling_rate != SAMPLE_RATE {
        return Err(ApiError::validation(
            loc(&["body", "outputSamplingRate"]),
            format!(
                "streaming gives {SAMPLE_RATE} Hz audio; outputSamplingRate {} is only \
                 available from /synthesis",
                q.output_sampling_rate
            ),
            "value_error",
        ));
    }
    if q.output_stereo {
        return Err(ApiError::validation(
            loc(&["body", "outputStereo"]),
            "streaming gives mono audio; outputStereo is only available from /synthesis",
            "value_error",
        ));
    }
    Ok(())
}

/// A chunked response whose body is the utterance's audio, encoded as it is produced.
///
/// Headers wait for the first audio, so that what fails before any sound (a full queue, text
/// with nothing to say) is an ordinary error response with its status; a failure after that
/// ends the body early (the chunked encoding is cut, so clients see an incomplete body).
pub(crate) async fn audio_response(
    mut utt: Utterance,
    format: StreamFormat,
    content_type: &'static str,
) -> Result<Response, ApiError> {
    let (mut encoder, head) = StreamEncoder::new(format, SAMPLE_RATE).map_err(encode_error)?;
    let mut pending = VecDeque::new();
    pending.push_back(Bytes::from(head));
    let mut open = true;
    loop {
        match utt.next().await {
            Some(Msg::Event(StreamEvent::Audio(pcm))) => {
                pending.push_back(Bytes::from(encoder.push(&pcm).map_err(encode_error)?));
                break;
            }
            Some(Msg::Event(_)) => {}
            Some(Msg::End(Ok(_))) => {
                open = false;
                break;
            }
            Some(Msg::End(Err(e))) => return Err(e),
            None => return Err(ApiError::internal("synthesis failed unexpectedly")),
        }
    }
    let mut body = BodyState {
        utt: None,
        encoder: None,
        pending,
    };
    if open {
        body.utt = Some(utt);
        body.encoder = Some(encoder);
    } else {
        body.pending
            .push_back(Bytes::from(encoder.finish().map_err(encode_error)?));
    }
    let stream = futures_util::stream::unfold(body, |mut s| async move {
        let chunk = s.next_chunk().await?;
        Some((chunk, s))
    });
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
            // Proxies (nginx) would otherwise buffer the stream.
            (header::HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

fn encode_error(e: yomiage_audio::EncodeError) -> ApiError {
    tracing::error!(error = %e, "encoding a stream");
    ApiError::internal(format!("encoding failed: {e}"))
}

struct BodyState {
    /// `None` once the synthesis is over.
    utt: Option<Utterance>,
    /// `None` once finished.
    encoder: Option<StreamEncoder>,
    pending: VecDeque<Bytes>,
}

impl BodyState {
    async fn next_chunk(&mut self) -> Option<Result<Bytes, ApiError>> {
        loop {
            // Encoders may give nothing for a short chunk (less than a frame): skip empties.
            if let Some(b) = self.pending.pop_front() {
                if b.is_empty() {
                    continue;
                }
                return Some(Ok(b));
            }
            let utt = self.utt.as_mut()?;
            let encoder = self.encoder.as_mut()?;
            match utt.next().await {
                Some(Msg::Event(StreamEvent::Audio(pcm))) => match encoder.push(&pcm) {
                    Ok(b) => self.pending.push_back(Bytes::from(b)),
                    Err(e) => return Some(Err(self.cut(encode_error(e)))),
                },
                Some(Msg::Event(_)) => {}
                Some(Msg::End(Ok(_))) => {
                    self.utt = None;
                    let tail = self.encoder.take().map(StreamEncoder::finish)?;
                    match tail {
                        Ok(b) => self.pending.push_back(Bytes::from(b)),
                        Err(e) => return Some(Err(self.cut(encode_error(e)))),
                    }
                }
                Some(Msg::End(Err(e))) => {
                    tracing::warn!(error = %e, "stream failed after its first audio: body cut short");
                    return Some(Err(self.cut(e)));
                }
                None => {
                    let e = ApiError::internal("synthesis failed unexpectedly");
                    return Some(Err(self.cut(e)));
                }
            }
        }
    }

    /// Ends the body after `e`.
    fn cut(&mut self, e: ApiError) -> ApiError {
        self.utt = None;
        self.encoder = None;
        self.pending.clear();
        e
    }
}

#[derive(Deserialize)]
struct StreamSynthesisParams {
    speaker: i64,
    /// `wav` (default) or `pcm`.
    #[serde(default)]
    format: Option<String>,
}

/// The body encoding named by a `format` parameter.
fn encoding(format: Option<&str>) -> Result<StreamFormat, ApiError> {
    match format.map(str::trim) {
        None | Some("wav") => Ok(StreamFormat::Wav),
        Some("pcm") => Ok(StreamFormat::Pcm),
        Some(other) => Err(ApiError::validation(
            loc(&["query", "format"]),
            format!("format {other:?} is not supported; use \"wav\" or \"pcm\""),
            "value_error",
        )),
    }
}

/// `POST /stream_synthesis?speaker=ID[&format=wav|pcm]` with an AudioQuery body: the query's
/// audio as it is rendered.
async fn stream_synthesis(
    State(state): State<Arc<AppState>>,
    VQuery(p): VQuery<StreamSynthesisParams>,
    LimitedBody(body): LimitedBody,
) -> Result<Response, ApiError> {
    let voice = state.voice(p.speaker)?;
    let encoding = encoding(p.format.as_deref())?;
    let q: AudioQuery = parse_json(&body)?;
    check_stream_format(&q)?;
    let query = q.check().map_err(|e| ApiError::query(&e))?;
    let priority = Priority::of_queries([query.get()]);
    let utt = Utterance::start(&state, Job::Query(query), voice, priority);
    let content_type = match encoding {
        StreamFormat::Pcm => "audio/pcm;rate=24000;channels=1",
        _ => "audio/wav",
    };
    audio_response(utt, encoding, content_type).await
}
