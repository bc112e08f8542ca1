"""Normalisation cases, docs/contracts.md section 3, shared with the TypeScript side."""
import json
import os

import pytest

from training.las.text import cardinal, normalize

# One truth for two languages: vitest (test/metrics/normalizeText.test.ts) reads the same file.
SHARED_CASES = [tuple(c) for c in json.load(open(os.path.join(
    os.path.dirname(__file__), "..", "..", "test", "cases", "normalization.json"), encoding="utf-8"))["cases"]]


@pytest.mark.parametrize("text,expected", SHARED_CASES)
def test_normalize_examples(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize("text", [t for t, _ in SHARED_CASES])
def test_output_alphabet_and_idempotence(text):
    out = normalize(text)
    assert set(out) <= set("abcdefghijklmnopqrstuvwxyz' ")
    assert out == out.strip() and "  " not in out
    assert normalize(out) == out


def test_cardinal_has_no_hyphen_or_and():
    for n in (21, 99, 105, 1999, 45678, 123456789):
        words = cardinal(n).split()
        assert "and" not in words and all("-" not in w for w in words)


def test_cardinal_rejects_out_of_range():
    with pytest.raises(ValueError, match="n=1000000000"):
        cardinal(10**9)
    with pytest.raises(ValueError):
        cardinal(-1)


def test_normalize_rejects_non_string():
    with pytest.raises(TypeError, match="text must be str"):
        normalize(42)
