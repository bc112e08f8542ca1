"""Batching for training: normalisation, length curriculum, frame-budget buckets, SpecAugment."""
from dataclasses import dataclass
import random

import numpy as np
import torch

from .vocab import EOS, SOS, encode

SUBSAMPLING = 4


@dataclass(frozen=True)
class SpecAugment:
    freq_masks: int = 2
    freq_width: int = 10  # of 80 mel bins
    time_masks: int = 2
    time_width: int = 20  # frames, and at most time_fraction of the utterance
    time_fraction: float = 0.1

    def apply(self, x: np.ndarray, rng: random.Random) -> np.ndarray:
        """x [T, 80] normalised (0 = mean) -> masked copy."""
        x = x.copy()
        t, d = x.shape
        for _ in range(self.freq_masks):
            w = rng.randint(0, self.freq_width)
            f0 = rng.randint(0, d - w)
            x[:, f0:f0 + w] = 0.0
        max_w = min(self.time_width, int(t * self.time_fraction))
        for _ in range(self.time_masks):
            w = rng.randint(0, max_w) if max_w > 0 else 0
            t0 = rng.randint(0, t - w)
            x[t0:t0 + w] = 0.0
        return x


class Utterances:
    """In-memory features (float16 [frames, 80]) with their token ids, sorted by length."""

    def __init__(self, feats: list, texts: list, mean: np.ndarray, std: np.ndarray, min_frames: int = 8):
        keep = [i for i, (f, t) in enumerate(zip(feats, texts)) if len(f) >= min_frames and t]
        keep.sort(key=lambda i: len(feats[i]))
        self.feats = [feats[i] for i in keep]
        self.tokens = [encode(texts[i]) for i in keep]
        self.texts = [texts[i] for i in keep]
        self.lengths = np.array([len(f) for f in self.feats])
        self.mean = mean.astype(np.float32)
        self.std = std.astype(np.float32)

    def __len__(self):
        return len(self.feats)

    def normalised(self, i: int) -> np.ndarray:
        return (self.feats[i].astype(np.float32) - self.mean) / self.std


def make_batches(data: Utterances, max_frames: int, frame_budget: int, rng: random.Random,
                 max_batch: int = 128) -> list:
    """Index lists of utterances no longer than max_frames, grouped by similar length so that
    batch_size * longest <= frame_budget; shuffled batch order."""
    eligible = np.nonzero(data.lengths <= max_frames)[0]  # already sorted by length
    batches, current = [], []
    for i in eligible:
        if current and (len(current) + 1) * data.lengths[i] > frame_budget or len(current) >= max_batch:
            batches.append(current)
            current = []
        current.append(int(i))
    if current:
        batches.append(current)
    rng.shuffle(batches)
    return batches


def collate(data: Utterances, idx: list, augment: SpecAugment = None, rng: random.Random = None) -> dict:
    """-> padded tensors for LAS.forward: feats [B, T, 80] (T a multiple of 4), feat_lens [B],
    dec_in / dec_out [B, U] (dec_out padded with -1), dec_lens [B], ctc_targets [B, U - 1]."""
    xs = [data.normalised(i) for i in idx]
    if augment is not None:
        xs = [augment.apply(x, rng) for x in xs]
    # whole 4-frame blocks only, as the encoder sees them at run time
    lens = [len(x) // SUBSAMPLING * SUBSAMPLING for x in xs]
    t = max(lens)
    feats = np.zeros((len(xs), t, xs[0].shape[1]), dtype=np.float32)
    for b, (x, n) in enumerate(zip(xs, lens)):
        feats[b, :n] = x[:n]
    toks = [data.tokens[i] for i in idx]
    u = max(len(k) for k in toks) + 1
    dec_in = np.full((len(idx), u), EOS, dtype=np.int64)
    dec_out = np.full((len(idx), u), -1, dtype=np.int64)
    ctc = np.zeros((len(idx), u - 1), dtype=np.int64)
    for b, k in enumerate(toks):
        dec_in[b, :len(k) + 1] = [SOS] + k
        dec_out[b, :len(k) + 1] = k + [EOS]
        ctc[b, :len(k)] = k
    return {"feats": torch.from_numpy(feats), "feat_lens": torch.tensor(lens),
            "dec_in": torch.from_numpy(dec_in), "dec_out": torch.from_numpy(dec_out),
            "dec_lens": torch.tensor([len(k) + 1 for k in toks]), "ctc_targets": torch.from_numpy(ctc)}
