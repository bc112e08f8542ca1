"""Word LM builder (training/lm/build_word_lm.py): held-out text never trains it, its
distributions sum to 1 over the V + 1 outputs, the same text gives the same bytes, and the file
reads back as the model it was written from."""
import json
import os
import struct

import pytest

from test_lm import corpus, probability  # noqa: F401 (corpus: the fixture, a train.tsv that wrongly holds held-out sentences)
from training.lm.build_word_lm import MAGIC, build, estimate_words
from training.lm.build_char_lm import serialise


def read_word_lm(data: bytes) -> tuple:
    """(header, contexts) from word_lm.bin's bytes, by the layout in build_word_lm's docstring:
    contexts[(symbols...)] = (gamma, {symbol: a}), as build_char_lm.estimate gives them."""
    assert data[:8] == MAGIC
    head_length = struct.unpack_from("<I", data, 8)[0]
    header = json.loads(data[12:12 + head_length].decode("utf-8"))
    at = (12 + head_length + 3) // 4 * 4
    assert data[12 + head_length:at] == b"\0" * (at - 12 - head_length)
    nodes, entries = header["nodes"], header["entries"]

    def take(kind: str, n: int) -> list:
        nonlocal at
        values = list(struct.unpack_from(f"<{n}{kind}", data, at))
        at += 4 * n
        return values

    gamma = take("f", nodes)
    entry_start, entry_symbol, entry_prob = take("I", nodes + 1), take("I", entries), take("f", entries)
    child_start, child_symbol, child_node = take("I", nodes + 1), take("I", nodes - 1), take("I", nodes - 1)
    assert at == len(data)
    # Node 0 is the empty context; a child prepends its symbol to its parent's context.
    context_of = {0: ()}
    for node in range(nodes):
        for j in range(child_start[node], child_start[node + 1]):
            context_of[child_node[j]] = (child_symbol[j],) + context_of[node]
    assert sorted(context_of) == list(range(nodes))
    contexts = {context_of[node]: (gamma[node], {entry_symbol[k]: entry_prob[k] for k in range(entry_start[node], entry_start[node + 1])})
                for node in range(nodes)}
    return header, contexts


def history_of(words: list, context_words: list, order: int) -> list:
    """The last order - 1 symbols before the next word: <s>, then the words (one outside the
    vocabulary as len(words) + 2, a symbol stored nowhere)."""
    index = {w: i for i, w in enumerate(words)}
    bos, unknown = len(words) + 1, len(words) + 2
    history = [bos] + [index.get(w, unknown) for w in context_words]
    return history[len(history) - (order - 1):] if order > 1 else []


def test_held_out_sentences_never_train(corpus):  # noqa: F811
    data, info = build(corpus, 2, ["Zebras quickly vex jumbo wolves.", "a new pool sentence"])
    header, _ = read_word_lm(data)
    assert header["words"] == sorted({"the", "cat", "sat", "on", "mat", "a", "dog", "ran", "seven", "two", "nine", "new", "pool", "sentence"})
    for word in ["zebras", "quickly", "vex", "jumbo", "wolves", "quixotic", "jazz", "buzz"]:
        assert word not in header["words"]
    # each held-out sentence once (distinct text), however many times it came
    assert info["trainingText"]["droppedHeldOut"] == 2 and info["trainingText"]["sentences"] == 4


@pytest.mark.parametrize("order", [1, 2, 3])
def test_every_distribution_sums_to_one(corpus, order):  # noqa: F811
    sentences = ["the cat sat on the mat", "a dog ran", "seven two nine", "the dog sat", "a cat ran on"]
    words, model = estimate_words(sentences, order)
    contexts, outputs = model["contexts"], len(words) + 1
    for context_words in [[], ["the"], ["the", "cat"], ["dog", "the"], ["zebra"], ["the", "zebra"], ["zebra", "sat"]]:
        history = history_of(words, context_words, order)
        ps = [probability(contexts, outputs, history, s, order) for s in range(outputs)]
        assert sum(ps) == pytest.approx(1.0, abs=1e-12)
        assert min(ps) > 0
        # A word outside the vocabulary gets only the base's share, less than any word's.
        assert probability(contexts, outputs, history, len(words) + 2, order) < min(ps[:-1])
    # What it saw is more likely than what it did not.
    if order > 1:
        history = history_of(words, ["the"], order)
        assert probability(contexts, outputs, history, words.index("cat"), order) > probability(contexts, outputs, history, words.index("seven"), order)


def test_same_text_same_bytes(corpus):  # noqa: F811
    data1, info1 = build(corpus, 3)
    data2, info2 = build(corpus, 3)
    assert data1 == data2 and info1 == info2
    assert data1[:8] == b"LASWDLM1"
    assert info1["bytes"] == len(data1) and info1["order"] == 3 and info1["kind"] == "word-ngram"
    assert info1["trainingText"]["droppedHeldOut"] == 2 and info1["trainingText"]["sentences"] == 3


