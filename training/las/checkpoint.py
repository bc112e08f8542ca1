"""Checkpoints: atomic training checkpoints and size-capped weight files for bundles."""
import glob
import inspect
import json
import os

import torch

from .config import ModelConfig, model_config_from_json

BUNDLE_PART_BYTES = 16 * 1024 * 1024  # each bundle checkpoint file stays <= 16 MB


# torch >= 2.6 loads with weights_only=True by default; these files are the recipe's own, and
# a training checkpoint holds non-tensor entries (args, norm, validation results) that the
# restricted unpickler of some versions refuses (torch 1.13's refuses a float). torch 1.13
# already has the argument, so the full unpickler is asked for explicitly on both.
_FULL_UNPICKLER = {"weights_only": False} if "weights_only" in inspect.signature(torch.load).parameters else {}


def load_checkpoint(path: str):
    """torch.load of a checkpoint or bundle part written by this recipe, onto the CPU."""
    return torch.load(path, map_location="cpu", **_FULL_UNPICKLER)


def atomic_save(obj, path: str) -> None:
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)  # readers never see a half-written file


def save_bundle_weights(model, out_dir: str, half: bool = True) -> list:
    """Write model weights as checkpoint/part_NN.pt (each <= 16 MB) + checkpoint/model.json."""
    ckpt_dir = os.path.join(out_dir, "checkpoint")
    os.makedirs(ckpt_dir, exist_ok=True)
    for old in glob.glob(os.path.join(ckpt_dir, "part_*.pt")):
        os.remove(old)
    parts, current, size = [], {}, 0
    for name, tensor in model.state_dict().items():
        t = tensor.detach().cpu()
        if half and t.is_floating_point():
            t = t.half()
        nbytes = t.numel() * t.element_size()
        if current and size + nbytes > BUNDLE_PART_BYTES - 1024 * 1024:  # room for pickle overhead
            parts.append(current)
            current, size = {}, 0
        current[name] = t.clone()
        size += nbytes
    parts.append(current)
    files = []
    for i, part in enumerate(parts):
        path = os.path.join(ckpt_dir, f"part_{i:02d}.pt")
        atomic_save(part, path)
        files.append(path)
    with open(os.path.join(ckpt_dir, "model.json"), "w") as f:
        json.dump({"model": model.cfg.to_json(), "parts": len(parts), "dtype": "float16" if half else "float32"}, f, indent=1)
    return files


def load_weights(path: str):
    """A training checkpoint file (.pt) or a bundle (dir with checkpoint/) -> (ModelConfig, state_dict)."""
    if os.path.isdir(path):
        ckpt_dir = path if os.path.exists(os.path.join(path, "model.json")) else os.path.join(path, "checkpoint")
        meta_path = os.path.join(ckpt_dir, "model.json")
        if not os.path.exists(meta_path):
            raise FileNotFoundError(f"{path}: no checkpoint/model.json (not a bundle checkpoint)")
        with open(meta_path) as f:
            meta = json.load(f)
        state = {}
        for i in range(meta["parts"]):
            state.update(load_checkpoint(os.path.join(ckpt_dir, f"part_{i:02d}.pt")))
        return model_config_from_json(meta["model"]), {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: checkpoint not found")
    ckpt = load_checkpoint(path)
    return model_config_from_json(ckpt["model_config"]), ckpt["model"]


def load_model(path: str):
    """load_weights(path) as an LAS in eval mode."""
    from .model import LAS  # here, not at the top: model.py is the heavier import, needed only for this
    cfg, state = load_weights(path)
    model = LAS(cfg)
    model.load_state_dict(state)
    return model.eval()


def check_compatible(expected: ModelConfig, found: ModelConfig, source: str) -> None:
    a, b = expected.to_json(), found.to_json()
    diff = {k: (a[k], b.get(k)) for k in a if k != "dropout" and a[k] != b.get(k)}
    if diff:
        raise ValueError(f"{source}: model config mismatch (wanted, found): {diff}; "
                         f"pick the matching --config or train from scratch")
