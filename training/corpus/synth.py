"""Voices and the TTS engines that speak them (espeak-ng, flite, festival).

Engines are found on PATH, so the unpacked prefix of unpack_tts.sh works as well as
the system install. Each call writes a WAV at the engine's native rate; augment.py
converts it to 16 kHz.
"""
import dataclasses
import os
import random
import subprocess
import tempfile

ENGINES = ("espeak", "flite", "festival")

ESPEAK_LANGS = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan",
                "en-gb-x-gbcwmd", "en-029", "en-us-nyc")
ESPEAK_VARIANTS = ("", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4",
                   "klatt", "klatt2", "klatt3", "klatt4", "klatt5", "klatt6")
ESPEAK_RATE_WPM = (130, 200)
ESPEAK_PITCH = (25, 75)
FLITE_TRAIN_VOICES = ("kal", "kal16", "awb", "slt")
FLITE_STRETCH = (0.85, 1.2)
FESTIVAL_TRAIN_VOICES = ("kal_diphone",)

# Held-out evaluation voices: they speak only held-out text into the test sets.
RESERVED = (("festival", "cmu_us_slt_arctic_hts"), ("flite", "rms"))

# Share of training utterances per engine. espeak and flite start in ~20 ms;
# festival loads its voice on every call (~0.6 s), so it gets a small share.
ENGINE_SHARES = (("espeak", 0.62), ("flite", 0.30), ("festival", 0.08))

SYNTH_TIMEOUT_S = 60


@dataclasses.dataclass(frozen=True)
class Voice:
    engine: str
    name: str
    variant: str = ""
    rate: float = 0.0   # espeak: words per minute; flite: duration stretch; 0 = default
    pitch: int = -1     # espeak only: 0..99; -1 = default

    @property
    def reserved(self) -> bool:
        return (self.engine, self.name) in RESERVED

    @property
    def label(self) -> str:
        """Manifest form, e.g. "espeak:en-gb+m3:r170:p40" or "flite:rms"."""
        parts = [f"{self.engine}:{self.name}" + (f"+{self.variant}" if self.variant else "")]
        if self.rate:
            parts.append(f"r{self.rate:g}")
        if self.pitch >= 0:
            parts.append(f"p{self.pitch}")
        return ":".join(parts)


def validate_voice(voice: Voice) -> None:
    if voice.engine not in ENGINES:
        raise ValueError(f"voice.engine: {voice.engine!r} not one of {ENGINES}")
    if not voice.name:
        raise ValueError("voice.name: empty")


def training_voice(rng: random.Random) -> Voice:
    """A random training voice; never a reserved one."""
    engine = rng.choices([e for e, _ in ENGINE_SHARES], [w for _, w in ENGINE_SHARES])[0]
    if engine == "espeak":
        return Voice("espeak", rng.choice(ESPEAK_LANGS), rng.choice(ESPEAK_VARIANTS),
                     rng.randint(*ESPEAK_RATE_WPM), rng.randint(*ESPEAK_PITCH))
    if engine == "flite":
        return Voice("flite", rng.choice(FLITE_TRAIN_VOICES),
                     rate=round(rng.uniform(*FLITE_STRETCH), 2))
    return Voice("festival", rng.choice(FESTIVAL_TRAIN_VOICES))


def reserved_voices() -> list:
    return [Voice(engine, name) for engine, name in RESERVED]


def _command(voice: Voice, text_path: str, wav_path: str) -> list:
    if voice.engine == "espeak":
        name = voice.name + (f"+{voice.variant}" if voice.variant else "")
        cmd = ["espeak-ng", "-v", name, "-w", wav_path, "-f", text_path]
        if voice.rate:
            cmd[1:1] = ["-s", str(int(voice.rate))]
        if voice.pitch >= 0:
            cmd[1:1] = ["-p", str(voice.pitch)]
        return cmd
    if voice.engine == "flite":
        cmd = ["flite", "-voice", voice.name, "-f", text_path, "-o", wav_path]
        if voice.rate:
            cmd += ["--setf", f"duration_stretch={voice.rate}"]
        return cmd
    return ["text2wave", "-eval", f"(voice_{voice.name})", text_path, "-o", wav_path]


def synthesize(voice: Voice, text: str, wav_path: str) -> None:
    """Speaks text into wav_path (native rate); raises RuntimeError naming the voice on failure."""
    validate_voice(voice)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(text + "\n")
        text_path = f.name
    try:
        result = subprocess.run(_command(voice, text_path, wav_path), capture_output=True,
                                timeout=SYNTH_TIMEOUT_S)
    finally:
        os.unlink(text_path)
    if result.returncode != 0 or not os.path.exists(wav_path) or os.path.getsize(wav_path) <= 44:
        raise RuntimeError(f"synthesize: {voice.label} failed on {text!r}: "
                           f"{result.stderr.decode(errors='replace')[-300:]}")
