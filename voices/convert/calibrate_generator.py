"""Dev tool: calibrate the int8 streaming generator's activation ranges, and measure it.

    python calibrate_generator.py --split DIR --vocab vocab.json [--write generator_int8_ranges.json]

Needs python `onnxruntime` (a dev-only dependency, like verify_split.py). It runs the float
pipeline (duration → alignment → prosody → decoder front) over calibration sentences for two
voices, records each quantized convolution's input and output range in the float generator
(the mean over sentences of each one's min and max, which ignores a single outlier), and
writes them rounded to 6 significant digits: split_kokoro.py builds generator.int8.onnx from
them with plain numpy, so the conversion stays reproducible bit for bit.

Then it quantizes with those ranges and prints, for sentences that were not used to
calibrate, SNR and log-spectral distance of the int8 generator against the float one (each
with the utterance's own statistics) and the time of an 18-frame chunk for both.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from split_kokoro import int8_convs, quantize_generator  # noqa: E402
from verify_split import SENTENCES, align  # noqa: E402

CALIBRATION = SENTENCES + [
    "konɲiʨiwa.",
    "hai.",
    "aɾigatoː ɡozaimasɨ. matane.",
    "kono hoɴwa totemo omoɕiɾokatta desɨ ne?",
    "ɕiɴkaɴseɴwa tokʲoː eki o hatsɯ ɕaɕite, ɕiɴoːsaka e mɯkaimasɨ.",
]
HELD_OUT = [
    "asɨwa ame ɡa fɯɾɯ soːdesɨ.",
    "eːto, ɕoːɕoː omaʨi kɯdasai.",
    "kaze ɡa tsɯjokɯte, kasa ɡa kowaɾete ɕimaimaɕita!",
]
VOICES = ["jf_alpha", "jm_kumo"]
NORM_STATS = 16896
HARMONICS = 9


def generator_feeds(split, vocab, sentences, threads):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    dur = ort.InferenceSession(os.path.join(split, "duration.onnx"), so)
    pros = ort.InferenceSession(os.path.join(split, "prosody.onnx"), so)
    front = ort.InferenceSession(os.path.join(split, "decoder_front.onnx"), so)
    feeds = []
    for v in VOICES:
        styles = np.fromfile(os.path.join(split, "styles", f"{v}.f32"), dtype="<f4").reshape(510, 256)
        for s in sentences:
            ids = [vocab[c] for c in s if c in vocab]
            tokens = np.array([[0, *ids, 0]], dtype=np.int64)
            style = styles[len(ids) - 1].reshape(1, 256).copy()
            d, _, dd, t_en = dur.run(None, {"tokens": tokens, "style": style, "speed": np.array([1.0], np.float32)})
            idx = align(d)
            d_aligned = np.ascontiguousarray(dd[0].T[:, idx])[None]
            asr = np.ascontiguousarray(t_en[0][:, idx])[None]
            f0, energy = pros.run(None, {"d_aligned": d_aligned, "style": style})
            x = front.run(None, {"asr": asr, "f0": f0, "energy": energy, "style": style})[0]
            feeds.append({
                "x": x, "f0": f0, "style": style,
                "phase": np.zeros((1, 1, HARMONICS), np.float32),
                "norm_stats": np.zeros(NORM_STATS, np.float32),
                "use_norm_stats": np.array([False]),
            })
    return feeds


def calibrate(gen, feeds, threads):
    import onnx
    import onnxruntime as ort

    tensors = []
    for n in int8_convs(gen.graph):
        for t in (n.input[0], n.output[0]):
            if t not in tensors:
                tensors.append(t)
    probe = onnx.ModelProto.FromString(gen.SerializeToString())
    probe.graph.output.extend(onnx.helper.make_empty_tensor_value_info(t) for t in tensors)
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    sess = ort.InferenceSession(probe.SerializeToString(), so)
    lows, highs = {t: [] for t in tensors}, {t: [] for t in tensors}
    for f in feeds:
        for t, v in zip(tensors, sess.run(tensors, f)):
            lows[t].append(float(v.min()))
            highs[t].append(float(v.max()))
    sig = lambda v: float(f"{v:.6g}")  # noqa: E731
    return {t: [sig(np.mean(lows[t])), sig(np.mean(highs[t]))] for t in tensors}


def log_spectrum(a):
    frames = [a[i:i + 1024] * np.hanning(1024) for i in range(0, len(a) - 1024, 256)]
    return 10 * np.log10(np.abs(np.fft.rfft(np.stack(frames))) ** 2 + 1e-10)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--split", required=True, help="directory written by split_kokoro.py")
    p.add_argument("--vocab", required=True, help="vocab.json")
    p.add_argument("--write", help="write the ranges here (else only measure)")
    p.add_argument("--ranges", help="measure these ranges instead of calibrating")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)

    import onnx
    import onnxruntime as ort

    with open(args.vocab, encoding="utf-8") as f:
        vocab = json.load(f)["vocab"]
    gen = onnx.load(os.path.join(args.split, "generator.onnx"))
    if args.ranges:
        with open(args.ranges, encoding="utf-8") as f:
            ranges = json.load(f)
    else:
        ranges = calibrate(gen, generator_feeds(args.split, vocab, CALIBRATION, args.threads), args.threads)
        print(f"calibrated {len(ranges)} tensors on {len(CALIBRATION)} sentences x {len(VOICES)} voices")
    if args.write:
        with open(args.write, "w", encoding="utf-8") as f:
            json.dump(ranges, f, indent=1, sort_keys=True)
            f.write("\n")
    q = quantize_generator(gen, ranges)
    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    s_float = ort.InferenceSession(gen.SerializeToString(), so)
    s_int8 = ort.InferenceSession(q.SerializeToString(), so)
    for f in generator_feeds(args.split, vocab, HELD_OUT, args.threads):
        a = s_float.run(["audio"], f)[0]
        b = s_int8.run(["audio"], f)[0]
        snr = 10 * np.log10((a ** 2).sum() / ((a - b) ** 2).sum())
        la, lb = log_spectrum(a), log_spectrum(b)
        floor = la.max() - 80
        lsd = np.sqrt(((np.maximum(la, floor) - np.maximum(lb, floor)) ** 2).mean(axis=1)).mean()
        print(f"held out, {len(a) / 24000:.2f} s: SNR {snr:.1f} dB, log-spectral distance {lsd:.2f} dB, "
              f"RMS {np.sqrt((a ** 2).mean()):.4f} float / {np.sqrt((b ** 2).mean()):.4f} int8")
    chunk = {k: (v[:, :, 40:76] if k == "x" else v[:, 40:76] if k == "f0" else v) for k, v in f.items()}
    for name, s in (("float", s_float), ("int8", s_int8)):
        s.run(["audio"], chunk)
        times = []
        for _ in range(7):
            t = time.perf_counter()
            s.run(["audio"], chunk)
            times.append(time.perf_counter() - t)
        print(f"18-frame chunk, {name}: {min(times) * 1000:.1f} ms (best of 7, {args.threads} threads)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
