"""Model invariants: causal streaming encoder, attention masks, local window, a training step."""
import json
import os
import random

import numpy as np
import pytest
import torch

from training.las.config import PRESETS, ModelConfig, validate_model_config
from training.las.data import SpecAugment, Utterances, collate, make_batches
from training.las.decoder import attend, local_pointers, local_window_mask
from training.las.model import LAS
from training.las.vocab import EOS, SOS, VOCAB, VOCAB_SIZE, decode, encode


def _model(seed=0):
    torch.manual_seed(seed)
    return LAS(PRESETS["tiny"]).eval()


def test_vocab_matches_contract():
    assert VOCAB_SIZE == 31 and VOCAB[:5] == ["<blank>", "<sos>", "<eos>", " ", "'"] and VOCAB[5] == "a"
    assert decode(encode("it's a test") + [EOS, 7]) == "it's a test"
    with pytest.raises(ValueError, match="outside the vocabulary"):
        encode("Hello")


def test_encoder_chunked_equals_whole_in_torch():
    model = _model()
    feats = torch.randn(2, 64, 80)
    with torch.no_grad():
        whole = model.encoder(feats)
        state, parts = None, []
        for a, b in ((0, 4), (4, 28), (28, 32), (32, 64)):
            out = model.encoder(feats[:, a:b], state)
            state = out[3]
            parts.append(out[0])
    assert torch.allclose(torch.cat(parts, 1), whole[0], atol=1e-5)


def test_encoder_is_causal():
    model = _model()
    feats = torch.randn(1, 40, 80)
    changed = feats.clone()
    changed[:, 24:] += 5.0  # frames 24.. belong to encoder frames 6..
    with torch.no_grad():
        a, b = model.encoder(feats)[0], model.encoder(changed)[0]
    assert torch.allclose(a[:, :6], b[:, :6], atol=1e-6)
    assert not torch.allclose(a[:, 6:], b[:, 6:])


def test_attend_respects_mask_and_empty_rows():
    q, k, m = torch.randn(2, 3, 8), torch.randn(2, 5, 8), torch.randn(2, 5, 4)
    mask = torch.tensor([[1, 1, 0, 0, 1], [0, 0, 0, 0, 0]], dtype=torch.float32).unsqueeze(1)
    _, w = attend(q, k, m, mask)
    assert torch.all(w[0][:, 2:4] == 0) and torch.allclose(w[0].sum(-1), torch.ones(3))
    assert torch.all(w[1] == 0)  # nothing to attend: zero weights, not NaN


LOCAL_CASES = json.load(open(os.path.join(os.path.dirname(__file__), "..", "..", "test", "cases", "local_window.json")))["cases"]


@pytest.mark.parametrize("case", LOCAL_CASES, ids=[c["name"] for c in LOCAL_CASES])
def test_local_window_rule_matches_shared_cases(case):
    """Training's window rule is the run-time rule: the same file is checked by vitest."""
    scores = torch.tensor([case["scores"]], dtype=torch.float32)  # [1, U, T]
    frames = case["frames"]
    pointers = local_pointers(scores, torch.tensor([frames]), case["left"], case["right"])[0]
    assert pointers.tolist() == case["pointers"]
    mask = local_window_mask(scores, torch.ones(1, frames), case["left"], case["right"])[0]
    for step, (start, end) in enumerate(case["windows"]):
        assert torch.nonzero(mask[step]).flatten().tolist() == list(range(start, end)), step


def test_local_window_respects_each_utterance_length():
    # the second utterance has 5 of 12 frames: its windows never reach the padding
    scores = torch.zeros(2, 6, 12)
    scores[:, :, 11] = 5.0  # a peak in the padding of utterance 1 must be ignored there
    frame_mask = torch.ones(2, 12)
    frame_mask[1, 5:] = 0
    mask = local_window_mask(scores, frame_mask, left=2, right=3)
    assert mask[1, :, 5:].sum() == 0 and torch.all(mask[1].sum(-1) > 0)
    assert local_pointers(scores, torch.tensor([12, 5]), 2, 3)[1].max() <= 4


def test_training_step_reduces_loss_on_fixed_batch():
    torch.manual_seed(0)
    model = LAS(PRESETS["tiny"])
    rng = np.random.default_rng(0)
    feats = [rng.standard_normal((60 + 8 * i, 80)).astype(np.float16) for i in range(6)]
    texts = ["a cat", "the dog", "it's", "hello", "an owl", "sun"]
    data = Utterances(feats, texts, np.zeros(80), np.ones(80))
    batch = collate(data, list(range(6)))
    assert batch["feats"].shape[1] % 4 == 0 and batch["dec_in"][0, 0] == SOS
    opt = torch.optim.Adam(model.parameters(), 3e-3)
    losses = []
    for _ in range(30):
        out = model(batch["feats"], batch["feat_lens"], batch["dec_in"], batch["dec_out"], batch["dec_lens"],
                    batch["ctc_targets"], 4, 3)
        opt.zero_grad()
        out["loss"].backward()
        opt.step()
        losses.append(float(out["loss"]))
    assert all(np.isfinite(losses)) and losses[-1] < 0.7 * losses[0]


def test_batches_respect_frame_budget_and_curriculum():
    lengths = [10, 20, 30, 40, 50, 60, 70, 80]
    data = Utterances([np.zeros((n, 80), np.float16) for n in lengths], ["a"] * 8, np.zeros(80), np.ones(80))
    batches = make_batches(data, 60, 100, random.Random(0))
    used = sorted(i for b in batches for i in b)
    assert used == [0, 1, 2, 3, 4, 5]  # 70 and 80 frames wait for a later curriculum stage
    assert all(len(b) * max(data.lengths[i] for i in b) <= 100 for b in batches)


def test_specaugment_masks_some_values():
    x = np.ones((200, 80), np.float32)
    y = SpecAugment(freq_width=10, time_width=20).apply(x, random.Random(5))
    assert y.shape == x.shape and 0 < (y == 0).sum() < x.size * 0.5 and np.all(x == 1)


def test_config_validation():
    with pytest.raises(ValueError, match="kernel"):
        validate_model_config(ModelConfig(kernel=1))
    with pytest.raises(ValueError, match="dropout"):
        validate_model_config(ModelConfig(dropout=1.5))
