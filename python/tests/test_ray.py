"""`yomiage-library` on a real Ray cluster on loopback: a head and a second node as separate
processes (one CPU each), two tiny books rendered across them and compared byte for byte with
`yomiage book`; a re-run that keeps everything; and a run in which a worker process is killed
mid-chapter. The cluster is stopped at the end, also when a test fails; every wait is bounded."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest

from conftest import chapter_files

BIN = Path(sys.executable).parent
RAY_TIMEOUT = 120  # seconds for any ray start/stop
RUN_TIMEOUT = 600  # seconds for a library run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ray_cmd(*args: str) -> None:
    r = subprocess.run([str(BIN / "ray"), *args], capture_output=True, text=True, timeout=RAY_TIMEOUT)
    assert r.returncode == 0, f"ray {' '.join(args)}:\n{r.stdout}\n{r.stderr}"


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A head (1 CPU) and a second node (1 CPU) on 127.0.0.1, without dashboard or usage
    reporting; `ray stop --force` at the end whatever happens."""
    port = free_port()
    address = f"127.0.0.1:{port}"
    # Ray's socket paths must stay short: a temp dir of our own under /tmp.
    temp = tempfile.mkdtemp(prefix="yr", dir="/tmp")
    common = ["--num-cpus", "1", "--node-ip-address", "127.0.0.1", "--disable-usage-stats"]
    try:
        ray_cmd("start", "--head", "--port", str(port), "--include-dashboard=false", "--temp-dir", temp, *common)
        ray_cmd("start", "--address", address, *common)
        yield address
    finally:
        subprocess.run([str(BIN / "ray"), "stop", "--force"], capture_output=True, timeout=RAY_TIMEOUT)
        shutil.rmtree(temp, ignore_errors=True)


def library(address: str, books: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "yomiage.library", str(books), "-o", str(out), "--address", address, "--format", "wav"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(proc: subprocess.Popen[str], lines: list[str]) -> str:
    try:
        rest, _ = proc.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        rest, _ = proc.communicate()
        pytest.fail("yomiage-library did not finish in time:\n" + "".join(lines) + rest)
    text = "".join(lines) + rest
    assert proc.returncode == 0, text
    return text


def close(a: object, b: object) -> bool:
    """JSON values equal, floats to 1e-12 relative (a manifest read back may be an ulp off)."""
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-12 * max(abs(a), abs(b), 1.0)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    return a == b


def same_as_cli(out: Path, cli_render: Path, exact_json: bool = True) -> None:
    for book in sorted(cli_render.iterdir()):
        cli = chapter_files(book)
        assert len(cli) == 2
        assert chapter_files(out / book.name) == cli, book.name
        mine, theirs = (out / book.name / "book.json").read_text(), (book / "book.json").read_text()
        if exact_json:
            assert mine == theirs
        else:
            assert close(json.loads(mine), json.loads(theirs)), (mine, theirs)
        # Nothing half-written left behind.
        assert not list((out / book.name).glob(".*partial")), list((out / book.name).iterdir())


def workers(text: str) -> set[str]:
    return set(re.findall(r"started on worker pid (\d+)", text))


def test_library_on_two_nodes_matches_the_cli_and_resumes(cluster, books, cli_render, tmp_path) -> None:
    out = tmp_path / "library"
    started = time.monotonic()
    text = finish(library(cluster, books, out), [])
    print(text, f"\n{time.monotonic() - started:.1f} s")
    assert "4 chapters (4 to render) on 2 workers" in text, text
    assert len(workers(text)) == 2, "both nodes' workers rendered chapters"
    assert "(0 failed)" in text and "ETA" in text
    same_as_cli(out, cli_render)
    # A second run renders nothing: the resume manifest says every chapter is finished.
    again = finish(library(cluster, books, out), [])
    assert "(0 to render)" in again and again.count("kept (already finished)") == 4, again
    same_as_cli(out, cli_render, exact_json=False)


def test_a_worker_killed_mid_chapter_loses_nothing(cluster, books, cli_render, tmp_path) -> None:
    out = tmp_path / "fault"
    proc = library(cluster, books, out)
    assert proc.stdout is not None
    lines: list[str] = []
    victim = None
    deadline = time.monotonic() + RUN_TIMEOUT
    while victim is None and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        m = re.search(r"started on worker pid (\d+)", line)
        if m:
            victim = int(m.group(1))
    assert victim is not None, "".join(lines)
    time.sleep(0.5)  # into the chapter: the engine is synthesizing it
    os.kill(victim, signal.SIGKILL)
    text = finish(proc, lines)
    print(text)
    assert f"worker pid {victim} lost; the chapter is queued again" in text, text
    assert "(0 failed)" in text
    same_as_cli(out, cli_render)
