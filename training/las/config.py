"""Model and training presets. One frozen object per concern; validate() throws on bad values."""
from dataclasses import dataclass, asdict, replace


@dataclass(frozen=True)
class ModelConfig:
    feat_dim: int = 80
    hidden: int = 256  # H: encoder width, attention values
    blocks: int = 8  # causal conv blocks after subsampling
    kernel: int = 15  # depthwise kernel (left context kernel-1 encoder frames = 560 ms)
    ffn_mult: int = 2
    att_dim: int = 128  # A: key/query width
    dec_hidden: int = 256  # D: speller LSTM state
    embed: int = 64
    dropout: float = 0.1
    subsampling: int = 4  # fixed by the two stride-2 convs

    def to_json(self) -> dict:
        return asdict(self)


PRESETS = {
    "tiny": ModelConfig(hidden=32, blocks=2, kernel=5, att_dim=16, dec_hidden=32, embed=16),
    "small": ModelConfig(),
    # for a GPU machine: wider and deeper, same interface
    "large": ModelConfig(hidden=384, blocks=12, kernel=15, ffn_mult=4, att_dim=192, dec_hidden=512, embed=128),
}


def validate_model_config(cfg: ModelConfig) -> ModelConfig:
    for name in ("feat_dim", "hidden", "blocks", "kernel", "ffn_mult", "att_dim", "dec_hidden", "embed"):
        if not isinstance(getattr(cfg, name), int) or getattr(cfg, name) <= 0:
            raise ValueError(f"ModelConfig.{name} must be a positive integer, got {getattr(cfg, name)!r}")
    if cfg.kernel < 2:
        raise ValueError(f"ModelConfig.kernel must be >= 2 (it carries kernel-1 frames of state), got {cfg.kernel}")
    if not 0 <= cfg.dropout < 1:
        raise ValueError(f"ModelConfig.dropout must be in [0, 1), got {cfg.dropout}")
    if cfg.subsampling != 4:
        raise ValueError("ModelConfig.subsampling is 4 (two stride-2 convolutions)")
    return cfg


def model_config_from_json(obj: dict) -> ModelConfig:
    known = set(ModelConfig.__dataclass_fields__)
    unknown = set(obj) - known
    if unknown:
        raise ValueError(f"unknown model config fields {sorted(unknown)}")
    return validate_model_config(replace(ModelConfig(), **obj))
