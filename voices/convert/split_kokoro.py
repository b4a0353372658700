#!/usr/bin/env python3
"""Split the Kokoro-82M v1.0 int8 ONNX model into three stage models.

    python split_kokoro.py --model kokoro-v1.0.int8.onnx --voices voices_ja.npz --out DIR

Writes DIR/duration.onnx, DIR/prosody.onnx, DIR/decoder.onnx, DIR/styles/<voice>.f32 and,
last of all, DIR/conversion.json (a directory without it is an unfinished conversion).
See README.md beside this file for the cut and the tensor names.

The output is deterministic: the same inputs and the same pinned `onnx`/`numpy` give
byte-identical files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
import zipfile

EXPECTED_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"

FORMAT = 1
STYLE_ROWS = 510
STYLE_DIM = 256

# Symbolic dimension names written on the stage models' inputs and outputs.
N_TOKENS = "n_tokens"  # tokens including the 0 pad at each end
N_FRAMES = "n_frames"  # sum of the durations; 1 frame = 600 samples at 24 kHz
N_F0 = "n_f0"  # = 2 * n_frames (F0 / energy run at twice the frame rate)
N_SAMPLES = "n_samples"  # = 600 * n_frames

# (stage file, graph name, inputs, outputs); each input/output is
# (tensor name in the source model, name in the stage model, expected dtype or None, shape).
# An expected dtype of None means "keep the source's dtype" (reported in conversion.json).
STAGES = [
    (
        "duration.onnx",
        "kokoro_duration",
        [
            ("tokens", "tokens", "int64", [1, N_TOKENS]),
            ("style", "style", "float32", [1, STYLE_DIM]),
            ("speed", "speed", "float32", [1]),
        ],
        [
            ("/encoder/Clip_output_0", "durations", None, [1, N_TOKENS]),
            ("/encoder/predictor/ReduceSum_output_0", "raw_durations", "float32", [1, N_TOKENS]),
            ("/encoder/predictor/text_encoder/Concat_4_output_0", "d", "float32", [1, N_TOKENS, 640]),
            ("/encoder/text_encoder/Transpose_2_output_0", "t_en", "float32", [1, 512, N_TOKENS]),
        ],
    ),
    (
        "prosody.onnx",
        "kokoro_prosody",
        [
            ("/encoder/MatMul_output_0", "d_aligned", "float32", [1, 640, N_FRAMES]),
            ("style", "style", "float32", [1, STYLE_DIM]),
        ],
        [
            ("/encoder/Reshape_output_0", "f0", "float32", [1, N_F0]),
            ("/encoder/Reshape_1_output_0", "energy", "float32", [1, N_F0]),
        ],
    ),
    (
        "decoder.onnx",
        "kokoro_decoder",
        [
            ("/encoder/MatMul_1_output_0", "asr", "float32", [1, 512, N_FRAMES]),
            ("/encoder/Reshape_output_0", "f0", "float32", [1, N_F0]),
            ("/encoder/Reshape_1_output_0", "energy", "float32", [1, N_F0]),
            ("style", "style", "float32", [1, STYLE_DIM]),
        ],
        [
            ("audio", "audio", "float32", [N_SAMPLES]),
        ],
    ),
]


class ConversionError(Exception):
    pass


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_atomic(path: str, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, fsync it and rename it over `path`."""
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def dtype_name(elem_type: int) -> str:
    import onnx

    return onnx.helper.tensor_dtype_to_np_dtype(elem_type).name


def tensor_names(graph) -> set:
    names = set()
    for node in graph.node:
        names.update(n for n in node.input if n)
        names.update(n for n in node.output if n)
    names.update(i.name for i in graph.initializer)
    names.update(i.name for i in graph.input)
    names.update(o.name for o in graph.output)
    return names


