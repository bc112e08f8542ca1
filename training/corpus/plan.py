"""Deterministic corpus plan: text splits, then one planned utterance per output file.

Held-out text (test) and dev text are drawn first from a seeded shuffle and kept out
of every training draw, compared by normalised text. Plans are generated sequentially
from one seeded RNG per split, so a larger --train extends a smaller one's plan.
"""
import dataclasses
import random
import re

from training.corpus import domain_text
from training.corpus.augment import plan_augmentation
from training.corpus.synth import Voice, reserved_voices, training_voice, validation_voices
from training.corpus.text_sources import sentence_pool
from training.las.text import normalize

DOMAIN_SHARE = 0.4
# Word-count buckets and their shares: a length curriculum needs many short utterances.
LENGTH_BUCKETS = ((3, 8, 0.5), (9, 14, 0.35), (15, 20, 0.15))


@dataclasses.dataclass(frozen=True)
class CorpusOptions:
    seed: int = 1234
    train: int = 12000
    dev: int = 300
    test_pool: int = 300      # held-out pool sentences, spoken by the reserved voices
    test_domain: int = 100    # held-out domain items, spoken by the reserved voices
    dev_pool: int = 200
    dev_domain: int = 100
    longform: int = 10        # groups; each spoken by every reserved voice
    longform_seconds: float = 40.0
    babble_clips: int = 24
    jobs: int = 2


def validate_options(opts: CorpusOptions) -> None:
    for field in dataclasses.fields(opts):
        value = getattr(opts, field.name)
        if value < 0:
            raise ValueError(f"CorpusOptions.{field.name}: must be >= 0, got {value}")
    if opts.jobs < 1:
        raise ValueError(f"CorpusOptions.jobs: must be >= 1, got {opts.jobs}")
    if opts.dev > 0 and opts.dev_pool + opts.dev_domain == 0:
        raise ValueError("CorpusOptions.dev: > 0 needs dev_pool or dev_domain text")


@dataclasses.dataclass(frozen=True)
class Utterance:
    id: str
    split: str
    text: str        # normalised transcript
    tts_text: str    # what the engine reads
    voice: Voice
    aug: dict


@dataclasses.dataclass(frozen=True)
class TextSplits:
    test: tuple      # (tts_text, text) pairs
    dev: tuple
    train_pool: tuple
    held_out: frozenset  # normalised texts that never go into training


def tts_text(raw: str) -> str:
    """The raw sentence keeps prosody from punctuation, unless the engine would read
    its digits or symbols differently from the normaliser; then the normalised form."""
    return normalize(raw) if re.search(r"[0-9%&]", raw) else raw


def _distinct_domain(rng: random.Random, count: int, exclude: set) -> list:
    out, seen = [], set(exclude)
    while len(out) < count:
        kind, text = domain_text.domain_item(rng)
        if text in domain_text.DIGITS or text in seen:
            continue  # ten digits cannot be held out ("number" makes them too); they are trained on
        seen.add(text)
        out.append((text, text))
    return out


def text_splits(opts: CorpusOptions) -> TextSplits:
    pool = sentence_pool()
    rng = random.Random(opts.seed)
    rng.shuffle(pool)
    test = pool[:opts.test_pool]
    dev = pool[opts.test_pool:opts.test_pool + opts.dev_pool]
    train_pool = pool[opts.test_pool + opts.dev_pool:]
    domain_rng = random.Random(opts.seed + 1)
    test += _distinct_domain(domain_rng, opts.test_domain, set())
    dev += _distinct_domain(domain_rng, opts.dev_domain, {t for _, t in test})
    held_out = frozenset(norm for _, norm in test + dev)
    train_pool = [(tts_text(raw), norm) for raw, norm in train_pool if norm not in held_out]
    return TextSplits(tuple((tts_text(r), n) for r, n in test),
                      tuple((tts_text(r), n) for r, n in dev), tuple(train_pool), held_out)


def _bucketed(pool: tuple) -> list:
    buckets = []
    for low, high, share in LENGTH_BUCKETS:
        items = [p for p in pool if low <= len(p[1].split()) <= high]
        buckets.append((items, share))
    return buckets


def train_plan(opts: CorpusOptions, splits: TextSplits) -> list:
    rng = random.Random(opts.seed + 2)
    buckets = _bucketed(splits.train_pool)
    cursors = [0] * len(buckets)  # walk each shuffled bucket so sentences rarely repeat
    for items, _ in buckets:
        rng.shuffle(items)
    plan = []
    for i in range(opts.train):
        if rng.random() < DOMAIN_SHARE:
            _, text = domain_text.domain_item(rng)
            while text in splits.held_out:
                _, text = domain_text.domain_item(rng)
            spoken = text
        else:
            b = rng.choices(range(len(buckets)), [s for _, s in buckets])[0]
            items = buckets[b][0]
            spoken, text = items[cursors[b] % len(items)]
            cursors[b] += 1
        plan.append(Utterance(f"tr{i:06d}", "train", text, spoken, training_voice(rng),
                              plan_augmentation(rng)))
    return plan


def dev_plan(opts: CorpusOptions, splits: TextSplits) -> list:
    rng = random.Random(opts.seed + 3)
    plan = []
    for i in range(opts.dev):
        spoken, text = splits.dev[i % len(splits.dev)]
        plan.append(Utterance(f"dv{i:05d}", "dev", text, spoken, training_voice(rng),
                              plan_augmentation(rng)))
    return plan


def validation_plan(opts: CorpusOptions, splits: TextSplits) -> list:
    """Dev text once per item, the validation voices (held out of training) taking turns;
    clean, like the test split, so checkpoint choice tracks what the test measures."""
    rng = random.Random(opts.seed + 6)
    voices = validation_voices()
    return [Utterance(f"va{i:05d}", "validation", text, spoken, voices[i % len(voices)],
                      plan_augmentation(rng, clean=True))
            for i, (spoken, text) in enumerate(splits.dev)]


def test_plan(opts: CorpusOptions, splits: TextSplits) -> list:
    """Each held-out text once, the reserved voices taking turns; clean."""
    rng = random.Random(opts.seed + 4)
    voices = reserved_voices()
    return [Utterance(f"ts{i:05d}", "test", text, spoken, voices[i % len(voices)],
                      plan_augmentation(rng, clean=True))
            for i, (spoken, text) in enumerate(splits.test)]


def longform_groups(opts: CorpusOptions, splits: TextSplits) -> list:
    """Groups of held-out pool sentences of about longform_seconds (2.6 words/s estimate)."""
    words_per_group = opts.longform_seconds * 2.6
    sentences = [p for p in splits.test[:opts.test_pool]]
    groups, current, words = [], [], 0
    for pair in sentences:
        current.append(pair)
        words += len(pair[1].split())
        if words >= words_per_group:
            groups.append(current)
            current, words = [], 0
        if len(groups) == opts.longform:
            break
    return groups


def babble_plan(opts: CorpusOptions, splits: TextSplits) -> list:
    rng = random.Random(opts.seed + 5)
    long_items = [p for p in splits.train_pool if len(p[1].split()) >= 10]
    plan = []
    for i in range(opts.babble_clips if long_items else 0):
        spoken, text = rng.choice(long_items)
        plan.append(Utterance(f"bb{i:03d}", "babble", text, spoken, training_voice(rng),
                              plan_augmentation(rng, clean=True)))
    return plan