@pytest.mark.parametrize("order", [1, 2, 3])
def test_the_file_reads_back_as_the_model(corpus, order):  # noqa: F811
    from training.lm.build_char_lm import training_sentences
    data, _ = build(corpus, order)
    header, contexts = read_word_lm(data)
    words, model = estimate_words(training_sentences(corpus, (), distinct=True)[0], order)
    assert header["words"] == words == sorted(words) and header["order"] == order
    assert set(contexts) == set(model["contexts"])
    for context, (gamma, a) in model["contexts"].items():
        assert contexts[context][0] == pytest.approx(gamma, rel=1e-6, abs=1e-7)
        assert contexts[context][1] == pytest.approx(a, rel=1e-6, abs=1e-7)
        assert all(s <= len(words) for s in a)  # the start of sentence is never predicted


def test_main_writes_the_description(corpus, tmp_path):  # noqa: F811
    from training.lm.build_word_lm import main
    main(["--corpus", corpus, "--out", str(tmp_path), "--order", "2", "--weight", "0.15"])
    info = json.loads((tmp_path / "word_lm.json").read_text())
    data = (tmp_path / "word_lm.bin").read_bytes()
    assert info["file"] == "word_lm.bin" and info["weight"] == 0.15 and info["order"] == 2 and info["bytes"] == len(data)
    assert info["kind"] == "word-ngram"


# Two languages, one truth: test/cases/wordLm-tiny.bin and wordLm.json, written once by this
# builder, are what src/model/wordLm.ts is checked against (test/model/wordLm.test.ts).
CASES_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "test", "cases")
TINY_SENTENCES = ["the cat sat on the mat", "a dog ran", "the dog sat", "a cat sat on a dog", "seven two nine"]
TINY_ORDER = 3
# "zebra" is outside the vocabulary; "mat dog" and "nine the" are contexts the text never has.
TINY_CONTEXTS = [[], ["the"], ["the", "cat"], ["a", "dog"], ["zebra"], ["the", "zebra"], ["mat", "dog"], ["nine", "the"], ["on", "the", "mat"]]


def tiny_header(words: list) -> dict:
    return {"kind": "word-ngram", "order": TINY_ORDER, "words": words}


def tiny_cases() -> list:
    """For each context: p(. | context) over the V + 1 outputs, and p of a word outside the vocabulary."""
    words, model = estimate_words(TINY_SENTENCES, TINY_ORDER)
    outputs = len(words) + 1
    out = []
    for context_words in TINY_CONTEXTS:
        history = history_of(words, context_words, TINY_ORDER)
        out.append({"context": context_words,
                    "probabilities": [probability(model["contexts"], outputs, history, s, TINY_ORDER) for s in range(outputs)],
                    "unknown": probability(model["contexts"], outputs, history, len(words) + 2, TINY_ORDER)})
    return out


def write_shared_cases() -> None:
    """Writes the shared cases; run once by hand (/usr/bin/python3 -c 'import sys; sys.path[:0] =
    ["training/tests", "."]; import test_word_lm; test_word_lm.write_shared_cases()')."""
    words, model = estimate_words(TINY_SENTENCES, TINY_ORDER)
    with open(os.path.join(CASES_DIR, "wordLm-tiny.bin"), "wb") as f:
        f.write(serialise(model, tiny_header(words), magic=MAGIC, wide=True))
    cases = {"note": "training/tests/test_word_lm.py writes nothing in its tests; it checks this file and wordLm-tiny.bin against the builder. test/model/wordLm.test.ts checks src/model/wordLm.ts against both.",
             "order": TINY_ORDER, "sentences": TINY_SENTENCES, "words": words, "cases": tiny_cases()}
    with open(os.path.join(CASES_DIR, "wordLm.json"), "w", encoding="utf-8") as f:
        json.dump(cases, f, indent=1)
        f.write("\n")


def test_shared_cases_match_the_builder():
    words, model = estimate_words(TINY_SENTENCES, TINY_ORDER)
    with open(os.path.join(CASES_DIR, "wordLm-tiny.bin"), "rb") as f:
        data = f.read()
    assert data == serialise(model, tiny_header(words), magic=MAGIC, wide=True)
    assert read_word_lm(data)[0]["words"] == words
    with open(os.path.join(CASES_DIR, "wordLm.json")) as f:
        cases = json.load(f)
    assert cases["sentences"] == TINY_SENTENCES and cases["order"] == TINY_ORDER and cases["words"] == words
    assert "zebra" not in words
    assert len(cases["cases"]) == len(TINY_CONTEXTS)
    for case, expected in zip(cases["cases"], tiny_cases()):
        assert case["context"] == expected["context"]
        assert case["probabilities"] == pytest.approx(expected["probabilities"], abs=1e-12)
        assert sum(expected["probabilities"]) == pytest.approx(1.0, abs=1e-12)
        assert case["unknown"] == pytest.approx(expected["unknown"], abs=1e-15)
