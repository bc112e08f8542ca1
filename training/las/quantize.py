"""Int8 copies of the exported graphs: every MatMul by a constant weight matrix becomes
QuantizeLinear (the activation, a fixed per-tensor scale) + MatMulIntegerToFloat (int8 weights,
one scale per output column).

    python3 -m training.las.quantize --bundle models/las-small [--features training/work/features/train]

Why static activation scales (calibrated once, here) rather than onnxruntime's
DynamicQuantizeMatMul: a dynamic scale is taken from the whole input tensor, so a row's result
would depend on the other rows of the batch (the other hypotheses of a beam) and an encoder
frame's on the rest of its chunk (streamed chunks would no longer equal one whole-utterance
call). With a fixed scale every row and frame is computed on its own, as in float32, and the
integer products are exact.

Activation ranges:
- decoder inputs that are bounded by construction (h and h_out are o * tanh(c), the output
  layer's hidden is a tanh): [-1, 1];
- the attention context, a convex combination of encoder memory rows: the memory's range;
- encoder MatMul inputs: over calibration utterances from the TRAINING split (never validation
  or test), the widest of each utterance's central 99.999 % (ENCODER_QUANTILE); values outside
  saturate.
Weights: symmetric int8 in [-63, 63] per output column. Seven bits, not eight: x86 CPUs without
AVX-512 VNNI multiply uint8 by int8 with VPMADDUBSW, whose int16 pair sums saturate above
32767; 255 * 63 * 2 stays below it, so the result is the same on every CPU.
"""
import argparse
import json
import os

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

from .checkpoint import load_model
from .model import LAS

DEFAULT_CALIBRATION = "training/work/features/train"  # the TRAINING split's feature shards
CALIBRATION_UTTERANCES = 200
CALIBRATION_MARGIN = 0.1  # each end of the memory's range moves out by this fraction of its width
ENCODER_QUANTILE = 0.99999  # an encoder activation's range: its central 99.999 % per utterance
WEIGHT_LEVELS = 63
INT8_SUFFIX = ".int8.onnx"
BOUNDED = (-1.0, 1.0)
# decoder_step.onnx's weights (DecoderStepGraph) and the range of the activation each multiplies
DECODER_INPUT_RANGES = {"w_hh": BOUNDED, "w_query": BOUNDED, "w_out_state": BOUNDED, "w_logits": BOUNDED, "w_out_context": "memory"}


def int8_name(file: str) -> str:
    return file[:-len(".onnx")] + INT8_SUFFIX if file.endswith(".onnx") else file + INT8_SUFFIX


def quantize_weights(w: np.ndarray):
    """[K, N] float -> (int8 [K, N], float32 scale [N]), symmetric per column in +-WEIGHT_LEVELS."""
    amax = np.abs(w).max(axis=0)
    scale = np.where(amax > 0, amax / WEIGHT_LEVELS, 1.0).astype(np.float32)
    q = np.clip(np.round(w / scale), -WEIGHT_LEVELS, WEIGHT_LEVELS).astype(np.int8)
    return q, scale


