"""Run an ONNX graph through onnxruntime-node (training/tools/ort_run.mjs): the only ONNX
runtime on this machine is the Node one the TypeScript toolkit uses, so parity is checked
against exactly what ships."""
import json
import os
import subprocess
import tempfile

import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RUNNER = os.path.join(REPO, "training", "tools", "ort_run.mjs")
_DTYPES = {"float32": np.float32, "int64": np.int64}


def run_onnx(model_path: str, inputs: dict) -> dict:
    """inputs {name: ndarray (float32 or int64)} -> {output name: ndarray}."""
    with tempfile.TemporaryDirectory(prefix="ort_run_") as tmp:
        spec = {"model": os.path.abspath(model_path), "inputs": []}
        for name, arr in inputs.items():
            arr = np.ascontiguousarray(arr)
            dtype = {np.dtype(np.float32): "float32", np.dtype(np.int64): "int64"}.get(arr.dtype)
            if dtype is None:
                raise TypeError(f"input {name}: dtype {arr.dtype} not supported (float32 or int64)")
            arr.astype("<" + arr.dtype.str[1:]).tofile(os.path.join(tmp, f"in_{name}.bin"))
            spec["inputs"].append({"name": name, "dtype": dtype, "shape": list(arr.shape)})
        with open(os.path.join(tmp, "inputs.json"), "w") as f:
            json.dump(spec, f)
        proc = subprocess.run(["node", RUNNER, tmp], cwd=REPO, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"onnxruntime-node failed on {model_path}: {proc.stderr.strip()[-2000:]}")
        with open(os.path.join(tmp, "outputs.json")) as f:
            meta = json.load(f)
        return {m["name"]: np.fromfile(os.path.join(tmp, f"out_{m['name']}.bin"), dtype=_DTYPES[m["dtype"]]).reshape(m["shape"])
                for m in meta}
