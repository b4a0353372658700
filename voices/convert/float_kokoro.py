#!/usr/bin/env python3
"""Float decoders for the GPU, made from the int8 decoder stage that split_kokoro.py wrote.

    python float_kokoro.py --models DIR --out OUT

Reads DIR/decoder.onnx (int8: DynamicQuantizeLinear → ConvInteger/MatMulInteger chains, which
ONNX Runtime runs only on the CPU) and writes

  OUT/decoder.f32.onnx  every integer chain replaced by a float Conv/MatMul with the weights
                        dequantized (split_kokoro.dequantize, the same pass that makes the
                        float streaming pair)
  OUT/decoder.f16.onnx  the same with the weighted layers (Conv, ConvTranspose, MatMul) in
                        float16: weights and biases stored as float16, a Cast to float16 before
                        and back to float32 after each. Everything else stays float32: a
                        wholly fp16 decoder fails (a 0/0 before the Atan gives NaN, and the sine
                        source's phase outgrows fp16 after ~5 s; shared/notes/model.md).
  OUT/float.json        written last (sha256 and size of each file)

Inputs and outputs keep the decoder stage's names and float32 types, so the engine feeds any
of the three decoders the same way. Deterministic: the same inputs and the same pinned
`onnx`/`numpy` give byte-identical files (setup checks them against voices/manifest.toml).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from split_kokoro import ConversionError, dequantize, fsync_dir, prune, write_atomic  # noqa: E402

FORMAT = 1
WEIGHTED = ("Conv", "ConvTranspose", "MatMul")


def to_fp16(model):
    """Weighted layers in float16 (see the module doc). Returns the number of layers changed."""
    import numpy as np
    from onnx import TensorProto, helper
    from onnx import numpy_helper as nh

    g = model.graph
    inits = {i.name: i for i in g.initializer}
    half_inits = {}  # float32 initializer name → float16 copy's name
    half_inputs = {}  # activation name → its Cast-to-float16 output
    nodes, changed = [], 0
    for n in g.node:
        if n.op_type not in WEIGHTED or not any(i in inits for i in n.input):
            nodes.append(n)
            continue
        if any(i in inits and inits[i].data_type != TensorProto.FLOAT for i in n.input if i):
            nodes.append(n)
            continue
        for k, name in enumerate(n.input):
            if not name:
                continue
            if name in inits:
                if name not in half_inits:
                    half = name + "_fp16"
                    arr = nh.to_array(inits[name]).astype(np.float16)
                    g.initializer.append(nh.from_array(arr, half))
                    half_inits[name] = half
                n.input[k] = half_inits[name]
            else:
                if name not in half_inputs:
                    cast = name + "_to_fp16"
                    nodes.append(
                        helper.make_node("Cast", [name], [cast], name=cast, to=TensorProto.FLOAT16)
                    )
                    half_inputs[name] = cast
                n.input[k] = half_inputs[name]
        out = n.output[0]
        n.output[0] = out + "_fp16"
        nodes.append(n)
        nodes.append(helper.make_node("Cast", [n.output[0]], [out], name=out + "_to_fp32", to=TensorProto.FLOAT))
        changed += 1
    del g.node[:]
    g.node.extend(nodes)
    prune(model)
    return changed


def convert(models_dir: str, out_dir: str) -> dict:
    import numpy as np
    import onnx

    src = os.path.join(models_dir, "decoder.onnx")
    if not os.path.isfile(src):
        raise ConversionError(f"{src} not found (run split_kokoro.py first)")
    source_sha = hashlib.sha256(open(src, "rb").read()).hexdigest()
    model = onnx.load(src)
    f32 = dequantize(model)
    f32.doc_string = f"Kokoro-82M v1.0 decoder, dequantized (float32); from decoder.onnx sha256 {source_sha}"
    onnx.checker.check_model(f32)
    f16 = onnx.ModelProto.FromString(f32.SerializeToString())
    changed = to_fp16(f16)
    if not changed:
        raise ConversionError("float16: no weighted layer found")
    f16.doc_string = (
        f"Kokoro-82M v1.0 decoder, weighted layers in float16 ({changed}); from decoder.onnx sha256 {source_sha}"
    )
    onnx.checker.check_model(f16)

    os.makedirs(out_dir, exist_ok=True)
    manifest_path = os.path.join(out_dir, "float.json")
    if os.path.exists(manifest_path):
        os.unlink(manifest_path)
        fsync_dir(out_dir)
    files = {}
    for name, m in (("decoder.f32.onnx", f32), ("decoder.f16.onnx", f16)):
        data = m.SerializeToString(deterministic=True)
        write_atomic(os.path.join(out_dir, name), data)
        files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    fsync_dir(out_dir)
    manifest = {
        "format": FORMAT,
        "source": "decoder.onnx",
        "source_sha256": source_sha,
        "files": files,
        "fp16_layers": changed,
        "tools": {"onnx": onnx.__version__, "numpy": np.__version__},
    }
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    write_atomic(manifest_path, text.encode("utf-8"))
    fsync_dir(out_dir)
    return manifest


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Float32 and float16 Kokoro decoders for the GPU.")
    p.add_argument("--models", required=True, help="directory with split_kokoro.py's decoder.onnx")
    p.add_argument("--out", required=True, help="output directory")
    args = p.parse_args(argv)
    try:
        manifest = convert(args.models, args.out)
    except (ConversionError, OSError) as e:
        print(f"float_kokoro: error: {e}", file=sys.stderr)
        return 1
    except ImportError as e:
        print(f"float_kokoro: error: missing Python package ({e}); install requirements.txt", file=sys.stderr)
        return 1
    for name, info in sorted(manifest["files"].items()):
        print(f"{info['sha256']}  {info['size']:>10}  {name}")
    print(f"float_kokoro: wrote {args.out} ({manifest['fp16_layers']} layers in float16)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
