"""Character n-gram language model for shallow fusion (issue 9): corpus training text -> lm.bin.

    /usr/bin/python3 -m training.lm.build_char_lm --corpus training/work/corpus --out models/lm

Text: the training transcripts (train.tsv's text column), and with --pool also the corpus's
training sentence pool (training/corpus/plan.text_splits: the fortune and WordNet sentences the
recipe may draw training utterances from, held-out ones already removed; needs the Debian text
packages or $LAS_SENTENCE_POOL, as the corpus build does). With --distinct each sentence counts
once (train.tsv repeats the isolated digits hundreds of times). Every sentence whose text is a
held-out sentence is dropped: the dev/validation text (dev_text.txt, dev.tsv, validation.tsv) and
the test text (test_text.txt, test.tsv, longform.tsv). Nothing else is read (no realspeech).

Model: interpolated modified Kneser-Ney (Chen & Goodman 1998) over the 28 transcript characters
plus the end of sentence, contexts padded with one start symbol, order N. For context h,

    p(c | h) = a(h, c) + gamma(h) * p(c | h')          h' = h without its oldest symbol
    a(h, c)  = max(n(h c) - D_k(n(h c)), 0) / n(h .),   gamma(h) = 1 - sum_c a(h, c)

with n the raw count at the top order and the continuation count (distinct left extensions)
below it, except for n-grams that start at the sentence start (raw count, KenLM's rule); the
order-0 base is uniform. Since every stored vector sums to 1, so does every p(. | h).

lm.bin (little-endian) is what src/model/charLm.ts reads:
    "LASCHLM1", uint32 header length, header JSON (utf-8), zero padding to 4 bytes, then
    float32 gamma[nodes]; uint32 entryStart[nodes + 1]; uint8 entrySymbol[entries] (padded to 4);
    float32 entryProb[entries]; uint32 childStart[nodes + 1]; uint8 childSymbol[nodes - 1]
    (padded to 4); uint32 childNode[nodes - 1].
Node 0 is the empty context; a node's children prepend one older symbol to its context, so
walking from the newest symbol backwards visits the contexts from order 1 upwards. Its entries
are the continuations c with a(h, c) > 0, sorted by symbol. The header also lists the words of
the training text ("words", sorted), for the decoder's out-of-vocabulary penalty. Deterministic:
same text, same bytes.
"""
import argparse
import hashlib
import json
import os
import struct
import sys
from collections import defaultdict

from training.las.text import normalize

MAGIC = b"LASCHLM1"
SYMBOLS = [" ", "'"] + [chr(c) for c in range(ord("a"), ord("z") + 1)]
EOS = len(SYMBOLS)  # "</s>", predicted
BOS = EOS + 1  # "<s>", only ever in contexts
OUTPUTS = EOS + 1  # symbols p(. | h) is a distribution over
DEFAULT_ORDER = 7

TRAIN_MANIFEST = "train.tsv"
HELD_OUT_TEXT_FILES = ("dev_text.txt", "test_text.txt")
HELD_OUT_MANIFESTS = ("dev.tsv", "validation.tsv", "test.tsv", "longform.tsv")


def manifest_texts(path: str) -> list:
    """The text column of a corpus manifest (header: id path voice duration text aug)."""
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        col = header.index("text")
        return [line.rstrip("\n").split("\t")[col] for line in f if line.strip()]


def held_out_sentences(corpus: str) -> set:
    """Normalised text of every held-out sentence the corpus folder lists (the split files that exist)."""
    held = set()
    for name in HELD_OUT_TEXT_FILES:
        path = os.path.join(corpus, name)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                held.update(normalize(line) for line in f if line.strip())
    for name in HELD_OUT_MANIFESTS:
        path = os.path.join(corpus, name)
        if os.path.exists(path):
            held.update(normalize(t) for t in manifest_texts(path))
    if not held:
        raise SystemExit(f"{corpus}: no held-out split files ({', '.join(HELD_OUT_TEXT_FILES + HELD_OUT_MANIFESTS)}); refusing to build without them")
    return held


def pool_sentences() -> list:
    """The corpus's training sentence pool (normalised), as the corpus build splits it."""
    from training.corpus.plan import CorpusOptions, text_splits
    return [norm for _, norm in text_splits(CorpusOptions()).train_pool]