def extract_stage(model, extractor, graph_name, inputs, outputs, source_sha):
    """Cut one stage out of `model`, rename its inputs/outputs and check it is self-contained.

    Returns (stage ModelProto, {output name: dtype name}).
    """
    import onnx
    from onnx import helper

    src_in = [s for s, _, _, _ in inputs]
    src_out = [s for s, _, _, _ in outputs]
    stage = extractor.extract_model(src_in, src_out)
    g = stage.graph

    # Every tensor a node reads must come from this graph: a node, an initializer or an input.
    # (The extractor stops only at the given inputs; a missed dependency would show up here.)
    available = set(src_in) | {i.name for i in g.initializer}
    for node in g.node:
        for name in node.input:
            if name and name not in available:
                raise ConversionError(
                    f"{graph_name}: node {node.name!r} ({node.op_type}) needs {name!r}, "
                    "which is neither produced inside the stage nor one of its inputs"
                )
        available.update(n for n in node.output if n)
    used = {n for node in g.node for n in node.input}
    for name in src_in:
        if name not in used:
            raise ConversionError(f"{graph_name}: input {name!r} is not used by the stage")

    # Source dtypes, from the source model's value infos / inputs / outputs.
    src_types = {}
    for vi in list(model.graph.value_info) + list(model.graph.input) + list(model.graph.output):
        if vi.type.HasField("tensor_type"):
            src_types[vi.name] = vi.type.tensor_type.elem_type

    # Rename consistently (producer, consumers, value infos). New names must not clash.
    mapping = {}
    existing = tensor_names(model.graph)
    for src, dst, _, _ in inputs + outputs:
        if src == dst:
            continue
        if dst in existing:
            raise ConversionError(f"{graph_name}: new name {dst!r} already exists in the source model")
        if src in {i.name for i in g.initializer}:
            raise ConversionError(f"{graph_name}: {src!r} is an initializer, not a cut tensor")
        mapping[src] = dst
    for node in g.node:
        for i, name in enumerate(node.input):
            if name in mapping:
                node.input[i] = mapping[name]
        for i, name in enumerate(node.output):
            if name in mapping:
                node.output[i] = mapping[name]

    # Fresh, explicit input/output value infos with named dynamic axes.
    io_names = set()
    new_inputs, new_outputs, out_dtypes = [], [], {}
    for (src, dst, want, shape), target in [(x, new_inputs) for x in inputs] + [(x, new_outputs) for x in outputs]:
        if src not in src_types:
            raise ConversionError(f"{graph_name}: source tensor {src!r} has no type information")
        elem = src_types[src]
        have = dtype_name(elem)
        if want is not None and have != want:
            raise ConversionError(f"{graph_name}: {src!r} is {have}, expected {want}")
        target.append(helper.make_tensor_value_info(dst, elem, shape))
        io_names.add(dst)
        if target is new_outputs:
            out_dtypes[dst] = have
    value_info = []
    for vi in g.value_info:
        name = mapping.get(vi.name, vi.name)
        if name in io_names:
            continue
        if name != vi.name:
            vi = onnx.ValueInfoProto.FromString(vi.SerializeToString())
            vi.name = name
        value_info.append(vi)

    graph = helper.make_graph(
        list(g.node),
        graph_name,
        new_inputs,
        new_outputs,
        initializer=list(g.initializer),
        value_info=value_info,
    )
    out = helper.make_model(
        graph,
        ir_version=model.ir_version,
        opset_imports=list(model.opset_import),
        producer_name="yomiage split_kokoro",
        producer_version=str(FORMAT),
        doc_string=f"Kokoro-82M v1.0 int8, stage {graph_name}; cut from source sha256 {source_sha}",
    )
    # Leave no dangling names behind.
    leftover = tensor_names(out.graph) & set(mapping)
    if leftover:
        raise ConversionError(f"{graph_name}: names left after renaming: {sorted(leftover)}")
    onnx.checker.check_model(out)
    return out, out_dtypes


