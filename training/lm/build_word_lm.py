"""Word n-gram language model for shallow fusion at word ends (issue 9): corpus text -> word_lm.bin.

    /usr/bin/python3 -m training.lm.build_word_lm --corpus training/work/corpus --out models/lm --order 3 --weight W

Text: exactly the character LM's (build_char_lm.training_sentences with the training sentence
pool, each sentence once, every held-out sentence dropped), so the two LMs know the same words.

Model: the character LM's interpolated modified Kneser-Ney (build_char_lm.estimate), over words
instead of characters. Symbols: the training words, sorted, are 0..V-1; V is the end of the
sentence (predicted) and V+1 the start (context only); the order-0 base is uniform over the V+1
outputs. A word outside the vocabulary has no entry anywhere, so the model gives it only the
base's share of the mass: p = gamma(h) gamma(h') ... / (V + 1). The decoder scores each word
when it ends (at a space or at the end of the sentence) with
    weight * ln p(word | the previous order-1 words),
on top of the character LM's per-character scores.

word_lm.bin is build_char_lm's layout with uint32 symbols and the signature "LASWDLM1":
    "LASWDLM1", uint32 header length, header JSON (utf-8; "words": the vocabulary in symbol
    order), zero padding to 4 bytes, float32 gamma[nodes]; uint32 entryStart[nodes + 1];
    uint32 entrySymbol[entries]; float32 entryProb[entries]; uint32 childStart[nodes + 1];
    uint32 childSymbol[nodes - 1]; uint32 childNode[nodes - 1].
src/model/wordLm.ts reads it. Deterministic: same text, same bytes.
"""
import argparse
import hashlib
import os
import sys

from training.lm.build_char_lm import estimate, pool_sentences, serialise, training_sentences, write_lm

MAGIC = b"LASWDLM1"
DEFAULT_ORDER = 3


def vocabulary(sentences: list) -> list:
    return sorted({w for s in sentences for w in s.split()})


def estimate_words(sentences: list, order: int) -> tuple:
    """(vocabulary, model): the words in symbol order and build_char_lm.estimate's model over
    them (end of sentence len(words), start len(words) + 1)."""
    words = vocabulary(sentences)
    index = {w: i for i, w in enumerate(words)}
    eos, bos = len(words), len(words) + 1
    return words, estimate(sentences, order, lambda s: [index[w] for w in s.split()], bos, eos)


def build(corpus: str, order: int = DEFAULT_ORDER, pool: list = ()) -> tuple:
    """(word_lm.bin bytes, description for config.json's lm.word field)."""
    sentences, dropped = training_sentences(corpus, pool, distinct=True)
    if not sentences:
        raise SystemExit(f"{corpus}: no training text")
    words, model = estimate_words(sentences, order)
    text_hash = hashlib.sha256("\n".join(sentences).encode("utf-8")).hexdigest()
    training = {"source": "the character LM's text: train.tsv text column and the corpus's training sentence pool, each sentence once, minus held-out sentences",
                "sentences": len(sentences), "words": len(words), "tokens": sum(len(s.split()) for s in sentences),
                "droppedHeldOut": dropped, "sha256": text_hash}
    header = {"kind": "word-ngram", "order": order, "smoothing": "interpolated modified Kneser-Ney",
              "training": training, "words": words}
    data = serialise(model, header, magic=MAGIC, wide=True)
    return data, {"kind": "word-ngram", "order": order, "smoothing": "interpolated modified Kneser-Ney",
                  "trainingText": training, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="training/work/corpus")
    ap.add_argument("--out", default="models/lm")
    ap.add_argument("--order", type=int, default=DEFAULT_ORDER)
    ap.add_argument("--weight", type=float, required=True, help="default word-LM fusion weight recorded in word_lm.json (tuned on validation)")
    args = ap.parse_args(argv)
    data, info = build(args.corpus, args.order, pool_sentences())
    info = write_lm(args.out, "word_lm", data, {"weight": args.weight, **info})
    t = info["trainingText"]
    print(f"{os.path.join(args.out, info['file'])}: order {args.order}, {info['bytes']} bytes, {t['sentences']} sentences, {t['words']} words, "
          f"{t['tokens']} tokens ({t['droppedHeldOut']} held-out dropped)", file=sys.stderr)


if __name__ == "__main__":
    main()
