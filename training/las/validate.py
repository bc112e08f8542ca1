"""Validation scoring during training: greedy decoding in PyTorch by the product's rules.

The product decodes through ONNX (src/decoding); this is the same greedy search on the same
modules, batched, so a training run can score every checkpoint on the validation voices
(held out of training) and keep the best one. The bundle itself is judged through ONNX
afterwards (training/tools/eval_onnx.ts). Rules mirrored from src/decoding:
- banned tokens <blank> and <sos>; a hypothesis ends at <eos>;
- output cap ceil(frames * 1) + 10 tokens (DEFAULT_DECODING_OPTIONS);
- local mode: the window rule of decoder.local_pointers, one step at a time.
"""
import math

import torch

from .data import collate
from .decoder import window_bounds
from .vocab import BLANK, EOS, SOS, decode

MAX_TOKENS_PER_FRAME = 1.0
MAX_LENGTH_SLACK = 10


def edit_distance(a, b) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


def error_rates(pairs) -> dict:
    """[(reference, hypothesis)] -> pooled CER and WER."""
    chars = sum(edit_distance(r, h) for r, h in pairs) / max(sum(len(r) for r, _ in pairs), 1)
    words = sum(edit_distance(r.split(), h.split()) for r, h in pairs) / max(sum(len(r.split()) for r, _ in pairs), 1)
    return {"cer": chars, "wer": words}


def ctc_greedy(ctc_logits: torch.Tensor, enc_lens: torch.Tensor) -> list:
    best = ctc_logits.argmax(-1).cpu()  # [B, T]
    out = []
    for b in range(best.shape[0]):
        ids, prev = [], BLANK
        for t in best[b, :int(enc_lens[b])].tolist():
            if t != prev and t != BLANK:
                ids.append(t)
            prev = t
        out.append(decode(ids))
    return out


def attention_greedy(model, memory, keys, enc_lens, mode: str, left: int, right: int, trace: list = None) -> list:
    """Batched greedy attention decoding. memory [B, T, H], keys [B, T, A], enc_lens [B].
    trace: if a list, each step's pointers [B] (local mode) are appended to it."""
    batch, frames_total = memory.shape[:2]
    device = memory.device
    speller = model.speller
    frames = torch.arange(frames_total, device=device).unsqueeze(0)  # [1, T]
    lens = enc_lens.to(device).long().unsqueeze(1)  # [B, 1]
    valid = frames < lens  # [B, T]
    pointer = torch.zeros(batch, 1, dtype=torch.long, device=device)
    h = torch.zeros(batch, speller.lstm.hidden_size, device=device)
    c = torch.zeros_like(h)
    token = torch.full((batch,), SOS, dtype=torch.long, device=device)
    done = torch.zeros(batch, dtype=torch.bool)
    caps = torch.tensor([math.ceil(int(n) * MAX_TOKENS_PER_FRAME) + MAX_LENGTH_SLACK for n in enc_lens])
    out = [[] for _ in range(batch)]
    for step in range(int(caps.max())):
        if trace is not None:
            trace.append(pointer.squeeze(1).clone())
        if mode == "local":
            start, end = window_bounds(pointer, (lens - 1).clamp(min=0), lens, left, right)
            mask = (frames >= start) & (frames < end)
        else:
            mask = valid
        logits, h, c, weights = speller.step(token, h, c, keys, memory, mask.float())
        logits[:, BLANK] = float("-inf")
        logits[:, SOS] = float("-inf")
        token = logits.argmax(-1)
        if mode == "local":
            peak = weights.argmax(-1, keepdim=True)
            pointer = torch.maximum(pointer, peak)
        chosen = token.tolist()  # one device-to-host copy per step
        for b in range(batch):
            if not done[b]:
                if chosen[b] == EOS or step >= int(caps[b]):
                    done[b] = True
                else:
                    out[b].append(chosen[b])
        if bool(done.all()):
            break
    return [decode(ids) for ids in out]


@torch.no_grad()
def score(model, data, batch_size: int = 48, left: int = 10, right: int = 6) -> dict:
    """Greedy CER/WER of ctc, global and local decoding over an Utterances set."""
    was_training = model.training
    model.eval()
    refs, hyps = [], {"ctc": [], "global": [], "local": []}
    order = list(range(len(data)))
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        b = collate(data, idx)
        memory, keys, ctc_logits, _ = model.encoder(b["feats"].to(next(model.parameters()).device))
        enc_lens = torch.div(b["feat_lens"], 4, rounding_mode="floor")
        refs += [data.texts[i] for i in idx]
        hyps["ctc"] += ctc_greedy(ctc_logits, enc_lens)
        for mode in ("global", "local"):
            hyps[mode] += attention_greedy(model, memory, keys, enc_lens, mode, left, right)
    model.train(was_training)
    result = {mode: error_rates(list(zip(refs, h))) for mode, h in hyps.items()}
    result["utterances"] = len(refs)
    return result
