"""Feeders turn a list of utterance indices into a model batch.

- ``ResidentFeeder``: every utterance's cached stack held in memory once per process (when the
  set fits ``memory_budget_gb``), shared by all jobs on the same cache entries; a batch is one
  gather into a padded [L, B, T, D] fp16 tensor, with no per-utterance Python.
- ``FrameFeeder``: reads each utterance of a batch from the store (corpora larger than the
  budget; ``bench predict``); same batches as ``ResidentFeeder``.
- ``PooledFeeder``: per-layer pooled vectors of a linear pooler, from the per-utterance
  sufficient statistics (``bench.train.utterance_stats``), computed once per process.
- ``MomentFeeder``: per-layer means and cross-layer covariances for ``stats`` (its mean and
  std of any layer mix follow from them), from the same statistics, when they fit the budget.
- ``WaveFeeder``: loads audio for fine-tune mode.

With a fixed layer only that layer is read: stacks are [1, B, T, D].
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import torch

from bench.model.batches import FrameBatch, MomentBatch, PooledBatch, WaveBatch
from bench.train import utterance_stats


def _tensor(array: np.ndarray) -> torch.Tensor:
    """Copy (memmaps are read-only) into a torch tensor of the same dtype."""
    return torch.from_numpy(np.array(array, copy=True))


def load_stack(store, utt_id: str, layer: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """-> (stack [L, T, D] or [1, T, D] for a fixed ``layer``, speech bool [T])."""
    feats, speech = store.load(utt_id)
    if feats.ndim != 3 or feats.shape[1] != len(speech):
        raise ValueError(
            f"store gave features {feats.shape} and a speech mask of {len(speech)} frames "
            f"for {utt_id!r}; expected [L, T, D] and [T]"
        )
    if layer is not None:
        feats = feats[layer : layer + 1] if layer >= 0 else feats[layer][None]
    return _tensor(feats), _tensor(np.asarray(speech, dtype=bool))


def _masks(lengths: torch.Tensor, longest: int) -> torch.Tensor:
    return torch.arange(longest) < lengths.unsqueeze(1)  # [B, T]


class FrameFeeder:
    """Reads a batch's utterances from the store and pads them: -> ``FrameBatch``."""

    def __init__(self, store, ids: list[str], layer: int | None = None):
        self.store, self.ids, self.layer = store, ids, layer

    def batch(self, index: np.ndarray) -> FrameBatch:
        loaded = [load_stack(self.store, self.ids[i], self.layer) for i in index]
        lengths = torch.tensor([s.shape[1] for s, _ in loaded])
        longest = int(lengths.max()) if len(loaded) else 0
        first = loaded[0][0]
        stacks = first.new_zeros((first.shape[0], len(loaded), longest, first.shape[2]))
        speech = torch.zeros(len(loaded), longest, dtype=torch.bool)
        for b, (s, m) in enumerate(loaded):
            stacks[:, b, : s.shape[1]] = s
            speech[b, : len(m)] = m
        return FrameBatch(stacks, _masks(lengths, longest), speech)


class _Resident:
    """Frames of every utterance of a store concatenated along time: frames [L, F + 1, D] fp16
    (the last row is zeros, the target of padding), speech [F + 1] bool, start and length [N]."""

    def __init__(self, store, ids: list[str], layer: int | None):
        stacks, masks = zip(*(load_stack(store, utt_id, layer) for utt_id in ids))
        self.position = {utt_id: k for k, utt_id in enumerate(ids)}
        self.length = torch.tensor([m.shape[0] for m in masks])
        self.start = torch.cumsum(self.length, 0) - self.length
        zero = stacks[0].new_zeros((stacks[0].shape[0], 1, stacks[0].shape[2]))
        self.frames = torch.cat([*stacks, zero], dim=1)
        self.speech = torch.cat([*masks, torch.zeros(1, dtype=torch.bool)])
        self.pad_row = self.frames.shape[1] - 1

    @property
    def nbytes(self) -> int:
        return self.frames.element_size() * self.frames.nelement()

    def batch(self, index: torch.Tensor) -> FrameBatch:
        """index [B] positions in this set -> FrameBatch (one gather, no per-utterance Python)."""
        lengths = self.length[index]
        longest = int(lengths.max()) if len(index) else 0
        valid = _masks(lengths, longest)
        rows = torch.where(valid, self.start[index].unsqueeze(1) + torch.arange(longest), self.pad_row)  # [B, T]
        return FrameBatch(self.frames[:, rows], valid, self.speech[rows])


# Process-wide: (the store's cache entries, layer) -> _Resident of ALL the store's utterances, so
# every job of one (backbone, VAD) in one process (folds, seeds, poolers) reads the disk once.
# Least recently used sets are evicted beyond the budget.
_RESIDENT: "OrderedDict[tuple, _Resident]" = OrderedDict()


def stack_bytes(store, ids: list[str], layer: int | None = None) -> int:
    """fp16 bytes the stacks of ``ids`` take in memory (from the masks' lengths and the store's shape)."""
    frames = sum(int(store.frames(i)) for i in ids)
    layers = 1 if layer is not None else store.num_layers
    return 2 * frames * layers * store.dim


def _resident_key(store, layer: int | None) -> tuple:
    return tuple(str(store.feature_path(i)) for i in store.ids), layer


# Same key -> fp16 bytes of the store's stacks (stack_bytes reads every mask: once per process, not per job).
_STORE_BYTES: dict[tuple, int] = {}


