"""Export stage: ONNX graphs (opset 17) + config.json + checkpoint -> models/<name>/.

    python3 -m training.las.export --checkpoint training/work/checkpoints/last.pt --out models/las-small
    python3 -m training.las.export --random --config tiny --out models/tiny-random   # interface stub

models/tiny-random is kept as exported before the decoder step packed its four results into one
output (DecoderStepGraph): the tests read it to check the loader's four-output layout, which
older bundles have. Regenerated with this command it would be packed (the tests say so).

A trained export also writes decoder_step.int8.onnx (--int8; training/las/quantize.py), its
activation scales calibrated on the training split's features (--calibration).

The graphs follow docs/contracts.md section 4; config.json records every name and shape.
"""
import argparse
import inspect
import json
import math
import os
import shutil

import numpy as np
import torch
from torch import nn

from .checkpoint import load_checkpoint, load_model, save_bundle_weights
from .config import PRESETS
from .decoder import MASK_PENALTY
from .frontend import DEFAULT_FRONTEND
from .model import LAS
from .ort import run_onnx
from .vocab import VOCAB
from .quantize import CALIBRATION_UTTERANCES, DEFAULT_CALIBRATION, DEFAULT_GRAPHS as DEFAULT_INT8_GRAPHS, add_int8, calibration_features, parse_graphs

OPSET = 17
DEFAULT_LEFT, DEFAULT_RIGHT = 10, 6  # local window in encoder frames (40 ms each)
STATE_NAMES = ("sub1", "sub2", "blocks")


class EncoderGraph(nn.Module):
    def __init__(self, model: LAS):
        super().__init__()
        self.encoder = model.encoder

    def forward(self, feats, state_in_sub1, state_in_sub2, state_in_blocks):
        memory, keys, ctc_logits, state = self.encoder(
            feats, {"sub1": state_in_sub1, "sub2": state_in_sub2, "blocks": state_in_blocks})
        return memory, keys, ctc_logits, state["sub1"], state["sub2"], state["blocks"]


class DecoderStepGraph(nn.Module):
    """Speller.step as a lean graph: the same function, arranged so that onnxruntime runs few
    small nodes per call (the search calls it once per output token, and at beam 4-8 each call's
    cost is mostly per node, not arithmetic):

    - the LSTM cell is written out (one MatMul for the recurrent part; the input part of the gates,
      embedding times input weights plus both biases, is a table looked up by token), with the
      gates reordered to (i, f, o, g) so one Sigmoid and one Tanh cover them, instead of the ONNX
      LSTM node and the Squeeze / Unsqueeze / Transpose around it;
    - the attention scale 1 / sqrt(A) is folded into the query weights;
    - the output layer's input concatenation is two MatMuls into one sum;
    - its four results are one output, "step": logits [B, V], h_out [B, D], c_out [B, D] and
      attn [B, W], each flattened, one after another (STEP_PARTS). Every output onnxruntime-node
      hands back costs about 5 us of a call; packed, a call at 8 rows and 40-70 frames took 15-20 us
      (10-15 %) less, with bit-identical values.
    test_export checks it against Speller.step (outputs within 1e-4).
    """

    def __init__(self, model: LAS):
        super().__init__()
        sp = model.speller
        d = sp.lstm.hidden_size
        with torch.no_grad():
            order = torch.cat([torch.arange(0, 2 * d), torch.arange(3 * d, 4 * d), torch.arange(2 * d, 3 * d)])  # i f o g
            bias = sp.lstm.bias_ih_l0 + sp.lstm.bias_hh_l0
            self.register_buffer("gate_table", (sp.embed.weight @ sp.lstm.weight_ih_l0.t() + bias)[:, order].contiguous())  # [V, 4D]
            self.register_buffer("w_hh", sp.lstm.weight_hh_l0[order].t().contiguous())  # [D, 4D]
            scale = 1.0 / math.sqrt(sp.query.out_features)
            self.register_buffer("w_query", (sp.query.weight.t() * scale).contiguous())  # [D, A]
            self.register_buffer("b_query", sp.query.bias * scale)
            hidden, logits = sp.out[0], sp.out[3]
            self.register_buffer("w_out_state", hidden.weight[:, :d].t().contiguous())  # [D, D]
            self.register_buffer("w_out_context", hidden.weight[:, d:].t().contiguous())  # [H, D]
            self.register_buffer("b_out", hidden.bias.clone())
            self.register_buffer("w_logits", logits.weight.t().contiguous())  # [D, V]
            self.register_buffer("b_logits", logits.bias.clone())
        self.d = d

    def forward(self, token, h, c, keys, memory, mask):
        d = self.d
        gates = self.gate_table[token] + h @ self.w_hh  # [B, 4D]
        ifo = torch.sigmoid(gates[:, :3 * d])
        c_out = ifo[:, d:2 * d] * c + ifo[:, :d] * torch.tanh(gates[:, 3 * d:])
        h_out = ifo[:, 2 * d:] * torch.tanh(c_out)  # [B, D]
        query = h_out @ self.w_query + self.b_query  # [B, A], already scaled
        scores = torch.matmul(keys, query.unsqueeze(-1)).squeeze(-1) + (mask - 1.0) * MASK_PENALTY  # [B, W]
        weights = torch.softmax(scores, dim=-1) * mask
        context = torch.matmul(weights.unsqueeze(1), memory).squeeze(1)  # [B, H]
        hidden = torch.tanh(h_out @ self.w_out_state + context @ self.w_out_context + self.b_out)
        logits = hidden @ self.w_logits + self.b_logits
        return torch.cat([logits.reshape(-1), h_out.reshape(-1), c_out.reshape(-1), weights.reshape(-1)])


