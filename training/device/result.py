"""Joins what training/device/run.sh left under $OUT into checkpoints here.

    /usr/bin/python3 -m training.device.result FILES_AT DEST
    /usr/bin/python3 -m training.las.export --checkpoint DEST/best.pt --out models/las-small

FILES_AT is the folder the run tool copied $OUT into. Every part and the joined tar are
checked against result.json (sha256). If this machine's torch cannot read best.pt (written
by the GPU machine's torch), it is rebuilt from best.npz, which holds the same weights.
"""
import json
import os
import shutil
import sys
import tarfile

from training.device.run import sha256


def join(files_at: str, dest: str) -> list:
    """-> the names extracted into dest; raises ValueError on a missing or changed part."""
    with open(os.path.join(files_at, "result.json")) as f:
        result = json.load(f)
    if not result.get("parts"):
        raise ValueError(f"{files_at}: result.json lists no parts (the run brought no checkpoint back)")
    os.makedirs(dest, exist_ok=True)
    tar_path = os.path.join(dest, result["tar"])
    with open(tar_path, "wb") as out:
        for part in result["parts"]:
            path = os.path.join(files_at, part["name"])
            if not os.path.exists(path):
                raise ValueError(f"{part['name']}: missing")
            if os.path.getsize(path) != part["bytes"] or sha256(path) != part["sha256"]:
                raise ValueError(f"{part['name']}: size or sha256 differs from result.json")
            with open(path, "rb") as f:
                shutil.copyfileobj(f, out)
    if sha256(tar_path) != result["sha256"]:
        raise ValueError(f"{result['tar']}: joined sha256 differs from result.json")
    with tarfile.open(tar_path) as tar:
        names = tar.getnames()
        if any(os.path.isabs(n) or ".." in n.split("/") for n in names):
            raise ValueError(f"{result['tar']}: unsafe member names {names}")
        tar.extractall(dest)
    os.remove(tar_path)
    for name in LOGS:
        if os.path.exists(os.path.join(files_at, name)):
            shutil.copy(os.path.join(files_at, name), os.path.join(dest, name))
    if "best.npz" in names:
        _readable_or_rebuilt(os.path.join(dest, "best.pt"), os.path.join(dest, "best.npz"))
    return names


LOGS = ("run.log", "train.log", "train.csv", "validation.csv", "result.json")


def checkpoint_from_npz(npz_path: str) -> dict:
    import numpy as np
    import torch
    with np.load(npz_path) as z:
        meta = json.loads(str(z["meta"]))
        model = {k[len("param/"):]: torch.from_numpy(z[k].copy()) for k in z.files if k.startswith("param/")}
    return {"model": model, **meta}


def _readable_or_rebuilt(pt_path: str, npz_path: str) -> None:
    import torch
    from training.las.checkpoint import load_checkpoint
    try:
        load_checkpoint(pt_path)
        return
    except Exception as e:  # a newer torch's file format
        print(f"{pt_path}: not readable here ({type(e).__name__}: {e}); rebuilt from {npz_path}")
    torch.save(checkpoint_from_npz(npz_path), pt_path)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    names = join(*argv)
    print(f"{argv[1]}: {names}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
