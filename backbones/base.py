"""The Backbone contract: waves in, hidden states on the 20 ms frame grid out.

Every backbone (transformers SSL models, tiny test variants, the weights-free fbank) returns,
per utterance, a float32 array ``[L_sel, T, D]`` with ``T = bench.audio.num_frames(n)``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np
import torch

from bench.audio import num_frames
from bench.errors import BenchError


class Backbone(ABC):
    """Frame-level feature extractor.

    Attributes:
        name: registry name or local checkpoint path.
        identity: everything that changes the numbers (source and revision or weight digest,
            dtype, input normalisation, ...); JSON-serialisable, used as a cache key.
        num_layers: L, number of hidden states (layer 0 = conv/embedding output).
        hidden_size: D.
        device, dtype: where and in which precision the model runs.
    """

    name: str
    identity: dict
    num_layers: int
    hidden_size: int
    device: torch.device
    dtype: torch.dtype

    @abstractmethod
    def extract(self, waves: Sequence[np.ndarray], layers: Sequence[int] | None = None) -> list[np.ndarray]:
        """waves: 16 kHz mono float32 ``[n_i]`` -> per utterance float32 ``[L_sel, T_i, D]``."""

    def check_layers(self, layers: Sequence[int] | None) -> list[int]:
        """Default all layers; otherwise each index must lie in ``[0, num_layers)``."""
        if layers is None:
            return list(range(self.num_layers))
        chosen = [int(i) for i in layers]
        bad = [i for i in chosen if not 0 <= i < self.num_layers]
        if bad or not chosen:
            raise BenchError(
                f"layers {list(layers)} are not valid for backbone {self.name!r}: it has "
                f"{self.num_layers} hidden states, numbered 0..{self.num_layers - 1} (0 = conv/embedding output)"
            )
        return chosen

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(name={self.name!r}, L={self.num_layers}, D={self.hidden_size}, "
            f"device={self.device}, dtype={self.dtype})"
        )


def as_wave(wave: np.ndarray) -> np.ndarray:
    """Check one input wave: 1-D float -> contiguous float32 ``[n]``."""
    wave = np.asarray(wave)
    if wave.ndim != 1:
        raise BenchError(f"a backbone takes 1-D mono waves at 16 kHz; got an array of shape {wave.shape}")
    return np.ascontiguousarray(wave, dtype=np.float32)


def empty_features(num_layers: int, dim: int) -> np.ndarray:
    """Features of an utterance shorter than one frame: float32 ``[L_sel, 0, D]``."""
    return np.zeros((num_layers, 0, dim), dtype=np.float32)


def frames_of(wave: np.ndarray) -> int:
    """T of one wave on the shared grid."""
    return num_frames(len(wave))


def resolved_revision(identity: dict) -> str:
    """What weights a backbone ran with, in one line, from its ``identity``: the hub commit hash
    (``hub_id@revision, commit C``), ``local`` with the folder's weight digest, or ``built-in`` for
    the weights-free fbank and the seeded tiny test models."""
    source = identity.get("source")
    if source == "hub":
        commit = identity.get("commit") or "not in the local cache's snapshots (not recorded)"
        return f"{identity.get('hub_id')}@{identity.get('revision')}, commit {commit}"
    if source == "local":
        return f"local, weights sha256 {str(identity.get('weights_sha256', 'unknown'))[:16]}"
    if source == "tiny-random":
        return f"built-in (tiny random, seed {identity.get('seed')}, config {identity.get('config_digest')})"
    if identity.get("kind") == "fbank":
        return "built-in (log-mel filterbank, no weights)"
    return f"unknown source {source!r}"
