"""The Python package on the real engine: audio against the CLI's, streaming and its
cancellation, errors as exceptions, the user dictionary, and books identical to
`yomiage book`'s."""

from __future__ import annotations

import json
import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest

import yomiage
from conftest import chapter_files, run_cli

TEXT = "今日はいい天気ですね。散歩に行きましょう。"


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return data.astype(np.float32) / 32768.0, w.getframerate()


def test_synthesize_matches_the_cli(engine, yomiage_bin, tmp_path) -> None:
    audio, rate = engine.synthesize(TEXT)
    assert rate == 24000 == engine.sample_rate
    assert audio.dtype == np.float32 and audio.ndim == 1
    out = tmp_path / "cli.wav"
    run_cli(yomiage_bin, "synth", TEXT, "-o", out)
    cli, cli_rate = read_wav(out)
    # The same engine door and options as `yomiage synth`: the same length, and the same
    # samples up to the WAV's 16-bit rounding (and ONNX Runtime's thread count).
    assert cli_rate == rate
    assert len(audio) == len(cli), (len(audio), len(cli))
    assert 1.5 < len(audio) / rate < 8, len(audio) / rate
    err = audio - cli
    snr = 10 * np.log10(np.sum(cli**2) / max(np.sum(err**2), 1e-20))
    assert snr > 40, f"SNR against the CLI {snr:.1f} dB"


def test_query_round_trip_and_its_output_rate(engine) -> None:
    query = engine.audio_query("橋が見える。")
    assert query["accent_phrases"] and "moras" in query["accent_phrases"][0]
    assert engine.accent_phrases("橋が見える。") == query["accent_phrases"]
    audio, rate = engine.synthesize(query)
    assert rate == 24000
    query["outputSamplingRate"] = 48000
    query["speedScale"] = 1.0
    audio48, rate48 = engine.synthesize(query=query)
    assert rate48 == 48000
    assert abs(len(audio48) - 2 * len(audio)) <= 4, (len(audio48), len(audio))
    query["outputStereo"] = True
    stereo, _ = engine.synthesize(query)
    assert stereo.shape == (len(audio48), 2)
    # Slower speech is longer: the query's scales are applied.
    query.update(outputSamplingRate=24000, outputStereo=False, speedScale=0.5)
    slow, _ = engine.synthesize(query)
    assert len(slow) > 1.6 * len(audio)


def test_stream_yields_events_and_audio_that_add_up(engine) -> None:
    kinds: list[str] = []
    chunks: list[np.ndarray] = []
    end = None
    for kind, value in engine.stream(TEXT):
        kinds.append(kind)
        if kind == "audio":
            assert value.dtype == np.float32
            chunks.append(value)
        elif kind == "timeline":
            assert value["moras"], value
        elif kind == "end":
            end = value
    assert kinds[0] == "sentence" and kinds[-1] == "end"
    assert kinds.count("sentence") == 2
    assert "timeline" in kinds
    assert len(chunks) > 2, "streamed in chunks"
    total = sum(len(c) for c in chunks)
    assert end == {"samples": total, "completed": True}
    whole, _ = engine.synthesize(TEXT)
    # Streamed and whole decoding differ in timbre, not in layout.
    assert abs(total - len(whole)) < 0.05 * len(whole), (total, len(whole))


def test_stream_can_be_cancelled(engine) -> None:
    full = sum(len(v) for k, v in engine.stream(TEXT) if k == "audio")
    stream = engine.stream(TEXT)
    after: list[str] = []
    first = 0
    for kind, value in stream:
        if first:
            after.append(kind)
        if kind == "audio" and not first:
            first = len(value)
            stream.cancel()
        if kind == "end":
            end = value
    # Nothing but the end after cancel(); the synthesis stopped early.
    assert after == ["end"], after
    assert end["completed"] is False and first <= end["samples"] < 0.75 * full, (end, full)
    # A stream left early is stopped too (its thread ends; the engine is free again).
    for kind, _ in engine.stream(TEXT):
        if kind == "audio":
            break
    audio, _ = engine.synthesize("はい。")
    assert len(audio) > 0


def test_the_gil_is_released_while_audio_is_computed(engine) -> None:
    ticks = 0
    stop = threading.Event()

    def tick() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    t = threading.Thread(target=tick)
    t.start()
    started = time.monotonic()
    engine.synthesize(TEXT)
    seconds = time.monotonic() - started
    stop.set()
    t.join()
    # A thread holding the GIL for the whole synthesis would allow a handful of ticks.
    assert ticks > 0.3 * seconds / 0.0011, (ticks, seconds)


