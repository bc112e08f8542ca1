"""Transcript normalisation, docs/contracts.md section 3.

The TypeScript side (src/metrics/normalizeText.ts) implements the same rules; both test
suites read the shared cases in test/cases/normalization.json.
"""
import re

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve "
    "thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
# Scales in descending order; a nine-digit run is the longest read as a cardinal.
_SCALES = ((1_000_000, "million"), (1_000, "thousand"))
MAX_CARDINAL_DIGITS = 9

_DIGIT_RUN = re.compile(r"[0-9]+")
_OUTSIDE_ALPHABET = re.compile(r"[^a-z']+")
_TYPESET_APOSTROPHE = re.compile("[\u2018\u2019]")
# An apostrophe not between two letters is a quote mark: "'quoted'" -> "quoted", "dogs'" -> "dogs".
_QUOTE_MARK = re.compile(r"'(?![a-z])|(?<![a-z])'")


def _below_thousand(n: int) -> list:
    words = []
    if n >= 100:
        words += [_ONES[n // 100], "hundred"]
        n %= 100
        if n == 0:
            return words
    if n < 20:
        words.append(_ONES[n])
    else:
        words.append(_TENS[n // 10])
        if n % 10:
            words.append(_ONES[n % 10])
    return words


def cardinal(n: int) -> str:
    """Cardinal words for 0 <= n < 10**9, without hyphens or "and"."""
    if not 0 <= n < 10**MAX_CARDINAL_DIGITS:
        raise ValueError(f"cardinal: n={n} outside [0, 10^{MAX_CARDINAL_DIGITS})")
    if n == 0:
        return "zero"
    words = []
    for value, name in _SCALES:
        if n >= value:
            words += _below_thousand(n // value) + [name]
            n %= value
    if n:
        words += _below_thousand(n)
    return " ".join(words)


def digits(run: str) -> str:
    """A digit string read digit by digit: "007" -> "zero zero seven"."""
    return " ".join(_ONES[int(ch)] for ch in run)


def _spell_run(match: "re.Match") -> str:
    run = match.group(0)
    leading_zero = len(run) > 1 and run[0] == "0"
    spoken = digits(run) if leading_zero or len(run) > MAX_CARDINAL_DIGITS else cardinal(int(run))
    # Spaces keep "42nd" or "a1" from gluing digits to letters.
    return f" {spoken} "


def normalize(text: str) -> str:
    """Lower-case, numbers as words, % and & as words, only a-z ' and single spaces."""
    if not isinstance(text, str):
        raise TypeError(f"normalize: text must be str, got {type(text).__name__}")
    out = _TYPESET_APOSTROPHE.sub("'", text.lower())  # "don’t" is "don't", not "don t"
    out = _DIGIT_RUN.sub(_spell_run, out)
    out = out.replace("%", " percent ").replace("&", " and ")
    out = _OUTSIDE_ALPHABET.sub(" ", out)
    out = _QUOTE_MARK.sub(" ", out)
    return " ".join(out.split())
