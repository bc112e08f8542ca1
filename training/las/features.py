"""Features stage: log-mel for every manifest, stored as float16 shards + normalisation stats.

    python3 -m training.las.features --corpus training/work/corpus --out training/work/features

Output per split: <out>/<split>/shard_NNNNN.npz (feats [frames, 80] float16 concatenated,
offsets [n+1], ids, texts). A shard that already exists is skipped, so the stage resumes.
<out>/norm.json holds the per-dimension mean/std over the train split (float64 sums).
"""
import argparse
import csv
import json
import os
import sys
import wave
from multiprocessing import Pool

import numpy as np

from .frontend import DEFAULT_FRONTEND, log_mel
from .text import normalize

SHARD_SIZE = 1000
SPLITS = ("train", "dev", "validation", "test", "longform")


def read_wav(path: str) -> np.ndarray:
    """16-bit PCM mono WAV at the front end's rate -> float64 samples in [-1, 1)."""
    with wave.open(path, "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise ValueError(f"{path}: need mono 16-bit PCM, got {w.getnchannels()} ch x {8 * w.getsampwidth()} bit")
        if w.getframerate() != DEFAULT_FRONTEND.sampleRate:
            raise ValueError(f"{path}: need {DEFAULT_FRONTEND.sampleRate} Hz, got {w.getframerate()}")
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return data.astype(np.float64) / 32768.0


def read_manifest(path: str) -> list:
    """Rows of a corpus manifest (header id, path, voice, duration, text, aug); paths made absolute."""
    base = os.path.dirname(os.path.abspath(path))
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    for row in rows:
        if not os.path.isabs(row["path"]):
            row["path"] = os.path.join(base, row["path"])
        row["text"] = normalize(row["text"])
    return rows


def _features(row: dict):
    return row["id"], row["text"], log_mel(read_wav(row["path"])).astype(np.float16)


def write_split(rows: list, out_dir: str, pool) -> None:
    os.makedirs(out_dir, exist_ok=True)
    for start in range(0, len(rows), SHARD_SIZE):
        target = os.path.join(out_dir, f"shard_{start // SHARD_SIZE:05d}.npz")
        if os.path.exists(target):
            continue
        results = pool.map(_features, rows[start:start + SHARD_SIZE], chunksize=16)
        lengths = [len(f) for _, _, f in results]
        tmp = target + ".tmp.npz"
        np.savez(tmp, feats=np.concatenate([f for _, _, f in results]),
                 offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
                 ids=np.array([i for i, _, _ in results]), texts=np.array([t for _, t, _ in results]))
        os.replace(tmp, target)  # atomic: a half-written shard never looks finished
        print(f"{out_dir}: {start + len(results)}/{len(rows)}", flush=True)


def load_split(split_dir: str):
    """-> (list of float16 [frames, 80] arrays, ids, texts), in manifest order."""
    feats, ids, texts = [], [], []
    for name in sorted(os.listdir(split_dir)):
        if not (name.startswith("shard_") and name.endswith(".npz")) or ".tmp" in name:
            continue
        with np.load(os.path.join(split_dir, name)) as z:
            data, offsets = z["feats"], z["offsets"]
            feats += [data[offsets[i]:offsets[i + 1]] for i in range(len(offsets) - 1)]
            ids += list(z["ids"])
            texts += list(z["texts"])
    return feats, ids, texts


def norm_stats(feats: list) -> dict:
    total = sum(len(f) for f in feats)
    s = sum(f.astype(np.float64).sum(0) for f in feats)
    sq = sum((f.astype(np.float64) ** 2).sum(0) for f in feats)
    mean = s / total
    std = np.sqrt(np.maximum(sq / total - mean ** 2, 1e-8))
    return {"mean": mean.tolist(), "std": std.tolist(), "frames": int(total)}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="training/work/corpus")
    ap.add_argument("--out", default="training/work/features")
    ap.add_argument("--splits", default=",".join(SPLITS))
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    with Pool(args.workers) as pool:
        for split in args.splits.split(","):
            manifest = os.path.join(args.corpus, f"{split}.tsv")
            if not os.path.exists(manifest):
                print(f"skip {split}: {manifest} not found", file=sys.stderr)
                continue
            write_split(read_manifest(manifest), os.path.join(args.out, split), pool)
    train_dir = os.path.join(args.out, "train")
    if os.path.isdir(train_dir):
        stats = norm_stats(load_split(train_dir)[0])
        with open(os.path.join(args.out, "norm.json"), "w") as f:
            json.dump(stats, f)
        print(f"norm stats over {stats['frames']} train frames -> {args.out}/norm.json")


if __name__ == "__main__":
    main()
