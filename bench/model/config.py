"""The configuration of an emotion model: everything needed to rebuild it and to feed it.

Written next to the weights by ``save_model`` (``config.json``) and read back by ``load_model``
and ``bench predict``, so a saved model says which backbone, layers, VAD and preprocessing its
inputs must come from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from bench.config_dicts import check_known_keys

MODES = ("frozen", "finetune")


@dataclass
class ModelConfig:
    """Architecture + provenance of one trained model.

    Architecture: layer mixing over a stack of ``num_layers`` hidden states of width ``in_dim``
    (``layer=None``: learned softmax weights, SUPERB's Featurizer; an int: that one index of the
    stack), then ``pooler`` (``poolers.create(pooler, in_dim, **pooler_params)``), then a
    projection to ``proj_dim`` with ReLU and dropout, then three heads (emotion logits [C],
    valence, arousal).

    ``valence_stats`` / ``arousal_stats`` are the (mean, std) of the training targets: the
    regressors predict standardised values and the model maps them back to the corpus scale.
    ``None`` means the training data had no such targets: predictions are NaN.
    """

    classes: list[str]
    in_dim: int
    num_layers: int
    pooler: str
    pooler_params: dict = field(default_factory=dict)
    layer: int | None = None
    proj_dim: int = 32
    dropout: float = 0.1
    standardize: bool = True  # frozen mode: per-layer feature standardisation (training stats)
    valence_stats: tuple[float, float] | None = None
    arousal_stats: tuple[float, float] | None = None
    mode: str = "frozen"
    freeze_feature_encoder: bool = True
    # Provenance: where the inputs come from (filled by the runner / fit from the store).
    backbone: str | None = None
    backbone_identity: dict = field(default_factory=dict)
    layers: list[int] | None = None  # backbone hidden-state indices of the stack (None: all)
    vad: str | None = None
    vad_options: dict = field(default_factory=dict)
    preprocessing: dict = field(default_factory=lambda: {"sample_rate": 16000, "max_duration": None})

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"model mode must be one of {MODES}, got {self.mode!r}")
        if self.layer is not None and not -self.num_layers <= self.layer < self.num_layers:
            raise ValueError(f"layer {self.layer} is outside the stack of {self.num_layers} layers")

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def to_dict(self) -> dict:
        d = asdict(self)
        for key in ("valence_stats", "arousal_stats"):
            d[key] = list(d[key]) if d[key] is not None else None
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        check_known_keys(cls, d, "model config keys")
        d = dict(d)
        for key in ("valence_stats", "arousal_stats"):
            if d.get(key) is not None:
                d[key] = tuple(float(v) for v in d[key])
        return cls(**d)