def training_sentences(corpus: str, extra: list = (), distinct: bool = False) -> tuple:
    """(sentences, dropped): normalised train.tsv texts, then `extra`, that are not held out, in
    file order; with `distinct`, each text only the first time."""
    held = held_out_sentences(corpus)
    kept, dropped, seen = [], 0, set()
    for text in list(manifest_texts(os.path.join(corpus, TRAIN_MANIFEST))) + list(extra):
        norm = normalize(text)
        if not norm or (distinct and norm in seen):
            continue
        seen.add(norm)
        if norm in held:
            dropped += 1
        else:
            kept.append(norm)
    return kept, dropped


def encode(sentence: str) -> list:
    index = {s: i for i, s in enumerate(SYMBOLS)}
    return [index[ch] for ch in sentence]


def count_ngrams(sentences: list, order: int, encoder=encode, bos: int = BOS, eos: int = EOS) -> list:
    """counts[k][(context..., symbol)] = raw count of each k-gram, k = 1..order (index 0 unused).
    `encoder` turns a sentence into its symbols (characters here; words in build_word_lm)."""
    counts = [None] + [defaultdict(int) for _ in range(order)]
    for sentence in sentences:
        seq = [bos] + encoder(sentence) + [eos]
        for i in range(1, len(seq)):
            for k in range(1, order + 1):
                if i - k + 1 < 0:
                    break
                counts[k][tuple(seq[i - k + 1:i + 1])] += 1
    return counts


def modelling_counts(raw: list, order: int, bos: int = BOS) -> list:
    """Top order: raw counts. Below: distinct left extensions, or the raw count for n-grams at the sentence start."""
    out = [None] * (order + 1)
    out[order] = dict(raw[order])
    for k in range(order - 1, 0, -1):
        cont = defaultdict(int)
        for gram in raw[k + 1]:
            cont[gram[1:]] += 1
        out[k] = {g: (c if g[0] == bos else cont.get(g, 0)) for g, c in raw[k].items()}
        # An n-gram starting at <s> has no left extension; every other one has at least one.
        out[k] = {g: c for g, c in out[k].items() if c > 0}
    return out


def discounts(counts: dict) -> tuple:
    """Modified KN discounts D1, D2, D3+ from counts of counts (Chen & Goodman's estimates)."""
    n = defaultdict(int)
    for c in counts.values():
        if c <= 4:
            n[c] += 1
    if min(n[1], n[2], n[3], n[4]) == 0:
        return (0.5, 1.0, 1.5)  # too little text for the estimate; any 0 < D_i < i works
    y = n[1] / (n[1] + 2 * n[2])
    d = (1 - 2 * y * n[2] / n[1], 2 - 3 * y * n[3] / n[2], 3 - 4 * y * n[4] / n[3])
    return tuple(min(max(x, 0.05), float(i + 1) - 0.05) for i, x in enumerate(d))


def estimate(sentences: list, order: int, encoder=encode, bos: int = BOS, eos: int = EOS) -> dict:
    """Context -> (gamma, {symbol: a}) for every context of length 0..order-1 seen in the text."""
    if order < 1:
        raise ValueError(f"order must be >= 1, got {order}")
    counts = modelling_counts(count_ngrams(sentences, order, encoder, bos, eos), order, bos)
    model, used = {}, []
    for k in range(1, order + 1):
        d = discounts(counts[k])
        used.append([round(x, 6) for x in d])
        by_context = defaultdict(dict)
        for gram, c in counts[k].items():
            by_context[gram[:-1]][gram[-1]] = c
        for context, nexts in by_context.items():
            total = sum(nexts.values())
            a = {s: (c - d[min(c, 3) - 1]) / total for s, c in nexts.items()}
            model[context] = (1.0 - sum(a.values()), a)
    return {"contexts": model, "discounts": used}