def test_errors_are_exceptions_with_the_engines_message(engine, tmp_path) -> None:
    with pytest.raises(yomiage.YomiageError, match="unknown voice"):
        yomiage.Engine(voice="nobody")
    with pytest.raises(yomiage.YomiageError, match="unknown voice"):
        engine.synthesize("こんにちは。", voice="nobody")
    with pytest.raises(ValueError, match="between"):
        q = engine.audio_query("こんにちは。")
        q["speedScale"] = -1
        engine.synthesize(q)
    with pytest.raises(ValueError, match="unknown device"):
        yomiage.Engine(device="tpu")
    with pytest.raises(yomiage.YomiageError, match="nothing|empty"):
        engine.synthesize("。。。")
    with pytest.raises(yomiage.YomiageError, match="cannot read"):
        yomiage.BookJob(tmp_path / "missing.txt", tmp_path / "out")
    with pytest.raises(ValueError, match="--loudness"):
        book = tmp_path / "b.txt"
        book.write_text("本文です。\n", encoding="utf-8")
        yomiage.BookJob(book, tmp_path / "out", loudness=3)


def test_user_dictionary(engine, tmp_path) -> None:
    words = yomiage.UserDictionary(tmp_path / "words.json")
    assert len(words) == 0
    before = engine.accent("鬱金香庵に行く")
    wid = words.add("鬱金香庵", "ウコンコウアン", 4, "proper-noun", 7)
    assert words.words()[0][:4] == (wid, "鬱金香庵", "ウコンコウアン", 4)
    with pytest.raises(ValueError):
        words.add("変", "ヘン", 9)  # accent past the last mora
    words.save()
    reloaded = yomiage.UserDictionary(tmp_path / "words.json")
    assert len(reloaded) == 1
    engine.set_user_dictionary(reloaded)
    try:
        after = engine.accent("鬱金香庵に行く")
        assert after.startswith("ウコンコ'ウアン"), after
        assert after != before
        # The CLI reads the same file.
        assert "ウコンコウアン" in reloaded.to_voicevox_json()
    finally:
        reloaded.remove(wid[:8])
        assert len(reloaded) == 0
        engine.set_user_dictionary(reloaded)
    assert engine.accent("鬱金香庵に行く") == before


def test_book_render_matches_the_cli(engine, books, cli_render, tmp_path) -> None:
    for book in sorted(books.iterdir()):
        cli = cli_render / book.stem
        # Whole, as `yomiage book` renders it.
        whole = yomiage.BookJob(book, tmp_path / "whole" / book.stem, format="wav")
        report = whole.render_all(engine)
        assert [o[2] for o in report["outcomes"]] == ["rendered", "rendered"]
        # Chapter by chapter through the job's state, as a cluster's workers render it.
        job = yomiage.BookJob(book, tmp_path / "parts" / book.stem, format="wav")
        job.prepare()
        elsewhere = yomiage.BookJob.from_state(job.state())
        for track, _title, _file, _units, done in job.chapters():
            assert not done
            outcome, seconds = job.record(track, elsewhere.render_chapter(engine, track))
            assert outcome == "rendered" and seconds > 1
        job.finish()
        for out in (tmp_path / "whole" / book.stem, tmp_path / "parts" / book.stem):
            assert chapter_files(out) == chapter_files(cli) and len(chapter_files(cli)) == 2
            assert json.loads((out / "book.json").read_text()) == json.loads((cli / "book.json").read_text())
        # The CLI's resume manifest says these chapters are finished: nothing to do again.
        again = yomiage.BookJob(book, tmp_path / "parts" / book.stem, format="wav")
        assert all(c[4] for c in again.chapters())


def test_a_job_refuses_an_engine_that_analyses_otherwise(engine, books, tmp_path) -> None:
    job = yomiage.BookJob(books / "kawa.txt", tmp_path / "o", format="wav", accent="rules")
    with pytest.raises(ValueError, match="analysis"):
        job.render_chapter(engine, 1)


def test_the_console_script_is_installed() -> None:
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).parent / "yomiage-library"
    r = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "--address" in r.stdout, r.stderr


def test_the_planner_reads_aozora_text_as_the_cli_does(yomiage_bin, tmp_path) -> None:
    import re

    from conftest import ROOT

    story = tmp_path / "story.txt"
    # Shift_JIS with CRLF, as Aozora Bunko publishes it.
    text = (ROOT / "book" / "tests" / "fixtures" / "story.txt").read_text(encoding="utf-8")
    story.write_bytes(text.replace("\n", "\r\n").encode("shift_jis"))
    title, author, chapters = yomiage.read_book(story)
    listed = run_cli(yomiage_bin, "book", story, "--list").stdout.splitlines()
    assert listed[0] == f"{title} / {author}"
    rows = [re.match(r"\s*(\d+)\s+(\S+)\s+\((\d+) paragraphs, (\d+) characters, (\d+) sections\)", line) for line in listed[1:]]
    assert len(rows) == len(chapters) >= 3
    for m, (name, paragraphs, sections) in zip(rows, chapters):
        assert m is not None
        assert (m.group(2), int(m.group(3)), int(m.group(4)), int(m.group(5))) == (
            name,
            len(paragraphs),
            sum(len(p) for p in paragraphs),
            len(sections),
        )
    job = yomiage.BookJob(story, tmp_path / "out", format="mp3")
    assert [c[2] for c in job.chapters()] == [f"{i + 1:03} - {c[0]}.mp3" for i, c in enumerate(chapters)]
    assert (job.title, job.author) == (title, author)
