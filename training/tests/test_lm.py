"""Character LM builder (training/lm/build_char_lm.py): held-out text never trains it, its
distributions sum to 1, and the same text gives the same bytes."""
import os
import struct

import pytest

from training.lm.build_char_lm import (BOS, EOS, OUTPUTS, SYMBOLS, build, encode, estimate,
                                       held_out_sentences, training_sentences)

CORPUS = os.path.join(os.path.dirname(__file__), "..", "work", "corpus")
HEADER = "id\tpath\tvoice\tduration\ttext\taug\n"


def _manifest(path, texts):
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER)
        for i, t in enumerate(texts):
            f.write(f"u{i}\twav/u{i}.wav\tv\t1.0\t{t}\tclean\n")


@pytest.fixture
def corpus(tmp_path):
    """A corpus folder whose train.tsv (wrongly) holds a validation and a test sentence."""
    _manifest(tmp_path / "train.tsv", ["the cat sat on the mat", "zebras quickly vex jumbo wolves",
                                       "a dog ran", "seven two nine", "quixotic jazz buzz"])
    _manifest(tmp_path / "validation.tsv", ["zebras quickly vex jumbo wolves"])
    _manifest(tmp_path / "dev.tsv", ["zebras quickly vex jumbo wolves"])
    (tmp_path / "dev_text.txt").write_text("zebras quickly vex jumbo wolves\n")
    (tmp_path / "test_text.txt").write_text("Quixotic jazz, buzz!\n")
    return str(tmp_path)


def probability(contexts: dict, outputs: int, history: list, symbol: int, order: int) -> float:
    """p(symbol | history) of interpolated Kneser-Ney over a uniform base of `outputs` symbols
    (test_word_lm uses it too)."""
    p = 1.0 / outputs
    for k in range(0, order):
        context = tuple(history[len(history) - k:]) if k else ()
        if k > len(history) or context not in contexts:
            break
        gamma, a = contexts[context]
        p = gamma * p + a.get(symbol, 0.0)
    return p


def _probability(contexts, history, symbol, order):
    return probability(contexts, OUTPUTS, history, symbol, order)


def test_held_out_sentences_never_train(corpus):
    kept, dropped = training_sentences(corpus)
    assert dropped == 2
    assert "zebras quickly vex jumbo wolves" not in kept and "quixotic jazz buzz" not in kept
    assert kept == ["the cat sat on the mat", "a dog ran", "seven two nine"]
    # Nor any n-gram only they contain: "zeb" and "jaz" never occur as contexts.
    contexts = estimate(kept, 4)["contexts"]
    assert tuple(encode("zeb")) not in contexts and tuple(encode("jaz")) not in contexts
    assert tuple(encode("cat")) in contexts


def test_refuses_a_corpus_without_its_held_out_lists(tmp_path):
    _manifest(tmp_path / "train.tsv", ["a b c"])
    with pytest.raises(SystemExit):
        training_sentences(str(tmp_path))


@pytest.mark.parametrize("order", [1, 3, 6])
def test_every_distribution_sums_to_one(corpus, order):
    kept, _ = training_sentences(corpus)
    contexts = estimate(kept, order)["contexts"]
    for text in ["", "the ", "the cat sat", "xyz", "seven two"]:
        history = [BOS] + encode(text)
        history = history[max(0, len(history) - (order - 1)):] if order > 1 else []
        total = sum(_probability(contexts, history, s, order) for s in range(OUTPUTS))
        assert total == pytest.approx(1.0, abs=1e-9)
    # What it saw is more likely than what it did not.
    history = encode("the c")[-(order - 1):] if order > 1 else []
    seen = _probability(contexts, history, encode("a")[0], order)
    assert seen > 1.0 / OUTPUTS


def test_same_text_same_bytes(corpus):
    data1, info1 = build(corpus, 5)
    data2, info2 = build(corpus, 5)
    assert data1 == data2 and info1 == info2
    assert data1[:8] == b"LASCHLM1"
    head = struct.unpack("<I", data1[8:12])[0]
    assert info1["bytes"] == len(data1) and head > 0
    assert info1["trainingText"]["droppedHeldOut"] == 2 and info1["trainingText"]["sentences"] == 3
    assert len(SYMBOLS) == 28 and EOS == 28


@pytest.mark.skipif(not os.path.exists(os.path.join(CORPUS, "validation.tsv")), reason="needs the corpus the recipe builds")
def test_real_corpus_excludes_every_validation_and_test_sentence():
    kept = set(training_sentences(CORPUS)[0])
    held = held_out_sentences(CORPUS)
    assert len(held) >= 600  # dev/validation text (300) and test text (400), partly the same items
    assert not kept & held


