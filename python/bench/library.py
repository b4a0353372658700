"""Throughput of book rendering: one process (one engine, one ONNX Runtime thread — what one
node of one CPU renders alone), two such processes at once on half the books each (two nodes
rendering alone, without a cluster, sharing the machine as the cluster's nodes do), and
`yomiage-library` on a local two-node Ray cluster (head + second node as separate processes,
one CPU each, on 127.0.0.1). Prints audio hours per wall hour for each and the cluster's ratio
to the two nodes alone (target ≥ 0.9).

    target/pyyomiage/bin/python python/bench/library.py [--books 2] [--chapters 4] [--sentences 6]

Books are made from the accent dev set's sentences (../shared/data/accent/dev.jsonl) when it is
there, else from a built-in paragraph. FLAC output, nothing cached; the cluster is stopped at
the end (`ray stop --force`)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT.parent / "shared" / "data" / "accent" / "dev.jsonl"
BIN = Path(sys.executable).parent
FALLBACK = [
    "吾輩は猫である。",
    "名前はまだ無い。",
    "どこで生れたかとんと見当がつかぬ。",
    "何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。",
    "吾輩はここで始めて人間というものを見た。",
    "しかもあとで聞くとそれは書生という人間中で一番獰悪な種族であったそうだ。",
]


def sentences(n: int) -> list[str]:
    if DEV.is_file():
        with DEV.open(encoding="utf-8") as f:
            out = [json.loads(line)["text"] for _, line in zip(range(n), f)]
        if len(out) == n:
            return out
    return [FALLBACK[i % len(FALLBACK)] for i in range(n)]


def make_books(folder: Path, books: int, chapters: int, per_chapter: int) -> None:
    texts = sentences(books * chapters * per_chapter)
    for b in range(books):
        lines = [f"[[title: 試験の本{b + 1}]]"]
        for c in range(chapters):
            lines.append(f"[[chapter: 第{c + 1}章]]")
            start = (b * chapters + c) * per_chapter
            lines.extend(texts[start : start + per_chapter])
        (folder / f"book{b + 1}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def pair(books: Path, out: Path) -> tuple[float, float]:
    """(audio seconds, wall seconds) of two independent processes at once, each rendering half
    the books alone — two nodes without a cluster, sharing this machine as the cluster's two
    nodes do. Their sum is what the cluster should reach."""
    halves = [out / "a", out / "b"]
    for h in halves:
        (h / "books").mkdir(parents=True)
    for i, book in enumerate(sorted(books.iterdir())):
        shutil.copy(book, halves[i % 2] / "books")
    started = time.monotonic()
    procs = [
        subprocess.Popen([sys.executable, __file__, "--single", str(h / "books"), str(h / "out")],
                         stdout=subprocess.PIPE, text=True)
        for h in halves
    ]
    rates = []
    for p in procs:
        stdout, _ = p.communicate(timeout=3600)
        if p.returncode != 0:
            raise SystemExit("a single process failed")
        audio, wall = map(float, stdout.split())
        rates.append((audio, wall))
    wall = time.monotonic() - started
    return sum(a for a, _ in rates), wall


def single(books: Path, out: Path) -> tuple[float, float]:
    """(audio seconds, wall seconds) of one process, one engine with one thread."""
    import yomiage

    started = time.monotonic()
    engine = yomiage.Engine(threads=1)
    audio = 0.0
    for book in sorted(books.iterdir()):
        report = yomiage.BookJob(book, out / book.stem).render_all(engine, jobs=1)
        audio += float(report["audio_seconds"])
    return audio, time.monotonic() - started


def cluster(books: Path, out: Path) -> tuple[float, float, str]:
    """(audio seconds, wall seconds, the library's summary) on a local two-node cluster."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    temp = tempfile.mkdtemp(prefix="yb", dir="/tmp")
    ray = str(BIN / "ray")
    common = ["--num-cpus", "1", "--node-ip-address", "127.0.0.1", "--disable-usage-stats"]
    try:
        subprocess.run(
            [ray, "start", "--head", "--port", str(port), "--include-dashboard=false", "--temp-dir", temp, *common],
            check=True, capture_output=True, timeout=120,
        )
        subprocess.run([ray, "start", "--address", f"127.0.0.1:{port}", *common], check=True, capture_output=True, timeout=120)
        started = time.monotonic()
        r = subprocess.run(
            [sys.executable, "-m", "yomiage.library", str(books), "-o", str(out), "--address", f"127.0.0.1:{port}", "--quiet"],
            capture_output=True, text=True, timeout=3600,
        )
        wall = time.monotonic() - started
        if r.returncode != 0:
            raise SystemExit(f"yomiage-library failed:\n{r.stdout}\n{r.stderr}")
    finally:
        subprocess.run([ray, "stop", "--force"], capture_output=True, timeout=120)
        shutil.rmtree(temp, ignore_errors=True)
    audio = 0.0
    for book in sorted(books.iterdir()):
        chapters = json.loads((out / book.stem / "book.json").read_text())["chapters"]
        audio += sum(c["duration_s"] for c in chapters)
    return audio, wall, r.stdout.strip()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--books", type=int, default=2)
    p.add_argument("--chapters", type=int, default=4)
    p.add_argument("--sentences", type=int, default=6, help="sentences per chapter")
    p.add_argument("--single", nargs=2, metavar=("BOOKS", "OUT"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.single:
        audio, wall = single(Path(args.single[0]), Path(args.single[1]))
        print(audio, wall)
        return
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    work = Path(tempfile.mkdtemp(prefix="yomiage-bench-"))
    try:
        books = work / "books"
        books.mkdir()
        make_books(books, args.books, args.chapters, args.sentences)
        a1, w1 = single(books, work / "single")
        print(f"one process (1 engine, 1 thread): {a1 / 60:.2f} min of audio in {w1 / 60:.2f} min "
              f"= {a1 / w1:.2f} h of audio per wall hour", flush=True)
        a3, w3 = pair(books, work / "pair")
        print(f"two independent processes at once (1 engine, 1 thread each, half the books each): "
              f"{a3 / 60:.2f} min of audio in {w3 / 60:.2f} min = {a3 / w3:.2f} h of audio per wall hour", flush=True)
        a2, w2, summary = cluster(books, work / "cluster")
        print(f"two-node Ray cluster (2 engines, 1 CPU each): {a2 / 60:.2f} min of audio in {w2 / 60:.2f} min "
              f"= {a2 / w2:.2f} h of audio per wall hour (wall includes engine loading on the workers)")
        print(f"  {summary}")
        print(f"cluster / two independent processes = {(a2 / w2) / (a3 / w3):.2f} (target ≥ 0.9); "
              f"cluster / (2 × one process alone) = {(a2 / w2) / (2 * a1 / w1):.2f}; "
              f"cores on this machine: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
