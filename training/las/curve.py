"""Loss-curve summary of training/work/logs/train.csv for the model card.

    python3 -m training.las.curve [--csv training/work/logs/train.csv] [--every 500]
"""
import argparse
import csv

import numpy as np

COLUMNS = ("loss", "ctc", "ce_global", "ce_local")


def summarise(path: str, every: int) -> str:
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    by_step = {}
    for r in rows:  # a resumed run may repeat steps after its checkpoint: the later row wins
        by_step[int(r["step"])] = r
    steps = sorted(by_step)
    lines = ["| steps | elapsed min | " + " | ".join(f"{c} (mean of window)" for c in COLUMNS) + " | s/step | skipped |",
             "|---|---|" + "---|" * len(COLUMNS) + "---|---|"]
    ends = list(range(every, steps[-1] + 1, every)) + ([steps[-1]] if steps[-1] % every else [])
    for start, end in zip([0] + ends[:-1], ends):
        window = [by_step[s] for s in steps if start < s <= end]
        if not window:
            continue
        means = [np.mean([float(r[c]) for r in window]) for c in COLUMNS]
        lines.append(f"| {start + 1}-{end} | {float(window[-1]['elapsed_s']) / 60:.0f} | "
                     + " | ".join(f"{m:.3f}" for m in means)
                     + f" | {np.mean([float(r['step_s']) for r in window]):.2f} | {window[-1]['skipped']} |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--csv", default="training/work/logs/train.csv")
    ap.add_argument("--every", type=int, default=500)
    args = ap.parse_args(argv)
    print(summarise(args.csv, args.every))


if __name__ == "__main__":
    main()
