"""Fuses each AdaIN tail and Snake activation of the int8 generator into one `yomiage.AdaSnake`
node, which the engine registers as an ONNX Runtime custom operator (engine/src/onnx/snake.rs).

Kokoro's generator normalizes, styles and activates every residual-block input with eight
element-wise nodes — (x - mean) / std * gain + bias, then y + sin(alpha * y)^2 / alpha — over
tensors of 128 channels x 300 samples per frame. ONNX Runtime runs them one by one, each reading
and writing the whole tensor, and its Sin is single-threaded: on two cores they were 37 % of the
generator's time. One fused pass computes the same thing in one read and one write.

    AdaSnake(d, std, gain, bias, alpha, inv_alpha) = y + inv_alpha * sin(alpha * y)^2,
        y = d / std * gain + bias

d is [N, C, T]; the other inputs hold C (or 1) values each, per channel. The fused node keeps
the output name of the chain's last Add, so the rest of the graph is untouched.
"""

DOMAIN = "yomiage"
OP = "AdaSnake"


class FuseError(Exception):
    pass


def fuse_ada_snake(model):
    """The model with every matched chain fused; raises FuseError when none is found."""
    import onnx
    from onnx import helper

    m = onnx.ModelProto.FromString(model.SerializeToString())
    g = m.graph
    prod = {o: n for n in g.node for o in n.output}
    cons = {}
    for n in g.node:
        for i in n.input:
            cons.setdefault(i, []).append(n)

    def other(node, t):
        """The input of a two-input node that is not t (None when t is not one of them)."""
        ins = list(node.input)
        if len(ins) != 2 or t not in ins:
            return None
        return ins[1] if ins[0] == t else ins[0]

    def only(t, op):
        users = cons.get(t, [])
        return users[0] if len(users) == 1 and users[0].op_type == op else None

    def is_two(t):
        from onnx import numpy_helper as nh
        for i in g.initializer:
            if i.name == t:
                return nh.to_array(i).size == 1 and float(nh.to_array(i).reshape(-1)[0]) == 2.0
        p = prod.get(t)
        if p is not None and p.op_type == "Constant":
            v = nh.to_array(p.attribute[0].t)
            return v.size == 1 and float(v.reshape(-1)[0]) == 2.0
        return False

    drop = set()
    fused = []
    for sin in [n for n in g.node if n.op_type == "Sin"]:
        m1 = prod.get(sin.input[0])
        if m1 is None or m1.op_type != "Mul" or len(cons.get(sin.input[0], [])) != 1:
            continue
        # y is the input of the scaling Mul that comes from the AdaIN Add; alpha the other.
        y = next((t for t in m1.input if t in prod and prod[t].op_type == "Add"), None)
        if y is None:
            continue
        alpha = other(m1, y)
        a3 = prod[y]
        users = cons.get(y, [])
        pw = only(sin.output[0], "Pow")
        if pw is None or not is_two(pw.input[1]):
            continue
        m2 = only(pw.output[0], "Mul")
        if m2 is None:
            continue
        inv = other(m2, pw.output[0])
        a4 = only(m2.output[0], "Add")
        if a4 is None or other(a4, m2.output[0]) != y or len(users) != 2:
            continue
        m3_out = next((t for t in a3.input if t in prod and prod[t].op_type == "Mul"), None)
        if m3_out is None or len(cons.get(m3_out, [])) != 1:
            continue
        bias = other(a3, m3_out)
        m3 = prod[m3_out]
        div_out = next((t for t in m3.input if t in prod and prod[t].op_type == "Div"), None)
        if div_out is None:
            continue
        gain = other(m3, div_out)
        div = prod[div_out]
        d, std = div.input[0], div.input[1]
        if alpha is None or inv is None or bias is None or gain is None:
            continue
        name = a4.name + "_AdaSnake"
        fused.append((a4, helper.make_node(OP, [d, std, gain, bias, alpha, inv], [a4.output[0]],
                                           name=name, domain=DOMAIN)))
        drop.update(id(n) for n in (m3, a3, m1, sin, pw, m2, a4))
    if not fused:
        raise FuseError("no AdaIN + Snake chain found in the generator")
    at = {id(a4): node for a4, node in fused}
    nodes = []
    for n in g.node:
        if id(n) in at:
            nodes.append(at[id(n)])
        elif id(n) not in drop:
            nodes.append(n)
    # A normalization shared by the three blocks of a stage is dead once all three are fused.
    outputs = {o.name for o in g.output}
    while True:
        read = {i for n in nodes for i in n.input} | outputs
        alive = [n for n in nodes if any(o in read for o in n.output)]
        if len(alive) == len(nodes):
            break
        nodes = alive
    del g.node[:]
    g.node.extend(nodes)
    used = {i for n in g.node for i in n.input}
    kept = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(kept)
    if not any(o.domain == DOMAIN for o in m.opset_import):
        m.opset_import.append(helper.make_opsetid(DOMAIN, 1))
    return m, len(fused)
