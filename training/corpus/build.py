"""Builds the corpus: /usr/bin/python3 -m training.corpus.build --out training/work/corpus

Order: babble bank, dev, validation (validation.tsv), train -> train.tsv, dev.tsv, READY;
then test and longform.
Resumable: existing WAVs are kept and only their durations re-read.
"""
import argparse
import dataclasses
import multiprocessing
import os
import sys
import tempfile
import time

import numpy as np

from training.corpus.augment import describe, render
from training.corpus.plan import (CorpusOptions, Utterance, babble_plan, dev_plan, longform_groups,
                                  test_plan, text_splits, train_plan, validate_options,
                                  validation_plan)
from training.corpus.synth import reserved_voices, synthesize
from training.corpus.wavio import SAMPLE_RATE, read_wav, wav_duration, write_wav

MANIFEST_HEADER = ("id", "path", "voice", "duration", "text", "aug")
MAX_TRAIN_SECONDS = 8.0
LONGFORM_PAUSE_S = 0.3

_babble_bank = []  # per worker process: clean babble clips, loaded once


def _init_worker(babble_dir: str) -> None:
    _babble_bank.clear()
    if os.path.isdir(babble_dir):
        for name in sorted(os.listdir(babble_dir)):
            if name.endswith(".wav"):
                _babble_bank.append(read_wav(os.path.join(babble_dir, name))[0])


def _make_one(job: tuple) -> tuple:
    """(utterance, wav path) -> (id, duration or None, error text)."""
    utt, path = job
    fd, raw = tempfile.mkstemp(suffix=".wav")
    os.close(fd)
    try:
        synthesize(utt.voice, utt.tts_text, raw)
        return utt.id, render(raw, path, utt.aug, utt.id, _babble_bank), ""
    except Exception as err:  # one bad utterance must not stop a 90-minute build
        return utt.id, None, str(err)
    finally:
        os.unlink(raw)


def _signature(utt) -> str:
    return f"{utt.voice.label}|{utt.tts_text}|{sorted(utt.aug.items())}"


def _drop_stale(plan: list, wav_dir: str) -> None:
    """Deletes WAVs whose recorded plan differs from this one (code or flags changed), so
    resuming never mixes a new transcript with old audio."""
    state_path = os.path.join(wav_dir, "plan_state.tsv")
    state = {}
    if os.path.exists(state_path):
        with open(state_path, encoding="utf-8") as f:
            state = dict(line.rstrip("\n").split("\t", 1) for line in f if "\t" in line)
    for utt in plan:
        sig = _signature(utt)
        if state.get(utt.id, sig) != sig:
            path = os.path.join(wav_dir, utt.id + ".wav")
            if os.path.exists(path):
                os.unlink(path)
        state[utt.id] = sig
    with open(state_path + ".part", "w", encoding="utf-8") as f:
        f.writelines(f"{k}\t{v}\n" for k, v in sorted(state.items()))
    os.replace(state_path + ".part", state_path)


def make_all(plan: list, wav_dir: str, babble_dir: str, jobs: int, label: str) -> dict:
    """Synthesises the missing WAVs; returns {id: duration} for every WAV that exists."""
    os.makedirs(wav_dir, exist_ok=True)
    _drop_stale(plan, wav_dir)
    durations, todo = {}, []
    for utt in plan:
        path = os.path.join(wav_dir, utt.id + ".wav")
        if os.path.exists(path):
            durations[utt.id] = wav_duration(path)
        else:
            todo.append((utt, path))
    start, failures = time.time(), 0
    with multiprocessing.Pool(jobs, _init_worker, (babble_dir,)) as pool:
        for n, (utt_id, duration, error) in enumerate(pool.imap_unordered(_make_one, todo, 8), 1):
            if duration is None:
                failures += 1
                print(f"[{label}] skipped {utt_id}: {error}", file=sys.stderr)
            else:
                durations[utt_id] = duration
            if n % 500 == 0 or n == len(todo):
                print(f"[{label}] {n}/{len(todo)} new, {time.time() - start:.0f} s", flush=True)
    if failures:
        print(f"[{label}] {failures} utterances failed", file=sys.stderr)
    return durations


def write_manifest(path: str, rows: list) -> None:
    tmp = path + ".part"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\t".join(MANIFEST_HEADER) + "\n")
        for row in rows:
            f.write("\t".join(str(v) for v in row) + "\n")
    os.replace(tmp, path)


def manifest_rows(plan: list, durations: dict, max_seconds: float = float("inf")) -> list:
    return [(u.id, f"wav/{u.id}.wav", u.voice.label, f"{durations[u.id]:.3f}", u.text,
             describe(u.aug))
            for u in plan if u.id in durations and durations[u.id] <= max_seconds]


def join_with_pauses(clips: list, peak_db: float = -3.0) -> np.ndarray:
    """A long-form recording: the clips with LONGFORM_PAUSE_S of silence before, between and after them, peak at peak_db."""
    pause = np.zeros(int(LONGFORM_PAUSE_S * SAMPLE_RATE))
    pieces = [pause]
    for clip in clips:
        pieces += [clip, pause]
    signal = np.concatenate(pieces)
    return signal * (10 ** (peak_db / 20) / (np.max(np.abs(signal)) + 1e-12))