def state_shapes(model: LAS) -> dict:
    return {name: list(t.shape) for name, t in model.encoder.initial_state(1).items()}


def encoder_inputs(model: LAS, frames: int):
    cfg = model.cfg
    state = model.encoder.initial_state(1)
    return (torch.randn(1, frames, cfg.feat_dim),) + tuple(state[n] for n in STATE_NAMES)


def decoder_inputs(model: LAS, batch: int, width: int):
    cfg = model.cfg
    return (torch.full((batch,), 1, dtype=torch.long), torch.zeros(batch, cfg.dec_hidden),
            torch.zeros(batch, cfg.dec_hidden), torch.randn(batch, width, cfg.att_dim),
            torch.randn(batch, width, cfg.hidden), torch.ones(batch, width))


ENC_IN = ["feats"] + [f"state_in_{n}" for n in STATE_NAMES]
ENC_OUT = ["memory", "keys", "ctc_logits"] + [f"state_out_{n}" for n in STATE_NAMES]
DEC_IN = ["token", "h", "c", "keys", "memory", "mask"]
DEC_OUT = ["step"]
STEP_PARTS = ("logits", "h_out", "c_out", "attn")  # the blocks of "step", in this order, each [B, *] row-major


def unpack_step(step: np.ndarray, batch: int, width: int, dim: int) -> dict:
    """A packed "step" output -> {logits [B, V], h_out [B, D], c_out [B, D], attn [B, W]}."""
    vocab = step.size // batch - 2 * dim - width
    sizes = {"logits": vocab, "h_out": dim, "c_out": dim, "attn": width}
    parts, at = {}, 0
    for name in STEP_PARTS:
        n = batch * sizes[name]
        parts[name] = step[at:at + n].reshape(batch, sizes[name])
        at += n
    if vocab <= 0 or at != step.size:
        raise ValueError(f"a step output of {step.size} values does not hold {batch} rows of D = {dim}, W = {width}")
    return parts


def run_decoder_step(path: str, inputs: dict) -> dict:
    """Runs a decoder_step graph (onnxruntime, training.las.ort) -> {logits, h_out, c_out, attn}."""
    batch, width = inputs["mask"].shape
    return unpack_step(run_onnx(path, inputs)["step"], batch, width, inputs["h"].shape[1])


