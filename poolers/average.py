"""Parameter-free poolers: global average (``gap``), speech-only average (``sap-noattn``) and
mean + standard deviation (``stats``). The two averages are linear: they define
``frame_weights`` and so can pool a stack of layers at once (``poolers.pool_layers``)."""

from __future__ import annotations

import torch
from torch import nn

from poolers._registry import register_pooler
from poolers.masked import frame_weights, masked_mean_std, speech_or_valid, weighted_sum


class _LinearPooling(nn.Module):
    """A fixed weighted mean over frames: output [B, D] = sum_t w_t feats_t (weights [B, T])."""

    def __init__(self, in_dim: int):
        super().__init__()
        self.in_dim = in_dim
        self.out_dim = in_dim

    @staticmethod
    def frame_weights(valid: torch.Tensor, speech: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, feats: torch.Tensor, valid: torch.Tensor, speech: torch.Tensor) -> torch.Tensor:
        """feats [B, T, D], valid [B, T], speech [B, T] -> [B, D]."""
        return weighted_sum(feats, self.frame_weights(valid, speech))


@register_pooler("gap")
class GlobalAveragePooling(_LinearPooling):
    """Mean over the valid frames (eq. 2 of the SAP paper)."""

    @staticmethod
    def frame_weights(valid: torch.Tensor, speech: torch.Tensor) -> torch.Tensor:
        """[B, T] bool, [B, T] bool -> [B, T] float: 1/T_valid on valid frames."""
        return frame_weights(valid)


@register_pooler("sap-noattn")
class SpeechAveragePooling(_LinearPooling):
    """Mean over the speech frames (falling back to valid frames): SAP without the MHSA."""

    @staticmethod
    def frame_weights(valid: torch.Tensor, speech: torch.Tensor) -> torch.Tensor:
        """[B, T] bool, [B, T] bool -> [B, T] float: 1/T_speech on speech frames."""
        return frame_weights(speech_or_valid(valid, speech))


@register_pooler("stats")
class StatisticsPooling(nn.Module):
    """Concatenated mean and standard deviation (ddof=0) over the valid frames: [B, 2D]."""

    def __init__(self, in_dim: int):
        super().__init__()
        self.in_dim = in_dim
        self.out_dim = 2 * in_dim

    def forward(self, feats: torch.Tensor, valid: torch.Tensor, speech: torch.Tensor) -> torch.Tensor:
        """feats [B, T, D], valid [B, T], speech [B, T] -> [B, 2D]."""
        mean, std = masked_mean_std(feats, valid)
        return torch.cat([mean, std], dim=-1)
