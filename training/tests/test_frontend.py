"""Front end: contract invariants and parity with the TypeScript implementation."""
import json
import os
import subprocess

import numpy as np
import pytest

from training.las.frontend import DEFAULT_FRONTEND, log_mel, mel_filterbank, num_frames

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TS_LOGMEL = os.path.join(REPO, "src", "features", "logMel.ts")
SR = DEFAULT_FRONTEND.sampleRate


def test_frame_count_follows_contract():
    assert num_frames(399) == 0 and num_frames(400) == 1 and num_frames(559) == 1 and num_frames(560) == 2
    assert log_mel(np.zeros(399)).shape == (0, 80)
    assert log_mel(np.zeros(16000)).shape == (1 + (16000 - 400) // 160, 80)


def test_silence_hits_the_log_floor():
    assert np.allclose(log_mel(np.zeros(800)), np.log(1e-10))


def test_sine_peaks_in_the_filter_around_its_frequency():
    t = np.arange(SR) / SR
    feats = log_mel(0.5 * np.sin(2 * np.pi * 1000 * t))
    fb = mel_filterbank(DEFAULT_FRONTEND)
    bin_1k = int(round(1000 * DEFAULT_FRONTEND.nFft / SR))
    assert feats.mean(0).argmax() == fb[bin_1k].argmax()


def test_filterbank_triangles():
    fb = mel_filterbank(DEFAULT_FRONTEND)
    assert fb.shape == (257, 80) and fb.min() >= 0 and fb.max() <= 1
    assert np.all(fb.sum(0) > 0)  # every filter covers at least one bin


def test_rejects_non_finite_and_2d():
    with pytest.raises(ValueError, match="NaN"):
        log_mel(np.array([0.0, np.nan] * 400))
    with pytest.raises(ValueError, match="1-D"):
        log_mel(np.zeros((2, 400)))


@pytest.mark.skipif(not os.path.exists(TS_LOGMEL), reason="src/features/logMel.ts is missing")
def test_parity_with_typescript(tmp_path):
    rng = np.random.default_rng(7)
    t = np.arange(int(1.3 * SR)) / SR
    chirp = 0.4 * np.sin(2 * np.pi * (100 * t + 0.5 * 3000 * t ** 2))  # 100 Hz -> 4 kHz
    signal = (chirp + 0.05 * rng.standard_normal(len(t))).astype(np.float32)
    signal[:800] = 0.0  # include frames at the log floor
    src, dst = tmp_path / "x.f32", tmp_path / "y.f32"
    signal.tofile(src)
    proc = subprocess.run(["npx", "tsx", "training/tools/logmel.ts", str(src), str(dst)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    meta = json.loads(proc.stdout.strip().splitlines()[-1])
    ts = np.fromfile(dst, dtype="<f4").reshape(meta["frames"], meta["dim"])
    py = log_mel(signal.astype(np.float64))
    assert ts.shape == py.shape
    assert np.abs(ts - py).max() < 1e-4
