"""Weight averaging: the mean is element-wise, refuses mixed configs or statistics, and exports."""
import dataclasses
import json

import pytest
import torch

from training.las import average, export
from training.las.checkpoint import atomic_save, load_weights
from training.las.config import PRESETS
from training.las.model import LAS


def _checkpoint(path, seed, norm=None, cfg=PRESETS["tiny"]):
    torch.manual_seed(seed)
    model = LAS(cfg)
    atomic_save({"model": model.state_dict(), "model_config": cfg.to_json(), "step": seed, "elapsed_s": 1.0,
                 "norm": norm or {"mean": [0.0] * 80, "std": [1.0] * 80}}, str(path))
    return model.state_dict()


def test_mean_is_elementwise_and_exports(tmp_path):
    a = _checkpoint(tmp_path / "a.pt", 1)
    b = _checkpoint(tmp_path / "b.pt", 2)
    c = _checkpoint(tmp_path / "c.pt", 3)
    out = tmp_path / "avg.pt"
    average.main([str(tmp_path / n) for n in ("a.pt", "b.pt", "c.pt")] + ["--out", str(out), "--validate-limit", "0",
                                                                          "--threads", "1"])
    _, state = load_weights(str(out))
    for k, v in state.items():
        if v.is_floating_point():
            assert torch.allclose(v, (a[k] + b[k] + c[k]) / 3, atol=1e-6), k
    assert any(not torch.equal(state[k], a[k]) for k in state if state[k].is_floating_point())
    bundle = tmp_path / "bundle"
    export.main(["--checkpoint", str(out), "--out", str(bundle), "--calibration", str(tmp_path / "no-features")])
    cfg, _ = load_weights(str(bundle))
    assert cfg == PRESETS["tiny"]
    # without calibration features the bundle is float32 only (a warning says so) ...
    assert "int8File" not in json.load(open(bundle / "config.json"))["decoder"]
    # ... unless int8 is asked for by name, which then fails
    with pytest.raises(FileNotFoundError, match="no-features"):
        export.main(["--checkpoint", str(out), "--out", str(tmp_path / "b2"), "--calibration", str(tmp_path / "no-features"),
                     "--int8", "decoder_step"])


def test_refuses_different_norm_or_config(tmp_path):
    _checkpoint(tmp_path / "a.pt", 1)
    _checkpoint(tmp_path / "b.pt", 2, norm={"mean": [1.0] * 80, "std": [1.0] * 80})
    with pytest.raises(ValueError, match="normalisation differs"):
        average.average([str(tmp_path / "a.pt"), str(tmp_path / "b.pt")])
    _checkpoint(tmp_path / "c.pt", 3, cfg=dataclasses.replace(PRESETS["tiny"], hidden=PRESETS["tiny"].hidden * 2))
    with pytest.raises(ValueError, match="mismatch"):
        average.average([str(tmp_path / "a.pt"), str(tmp_path / "c.pt")])
    with pytest.raises(ValueError, match="no checkpoints"):
        average.average_states([])
