"""The data a training job sees: ``UtteranceSet`` (ids, targets and a store) and target scaling.

A store is anything with ``load(utt_id) -> (array, speech bool [T])``:
- frozen mode: ``bench.cache.FeatureStore``, array = features fp16 [L, T, D];
- fine-tune mode: ``WaveStore`` below, array = audio float32 [n] at 16 kHz (T = num_frames(n)).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from bench.audio import SAMPLE_RATE, load_audio, num_frames


@dataclass
class UtteranceSet:
    """ids [N]; labels [N] int class indices; valence, arousal [N] float (NaN = unknown); store."""

    ids: list[str]
    labels: np.ndarray
    valence: np.ndarray
    arousal: np.ndarray
    store: Any

    def __post_init__(self):
        self.ids = list(self.ids)
        n = len(self.ids)
        self.labels = np.array(self.labels, dtype=np.int64).reshape(-1)  # own, writable copy
        self.valence = _float_column(self.valence, n)
        self.arousal = _float_column(self.arousal, n)
        if len(self.labels) != n:
            raise ValueError(f"UtteranceSet has {n} ids but {len(self.labels)} labels")

    def __len__(self) -> int:
        return len(self.ids)


def _float_column(values, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, np.nan, dtype=np.float64)
    values = np.array(values, dtype=np.float64).reshape(-1)
    if len(values) != n:
        raise ValueError(f"expected {n} valence/arousal values, got {len(values)}")
    return values


def target_stats(values: np.ndarray) -> tuple[float, float] | None:
    """(mean, std) of the known values, or None when all are NaN. A constant target gets std 1."""
    known = values[~np.isnan(values)]
    if len(known) == 0:
        return None
    std = float(known.std())
    return float(known.mean()), std if std > 1e-8 else 1.0


def standardise(values: np.ndarray, stats: tuple[float, float] | None) -> np.ndarray:
    """[N] -> [N] float32 (v - mean) / std; all NaN when ``stats`` is None."""
    if stats is None:
        return np.full(len(values), np.nan, dtype=np.float32)
    return ((values - stats[0]) / stats[1]).astype(np.float32)


def restore_scale(values: np.ndarray, stats: tuple[float, float] | None) -> np.ndarray:
    """Inverse of ``standardise``; NaN when ``stats`` is None (the head was never trained)."""
    if stats is None:
        return np.full(len(values), np.nan, dtype=np.float64)
    return values.astype(np.float64) * stats[1] + stats[0]


class WaveStore:
    """Audio + precomputed VAD masks for fine-tune mode: ``load(id) -> (wave [n], speech [T])``.

    ``paths``: utterance id -> audio file; ``masks``: a store whose ``load(id)[1]`` is the speech
    mask on the frame grid (e.g. the ``FeatureStore`` of the same corpus, or anything with the
    same ``load``); the mask is cut or padded (with False) to ``num_frames(len(wave))``.
    """

    def __init__(
        self, paths: Mapping[str, str], masks, max_duration: float | None = None, sample_rate: int = SAMPLE_RATE
    ):
        self.paths, self.masks = dict(paths), masks
        self.max_duration, self.sample_rate = max_duration, sample_rate

    def load(self, utt_id: str) -> tuple[np.ndarray, np.ndarray]:
        wave = load_audio(self.paths[utt_id], self.sample_rate, self.max_duration)
        speech = np.asarray(self.masks.load(utt_id)[1], dtype=bool)
        t = num_frames(len(wave))
        return wave, np.pad(speech[:t], (0, max(0, t - len(speech))))


class DictStore:
    """An in-memory store: ``items`` maps id -> (array, speech bool [T]); same ``load`` as the others."""

    def __init__(self, items: Mapping[str, tuple[np.ndarray, np.ndarray]]):
        self.items = dict(items)

    def load(self, utt_id: str) -> tuple[np.ndarray, np.ndarray]:
        return self.items[utt_id]
