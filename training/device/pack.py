"""What travels to a GPU machine for training/device/run.sh, within the 64 MiB tree limit.

    /usr/bin/python3 -m training.device.pack [--out training/device/debs]   (here: apt, network)

The machine has no TTS engine, no sox, no text packages and no network. This fetches Debian
packages with `apt-get download` into --out (gitignored; the run call names it in `carry`);
there, training/corpus/unpack_tts.sh unpacks them with `dpkg -x`. Three packages are too big
whole (rhvoice-english 34 MB, espeak-ng-data and libttspico-data hold every language): they
are unpacked here and only the English parts travel, as `<name>.tar.xz`. The sentence pool
(fortunes + WordNet, 7.4 MB of .debs) travels as the list it yields (save_pool), so the
text splits are the same lists as here. MANIFEST.json records every file's size and sha256.

Voices travel by groups in PRIORITY order; a group that does not fit the budget is left out
and the plan's utterances for its voices fail to synthesise and are skipped (logged), so
the corpus there is the same plan minus those voices. Held-out texts, reserved speakers and
validation voices are decided by training/corpus/plan.py and synth.py, not here.
"""
import argparse
import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

TREE_LIMIT = 64 * 1024 * 1024  # the run tool's limit on the travelling tree
MARGIN = 1024 * 1024           # room for other work landing in the tree before the run
POOL_FILE = "sentence_pool.tsv.xz"
SIZES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sizes.tsv")  # measured by build()


@dataclasses.dataclass(frozen=True)
class Artifact:
    package: str
    keep: tuple = ()   # paths (relative to the unpacked root) kept in <name>.tar.xz; () = whole .deb
    name: str = ""     # the tarball's name when trimmed

    @property
    def key(self) -> str:
        return self.name if self.keep else self.package


@dataclasses.dataclass(frozen=True)
class Group:
    name: str
    artifacts: tuple
    voices: tuple      # (engine, name) pairs of synth.py this group makes speakable
    required: bool = False


ESPEAK_DATA = "usr/lib/x86_64-linux-gnu/espeak-ng-data"
RHV = "usr/share/RHVoice"
# Libraries the engines link to for audio playback (never used when writing files), beyond
# what every Debian/Ubuntu base image has (BASE_PACKAGES).
AUDIO_LIBS = ("libasound2", "libasound2-data", "libpulse0", "libsndfile1", "libasyncns0",
              "libx11-xcb1", "libx11-6", "libxcb1", "libxau6", "libxdmcp6", "libflac12",
              "libvorbis0a", "libvorbisenc2", "libopus0", "libogg0", "libmpg123-0",
              "libmp3lame0", "libbsd0", "libmd0", "libdbus-1-3")
# Assumed present on the GPU machine's image (Ubuntu-based, apt and python installed):
# `unpack_tts.sh check` there reports any library that is missing after all.
BASE_PACKAGES = ("libc6", "libgcc-s1", "libstdc++6", "zlib1g", "libbz2-1.0", "liblzma5",
                 "libzstd1", "liblz4-1", "libsystemd0", "libgcrypt20", "libgpg-error0",
                 "libcap2", "libtinfo6")


def _debs(*names) -> tuple:
    return tuple(Artifact(n) for n in names)


def _espeak_voices() -> tuple:
    from training.corpus.synth import ESPEAK_LANGS
    return tuple(("espeak", lang) for lang in ESPEAK_LANGS)


