"""Mapping VAD decisions onto the 25 ms / 20 ms frame grid, and optional smoothing.

Rule (docs/vad.md): frame i covers samples [320 i, 320 i + 400) at 16 kHz; it is speech when at
least half of those 400 samples (>= 200) lie in windows the detector called speech. Samples past
the end of the audio never count (a detector's zero-padded last window is cut at n).
"""

from __future__ import annotations

import numpy as np

from bench.audio import FRAME_HOP, FRAME_WINDOW, num_frames

FRAME_MS = 1000 * FRAME_HOP // 16_000  # 20 ms


def frame_starts(num_samples: int) -> np.ndarray:
    """First sample of each frame of the grid: int64 [T]."""
    return np.arange(num_frames(num_samples), dtype=np.int64) * FRAME_HOP


def windows_to_frames(decisions: np.ndarray, window: int, num_samples: int) -> np.ndarray:
    """Back-to-back detector windows -> frame mask by the half-overlap rule.

    decisions: bool [W], window j covering samples [window j, window (j + 1)).
    Returns bool [T], T = num_frames(num_samples).
    """
    per_sample = np.zeros(num_samples, dtype=np.int32)
    covered = np.repeat(np.asarray(decisions, dtype=np.int32), window)[:num_samples]
    per_sample[: covered.size] = covered
    cumulative = np.concatenate([[0], np.cumsum(per_sample, dtype=np.int64)])
    starts = frame_starts(num_samples)
    speech_samples = cumulative[starts + FRAME_WINDOW] - cumulative[starts]
    return speech_samples * 2 >= FRAME_WINDOW


def frame_view(wave: np.ndarray) -> np.ndarray:
    """The grid's frames as a strided view: float [T, 400] (no copy)."""
    n = num_frames(wave.size)
    if n == 0:
        return np.zeros((0, FRAME_WINDOW), dtype=wave.dtype)
    return np.lib.stride_tricks.sliding_window_view(wave, FRAME_WINDOW)[::FRAME_HOP][:n]


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of equal values: (starts [R], lengths [R], values bool [R])."""
    if mask.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=bool)
    change = np.flatnonzero(mask[1:] != mask[:-1]) + 1
    starts = np.concatenate([[0], change])
    lengths = np.diff(np.concatenate([starts, [mask.size]]))
    return starts, lengths, mask[starts]


def smooth(mask: np.ndarray, min_speech_ms: float = 0, min_silence_ms: float = 0) -> np.ndarray:
    """Fill pauses shorter than ``min_silence_ms`` between speech, then drop speech shorter than ``min_speech_ms``.

    mask: bool [T] on the 20 ms grid; returns a new bool [T]. Leading and trailing silence
    is never filled. Durations are rounded to whole frames; 0 turns a step off.
    """
    out = np.array(mask, dtype=bool, copy=True)
    min_silence = int(round(min_silence_ms / FRAME_MS))
    min_speech = int(round(min_speech_ms / FRAME_MS))
    if min_silence > 0:
        starts, lengths, values = _runs(out)
        for s, length, v in zip(starts, lengths, values):
            inner = s > 0 and s + length < out.size
            if not v and inner and length < min_silence:
                out[s : s + length] = True
    if min_speech > 0:
        starts, lengths, values = _runs(out)
        for s, length, v in zip(starts, lengths, values):
            if v and length < min_speech:
                out[s : s + length] = False
    return out
