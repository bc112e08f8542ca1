"""Corpus invariants: held-out text and reserved voices stay out of training; a tiny build works."""
import dataclasses
import random
import shutil
import wave

import numpy as np
import pytest

from training.corpus import domain_text
from training.corpus.augment import describe, plan_augmentation, render
from training.corpus import plan
from training.corpus.plan import CorpusOptions, dev_plan, text_splits, train_plan, validate_options
from training.corpus.synth import RESERVED, Voice, training_voice
from training.corpus.wavio import write_wav
from training.corpus.text_sources import clean_quotes, is_speakable
from training.las.text import normalize

OPTS = CorpusOptions(seed=7, train=3000, dev=300)


@pytest.fixture(scope="module")
def splits():
    return text_splits(OPTS)


def test_pool_is_large_and_normalised(splits):
    assert len(splits.train_pool) >= 20000
    for _, norm in splits.train_pool[:2000]:
        assert norm and normalize(norm) == norm


def test_held_out_text_never_in_train_or_dev(splits):
    train_texts = {u.text for u in train_plan(OPTS, splits)}
    test_texts = {u.text for u in plan.test_plan(OPTS, splits)}
    dev_texts = {u.text for u in dev_plan(OPTS, splits)}
    assert len(test_texts) == OPTS.test_pool + OPTS.test_domain
    assert not train_texts & test_texts
    assert not train_texts & dev_texts
    assert not dev_texts & test_texts


def test_train_has_domain_text_and_isolated_digits(splits):
    texts = [u.text for u in train_plan(OPTS, splits)]
    digits = sum(t in domain_text.DIGITS for t in texts)
    assert 0.08 * len(texts) < digits < 0.2 * len(texts)


def test_reserved_voices_only_in_test(splits):
    for u in train_plan(OPTS, splits) + dev_plan(OPTS, splits):
        assert not u.voice.reserved and (u.voice.engine, u.voice.name) not in RESERVED
    assert {(u.voice.engine, u.voice.name) for u in plan.test_plan(OPTS, splits)} == set(RESERVED)
    assert all(describe(u.aug) == "clean" for u in plan.test_plan(OPTS, splits))


def test_plan_is_deterministic_and_extends(splits):
    small = train_plan(dataclasses.replace(OPTS, train=200), splits)
    large = train_plan(OPTS, splits)
    assert small == large[:200]


def test_training_voice_never_reserved():
    rng = random.Random(0)
    assert not any(training_voice(rng).reserved for _ in range(5000))
    assert Voice("flite", "rms").reserved and Voice("festival", "cmu_us_slt_arctic_hts").reserved


def test_augmentation_plans_mix_clean_and_noisy():
    rng = random.Random(0)
    kinds = [describe(plan_augmentation(rng)) for _ in range(2000)]
    clean = kinds.count("clean") / len(kinds)
    assert 0.2 < clean < 0.5
    assert any("noise=" in k for k in kinds) and any("tel8k" in k for k in kinds)


@pytest.mark.parametrize("sentence,ok", [
    ("The cat sat on the mat.", True),
    ("Dr. Smith arrived.", False),          # abbreviation the engine expands
    ("See http://example.org now", False),
    ("NASA launched a rocket", False),      # acronym
    ("Q: What is it?", False),
    ("Too short", False),
])
def test_sentence_filter(sentence, ok):
    assert is_speakable(clean_quotes(sentence)) is ok


def test_validate_options_rejects_negative_counts():
    with pytest.raises(ValueError, match="CorpusOptions.train"):
        validate_options(CorpusOptions(train=-1))
    with pytest.raises(ValueError, match="CorpusOptions.jobs"):
        validate_options(CorpusOptions(jobs=0))


def _read_manifest(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert lines[0].split("\t") == ["id", "path", "voice", "duration", "text", "aug"]
    return [line.split("\t") for line in lines[1:]]


@pytest.mark.skipif(not all(shutil.which(b) for b in ("espeak-ng", "flite", "text2wave", "sox")),
                    reason="needs espeak-ng, flite, festival (text2wave) and sox installed")
def test_tiny_build(tmp_path, splits):
    from training.corpus.build import build
    opts = dataclasses.replace(OPTS, train=6, dev=2, test_pool=2, test_domain=0, longform=1,
                             longform_seconds=1.0, babble_clips=2)
    build(opts, str(tmp_path))
    assert (tmp_path / "READY").exists()
    held_out = set((tmp_path / "test_text.txt").read_text().split("\n")) - {""}
    for name, count in (("train.tsv", 6), ("dev.tsv", 2), ("test.tsv", 2), ("longform.tsv", 2)):
        rows = _read_manifest(tmp_path / name)
        assert len(rows) == count, name
        for utt_id, path, voice, duration, text, aug in rows:
            assert text and normalize(text) == text
            reserved = any(voice.startswith(f"{e}:{n}") for e, n in RESERVED)
            assert reserved == (name in ("test.tsv", "longform.tsv")), (name, voice)
            if name in ("train.tsv", "dev.tsv"):
                assert text not in held_out
            with wave.open(str(tmp_path / path), "rb") as w:
                assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (16000, 1, 2)
                assert abs(w.getnframes() / 16000 - float(duration)) < 1e-3
                assert w.getnframes() > 1600


@pytest.mark.skipif(shutil.which("sox") is None, reason="needs sox")
@pytest.mark.parametrize("effects", [{}, {"tempo": 1.1, "reverb": 40}])
def test_render_is_repeatable(tmp_path, effects):
    """A voice that sox resamples (here 24 kHz, as RHVoice speaks) renders to the same bytes on
    every run: sox's dither is seeded (-R), so a rebuilt corpus equals the first build."""
    t = np.arange(24000) / 24000.0
    write_wav(str(tmp_path / "raw.wav"), 0.3 * np.sin(2 * np.pi * 440 * t) * np.sin(2 * np.pi * 3 * t), rate=24000)
    plan = {"peak_db": -3.0, "pad": (0.1, 0.1), **effects}
    outputs = []
    for i in range(3):
        render(str(tmp_path / "raw.wav"), str(tmp_path / f"out{i}.wav"), plan, "utt")
        outputs.append((tmp_path / f"out{i}.wav").read_bytes())
    assert len(outputs[0]) > 44 + 2 * 16000
    assert outputs[1] == outputs[0] and outputs[2] == outputs[0]
