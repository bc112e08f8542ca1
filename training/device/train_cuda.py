"""training.las.train on a CUDA device (same flags): python3 -m training.device.train_cuda --device cuda ...

Three differences from calling training.las.train directly, none of them in its behaviour on CPU:
- validation (training/las/validate.py, which decodes with CPU tensors) scores a CPU copy
  of the model, so `--device cuda` can keep best.pt by validation CER;
- torch.load defaults to the full unpickler (torch >= 2.6 defaults to weights_only=True;
  train.py reloads its own checkpoints, which hold args, norm and validation results);
- TF32 matmuls and convolutions on the GPU.
"""
import copy
import functools
import inspect
import sys

import torch

from training.las import train, validate


class CpuValidation:
    """Stands in for the validate module inside train.py."""

    @staticmethod
    def score(model, data, *args, **kwargs) -> dict:
        if next(model.parameters()).device.type == "cpu":
            return validate.score(model, data, *args, **kwargs)
        return validate.score(copy.deepcopy(model).cpu(), data, *args, **kwargs)


def install() -> None:
    if "weights_only" in inspect.signature(torch.load).parameters and \
            not isinstance(torch.load, functools.partial):
        torch.load = functools.partial(torch.load, weights_only=False)
    train.validate = CpuValidation
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True


def main(argv=None) -> None:
    install()
    train.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