def activation_params(lo: float, hi: float):
    """A range -> (scale, uint8 zero point) covering it, 0 exactly representable."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = max((hi - lo) / 255.0, 1e-8)
    return np.float32(scale), np.uint8(int(np.clip(round(-lo / scale), 0, 255)))


def quantize_graph(src: str, dst: str, range_of) -> int:
    """Rewrites src's constant-weight MatMuls into dst; range_of(node, weight_name) -> (lo, hi) of
    the node's activation input, or None to leave that MatMul in float32. Returns how many
    MatMuls were rewritten."""
    model = onnx.load(src)
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    nodes, extra, dropped, quantized = [], [], set(), {}
    for node in graph.node:
        weight = node.input[1] if node.op_type == "MatMul" and len(node.input) == 2 else None
        if weight not in inits or len(inits[weight].dims) != 2:
            nodes.append(node)
            continue
        act = node.input[0]
        span = range_of(node, weight)
        if span is None:  # left in float32
            nodes.append(node)
            continue
        lo, hi = span
        if act in quantized:  # one QuantizeLinear per activation, for every MatMul that reads it
            old = quantized[act]
            if (lo, hi) != old:
                raise ValueError(f"{src}: {act} is given two ranges, {old} and {(lo, hi)}")
        else:
            quantized[act] = (lo, hi)
            a_scale, a_zero = activation_params(lo, hi)
            extra += [numpy_helper.from_array(np.array(a_scale), act + "_scale"), numpy_helper.from_array(np.array(a_zero), act + "_zero")]
            nodes.append(helper.make_node("QuantizeLinear", [act, act + "_scale", act + "_zero"], [act + "_u8"], name=act + "_quantize"))
        q, w_scale = quantize_weights(numpy_helper.to_array(inits[weight]).astype(np.float32))
        extra += [numpy_helper.from_array(q, weight + "_i8"), numpy_helper.from_array(w_scale, weight + "_scale")]
        dropped.add(weight)
        nodes.append(helper.make_node("MatMulIntegerToFloat", [act + "_u8", weight + "_i8", act + "_scale", weight + "_scale", act + "_zero"],
                                      list(node.output), name=node.name + "_int8", domain="com.microsoft"))
    still_read = {i for n in nodes for i in n.input}
    kept = [i for i in graph.initializer if i.name not in dropped or i.name in still_read]
    del graph.initializer[:]
    graph.initializer.extend(kept + extra)
    del graph.node[:]
    graph.node.extend(nodes)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    return len([n for n in nodes if n.op_type == "MatMulIntegerToFloat"])


def calibration_features(features_dir: str, count: int, seed: int = 0) -> list:
    """`count` normalised-later feature matrices [T, 80] from the training split's shards (an even
    spread over the shards, the same every run)."""
    shards = sorted(f for f in os.listdir(features_dir) if f.endswith(".npz"))
    if not shards:
        raise FileNotFoundError(f"{features_dir}: no feature shards (run training.las.features)")
    rng = np.random.default_rng(seed)
    per_shard = max(1, -(-count // len(shards)))
    out = []
    for name in shards:
        z = np.load(os.path.join(features_dir, name))
        offsets = z["offsets"]
        for i in sorted(rng.choice(len(offsets) - 1, size=min(per_shard, len(offsets) - 1), replace=False)):
            out.append(z["feats"][offsets[i]:offsets[i + 1]].astype(np.float32))
    return out[:count]


def calibrate_encoder(model: LAS, feats: list, mean: np.ndarray, std: np.ndarray, layers: bool = True) -> dict:
    """{encoder Linear module name: (lo, hi) of its input} (only with `layers`: the int8 decoder
    step alone needs none of them), plus "memory": the encoder memory's range (min / max,
    widened by CALIBRATION_MARGIN: the decoder's context lies inside it).

    A Linear input's range is the widest over the utterances of each utterance's central
    ENCODER_QUANTILE of values: the rare values beyond it saturate, and the other 99.999 % get
    the resolution. With min / max ranges (+10 %) the int8 encoder cost 0.4-0.5 WER and 0.3-0.4
    CER points on validation; with these, 0.1 WER and -0.1 to +0.2 CER points."""
    spans = {}
    memory_lo, memory_hi = float("inf"), float("-inf")

    def hook(name):
        def record(_module, inputs, _output):
            x = inputs[0].detach().reshape(-1).numpy()
            lo, hi = np.quantile(x, [1 - ENCODER_QUANTILE, ENCODER_QUANTILE])
            old = spans.get(name, (lo, hi))
            spans[name] = (min(old[0], float(lo)), max(old[1], float(hi)))
        return record

    handles = [m.register_forward_hook(hook(n)) for n, m in model.encoder.named_modules() if layers and isinstance(m, torch.nn.Linear)]
    try:
        model.eval()
        with torch.no_grad():
            for f in feats:
                x = torch.from_numpy(((f - mean) / std).astype(np.float32))[None]
                memory = model.encoder(x, model.encoder.initial_state(1))[0]
                memory_lo, memory_hi = min(memory_lo, float(memory.min())), max(memory_hi, float(memory.max()))
    finally:
        for h in handles:
            h.remove()
    return {**spans, "memory": widen(memory_lo, memory_hi)}


def widen(lo: float, hi: float) -> tuple:
    pad = CALIBRATION_MARGIN * (hi - lo)
    return (lo - pad, hi + pad)


def encoder_module(node) -> str:
    """ONNX node name (torch's scope, "/encoder/blocks.0/ffn/ffn.0/MatMul") -> module name ("blocks.0.ffn.0")."""
    parts = node.name.strip("/").split("/")
    if len(parts) < 3 or parts[0] != "encoder":
        raise ValueError(f"encoder MatMul {node.name!r} is not named after a module of the encoder")
    path = []
    for part in parts[1:-1]:
        # a Sequential's child is scoped "ffn.0" under the Sequential's own "ffn"
        if path and part.startswith(path[-1] + "."):
            path[-1] = part
        else:
            path.append(part)
    return ".".join(path)


GRAPHS = ("encoder", "decoder_step")
# What the bundle ships in int8 by default: the decoder step. Measured on the 300 validation
# utterances (beam 8, default decoding): the int8 decoder step left WER / CER where float32 has
# them (global 49.8 / 28.2 against 49.9 / 28.3, local 50.7 / 28.5 against 50.6 / 28.5) at about
# half the cost per call. The int8 encoder on top (--graphs decoder_step,encoder) gave 49.9 / 28.4
# and 50.8 / 28.4 calibrated on the bundle's float16 weights, 50.1 / 28.4 and 50.9 / 28.7 on the
# training checkpoint's float32 ones: a loss of up to 0.3 WER and 0.2 CER points for about 0.0005
# RTF (encoder 0.0019-0.0020 -> 0.0015 per audio second), so it is not shipped.
DEFAULT_GRAPHS = ("decoder_step",)


def quantize_bundle(bundle: str, model: LAS, feats: list, norm: dict, graphs=DEFAULT_GRAPHS) -> dict:
    """Writes <graph>.int8.onnx next to each of `graphs` in the bundle; returns what config.json
    records of them."""
    unknown = set(graphs) - set(GRAPHS)
    if unknown:
        raise ValueError(f"no graph {sorted(unknown)} (graphs: {', '.join(GRAPHS)})")
    ranges = calibrate_encoder(model, feats, np.asarray(norm["mean"], np.float32), np.asarray(norm["std"], np.float32),
                               layers="encoder" in graphs)

    def encoder_range(node, _weight):
        name = encoder_module(node)
        if name not in ranges:
            raise ValueError(f"no calibrated range for encoder module {name!r}")
        return ranges[name]

    def decoder_range(_node, weight):
        r = DECODER_INPUT_RANGES.get(weight)
        if r is None:
            raise ValueError(f"decoder weight {weight!r} has no known input range")
        return ranges["memory"] if r == "memory" else r

    out = {"weights": f"int8 symmetric per column, +-{WEIGHT_LEVELS}", "activations": "uint8, fixed per-tensor scale",
           "calibration": {"utterances": len(feats), "split": "train", "margin": CALIBRATION_MARGIN}}
    for graph, range_of in (("encoder", encoder_range), ("decoder_step", decoder_range)):
        if graph not in graphs:
            continue
        src = os.path.join(bundle, graph + ".onnx")
        n = quantize_graph(src, os.path.join(bundle, int8_name(graph + ".onnx")), range_of)
        out[graph] = {"file": int8_name(graph + ".onnx"), "matmuls": n}
    return out


def parse_graphs(names: str) -> tuple:
    """A comma-separated list of graph names (--int8, --graphs) as a tuple, empty entries dropped."""
    return tuple(g for g in names.split(",") if g)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", required=True, help="an exported bundle (config.json, encoder.onnx, decoder_step.onnx, checkpoint/)")
    ap.add_argument("--features", default=DEFAULT_CALIBRATION, help="the TRAINING split's feature shards")
    ap.add_argument("--utterances", type=int, default=CALIBRATION_UTTERANCES)
    ap.add_argument("--graphs", default=",".join(DEFAULT_GRAPHS), help=f"comma-separated, of {', '.join(GRAPHS)}")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    print(json.dumps(add_int8(args.bundle, load_model(args.bundle), calibration_features(args.features, args.utterances),
                              parse_graphs(args.graphs))))


def add_int8(bundle: str, model: LAS, feats: list, graphs=DEFAULT_GRAPHS) -> dict:
    """quantize_bundle, then config.json names the int8 files (encoder / decoder `int8File`, and
    what they are under "int8"); a graph left out loses any int8 copy it had."""
    path = os.path.join(bundle, "config.json")
    with open(path) as f:
        config = json.load(f)
    info = quantize_bundle(bundle, model, feats, config["normStats"], graphs)
    for graph, key in (("encoder", "encoder"), ("decoder_step", "decoder")):
        config[key].pop("int8File", None)
        if graph in info:
            config[key]["int8File"] = info[graph]["file"]
        else:
            stale = os.path.join(bundle, int8_name(graph + ".onnx"))
            if os.path.exists(stale):
                os.remove(stale)
    config["int8"] = info
    with open(path, "w") as f:
        json.dump(config, f, indent=1)
    return info


if __name__ == "__main__":
    main()
