"""The frozen-mode emotion model: layer mixing -> pooler -> multi-task head, on cached features."""

from __future__ import annotations

import torch
from torch import nn

import poolers
from bench.model.batches import FrameBatch, MomentBatch, PooledBatch
from bench.model.config import ModelConfig
from bench.model.heads import HeadOutput, MultiTaskHead
from bench.model.layers import LayerMixing
from poolers.masked import STD_FLOOR


class EmotionModel(nn.Module):
    """Trains on a cached stack of hidden states [L, T, D] per utterance.

    ``forward(FrameBatch)`` standardises and mixes the padded fp16 stacks [L, B, T, D] into
    [B, T, D] fp32 (see ``LayerMixing``), pools to [B, P] and runs the head.
    ``forward(PooledBatch)`` takes per-layer pooled vectors [B, L, P] of a linear pooler and
    mixes them: the same result, as mixing and a linear pooler commute. ``forward(MomentBatch)``
    (``stats`` only) takes per-layer means and cross-layer covariances: the mean and the variance
    of the standardised mix follow from them exactly, floored as the frame path floors them.
    """

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.mixing = LayerMixing(config.num_layers, config.layer)
        self.pooler = poolers.create(config.pooler, config.in_dim, **config.pooler_params)
        self.head = MultiTaskHead(self.pooler.out_dim, config.num_classes, config.proj_dim, config.dropout)
        rows = 1 if config.layer is not None or config.num_layers == 1 else config.num_layers
        # Per-layer feature standardisation (x - mean) / std, fixed statistics of the training
        # frames (bench.train.stats); identity until set_feature_stats. Saved with the weights.
        self.register_buffer("feature_shift", torch.zeros(rows, config.in_dim))
        self.register_buffer("feature_scale", torch.ones(rows, config.in_dim))

    def set_feature_stats(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        """mean, std [S, D] (S = 1 for a fixed layer, else L) of the training frames."""
        self.feature_shift.copy_(mean)
        self.feature_scale.copy_(1.0 / std)

    @property
    def device(self) -> torch.device:
        return next(self.head.parameters()).device

    def pool(self, batch: FrameBatch | PooledBatch | MomentBatch) -> torch.Tensor:
        """-> pooled utterance vectors [B, P]."""
        shift, scale = self.feature_shift, self.feature_scale
        if isinstance(batch, PooledBatch):  # a linear pooler's weights sum to 1: standardise after pooling
            return self.mixing.mix_hidden((batch.pooled.to(self.device) - shift) * scale)
        if isinstance(batch, MomentBatch):
            return self._pool_moments(batch)
        device = self.device
        feats = self.mixing.mix_frames(batch.stacks.to(device), shift, scale)  # [B, T, D]
        return self.pooler(feats, batch.valid.to(device), batch.speech.to(device))

    def _pool_moments(self, batch: MomentBatch) -> torch.Tensor:
        """[mean; std] of the standardised mix, as ``poolers.masked.weighted_mean_std`` on frames."""
        if self.config.pooler != "stats":
            raise ValueError(f"a MomentBatch feeds the stats pooler only, not {self.config.pooler!r}")
        device = self.device
        mean, var = self.mixing.mix_moments(
            batch.mean.to(device), batch.covariance.to(device), self.feature_shift, self.feature_scale
        )
        return torch.cat([mean, var.clamp_min(STD_FLOOR).sqrt()], dim=-1)

    def forward(self, batch: FrameBatch | PooledBatch | MomentBatch) -> HeadOutput:
        return self.head(self.pool(batch))
