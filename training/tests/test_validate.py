"""Validation decoding: the greedy search by the product's rules, and one local-window rule."""
import numpy as np
import torch

from training.las.config import PRESETS
from training.las.data import Utterances, collate
from training.las.decoder import local_pointers
from training.las.model import LAS
from training.las.validate import attention_greedy, edit_distance, error_rates, score
from training.las.vocab import SOS, encode


def _data(n=5, seed=0):
    rng = np.random.default_rng(seed)
    feats = [rng.standard_normal((48 + 16 * i, 80)).astype(np.float16) for i in range(n)]
    texts = ["a cat", "the dog ran", "it's", "hello there", "an owl"][:n]
    return Utterances(feats, texts, np.zeros(80), np.ones(80))


def test_edit_distance_and_rates():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance([], ["a"]) == 1
    rates = error_rates([("the cat", "the hat"), ("a b", "")])
    assert rates["cer"] == (1 + 3) / (7 + 3)
    assert rates["wer"] == (1 + 2) / (2 + 2)


def test_greedy_local_pointer_is_the_training_rule():
    """Run-time greedy decoding and the teacher-forced training pass, given the same tokens,
    put the local window in the same places: the model issue's train/run-time agreement."""
    torch.manual_seed(3)
    model = LAS(PRESETS["tiny"]).eval()
    data = _data()
    b = collate(data, list(range(len(data))))
    with torch.no_grad():
        memory, keys, _, _ = model.encoder(b["feats"])
        enc_lens = torch.div(b["feat_lens"], 4, rounding_mode="floor")
        trace = []
        hyps = attention_greedy(model, memory, keys, enc_lens, "local", 2, 3, trace)
        run_time = torch.stack(trace, dim=1)  # [B, steps]
        for i, hyp in enumerate(hyps):
            tokens = torch.tensor([[SOS] + encode(hyp)])
            states, _, _ = model.speller.run_lstm(tokens)
            scores = model.speller.scores(states, keys[i:i + 1, :int(enc_lens[i])])
            trained = local_pointers(scores, enc_lens[i:i + 1], 2, 3)[0]
            steps = min(len(hyp) + 1, run_time.shape[1])  # a hypothesis at the cap has no <eos> step
            assert trained[:steps].tolist() == run_time[i, :steps].tolist(), i
    assert any(r.max() > 0 for r in run_time)  # the pointer moved: the comparison is not vacuous


def test_score_reports_every_mode():
    torch.manual_seed(0)
    res = score(LAS(PRESETS["tiny"]), _data(), batch_size=2, left=2, right=3)
    assert res["utterances"] == 5
    for mode in ("ctc", "global", "local"):
        assert res[mode]["cer"] > 0.5  # an untrained model is far from the references
