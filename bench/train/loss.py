"""The multi-task loss of the SAP paper (eq. 7):

    L = alpha * CE_w(emotion) + beta * MAE(valence) + gamma * MAE(arousal)

- CE_w: cross-entropy weighted per class by ``n / (C * count_c)`` from the TRAINING fold's label
  counts (scikit-learn's "balanced" weights), normalised like ``F.cross_entropy(reduction=
  "mean")``: sum_i w_{y_i} nll_i / sum_i w_{y_i}.
- MAE on standardised targets ((v - mean) / std with the training fold's mean and std), over
  the utterances whose target is not NaN. A term whose targets are all missing is dropped (the
  caller warns once).

Losses are accumulated as sums (``LossSums``) so that a whole validation set gives the exact
set-level loss, not a mean of batch means.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F


def class_weights(labels: np.ndarray, num_classes: int) -> torch.Tensor:
    """[N] int labels -> [C] weights n / (C * count_c); 0 (with a warning) for an absent class."""
    counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=num_classes).astype(np.float64)
    if len(counts) > num_classes:
        raise ValueError(f"labels go up to {len(counts) - 1} but there are only {num_classes} classes")
    missing = np.flatnonzero(counts == 0)
    if len(missing):
        warnings.warn(f"classes {missing.tolist()} have no training utterance; their loss weight is 0", stacklevel=2)
    weights = np.where(counts > 0, counts.sum() / (num_classes * np.maximum(counts, 1)), 0.0)
    return torch.tensor(weights, dtype=torch.float32)


@dataclass
class LossSums:
    """Running sums: weighted NLL and its weight, absolute errors and their counts."""

    ce: torch.Tensor
    ce_weight: torch.Tensor
    valence: torch.Tensor
    valence_count: torch.Tensor
    arousal: torch.Tensor
    arousal_count: torch.Tensor

    def __add__(self, other: "LossSums") -> "LossSums":
        return LossSums(*(a + b for a, b in zip(self.astuple(), other.astuple())))

    def astuple(self):
        return (self.ce, self.ce_weight, self.valence, self.valence_count, self.arousal, self.arousal_count)

    def detach(self) -> "LossSums":
        return LossSums(*(t.detach() for t in self.astuple()))


@dataclass
class MultiTaskLoss:
    """Combines ``LossSums`` into the total loss; ``use_valence`` / ``use_arousal`` drop terms."""

    weights: torch.Tensor  # [C]
    alpha: float = 0.5
    beta: float = 0.25
    gamma: float = 0.25
    use_valence: bool = True
    use_arousal: bool = True

    def sums(self, logits, labels, valence_pred, valence, arousal_pred, arousal) -> LossSums:
        """logits [B, C], labels [B] long, predictions and standardised targets [B] (NaN allowed)."""
        w = self.weights.to(logits.device)
        ce = F.cross_entropy(logits, labels, weight=w, reduction="sum")
        return LossSums(ce, w[labels].sum(), *_abs_sum(valence_pred, valence), *_abs_sum(arousal_pred, arousal))

    def total(self, s: LossSums) -> torch.Tensor:
        """alpha * CE + beta * MAE_v + gamma * MAE_a (dropped terms count 0)."""
        loss = self.alpha * s.ce / s.ce_weight.clamp_min(1e-12)
        if self.use_valence:
            loss = loss + self.beta * s.valence / s.valence_count.clamp_min(1)
        if self.use_arousal:
            loss = loss + self.gamma * s.arousal / s.arousal_count.clamp_min(1)
        return loss


def _abs_sum(pred: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Sum of |pred - target| over non-NaN targets, and their count."""
    known = ~torch.isnan(target)
    err = torch.where(known, (pred - torch.nan_to_num(target)).abs(), torch.zeros_like(pred))
    return err.sum(), known.sum().to(pred.dtype)