def _legacy_exporter_kwargs() -> dict:
    # torch >= 2.9 defaults to the dynamo exporter; the TorchScript one is what 1.13 has and
    # what these graphs are tested with
    return {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}


def export_onnx(model: LAS, out_dir: str) -> None:
    model.eval()
    os.makedirs(out_dir, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(EncoderGraph(model).eval(), encoder_inputs(model, 16), os.path.join(out_dir, "encoder.onnx"),
                          input_names=ENC_IN, output_names=ENC_OUT, opset_version=OPSET, **_legacy_exporter_kwargs(),
                          dynamic_axes={"feats": {1: "T"}, "memory": {1: "T4"}, "keys": {1: "T4"},
                                        "ctc_logits": {1: "T4"}})
        torch.onnx.export(DecoderStepGraph(model).eval(), decoder_inputs(model, 2, 5), os.path.join(out_dir, "decoder_step.onnx"),
                          input_names=DEC_IN, output_names=DEC_OUT, opset_version=OPSET, **_legacy_exporter_kwargs(),
                          dynamic_axes={"token": {0: "B"}, "h": {0: "B"}, "c": {0: "B"}, "keys": {0: "B", 1: "W"},
                                        "memory": {0: "B", 1: "W"}, "mask": {0: "B", 1: "W"},
                                        "step": {0: "N"}})


def bundle_config(model: LAS, norm: dict, left: int, right: int, extra: dict = None) -> dict:
    cfg = model.cfg
    shapes = state_shapes(model)
    io = lambda name, shape, dtype="float32": {"name": name, "shape": shape, "dtype": dtype}
    return {
        "format": "las-bundle/1",
        "frontEnd": DEFAULT_FRONTEND.to_json(),
        "normStats": {"mean": [float(v) for v in norm["mean"]], "std": [float(v) for v in norm["std"]]},
        "vocab": VOCAB,
        "tokens": {"blank": 0, "sos": 1, "eos": 2},
        "attention": {"modes": ["global", "local"], "left": left, "right": right},
        "subsampling": cfg.subsampling,
        "encoder": {
            "file": "encoder.onnx",
            "chunkMultiple": cfg.subsampling,
            "inputs": [io("feats", [1, "T", cfg.feat_dim])] + [io(f"state_in_{n}", shapes[n]) for n in STATE_NAMES],
            "outputs": [io("memory", [1, "T/4", cfg.hidden]), io("keys", [1, "T/4", cfg.att_dim]),
                        io("ctc_logits", [1, "T/4", len(VOCAB)])] + [io(f"state_out_{n}", shapes[n]) for n in STATE_NAMES],
            "state": [{"input": f"state_in_{n}", "output": f"state_out_{n}", "shape": shapes[n], "init": "zeros"}
                      for n in STATE_NAMES],
            "hidden": cfg.hidden, "attentionDim": cfg.att_dim,
        },
        "decoder": {
            "file": "decoder_step.onnx",
            "inputs": [io("token", ["B"], "int64"), io("h", ["B", cfg.dec_hidden]), io("c", ["B", cfg.dec_hidden]),
                       io("keys", ["B", "W", cfg.att_dim]), io("memory", ["B", "W", cfg.hidden]), io("mask", ["B", "W"])],
            # logits [B, V], h_out [B, D], c_out [B, D] and attn [B, W], flattened one after another
            "outputs": [io("step", [f"B*({len(VOCAB)}+{2 * cfg.dec_hidden}+W)"])],
            "hidden": cfg.dec_hidden,
        },
        "model": cfg.to_json(),
        **(extra or {}),
    }


def write_bundle(model: LAS, norm: dict, out_dir: str, left: int = DEFAULT_LEFT, right: int = DEFAULT_RIGHT,
                 extra: dict = None) -> None:
    export_onnx(model, out_dir)
    save_bundle_weights(model, out_dir)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(bundle_config(model, norm, left, right, extra), f, indent=1)


DEFAULT_LM_DIR = "models/lm"


def bundle_lm(lm_dir: str, out_dir: str) -> dict:
    """Copies the character LM (training/lm/build_char_lm.py: lm.bin + lm.json), and the word LM
    when there is one (build_word_lm.py: word_lm.bin + word_lm.json), into the bundle; returns
    config.json's "lm" field (kind, order, file, training text, size, default weight; "word": the
    word LM's)."""
    with open(os.path.join(lm_dir, "lm.json")) as f:
        info = json.load(f)
    os.makedirs(out_dir, exist_ok=True)
    _copy_into(lm_dir, info["file"], out_dir)
    # the word LM (training/lm/build_word_lm.py), when the folder has one, rides along as lm.word
    word_json = os.path.join(lm_dir, "word_lm.json")
    if os.path.exists(word_json):
        with open(word_json) as f:
            info["word"] = json.load(f)
        _copy_into(lm_dir, info["word"]["file"], out_dir)
    return {"lm": info}


def _copy_into(lm_dir: str, name: str, out_dir: str) -> None:
    src, dst = os.path.join(lm_dir, name), os.path.join(out_dir, name)
    # models/lm's files are links to the shipped bundle's copies: exporting into that bundle keeps them
    if not (os.path.exists(dst) and os.path.samefile(src, dst)):
        shutil.copyfile(src, dst)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", help="training checkpoint .pt or bundle dir")
    ap.add_argument("--random", action="store_true", help="random weights (interface stub)")
    ap.add_argument("--config", default="small", choices=sorted(PRESETS))
    ap.add_argument("--norm", default="training/work/features/norm.json")
    ap.add_argument("--out", required=True)
    ap.add_argument("--left", type=int, default=DEFAULT_LEFT)
    ap.add_argument("--right", type=int, default=DEFAULT_RIGHT)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lm", default=DEFAULT_LM_DIR, help="folder with the LM's lm.json and lm.bin to ship in the bundle ('' for none)")
    ap.add_argument("--int8", default=None,
                    help="graphs that also get an int8 copy (training/las/quantize.py): decoder_step, encoder; '' for none "
                         f"(default: {','.join(DEFAULT_INT8_GRAPHS)} when the calibration features exist, with a warning when not)")
    ap.add_argument("--calibration", default=DEFAULT_CALIBRATION, help="TRAINING feature shards for the int8 scales")
    args = ap.parse_args(argv)
    torch.manual_seed(args.seed)
    if args.random:
        model = LAS(PRESETS[args.config])
        norm = {"mean": [0.0] * 80, "std": [1.0] * 80}
        extra = {"note": "random weights: interface stub only, transcribes nothing"}
    else:
        if not args.checkpoint:
            ap.error("--checkpoint or --random is required")
        model = load_model(args.checkpoint)
        if args.checkpoint.endswith(".pt") and "norm" in load_checkpoint(args.checkpoint):
            norm = load_checkpoint(args.checkpoint)["norm"]
        else:
            with open(args.norm) as f:
                norm = json.load(f)
        extra = None
        if args.lm and os.path.exists(os.path.join(args.lm, "lm.json")):
            extra = bundle_lm(args.lm, args.out)
    write_bundle(model, norm, args.out, args.left, args.right, extra)
    if args.random:
        int8 = ()
    elif args.int8 is not None:
        int8 = parse_graphs(args.int8)
    elif os.path.isdir(args.calibration):
        int8 = DEFAULT_INT8_GRAPHS
    else:
        print(f"warning: no calibration features at {args.calibration} (training.las.features makes them): "
              "the bundle gets no int8 graphs and runs in float32; --int8 decoder_step makes this an error")
        int8 = ()
    if int8:
        print(json.dumps(add_int8(args.out, model, calibration_features(args.calibration, CALIBRATION_UTTERANCES), int8)))
    sizes = {n: os.path.getsize(os.path.join(args.out, n)) for n in os.listdir(args.out) if n.endswith(".onnx")}
    print(f"wrote {args.out}: {sizes}")


if __name__ == "__main__":
    main()
