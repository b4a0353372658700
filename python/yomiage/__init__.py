"""yomiage: Japanese text-to-speech with explicit, editable pitch accent.

The engine is the Rust library (the extension module ``yomiage._native``); this package turns
its raw results into numpy arrays and dicts. The data directory and set-up are the CLI's
(``$YOMIAGE_HOME``, else ``$XDG_DATA_HOME/yomiage``, else ``~/.local/share/yomiage``; missing
components are set up on first use unless ``YOMIAGE_AUTO_SETUP=0``).

>>> import yomiage
>>> engine = yomiage.Engine(voice="jf_alpha")
>>> audio, rate = engine.synthesize("今日はいい天気ですね。")
"""

from __future__ import annotations

import json
from typing import Any, Iterator, Mapping, Union

import numpy as np

from . import _native
from ._native import SAMPLE_RATE, VERSION, BookJob, UserDictionary, YomiageError, data_dir, read_book, voices

__all__ = [
    "SAMPLE_RATE",
    "VERSION",
    "BookJob",
    "Engine",
    "Stream",
    "UserDictionary",
    "YomiageError",
    "data_dir",
    "read_book",
    "voices",
]
__version__ = VERSION

Query = Mapping[str, Any]


def _samples(raw: bytearray, channels: int = 1) -> np.ndarray:
    """float32 samples (bytes from the engine) as a numpy array, without a copy."""
    audio = np.frombuffer(raw, dtype="<f4")
    return audio.reshape(-1, channels) if channels > 1 else audio


class Stream:
    """Events of a streamed synthesis, in order: ``("sentence", {"index", "text"})``,
    ``("timeline", {...})`` (mora and phoneme times with visemes, before the audio they
    describe), ``("audio", float32 array)`` chunks at 24 kHz, and last ``("end", {"samples",
    "completed"})``. ``cancel()`` stops it within one chunk: nothing more is yielded but the
    end (``completed`` False); leaving the loop early, or closing the stream, cancels too."""

    def __init__(self, native: _native.Stream) -> None:
        self._native = native

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        for kind, value in self._native:
            if kind == "audio":
                yield kind, _samples(value)
            else:
                yield kind, json.loads(value)

    def cancel(self) -> None:
        self._native.cancel()

    def close(self) -> None:
        self._native.cancel()

    def __enter__(self) -> "Stream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Engine(_native.Engine):
    """A loaded engine and voice. ``Engine(voice="jf_alpha", accent="learned", device="cpu",
    precision=None, threads=None, user_dict=None, user_words=True)``; ``device`` is ``cpu``,
    ``cuda`` or ``auto`` (CUDA needs ``yomiage setup --gpu``). One engine may be shared by
    threads; the GIL is released while audio is computed."""

    def synthesize(
        self,
        text: Union[str, Query, None] = None,
        *,
        query: Union[Query, str, None] = None,
        voice: str | None = None,
        speed: float = 1.0,
        pitch: float = 0.0,
        intonation: float = 1.0,
        volume: float = 1.0,
        sentence_pause: float = 0.35,
    ) -> tuple[np.ndarray, int]:
        """Text, or an AudioQuery (a dict as ``audio_query`` returns, edited or not), to
        speech: ``(float32 array, sample rate)``; a query's ``outputStereo`` gives shape
        ``(n, 2)``. The scales apply to text (a query carries its own)."""
        if text is not None and not isinstance(text, str):
            query, text = text, None
        if isinstance(query, Mapping):
            query = json.dumps(query)
        raw, rate, channels = self._synthesize(
            text,
            query,
            voice,
            speed,
            pitch,
            intonation,
            volume,
            sentence_pause,
        )
        return _samples(raw, channels), rate

    def stream(
        self,
        text: str,
        *,
        voice: str | None = None,
        speed: float = 1.0,
        pitch: float = 0.0,
        intonation: float = 1.0,
        volume: float = 1.0,
        sentence_pause: float = 0.35,
    ) -> Stream:
        """Text to speech as it is made (see ``Stream``)."""
        return Stream(self._stream(text, voice, speed, pitch, intonation, volume, sentence_pause))

    def audio_query(self, text: str, *, voice: str | None = None) -> dict[str, Any]:
        """The VOICEVOX AudioQuery for ``text``: accent phrases with the voice's mora lengths
        and yomiage's accent pitches, and the scales; edit it and pass it to ``synthesize``."""
        return json.loads(self._audio_query(text, voice))

    def accent_phrases(self, text: str, *, voice: str | None = None) -> list[dict[str, Any]]:
        """The AudioQuery's accent phrases (VOICEVOX's ``/accent_phrases``)."""
        return self.audio_query(text, voice=voice)["accent_phrases"]
