"""The LAS model: causal conv encoder + attention speller + CTC head, with both attention modes."""
from dataclasses import dataclass

import torch
from torch import nn
import torch.nn.functional as F

from .config import ModelConfig, validate_model_config
from .decoder import Speller, local_window_mask
from .encoder import Encoder
from .vocab import BLANK


@dataclass
class LossWeights:
    ctc: float = 0.4  # lambda: CTC bootstraps the alignment the attention has to find
    label_smoothing: float = 0.1


class LAS(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = validate_model_config(cfg)
        self.encoder = Encoder(cfg)
        self.speller = Speller(cfg)

    def forward(self, feats, feat_lens, dec_in, dec_out, dec_lens, ctc_targets, left: int, right: int,
                weights: LossWeights = LossWeights()):
        """Teacher-forced losses for a padded batch.

        feats [B, T, 80] (T multiple of 4), feat_lens [B]; dec_in/dec_out [B, U] (<sos>+chars /
        chars+<eos>, padded with -1 in dec_out), dec_lens [B]; ctc_targets [B, U-1] chars.
        Returns a dict of scalar losses.
        """
        memory, keys, ctc_logits, _ = self.encoder(feats)  # [B, T', H], [B, T', A], [B, T', V]
        enc_lens = torch.div(feat_lens, 4, rounding_mode="floor")  # [B]
        t_enc = memory.shape[1]
        frame_mask = (torch.arange(t_enc, device=feats.device)[None, :] < enc_lens[:, None]).float()  # [B, T']

        log_probs = F.log_softmax(ctc_logits.float(), dim=-1).transpose(0, 1)  # [T', B, V]
        ctc = F.ctc_loss(log_probs, ctc_targets, enc_lens, dec_lens - 1, blank=BLANK,
                         reduction="sum", zero_infinity=True) / (dec_lens - 1).sum().clamp(min=1)  # per token

        states, _, _ = self.speller.run_lstm(dec_in)  # [B, U, D]
        logits_g, att_g = self.speller.output(states, keys, memory, frame_mask.unsqueeze(1))
        local_mask = local_window_mask(self.speller.scores(states, keys), frame_mask, left, right)  # [B, U, T']
        logits_l, _ = self.speller.output(states, keys, memory, local_mask)

        def ce(logits):
            return F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), dec_out.reshape(-1),
                                   ignore_index=-1, label_smoothing=weights.label_smoothing)

        ce_g, ce_l = ce(logits_g), ce(logits_l)
        total = weights.ctc * ctc + (1 - weights.ctc) * (ce_g + ce_l) / 2
        return {"loss": total, "ctc": ctc, "ce_global": ce_g, "ce_local": ce_l}
