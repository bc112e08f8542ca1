"""Int8 graphs (training/las/quantize.py) of a tiny random model, run through onnxruntime-node:
close to float32, every row computed on its own, and the bundle's config.json naming them."""
import json
import os

import numpy as np
import onnx
import pytest
import torch
from onnx import numpy_helper

from training.las.config import PRESETS
from training.las.export import run_decoder_step, write_bundle
from training.las.model import LAS
from training.las.ort import run_onnx
from training.las.quantize import WEIGHT_LEVELS, activation_params, add_int8, encoder_module, quantize_weights


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    torch.manual_seed(5)
    model = LAS(PRESETS["tiny"]).eval()
    out = str(tmp_path_factory.mktemp("bundle"))
    norm = {"mean": [0.0] * 80, "std": [1.0] * 80}
    write_bundle(model, norm, out)
    rng = np.random.default_rng(1)
    feats = [rng.standard_normal((n, 80)).astype(np.float32) for n in (40, 64, 96)]
    info = add_int8(out, model, feats, graphs=("encoder", "decoder_step"))
    return model, out, info


def _decoder_inputs(model, batch, width, seed):
    rng = np.random.default_rng(seed)
    cfg = model.cfg
    with torch.no_grad():
        memory, keys, _, _ = model.encoder(torch.from_numpy(rng.standard_normal((1, 4 * width, 80)).astype(np.float32)))
    h = np.tanh(rng.standard_normal((batch, cfg.dec_hidden))).astype(np.float32) * 0.9
    return {"token": rng.integers(3, 31, size=batch).astype(np.int64), "h": h,
            "c": rng.standard_normal((batch, cfg.dec_hidden)).astype(np.float32),
            "keys": np.repeat(keys.numpy(), batch, 0), "memory": np.repeat(memory.numpy(), batch, 0),
            "mask": np.ones((batch, width), np.float32)}


def test_weights_quantize_to_seven_bits_per_column():
    w = np.array([[0.5, -2.0, 0.0], [-0.25, 1.0, 0.0]], np.float32)
    q, scale = quantize_weights(w)
    assert q.dtype == np.int8 and np.abs(q).max() == WEIGHT_LEVELS == 63
    assert np.allclose(scale, [0.5 / 63, 2.0 / 63, 1.0])  # an all-zero column keeps scale 1
    assert np.abs(q * scale - w).max() <= scale.max() / 2 + 1e-7


def test_activation_range_keeps_zero_exact():
    scale, zero = activation_params(-1.0, 1.0)
    assert zero == 128 and abs(scale * 255 - 2.0) < 1e-6
    scale, zero = activation_params(0.5, 4.0)  # the range always covers 0
    assert zero == 0 and abs(scale * 255 - 4.0) < 1e-6


def test_encoder_scope_names_map_to_modules():
    class Node:
        def __init__(self, name):
            self.name = name
    assert encoder_module(Node("/encoder/blocks.0/ffn/ffn.0/MatMul")) == "blocks.0.ffn.0"
    assert encoder_module(Node("/encoder/key_proj/MatMul")) == "key_proj"
    with pytest.raises(ValueError):
        encoder_module(Node("/MatMul_3"))


def test_config_names_the_int8_graphs(bundle):
    _, out, info = bundle
    cfg = json.load(open(os.path.join(out, "config.json")))
    assert cfg["encoder"]["int8File"] == "encoder.int8.onnx" and cfg["decoder"]["int8File"] == "decoder_step.int8.onnx"
    assert cfg["int8"]["calibration"]["split"] == "train" and info["decoder_step"]["matmuls"] == 5
    graph = onnx.load(os.path.join(out, "decoder_step.int8.onnx")).graph
    ops = [n.op_type for n in graph.node]
    assert ops.count("MatMulIntegerToFloat") == 5 and "MatMul" in ops  # the attention's two MatMuls stay float
    weights = [numpy_helper.to_array(i) for i in graph.initializer if i.name.endswith("_i8")]
    assert len(weights) == 5 and all(w.dtype == np.int8 and np.abs(w).max() <= WEIGHT_LEVELS for w in weights)


def test_int8_decoder_is_close_to_float32(bundle):
    model, out, _ = bundle
    inputs = _decoder_inputs(model, 4, 12, seed=2)
    ref = run_decoder_step(os.path.join(out, "decoder_step.onnx"), inputs)
    got = run_decoder_step(os.path.join(out, "decoder_step.int8.onnx"), inputs)
    for name in ("logits", "h_out", "c_out", "attn"):
        err = np.abs(got[name] - ref[name]).max()
        assert 0 < err < 0.05 * max(1.0, np.abs(ref[name]).max()), (name, err)  # changed, but a little
    assert (got["logits"].argmax(1) == ref["logits"].argmax(1)).mean() >= 0.75


def test_int8_rows_do_not_depend_on_the_rest_of_the_batch(bundle):
    # fixed activation scales: a hypothesis's result is the same alone or among others, to the bit
    model, out, _ = bundle
    batch = _decoder_inputs(model, 3, 10, seed=3)
    together = run_decoder_step(os.path.join(out, "decoder_step.int8.onnx"), batch)
    for b in range(3):
        alone = run_decoder_step(os.path.join(out, "decoder_step.int8.onnx"), {k: v[b:b + 1] for k, v in batch.items()})
        for name in ("logits", "h_out", "c_out"):
            assert np.array_equal(alone[name][0], together[name][b]), (name, b)


def test_int8_encoder_chunks_equal_the_whole(bundle):
    model, out, _ = bundle
    feats = np.random.default_rng(4).standard_normal((1, 48, 80)).astype(np.float32)
    state = {f"state_in_{k}": v.numpy() for k, v in model.encoder.initial_state(1).items()}
    path = os.path.join(out, "encoder.int8.onnx")
    whole = run_onnx(path, {"feats": feats, **state})
    ref = run_onnx(os.path.join(out, "encoder.onnx"), {"feats": feats, **state})
    assert 0 < np.abs(whole["memory"] - ref["memory"]).max() < 0.1 * np.abs(ref["memory"]).max()
    pieces, start = [], 0
    for size in (8, 24, 16):
        res = run_onnx(path, {"feats": feats[:, start:start + size], **state})
        state = {k.replace("out", "in"): v for k, v in res.items() if k.startswith("state_out_")}
        pieces.append(res["memory"])
        start += size
    assert np.abs(np.concatenate(pieces, 1) - whole["memory"]).max() < 1e-5


def test_a_graph_left_out_loses_its_int8_copy(bundle, tmp_path):
    model, out, _ = bundle
    import shutil
    copy = str(tmp_path / "b")
    shutil.copytree(out, copy)
    add_int8(copy, model, [np.zeros((32, 80), np.float32)], graphs=("decoder_step",))
    cfg = json.load(open(os.path.join(copy, "config.json")))
    assert "int8File" not in cfg["encoder"] and cfg["decoder"]["int8File"] == "decoder_step.int8.onnx"
    assert not os.path.exists(os.path.join(copy, "encoder.int8.onnx"))
    with pytest.raises(ValueError):
        add_int8(copy, model, [np.zeros((32, 80), np.float32)], graphs=("joiner",))
