"""Learning-rate schedules, stepped once per optimiser step: ``lr_scheduler(name, ...)`` builds
``warmup-cosine`` (the default) or ``constant`` (the lr throughout, no warm-up).

Linear warm-up then cosine decay to 0:

The same curve as ``transformers.get_cosine_schedule_with_warmup`` (the paper's "warm-up ratio
0.1 and cosine scheduler"): multiplier ``s / W`` for step ``s < W``, then
``0.5 (1 + cos(pi (s - W) / (S - W)))``, with ``W = ceil(warmup_ratio * S)`` and ``S`` the total
number of steps of the full schedule (``epochs * batches_per_epoch``; early stopping ends
training before the end of the curve, as in HF Trainer).
"""

from __future__ import annotations

import math

import torch


def warmup_steps(total_steps: int, warmup_ratio: float) -> int:
    return math.ceil(warmup_ratio * total_steps)


def warmup_cosine(step: int, total_steps: int, num_warmup: int) -> float:
    """The lr multiplier at optimiser step ``step`` (0-based)."""
    if step < num_warmup:
        return step / max(1, num_warmup)
    progress = (step - num_warmup) / max(1, total_steps - num_warmup)
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * progress)))


def warmup_cosine_scheduler(optimizer, total_steps: int, warmup_ratio: float):
    """A LambdaLR on ``optimizer`` following ``warmup_cosine``."""
    num_warmup = warmup_steps(total_steps, warmup_ratio)
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: warmup_cosine(s, total_steps, num_warmup))


def constant_scheduler(optimizer):
    """A LambdaLR that keeps the optimiser's lr at every step."""
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 1.0)


def lr_scheduler(name: str, optimizer, total_steps: int, warmup_ratio: float):
    """The schedule ``name`` (``TrainConfig.lr_schedule``); warmup_ratio is unused by ``constant``."""
    if name == "constant":
        return constant_scheduler(optimizer)
    if name == "warmup-cosine":
        return warmup_cosine_scheduler(optimizer, total_steps, warmup_ratio)
    raise ValueError(f"unknown lr schedule {name!r}; valid: warmup-cosine, constant")
