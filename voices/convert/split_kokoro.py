#!/usr/bin/env python3
"""Split the Kokoro-82M v1.0 int8 ONNX model into three stage models.

    python split_kokoro.py --model kokoro-v1.0.int8.onnx --voices voices_ja.npz --out DIR

Writes DIR/duration.onnx, DIR/prosody.onnx, DIR/decoder.onnx, the streaming pair
DIR/decoder_front.onnx + DIR/generator.onnx (float) + DIR/generator.int8.onnx (static int8,
from generator_int8_ranges.json beside this script), DIR/styles/<voice>.f32 and,
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



# --- Streaming decoder -----------------------------------------------------------------------
# The decoder splits into a frame-rate "front" (run once per utterance) and the waveform
# "generator" (run in overlapping chunks). Chunks must join inaudibly, which needs
# (shared/notes/model.md): float weights (dynamic int8 quantization takes each chunk's own
# scale), instance-norm statistics that do not depend on the chunk (fixed per voice, calibrated
# by the engine through the `norm_stats_out` output of a whole-utterance run), and the sine
# source's phase carried over from the previous chunk (`phase` input, in cycles per harmonic).

FRONT_OUT = "/decoder/decoder/decode.3/Div_4_output_0"  # decoder features at 2 points per frame
SINE_CUMSUM = "/decoder/decoder/generator/m_source/l_sin_gen/CumSum_output_0"
HARMONICS = 9


def dequantize(model):
    """Replace every DynamicQuantizeLinear → ConvInteger/MatMulInteger → (+int bias) → Cast → Mul
    chain by a float Conv/MatMul with dequantized weights and the original float bias."""
    import numpy as np
    from onnx import helper
    from onnx import numpy_helper as nh

    g = model.graph
    inits = {i.name: i for i in g.initializer}
    prod = {o: n for n in g.node for o in n.output}
    cons = {}
    for n in g.node:
        for i in n.input:
            cons.setdefault(i, []).append(n)

    def arr(name):
        return nh.to_array(inits[name])

    def only(t):
        c = cons.get(t, [])
        if len(c) != 1:
            raise ConversionError(f"dequantize: {t!r} has {len(c)} consumers, expected 1")
        return c[0]

    def expect(node, op):
        if node.op_type != op:
            raise ConversionError(f"dequantize: expected {op} at {node.name!r}, found {node.op_type}")
        return node

    replace, remove, new_inits = {}, set(), []
    for n in g.node:
        if n.op_type not in ("ConvInteger", "MatMulInteger"):
            continue
        xq, wq, _xzp, wzp = n.input
        x = expect(prod[xq], "DynamicQuantizeLinear").input[0]
        w = arr(wq).astype(np.int32) - arr(wzp).astype(np.int32)
        chain, nxt, bias = [n], only(n.output[0]), None
        if nxt.op_type == "Add":
            bq = [i for i in nxt.input if i != n.output[0]][0]
            r = expect(prod[bq], "Reshape")
            c = expect(prod[r.input[0]], "Cast")
            fl = expect(prod[c.input[0]], "Floor")
            dv = expect(prod[fl.input[0]], "Div")
            bias = arr(dv.input[0]).astype(np.float32)
            chain.append(nxt)
            nxt = only(nxt.output[0])
        cast = expect(nxt, "Cast")
        mul = expect(only(cast.output[0]), "Mul")
        chain += [cast, mul]
        scale_mul = expect(prod[[i for i in mul.input if i != cast.output[0]][0]], "Mul")
        wscale = [i for i in scale_mul.input if i in inits]
        if len(wscale) != 1:
            raise ConversionError(f"dequantize: no weight scale for {n.name!r}")
        ws = arr(wscale[0]).astype(np.float32)
        if n.op_type == "ConvInteger" and ws.ndim:
            ws = ws.reshape(-1, *([1] * (w.ndim - 1)))
        wname = wq + "_dequantized"
        new_inits.append(nh.from_array((w.astype(np.float32) * ws).astype(np.float32), wname))
        ins = [x, wname]
        if n.op_type == "ConvInteger":
            if bias is not None:
                new_inits.append(nh.from_array(bias, wname + "_bias"))
                ins.append(wname + "_bias")
            node = helper.make_node("Conv", ins, [mul.output[0]], name=n.name + "_float")
            node.attribute.extend(n.attribute)
        else:
            if bias is not None:
                raise ConversionError(f"dequantize: unexpected integer bias on {n.name!r}")
            node = helper.make_node("MatMul", ins, [mul.output[0]], name=n.name + "_float")
        replace[id(n)] = node
        remove.update(id(c) for c in chain)
    nodes = [replace.get(id(n), n) for n in g.node if id(n) in replace or id(n) not in remove]
    del g.node[:]
    g.node.extend(nodes)
    g.initializer.extend(new_inits)
    prune(model)
    left = [n.op_type for n in g.node if n.op_type in ("ConvInteger", "MatMulInteger", "DynamicQuantizeLinear")]
    if left:
        raise ConversionError(f"dequantize: integer ops left: {sorted(set(left))}")
    return model


def prune(model):
    """Drop nodes, initializers and value infos that no graph output depends on."""
    g = model.graph
    needed = {o.name for o in g.output}
    keep = []
    for n in reversed(list(g.node)):
        if any(o in needed for o in n.output):
            keep.append(n)
            needed.update(i for i in n.input if i)
    keep.reverse()
    del g.node[:]
    g.node.extend(keep)
    for field in (g.initializer, g.value_info):
        kept = [i for i in field if i.name in needed]
        del field[:]
        field.extend(kept)


def norm_channels(mean, cons_of, prod, inits):
    """AdaIN scales the normalized signal by (1 + gamma), gamma = half of fc(style): the fc
    weight [style, 2C] gives the channel count C (ONNX shape inference stops at the STFT)."""
    sub = [c for c in cons_of[mean.output[0]] if c.op_type == "Sub"][0]
    div = [c for c in cons_of[sub.output[0]] if c.op_type == "Div"][0]
    mul = [c for c in cons_of[div.output[0]] if c.op_type == "Mul"][0]
    todo, seen = [i for i in mul.input if i != div.output[0]], set()
    while todo:
        t = todo.pop()
        if t in seen or t not in prod:
            continue
        seen.add(t)
        n = prod[t]
        if n.op_type == "MatMul":
            w = [i for i in n.input if i in inits]
            if w:
                return inits[w[0]].dims[1] // 2
        todo.extend(i for i in n.input if i)
    raise ConversionError(f"no AdaIN fc found for {mean.name!r}")


def stream_models(decoder, source_sha):
    """(front, generator, number of statistics) from the decoder stage model."""
    import onnx
    from onnx import TensorProto, helper
    from onnx.utils import Extractor

    # The front runs once per utterance, so it keeps the original dynamic int8 (a quarter of
    # the float weights, the same output as the whole decoder's); only the chunked generator
    # needs float weights.
    front = Extractor(decoder).extract_model(["asr", "f0", "energy", "style"], [FRONT_OUT])
    floaty = dequantize(onnx.ModelProto.FromString(decoder.SerializeToString()))
    gen = Extractor(floaty).extract_model([FRONT_OUT, "f0", "style"], ["audio"])
    g = gen.graph
    inits = {i.name: i for i in g.initializer}
    prod = {o: n for n in g.node for o in n.output}
    cons_of = {}
    for n in g.node:
        for i in n.input:
            cons_of.setdefault(i, []).append(n)

    # Carry the sine phase over: add `phase` (cycles) to the running sum of phase increments.
    continued = SINE_CUMSUM + "_continued"
    for n in cons_of.get(SINE_CUMSUM, []):
        for i, v in enumerate(n.input):
            if v == SINE_CUMSUM:
                n.input[i] = continued
    added = {SINE_CUMSUM: [helper.make_node("Add", [SINE_CUMSUM, "phase"], [continued], name="phase_continue")]}

    # Each instance norm: mean = ReduceMean(h); d = h - mean; var = ReduceMean(d·d). Both get a
    # Where(use_norm_stats, fixed slice of norm_stats, computed) and are exported flattened.
    norms = []
    for n in g.node:
        if n.op_type != "ReduceMean":
            continue
        subs = [c for c in cons_of.get(n.output[0], []) if c.op_type == "Sub"]
        if not subs:
            continue
        sq = [c for c in cons_of[subs[0].output[0]] if c.op_type in ("Mul", "Pow")]
        var = [c for c in cons_of[sq[0].output[0]] if c.op_type == "ReduceMean"]
        if len(var) != 1:
            raise ConversionError(f"instance norm at {n.name!r} has no variance")
        norms.append((n, var[0]))
    offset, flat_outs = 0, []
    for k, (mean, var) in enumerate(norms):
        c = norm_channels(mean, cons_of, prod, inits)
        g.initializer.append(helper.make_tensor(f"norm{k}_shape", TensorProto.INT64, [3], [1, c, 1]))
        for which, node in (("mean", mean), ("var", var)):
            t = node.output[0]
            base = f"norm{k}_{which}"
            g.initializer.append(helper.make_tensor(base + "_start", TensorProto.INT64, [1], [offset]))
            g.initializer.append(helper.make_tensor(base + "_end", TensorProto.INT64, [1], [offset + c]))
            for consumer in cons_of[t]:
                for i, v in enumerate(consumer.input):
                    if v == t:
                        consumer.input[i] = base + "_selected"
            added[t] = [
                helper.make_node("Slice", ["norm_stats", base + "_start", base + "_end"], [base + "_flat"]),
                helper.make_node("Reshape", [base + "_flat", f"norm{k}_shape"], [base + "_fixed"]),
                helper.make_node("Where", ["use_norm_stats", base + "_fixed", t], [base + "_selected"]),
                helper.make_node("Flatten", [t], [base + "_computed"], axis=0),
            ]
            flat_outs.append(base + "_computed")
            offset += c
    nodes = []
    for n in g.node:
        nodes.append(n)
        for o in n.output:
            nodes.extend(added.get(o, []))
    nodes.append(helper.make_node("Concat", flat_outs, ["norm_stats_out"], axis=1))
    del g.node[:]
    g.node.extend(nodes)

    frames2 = "n_f0"
    gen_graph = helper.make_graph(
        list(g.node),
        "kokoro_generator",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 512, frames2]),
            helper.make_tensor_value_info("f0", TensorProto.FLOAT, [1, frames2]),
            helper.make_tensor_value_info("style", TensorProto.FLOAT, [1, STYLE_DIM]),
            helper.make_tensor_value_info("phase", TensorProto.FLOAT, [1, 1, HARMONICS]),
            helper.make_tensor_value_info("norm_stats", TensorProto.FLOAT, [offset]),
            helper.make_tensor_value_info("use_norm_stats", TensorProto.BOOL, [1]),
        ],
        [
            helper.make_tensor_value_info("audio", TensorProto.FLOAT, [N_SAMPLES]),
            helper.make_tensor_value_info("norm_stats_out", TensorProto.FLOAT, [1, offset]),
        ],
        initializer=list(g.initializer),
    )
    for n in gen_graph.node:
        for i, v in enumerate(n.input):
            if v == FRONT_OUT:
                n.input[i] = "x"
    front_graph = helper.make_graph(
        list(front.graph.node),
        "kokoro_decoder_front",
        list(decoder.graph.input),
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 512, frames2])],
        initializer=list(front.graph.initializer),
    )
    for n in front_graph.node:
        for i, v in enumerate(n.output):
            if v == FRONT_OUT:
                n.output[i] = "x"
    out = []
    for graph, what in ((front_graph, "decoder front (int8)"), (gen_graph, "streaming generator (float)")):
        m = helper.make_model(
            graph,
            ir_version=decoder.ir_version,
            opset_imports=list(decoder.opset_import),
            producer_name="yomiage split_kokoro",
            producer_version=str(FORMAT),
            doc_string=f"Kokoro-82M v1.0, {what}; from source sha256 {source_sha}",
        )
        onnx.checker.check_model(m)
        out.append(m)
    return out[0], out[1], offset


# --- int8 streaming generator -----------------------------------------------------------------
# The float generator streams cleanly but runs at about half real time on two CPU cores. Static
# int8 (QDQ: fixed activation scales calibrated once, per-channel weights) keeps the chunks
# consistent, because no scale depends on the chunk (dynamic quantization's failure), and ONNX
# Runtime fuses each DQ→Conv→Q into an integer QLinearConv. Only the residual-block convolutions
# are quantized: the upsamplers, the noise convolutions, conv_post and the iSTFT stay float
# (quantizing them cost 10 dB of SNR for little speed). The activation ranges were calibrated by
# the dev tool calibrate_generator.py and are a pinned input (generator_int8_ranges.json), so
# this step is plain numpy arithmetic and reproducible bit for bit.
#
# Two residual blocks of the last upsampling stage (kernels 3 and 7) stay float, and the
# calibrated ranges are narrowed to 0.8: with every block in int8 the whole-utterance render was
# 1.5-1.7 dB (log-mel) from the float generator with +2.4 dB of hiss above ~6 kHz, where the
# original dynamic-int8 decoder is 0.7-1.0 dB and +0.5 dB; this way it is 0.8-1.0 dB and +0.0 dB,
# for about 15 % more generator time than all-int8 (README, Speed).

INT8_CONV_PARTS = ("/resblocks.0/", "/resblocks.1/", "/resblocks.2/", "/resblocks.5/", "/noise_res.")
RANGE_SCALE = 0.8


def int8_convs(graph):
    """The convolutions that the int8 generator quantizes, in graph order."""
    return [
        n for n in graph.node if n.op_type == "Conv" and any(p in n.name for p in INT8_CONV_PARTS)
    ]


def quantize_generator(gen, ranges):
    """The float generator with its residual-block convolutions in static int8 (QDQ)."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper
    from onnx import numpy_helper as nh

    m = onnx.ModelProto.FromString(gen.SerializeToString())
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    convs = int8_convs(g)
    if not convs:
        raise ConversionError("int8 generator: no residual-block convolutions found")

    def act_params(t):
        if t not in ranges:
            raise ConversionError(f"int8 generator: no calibrated range for {t!r}")
        lo, hi = (float(v) * RANGE_SCALE for v in ranges[t])
        lo, hi = min(lo, 0.0), max(hi, 0.0)
        scale = np.float32((hi - lo) / 255.0) if hi > lo else np.float32(1.0)
        zp = int(np.clip(np.round(-lo / np.float64(scale)), 0, 255))
        return scale, zp

    qdq = {}  # float tensor -> its fake-quantized name (nodes added after the producer)
    added = {}  # producer output (or "" for graph inputs) -> nodes to insert after it
    prod = {o: n for n in g.node for o in n.output}
    new_inits = []

    def fake_quant(t):
        if t in qdq:
            return qdq[t]
        scale, zp = act_params(t)
        base = t + "_q8"
        new_inits.append(helper.make_tensor(base + "_scale", TensorProto.FLOAT, [], [scale]))
        new_inits.append(helper.make_tensor(base + "_zp", TensorProto.UINT8, [], [zp]))
        nodes = [
            helper.make_node("QuantizeLinear", [t, base + "_scale", base + "_zp"], [base + "_u8"], name=base + "_Q"),
            helper.make_node("DequantizeLinear", [base + "_u8", base + "_scale", base + "_zp"], [base + "_dq"],
                             name=base + "_DQ"),
        ]
        added.setdefault(t if t in prod else "", []).extend(nodes)
        qdq[t] = base + "_dq"
        return qdq[t]

    for n in convs:
        x, w_name = n.input[0], n.input[1]
        b_name = n.input[2] if len(n.input) > 2 else None
        if w_name not in inits or (b_name and b_name not in inits):
            raise ConversionError(f"int8 generator: {n.name!r} has computed weights")
        xq = fake_quant(x)
        x_scale, _ = act_params(x)
        w = nh.to_array(inits[w_name]).astype(np.float32)
        w_scale = (np.abs(w).reshape(w.shape[0], -1).max(axis=1) / np.float32(127.0)).astype(np.float32)
        w_scale[w_scale == 0] = np.float32(1.0)
        wq = np.clip(np.round(w / w_scale[:, None, None]), -127, 127).astype(np.int8)
        base = n.name.strip("/").replace("/", "_")
        new_inits += [
            nh.from_array(wq, base + "_w_i8"),
            nh.from_array(w_scale, base + "_w_scale"),
            nh.from_array(np.zeros(w.shape[0], np.int8), base + "_w_zp"),
        ]
        deq = [helper.make_node("DequantizeLinear", [base + "_w_i8", base + "_w_scale", base + "_w_zp"],
                                [base + "_w_dq"], name=base + "_w_DQ", axis=0)]
        inputs = [xq, base + "_w_dq"]
        if b_name:
            b = nh.to_array(inits[b_name]).astype(np.float32)
            b_scale = (w_scale * x_scale).astype(np.float32)
            bq = np.round(b / b_scale).astype(np.int32)
            new_inits += [
                nh.from_array(bq, base + "_b_i32"),
                nh.from_array(b_scale, base + "_b_scale"),
                nh.from_array(np.zeros(w.shape[0], np.int32), base + "_b_zp"),
            ]
            deq.append(helper.make_node("DequantizeLinear", [base + "_b_i32", base + "_b_scale", base + "_b_zp"],
                                        [base + "_b_dq"], name=base + "_b_DQ", axis=0))
            inputs.append(base + "_b_dq")
        added.setdefault("", []).extend(deq)
        del n.input[:]
        n.input.extend(inputs)
    # Each conv output gets its own Q/DQ, which the conv's consumers read instead.
    renames = {n.output[0]: fake_quant(n.output[0]) for n in convs}
    for n in g.node:
        for i, v in enumerate(n.input):
            if v in renames:
                n.input[i] = renames[v]
    nodes = list(added.get("", []))
    for n in g.node:
        nodes.append(n)
        for o in n.output:
            nodes.extend(added.get(o, []))
    del g.node[:]
    g.node.extend(nodes)
    used = {i for n in g.node for i in n.input}
    kept = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(kept + new_inits)
    m.doc_string = gen.doc_string.replace("(float)", "(static int8 residual blocks)")
    onnx.checker.check_model(m)
    return m


