"""Generated test audio for the cache tests (importable by other test folders)."""

import numpy as np


def voiced(seconds: float, seed: int, sample_rate: int = 16_000) -> np.ndarray:
    """A buzzy tone burst in the middle third, faint noise elsewhere: float32 [n]."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sample_rate)
    wave = rng.normal(0, 1e-3, n)
    t = np.arange(n) / sample_rate
    middle = slice(n // 3, 2 * n // 3)
    wave[middle] += 0.3 * np.sign(np.sin(2 * np.pi * (120 + 10 * seed) * t[middle])) * np.hanning(len(t[middle]))
    return wave.astype(np.float32)
