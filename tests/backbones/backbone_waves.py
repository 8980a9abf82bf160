"""Test helpers: the tiny variant names and seeded waves of awkward lengths."""

import numpy as np

TINY = ["tiny-wavlm", "tiny-hubert", "tiny-wav2vec2", "tiny-wav2vec2-gn", "tiny-data2vec-audio"]


def make_waves(lengths, seed=0):
    """Seeded tone-plus-noise waves, float32 [n] each."""
    rng = np.random.default_rng(seed)
    waves = []
    for n in lengths:
        t = np.arange(n) / 16000
        waves.append((0.3 * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.standard_normal(n)).astype(np.float32))
    return waves
