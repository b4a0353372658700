"""``yomiage-library``: a library of books rendered on a Ray cluster.

Each book is planned here, by the driver, exactly as ``yomiage book`` plans it (the book
crate's job: chapters, file names, hashes, the resume manifest in each book's folder). The
chapters are the tasks; each worker is a Ray actor holding one engine, which renders a
chapter into the shared output folder (written through a temp file and a rename, so a worker
that dies leaves nothing that looks finished) and returns its manifest entry, which the driver
records. A chapter whose worker is lost is queued again and renders on another worker; a
re-run skips the finished chapters. Every node needs the package and the data directory
(``yomiage setup``, or the first engine there sets it up), and every node must see the output
folder at the same path (a shared file system).

    yomiage-library books/ -o out/ [--address auto] [--format mp3] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

BOOK_SUFFIXES = {".txt", ".epub"}
# The flags passed through to each book's job as they are (`yomiage book`'s settings).
BOOK_OPTIONS = (
    "voice", "format", "input_format", "dict", "loudness", "true_peak", "speed", "pitch",
    "intonation", "sentence_pause", "paragraph_pause", "title_pause", "chapter_pause",
)


@dataclass
class Task:
    book: int
    track: int
    units: int
    attempts: int = 0


class Renderer:
    """A worker: one engine, chapters one at a time (the actor's methods run in order)."""

    def __init__(self, engine: dict[str, Any]) -> None:
        import fcntl

        import yomiage

        # The first engine on a node sets the data directory up if it is missing; the other
        # workers of that node wait for it instead of setting up beside it.
        home = Path(yomiage.data_dir())
        home.mkdir(parents=True, exist_ok=True)
        with open(home / ".library-setup.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.engine = yomiage.Engine(**engine)
        self.jobs: dict[str, Any] = {}

    def info(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "accent": self.engine.accent_estimator,
            "precision": self.engine.precision,
        }

    def render(self, key: str, state: str, track: int) -> str:
        import yomiage

        job = self.jobs.get(key)
        if job is None:
            job = self.jobs[key] = yomiage.BookJob.from_state(state)
        return job.render_chapter(self.engine, track)


def find_books(paths: Sequence[str]) -> list[Path]:
    """Files as given; folders give their .txt and .epub files (sorted, not recursive)."""
    books: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            books.extend(sorted(f for f in p.iterdir() if f.suffix.lower() in BOOK_SUFFIXES and f.is_file()))
        elif p.is_file():
            books.append(p)
        else:
            raise SystemExit(f"yomiage-library: {p} is neither a book nor a folder")
    if not books:
        raise SystemExit("yomiage-library: no books found")
    stems = [b.stem for b in books]
    if len(set(stems)) != len(stems):
        raise SystemExit("yomiage-library: two books have the same name; their folders would clash")
    return books


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="yomiage-library",
        description="Render books (Aozora Bunko, plain text, EPUB) to audio on a Ray cluster, "
        "one folder per book as `yomiage book` writes it.",
    )
    p.add_argument("books", nargs="+", help="book files, or folders of .txt/.epub books")
    p.add_argument("-o", "--output", required=True, help="output folder (one sub-folder per book; shared by all nodes)")
    p.add_argument("--address", default=None, help="Ray cluster address (`auto`, host:port); default: a local cluster")
    p.add_argument("--workers", type=int, default=None, help="engines (actors); default: the cluster's CPUs / --cpus-per-worker")
    p.add_argument("--cpus-per-worker", type=int, default=1, help="CPUs per engine (its ONNX Runtime threads)")
    p.add_argument("--gpus-per-worker", type=float, default=0, help="GPUs per engine (with --device cuda)")
    p.add_argument("--retries", type=int, default=3, help="times a chapter is re-run after its worker is lost")
    p.add_argument("--start-timeout", type=float, default=1800, help="seconds the first engines may take to load (set-up included)")
    p.add_argument("--voice", default="jf_alpha")
    p.add_argument("--accent", default="learned", choices=["learned", "rules"])
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    p.add_argument("--precision", default=None, choices=["int8", "fp32", "fp16"])
    p.add_argument("--format", default="flac", choices=["flac", "ogg", "mp3", "wav"])
    p.add_argument("--input-format", default=None, choices=["aozora", "plain", "epub"])
    p.add_argument("--dict", default=None, help="a book dictionary for every book (user dictionary format)")
    p.add_argument("--loudness", type=float, default=-18.0)
    p.add_argument("--true-peak", type=float, default=-1.5)
    p.add_argument("--speed", type=float, default=1.0)
    p.add_argument("--pitch", type=float, default=0.0)
    p.add_argument("--intonation", type=float, default=1.0)
    p.add_argument("--sentence-pause", type=float, default=0.4)
    p.add_argument("--paragraph-pause", type=float, default=0.9)
    p.add_argument("--title-pause", type=float, default=1.2)
    p.add_argument("--chapter-pause", type=float, default=2.0)
    p.add_argument("--quiet", action="store_true", help="only the summary")
    return p.parse_args(argv)


def fmt_time(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class Library:
    """The driver: the jobs, the queue of chapters, the workers and the progress."""

    def __init__(self, args: argparse.Namespace) -> None:
        import ray

        self.ray = ray
        self.args = args
        self.engine = {
            "voice": args.voice,
            "accent": args.accent,
            "device": args.device,
            "precision": args.precision,
            "threads": args.cpus_per_worker,
            # The words are the job's (user + book dictionary, read here), set per chapter.
            "user_words": False,
        }
        self.actor_class = ray.remote(
            num_cpus=args.cpus_per_worker,
            num_gpus=args.gpus_per_worker,
            max_restarts=0,
        )(Renderer)
        self.started = time.monotonic()
        self.audio_s = 0.0
        self.units_done = 0
        self.units_total = 0
        self.done = 0
        self.total = 0

    def say(self, line: str) -> None:
        if not self.args.quiet:
            print(line, flush=True)

    def start_worker(self) -> tuple[Any, Any]:
        """A new worker and the reference its engine's details arrive on once loaded."""
        actor = self.actor_class.remote(self.engine)
        return actor, actor.info.remote()

    def ready(self, actor: Any, info: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        self.say(f"worker pid {info['pid']} on {info['host']} ready")
        return actor, info

    def progress(self, what: str) -> None:
        elapsed = time.monotonic() - self.started
        rate = self.units_done / elapsed if elapsed > 0 else 0
        eta = (self.units_total - self.units_done) / rate if rate > 0 else float("nan")
        eta_s = fmt_time(eta) if eta == eta else "?"
        self.say(
            f"[{self.done}/{self.total} chapters] {self.audio_s / 3600:.3f} h of audio in "
            f"{fmt_time(elapsed)}, ETA {eta_s} — {what}"
        )

    def run(self, books: list[Path]) -> int:
        import yomiage

        args = self.args
        cluster_cpus = int(self.ray.cluster_resources().get("CPU", 1))
        n_workers = args.workers or max(1, cluster_cpus // max(1, args.cpus_per_worker))
        # The engines load in parallel (on a node without the data directory, the first one
        # sets it up, which can take minutes).
        starting = [self.start_worker() for _ in range(n_workers)]
        infos = self.ray.get([ref for _, ref in starting], timeout=args.start_timeout)
        workers = [self.ready(actor, info) for (actor, _), info in zip(starting, infos)]
        # The chapters' hashes name the analysis the engines do (as `yomiage book` does).
        accent, precision = workers[0][1]["accent"], workers[0][1]["precision"]
        if any((w[1]["accent"], w[1]["precision"]) != (accent, precision) for w in workers):
            raise SystemExit("yomiage-library: the workers' engines analyse differently (precision or accent)")

        out = Path(args.output)
        jobs: list[Any] = []
        states: list[Any] = []
        queue: deque[Task] = deque()
        for i, path in enumerate(books):
            options = {name: getattr(args, name) for name in BOOK_OPTIONS}
            job = yomiage.BookJob(path, out / path.stem, accent=accent, precision=precision, **options)
            job.prepare()
            jobs.append(job)
            states.append(self.ray.put(job.state()))
            for track, title, _file, units, done in job.chapters():
                self.total += 1
                if done:
                    job.keep(track)
                    self.done += 1
                    self.say(f"{path.stem} #{track} {title}: kept (already finished)")
                else:
                    queue.append(Task(i, track, units))
                    self.units_total += units
        self.say(f"{len(books)} books, {self.total} chapters ({len(queue)} to render) on {n_workers} workers")

        idle = list(workers)
        running: dict[Any, tuple[Task, tuple[Any, dict[str, Any]]]] = {}
        # Replacements for lost workers, by the reference their details arrive on.
        replacing: dict[Any, Any] = {}
        failed = 0
        while queue or running:
            while queue and idle:
                task = queue.popleft()
                worker = idle.pop()
                ref = worker[0].render.remote(str(task.book), states[task.book], task.track)
                running[ref] = (task, worker)
                self.say(f"{books[task.book].stem} #{task.track}: started on worker pid {worker[1]['pid']}")
            if not running and not replacing:
                for t in queue:
                    jobs[t.book].fail(t.track, "no worker left")
                    failed += 1
                queue.clear()
                break
            ready, _ = self.ray.wait([*running, *replacing], num_returns=1)
            ref = ready[0]
            if ref in replacing:
                actor = replacing.pop(ref)
                try:
                    idle.append(self.ready(actor, self.ray.get(ref)))
                except self.ray.exceptions.RayError as e:
                    self.say(f"a replacement worker did not start: {e}")
                continue
            task, worker = running.pop(ref)
            name = f"{books[task.book].stem} #{task.track}"
            try:
                rendered = self.ray.get(ref)
            except self.ray.exceptions.RayActorError as e:
                # The worker is gone (its process or node died): the chapter goes back to the
                # queue for another worker, and a new worker is started in the lost one's place.
                task.attempts += 1
                if task.attempts > args.retries:
                    jobs[task.book].fail(task.track, f"lost {task.attempts} workers: {e}")
                    failed += 1
                    self.done += 1
                    self.progress(f"{name}: FAILED (workers lost)")
                else:
                    queue.appendleft(task)
                    self.say(f"{name}: worker pid {worker[1]['pid']} lost; the chapter is queued again")
                actor, info_ref = self.start_worker()
                replacing[info_ref] = actor
                continue
            except self.ray.exceptions.RayTaskError as e:
                outcome = jobs[task.book].fail(task.track, str(getattr(e, "cause", e)))
                failed += 1
                self.done += 1
                idle.append(worker)
                self.progress(f"{name}: {outcome}")
                continue
            idle.append(worker)
            outcome, seconds = jobs[task.book].record(task.track, rendered)
            if outcome.startswith("failed"):
                failed += 1
            else:
                self.audio_s += seconds
            self.units_done += task.units
            self.done += 1
            self.progress(f"{name}: {outcome}")

        total_audio = 0.0
        for job in jobs:
            report = job.finish()
            total_audio += float(report["audio_seconds"])  # type: ignore[arg-type]
        wall = time.monotonic() - self.started
        print(
            f"{out}: {len(books)} books, {self.total} chapters ({failed} failed), "
            f"{total_audio / 3600:.3f} h of audio; {self.audio_s / 3600:.3f} h rendered in {fmt_time(wall)} "
            f"({self.audio_s / wall if wall > 0 else 0:.2f} h of audio per hour) on {n_workers} workers",
            flush=True,
        )
        return 1 if failed else 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    books = find_books(args.books)
    import ray

    # No dashboard and no usage reporting; a local cluster when no address is given.
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if args.address:
        ray.init(address=args.address, include_dashboard=False, log_to_driver=False)
    else:
        ray.init(include_dashboard=False, log_to_driver=False)
    try:
        return Library(args).run(books)
    finally:
        ray.shutdown()


if __name__ == "__main__":
    sys.exit(main())
