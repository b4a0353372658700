"""Shared fixtures: the environment every test runs in (the data directory as set up by
`yomiage setup`, no set-up behind the test command's back, an empty user dictionary of the
session's own), the `yomiage` binary to compare with, one engine, and tiny books."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session", autouse=True)
def environment(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["YOMIAGE_AUTO_SETUP"] = "0"
    os.environ["YOMIAGE_USER_DICT"] = str(tmp_path_factory.mktemp("dict") / "user_dict.json")
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"


@pytest.fixture(scope="session")
def yomiage_bin() -> Path:
    """The CLI built by the test command (YOMIAGE_BIN), else the workspace's debug build."""
    given = os.environ.get("YOMIAGE_BIN")
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    path = Path(given) if given else target / "debug" / "yomiage"
    assert path.is_file(), f"no yomiage binary at {path} (build it, or set YOMIAGE_BIN)"
    return path


def run_cli(yomiage_bin: Path, *args: str | os.PathLike[str]) -> subprocess.CompletedProcess[str]:
    r = subprocess.run([str(yomiage_bin), *map(str, args)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"yomiage {args}: {r.stderr}"
    return r


@pytest.fixture(scope="session")
def engine():  # type: ignore[no-untyped-def]
    import yomiage

    # One ONNX Runtime thread: the CLI renders for comparison with --threads 1.
    return yomiage.Engine(voice="jf_alpha", threads=1)


# Two chapters each, a sentence or two: seconds of audio, so the cluster tests stay short.
BOOKS = {
    "hoshi": "[[title: 星の話]]\n[[author: 試験]]\n[[chapter: 第一章]]\n夜空に星が光る。\n"
    "[[chapter: 第二章]]\n朝が来て、星は見えなくなった。\n",
    "kawa": "# 川の話\n\n## 上流\n\n山の水は冷たい。\n\n## 下流\n\n川は海へ流れる。\n",
}


@pytest.fixture(scope="session")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with two tiny plain-text books."""
    d = tmp_path_factory.mktemp("books")
    for name, text in BOOKS.items():
        (d / f"{name}.txt").write_text(text, encoding="utf-8")
    return d


@pytest.fixture(scope="session")
def cli_render(tmp_path_factory: pytest.TempPathFactory, books: Path, yomiage_bin: Path) -> Path:
    """The books rendered by `yomiage book` (WAV, one chapter and one thread at a time), one
    folder per book: what every other render must reproduce byte for byte."""
    out = tmp_path_factory.mktemp("cli")
    for book in sorted(books.iterdir()):
        run_cli(yomiage_bin, "book", book, "-o", out / book.stem, "--format", "wav", "--jobs", "1", "--threads", "1")
    return out


def chapter_files(folder: Path) -> dict[str, bytes]:
    """The chapter files of a book folder, by name."""
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.wav"))}
