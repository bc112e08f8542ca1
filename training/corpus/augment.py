"""Waveform augmentation: sox effects, then noise, padding and peak level in numpy.

An augmentation is planned (a plain dict, recorded in the manifest) separately from
being applied, so the plan is deterministic from the seed and a resumed build
re-creates the same manifest without redoing audio.
"""
import os
import random
import subprocess
import tempfile
import zlib

import numpy as np

from training.corpus.wavio import SAMPLE_RATE, read_wav, write_wav

CLEAN_SHARE = 0.25
NOISE_TYPES = ("white", "pink", "brown", "babble")
SNR_DB = (5.0, 30.0)
PEAK_DBFS = (-12.0, -1.0)
MAX_EDGE_SILENCE_S = 0.3
# espeak and flite start speech within a few ms of the file start; -50 dB keeps weak
# fricatives ("f" of "four") that a higher threshold would cut.
TRIM_THRESHOLD = "-50d"
BABBLE_TALKERS = (3, 6)
SOX_TIMEOUT_S = 60


def plan_augmentation(rng: random.Random, clean: bool = False) -> dict:
    """Random subset of effects; clean=True (test sets) or CLEAN_SHARE gives none."""
    plan = {"peak_db": round(rng.uniform(*PEAK_DBFS), 1),
            "pad": (round(rng.uniform(0.05, MAX_EDGE_SILENCE_S), 2),
                    round(rng.uniform(0.05, MAX_EDGE_SILENCE_S), 2))}
    if clean or rng.random() < CLEAN_SHARE:
        return plan
    if rng.random() < 0.5:
        plan[rng.choice(("tempo", "speed"))] = round(rng.uniform(0.85, 1.15), 3)
    if rng.random() < 0.3:
        plan["pitch"] = rng.randint(-300, 300)
    if rng.random() < 0.25:
        plan["reverb"] = rng.randint(20, 70)
    if rng.random() < 0.25:
        plan["tel8k"] = True
    if rng.random() < 0.5:
        plan["noise"] = rng.choice(NOISE_TYPES)
        plan["snr_db"] = round(rng.uniform(*SNR_DB), 1)
    return plan


def describe(plan: dict) -> str:
    """Manifest form: "clean" or e.g. "tempo=1.05,reverb=40,noise=pink@12.5dB"."""
    parts = []
    for key in ("tempo", "speed", "pitch", "reverb"):
        if key in plan:
            parts.append(f"{key}={plan[key]}")
    if plan.get("tel8k"):
        parts.append("tel8k")
    if "noise" in plan:
        parts.append(f"noise={plan['noise']}@{plan['snr_db']}dB")
    return ",".join(parts) or "clean"


def _sox_effects(plan: dict) -> list:
    trim = ["silence", "1", "0.01", TRIM_THRESHOLD]
    effects = ["rate", "-h", str(SAMPLE_RATE)] + trim + ["reverse"] + trim + ["reverse"]
    if "tempo" in plan:
        effects += ["tempo", "-s", str(plan["tempo"])]
    if "speed" in plan:
        effects += ["speed", str(plan["speed"]), "rate", "-h", str(SAMPLE_RATE)]
    if "pitch" in plan:
        effects += ["pitch", str(plan["pitch"])]
    if "reverb" in plan:
        effects += ["reverb", str(plan["reverb"])]
    if plan.get("tel8k"):
        # Telephone band: the real digits evaluation set is 8 kHz.
        effects += ["rate", "-h", "8000", "rate", "-h", str(SAMPLE_RATE)]
    return effects


def _coloured_noise(rng: np.random.Generator, n: int, exponent: float) -> np.ndarray:
    """Noise with power spectrum ~ 1/f^exponent (0 white, 1 pink, 2 brown)."""
    spectrum = np.fft.rfft(rng.standard_normal(n))  # [n // 2 + 1]
    freqs = np.arange(len(spectrum), dtype=np.float64)
    freqs[0] = 1.0
    noise = np.fft.irfft(spectrum / freqs ** (exponent / 2), n)
    return noise - noise.mean()


def _babble(rng: np.random.Generator, n: int, bank: list) -> np.ndarray:
    out = np.zeros(n)
    for _ in range(int(rng.integers(*BABBLE_TALKERS, endpoint=True))):
        clip = bank[int(rng.integers(len(bank)))]
        reps = int(np.ceil((n + len(clip)) / len(clip)))
        looped = np.tile(clip, reps)
        start = int(rng.integers(len(clip)))
        out += looped[start:start + n] / (np.sqrt(np.mean(clip ** 2)) + 1e-9)
    return out


def make_noise(kind: str, n: int, seed: int, babble_bank: list) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "babble":
        if not babble_bank:
            raise ValueError("make_noise: babble requested but the babble bank is empty")
        return _babble(rng, n, babble_bank)
    exponent = {"white": 0.0, "pink": 1.0, "brown": 2.0}[kind]
    return _coloured_noise(rng, n, exponent)


def render(raw_path: str, out_path: str, plan: dict, utt_id: str, babble_bank: list = ()) -> float:
    """Native-rate TTS WAV -> augmented 16 kHz mono 16-bit WAV; returns its duration (s)."""
    fd, stage = tempfile.mkstemp(suffix=".wav")
    os.close(fd)
    try:
        # -R: sox dithers where an effect (rate, tempo, ...) leaves more precision than 16 bits,
        # and without it seeds the dither anew on every run, so a rebuilt corpus differed by up
        # to 3 LSB in every file of a voice sox resamples (RHVoice, festival's HTS voices).
        cmd = ["sox", "-R", "-V1", raw_path, "-c", "1", "-b", "16", "-e", "signed-integer", stage]
        result = subprocess.run(cmd + _sox_effects(plan), capture_output=True,
                                timeout=SOX_TIMEOUT_S)
        if result.returncode != 0:
            raise RuntimeError(f"render: sox failed for {utt_id}: "
                               f"{result.stderr.decode(errors='replace')[-300:]}")
        speech, rate = read_wav(stage)
    finally:
        os.unlink(stage)
    if rate != SAMPLE_RATE or len(speech) == 0:
        raise RuntimeError(f"render: {utt_id} gave no speech at {SAMPLE_RATE} Hz (rate {rate})")
    # sox reverb and tempo may leave a tail; cap the edge silence again after padding.
    lead, tail = (int(p * SAMPLE_RATE) for p in plan["pad"])
    signal = np.concatenate([np.zeros(lead), speech, np.zeros(tail)])
    if "noise" in plan:
        seed = zlib.crc32(utt_id.encode())
        noise = make_noise(plan["noise"], len(signal), seed, list(babble_bank))
        speech_power = np.mean(speech ** 2) + 1e-12
        noise_power = np.mean(noise ** 2) + 1e-12
        gain = np.sqrt(speech_power / (noise_power * 10 ** (plan["snr_db"] / 10)))
        signal = signal + gain * noise
    peak = np.max(np.abs(signal)) + 1e-12
    signal *= 10 ** (plan["peak_db"] / 20) / peak
    write_wav(out_path, signal)
    return len(signal) / SAMPLE_RATE
