"""Normalisation examples, docs/contracts.md section 3; the TypeScript side shares them."""
import pytest

from training.las.text import cardinal, normalize

SHARED_EXAMPLES = [
    ("Hello, World!", "hello world"),
    ("It's 42%", "it's forty two percent"),
    ("R&D in 1999", "r and d in one thousand nine hundred ninety nine"),
    ("007", "zero zero seven"),
    ("well-known", "well known"),
]

MORE_EXAMPLES = [
    ("0", "zero"),
    ("10", "ten"),
    ("13", "thirteen"),
    ("20", "twenty"),
    ("101", "one hundred one"),
    ("110", "one hundred ten"),
    ("1000", "one thousand"),
    ("2000010", "two million ten"),
    ("999999999", "nine hundred ninety nine million nine hundred ninety nine thousand "
                  "nine hundred ninety nine"),
    ("1234567890", "one two three four five six seven eight nine zero"),  # > 9 digits
    ("05", "zero five"),
    ("3.14", "three fourteen"),
    ("route66", "route sixty six"),
    ("50%off", "fifty percent off"),
    ("rock&roll", "rock and roll"),
    ("  MiXeD\tcase\n", "mixed case"),
    ("don't", "don't"),
    ("caf\u00e9 na\u00efve", "caf na ve"),
    ("a_b/c\\d", "a b c d"),
    ("?!", ""),
    ("", ""),
]


@pytest.mark.parametrize("text,expected", SHARED_EXAMPLES + MORE_EXAMPLES)
def test_normalize_examples(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize("text", [t for t, _ in SHARED_EXAMPLES + MORE_EXAMPLES])
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
