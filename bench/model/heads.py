"""The multi-task head of the SAP paper: a projection to 32 dims, then an emotion classifier and
valence / arousal regressors (all linear).

The paper does not say what follows the projection. We use ReLU then dropout (default 0.1): with
no non-linearity the projection and the linear heads would collapse into one rank-32 linear map,
and dropout on the 32-dim code is the only regulariser of a head trained on a few thousand
utterances. Both are ``ModelConfig`` fields (``proj_dim``, ``dropout``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class HeadOutput:
    """logits [B, C], valence [B], arousal [B] (standardised units)."""

    logits: torch.Tensor
    valence: torch.Tensor
    arousal: torch.Tensor


class MultiTaskHead(nn.Module):
    """pooled [B, P] -> Linear(P, proj_dim) -> ReLU -> Dropout -> (classifier, valence, arousal)."""

    def __init__(self, in_dim: int, num_classes: int, proj_dim: int = 32, dropout: float = 0.1):
        super().__init__()
        self.projection = nn.Sequential(nn.Linear(in_dim, proj_dim), nn.ReLU(), nn.Dropout(dropout))
        self.classifier = nn.Linear(proj_dim, num_classes)
        self.valence = nn.Linear(proj_dim, 1)
        self.arousal = nn.Linear(proj_dim, 1)

    def forward(self, pooled: torch.Tensor) -> HeadOutput:
        code = self.projection(pooled)
        return HeadOutput(self.classifier(code), self.valence(code).squeeze(-1), self.arousal(code).squeeze(-1))
