"""16-bit PCM WAV reading and writing with the standard library and numpy."""
import os
import wave

import numpy as np

SAMPLE_RATE = 16000
PCM_SCALE = 32768.0


def read_wav(path: str) -> tuple:
    """(samples float64 in [-1, 1], sample rate); mono 16-bit only."""
    with wave.open(path, "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise ValueError(f"read_wav: {path} is not mono 16-bit "
                             f"(channels={w.getnchannels()}, width={w.getsampwidth()})")
        rate = w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return data.astype(np.float64) / PCM_SCALE, rate


def write_wav(path: str, samples: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    """Writes via a temporary name and renames, so an interrupted build leaves no half file."""
    pcm = np.clip(np.round(samples * PCM_SCALE), -32768, 32767).astype("<i2")
    tmp = path + ".part"
    with wave.open(tmp, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    os.replace(tmp, path)


def wav_duration(path: str) -> float:
    with wave.open(path, "rb") as w:
        return w.getnframes() / w.getframerate()
