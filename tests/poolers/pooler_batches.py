"""Tiny random batches for the pooler tests: padding filled with noise, speech in runs."""

from __future__ import annotations

import torch

DIM = 16
# cnn defaults (349 frames = 7 s, 7 blocks) cost little at D=16; its map stays small in tests anyway.
SMALL_HPARAMS = {"cnn": {"max_frames": 40}, "asp": {"hidden": 8}}


def speech_runs(length: int, total: int, generator: torch.Generator) -> torch.Tensor:
    """A VAD-like mask [total]: alternating speech/non-speech runs over the first `length` frames."""
    mask = torch.zeros(total, dtype=torch.bool)
    t, speaking = 0, bool(torch.rand(1, generator=generator) < 0.5)
    while t < length:
        run = int(torch.randint(1, 6, (1,), generator=generator))
        mask[t : min(t + run, length)] = speaking
        t, speaking = t + run, not speaking
    return mask


def make_batch(lengths, dim=DIM, seed=0, total=None, silent=()):
    """feats [B, T, D] (noise everywhere, padding included), valid [B, T], speech [B, T].

    T = max(lengths) unless `total` is larger; utterances whose index is in `silent` get no speech.
    """
    generator = torch.Generator().manual_seed(seed)
    total = max(max(lengths), total or 0)
    feats = torch.randn(len(lengths), total, dim, generator=generator)
    valid = torch.arange(total) < torch.tensor(lengths).unsqueeze(1)
    speech = torch.stack([speech_runs(n, total, generator) for n in lengths])
    speech[:, 0] |= ~speech.any(1)  # every utterance has speech unless asked to be silent
    speech[list(silent)] = False
    return feats, valid, speech


def build(name, dim=DIM, seed=0):
    """The pooler `name` with small hparams, deterministic initial weights, in eval mode."""
    import poolers

    torch.manual_seed(seed)
    return poolers.create(name, dim, **SMALL_HPARAMS.get(name, {})).eval()
