"""Per-layer feature standardisation statistics from the training frames (frozen mode).

Cached SSL hidden states have large per-dimension offsets and scales (and fbank log-mels a large
common offset), which a small head trained by AdamW for a few hundred steps fits poorly; the
SVM baseline standardises for the same reason. We standardise each layer per dimension with
fixed mean/std of the TRAINING frames (no leakage from validation/test), stored as model
buffers. Measured effect: docs/training.md.
"""

from __future__ import annotations

import numpy as np
import torch

from bench.train.feeders import load_stack


def feature_stats(store, ids: list[str], layer: int | None = None, max_utterances: int = 1000,
                  std_floor: float = 1e-5) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and std over all frames of up to ``max_utterances`` training utterances (evenly
    spaced, so deterministic) -> ([S, D], [S, D]) fp32, S = 1 for a fixed ``layer``, else L.
    A dimension with std below ``std_floor`` gets std 1 (left unscaled)."""
    chosen = ids if len(ids) <= max_utterances else [ids[i] for i in np.linspace(0, len(ids) - 1, max_utterances).astype(int)]
    total = total_sq = None
    count = 0
    for utt_id in chosen:
        stack = load_stack(store, utt_id, layer)[0].numpy().astype(np.float64)  # [S, T, D]
        s, sq = stack.sum(axis=1), np.einsum("std,std->sd", stack, stack)
        total, total_sq = (s, sq) if total is None else (total + s, total_sq + sq)
        count += stack.shape[1]
    if not count:
        raise ValueError("the training utterances have no frames; cannot compute feature statistics")
    mean = total / count
    std = np.sqrt(np.maximum(total_sq / count - mean * mean, 0.0))
    std = np.where(std < std_floor, 1.0, std)
    return torch.from_numpy(mean.astype(np.float32)), torch.from_numpy(std.astype(np.float32))
