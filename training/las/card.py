"""Writes models/<name>/MODEL_CARD.md from the measured artefacts: the checkpoint (steps, wall
time), the loss curve (train.csv), dev losses (train.log) and the evaluation table.

    python3 -m training.las.card --bundle models/las-small --checkpoint training/work/checkpoints/last.pt \
        --eval training/work/eval/table.md --notes notes.md
"""
import argparse
import json
import os
import re

import torch

from .curve import summarise


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--checkpoint", default="training/work/checkpoints/last.pt")
    ap.add_argument("--csv", default="training/work/logs/train.csv")
    ap.add_argument("--log", default="training/work/logs/train.log")
    ap.add_argument("--eval", default="training/work/eval/table.md")
    ap.add_argument("--notes", help="markdown with the hand-written parts (data, findings)")
    ap.add_argument("--every", type=int, default=1000)
    args = ap.parse_args(argv)
    ckpt = torch.load(args.checkpoint, map_location="cpu")
    config = json.load(open(os.path.join(args.bundle, "config.json")))
    params = sum(t.numel() for t in ckpt["model"].values() if t.is_floating_point())
    dev_lines = [l.strip() for l in open(args.log) if re.match(r"^\d\d:\d\d:\d\d dev ", l)]
    sizes = {f: os.path.getsize(os.path.join(args.bundle, f)) for f in ("encoder.onnx", "decoder_step.onnx")}
    ckpt_dir = os.path.join(args.bundle, "checkpoint")
    ckpt_bytes = sum(os.path.getsize(os.path.join(ckpt_dir, f)) for f in os.listdir(ckpt_dir))
    parts = [
        f"# Model card: {os.path.basename(os.path.abspath(args.bundle))}\n",
        open(args.notes).read().strip() + "\n" if args.notes else "",
        "## Training run (measured)\n",
        f"- Model: `{json.dumps(config['model'])}`, {params:,} parameters.",
        f"- Steps: {ckpt['step']} optimiser steps in {ckpt['elapsed_s'] / 60:.1f} min of wall time "
        f"({ckpt['step'] / ckpt['elapsed_s']:.2f} steps/s), CPU, 2 threads, frame budget "
        f"{ckpt['args']['frame_budget']} frames per batch.",
        f"- Local window default: L = {config['attention']['left']}, R = {config['attention']['right']} encoder frames.",
        f"- Files: encoder.onnx {sizes['encoder.onnx'] / 1e6:.1f} MB, decoder_step.onnx "
        f"{sizes['decoder_step.onnx'] / 1e6:.1f} MB, checkpoint/ {ckpt_bytes / 1e6:.1f} MB (float16 weights).\n",
        "### Loss curve (train.csv; per-token CTC, cross-entropy with label smoothing 0.1)\n",
        summarise(args.csv, args.every) + "\n",
        "### Dev losses at each checkpoint (teacher forced, 8 batches of dev)\n",
        "```\n" + "\n".join(dev_lines[-12:]) + "\n```\n",
        "## Evaluation (greedy decoding through onnxruntime-node, `training/tools/eval_onnx.ts`)\n",
        "WER / CER in % (pooled over the set); exact = whole utterance right. Greedy CTC is the "
        "encoder's CTC head decoded alone, a diagnostic: the toolkit decodes with attention.\n",
        open(args.eval).read() if os.path.exists(args.eval) else "(not run)\n",
    ]
    with open(os.path.join(args.bundle, "MODEL_CARD.md"), "w") as f:
        f.write("\n".join(parts))
    print(f"wrote {args.bundle}/MODEL_CARD.md")


if __name__ == "__main__":
    main()
