"""Attention speller: one LSTM over previous tokens, content attention, MLP output.

No input feeding (the context does not go back into the LSTM), so training runs the LSTM over
the whole target in parallel and attends for all steps at once; the exported step graph runs
the very same modules one step at a time.
"""
import math
from typing import Tuple

import torch
from torch import nn

from .config import ModelConfig
from .vocab import VOCAB_SIZE

# Added to the scores of masked frames; exp() of it underflows to exactly 0 in float32.
MASK_PENALTY = 1e9


class _ContiguousBmm(torch.autograd.Function):
    """Batched matmul that hands BLAS contiguous operands in forward and backward.

    torch 1.13's CPU bmm falls back to a ~20x slower path for transposed (non-contiguous)
    operands, which autograd produces in every backward pass; measured 96 ms vs 4 ms for the
    [32, 45, 128] x [32, 128, 75] attention product.
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return torch.bmm(a.contiguous(), b.contiguous())

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad = grad.contiguous()
        return (torch.bmm(grad, b.transpose(1, 2).contiguous()),
                torch.bmm(a.transpose(1, 2).contiguous(), grad))


def _bmm(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if torch.jit.is_tracing() or torch.onnx.is_in_onnx_export() or not torch.is_grad_enabled():
        return torch.matmul(a, b)  # export and inference: a plain MatMul node
    return _ContiguousBmm.apply(a, b)


def attend(query: torch.Tensor, keys: torch.Tensor, memory: torch.Tensor, mask: torch.Tensor):
    """Scaled dot-product attention with a 0/1 float mask.

    query [B, U, A], keys [B, T, A], memory [B, T, H], mask [B, U, T] or [B, 1, T]
    -> context [B, U, H], weights [B, U, T] (exactly 0 where mask is 0; all 0 if a row is empty).
    """
    scores = _bmm(query, keys.transpose(1, 2)) / math.sqrt(query.shape[-1])  # [B, U, T]
    scores = scores + (mask - 1.0) * MASK_PENALTY
    weights = torch.softmax(scores, dim=-1) * mask
    return _bmm(weights, memory), weights


class Speller(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.embed = nn.Embedding(VOCAB_SIZE, cfg.embed)
        self.lstm = nn.LSTM(cfg.embed, cfg.dec_hidden, batch_first=True)
        self.query = nn.Linear(cfg.dec_hidden, cfg.att_dim)
        self.out = nn.Sequential(nn.Linear(cfg.dec_hidden + cfg.hidden, cfg.dec_hidden), nn.Tanh(),
                                 nn.Dropout(cfg.dropout), nn.Linear(cfg.dec_hidden, VOCAB_SIZE))

    def run_lstm(self, tokens: torch.Tensor, h: torch.Tensor = None, c: torch.Tensor = None):
        """tokens [B, U] -> states [B, U, D], (h [B, D], c [B, D])."""
        emb = self.embed(tokens)  # [B, U, E]
        state = None if h is None else (h.unsqueeze(0), c.unsqueeze(0))
        out, (hn, cn) = self.lstm(emb, state)
        return out, hn.squeeze(0), cn.squeeze(0)

    def output(self, states: torch.Tensor, keys, memory, mask):
        """states [B, U, D] -> logits [B, U, V], weights [B, U, T]."""
        context, weights = attend(self.query(states), keys, memory, mask)
        return self.out(torch.cat([states, context], dim=-1)), weights

    @torch.no_grad()
    def scores(self, states: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        """Detached attention scores [B, U, T] (what the local pointer rule reads)."""
        return torch.matmul(self.query(states), keys.transpose(1, 2))

    def step(self, token, h, c, keys, memory, mask) -> Tuple[torch.Tensor, ...]:
        """One output step, the decoder_step.onnx graph (docs/contracts.md section 4).
        token [B] int64, h/c [B, D], keys [B, W, A], memory [B, W, H], mask [B, W]
        -> logits [B, V], h_out, c_out [B, D], attn [B, W]."""
        states, h_out, c_out = self.run_lstm(token.unsqueeze(1), h, c)  # [B, 1, D]
        logits, weights = self.output(states, keys, memory, mask.unsqueeze(1))
        return logits.squeeze(1), h_out, c_out, weights.squeeze(1)


def local_pointers(scores: torch.Tensor, enc_lens: torch.Tensor, left: int, right: int) -> torch.Tensor:
    """The local-monotonic pointer of every decoder step, by the run-time rule
    (src/attention/localMonotonic.ts, docs/contracts.md section 4; cases shared with the
    TypeScript tests in test/cases/local_window.json):

    p_0 = 0; step i attends to the window [c - L, c + R] clipped to [0, T), with
    c = min(p_i, T - 1); then p_{i+1} = max(p_i, the peak of step i's attention inside its window).

    The peak inside the window is the argmax of the scores there (softmax is monotonic), so the
    loop needs only the detached scores; it is sequential over steps but costs O(B T) per step.
    scores [B, U, T] (query . key), enc_lens [B] -> pointers [B, U] (int64).
    """
    scores = scores.detach()
    batch, steps, frames_total = scores.shape
    frames = torch.arange(frames_total, device=scores.device).unsqueeze(0)  # [1, T]
    lens = enc_lens.to(scores.device).long().unsqueeze(1)  # [B, 1]
    last = (lens - 1).clamp(min=0)
    pointer = torch.zeros(batch, 1, dtype=torch.long, device=scores.device)  # [B, 1]
    out = []
    for i in range(steps):
        out.append(pointer)
        start, end = window_bounds(pointer, last, lens, left, right)
        inside = (frames >= start) & (frames < end)  # [B, T]
        peak = scores[:, i].masked_fill(~inside, float("-inf")).argmax(dim=-1, keepdim=True)  # [B, 1]
        pointer = torch.where(end > start, torch.maximum(pointer, peak), pointer)
    return torch.cat(out, dim=1)


def window_bounds(pointer, last, lens, left: int, right: int):
    """Half-open window [start, end) of a pointer, clipped to the available frames."""
    centre = torch.minimum(pointer, last)
    return (centre - left).clamp(min=0), torch.minimum(centre + right + 1, lens)


def local_window_mask(scores: torch.Tensor, frame_mask: torch.Tensor, left: int, right: int) -> torch.Tensor:
    """Training-time local-monotonic windows of all steps, by the run-time rule (local_pointers).

    scores [B, U, T] attention scores of the global pass, frame_mask [B, T] 0/1
    -> mask [B, U, T] of the frames each step may attend to.
    """
    lens = frame_mask.sum(dim=1).long()  # [B]
    pointer = local_pointers(scores, lens, left, right).unsqueeze(-1)  # [B, U, 1]
    frames = torch.arange(scores.shape[-1], device=scores.device).view(1, 1, -1)  # [1, 1, T]
    start, end = window_bounds(pointer, (lens - 1).clamp(min=0).view(-1, 1, 1), lens.view(-1, 1, 1), left, right)
    return ((frames >= start) & (frames < end)).to(frame_mask.dtype)
