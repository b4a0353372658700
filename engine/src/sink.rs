//! Where synthesis goes: every caller (a WAV file, the audio device, an HTTP body, a WebSocket,
//! a book chapter) receives the same events through one [`Sink`], and stops a synthesis the
//! same way — by returning `Break` or cancelling its [`CancelToken`].

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::audio::{Audio, Synthesis};
use crate::timeline::Timeline;
use yomiage_vocoder::SAMPLE_RATE;

/// Stops a running synthesis at the next chunk boundary. Cheap to clone and share; the one
/// cancellation type of the project.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// What a synthesis produces, in order.
#[derive(Debug, Clone)]
pub enum StreamEvent {
    /// A sentence of the input text starts (text input only).
    Sentence { index: usize, text: String },
    /// When the next moras and phonemes sound, in seconds from the start of the output,
    /// phrases numbered across the whole input. Sent before the audio it describes.
    Timeline(Timeline),
    /// The next samples: 24 kHz mono in [-1, 1].
    Audio(Vec<f32>),
}

/// How a synthesis ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamEnd {
    /// Samples sent in all.
    pub samples: usize,
    /// False when it was stopped (by the token or the sink).
    pub completed: bool,
}

/// Receives a synthesis as it is produced.
pub trait Sink {
    /// The next event; `Break` stops the synthesis within one chunk.
    fn event(&mut self, event: StreamEvent) -> ControlFlow<()>;
    /// The synthesis is over (also when stopped; not after an error).
    fn end(&mut self, _end: &StreamEnd) {}
}

impl<F: FnMut(StreamEvent) -> ControlFlow<()>> Sink for F {
    fn event(&mut self, event: StreamEvent) -> ControlFlow<()> {
        self(event)
    }
}

/// Collects a synthesis in memory: the audio and its timeline.
#[derive(Debug, Default)]
pub struct Collect {
    pub samples: Vec<f32>,
    pub timeline: Timeline,
}

impl Collect {
    /// The collected speech (24 kHz mono).
    pub fn into_synthesis(self) -> Synthesis {
        Synthesis {
            audio: Audio {
                samples: self.samples,
                sample_rate: SAMPLE_RATE,
                channels: 1,
            },
            timeline: self.timeline,
        }
    }
}

impl Sink for Collect {
    fn event(&mut self, event: StreamEvent) -> ControlFlow<()> {
        match event {
            StreamEvent::Sentence { .. } => {}
            StreamEvent::Timeline(t) => {
                self.timeline.moras.extend(t.moras);
                self.timeline.phonemes.extend(t.phonemes);
            }
            StreamEvent::Audio(pcm) => self.samples.extend_from_slice(&pcm),
        }
        ControlFlow::Continue(())
    }
}

/// A sink with the sample count so far and whether to stop (the pipeline's side of a sink).
pub(crate) struct Out<'a> {
    sink: &'a mut dyn Sink,
    cancel: CancelToken,
    pub samples: usize,
    stopped: bool,
}

impl<'a> Out<'a> {
    pub fn new(sink: &'a mut dyn Sink, cancel: &CancelToken) -> Self {
        Out {
            sink,
            cancel: cancel.clone(),
            samples: 0,
            stopped: false,
        }
    }
    pub fn cancel(&self) -> &CancelToken {
        &self.cancel
    }
    pub fn stopped(&self) -> bool {
        self.stopped || self.cancel.is_cancelled()
    }
    pub fn stop(&mut self) {
        self.stopped = true;
    }
    pub fn send(&mut self, event: StreamEvent) {
        if !self.stopped() && self.sink.event(event).is_break() {
            self.stopped = true;
        }
    }
    pub fn audio(&mut self, pcm: Vec<f32>) {
        if pcm.is_empty() || self.stopped() {
            return;
        }
        let n = pcm.len();
        self.send(StreamEvent::Audio(pcm));
        self.samples += n;
    }
    /// Where the next sample goes, in seconds.
    pub fn seconds(&self) -> f64 {
        self.samples as f64 / SAMPLE_RATE as f64
    }
    pub fn end(self) -> StreamEnd {
        let end = StreamEnd {
            samples: self.samples,
            completed: !self.stopped(),
        };
        self.sink.end(&end);
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_token_is_shared() {
        let t = CancelToken::new();
        let u = t.clone();
        assert!(!u.is_cancelled());
        t.cancel();
        assert!(u.is_cancelled());
    }

    #[test]
    fn a_break_stops_the_output_and_counts_only_what_was_sent() {
        let mut seen = 0;
        let mut sink = |e: StreamEvent| {
            if let StreamEvent::Audio(_) = e {
                seen += 1;
            }
            if seen == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let cancel = CancelToken::new();
        let mut out = Out::new(&mut sink, &cancel);
        for _ in 0..5 {
            out.audio(vec![0.0; 10]);
        }
        let end = out.end();
        assert_eq!(
            end,
            StreamEnd {
                samples: 20,
                completed: false
            }
        );
        assert_eq!(seen, 2);
    }
}
