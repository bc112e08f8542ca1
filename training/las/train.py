"""Train stage: joint CTC + attention (global and local-monotonic) with teacher forcing.

    python3 -m training.las.train --features training/work/features --max-minutes 60
    python3 -m training.las.train --init models/las-small ...        # warm start from a bundle
    python3 -m training.las.train --resume                           # continue work/checkpoints/last.pt
    python3 -m training.las.train --device cuda --config large ...   # on a GPU machine
"""
import argparse
import dataclasses
import csv
import json
import math
import os
import random
import signal
import time

import numpy as np
import torch

from .checkpoint import atomic_save, check_compatible, load_checkpoint, load_weights
from .config import PRESETS, model_config_from_json
from .data import SpecAugment, Utterances, collate, make_batches
from . import validate
from .features import load_split
from .model import LAS, LossWeights


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--features", default="training/work/features")
    ap.add_argument("--work", default="training/work")
    ap.add_argument("--config", default="small", choices=sorted(PRESETS))
    ap.add_argument("--dropout", type=float, help="override the preset's dropout (0 also skips its cost)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--init", help="warm start: a bundle dir (models/<name>) or a checkpoint .pt")
    ap.add_argument("--resume", action="store_true", help="continue <work>/checkpoints/last.pt with its optimiser")
    ap.add_argument("--max-minutes", type=float, default=60.0)
    ap.add_argument("--max-steps", type=int, default=10**9)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--frame-budget", type=int, default=9600, help="batch size x longest utterance, in frames")
    ap.add_argument("--ctc-weight", type=float, default=0.4)
    ap.add_argument("--clip", type=float, default=5.0)
    ap.add_argument("--curriculum", default="0:200,300:400,800:600,1500:100000",
                    help="step:max_frames pairs; utterances longer than max_frames wait")
    ap.add_argument("--left", default="4:16", help="range of local window L drawn per batch")
    ap.add_argument("--right", default="3:12", help="range of local window R drawn per batch")
    ap.add_argument("--checkpoint-minutes", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--validate-limit", type=int, default=300,
                    help="validation utterances decoded at each checkpoint (0 = none)")
    return ap.parse_args(argv)


def curriculum_limit(spec: str, step: int) -> int:
    limit = None
    for pair in spec.split(","):
        at, frames = (int(v) for v in pair.split(":"))
        if step >= at:
            limit = frames
    return limit


def lr_at(step: int, peak: float, warmup: int) -> float:
    step = max(step, 1)
    return peak * min(step / warmup, math.sqrt(warmup / step))


class Log:
    def __init__(self, work: str):
        self.work = work
        os.makedirs(os.path.join(work, "logs"), exist_ok=True)
        self.text = open(os.path.join(work, "logs", "train.log"), "a", buffering=1)
        csv_path = os.path.join(work, "logs", "train.csv")
        new = not os.path.exists(csv_path)
        self.csv = open(csv_path, "a", buffering=1, newline="")
        self.writer = csv.writer(self.csv)
        if new:
            self.writer.writerow(["step", "elapsed_s", "loss", "ctc", "ce_global", "ce_local", "grad_norm",
                                  "lr", "batch", "max_frames", "step_s", "skipped"])

    def validation(self, step: int, elapsed_s: float, res: dict):
        path = os.path.join(self.work, "logs", "validation.csv")
        new = not os.path.exists(path)
        with open(path, "a", newline="") as f:
            w = csv.writer(f)
            if new:
                w.writerow(["step", "elapsed_s"] + [f"{m}_{k}" for m in ("global", "local", "ctc") for k in ("cer", "wer")])
            w.writerow([step, round(elapsed_s, 1)] + [round(res[m][k], 4) for m in ("global", "local", "ctc") for k in ("cer", "wer")])

    def line(self, msg: str):
        stamp = time.strftime("%H:%M:%S", time.gmtime())
        self.text.write(f"{stamp} {msg}\n")
        print(f"{stamp} {msg}", flush=True)