def serialise(model: dict, header: dict, magic: bytes = MAGIC, wide: bool = False) -> bytes:
    """The file's bytes; `wide` stores symbols as uint32 instead of uint8 (the word LM's, with
    `magic` b"LASWDLM1"; the layout is otherwise the same)."""
    contexts = model["contexts"]
    # Nodes in breadth-first order of the reversed trie: a context's children prepend a symbol.
    order_of = sorted(contexts, key=lambda h: (len(h), tuple(reversed(h))))
    index = {h: i for i, h in enumerate(order_of)}
    children = defaultdict(list)
    for h in order_of[1:]:
        children[index[h[1:]]].append((h[0], index[h]))
    gamma, entry_start, entry_symbol, entry_prob = [], [0], [], []
    child_start, child_symbol, child_node = [0], [], []
    for i, h in enumerate(order_of):
        g, a = contexts[h]
        gamma.append(max(g, 0.0))
        for s in sorted(a):
            entry_symbol.append(s)
            entry_prob.append(a[s])
        entry_start.append(len(entry_symbol))
        for s, node in sorted(children[i]):
            child_symbol.append(s)
            child_node.append(node)
        child_start.append(len(child_symbol))
    header = dict(header, nodes=len(order_of), entries=len(entry_symbol), discounts=model["discounts"])
    head = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    parts = [magic, struct.pack("<I", len(head)), head]

    def symbols(values):
        return struct.pack(f"<{len(values)}I", *values) if wide else bytes(values)

    def pad():
        size = sum(len(p) for p in parts)
        parts.append(b"\0" * (-size % 4))

    pad()
    parts.append(struct.pack(f"<{len(gamma)}f", *gamma))
    parts.append(struct.pack(f"<{len(entry_start)}I", *entry_start))
    parts.append(symbols(entry_symbol))
    pad()
    parts.append(struct.pack(f"<{len(entry_prob)}f", *entry_prob))
    parts.append(struct.pack(f"<{len(child_start)}I", *child_start))
    parts.append(symbols(child_symbol))
    pad()
    parts.append(struct.pack(f"<{len(child_node)}I", *child_node))
    return b"".join(parts)


def build(corpus: str, order: int = DEFAULT_ORDER, pool: list = (), distinct: bool = False) -> tuple:
    """(lm.bin bytes, description for config.json's lm field); `pool`: more training sentences (pool_sentences())."""
    sentences, dropped = training_sentences(corpus, pool, distinct)
    if not sentences:
        raise SystemExit(f"{corpus}/{TRAIN_MANIFEST}: no training text")
    text_hash = hashlib.sha256("\n".join(sentences).encode("utf-8")).hexdigest()
    source = f"{TRAIN_MANIFEST} text column" + (" and the corpus's training sentence pool" if pool else "")
    training = {"source": source + (", each sentence once" if distinct else "") + ", minus held-out sentences",
                "sentences": len(sentences), "distinct": len(set(sentences)),
                "characters": sum(len(s) + 1 for s in sentences), "droppedHeldOut": dropped,
                "sha256": text_hash}
    words = sorted({w for s in sentences for w in s.split()})
    training["words"] = len(words)
    header = {"kind": "char-ngram", "order": order, "smoothing": "interpolated modified Kneser-Ney",
              "symbols": SYMBOLS, "training": training, "words": words}
    data = serialise(estimate(sentences, order), header)
    return data, {"kind": "char-ngram", "order": order, "smoothing": "interpolated modified Kneser-Ney",
                  "trainingText": training, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def write_lm(out_dir: str, name: str, data: bytes, info: dict) -> dict:
    """Writes <name>.bin and <name>.json (info plus the file's name) into out_dir; returns the json.
    A new file replaces the .bin, so a rebuild never writes through the link that models/lm's
    files are in the tree (to the bundle's copies) into the shipped bundle."""
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, name + ".bin")
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)
    info = {"file": name + ".bin", **info}
    with open(os.path.join(out_dir, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(info, f, indent=1, sort_keys=True)
        f.write("\n")
    return info


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="training/work/corpus")
    ap.add_argument("--out", default="models/lm")
    ap.add_argument("--order", type=int, default=DEFAULT_ORDER)
    ap.add_argument("--pool", action="store_true", help="add the corpus's training sentence pool (fortunes, WordNet examples)")
    ap.add_argument("--distinct", action="store_true", help="count each sentence once")
    ap.add_argument("--weight", type=float, required=True, help="default fusion weight recorded in lm.json (tuned on validation)")
    ap.add_argument("--oov-penalty", type=float, default=0.0, help="default out-of-vocabulary penalty recorded in lm.json (tuned on validation)")
    ap.add_argument("--word-penalty", type=float, default=0.0, help="default penalty per space recorded in lm.json (tuned on validation)")
    args = ap.parse_args(argv)
    data, info = build(args.corpus, args.order, pool_sentences() if args.pool else (), args.distinct)
    info = write_lm(args.out, "lm", data, {"weight": args.weight, "oovPenalty": args.oov_penalty, "wordPenalty": args.word_penalty, **info})
    print(f"{args.out}/lm.bin: order {args.order}, {info['bytes']} bytes, {info['trainingText']['sentences']} sentences "
          f"({info['trainingText']['droppedHeldOut']} held-out dropped)", file=sys.stderr)


if __name__ == "__main__":
    main()