def groups() -> list:
    """Every candidate group, required first, then by training-plan share per megabyte."""
    mb = lambda v: (Group(f"mbrola-{v}", (Artifact(f"mbrola-{v}"),), (("espeak", f"mb-{v}"),)))
    return [
        Group("espeak-ng", _debs("espeak-ng", "libespeak-ng1", "libpcaudio0", "libsonic0") + (
            Artifact("espeak-ng-data", tuple(f"{ESPEAK_DATA}/{p}" for p in (
                "en_dict", "intonations", "lang", "mbrola_ph", "phondata", "phondata-manifest",
                "phonindex", "phontab", "voices")), "espeak-ng-data-en"),) + _debs(*AUDIO_LIBS),
              _espeak_voices(), required=True),
        Group("sox", _debs("sox", "libsox3", "libltdl7", "libpng16-16", "libmagic1", "libgsm1",
                           "libgomp1"), (), required=True),
        # validation voices (synth.VALIDATION): mb-us2, Pico en-GB, RHVoice clb
        Group("mbrola-us2", _debs("mbrola", "mbrola-us2"), (("espeak", "mb-us2"),), required=True),
        Group("pico", _debs("libttspico-utils", "libttspico0", "libpopt0") + (
            Artifact("libttspico-data", ("usr/share/pico/lang/en-GB_kh0_sg.bin",
                                         "usr/share/pico/lang/en-GB_ta.bin",
                                         "usr/share/pico/lang/en-US_lh0_sg.bin",
                                         "usr/share/pico/lang/en-US_ta.bin"), "pico-data-en"),),
              (("pico", "en-GB"), ("pico", "en-US")), required=True),
        Group("rhvoice-clb", _debs("rhvoice", "librhvoice-core7", "librhvoice-audio2", "libao4",
                                   "libportaudio2", "libjack-jackd2-0", "libdb5.3") + (
            Artifact("rhvoice-english", (f"{RHV}/languages/English", f"{RHV}/voices/clb/24000",
                                         f"{RHV}/voices/clb/voice.info",
                                         f"{RHV}/voices/clb/voice.params"), "rhvoice-english-clb"),),
              (("rhvoice", "clb"),), required=True),
        Group("rhvoice-train", (
            Artifact("rhvoice-english", tuple(f"{RHV}/voices/{v}/{p}" for v in ("alan", "bdl")
                                              for p in ("24000", "voice.info", "voice.params")),
                     "rhvoice-english-alan-bdl"),), (("rhvoice", "alan"), ("rhvoice", "bdl"))),
        Group("flite", _debs("flite", "libflite1"),
              (("flite", "kal"), ("flite", "kal16"), ("flite", "awb"))),
        Group("festival-don", _debs("festival", "libestools2.5", "festlex-cmu", "festlex-poslex",
                                    "festlex-oald", "festvox-don"), (("festival", "don_diphone"),)),
        Group("festival-kal", _debs("festvox-kallpc16k"), (("festival", "kal_diphone"),)),
        Group("festival-ked", _debs("festvox-kdlpc16k"), (("festival", "ked_diphone"),)),
        Group("festival-rab", _debs("festvox-rablpc16k"), (("festival", "rab_diphone"),)),
        mb("en1"), mb("us3"), mb("us1"),
    ]


def choose(sizes: dict, budget: int, candidates: list = None) -> tuple:
    """sizes: artifact file size by Artifact -> (chosen groups, bytes). Required groups always
    (an error if they alone exceed the budget), then each optional group that still fits.
    A festival voice group needs festival-don (the engine) chosen first."""
    candidates = candidates if candidates is not None else groups()
    chosen, total = [], 0
    for group in candidates:
        size = sum(sizes[a] for a in group.artifacts)
        if group.name.startswith("festival-") and group.name != "festival-don" and \
                "festival-don" not in {g.name for g in chosen}:
            continue
        if group.required or total + size <= budget:
            chosen.append(group)
            total += size
    if total > budget:
        raise ValueError(f"pack: required groups need {total} bytes, budget {budget}")
    return chosen, total


def write_sizes(path: str, sizes: dict, candidates: list) -> None:
    """The listing the size test plans from: group, artifact, bytes (every candidate)."""
    with open(path, "w") as f:
        f.write("group\tartifact\tbytes\n")
        for g in candidates:
            for a in g.artifacts:
                f.write(f"{g.name}\t{a.key}\t{sizes[a]}\n")


def read_sizes(path: str = SIZES) -> dict:
    """-> {artifact key: bytes} from a sizes.tsv."""
    with open(path) as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    return {key: int(n) for _, key, n in rows}