@torch.no_grad()
def dev_losses(model, dev: Utterances, device, batches: list) -> dict:
    model.eval()
    sums, n = {}, 0
    for idx in batches:
        b = {k: v.to(device) for k, v in collate(dev, idx).items()}
        out = model(b["feats"], b["feat_lens"], b["dec_in"], b["dec_out"], b["dec_lens"], b["ctc_targets"], 10, 6)
        for k, v in out.items():
            sums[k] = sums.get(k, 0.0) + float(v)
        n += 1
    model.train()
    return {k: v / max(n, 1) for k, v in sums.items()}


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    log = Log(args.work)
    ckpt_dir = os.path.join(args.work, "checkpoints")
    os.makedirs(ckpt_dir, exist_ok=True)

    last_path = os.path.join(ckpt_dir, "last.pt")
    if args.resume:
        # keep the statistics the model has trained with, even if the features were recomputed
        norm = load_checkpoint(last_path)["norm"]
    elif args.init and os.path.isdir(args.init):
        # a warm start keeps the bundle's statistics: its weights expect that normalisation
        with open(os.path.join(args.init, "config.json")) as f:
            norm = json.load(f)["normStats"]
    else:
        # likewise a training checkpoint's (one read); otherwise the new features' statistics
        norm = load_checkpoint(args.init).get("norm") if args.init else None
        if norm is None:
            with open(os.path.join(args.features, "norm.json")) as f:
                norm = json.load(f)
    mean, std = np.array(norm["mean"]), np.array(norm["std"])
    train = Utterances(*load_split(os.path.join(args.features, "train"))[::2], mean, std)
    dev_dir = os.path.join(args.features, "dev")
    dev = Utterances(*load_split(dev_dir)[::2], mean, std) if os.path.isdir(dev_dir) else None
    dev_batches = make_batches(dev, 10**9, args.frame_budget, random.Random(0))[:8] if dev else []
    valid_dir = os.path.join(args.features, "validation")
    valid = None
    if args.validate_limit and os.path.isdir(valid_dir):
        feats, _, texts = load_split(valid_dir)
        valid = Utterances(feats[:args.validate_limit], texts[:args.validate_limit], mean, std)
    best_path = os.path.join(ckpt_dir, "best.pt")
    best_cer = load_checkpoint(best_path).get("valid_cer", float("inf")) \
        if args.resume and os.path.exists(best_path) else float("inf")

    cfg = PRESETS[args.config]
    if args.dropout is not None:
        cfg = dataclasses.replace(cfg, dropout=args.dropout)
    model = LAS(cfg).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), eps=1e-8, weight_decay=0.01)
    step, elapsed_before = 0, 0.0
    if args.resume:
        ckpt = load_checkpoint(last_path)
        check_compatible(cfg, model_config_from_json(ckpt["model_config"]), last_path)
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        step, elapsed_before = ckpt["step"], ckpt["elapsed_s"]
        log.line(f"resumed {last_path} at step {step}")
    elif args.init:
        init_cfg, state = load_weights(args.init)
        check_compatible(cfg, init_cfg, args.init)
        model.load_state_dict(state)
        log.line(f"warm start from {args.init}")
    if valid is not None and not args.resume:
        res = validate.score(model, valid)
        best_cer = (res["global"]["cer"] + res["local"]["cer"]) / 2  # best.pt must beat the start
        log.validation(step, 0.0, res)
        log.line("validation at start CER/WER % " + " ".join(
            f"{m} {res[m]['cer'] * 100:.1f}/{res[m]['wer'] * 100:.1f}" for m in ("global", "local", "ctc")))
    params = sum(p.numel() for p in model.parameters())
    log.line(f"config {args.config} {json.dumps(cfg.to_json())} params {params} train {len(train)} utts "
             f"dev {len(dev) if dev else 0} device {device} threads {args.threads}")

    weights = LossWeights(ctc=args.ctc_weight)
    augment = SpecAugment()
    left_lo, left_hi = (int(v) for v in args.left.split(":"))
    right_lo, right_hi = (int(v) for v in args.right.split(":"))
    start = time.time()
    last_ckpt = time.time()
    skipped, consecutive_bad, queue, max_frames = 0, 0, [], None

    def save(tag: str):
        nonlocal best_cer
        ckpt = {"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step,
                "elapsed_s": elapsed_before + time.time() - start, "model_config": cfg.to_json(),
                "norm": norm, "args": vars(args)}
        atomic_save(ckpt, last_path)
        log.line(f"checkpoint step {step} ({tag})")
        if valid is not None:
            t0 = time.time()
            res = validate.score(model, valid)
            cer = (res["global"]["cer"] + res["local"]["cer"]) / 2  # the product's two modes
            log.validation(step, ckpt["elapsed_s"], res)
            log.line(f"validation ({res['utterances']} utts, {time.time() - t0:.0f} s) CER/WER % " + " ".join(
                f"{m} {res[m]['cer'] * 100:.1f}/{res[m]['wer'] * 100:.1f}" for m in ("global", "local", "ctc"))
                + (" best" if cer < best_cer else ""))
            if cer < best_cer:
                best_cer = cer
                atomic_save({**ckpt, "valid_cer": cer, "validation": res}, best_path)

    stop = []  # SIGTERM/SIGINT end the run after the current step, with a final checkpoint
    previous = {sig: signal.signal(sig, lambda *_: stop.append(True)) for sig in (signal.SIGTERM, signal.SIGINT)}
    while not stop and step < args.max_steps and (time.time() - start) / 60 < args.max_minutes:
        limit = curriculum_limit(args.curriculum, step)
        if not queue or limit != max_frames:
            max_frames = limit
            queue = make_batches(train, max_frames, args.frame_budget, rng)
        idx = queue.pop()
        batch = {k: v.to(device) for k, v in collate(train, idx, augment, rng).items()}
        left, right = rng.randint(left_lo, left_hi), rng.randint(right_lo, right_hi)
        for group in opt.param_groups:
            group["lr"] = lr_at(step + 1, args.lr, args.warmup)
        t0 = time.time()
        out = model(batch["feats"], batch["feat_lens"], batch["dec_in"], batch["dec_out"], batch["dec_lens"],
                    batch["ctc_targets"], left, right, weights)
        opt.zero_grad(set_to_none=True)
        finite_loss = bool(torch.isfinite(out["loss"]))
        if finite_loss:
            out["loss"].backward()
            grad_norm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip))
        else:
            grad_norm = float("nan")
        if finite_loss and math.isfinite(grad_norm):
            opt.step()
            step += 1
            consecutive_bad = 0
        else:
            # a non-finite gradient would poison Adam's moments: skip the step, never apply it
            skipped += 1
            consecutive_bad += 1
            log.line(f"non-finite loss/grad skipped (loss {float(out['loss']):.3f}, grad {grad_norm}), total {skipped}")
            if consecutive_bad >= 20 and os.path.exists(last_path):
                ckpt = load_checkpoint(last_path)
                model.load_state_dict(ckpt["model"])
                opt.load_state_dict(ckpt["optimizer"])
                args.lr /= 2
                consecutive_bad = 0
                log.line(f"20 bad steps in a row: reloaded last good checkpoint, peak lr -> {args.lr}")
            continue
        step_s = time.time() - t0
        vals = {k: float(v) for k, v in out.items()}
        log.writer.writerow([step, round(elapsed_before + time.time() - start, 1)] +
                            [round(vals[k], 4) for k in ("loss", "ctc", "ce_global", "ce_local")] +
                            [round(grad_norm, 3), f"{opt.param_groups[0]['lr']:.2e}", len(idx), max_frames,
                             round(step_s, 2), skipped])
        if step % 25 == 0:
            log.line(f"step {step} loss {vals['loss']:.3f} ctc {vals['ctc']:.3f} ce_g {vals['ce_global']:.3f} "
                     f"ce_l {vals['ce_local']:.3f} grad {grad_norm:.2f} lr {opt.param_groups[0]['lr']:.2e} "
                     f"B {len(idx)} T {batch['feats'].shape[1]} L {left} R {right} {step_s:.2f}s skipped {skipped}")
        if time.time() - last_ckpt > args.checkpoint_minutes * 60:
            save("periodic")
            last_ckpt = time.time()
            if dev_batches:
                d = dev_losses(model, dev, device, dev_batches)
                log.line("dev " + " ".join(f"{k} {v:.3f}" for k, v in d.items()))
    for sig, handler in previous.items():
        signal.signal(sig, handler)
    save("final")
    log.line(f"done: {step} steps, {skipped} skipped, {(time.time() - start) / 60:.1f} min this run")


if __name__ == "__main__":
    main()
