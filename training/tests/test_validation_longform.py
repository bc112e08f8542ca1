"""validation_longform: the tuning twin of the held-out long-form set."""
import csv
import os

import numpy as np

from training.corpus.build import LONGFORM_PAUSE_S
from training.corpus.validation_longform import build, group_rows, trim_digital_silence
from training.corpus.wavio import SAMPLE_RATE, read_wav, write_wav


def test_trim_drops_only_the_padding_zeros():
    speech = np.array([0.1, 0.0, -0.2, 0.05])
    padded = np.concatenate([np.zeros(100), speech, np.zeros(37)])
    assert np.array_equal(trim_digital_silence(padded), speech)  # the inner zero stays
    assert len(trim_digital_silence(np.zeros(50))) == 0


def test_groups_keep_one_voice_and_order():
    rows = [{"voice": v, "duration": "10", "id": f"{v}{i}"} for v in ("a", "b") for i in range(9)]
    groups = group_rows(rows, 40.0)
    for voice, group in groups:
        assert {r["voice"] for r in group} == {voice}
        ids = [r["id"] for r in group]
        assert ids == sorted(ids)
    # 4 x (10 + 0.3) s reaches 40 s; the 9th clip alone (10.3 s < 20 s) is dropped
    assert [len(g) for _, g in groups] == [4, 4, 4, 4]


def test_build_joins_clips_with_the_long_form_pause(tmp_path):
    corpus = str(tmp_path)
    os.makedirs(os.path.join(corpus, "wav"))
    rng = np.random.default_rng(0)
    rows, lengths = [], []
    for i in range(3):
        n = 8000 + 1000 * i
        speech = rng.uniform(0.05, 0.5, n) * rng.choice([-1, 1], n)
        write_wav(os.path.join(corpus, "wav", f"v{i}.wav"), np.concatenate([np.zeros(1600), speech, np.zeros(800)]))
        rows.append((f"v{i}", f"wav/v{i}.wav", "pico:en-GB", f"{(n + 2400) / SAMPLE_RATE:.3f}", f"text {i}", "clean"))
        lengths.append(n)
    with open(os.path.join(corpus, "validation.tsv"), "w") as f:
        f.write("id\tpath\tvoice\tduration\ttext\taug\n" + "".join("\t".join(r) + "\n" for r in rows))
    out = build(corpus, seconds=1.0)
    assert [r[4] for r in out] == ["text 0 text 1", "text 2"]
    signal, _ = read_wav(os.path.join(corpus, out[0][1]))
    pause = int(LONGFORM_PAUSE_S * SAMPLE_RATE)
    assert len(signal) == 3 * pause + lengths[0] + lengths[1]
    assert not signal[:pause].any() and signal[pause] != 0
    with open(os.path.join(corpus, "validation_longform.tsv")) as f:
        assert len(list(csv.DictReader(f, delimiter="\t"))) == 2
