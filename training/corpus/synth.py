"""Voices and the TTS engines that speak them (espeak-ng with its MBROLA voices, flite,
festival, RHVoice, Pico).

Engines are found on PATH, so the unpacked prefix of unpack_tts.sh works as well as
the system install. Each call writes a WAV at the engine's native rate; augment.py
converts it to 16 kHz.
"""
import dataclasses
import os
import random
import re
import subprocess
import tempfile

ENGINES = ("espeak", "flite", "festival", "rhvoice", "pico")

ESPEAK_LANGS = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan",
                "en-gb-x-gbcwmd", "en-029", "en-us-nyc")
ESPEAK_VARIANTS = ("", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4",
                   "klatt", "klatt2", "klatt3", "klatt4", "klatt5", "klatt6")
ESPEAK_RATE_WPM = (130, 200)
ESPEAK_PITCH = (25, 75)
# MBROLA diphone voices, spoken through espeak-ng (`-v mb-us1`): American, British and
# English with a German, French, Greek, ... accent (packages mbrola-*).
MBROLA_TRAIN_VOICES = ("mb-us1", "mb-us3", "mb-en1", "mb-de1-en", "mb-de2-en", "mb-de3-en",
                       "mb-de4-en", "mb-de5-en", "mb-de6-en", "mb-fr1-en", "mb-fr4-en",
                       "mb-gr2-en", "mb-hu1-en", "mb-nl2-en", "mb-pl1-en", "mb-ro1-en",
                       "mb-sw1-en", "mb-sw2-en", "mb-af1-en")
MBROLA_RATE_WPM = (140, 190)
# flite's slt is the CMU ARCTIC speaker slt, reserved for testing; rms is reserved too.
FLITE_TRAIN_VOICES = ("kal", "kal16", "awb")
FLITE_STRETCH = (0.85, 1.2)
FESTIVAL_TRAIN_VOICES = ("kal_diphone", "ked_diphone", "rab_diphone", "don_diphone")
# RHVoice English: evgeniy-eng and lyubov are CC BY-NC-ND (no derived works): never used.
RHVOICE_TRAIN_VOICES = ("alan", "bdl")
PICO_TRAIN_VOICES = ("en-US",)

# Held-out evaluation voices: they speak only held-out text into the test sets.
RESERVED = (("festival", "cmu_us_slt_arctic_hts"), ("flite", "rms"))
# The reserved speakers in any engine: never trained on, whatever the engine calls them.
RESERVED_SPEAKERS = ("slt", "rms")
# Validation voices: held out of training, they speak dev text (validation.tsv); checkpoints
# and decoding weights are chosen on them, never on the reserved test voices.
VALIDATION = (("rhvoice", "clb"), ("pico", "en-GB"), ("espeak", "mb-us2"))

# Share of training utterances per engine (espeak-mbrola is espeak-ng with an MBROLA voice).
# espeak, flite, pico and RHVoice start in ~20-100 ms; festival loads its voice on every call
# (~0.6 s), so it gets a smaller share.
ENGINE_SHARES = (("espeak", 0.40), ("espeak-mbrola", 0.18), ("flite", 0.16), ("festival", 0.08),
                 ("rhvoice", 0.10), ("pico", 0.08))

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
        """A reserved test speaker, in any engine (flite slt, RHVoice slt, cmu_us_slt*, rms)."""
        return (self.engine, self.name) in RESERVED or any(
            re.search(rf"(^|_){speaker}(_|$)", self.name) for speaker in RESERVED_SPEAKERS)

    @property
    def validation(self) -> bool:
        return (self.engine, self.name) in VALIDATION

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
    if engine == "espeak-mbrola":
        return Voice("espeak", rng.choice(MBROLA_TRAIN_VOICES), rate=rng.randint(*MBROLA_RATE_WPM),
                     pitch=rng.randint(*ESPEAK_PITCH))
    if engine == "flite":
        return Voice("flite", rng.choice(FLITE_TRAIN_VOICES),
                     rate=round(rng.uniform(*FLITE_STRETCH), 2))
    if engine == "rhvoice":
        return Voice("rhvoice", rng.choice(RHVOICE_TRAIN_VOICES))
    if engine == "pico":
        return Voice("pico", rng.choice(PICO_TRAIN_VOICES))
    return Voice("festival", rng.choice(FESTIVAL_TRAIN_VOICES))


def reserved_voices() -> list:
    return [Voice(engine, name) for engine, name in RESERVED]


def validation_voices() -> list:
    return [Voice(engine, name) for engine, name in VALIDATION]


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
    if voice.engine == "rhvoice":
        return ["RHVoice-test", "-p", voice.name, "-i", text_path, "-o", wav_path]
    if voice.engine == "pico":
        return None  # pico2wave takes the text as an argument (see synthesize)
    return ["text2wave", "-eval", f"(voice_{voice.name})", text_path, "-o", wav_path]


def synthesize(voice: Voice, text: str, wav_path: str) -> None:
    """Speaks text into wav_path (native rate); raises RuntimeError naming the voice on failure."""
    validate_voice(voice)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(text + "\n")
        text_path = f.name
    try:
        cmd = _command(voice, text_path, wav_path)
        if cmd is None:  # pico2wave: the text is an argument; the output name must end in .wav
            cmd = ["pico2wave", "-l", voice.name, "-w", wav_path, text]
        result = subprocess.run(cmd, capture_output=True, timeout=SYNTH_TIMEOUT_S)
    finally:
        os.unlink(text_path)
    if result.returncode != 0 or not os.path.exists(wav_path) or os.path.getsize(wav_path) <= 44:
        raise RuntimeError(f"synthesize: {voice.label} failed on {text!r}: "
                           f"{result.stderr.decode(errors='replace')[-300:]}")
