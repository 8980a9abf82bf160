"""Per-layer feature standardisation statistics from the training frames (frozen mode).

Cached SSL hidden states have large per-dimension offsets and scales (and fbank log-mels a large
common offset), which a small head trained by AdamW fits poorly; the SVM baseline and the probes
standardise for the same reason. We standardise each layer per dimension with fixed mean/std of
ALL the TRAINING frames (no leakage from validation/test), stored as model buffers. They are a
sum over the training utterances of per-utterance sufficient statistics, computed once per
process (``bench.train.utterance_stats``). Measured effect: docs/training.md.
"""

from __future__ import annotations

import torch

from bench.train.utterance_stats import standardisation, utterance_sums


def feature_stats(
    store, ids: list[str], layer: int | None = None, std_floor: float = 1e-5
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and std over all frames of the utterances ``ids`` -> ([S, D], [S, D]) fp32, S = 1 for
    a fixed ``layer``, else L. A dimension with std below ``std_floor`` gets std 1 (left unscaled)."""
    mean, std = standardisation(utterance_sums(store, ids).layer(layer), std_floor)
    return torch.from_numpy(mean.astype("float32")), torch.from_numpy(std.astype("float32"))
