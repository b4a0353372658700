#!/usr/bin/env python3
"""Dev tool: check that the split stage models reproduce the whole Kokoro model bit-for-bit.

    python verify_split.py --model kokoro-v1.0.int8.onnx --split DIR --vocab vocab.json

Needs python `onnxruntime` (not in requirements.txt; a dev-only dependency) and numpy.
For three token sequences (real Japanese phoneme strings mapped through vocab.json) and two
voices it runs

    whole model (tokens, style, speed) -> audio
    duration.onnx -> durations, d, t_en
    alignment outside the graph (a numpy gather: column j of the frame axis is token i
      for cum[i-1] <= j < cum[i])
    prosody.onnx (d_aligned, style) -> f0, energy
    decoder.onnx (asr, f0, energy, style) -> audio

and requires max |audio_split - audio_whole| == 0.0. Prints timings per part and PASS/FAIL.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np

# Japanese phoneme strings in the misaki style Kokoro was trained on (one vocab symbol per char).
SENTENCES = [
    # 今日はいい天気ですね。
    "kʲoːβa iː teŋkʲi desɨ ne.",
    # 私は毎朝七時に起きて、会社に行く前にコーヒーを飲みます。
    "watakɕiwa maiasa ɕiʨiʥi ni okite, kaiɕa ni iku maeni koːhiː o nomimasɨ.",
    # 昔々、ある所にお爺さんとお婆さんが住んでいました。…
    "mukaɕi mukaɕi, aru tokoɾo ni ojiːsaɴ to obaːsaɴ ɡa sɯnde imaɕita. ojiːsaɴwa jama e "
    "ɕibakaɾi ni, obaːsaɴwa kawa e sentakɯ ni dekakemaɕita. obaːsaɴɡa kawa de sentakɯ o "
    "ɕite iɾɯto, oːkina momoɡa naɡaɾete kimaɕita.",
]
VOICES = ["jf_alpha", "jm_kumo"]
SAMPLES_PER_FRAME = 600


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def align(durations: np.ndarray):
    """Frame -> token index for integer durations (the graph's aln matrix as a gather)."""
    dur = durations.reshape(-1).astype(np.int64)
    if not np.all(durations.reshape(-1) == dur):
        raise ValueError("durations are not integers")
    return np.repeat(np.arange(dur.size), dur)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True, help="whole kokoro-v1.0.int8.onnx")
    p.add_argument("--split", required=True, help="directory written by split_kokoro.py")
    p.add_argument("--vocab", required=True, help="vocab.json (phoneme char -> token id)")
    p.add_argument("--threads", type=int, default=2, help="ORT intra-op threads (default 2)")
    p.add_argument("--repeat", type=int, default=1, help="timed runs per case; the best is printed")
    args = p.parse_args(argv)

    import onnxruntime as ort

    failures = []

    # 1. The manifest and the files it lists.
    manifest_path = os.path.join(args.split, "conversion.json")
    if not os.path.isfile(manifest_path):
        print(f"FAIL: {manifest_path} missing (conversion unfinished?)")
        return 1
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    for rel, info in sorted(manifest["files"].items()):
        path = os.path.join(args.split, rel)
        if not os.path.isfile(path) or os.path.getsize(path) != info["size"] or sha256_file(path) != info["sha256"]:
            failures.append(f"{rel}: missing or does not match conversion.json")
    if sha256_file(args.model) != manifest["source_sha256"]:
        failures.append("whole model's sha256 differs from conversion.json source_sha256")
    print(f"manifest: {len(manifest['files'])} files checked, durations dtype {manifest['duration_dtype']}")

    with open(args.vocab, encoding="utf-8") as f:
        vocab = json.load(f)["vocab"]

    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    prov = ["CPUExecutionProvider"]
    t0 = time.perf_counter()
    whole = ort.InferenceSession(args.model, so, providers=prov)
    dur_s = ort.InferenceSession(os.path.join(args.split, "duration.onnx"), so, providers=prov)
    pros_s = ort.InferenceSession(os.path.join(args.split, "prosody.onnx"), so, providers=prov)
    dec_s = ort.InferenceSession(os.path.join(args.split, "decoder.onnx"), so, providers=prov)
    print(f"sessions loaded in {time.perf_counter() - t0:.2f} s (ORT {ort.__version__}, {args.threads} threads)")
    for name, s in (("duration", dur_s), ("prosody", pros_s), ("decoder", dec_s)):
        ins = ", ".join(f"{i.name}:{i.type}{i.shape}" for i in s.get_inputs())
        outs = ", ".join(f"{o.name}:{o.type}{o.shape}" for o in s.get_outputs())
        print(f"  {name}: ({ins}) -> ({outs})")

    styles = {}
    for v in VOICES:
        raw = np.fromfile(os.path.join(args.split, "styles", f"{v}.f32"), dtype="<f4")
        styles[v] = raw.reshape(510, 256)

    def best(fn):
        out, times = None, []
        for _ in range(max(1, args.repeat)):
            t = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t)
        return out, min(times)

    header = f"{'case':<22} {'T':>4} {'F':>5} {'sec':>6} | {'whole':>7} {'A':>7} {'align':>7} {'B':>7} {'dec':>7} {'split':>7} | maxdiff"
    print(header)
    print("-" * len(header))
    cases = [(si, v, 1.0) for si in range(len(SENTENCES)) for v in VOICES] + [(1, VOICES[0], 1.25)]
    for si, voice, speed in cases:
        phon = SENTENCES[si]
        missing = sorted({c for c in phon if c not in vocab})
        if missing:
            failures.append(f"sentence {si}: symbols not in vocab: {missing}")
            continue
        ids = [vocab[c] for c in phon]
        T = len(ids)
        tokens = np.array([[0, *ids, 0]], dtype=np.int64)
        style = styles[voice][T - 1].reshape(1, 256).copy()
        speed_a = np.array([speed], dtype=np.float32)

        (audio_whole,), t_whole = best(lambda: whole.run(["audio"], {"tokens": tokens, "style": style, "speed": speed_a}))

        (durations, raw, d, t_en), t_a = best(
            lambda: dur_s.run(["durations", "raw_durations", "d", "t_en"], {"tokens": tokens, "style": style, "speed": speed_a})
        )

        def do_align():
            idx = align(durations)
            d_aligned = np.ascontiguousarray(d[0].T[:, idx])[None]  # [1, 640, F]
            asr = np.ascontiguousarray(t_en[0][:, idx])[None]  # [1, 512, F]
            return idx, d_aligned, asr

        (idx, d_aligned, asr), t_al = best(do_align)
        F = idx.size
        (f0, energy), t_b = best(lambda: pros_s.run(["f0", "energy"], {"d_aligned": d_aligned, "style": style}))
        (audio_split,), t_dec = best(
            lambda: dec_s.run(["audio"], {"asr": asr, "f0": f0, "energy": energy, "style": style})
        )

        label = f"s{si}/{voice}/x{speed:g}"
        problems = []
        if durations.shape != (1, T + 2) or d.shape != (1, T + 2, 640) or t_en.shape != (1, 512, T + 2):
            problems.append(f"stage-A shapes {durations.shape} {d.shape} {t_en.shape}")
        expect = np.maximum(np.round(raw / np.float32(speed)), 1)
        if not np.array_equal(expect, durations):
            problems.append("durations != max(round(raw/speed), 1)")
        if f0.shape != (1, 2 * F) or energy.shape != (1, 2 * F):
            problems.append(f"prosody shapes {f0.shape} {energy.shape} for F={F}")
        if audio_split.shape != (SAMPLES_PER_FRAME * F,):
            problems.append(f"audio shape {audio_split.shape} != ({SAMPLES_PER_FRAME * F},)")
        if audio_split.shape == audio_whole.shape:
            maxdiff = float(np.max(np.abs(audio_split - audio_whole)))
            same_bits = audio_split.tobytes() == audio_whole.tobytes()
            if maxdiff != 0.0 or not same_bits:
                problems.append(f"audio differs (max abs diff {maxdiff})")
        else:
            maxdiff = float("nan")
            problems.append(f"audio length {audio_split.shape} vs whole {audio_whole.shape}")
        t_split = t_a + t_al + t_b + t_dec
        print(
            f"{label:<22} {T:>4} {F:>5} {audio_whole.size / 24000:>6.2f} | "
            f"{t_whole * 1000:>6.0f}ms {t_a * 1000:>5.1f}ms {t_al * 1000:>5.2f}ms {t_b * 1000:>5.1f}ms "
            f"{t_dec * 1000:>5.0f}ms {t_split * 1000:>5.0f}ms | {maxdiff}"
        )
        failures += [f"{label}: {p}" for p in problems]

    print()
    if failures:
        for f in failures:
            print(f"  - {f}")
        print(f"FAIL ({len(failures)} problem(s))")
        return 1
    print(f"PASS: {len(cases)} cases, split chain == whole model bit-for-bit (max abs diff 0.0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
