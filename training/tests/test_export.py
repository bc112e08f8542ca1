"""ONNX export round trip of a tiny random model: PyTorch vs onnxruntime-node, whole vs chunked."""
import json
import os

import numpy as np
import pytest
import torch

from training.las.config import PRESETS
from training.las.export import DEC_IN, DEC_OUT, ENC_IN, ENC_OUT, STATE_NAMES, STEP_PARTS, run_decoder_step, write_bundle
from training.las.checkpoint import load_weights
from training.las.model import LAS
from training.las.ort import run_onnx
from training.las.vocab import VOCAB_SIZE

TOL = 1e-4


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    torch.manual_seed(3)
    model = LAS(PRESETS["tiny"]).eval()
    out = str(tmp_path_factory.mktemp("bundle"))
    norm = {"mean": list(np.linspace(-1, 1, 80)), "std": list(np.linspace(1, 2, 80))}
    write_bundle(model, norm, out)
    return model, out


def _enc_state(model):
    return {f"state_in_{k}": v.numpy() for k, v in model.encoder.initial_state(1).items()}


def test_config_names_match_graph_io(bundle):
    _, out = bundle
    cfg = json.load(open(os.path.join(out, "config.json")))
    assert [i["name"] for i in cfg["encoder"]["inputs"]] == ENC_IN
    assert [o["name"] for o in cfg["encoder"]["outputs"]] == ENC_OUT
    assert [i["name"] for i in cfg["decoder"]["inputs"]] == DEC_IN
    assert [o["name"] for o in cfg["decoder"]["outputs"]] == DEC_OUT
    assert len(cfg["vocab"]) == VOCAB_SIZE and cfg["attention"]["modes"] == ["global", "local"]
    assert len(cfg["normStats"]["mean"]) == 80 and cfg["subsampling"] == 4


def test_encoder_whole_equals_chunks_in_onnx_and_torch(bundle):
    model, out = bundle
    feats = np.random.default_rng(0).standard_normal((1, 48, 80)).astype(np.float32)
    with torch.no_grad():
        mem, keys, ctc, _ = model.encoder(torch.from_numpy(feats))
    whole = run_onnx(os.path.join(out, "encoder.onnx"), {"feats": feats, **_enc_state(model)})
    assert whole["memory"].shape == (1, 12, model.cfg.hidden)
    assert np.abs(whole["memory"] - mem.numpy()).max() < TOL
    assert np.abs(whole["keys"] - keys.numpy()).max() < TOL
    assert np.abs(whole["ctc_logits"] - ctc.numpy()).max() < TOL
    # chunks of 8, 4, 20, 16 frames with the state carried over
    state, pieces, start = _enc_state(model), [], 0
    for size in (8, 4, 20, 16):
        res = run_onnx(os.path.join(out, "encoder.onnx"), {"feats": feats[:, start:start + size], **state})
        state = {f"state_in_{n}": res[f"state_out_{n}"] for n in STATE_NAMES}
        pieces.append(res["memory"])
        start += size
    assert np.abs(np.concatenate(pieces, axis=1) - mem.numpy()).max() < TOL


def test_decoder_step_matches_torch_and_masks(bundle):
    model, out = bundle
    rng = np.random.default_rng(1)
    b, w, cfg = 3, 7, model.cfg
    inputs = {"token": np.array([1, 5, 30], dtype=np.int64),
              "h": rng.standard_normal((b, cfg.dec_hidden)).astype(np.float32),
              "c": rng.standard_normal((b, cfg.dec_hidden)).astype(np.float32),
              "keys": rng.standard_normal((b, w, cfg.att_dim)).astype(np.float32),
              "memory": rng.standard_normal((b, w, cfg.hidden)).astype(np.float32),
              "mask": (rng.random((b, w)) > 0.4).astype(np.float32)}
    inputs["mask"][:, 0] = 1
    res = run_decoder_step(os.path.join(out, "decoder_step.onnx"), inputs)
    with torch.no_grad():
        ref = model.speller.step(*(torch.from_numpy(inputs[n]) for n in DEC_IN))
    for name, r in zip(STEP_PARTS, ref):
        assert res[name].shape == tuple(r.shape)
        assert np.abs(res[name] - r.numpy()).max() < TOL, name
    assert np.all(res["attn"][inputs["mask"] == 0] == 0)
    assert np.allclose(res["attn"].sum(-1), 1, atol=1e-5)


def test_bundle_checkpoint_round_trip(bundle):
    model, out = bundle
    cfg, state = load_weights(out)
    assert cfg == model.cfg
    for name, t in model.state_dict().items():
        assert torch.allclose(state[name], t.float(), atol=1e-2), name  # stored as float16


def test_bundle_lm_copies_and_keeps_a_linked_copy(tmp_path):
    from training.las.export import bundle_lm
    lm_dir, out = tmp_path / "lm", tmp_path / "bundle"
    lm_dir.mkdir()
    (lm_dir / "lm.json").write_text(json.dumps({"file": "lm.bin", "weight": 0.3}))
    (lm_dir / "lm.bin").write_bytes(b"LM v1")
    assert bundle_lm(str(lm_dir), str(out)) == {"lm": {"file": "lm.bin", "weight": 0.3}}
    assert (out / "lm.bin").read_bytes() == b"LM v1"
    # the tree's layout: models/lm/lm.bin links to the bundle's copy; exporting into that bundle keeps it
    (lm_dir / "lm.bin").unlink()
    os.symlink(out / "lm.bin", lm_dir / "lm.bin")
    bundle_lm(str(lm_dir), str(out))
    assert (out / "lm.bin").read_bytes() == b"LM v1" and not (out / "lm.bin").is_symlink()
