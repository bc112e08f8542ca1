"""Log-mel front end, docs/contracts.md section 2, in numpy float64.

The TypeScript side (src/features/logMel.ts) implements the same computation; the parity test
(training/tests/test_frontend.py) holds the two equal to 1e-4.
"""
from dataclasses import dataclass, asdict
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class FrontEndConfig:
    """Field names match src/features/config.ts FrontEndConfig (recorded in bundles)."""
    sampleRate: int = 16000
    frameLength: int = 400  # 25 ms
    hopLength: int = 160  # 10 ms
    nFft: int = 512
    nMels: int = 80
    fMin: float = 20.0
    fMax: float = 8000.0
    logFloor: float = 1e-10
    window: str = "hann-periodic"

    def to_json(self) -> dict:
        return asdict(self)


DEFAULT_FRONTEND = FrontEndConfig()


def validate_frontend(cfg: FrontEndConfig) -> FrontEndConfig:
    if cfg.nFft < cfg.frameLength or cfg.nFft & (cfg.nFft - 1):
        raise ValueError(f"nFft must be a power of two >= frameLength, got {cfg.nFft}")
    if not (0 <= cfg.fMin < cfg.fMax <= cfg.sampleRate / 2):
        raise ValueError(f"need 0 <= fMin < fMax <= sampleRate/2, got {cfg.fMin}..{cfg.fMax}")
    if cfg.window != "hann-periodic":
        raise ValueError(f"unknown window {cfg.window!r}")
    return cfg


def num_frames(num_samples: int, cfg: FrontEndConfig = DEFAULT_FRONTEND) -> int:
    if num_samples < cfg.frameLength:
        return 0
    return 1 + (num_samples - cfg.frameLength) // cfg.hopLength


def _hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def _mel_to_hz(m):
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


@lru_cache(maxsize=4)
def mel_filterbank(cfg: FrontEndConfig = DEFAULT_FRONTEND) -> np.ndarray:
    """[nFft/2+1, nMels] triangular HTK filters, no area normalisation."""
    edges = _mel_to_hz(np.linspace(_hz_to_mel(cfg.fMin), _hz_to_mel(cfg.fMax), cfg.nMels + 2))
    freqs = np.arange(cfg.nFft // 2 + 1, dtype=np.float64) * cfg.sampleRate / cfg.nFft  # [K]
    left, centre, right = edges[:-2], edges[1:-1], edges[2:]  # [M] each
    rising = (freqs[:, None] - left) / (centre - left)  # [K, M]
    falling = (right - freqs[:, None]) / (right - centre)  # [K, M]
    return np.maximum(0.0, np.minimum(rising, falling))


@lru_cache(maxsize=4)
def _window(cfg: FrontEndConfig) -> np.ndarray:
    n = np.arange(cfg.frameLength, dtype=np.float64)
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * n / cfg.frameLength)


def log_mel(samples: np.ndarray, cfg: FrontEndConfig = DEFAULT_FRONTEND) -> np.ndarray:
    """Mono samples in [-1, 1] at cfg.sampleRate -> float32 [frames, nMels]."""
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"samples must be 1-D, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("samples contain NaN or Inf")
    frames = num_frames(len(x), cfg)
    if frames == 0:
        return np.zeros((0, cfg.nMels), dtype=np.float32)
    # [frames, frameLength] views into x, no copy until the window multiply
    framed = np.lib.stride_tricks.as_strided(
        x, shape=(frames, cfg.frameLength), strides=(x.strides[0] * cfg.hopLength, x.strides[0]),
        writeable=False)
    spectrum = np.fft.rfft(framed * _window(cfg), n=cfg.nFft, axis=1)  # [frames, K]
    power = spectrum.real ** 2 + spectrum.imag ** 2
    energy = power @ mel_filterbank(cfg)  # [frames, nMels]
    return np.log(np.maximum(energy, cfg.logFloor)).astype(np.float32)
