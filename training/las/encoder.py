"""Streamable causal convolutional encoder ("listener").

Every convolution is causal and reads its left context from an explicit state tensor (the last
inputs of the previous chunk; zeros at the start of an utterance). Training and the exported
graph run the same code, so whole-utterance output equals chunked output exactly as long as
chunks are multiples of 4 feature frames (each stride-2 conv sees whole stride blocks).

State layout (time-major, batch first):
  sub1   [B, 1, feat_dim]          last input frame before the first stride-2 conv
  sub2   [B, 1, H]                 last input frame before the second stride-2 conv
  blocks [B, N, kernel-1, H]       left context of every depthwise conv
"""
from typing import Dict, Tuple

import torch
from torch import nn
import torch.nn.functional as F

from .config import ModelConfig
from .vocab import VOCAB_SIZE

SUB_KERNEL = 3  # stride-2 convs of kernel 3 need kernel - stride = 1 past frame


def _causal_conv(x: torch.Tensor, state: torch.Tensor, conv: nn.Conv1d) -> Tuple[torch.Tensor, torch.Tensor]:
    """x [B, T, C], state [B, S, C] (S = kernel - stride) -> (y [B, T', C'], new state [B, S, C])."""
    s = state.shape[1]
    full = torch.cat([state, x], dim=1)  # [B, S + T, C]
    y = conv(full.transpose(1, 2)).transpose(1, 2)  # [B, T', C']
    return y, full[:, full.shape[1] - s:, :]


class ConvBlock(nn.Module):
    """LN -> causal depthwise conv -> GELU -> pointwise, residual; then LN -> FFN, residual."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        h = cfg.hidden
        self.norm1 = nn.LayerNorm(h)
        self.depthwise = nn.Conv1d(h, h, cfg.kernel, groups=h)
        self.pointwise = nn.Linear(h, h)
        self.norm2 = nn.LayerNorm(h)
        self.ffn = nn.Sequential(nn.Linear(h, h * cfg.ffn_mult), nn.GELU(), nn.Dropout(cfg.dropout),
                                 nn.Linear(h * cfg.ffn_mult, h))
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, state: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        # x [B, T, H], state [B, kernel-1, H]
        r, new_state = _causal_conv(self.norm1(x), state, self.depthwise)
        x = x + self.drop(self.pointwise(F.gelu(r)))
        x = x + self.drop(self.ffn(self.norm2(x)))
        return x, new_state


class Encoder(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        h = cfg.hidden
        self.sub1 = nn.Conv1d(cfg.feat_dim, h, SUB_KERNEL, stride=2)
        self.sub2 = nn.Conv1d(h, h, SUB_KERNEL, stride=2)
        self.blocks = nn.ModuleList(ConvBlock(cfg) for _ in range(cfg.blocks))
        self.out_norm = nn.LayerNorm(h)
        self.key_proj = nn.Linear(h, cfg.att_dim)
        self.ctc_head = nn.Linear(h, VOCAB_SIZE)

    def initial_state(self, batch: int, device=None) -> Dict[str, torch.Tensor]:
        c = self.cfg
        return {
            "sub1": torch.zeros(batch, SUB_KERNEL - 2, c.feat_dim, device=device),
            "sub2": torch.zeros(batch, SUB_KERNEL - 2, c.hidden, device=device),
            "blocks": torch.zeros(batch, c.blocks, c.kernel - 1, c.hidden, device=device),
        }

    def forward(self, feats: torch.Tensor, state: Dict[str, torch.Tensor] = None):
        """feats [B, T, 80] (T a multiple of 4) -> memory [B, T/4, H], keys [B, T/4, A],
        ctc_logits [B, T/4, 31], new state."""
        if state is None:
            state = self.initial_state(feats.shape[0], feats.device)
        x, s1 = _causal_conv(feats, state["sub1"], self.sub1)  # [B, T/2, H]
        x, s2 = _causal_conv(F.gelu(x), state["sub2"], self.sub2)  # [B, T/4, H]
        x = F.gelu(x)
        block_states = []
        for i, block in enumerate(self.blocks):
            x, s = block(x, state["blocks"][:, i])
            block_states.append(s)
        memory = self.out_norm(x)  # [B, T/4, H]
        new_state = {"sub1": s1, "sub2": s2, "blocks": torch.stack(block_states, dim=1)}
        return memory, self.key_proj(memory), self.ctc_head(memory), new_state
