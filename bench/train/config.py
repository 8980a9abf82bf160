"""Training configuration: the SAP paper's recipe as defaults, every value overridable."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from bench.config_dicts import check_known_keys

# Learning rates when ``TrainConfig.lr`` is None. 3e-5 is the paper's, for fine-tuning all 316M
# parameters of WavLM Large. In frozen mode only the mixing weights, the pooler and the head
# (a few thousand to a few million parameters) learn; 3e-5 for 30 epochs leaves them badly
# undertrained, so frozen mode defaults to 1e-3 (measured: docs/training.md).
DEFAULT_LR = {"frozen": 1e-3, "finetune": 3e-5}
# Optimiser steps when ``TrainConfig.min_steps`` is None. Frozen heads need a budget in steps, not
# epochs: 30 epochs are ~2000 steps on an IEMOCAP fold but 90 on the demo, where GAP's head
# stops far from convergence (docs/training.md, benchmarks/convergence.py). Fine-tuning keeps
# the paper's epochs (0: no budget).
DEFAULT_MIN_STEPS = {"frozen": 1000, "finetune": 0}
# Frozen mode, per pooler where its own measurement gives another floor than the default (measured
# on the demo's 8 LOSO folds at 0, 300, 1000 and 3000 steps, benchmarks/convergence.py): the
# smallest budget whose validation loss (mean over folds) is within one standard error of the
# lowest and where at most one job in eight ends still improving (docs/training.md). The
# attention poolers fit in fewer steps; the linear ones and stats, slow learners, need more. Only
# small corpora feel a floor: an IEMOCAP fold's 30 epochs are ~2000 steps.
POOLER_MIN_STEPS = {"gap": 3000, "stats": 3000, "sap": 300, "sr": 300, "asp": 300, "cnn": 300}
OPTIMIZERS = ("adamw", "adam")  # torch.optim.AdamW (decoupled weight decay) / torch.optim.Adam (L2 in the gradient)
LR_SCHEDULES = ("warmup-cosine", "constant")  # bench.train.schedule


# Fields that change how fast, or in how much memory, a job runs, not what it computes (the same
# gradients and predictions up to float rounding): no paper sets them, so no report marks them as a difference.
COMPUTE_ONLY = ("precompute", "memory_budget_gb", "device", "eval_batch_size", "grad_accumulation")


@dataclass
class TrainConfig:
    """How to train. Sources: (paper) = SAP paper sec. 3.5 / 4.1; (ours) = see docs/training.md."""

    mode: str = "frozen"  # "frozen": cached features; "finetune": backbone in the model (ours)
    epochs: int = 30  # (paper) evaluation periods; a period is one epoch, or more when min_steps asks
    min_steps: int | None = (
        None  # (ours) steps the schedule has at least; None -> the mode's (and pooler's) rule, 0: none
    )
    batch_size: int = 64  # (paper)
    lr: float | None = None  # None -> DEFAULT_LR[mode]: 3e-5 fine-tune (paper), 1e-3 frozen (ours)
    optimizer: str = "adamw"  # (paper: AdamW implied by HF) "adam": plain Adam (the XLSR/ShEMO paper)
    weight_decay: float = 0.01  # AdamW (paper: AdamW implied by HF; 0.01 is torch's default)
    lr_schedule: str = "warmup-cosine"  # (paper) "constant": the lr throughout, no warm-up
    warmup_ratio: float = 0.1  # (paper) linear warm-up over the first 10% of all steps
    patience: int = 5  # (paper) early stopping on the validation total loss
    max_grad_norm: float | None = 1.0  # (ours; HF Trainer's default) None: no clipping
    alpha: float = 0.5  # (paper) weighted cross-entropy
    class_weighting: bool = True  # (paper) "balanced" class weights in the cross-entropy; False: plain CE
    beta: float = 0.25  # (paper) valence MAE
    gamma: float = 0.25  # (paper) arousal MAE
    layer: int | None = None  # None: learned softmax layer weights; int: that index of the stack
    proj_dim: int = 32  # (paper)
    dropout: float = 0.1  # (ours) after the projection's ReLU
    standardize: bool = True  # (ours) frozen mode: per-layer, per-dim (x - mean) / std, all training frames
    precompute: bool = True  # gap, sap-noattn, stats: train on pooled vectors or moments (same result, faster)
    memory_budget_gb: float = 8.0  # frozen mode: hold a corpus's cached stacks in memory up to this size
    device: str = "auto"  # "auto": cuda when available, else cpu
    backbone: str | None = None  # fine-tune mode: name for backbones.create
    layers: list[int] | None = None  # fine-tune mode: backbone hidden states to mix (None: all)
    freeze_feature_encoder: bool = True  # fine-tune mode: keep the conv front end fixed
    eval_batch_size: int | None = None  # None: batch_size
    grad_accumulation: int = 1  # (ours) each step's batch_size utterances run as this many micro-batches
    mixed_precision: bool = True  # (ours) bf16 autocast on a CUDA device (no effect on the CPU)

    def __post_init__(self):
        if self.mode not in DEFAULT_LR:
            raise ValueError(f"training mode must be one of {sorted(DEFAULT_LR)}, got {self.mode!r}")
        if self.epochs < 1 or self.batch_size < 1 or self.patience < 1:
            raise ValueError("epochs, batch_size and patience must be at least 1")
        if self.min_steps is not None and self.min_steps < 0:
            raise ValueError(
                f"min_steps must be 0 (no budget), a positive number of steps or None, got {self.min_steps}"
            )
        if self.grad_accumulation < 1 or self.grad_accumulation > self.batch_size:
            raise ValueError(
                f"grad_accumulation must be between 1 and batch_size ({self.batch_size}), got {self.grad_accumulation}"
            )
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}")
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"lr_schedule must be one of {', '.join(LR_SCHEDULES)}, got {self.lr_schedule!r}")
        if not 0.0 <= self.warmup_ratio < 1.0:
            raise ValueError(f"warmup_ratio must be in [0, 1), got {self.warmup_ratio}")

    @property
    def learning_rate(self) -> float:
        """The lr actually used: ``lr`` or the mode's default."""
        return float(self.lr) if self.lr is not None else DEFAULT_LR[self.mode]

    @property
    def step_budget(self) -> int:
        """The min_steps of a pooler without a floor of its own: ``min_steps`` or the mode's default."""
        return self.step_budget_for(None)

    def step_budget_for(self, pooler: str | None) -> int:
        """The min_steps used for ``pooler``: ``min_steps`` when set, else the mode's default, in
        frozen mode the pooler's own floor (``POOLER_MIN_STEPS``) where it has one (0: epochs only)."""
        if self.min_steps is not None:
            return int(self.min_steps)
        if self.mode == "frozen" and pooler in POOLER_MIN_STEPS:
            return POOLER_MIN_STEPS[pooler]
        return DEFAULT_MIN_STEPS[self.mode]

    def defaults_used(self, poolers: tuple[str, ...] | list[str] = ()) -> dict:
        """{field: the value used} for each field left to its rule (None or "auto"): lr (the mode's
        default), min_steps (the mode's default; ``{pooler: steps}`` when the run's ``poolers`` use
        different floors), eval_batch_size (batch_size), device (cuda when available, else cpu)."""
        used = {}
        if self.lr is None:
            used["lr"] = self.learning_rate
        if self.min_steps is None:
            budgets = {name: self.step_budget_for(name) for name in poolers}
            single = set(budgets.values()) == {self.step_budget} or not budgets
            used["min_steps"] = self.step_budget if single else budgets
        if self.eval_batch_size is None:
            used["eval_batch_size"] = self.batch_size
        if self.device == "auto":
            used["device"] = self.resolve_device().type
        return used

    def epochs_per_period(self, num_train: int, pooler: str | None = None) -> int:
        """Epochs in one evaluation period on ``num_train`` training utterances.

        The recipe has ``epochs`` periods: validation, early stopping (``patience``) and the
        history count periods. A period is one epoch, unless ``epochs`` epochs would give fewer
        than ``min_steps`` optimiser steps: then every period is stretched to the same whole
        number of epochs, so a small corpus gets the step budget a large one gets from its size
        and the schedule keeps its shape (warm-up, cosine, patience) in periods. ``pooler``: whose
        floor applies when ``min_steps`` is left to the rule (``step_budget_for``)."""
        budget = self.step_budget_for(pooler)
        if not budget:
            return 1
        steps_per_epoch = max(1, math.ceil(num_train / self.batch_size))
        return max(1, math.ceil(budget / (self.epochs * steps_per_epoch)))

    def resolve_device(self):
        import torch

        if self.device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        return torch.device(self.device)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        check_known_keys(cls, d, "training options")
        return cls(**d)
