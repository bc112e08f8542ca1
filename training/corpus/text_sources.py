"""Sentences from text shipped by Debian packages (see SOURCES.md for licences).

Only sentences a TTS engine will read the way the normalised transcript spells
them are kept: no abbreviations, all-caps words, URLs or odd symbols.
"""
import lzma
import os
import re

from training.las.text import normalize

FORTUNE_DIR = "/usr/share/games/fortunes"
WORDNET_DIR = "/usr/share/wordnet"
# Pictures, lists of definitions and foreign-language files, not prose.
SKIPPED_FORTUNE_FILES = {"art", "ascii-art", "definitions", "translate-me", "perl", "linux"}
MIN_WORDS = 3
MAX_WORDS = 20

_ATTRIBUTION = re.compile(r"^\s+--|^\s*--\s")
_LIST_NUMBER = re.compile(r"^\s*\(?\d+[.)]\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+")
# Letters, digits and the punctuation TTS engines read silently or as pauses.
_ALLOWED = re.compile(r"^[A-Za-z0-9 ,.;:!?'\"()%&-]+$")
_BAD_SUBSTRINGS = ("http", "www", ".com", "--", "...", "::")
# Words a TTS engine expands ("Dr." -> "doctor") while the transcript would keep them short.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "etc", "eg", "ie", "prof", "gen",
    "col", "lt", "sgt", "capt", "rev", "co", "inc", "ltd", "no", "vol", "ch", "ft", "oz",
    "lb", "lbs", "pp", "cf", "al", "mt", "ave", "approx", "dept", "govt",
}


def clean_quotes(sentence: str) -> str:
    """Typographic quotes to ASCII, and quote marks that are not word-internal apostrophes removed."""
    s = sentence.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    s = s.replace("\u201c", '"').replace("\u201d", '"')
    s = re.sub(r"(?<![A-Za-z])'|'(?![A-Za-z])", " ", s)
    return " ".join(s.split())


def is_speakable(sentence: str) -> bool:
    """True when TTS output will match the normalised text closely enough to train on."""
    if re.match(r"^[A-Za-z]+:", sentence):
        return False  # "Q:" / "A:" dialogue labels
    if not _ALLOWED.match(sentence) or any(b in sentence.lower() for b in _BAD_SUBSTRINGS):
        return False
    words = re.findall(r"[A-Za-z']+", sentence)
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return False
    for word in words:
        bare = word.strip("'")
        if len(bare) >= 2 and bare.isupper():
            return False  # acronyms and Roman numerals: spelled or read unpredictably
        if len(bare) == 1 and bare.lower() not in ("a", "i"):
            return False  # initials
        if bare.lower() in _ABBREVIATIONS and re.search(re.escape(bare) + r"\.", sentence):
            return False
    if re.search(r"\d[.,:/]\d", sentence):
        return False  # decimals, times and thousands separators read unlike the normaliser
    return bool(normalize(sentence))


def split_sentences(paragraph: str) -> list:
    return [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()]


def fortune_entries(path: str) -> list:
    """Fortune entries of one file, attribution lines and list numbers removed."""
    with open(path, encoding="utf-8", errors="replace") as f:
        raw = f.read()
    entries = []
    for entry in raw.split("\n%\n"):
        lines = [ln for ln in entry.split("\n") if ln.strip() and not _ATTRIBUTION.match(ln)]
        # Overstrike sequences (char, backspace, char) come from old terminal emphasis.
        text = " ".join(_LIST_NUMBER.sub("", ln).strip() for ln in lines).replace("\b", "")
        entries.append(text)
    return entries


def fortune_sentences(directory: str = FORTUNE_DIR) -> list:
    if not os.path.isdir(directory):
        return []
    out = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if "." in name or name in SKIPPED_FORTUNE_FILES or not os.path.isfile(path):
            continue
        for entry in fortune_entries(path):
            out += split_sentences(entry)
    return out


def wordnet_sentences(directory: str = WORDNET_DIR) -> list:
    """The quoted usage examples in WordNet glosses (after the '|' of each synset line)."""
    out = []
    for part in ("noun", "verb", "adj", "adv"):
        path = os.path.join(directory, "data." + part)
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("  "):
                    continue  # licence header
                gloss = line.split("|", 1)[1] if "|" in line else ""
                out += re.findall(r'"([^"]+)"', gloss)
    return out


def english_vocabulary(examples: list) -> set:
    """Words of the WordNet examples: a stand-in dictionary, as Debian ships no word list here."""
    vocab = set()
    for sentence in examples:
        vocab.update(normalize(clean_quotes(sentence)).split())
    return vocab


def mostly_english(norm: str, vocab: set, share: float = 0.8) -> bool:
    """Rejects the French and German fortunes, and nonsense words TTS would mangle."""
    words = norm.split()
    return sum(w in vocab for w in words) >= share * len(words)


# A machine without the fortune and WordNet packages (training/device) reads the pool from a
# file that save_pool() wrote on one that has them: the same list, so the same text splits.
POOL_ENV = "LAS_SENTENCE_POOL"


def save_pool(path: str, pool: list) -> None:
    """(raw, normalised) pairs -> xz-compressed TSV, one pair a line."""
    with lzma.open(path, "wt", encoding="utf-8", newline="\n") as f:
        f.writelines(f"{raw}\t{norm}\n" for raw, norm in pool)


def load_pool(path: str) -> list:
    with lzma.open(path, "rt", encoding="utf-8", newline="\n") as f:
        return [tuple(line.rstrip("\n").split("\t")) for line in f]


def sentence_pool() -> list:
    """Distinct speakable sentences as (raw, normalised), sorted by normalised text; read from
    the file named by $LAS_SENTENCE_POOL when it is set."""
    if os.environ.get(POOL_ENV):
        return load_pool(os.environ[POOL_ENV])
    examples = wordnet_sentences()
    vocab = english_vocabulary(examples)
    by_norm = {}
    for raw in fortune_sentences() + examples:
        sentence = clean_quotes(raw)
        if not is_speakable(sentence) or not mostly_english(normalize(sentence), vocab):
            continue
        norm = normalize(sentence)
        if norm not in by_norm or len(sentence) < len(by_norm[norm]):
            by_norm[norm] = sentence
    return sorted(((raw, norm) for norm, raw in by_norm.items()), key=lambda p: p[1])