def convert(model_path: str, voices_path: str, out_dir: str, expect_sha256: str) -> dict:
    for label, path in (("model", model_path), ("voices", voices_path)):
        if not os.path.isfile(path):
            raise ConversionError(f"{label} file not found: {path}")

    if expect_sha256 and not re.fullmatch(r"[0-9a-fA-F]{64}", expect_sha256):
        raise ConversionError(f"--expect-sha256 must be 64 hex digits (or empty to skip), got {expect_sha256!r}")
    if not zipfile.is_zipfile(voices_path):
        raise ConversionError(f"voices file {voices_path} is not an .npz (zip) archive")
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise ConversionError(f"output path {out_dir} exists and is not a directory")

    source_sha = sha256_file(model_path)
    if expect_sha256 and source_sha != expect_sha256.lower():
        raise ConversionError(
            f"model sha256 mismatch for {model_path}:\n  got      {source_sha}\n  expected {expect_sha256.lower()}"
        )

    import numpy as np
    import onnx
    from onnx.utils import Extractor

    # Read and check the voices before writing anything.
    voices = {}
    try:
        with np.load(voices_path, allow_pickle=False) as npz:
            names = sorted(npz.files)
            for name in names:
                voices[name] = np.asarray(npz[name])
    except Exception as e:  # noqa: BLE001 - any failure here is a bad voices file
        raise ConversionError(f"cannot read voices file {voices_path}: {e}") from e
    if not voices:
        raise ConversionError(f"voices file {voices_path} holds no arrays")
    styles = {}
    for name in sorted(voices):
        arr = voices[name]
        if not re.fullmatch(r"[a-z0-9_]+", name):
            raise ConversionError(f"voice name {name!r} is not a plain lowercase identifier")
        if arr.dtype != np.float32 or arr.shape not in ((STYLE_ROWS, 1, STYLE_DIM), (STYLE_ROWS, STYLE_DIM)):
            raise ConversionError(
                f"voice {name!r}: expected float32 [{STYLE_ROWS}, 1, {STYLE_DIM}], got {arr.dtype} {list(arr.shape)}"
            )
        if not np.all(np.isfinite(arr)):
            raise ConversionError(f"voice {name!r} has non-finite values")
        styles[name] = np.ascontiguousarray(arr.reshape(STYLE_ROWS, STYLE_DIM), dtype="<f4").tobytes()

    try:
        model = onnx.load(model_path)
    except Exception as e:  # noqa: BLE001
        raise ConversionError(f"cannot load ONNX model {model_path}: {e}") from e
    extractor = Extractor(model)

    stages = []
    dtypes = {}
    for fname, graph_name, inputs, outputs in STAGES:
        stage, out_dtypes = extract_stage(model, extractor, graph_name, inputs, outputs, source_sha)
        dtypes.update(out_dtypes)
        stages.append((fname, stage, inputs, outputs))

    os.makedirs(out_dir, exist_ok=True)
    manifest_path = os.path.join(out_dir, "conversion.json")
    # An older, complete conversion must not look complete while we overwrite its files.
    if os.path.exists(manifest_path):
        os.unlink(manifest_path)
        fsync_dir(out_dir)
    styles_dir = os.path.join(out_dir, "styles")
    os.makedirs(styles_dir, exist_ok=True)

    files = {}
    signatures = {}
    for fname, stage, inputs, outputs in stages:
        data = stage.SerializeToString(deterministic=True)
        write_atomic(os.path.join(out_dir, fname), data)
        files[fname] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

        def sig(vis):
            return [
                {
                    "name": vi.name,
                    "dtype": dtype_name(vi.type.tensor_type.elem_type),
                    "shape": [d.dim_param if d.dim_param else d.dim_value for d in vi.type.tensor_type.shape.dim],
                }
                for vi in vis
            ]

        signatures[fname] = {
            "inputs": sig(stage.graph.input),
            "outputs": sig(stage.graph.output),
            "source_tensors": {dst: src for src, dst, _, _ in inputs + outputs},
        }
    for name in sorted(styles):
        rel = f"styles/{name}.f32"
        data = styles[name]
        write_atomic(os.path.join(out_dir, rel), data)
        files[rel] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    fsync_dir(styles_dir)
    fsync_dir(out_dir)

    manifest = {
        "format": FORMAT,
        "source": "kokoro-v1.0.int8.onnx",
        "source_sha256": source_sha,
        "files": files,
        "voices": sorted(styles),
        "duration_dtype": dtypes["durations"],
        "stages": signatures,
        "style": {"rows": STYLE_ROWS, "dim": STYLE_DIM, "dtype": "float32", "byte_order": "little",
                  "row_for_tokens": "T - 1 (T = tokens without the two pads, 1 <= T <= 510)"},
        "audio": {"sample_rate": 24000, "samples_per_frame": 600, "f0_points_per_frame": 2},
        "tools": {"onnx": onnx.__version__, "numpy": np.__version__},
    }
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_atomic(manifest_path, text.encode("utf-8"))
    fsync_dir(out_dir)
    return manifest


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Split Kokoro-82M int8 ONNX into duration/prosody/decoder stage models.")
    p.add_argument("--model", required=True, help="kokoro-v1.0.int8.onnx")
    p.add_argument("--voices", required=True, help="voices_ja.npz")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument(
        "--expect-sha256",
        default=EXPECTED_SHA256,
        help="expected sha256 of --model (default: %(default)s); empty string skips the check",
    )
    args = p.parse_args(argv)
    try:
        manifest = convert(args.model, args.voices, args.out, args.expect_sha256)
    except ConversionError as e:
        print(f"split_kokoro: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"split_kokoro: error: {e}", file=sys.stderr)
        return 1
    except ImportError as e:
        print(f"split_kokoro: error: missing Python package ({e}); install requirements.txt", file=sys.stderr)
        return 1
    for name, info in sorted(manifest["files"].items()):
        print(f"{info['sha256']}  {info['size']:>10}  {name}")
    print(f"split_kokoro: wrote {args.out} (durations dtype {manifest['duration_dtype']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
