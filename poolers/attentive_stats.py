"""Attentive statistics pooling (``asp``; Okabe, Koshinaka and Shinoda, Interspeech 2018)."""

from __future__ import annotations

import torch
from torch import nn

from poolers._registry import PoolerConfigError, register_pooler
from poolers.masked import masked_softmax, weighted_mean_std


@register_pooler("asp")
class AttentiveStatisticsPooling(nn.Module):
    """Frame scores e_t = v^T tanh(W h_t + b), weights a = softmax(e) over the valid frames,
    output [sum_t a_t h_t ; sqrt(sum_t a_t (h_t - mu)^2)] of width 2D (Okabe et al. eqs. 7-10).

    Okabe's scalar bias k is left out: softmax ignores a constant shift, so it would never
    learn. The variance is taken around mu in a second pass and floored before the square root.
    """

    def __init__(self, in_dim: int, hidden: int = 128):
        super().__init__()
        if hidden < 1:
            raise PoolerConfigError(f"asp hidden must be a positive integer, got {hidden}.")
        self.in_dim = in_dim
        self.out_dim = 2 * in_dim
        self.score = nn.Sequential(nn.Linear(in_dim, hidden), nn.Tanh(), nn.Linear(hidden, 1, bias=False))

    def forward(self, feats: torch.Tensor, valid: torch.Tensor, speech: torch.Tensor) -> torch.Tensor:
        """feats [B, T, D], valid [B, T], speech [B, T] -> [B, 2D]."""
        scores = self._frame_scores(feats, valid)  # [B, T]
        weights = masked_softmax(scores, valid)
        mean, std = weighted_mean_std(feats, weights)
        return torch.cat([mean, std], dim=-1)

    def _frame_scores(self, feats: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """e_t on the valid frames only (0 on padding, which the softmax masks): [B, T, D] -> [B, T].

        The scorer is the largest product in asp; running it on feats[valid] makes padding cost
        a gather instead of D x hidden multiply-adds per padded frame.
        """
        if bool(valid.all()):
            return self.score(feats).squeeze(-1)
        return feats.new_zeros(valid.shape).masked_scatter(valid, self.score(feats[valid]).squeeze(-1))
