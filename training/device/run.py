"""One prepared command for a GPU machine: unpack the TTS engines, build the corpus, compute
features, train on CUDA warm-started from models/las-small, bring the checkpoints back.

    bash training/device/run.sh                # there (the run tool; results under $OUT)
    bash training/device/run.sh --dry-run      # here, on CPU with tiny settings, temporary $OUT

Everything happens inside one wall-time budget (--budget-minutes, default 9 of the run
tool's 10-minute command): training gets what the corpus and features left, minus
--reserve-minutes for loading, the final checkpoint and validation, and packing. $OUT gets
run.log (written as it goes, so a killed run still brings it back), train.log, train.csv,
validation.csv, result.json and result.tar.NN: a tar of best.pt and last.pt (weights,
config, normalisation, step; no optimiser state) and best.npz (the same weights as numpy,
loadable by any torch), cut into parts of at most 16 MiB. training/device/result.py joins
and checks them here. See training/README.md, "On a GPU machine".
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
UNPACK = os.path.join(REPO, "training", "corpus", "unpack_tts.sh")
MiB = 1024 * 1024
PART_BYTES = 16 * MiB - 64 * 1024  # each file back from $OUT is at most 16 MiB
MAX_OUT_FILES = 8                  # and at most 8 of them, 64 MiB together
MAX_OUT_BYTES = 64 * MiB - MiB
LOG_FILES = ("train.log", "train.csv", "validation.csv")
SMOKE_TEXT = "seven green boats left the harbour at nine"


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dry-run", action="store_true",
                    help="here, on CPU: tiny corpus, a few steps, a temporary $OUT; then joins the result and exports a bundle")
    ap.add_argument("--out", help="result folder (default $OUT; with --dry-run a new temporary folder)")
    ap.add_argument("--work", help="scratch folder (default /tmp/las-device, or /tmp/las-device-dry)")
    ap.add_argument("--debs", default=os.path.join(REPO, "training", "device", "debs"))
    ap.add_argument("--tts", help="unpack prefix (default <work>/tts)")
    ap.add_argument("--train-utts", type=int,
                    help="planned training utterances (default 36000, ~27000 kept with the voices packed; dry 60)")
    ap.add_argument("--jobs", type=int, help="corpus and feature workers (default: all cores; dry 2)")
    ap.add_argument("--budget-minutes", type=float, help="wall time of the whole command (default 9; dry 6)")
    ap.add_argument("--corpus-minutes", type=float, default=3.0,
                    help="the corpus build stops here and trains on what exists (a snapshot)")
    ap.add_argument("--reserve-minutes", type=float, default=1.25,
                    help="left after training's --max-minutes: data loading, validation, final checkpoint, packing")
    ap.add_argument("--device", help="torch device (default cuda; dry cpu)")
    ap.add_argument("--threads", type=int, help="torch threads (default: all cores; dry 1)")
    ap.add_argument("--frame-budget", type=int, help="batch x longest, frames (default 100000; dry 1600)")
    ap.add_argument("--checkpoint-minutes", type=float, help="checkpoint + validation interval (default 2; dry 0.02)")
    ap.add_argument("--config", default="small")
    ap.add_argument("--init", default=os.path.join(REPO, "models", "las-small"),
                    help="warm start (bundle dir or .pt); 'none' trains from scratch")
    ap.add_argument("--max-steps", type=int, help="stop training after this many steps (dry 4)")
    ap.add_argument("train_args", nargs="*", help="after --: more flags for training.las.train (e.g. -- --lr 2e-3)")
    args = ap.parse_args(argv)
    dry = args.dry_run
    cores = os.cpu_count() or 1

    def default(name, real, tiny):
        if getattr(args, name) is None:
            setattr(args, name, tiny if dry else real)

    default("work", "/tmp/las-device", "/tmp/las-device-dry")
    default("train_utts", 36000, 60)
    default("jobs", cores, 2)
    default("budget_minutes", 9.0, 6.0)
    default("device", "cuda", "cpu")
    default("threads", min(cores, 16), 1)
    default("frame_budget", 100000, 1600)
    default("checkpoint_minutes", 2.0, 0.02)
    default("max_steps", None, 4)
    if args.tts is None:
        args.tts = os.path.join(args.work, "tts")
    if args.out is None:
        args.out = tempfile.mkdtemp(prefix="las-device-out-") if dry else os.environ.get("OUT")
        if not args.out:
            ap.error("--out or $OUT is required (or --dry-run)")
    for name in ("train_utts", "jobs", "threads", "frame_budget"):
        if getattr(args, name) < 1:
            ap.error(f"--{name.replace('_', '-')} must be >= 1")
    if args.budget_minutes <= args.reserve_minutes:
        ap.error("--budget-minutes must exceed --reserve-minutes")
    return args


def corpus_flags(args) -> list:
    """training.corpus.build flags: the default plan (seed, splits, held-out text) with the
    train size asked for; the dry run also shrinks dev, validation and the babble bank
    (its text splits differ from the real ones, which is fine for a plumbing test)."""
    flags = ["--train", str(args.train_utts), "--jobs", str(args.jobs)]
    if args.dry_run:
        flags += ["--dev", "8", "--dev-pool", "6", "--dev-domain", "3", "--babble-clips", "3"]
    return flags


def train_flags(args, features: str, work: str, minutes: float) -> list:
    flags = ["--features", features, "--work", work, "--device", args.device, "--config", args.config,
             "--threads", str(args.threads), "--frame-budget", str(args.frame_budget),
             "--checkpoint-minutes", str(args.checkpoint_minutes), "--max-minutes", f"{minutes:.2f}"]
    if args.init and args.init != "none":
        flags += ["--init", args.init]
    if args.max_steps:
        flags += ["--max-steps", str(args.max_steps)]
    return flags + list(args.train_args)


class Log:
    def __init__(self, path: str):
        self.t0 = time.time()
        self.f = open(path, "a", buffering=1)

    def __call__(self, msg: str) -> None:
        line = f"[{time.time() - self.t0:6.1f}s] {msg}"
        self.f.write(line + "\n")
        print(line, flush=True)

    def elapsed_min(self) -> float:
        return (time.time() - self.t0) / 60


def run_logged(log: Log, cmd: list, env=None, timeout_s: float = None, stderr_path: str = None,
               grace_s: float = 90) -> int:
    """Runs cmd with its stdout (and stderr, unless stderr_path) copied into the log. Past
    timeout_s: SIGTERM to its process group, then SIGKILL grace_s later; returns the exit code."""
    log("$ " + " ".join(cmd))
    err = open(stderr_path, "w") if stderr_path else subprocess.STDOUT
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=err,
                            start_new_session=True, text=True, errors="replace")
    pump = threading.Thread(target=lambda: [log("  " + line.rstrip()) for line in proc.stdout], daemon=True)
    pump.start()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        log(f"timeout after {timeout_s:.0f} s: SIGTERM")
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    pump.join(timeout=10)
    if stderr_path:
        err.close()
    log(f"exit {proc.returncode}")
    return proc.returncode


def skipped_by_voice(stderr_path: str) -> dict:
    """'[train] skipped tr000012: synthesize: espeak:mb-us1 failed on ...' lines -> counts by engine:voice."""
    counts = {}
    if os.path.exists(stderr_path):
        with open(stderr_path, errors="replace") as f:
            for line in f:
                if " skipped " not in line:
                    continue
                m = re.search(r"skipped \S+: synthesize: (\w+:[^:+\s]+)", line)
                missing = re.search(r"No such file or directory: '([^']+)'", line)
                key = m.group(1) if m else f"no {missing.group(1)}" if missing else "other"
                counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def same_audio(paths: dict) -> list:
    """{label: wav path} of one engine -> pairs of labels whose files are byte-identical: an
    engine that speaks a default voice for a missing one (RHVoice does) gives such a pair."""
    seen, pairs = {}, []
    for label, path in sorted(paths.items()):
        digest = sha256(path)
        if digest in seen:
            pairs.append((seen[digest], label))
        seen.setdefault(digest, label)
    return pairs


def smoke(log: Log, voices: list, env: dict, scratch: str) -> list:
    """Speaks one sentence per packed voice with the unpacked engines; returns those that
    failed. Raises if two voices of one engine give identical audio (a silent stand-in could
    put a validation voice into training)."""
    from training.corpus.synth import Voice, synthesize
    failed, spoken = [], {}
    saved = os.environ.get("PATH", "")
    os.environ["PATH"] = env["PATH"]
    try:
        for label in voices:
            engine, name = label.split(":", 1)
            path = os.path.join(scratch, f"smoke_{engine}_{name}.wav")
            try:
                synthesize(Voice(engine, name), SMOKE_TEXT, path)
                spoken.setdefault(engine, {})[label] = path
            except Exception as e:  # reported, and its utterances are skipped by the build
                failed.append(label)
                log(f"smoke: {label} FAILED: {str(e)[-200:]}")
    finally:
        os.environ["PATH"] = saved
    log(f"smoke: {len(voices) - len(failed)}/{len(voices)} packed voices speak")
    clashes = [pair for paths in spoken.values() for pair in same_audio(paths)]
    if clashes:
        raise RuntimeError(f"voices with identical audio (one stands in for another): {clashes}")
    return failed


def slim_checkpoint(src: str, dest: str) -> dict:
    """A training checkpoint without its optimiser state (a third of the size)."""
    import torch
    from training.las.checkpoint import load_checkpoint
    ckpt = load_checkpoint(src)
    ckpt.pop("optimizer", None)
    torch.save(ckpt, dest)
    return ckpt


def weights_npz(ckpt: dict, dest: str) -> None:
    """The same weights as float32 numpy arrays + a JSON header: loadable whatever torch wrote them."""
    import numpy as np
    meta = {k: ckpt.get(k) for k in ("model_config", "norm", "step", "elapsed_s", "valid_cer")}
    arrays = {"param/" + k: v.detach().cpu().float().numpy() if v.is_floating_point() else v.cpu().numpy()
              for k, v in ckpt["model"].items()}
    with open(dest, "wb") as f:
        np.savez(f, meta=np.array(json.dumps(meta)), **arrays)


def split_file(path: str, out_dir: str, part_bytes: int = PART_BYTES) -> list:
    """path -> <out_dir>/<name>.00, .01, ... each <= part_bytes; returns their paths."""
    parts, index = [], 0
    with open(path, "rb") as f:
        while True:
            block = f.read(part_bytes)
            if not block and parts:
                break
            part = os.path.join(out_dir, f"{os.path.basename(path)}.{index:02d}")
            with open(part, "wb") as p:
                p.write(block)
            parts.append(part)
            index += 1
            if len(block) < part_bytes:
                break
    return parts


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MiB), b""):
            h.update(block)
    return h.hexdigest()


def pack_results(log: Log, train_work: str, out: str, scratch: str, summary: dict) -> dict:
    """Logs and checkpoints into out within the file-count and size limits; writes result.json."""
    for name in LOG_FILES:
        src = os.path.join(train_work, "logs", name)
        if os.path.exists(src):
            shutil.copy(src, os.path.join(out, name))
    ckpts = os.path.join(train_work, "checkpoints")
    items = []  # (name in tar, path), most wanted first
    for name in ("best.pt", "last.pt"):
        src = os.path.join(ckpts, name)
        if os.path.exists(src):
            dest = os.path.join(scratch, name)
            ckpt = slim_checkpoint(src, dest)
            items.append((name, dest))
            if name == "best.pt":
                weights_npz(ckpt, os.path.join(scratch, "best.npz"))
                items.append(("best.npz", os.path.join(scratch, "best.npz")))
    taken = set(os.listdir(out)) | {"result.json", "run.log"}
    result = {"summary": summary, "contents": [], "left_out": [], "parts": []}
    tar_path = os.path.join(scratch, "result.tar")
    while items:
        with tarfile.open(tar_path, "w") as tar:
            for name, path in items:
                tar.add(path, arcname=name)
        size = os.path.getsize(tar_path)
        n_parts = max(1, -(-size // PART_BYTES))
        used = sum(os.path.getsize(os.path.join(out, n)) for n in os.listdir(out))
        if len(taken) + n_parts <= MAX_OUT_FILES and used + size + 2 * MiB <= MAX_OUT_BYTES:
            break
        result["left_out"].append(items.pop()[0])  # too big: drop the least wanted
    if items:
        parts = split_file(tar_path, out)
        result.update(tar="result.tar", bytes=os.path.getsize(tar_path), sha256=sha256(tar_path),
                      contents=[n for n, _ in items],
                      parts=[{"name": os.path.basename(p), "bytes": os.path.getsize(p), "sha256": sha256(p)}
                             for p in parts])
    with open(os.path.join(out, "result.json"), "w") as f:
        json.dump(result, f, indent=1)
    log(f"result: {result['contents']} in {len(result['parts'])} parts "
        f"({result.get('bytes', 0) / MiB:.1f} MiB); left out {result['left_out']}")
    return result


def main(argv=None) -> int:
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    log = Log(os.path.join(args.out, "run.log"))
    log(f"las-speech device run{' (DRY RUN)' if args.dry_run else ''}: out {args.out} work {args.work} "
        f"budget {args.budget_minutes} min, {os.cpu_count()} cores, python {sys.version.split()[0]}")
    if os.path.isdir(args.work):
        shutil.rmtree(args.work)
    os.makedirs(args.work)
    corpus, features = os.path.join(args.work, "corpus"), os.path.join(args.work, "features")
    train_work, scratch = os.path.join(args.work, "train"), os.path.join(args.work, "scratch")
    os.makedirs(scratch)
    summary = {"dry_run": args.dry_run}
    rc = 1
    try:
        import torch
        summary["torch"] = torch.__version__
        summary["cuda"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
        log(f"torch {torch.__version__}, device {summary['cuda'] or 'cpu only'}")
        if args.device.startswith("cuda") and not torch.cuda.is_available():
            raise RuntimeError("--device cuda but torch sees no GPU")

        from training.device import pack
        problems = pack.verify(args.debs)
        if problems:
            raise RuntimeError(f"{args.debs} is not whole: {problems[:5]} (run training/device/pack.sh here)")
        with open(os.path.join(args.debs, "MANIFEST.json")) as f:
            manifest = json.load(f)
        log(f"pack: {len(manifest['files'])} files, {manifest['pack_bytes'] / MiB:.1f} MiB; groups {manifest['groups']}")
        if run_logged(log, ["/bin/sh", UNPACK, "unpack", args.debs, args.tts]) != 0:
            raise RuntimeError("unpack_tts.sh unpack failed")
        run_logged(log, ["/bin/sh", UNPACK, "check", args.tts])  # reported; an engine that cannot start fails its voices
        # only the unpacked engines on PATH: a system engine here must not stand in for a missing one
        env = {**os.environ, "PATH": os.path.join(args.tts, "bin"),
               "LAS_SENTENCE_POOL": os.path.join(args.debs, pack.POOL_FILE)}
        summary["smoke_failed"] = smoke(log, manifest["voices"], env, scratch)
        from training.corpus.synth import VALIDATION
        silent = [f"{e}:{n}" for e, n in VALIDATION if f"{e}:{n}" in summary["smoke_failed"]]
        if silent:
            log(f"WARNING: validation voices {silent} do not speak: best.pt is chosen on the others")

        build = [sys.executable, "-m", "training.corpus.build", "--out", corpus] + corpus_flags(args)
        err = os.path.join(args.work, "corpus.stderr")
        left = max(args.corpus_minutes, 0.5) * 60
        rc_build = run_logged(log, build + ["--train-only"], env, timeout_s=left, stderr_path=err, grace_s=20)
        if rc_build != 0 or not os.path.exists(os.path.join(corpus, "READY")):
            log("corpus build stopped before READY: manifests of the WAVs that exist (snapshot)")
            if run_logged(log, build + ["--snapshot"], env) != 0:
                raise RuntimeError("corpus snapshot failed")
        summary["skipped_by_voice"] = skipped_by_voice(err)
        log(f"corpus: skipped utterances by voice (not packed or failed): {summary['skipped_by_voice']}")
        with open(os.path.join(corpus, "READY")) as f:
            summary["corpus"] = f.read().strip()
        with open(os.path.join(corpus, "validation.tsv")) as f:
            summary["validation_clips"] = sum(1 for _ in f) - 1
        log(f"corpus READY: {summary['corpus']}; validation {summary['validation_clips']} clips")

        feats = [sys.executable, "-m", "training.las.features", "--corpus", corpus, "--out", features,
                 "--splits", "train,dev,validation", "--workers", str(args.jobs)]
        if run_logged(log, feats) != 0:
            raise RuntimeError("features failed")

        minutes = args.budget_minutes - args.reserve_minutes - log.elapsed_min()
        if minutes < 0.5:
            raise RuntimeError(f"only {minutes:.1f} min left for training; raise --budget-minutes or lower --train-utts")
        summary["train_minutes"] = round(minutes, 2)
        train = [sys.executable, "-m", "training.device.train_cuda"] + train_flags(args, features, train_work, minutes)
        # train.py stops itself after --max-minutes; past the budget (less 20 s for packing) it
        # gets SIGTERM, which train.py answers with a final checkpoint
        rc = run_logged(log, train, timeout_s=(args.budget_minutes - log.elapsed_min()) * 60 - 20, grace_s=45)
        summary["train_exit"] = rc
    except Exception as e:
        log(f"FAILED: {type(e).__name__}: {e}")
        summary["error"] = f"{type(e).__name__}: {e}"
    finally:
        try:
            result = pack_results(log, train_work, args.out, scratch, summary)
        except Exception as e:
            log(f"packing the result FAILED: {type(e).__name__}: {e}")
            result = None
    if args.dry_run and result and result["parts"]:
        from training.device.result import join
        dest = os.path.join(args.work, "result")
        join(args.out, dest)
        bundle = os.path.join(args.work, "bundle")
        if run_logged(log, [sys.executable, "-m", "training.las.export", "--checkpoint",
                            os.path.join(dest, "best.pt" if os.path.exists(os.path.join(dest, "best.pt")) else "last.pt"),
                            "--out", bundle]) != 0:
            rc = rc or 1
        log(f"dry run: joined {sorted(os.listdir(dest))}, bundle {sorted(os.listdir(bundle)) if os.path.isdir(bundle) else None}")
    ok = rc == 0 and result is not None and bool(result["parts"])
    log(f"{'done' if ok else 'FAILED'} in {log.elapsed_min():.1f} min; $OUT: {sorted(os.listdir(args.out))}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
