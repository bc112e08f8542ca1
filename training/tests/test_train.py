"""Stages end to end on a synthetic corpus: features -> train -> warm start -> export."""
import json
import os
import wave

import numpy as np
import pytest
import torch

from training.las import export, features, train
from training.las.checkpoint import load_weights
from training.las.config import PRESETS


def _write_corpus(root):
    rng = np.random.default_rng(0)
    os.makedirs(os.path.join(root, "wav"))
    for split, n in (("train", 12), ("dev", 4)):
        rows = ["id\tpath\tvoice\tduration\ttext\taug"]
        for i in range(n):
            x = (0.1 * rng.standard_normal(16000 * (1 + i % 3) // 2) * 32767).astype("<i2")
            path = f"wav/{split}{i}.wav"
            with wave.open(os.path.join(root, path), "wb") as w:
                w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000), w.writeframes(x.tobytes())
            rows.append(f"{split}{i}\t{path}\tv\t{len(x) / 16000}\tCall 42 now\tclean")
        with open(os.path.join(root, f"{split}.tsv"), "w") as f:
            f.write("\n".join(rows) + "\n")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("stages"))
    corpus, feats, work = (os.path.join(root, d) for d in ("corpus", "features", "work"))
    _write_corpus(corpus)
    features.main(["--corpus", corpus, "--out", feats, "--workers", "1"])
    train.main(["--features", feats, "--work", work, "--config", "tiny", "--threads", "1", "--max-steps", "3",
                "--frame-budget", "400", "--warmup", "2"])
    return root, feats, work


def test_features_stage_output(trained):
    _, feats, _ = trained
    data, ids, texts = features.load_split(os.path.join(feats, "train"))
    assert len(data) == 12 and data[0].shape[1] == 80 and data[0].dtype == np.float16
    assert texts[0] == "call forty two now"  # transcripts pass through the contract normaliser
    norm = json.load(open(os.path.join(feats, "norm.json")))
    assert len(norm["mean"]) == 80 and min(norm["std"]) > 0


def test_train_writes_checkpoint_and_logs(trained):
    _, _, work = trained
    ckpt = torch.load(os.path.join(work, "checkpoints", "last.pt"))
    assert ckpt["step"] == 3 and ckpt["model_config"] == PRESETS["tiny"].to_json()
    rows = open(os.path.join(work, "logs", "train.csv")).read().strip().splitlines()
    assert rows[0].startswith("step,") and len(rows) == 4


def test_warm_start_from_bundle_and_mismatch_error(trained):
    root, feats, work = trained
    bundle = os.path.join(root, "bundle")
    export.main(["--checkpoint", os.path.join(work, "checkpoints", "last.pt"), "--out", bundle,
                 "--calibration", os.path.join(feats, "train")])
    cfg, state = load_weights(bundle)
    assert cfg == PRESETS["tiny"]
    # the export's default int8 decoder step, its scales calibrated on this run's training features
    config = json.load(open(os.path.join(bundle, "config.json")))
    assert config["decoder"]["int8File"] == "decoder_step.int8.onnx" and "int8File" not in config["encoder"]
    assert os.path.exists(os.path.join(bundle, "decoder_step.int8.onnx"))
    work2 = os.path.join(root, "work2")
    train.main(["--features", feats, "--work", work2, "--config", "tiny", "--threads", "1", "--max-steps", "1",
                "--frame-budget", "400", "--init", bundle])
    assert "warm start from" in open(os.path.join(work2, "logs", "train.log")).read()
    with pytest.raises(ValueError, match="model config mismatch"):
        train.main(["--features", feats, "--work", work2, "--config", "small", "--max-steps", "1", "--init", bundle])