def build_longform(opts: CorpusOptions, splits, out: str) -> list:
    """Each group's clean clips per reserved voice, joined with short pauses."""
    groups = longform_groups(opts, splits)
    parts_dir = os.path.join(out, "longform_parts")
    rows = []
    for voice in reserved_voices():
        vname = voice.name
        for g, group in enumerate(groups):
            utt_id = f"lf_{vname}_{g:02d}"
            path = os.path.join(out, "wav", utt_id + ".wav")
            parts = [Utterance(f"lp_{vname}_{g:02d}_{k:02d}", "longform", text, spoken, voice,
                               {"peak_db": -3.0, "pad": (0.0, 0.0)})
                     for k, (spoken, text) in enumerate(group)]
            if not os.path.exists(path):
                durs = make_all(parts, parts_dir, "", opts.jobs, f"longform {utt_id}")
                if len(durs) != len(parts):
                    continue
                write_wav(path, join_with_pauses([read_wav(os.path.join(parts_dir, p.id + ".wav"))[0] for p in parts]))
            text = " ".join(p.text for p in parts)
            rows.append((utt_id, f"wav/{utt_id}.wav", voice.label,
                         f"{wav_duration(path):.3f}", text, "clean"))
    return rows


def existing_durations(plan: list, wav_dir: str) -> dict:
    durations = {}
    for utt in plan:
        path = os.path.join(wav_dir, utt.id + ".wav")
        if os.path.exists(path):
            durations[utt.id] = wav_duration(path)
    return durations


def write_train_dev(opts: CorpusOptions, out: str, splits, durations: dict, note: str) -> None:
    dev, train = dev_plan(opts, splits), train_plan(opts, splits)
    train_rows = manifest_rows(train, durations, MAX_TRAIN_SECONDS)
    dev_rows = manifest_rows(dev, durations, MAX_TRAIN_SECONDS)
    write_manifest(os.path.join(out, "dev.tsv"), dev_rows)
    write_manifest(os.path.join(out, "train.tsv"), train_rows)
    with open(os.path.join(out, "READY"), "w") as f:
        f.write(f"train {len(train_rows)} utts {_hours(train_rows):.2f} h; "
                f"dev {len(dev_rows)}; {note}\n")
    print(f"READY: train {len(train_rows)} ({_hours(train_rows):.2f} h), dev {len(dev_rows)} "
          f"({_hours(dev_rows):.2f} h); {note}", flush=True)


def snapshot(opts: CorpusOptions, out: str) -> None:
    """Manifests of the train/dev WAVs that exist now, while a build is still running:
    an early training set (the plan is uniform, so any prefix is representative)."""
    validate_options(opts)
    splits = text_splits(opts)
    plans = dev_plan(opts, splits) + train_plan(opts, splits)
    durations = existing_durations(plans, os.path.join(out, "wav"))
    write_train_dev(opts, out, splits, durations,
                    f"snapshot of a running build ({opts.train} planned); the finished build rewrites this")


def _hours(rows: list) -> float:
    return sum(float(r[3]) for r in rows) / 3600


def build(opts: CorpusOptions, out: str, splits=None, train_only: bool = False) -> None:
    """splits: precomputed text_splits(opts) (tests reuse one); None computes them.
    train_only: stop after train.tsv/dev.tsv/READY (no test or longform audio)."""
    validate_options(opts)
    t0 = time.time()
    os.makedirs(out, exist_ok=True)
    splits = splits or text_splits(opts)
    for name, pairs in (("test_text.txt", splits.test), ("dev_text.txt", splits.dev)):
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.writelines(norm + "\n" for _, norm in pairs)
    wav_dir, babble_dir = os.path.join(out, "wav"), os.path.join(out, "babble")
    make_all(babble_plan(opts, splits), babble_dir, "", opts.jobs, "babble")
    dev, train = dev_plan(opts, splits), train_plan(opts, splits)
    durations = make_all(dev, wav_dir, babble_dir, opts.jobs, "dev")
    valid = validation_plan(opts, splits)
    valid_rows = manifest_rows(valid, make_all(valid, wav_dir, "", opts.jobs, "validation"))
    write_manifest(os.path.join(out, "validation.tsv"), valid_rows)
    durations.update(make_all(train, wav_dir, babble_dir, opts.jobs, "train"))
    write_train_dev(opts, out, splits, durations, f"complete, built in {time.time() - t0:.0f} s")
    if train_only:
        return
    test = test_plan(opts, splits)
    test_rows = manifest_rows(test, make_all(test, wav_dir, "", opts.jobs, "test"))
    write_manifest(os.path.join(out, "test.tsv"), test_rows)
    long_rows = build_longform(opts, splits, out)
    write_manifest(os.path.join(out, "longform.tsv"), long_rows)
    print(f"done: test {len(test_rows)} ({_hours(test_rows):.2f} h), longform {len(long_rows)} "
          f"({_hours(long_rows):.2f} h), total {time.time() - t0:.0f} s", flush=True)


def parse_args(argv: list) -> tuple:
    defaults = CorpusOptions()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="training/work/corpus")
    parser.add_argument("--snapshot", action="store_true",
                        help="only write train/dev manifests and READY for the WAVs that exist")
    parser.add_argument("--train-only", action="store_true",
                        help="stop after train/dev/validation (no test or longform audio)")
    for field in dataclasses.fields(CorpusOptions):
        flag = "--" + field.name.replace("_", "-")
        parser.add_argument(flag, type=field.type, default=getattr(defaults, field.name))
    args = parser.parse_args(argv)
    opts = CorpusOptions(**{f.name: getattr(args, f.name) for f in dataclasses.fields(CorpusOptions)})
    return opts, args.out, args.snapshot, args.train_only


if __name__ == "__main__":
    _opts, _out, _snapshot, _train_only = parse_args(sys.argv[1:])
    if _snapshot:
        snapshot(_opts, _out)
    else:
        build(_opts, _out, train_only=_train_only)
