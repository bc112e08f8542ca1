"""A long-form set made of the validation voices, for tuning what the held-out long-form set measures.

The held-out long-form set (longform.tsv) is spoken by the reserved voices, so nothing may be
chosen on it: segmentation and long-recording decoding are tuned here instead. Each recording
joins one validation voice's clean utterances, in manifest order, until about `seconds` of
audio, the way build_longform joins its parts: the digital-silence padding of each clip is
removed and LONGFORM_PAUSE_S of silence goes between sentences and at the start and end.

    python3 -m training.corpus.validation_longform --corpus training/work/corpus

writes <corpus>/wav/vlf_*.wav and <corpus>/validation_longform.tsv (same columns as the others).
"""
import argparse
import csv
import os
from collections import OrderedDict

import numpy as np

from training.corpus.build import LONGFORM_PAUSE_S, join_with_pauses, write_manifest
from training.corpus.wavio import SAMPLE_RATE, read_wav, write_wav

def trim_digital_silence(samples: np.ndarray) -> np.ndarray:
    """Drops the exact zeros the corpus pads clean clips with; a clip of zeros gives an empty array."""
    nonzero = np.flatnonzero(np.round(samples * 32768.0) != 0)
    if len(nonzero) == 0:
        return samples[:0]
    return samples[nonzero[0]:nonzero[-1] + 1]


def group_rows(rows: list, seconds: float) -> list:
    """[(voice, [row, ...]), ...]: each voice's rows in order, cut into groups of about `seconds`."""
    by_voice = OrderedDict()
    for row in rows:
        by_voice.setdefault(row["voice"], []).append(row)
    groups = []
    for voice, voice_rows in by_voice.items():
        current, total = [], 0.0
        for row in voice_rows:
            current.append(row)
            total += float(row["duration"]) + LONGFORM_PAUSE_S
            if total >= seconds:
                groups.append((voice, current))
                current, total = [], 0.0
        # a short remainder is dropped rather than making a recording unlike the others
        if current and total >= seconds / 2:
            groups.append((voice, current))
    return groups


def build(corpus: str, seconds: float = 40.0, manifest: str = "validation.tsv",
          out_name: str = "validation_longform.tsv") -> list:
    with open(os.path.join(corpus, manifest), encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r.get("aug", "clean") == "clean"]
    if not rows:
        raise ValueError(f"validation_longform: no clean rows in {os.path.join(corpus, manifest)}")
    out_rows = []
    for g, (voice, group) in enumerate(group_rows(rows, seconds)):
        clips = []
        for row in group:
            samples, rate = read_wav(os.path.join(corpus, row["path"]))
            if rate != SAMPLE_RATE:
                raise ValueError(f"validation_longform: {row['path']} is {rate} Hz, not {SAMPLE_RATE}")
            clips.append(trim_digital_silence(samples))
        utt_id = f"vlf_{g:02d}"
        rel = f"wav/{utt_id}.wav"
        signal = join_with_pauses(clips)
        write_wav(os.path.join(corpus, rel), signal)
        text = " ".join(row["text"] for row in group)
        out_rows.append((utt_id, rel, voice, f"{len(signal) / SAMPLE_RATE:.3f}", text, "clean"))
    write_manifest(os.path.join(corpus, out_name), out_rows)
    return out_rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="training/work/corpus")
    ap.add_argument("--seconds", type=float, default=40.0)
    args = ap.parse_args(argv)
    rows = build(args.corpus, args.seconds)
    hours = sum(float(r[3]) for r in rows) / 3600
    print(f"validation_longform: {len(rows)} recordings, {hours * 60:.1f} min -> "
          f"{os.path.join(args.corpus, 'validation_longform.tsv')}")


if __name__ == "__main__":
    main()
