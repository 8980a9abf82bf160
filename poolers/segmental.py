"""Segmental average pooling (``sap``) and the speech representation ``sr`` = [GAP; SAP]
(Segmental Average Pooling paper, 2024, eqs. 4-6)."""

from __future__ import annotations

import torch
from torch import nn

from poolers._registry import PoolerConfigError, register_pooler
from poolers.attention import mean_self_attention
from poolers.masked import masked_mean, speech_or_valid


def _check_heads(in_dim: int, heads: int, dropout: float) -> None:
    if heads < 1 or in_dim % heads:
        divisors = [h for h in range(1, 17) if in_dim % h == 0]
        raise PoolerConfigError(
            f"sap needs heads to divide the feature width {in_dim}, got heads={heads}; "
            f"choose one of {divisors} (or larger divisors of {in_dim})."
        )
    if not 0.0 <= dropout < 1.0:
        raise PoolerConfigError(f"sap dropout must be in [0, 1), got {dropout}.")


@register_pooler("sap")
class SegmentalAveragePooling(nn.Module):
    """Keep the speech frames, apply multi-head self-attention among them only, average its
    output over them: SAP(X) = mean_{h in MHSA(g(X))} h, g(X) = speech frames (eqs. 4-5).

    The MHSA is ``nn.MultiheadAttention(in_dim, heads)`` exactly as the equations say: no
    residual connection, no layer norm, no feed-forward block. An utterance without speech
    frames uses all its valid frames (``poolers.masked.speech_or_valid``).
    """

    def __init__(self, in_dim: int, heads: int = 8, dropout: float = 0.0):
        super().__init__()
        _check_heads(in_dim, heads, dropout)
        self.in_dim = in_dim
        self.out_dim = in_dim
        self.dropout = dropout
        # Holds the weights (and their standard initialisation); forward uses them through
        # mean_self_attention, which gives the same numbers as attention(x, x, x).mean.
        self.attention = nn.MultiheadAttention(in_dim, heads, dropout=dropout, batch_first=True)

    def forward(self, feats: torch.Tensor, valid: torch.Tensor, speech: torch.Tensor) -> torch.Tensor:
        """feats [B, T, D], valid [B, T], speech [B, T] -> [B, D]."""
        selected = speech_or_valid(valid, speech)
        return mean_self_attention(feats, selected, self.attention, self.dropout, self.training)


@register_pooler("sr")
class SpeechRepresentation(nn.Module):
    """SR(X) = concat(GAP(X), SAP(X)) (eq. 6): [B, 2D]."""

    def __init__(self, in_dim: int, heads: int = 8, dropout: float = 0.0):
        super().__init__()
        self.in_dim = in_dim
        self.sap = SegmentalAveragePooling(in_dim, heads=heads, dropout=dropout)
        self.out_dim = 2 * in_dim

    def forward(self, feats: torch.Tensor, valid: torch.Tensor, speech: torch.Tensor) -> torch.Tensor:
        """feats [B, T, D], valid [B, T], speech [B, T] -> [B, 2D]."""
        return torch.cat([masked_mean(feats, valid), self.sap(feats, valid, speech)], dim=-1)
