"""Weight averaging: the mean of several checkpoints of one run, scored on the validation voices.

    python3 -m training.las.average --features training/work/features \
        --out training/work/checkpoints/averaged.pt  a.pt b.pt models/las-small ...

Checkpoints from the same run (or a warm start and its continuation) lie in one basin, and their
mean is often better than any of them: it cancels the step-to-step noise that a single
checkpoint carries (Polyak averaging; Izmailov et al. 2018, "Averaging weights leads to wider
optima"). The output is a training checkpoint like any other (export.py reads it), carrying the
first input's normalisation, model config and step, plus the list it averaged and its
validation score. Every input must have the same model config and normalisation: a mean of
weights trained against different feature statistics means nothing.
"""
import argparse
import json
import os

import numpy as np
import torch

from .checkpoint import atomic_save, check_compatible, load_checkpoint, load_weights
from .data import Utterances
from .features import load_split
from .model import LAS
from . import validate


def read_norm(path: str) -> dict:
    if os.path.isdir(path):
        with open(os.path.join(path, "config.json")) as f:
            return json.load(f)["normStats"]
    return load_checkpoint(path)["norm"]


def average_states(states: list) -> dict:
    """Element-wise mean of floating tensors; integer buffers (counters) are taken from the first."""
    if not states:
        raise ValueError("average_states: no checkpoints given")
    keys = set(states[0])
    for s in states[1:]:
        if set(s) != keys:
            raise ValueError("average_states: checkpoints have different parameter names")
    out = {}
    for k, v in states[0].items():
        if v.is_floating_point():
            out[k] = torch.stack([s[k].float() for s in states]).mean(0)
        else:
            out[k] = v.clone()
    return out


def average(paths: list):
    """-> (ModelConfig, averaged state_dict, norm) of the checkpoints or bundles in paths."""
    cfg, first = load_weights(paths[0])
    norm = read_norm(paths[0])
    states = [first]
    for p in paths[1:]:
        other_cfg, state = load_weights(p)
        check_compatible(cfg, other_cfg, p)
        if read_norm(p) != norm:
            raise ValueError(f"{p}: normalisation differs from {paths[0]}'s; cannot average")
        states.append(state)
    return cfg, average_states(states), norm


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoints", nargs="+", help="training checkpoints (.pt) or bundle dirs")
    ap.add_argument("--out", required=True)
    ap.add_argument("--features", default="training/work/features")
    ap.add_argument("--validate-limit", type=int, default=300)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    cfg, state, norm = average(args.checkpoints)
    model = LAS(cfg)
    model.load_state_dict(state)
    result = {"model": model.state_dict(), "model_config": cfg.to_json(), "norm": norm,
              "averaged": list(args.checkpoints), "step": 0, "elapsed_s": 0.0}
    first = args.checkpoints[0]
    if not os.path.isdir(first):
        ck = load_checkpoint(first)
        result["step"], result["elapsed_s"] = ck.get("step", 0), ck.get("elapsed_s", 0.0)
    valid_dir = os.path.join(args.features, "validation")
    if args.validate_limit and os.path.isdir(valid_dir):
        feats, _, texts = load_split(valid_dir)
        valid = Utterances(feats[:args.validate_limit], texts[:args.validate_limit],
                           np.array(norm["mean"]), np.array(norm["std"]))
        res = validate.score(model, valid)
        result["valid_cer"] = (res["global"]["cer"] + res["local"]["cer"]) / 2
        print(f"averaged {len(args.checkpoints)}: validation CER/WER % " + " ".join(
            f"{m} {res[m]['cer'] * 100:.1f}/{res[m]['wer'] * 100:.1f}" for m in ("global", "local", "ctc")), flush=True)
    atomic_save(result, args.out)


if __name__ == "__main__":
    main()
