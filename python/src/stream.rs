//! `Stream`: `Engine::speak` with streamed rendering on a thread of its own, its events handed
//! to Python through a bounded channel (the synthesis waits when Python reads slowly). Reading
//! waits with the GIL released. `cancel()` — or dropping the stream — stops the synthesis
//! within one chunk through the engine's `CancelToken`.

use std::ops::ControlFlow;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyo3::IntoPyObjectExt;
use yomiage_engine::{CancelToken, Input, Rendering, StreamEvent, SynthesisOptions};
use yomiage_voices::VoiceId;

use crate::{message, samples_bytes, YomiageError};

/// Events waiting for Python at most (a few chunks: the synthesis keeps a little ahead).
const QUEUE: usize = 8;

enum Msg {
    Event(StreamEvent),
    End { samples: usize, completed: bool },
    Error(String),
}

/// The events of one synthesis, in order: `("sentence", json)`, `("timeline", json)`,
/// `("audio", float32 bytes)`, and last `("end", json)` with the samples sent and whether it
/// completed. An error raises `YomiageError`.
#[pyclass(frozen, module = "yomiage._native")]
pub struct Stream {
    rx: Mutex<Option<Receiver<Msg>>>,
    cancel: CancelToken,
}

impl Stream {
    pub(crate) fn start(
        engine: Arc<yomiage_engine::Engine>,
        voice: VoiceId,
        text: String,
        opts: SynthesisOptions,
    ) -> Stream {
        let (tx, rx) = sync_channel(QUEUE);
        let cancel = CancelToken::new();
        let token = cancel.clone();
        std::thread::spawn(move || {
            // A closed channel (the stream was dropped) stops the synthesis too.
            let mut sink = |ev: StreamEvent| match tx.send(Msg::Event(ev)) {
                Ok(()) => ControlFlow::Continue(()),
                Err(_) => ControlFlow::Break(()),
            };
            let result = engine.speak(
                Input::Text(&text),
                &voice,
                &opts,
                Rendering::Streamed,
                &token,
                &mut sink,
            );
            let last = match result {
                Ok(end) => Msg::End {
                    samples: end.samples,
                    completed: end.completed,
                },
                Err(e) => Msg::Error(message(&e)),
            };
            let _ = tx.send(last);
        });
        Stream {
            rx: Mutex::new(Some(rx)),
            cancel,
        }
    }
}

#[pymethods]
impl Stream {
    /// Stops the synthesis within one chunk; the iterator yields nothing more but the end
    /// (`completed: false`).
    fn cancel(&self) {
        self.cancel.cancel();
    }

    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let mut guard = self.rx.lock().unwrap_or_else(|p| p.into_inner());
        let Some(rx) = guard.take() else {
            return Ok(None);
        };
        // Once cancelled, what the synthesis had already queued is dropped: nothing more is
        // heard after `cancel()`, only the end.
        let cancelled = self.cancel.is_cancelled();
        let (rx, msg) = py.detach(move || loop {
            let msg = rx.recv().ok();
            if !(cancelled && matches!(msg, Some(Msg::Event(_)))) {
                break (rx, msg);
            }
        });
        *guard = Some(rx);
        let pair = |kind: &str, value: Bound<'py, PyAny>| {
            PyTuple::new(py, [kind.into_bound_py_any(py)?, value])
        };
        let json = |v: serde_json::Value| v.to_string().into_bound_py_any(py);
        match msg {
            None => {
                *guard = None;
                Ok(None)
            }
            Some(Msg::Event(StreamEvent::Audio(samples))) => {
                Ok(Some(pair("audio", samples_bytes(py, &samples).into_any())?))
            }
            Some(Msg::Event(StreamEvent::Sentence { index, text })) => Ok(Some(pair(
                "sentence",
                json(serde_json::json!({"index": index, "text": text}))?,
            )?)),
            Some(Msg::Event(StreamEvent::Timeline(t))) => {
                let v = serde_json::to_value(&t).unwrap_or_default();
                Ok(Some(pair("timeline", json(v)?)?))
            }
            Some(Msg::End { samples, completed }) => {
                *guard = None;
                Ok(Some(pair(
                    "end",
                    json(serde_json::json!({"samples": samples, "completed": completed}))?,
                )?))
            }
            Some(Msg::Error(e)) => {
                *guard = None;
                Err(YomiageError::new_err(e))
            }
        }
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}
