"""What a model eats: three kinds of batch, one per way of feeding it.

- ``FrameBatch``: cached frame-level stacks, padded into one tensor (frozen mode, any pooler).
- ``PooledBatch``: per-layer pooled vectors (frozen mode, linear poolers only; see
  ``bench.train.feeders.precompute_pooled``).
- ``MomentBatch``: per-layer means and cross-layer covariances (frozen mode, ``stats``; see
  ``bench.train.feeders.precompute_moments``).
- ``WaveBatch``: raw audio (fine-tune mode).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass
class FrameBatch:
    """stacks [L, B, T, D] (fp16 as cached; zeros on padding), valid [B, T] bool (False on
    padding), speech [B, T] bool (VAD decision, False on padding). L = 1 for a fixed layer."""

    stacks: torch.Tensor
    valid: torch.Tensor
    speech: torch.Tensor

    def __len__(self) -> int:
        return self.stacks.shape[1]


@dataclass
class PooledBatch:
    """pooled: [B, L, P] fp32, per-layer output of a linear pooler."""

    pooled: torch.Tensor

    def __len__(self) -> int:
        return self.pooled.shape[0]


@dataclass
class MomentBatch:
    """mean [B, L, D] fp32, per-layer frame means; covariance [B, K, D] fp32, the centred
    cross-layer covariances of the frames, rows (l, m) with l <= m (K = L(L+1)/2, order of
    ``bench.train.utterance_stats.layer_pairs``). For a fixed layer L = K = 1 (the variance)."""

    mean: torch.Tensor
    covariance: torch.Tensor

    def __len__(self) -> int:
        return self.mean.shape[0]


@dataclass
class WaveBatch:
    """waves: B float32 tensors [n_b] at 16 kHz; speech: B bool tensors [T_b], T_b = num_frames(n_b)."""

    waves: list[torch.Tensor]
    speech: list[torch.Tensor]

    def __len__(self) -> int:
        return len(self.waves)


def pad_frames(seqs: list[torch.Tensor], speech: list[torch.Tensor]):
    """B tensors [T_b, D] + B masks [T_b] -> (feats [B, T, D], valid [B, T], speech [B, T]).

    Padding by ``F.pad`` + ``stack`` (not ``pad_sequence``, whose in-place slice copies make the
    backward pass copy the whole padded batch once per utterance: O(B^2 T D)).
    """
    longest = max((s.shape[0] for s in seqs), default=0)
    feats = torch.stack([F.pad(s, (0, 0, 0, longest - s.shape[0])) for s in seqs])
    lengths = torch.tensor([s.shape[0] for s in seqs], device=feats.device)
    valid = torch.arange(longest, device=feats.device) < lengths.unsqueeze(1)
    speech_mask = torch.stack([F.pad(m.to(torch.bool)[:longest], (0, longest - min(len(m), longest))) for m in speech])
    return feats, valid, speech_mask.to(feats.device) & valid
