"""Inference: ``predict(model, data) -> Predictions`` and the batched forward shared with ``fit``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

import poolers
from bench.model.emotion import EmotionModel
from bench.model.finetune import FineTuneModel
from bench.train.data import UtteranceSet, restore_scale
from bench.train.feeders import (
    MomentFeeder,
    PooledFeeder,
    WaveFeeder,
    frame_feeder,
    moments_fit,
    precompute_moments,
    precompute_pooled,
)


@dataclass
class Predictions:
    """probs [N, C] (rows sum to 1), valence [N], arousal [N] on the corpus scale (NaN when the
    model never saw such targets)."""

    probs: np.ndarray
    valence: np.ndarray
    arousal: np.ndarray

    @property
    def labels(self) -> np.ndarray:
        """[N] predicted class indices."""
        return self.probs.argmax(axis=1)


def make_feeder(model, data: UtteranceSet, precompute: bool = True, memory_budget_gb: float | None = None):
    """The cheapest feeder for ``model`` on ``data``: pooled vectors for linear poolers, per-layer
    moments for ``stats`` when they fit ``memory_budget_gb``, stacks held in memory when the store
    fits it, else read per batch."""
    if isinstance(model, FineTuneModel):
        return WaveFeeder(data.store, data.ids)
    cfg = model.config
    if precompute and poolers.is_linear(cfg.pooler):
        return PooledFeeder(precompute_pooled(data.store, data.ids, cfg.pooler, cfg.layer))
    if precompute and cfg.pooler == "stats" and moments_fit(data.store, data.ids, cfg.layer, memory_budget_gb):
        return MomentFeeder(*precompute_moments(data.store, data.ids, cfg.layer))
    return frame_feeder(data.store, data.ids, cfg.layer, memory_budget_gb)


@torch.no_grad()
def forward_all(model, feeder, n: int, batch_size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Eval-mode forward over ``n`` utterances in order -> logits [N, C], valence [N], arousal [N]
    (standardised), on the CPU."""
    was_training = model.training
    model.eval()
    parts = []
    try:
        for start in range(0, n, batch_size):
            out = model(feeder.batch(np.arange(start, min(n, start + batch_size))))
            parts.append((out.logits.float().cpu(), out.valence.float().cpu(), out.arousal.float().cpu()))
    finally:
        model.train(was_training)
    if not parts:
        c = model.config.num_classes
        return torch.zeros(0, c), torch.zeros(0), torch.zeros(0)
    return tuple(torch.cat(p) for p in zip(*parts))


def predict(model, data: UtteranceSet, batch_size: int = 64, precompute: bool = True) -> Predictions:
    """Class probabilities and valence/arousal for every utterance of ``data``, in order.

    ``model``: an ``EmotionModel``, ``FineTuneModel`` or ``bench.model.svm.SVMModel``.
    ``precompute``: for linear poolers, pool each layer once and mix the pooled vectors
    (same numbers as the frame-level path up to float rounding). ``stats`` takes the frame path
    here (no memory budget is given: one pass reads each utterance once either way).
    """
    from bench.model.svm import SVMModel
    from bench.train.probes import ProbeModel

    if isinstance(model, (SVMModel, ProbeModel)):
        return model.predict(data)
    if not isinstance(model, (EmotionModel, FineTuneModel)):
        raise TypeError(
            f"predict takes a model from bench.train.fit or bench.model.load_model, got {type(model).__name__}"
        )
    logits, valence, arousal = forward_all(model, make_feeder(model, data, precompute), len(data), batch_size)
    cfg = model.config
    return Predictions(
        torch.softmax(logits, dim=1).numpy().astype(np.float64),
        restore_scale(valence.numpy(), cfg.valence_stats),
        restore_scale(arousal.numpy(), cfg.arousal_stats),
    )
