"""Shared helpers for the corpus adapter tests: tiny audio files, good and broken.

Trees are built in each corpus's real layout by the test modules; this file only writes audio.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf


class AudioWriter:
    """Writes the audio files of a test tree: valid noise, or one of the broken kinds."""

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)

    def good(self, path: Path, seconds: float = 0.3, sample_rate: int = 16000, fmt: str | None = None) -> Path:
        """``seconds`` of quiet noise, 16-bit PCM (WAV or, by extension, FLAC)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        wave = (0.05 * self.rng.standard_normal(int(round(seconds * sample_rate)))).astype(np.float32)
        sf.write(str(path), wave, sample_rate, subtype="PCM_16", format=fmt)
        return path

    def empty(self, path: Path) -> Path:
        """A valid WAV header holding 0 samples."""
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(str(path), np.zeros(0, dtype=np.float32), 16000, subtype="PCM_16")
        return path

    def truncated(self, path: Path) -> Path:
        """A WAV whose data chunk was cut: the header promises more samples than the file holds."""
        self.good(path, seconds=0.3)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) - 4000])
        return path

    def garbage(self, path: Path) -> Path:
        """Bytes that are no audio format at all."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"this is not audio\x00\x01\x02" * 50)
        return path

    def broken(self, kind: str, path: Path) -> Path:
        """One broken file by kind: "empty", "truncated" or "garbage" ("missing" writes nothing)."""
        if kind == "missing":
            return path
        return getattr(self, kind)(path)