def convert(model_path: str, voices_path: str, out_dir: str, expect_sha256: str, ranges_path: str) -> dict:
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
    decoder_stage = [st for f, st, _, _ in stages if f == "decoder.onnx"][0]
    front, generator, n_stats = stream_models(decoder_stage, source_sha)
    stages.append(("decoder_front.onnx", front, [], []))
    stages.append(("generator.onnx", generator, [], []))
    try:
        with open(ranges_path, encoding="utf-8") as f:
            ranges = json.load(f)
    except (OSError, ValueError) as e:
        raise ConversionError(f"cannot read the int8 generator's ranges {ranges_path}: {e}") from e
    # The AdaIN + Snake chains fused into one custom node each (fuse_snake.py, beside this
    # script): the engine registers the operator; only the CPU renders this model.
    from fuse_snake import FuseError, fuse_ada_snake

    try:
        int8, _ = fuse_ada_snake(quantize_generator(generator, ranges))
    except FuseError as e:
        raise ConversionError(f"int8 generator: {e}") from e
    stages.append(("generator.int8.onnx", int8, [], []))

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
        "streaming": {"norm_stats": n_stats, "harmonics": HARMONICS,
                      "front": "decoder_front.onnx", "generator": "generator.onnx",
                      "generator_int8": "generator.int8.onnx"},
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
    p.add_argument(
        "--generator-ranges",
        default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "generator_int8_ranges.json"),
        help="calibrated activation ranges of the int8 generator (default: beside this script)",
    )
    args = p.parse_args(argv)
    try:
        manifest = convert(args.model, args.voices, args.out, args.expect_sha256, args.generator_ranges)
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