def _resident(store, layer: int | None, budget_bytes: int) -> _Resident:
    ids = list(store.ids)
    key = _resident_key(store, layer)
    resident = _RESIDENT.pop(key, None) or _Resident(store, ids, layer)
    _RESIDENT[key] = resident
    while len(_RESIDENT) > 1 and sum(r.nbytes for r in _RESIDENT.values()) > budget_bytes:
        _RESIDENT.popitem(last=False)
    return resident


class ResidentFeeder:
    """Batches of ``ids`` cut from the store's utterances held in memory (loaded once per process)."""

    def __init__(self, store, ids: list[str], layer: int | None = None, budget_bytes: int = 2**62):
        self.resident = _resident(store, layer, budget_bytes)
        self.rows = torch.tensor([self.resident.position[i] for i in ids], dtype=torch.long)

    def batch(self, index: np.ndarray) -> FrameBatch:
        return self.resident.batch(self.rows[torch.as_tensor(np.asarray(index), dtype=torch.long)])


def frame_feeder(store, ids: list[str], layer: int | None = None, budget_gb: float | None = None):
    """A ``ResidentFeeder`` when the store has cache files and all its utterances fit
    ``budget_gb`` (GiB of fp16 stacks), else a ``FrameFeeder`` (same batches)."""
    resident_capable = all(hasattr(store, a) for a in ("ids", "feature_path", "frames", "num_layers", "dim"))
    if budget_gb and ids and resident_capable:
        budget = int(budget_gb * 2**30)
        key = _resident_key(store, layer)
        if key not in _STORE_BYTES:
            _STORE_BYTES[key] = stack_bytes(store, list(store.ids), layer)
        if _STORE_BYTES[key] <= budget:
            return ResidentFeeder(store, ids, layer, budget)
    return FrameFeeder(store, ids, layer)


class PooledFeeder:
    def __init__(self, pooled: torch.Tensor):
        self.pooled = pooled  # [N, L, P]

    def batch(self, index: np.ndarray) -> PooledBatch:
        return PooledBatch(self.pooled[torch.as_tensor(index)])


class MomentFeeder:
    """Batches of ``MomentBatch`` from mean [N, L, D] and N covariances [K, D] (``precompute_moments``).

    The covariances stay the per-utterance arrays of the statistics memo (the only copy in
    memory); a batch stacks its B rows."""

    def __init__(self, mean: torch.Tensor, covariance: list[torch.Tensor]):
        self.mean, self.covariance = mean, covariance

    def batch(self, index: np.ndarray) -> MomentBatch:
        index = np.asarray(index)
        return MomentBatch(
            self.mean[torch.as_tensor(index, dtype=torch.long)], torch.stack([self.covariance[i] for i in index])
        )


class WaveFeeder:
    def __init__(self, store, ids: list[str]):
        self.store, self.ids = store, ids

    def batch(self, index: np.ndarray) -> WaveBatch:
        loaded = [self.store.load(self.ids[i]) for i in index]
        return WaveBatch(
            [_tensor(np.asarray(w, dtype=np.float32)) for w, _ in loaded],
            [_tensor(np.asarray(m, dtype=bool)) for _, m in loaded],
        )


def precompute_pooled(store, ids: list[str], pooler: str, layer: int | None = None) -> torch.Tensor:
    """Per-layer pooled vectors of a linear pooler (``gap``, ``sap-noattn``): -> [N, L, P] fp32
    ([N, 1, P] for a fixed ``layer``), from the per-utterance sufficient statistics.

    ``pool(sum_l w_l X_l) == sum_l w_l pool(X_l)`` for a linear pooler, so a model trains on these
    vectors without ever loading frame-level features again.
    """
    if pooler not in ("gap", "sap-noattn"):
        raise ValueError(f"per-layer pooled vectors are precomputed for gap and sap-noattn, not {pooler!r}")
    if not ids:
        return torch.zeros(0, 0, 0)
    sums = utterance_stats.utterance_sums(store, ids).layer(layer)
    return torch.from_numpy(utterance_stats.pooled(sums, pooler).astype(np.float32))


def _layers_and_dim(store, ids: list[str]) -> tuple[int, int]:
    if hasattr(store, "num_layers") and hasattr(store, "dim"):
        return int(store.num_layers), int(store.dim)
    feats = store.load(ids[0])[0]
    return int(feats.shape[0]), int(feats.shape[-1])


def moments_fit(store, ids: list[str], layer: int | None, budget_gb: float | None) -> bool:
    """Whether the covariances of every utterance of ``store`` (they are memoised per process, so
    a run's folds end up holding them all) fit ``budget_gb`` GiB. Always for a fixed layer (no
    covariance is held); never without a budget (None or 0: ``bench predict`` reads frames once)."""
    if not ids or not budget_gb:
        return False
    num_layers, dim = _layers_and_dim(store, ids)
    everyone = len(store.ids) if hasattr(store, "ids") else len(ids)
    return utterance_stats.moment_bytes(everyone, num_layers, dim, layer) <= budget_gb * 2**30


def precompute_moments(store, ids: list[str], layer: int | None = None) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """The ``stats`` pooler's per-utterance moments: (mean [N, L, D] fp32, N covariances [K, D]
    fp32), [N, 1, D] and N variances [1, D] for a fixed ``layer``; see ``utterance_moments``."""
    mean, covariance = utterance_stats.utterance_moments(store, ids, layer)
    return torch.from_numpy(mean), [torch.from_numpy(c) for c in covariance]