def test_export_ships_the_lm_in_the_bundle(corpus, tmp_path):
    """training/las/export.py copies lm.bin into the bundle and records lm.json as config.json's lm field."""
    from training.lm.build_char_lm import main as build_main
    from training.las.export import bundle_lm
    lm_dir, out = str(tmp_path / "lm"), str(tmp_path / "bundle")
    build_main(["--corpus", corpus, "--out", lm_dir, "--order", "4", "--weight", "0.25", "--word-penalty", "2"])
    field = bundle_lm(lm_dir, out)["lm"]
    assert field["kind"] == "char-ngram" and field["order"] == 4 and field["weight"] == 0.25 and field["file"] == "lm.bin"
    assert field["wordPenalty"] == 2 and field["oovPenalty"] == 0
    with open(os.path.join(lm_dir, "lm.bin"), "rb") as a, open(os.path.join(out, "lm.bin"), "rb") as b:
        assert a.read() == b.read()
    assert field["bytes"] == os.path.getsize(os.path.join(out, "lm.bin"))
    assert "word" not in field  # no word_lm.json in the folder: no word LM in the bundle


def test_export_ships_the_word_lm_beside_it(corpus, tmp_path):
    """With build_word_lm's word_lm.json and word_lm.bin in the folder, bundle_lm copies the
    file into the bundle and records word_lm.json as config.json's lm.word field; a folder whose
    word_lm.bin links to the bundle's copy (models/lm) keeps that copy."""
    import json
    from training.lm.build_char_lm import main as build_main
    from training.lm.build_word_lm import main as build_word_main
    from training.las.export import bundle_lm
    lm_dir, out = tmp_path / "lm", tmp_path / "bundle"
    build_main(["--corpus", corpus, "--out", str(lm_dir), "--order", "4", "--weight", "0.25"])
    build_word_main(["--corpus", corpus, "--out", str(lm_dir), "--order", "2", "--weight", "0.15"])
    word_bin = (lm_dir / "word_lm.bin").read_bytes()
    field = bundle_lm(str(lm_dir), str(out))["lm"]
    assert field["kind"] == "char-ngram" and field["file"] == "lm.bin"
    assert field["word"] == json.loads((lm_dir / "word_lm.json").read_text())
    assert field["word"]["kind"] == "word-ngram" and field["word"]["weight"] == 0.15 and field["word"]["file"] == "word_lm.bin"
    assert (out / "word_lm.bin").read_bytes() == word_bin and field["word"]["bytes"] == len(word_bin)
    (lm_dir / "word_lm.bin").unlink()
    os.symlink(out / "word_lm.bin", lm_dir / "word_lm.bin")
    assert bundle_lm(str(lm_dir), str(out))["lm"]["word"] == field["word"]
    assert (out / "word_lm.bin").read_bytes() == word_bin and not (out / "word_lm.bin").is_symlink()


def test_extra_text_is_filtered_too_and_distinct_counts_once(corpus):
    """Sentences added from the pool pass the same held-out filter; --distinct drops repeats."""
    extra = ["Zebras quickly vex jumbo wolves.", "a new pool sentence", "the cat sat on the mat"]
    kept, dropped = training_sentences(corpus, extra)
    assert "zebras quickly vex jumbo wolves" not in kept and dropped == 3
    assert kept.count("the cat sat on the mat") == 2 and "a new pool sentence" in kept
    kept, dropped = training_sentences(corpus, extra + ["a dog ran"] * 3, distinct=True)
    assert kept == ["the cat sat on the mat", "a dog ran", "seven two nine", "a new pool sentence"]
    assert dropped == 2


# Two languages, one truth: test/cases/charLm-tiny.bin and charLm.json, written once by this
# builder, are what src/model/charLm.ts is checked against (test/model/charLm.test.ts).
CASES_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "test", "cases")
TINY_SENTENCES = ["the cat sat on the mat", "a dog ran", "seven two nine", "the dog sat", "don't"]
TINY_ORDER = 4
TINY_CONTEXTS = ["", "t", "th", "the ", "the d", "xyz", "don'", "the cat sat on the mat"]


def tiny_probabilities() -> list:
    contexts = estimate(TINY_SENTENCES, TINY_ORDER)["contexts"]
    out = []
    for text in TINY_CONTEXTS:
        history = ([BOS] + encode(text))[-(TINY_ORDER - 1):]
        out.append([_probability(contexts, history, s, TINY_ORDER) for s in range(OUTPUTS)])
    return out


def test_shared_cases_match_the_builder():
    import json
    from training.lm.build_char_lm import serialise
    with open(os.path.join(CASES_DIR, "charLm-tiny.bin"), "rb") as f:
        assert f.read() == serialise(estimate(TINY_SENTENCES, TINY_ORDER), {"kind": "char-ngram", "order": TINY_ORDER, "symbols": SYMBOLS})
    with open(os.path.join(CASES_DIR, "charLm.json")) as f:
        cases = json.load(f)
    assert cases["sentences"] == TINY_SENTENCES and cases["order"] == TINY_ORDER
    for case, probabilities in zip(cases["cases"], tiny_probabilities()):
        assert case["probabilities"] == pytest.approx(probabilities, abs=1e-12)
        assert sum(probabilities) == pytest.approx(1.0, abs=1e-12)
