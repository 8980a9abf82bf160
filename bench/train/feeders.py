"""Feeders turn a list of utterance indices into a model batch.

- ``FrameFeeder``: loads each utterance's cached stack [L, T, D] and keeps it fp16 (the model
  mixes layers per utterance; see ``bench.model.layers``). With a fixed layer only that layer is
  read: stacks are [1, T, D].
- ``PooledFeeder``: indexes per-layer pooled vectors precomputed once by ``precompute_pooled``.
- ``WaveFeeder``: loads audio for fine-tune mode.
"""

from __future__ import annotations

import numpy as np
import torch

import poolers
from bench.model.batches import FrameBatch, PooledBatch, WaveBatch


def _tensor(array: np.ndarray) -> torch.Tensor:
    """Copy (memmaps are read-only) into a torch tensor of the same dtype."""
    return torch.from_numpy(np.array(array, copy=True))


def load_stack(store, utt_id: str, layer: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """-> (stack [L, T, D] or [1, T, D] for a fixed ``layer``, speech bool [T])."""
    feats, speech = store.load(utt_id)
    if feats.ndim != 3 or feats.shape[1] != len(speech):
        raise ValueError(f"store gave features {feats.shape} and a speech mask of {len(speech)} frames "
                         f"for {utt_id!r}; expected [L, T, D] and [T]")
    if layer is not None:
        feats = feats[layer:layer + 1] if layer >= 0 else feats[layer][None]
    return _tensor(feats), _tensor(np.asarray(speech, dtype=bool))


class FrameFeeder:
    def __init__(self, store, ids: list[str], layer: int | None = None):
        self.store, self.ids, self.layer = store, ids, layer

    def batch(self, index: np.ndarray) -> FrameBatch:
        loaded = [load_stack(self.store, self.ids[i], self.layer) for i in index]
        return FrameBatch([s for s, _ in loaded], [m for _, m in loaded])


class PooledFeeder:
    def __init__(self, pooled: torch.Tensor):
        self.pooled = pooled  # [N, L, P]

    def batch(self, index: np.ndarray) -> PooledBatch:
        return PooledBatch(self.pooled[torch.as_tensor(index)])


class WaveFeeder:
    def __init__(self, store, ids: list[str]):
        self.store, self.ids = store, ids

    def batch(self, index: np.ndarray) -> WaveBatch:
        loaded = [self.store.load(self.ids[i]) for i in index]
        return WaveBatch([_tensor(np.asarray(w, dtype=np.float32)) for w, _ in loaded],
                         [_tensor(np.asarray(m, dtype=bool)) for _, m in loaded])


def precompute_pooled(store, ids: list[str], pooler: str, layer: int | None = None) -> torch.Tensor:
    """Per-layer pooled vectors of a linear pooler: -> [N, L, P] fp32 ([N, 1, P] for a fixed
    ``layer``), one store read per utterance.

    ``pool(sum_l w_l X_l) == sum_l w_l pool(X_l)`` for a linear pooler, so a model trains on these
    vectors without ever loading frame-level features again.
    """
    rows = []
    for utt_id in ids:
        stack, speech = load_stack(store, utt_id, layer)
        valid = torch.ones(1, stack.shape[1], dtype=torch.bool)
        rows.append(poolers.pool_layers(pooler, stack.float()[None], valid, speech[None])[0])
    return torch.stack(rows) if rows else torch.zeros(0, 0, 0)
