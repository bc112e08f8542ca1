"""Model invariants: causal streaming encoder, attention masks, local window, a training step."""
import random

import numpy as np
import torch

from training.las.config import PRESETS, ModelConfig, validate_model_config
from training.las.data import SpecAugment, Utterances, collate, make_batches
from training.las.decoder import attend, local_window_mask
from training.las.model import LAS
from training.las.vocab import EOS, SOS, VOCAB, VOCAB_SIZE, decode, encode

import pytest


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


def test_local_window_pointer_is_monotonic_and_shifted():
    # peaks at frames 3, 1, 6, 9 (step 2 peaks backwards) over 12 frames
    peaks = [3, 1, 6, 9]
    weights = torch.zeros(1, 4, 12)
    for i, p in enumerate(peaks):
        weights[0, i, p] = 1.0
    mask = local_window_mask(weights, torch.ones(1, 12), left=1, right=2)[0]
    expected_pointers = [0, 3, 3, 6]  # p_0 = 0, then running max of earlier peaks
    for i, p in enumerate(expected_pointers):
        allowed = torch.nonzero(mask[i]).flatten().tolist()
        assert allowed == [f for f in range(p - 1, p + 3) if 0 <= f < 12], (i, allowed)


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