def tree_bytes(repo: str = ".") -> int:
    """Bytes of what the run tool copies: tracked plus untracked-not-ignored files, and shared/."""
    out = subprocess.run(["git", "-C", repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         capture_output=True, check=True).stdout
    names = {n for n in out.decode().split("\0") if n}
    shared = os.path.join(repo, "shared")
    for root, _, files in os.walk(shared):
        names.update(os.path.relpath(os.path.join(root, f), repo) for f in files)
    paths = (os.path.join(repo, n) for n in names)
    return sum(os.path.getsize(p) for p in paths if os.path.isfile(p) and not os.path.islink(p))


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _download(packages: list, into: str) -> dict:
    subprocess.run(["apt-get", "download", *packages], cwd=into, check=True,
                   stdout=subprocess.DEVNULL)
    found = {}
    for name in os.listdir(into):
        if name.endswith(".deb"):
            found[name.split("_", 1)[0]] = os.path.join(into, name)
    missing = set(packages) - set(found)
    if missing:
        raise RuntimeError(f"pack: apt-get download gave no .deb for {sorted(missing)}")
    return found


def _trim(deb: str, keep: tuple, out: str, scratch: str) -> None:
    root = os.path.join(scratch, os.path.basename(deb) + ".x")
    os.makedirs(root, exist_ok=True)
    subprocess.run(["dpkg", "-x", deb, root], check=True)
    for p in keep:
        if not os.path.exists(os.path.join(root, p)):
            raise RuntimeError(f"pack: {deb} has no {p}")
    subprocess.run(["tar", "-cJf", out, "--owner=0", "--group=0", "--sort=name", "-C", root, *keep],
                   check=True, env={**os.environ, "XZ_OPT": "-6"})


def build(out: str, repo: str = ".") -> dict:
    from training.corpus.text_sources import save_pool, sentence_pool
    os.makedirs(out, exist_ok=True)
    for old in os.listdir(out):
        os.remove(os.path.join(out, old))
    candidates = groups()
    with tempfile.TemporaryDirectory() as scratch:
        packages = sorted({a.package for g in candidates for a in g.artifacts})
        debs = _download(packages, scratch)
        files, sizes = {}, {}
        for g in candidates:
            for a in g.artifacts:
                if a.keep:
                    path = os.path.join(scratch, f"{a.name}.tar.xz")
                    if not os.path.exists(path):
                        _trim(debs[a.package], a.keep, path, scratch)
                else:
                    path = debs[a.package]
                files[a], sizes[a] = path, os.path.getsize(path)
        write_sizes(SIZES, sizes, candidates)
        pool_path = os.path.join(out, POOL_FILE)
        save_pool(pool_path, sentence_pool())
        fixed = tree_bytes(repo) + os.path.getsize(pool_path) + 16 * 1024  # + MANIFEST.json
        budget = TREE_LIMIT - MARGIN - fixed
        chosen, total = choose(sizes, budget, candidates)
        for g in chosen:
            for a in g.artifacts:
                dest = os.path.join(out, os.path.basename(files[a]))
                if not os.path.exists(dest):
                    shutil.copy(files[a], dest)
    manifest = {
        "groups": [g.name for g in chosen],
        "left_out": [g.name for g in candidates if g not in chosen],
        "voices": sorted(f"{e}:{v}" for g in chosen for e, v in g.voices),
        "files": {n: {"bytes": os.path.getsize(os.path.join(out, n)), "sha256": sha256(os.path.join(out, n))}
                  for n in sorted(os.listdir(out))},
    }
    manifest["pack_bytes"] = sum(f["bytes"] for f in manifest["files"].values())
    manifest["tree_bytes_without_pack"] = fixed - os.path.getsize(pool_path) - 16 * 1024
    manifest["travelling_bytes"] = manifest["tree_bytes_without_pack"] + manifest["pack_bytes"]
    with open(os.path.join(out, "MANIFEST.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return manifest


def verify(out: str) -> list:
    """Problems with a pack folder (missing or changed files); [] when it is whole."""
    with open(os.path.join(out, "MANIFEST.json")) as f:
        manifest = json.load(f)
    problems = []
    for name, meta in manifest["files"].items():
        path = os.path.join(out, name)
        if not os.path.exists(path):
            problems.append(f"{name}: missing")
        elif os.path.getsize(path) != meta["bytes"] or sha256(path) != meta["sha256"]:
            problems.append(f"{name}: size or sha256 differs from MANIFEST.json")
    return problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="training/device/debs")
    ap.add_argument("--verify", action="store_true", help="only check the folder against MANIFEST.json")
    args = ap.parse_args(argv)
    if args.verify:  # just before the run call: the pack is whole and the tree still fits
        problems = verify(args.out)
        packed = sum(os.path.getsize(os.path.join(args.out, n)) for n in os.listdir(args.out))
        travelling = tree_bytes() + packed
        if travelling > TREE_LIMIT:
            problems.append(f"the tree and the pack are {travelling / 2**20:.1f} MiB, over {TREE_LIMIT / 2**20:.0f} MiB: run pack.sh again")
        print("\n".join(problems) or f"{args.out}: whole; travelling {travelling / 2**20:.1f} MiB of {TREE_LIMIT / 2**20:.0f} MiB")
        return 1 if problems else 0
    m = build(args.out)
    mib = lambda n: f"{n / 2**20:.1f} MiB"
    print(f"pack {args.out}: {len(m['files'])} files, {mib(m['pack_bytes'])}; tree without pack "
          f"{mib(m['tree_bytes_without_pack'])}; travelling {mib(m['travelling_bytes'])} of {mib(TREE_LIMIT)}")
    print(f"groups: {' '.join(m['groups'])}")
    print(f"left out: {' '.join(m['left_out'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
