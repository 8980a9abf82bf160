"""What every voice activity detector is: validated options, an identity, ``speech_mask``.

A detector subclass sets ``name``, ``summary``, ``options`` (name -> Option) and implements
``_frame_speech(wave)`` for 16 kHz audio; the base class resamples, checks the input, applies the
optional smoothing shared by all detectors and guarantees the mask has the grid's length.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from typing import Any, ClassVar

import numpy as np

from bench.audio import SAMPLE_RATE, num_frames, resample
from bench.errors import BenchError
from bench.vad.frames import smooth

# Bumped whenever the mapping of decisions onto frames changes, so cached masks are rebuilt.
RULE_VERSION = 1


class VadOptionError(BenchError, ValueError):
    """A VAD option is unknown or out of range."""


@dataclass(frozen=True)
class Option:
    """One option of a detector: default, type, allowed closed range, one line of help."""

    default: Any
    kind: type
    low: float | None = None
    high: float | None = None
    help: str = ""

    def parse(self, detector: str, key: str, value: Any) -> Any:
        """Convert ``value`` (possibly a CLI string) to ``kind`` and check the range."""
        try:
            if isinstance(value, bool):
                raise ValueError
            converted = float(value)
            if self.kind is int:
                if not converted.is_integer():
                    raise ValueError
                converted = int(converted)
            if converted != converted:  # NaN
                raise ValueError
        except (TypeError, ValueError):
            raise VadOptionError(
                f"VAD {detector!r}: option {key} expects {self.kind.__name__}, got {value!r}"
            ) from None
        if (self.low is not None and converted < self.low) or (self.high is not None and converted > self.high):
            raise VadOptionError(
                f"VAD {detector!r}: option {key}={converted} is outside [{self.low}, {self.high}]. {self.help}"
            )
        return converted


SMOOTHING_OPTIONS = {
    "min_speech_ms": Option(0.0, float, 0, 10_000, "drop speech runs shorter than this (0 = off)"),
    "min_silence_ms": Option(0.0, float, 0, 10_000, "fill pauses inside speech shorter than this (0 = off)"),
}


def package_version(*distributions: str) -> str:
    """'dist==version' of the first installed distribution among ``distributions``."""
    for dist in distributions:
        try:
            return f"{dist}=={metadata.version(dist)}"
        except metadata.PackageNotFoundError:
            continue
    return "unknown"


class VoiceActivityDetector:
    """Base class. ``speech_mask(wave, sample_rate) -> bool [T]``, T = num_frames(n at 16 kHz)."""

    name: ClassVar[str]
    summary: ClassVar[str]
    options: ClassVar[dict[str, Option]] = {}
    packages: ClassVar[tuple[str, ...]] = ()  # distributions whose version changes the output

    def __init__(self, **options):
        valid = {**self.options, **SMOOTHING_OPTIONS}
        unknown = sorted(set(options) - set(valid))
        if unknown:
            raise VadOptionError(
                f"VAD {self.name!r} has no option {', '.join(unknown)}; valid options: {', '.join(valid) or 'none'}"
            )
        self.settings = {key: opt.parse(self.name, key, options.get(key, opt.default)) for key, opt in valid.items()}

    @property
    def identity(self) -> dict:
        """Everything that changes the mask: name, every option, package version, rule version."""
        identity = {"name": self.name, **self.settings, "rule": RULE_VERSION}
        if self.packages:
            identity["version"] = package_version(*self.packages)
        return identity

    def speech_mask(self, wave: np.ndarray, sample_rate: int) -> np.ndarray:
        """Speech decision per frame of the grid.

        wave: float [n] mono in [-1, 1] at ``sample_rate`` (resampled to 16 kHz first).
        Returns bool [T] with T = num_frames(number of samples at 16 kHz); [0] for audio
        shorter than one frame.
        """
        wave = np.asarray(wave, dtype=np.float32)
        if wave.ndim != 1:
            raise BenchError(f"speech_mask expects mono audio [n], got shape {wave.shape}; average the channels first")
        wave = resample(wave, int(sample_rate), SAMPLE_RATE)
        frames = num_frames(wave.size)
        if frames == 0:
            return np.zeros(0, dtype=bool)
        mask = np.asarray(self._frame_speech(wave), dtype=bool)
        if mask.shape != (frames,):  # a detector bug, not a user error
            raise RuntimeError(f"VAD {self.name}: produced {mask.shape} decisions for {frames} frames")
        return smooth(mask, self.settings["min_speech_ms"], self.settings["min_silence_ms"])

    def _frame_speech(self, wave: np.ndarray) -> np.ndarray:
        """wave: float32 [n] at 16 kHz, n >= 400 -> bool [num_frames(n)] before smoothing."""
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.settings.items())
        return f"{type(self).__name__}({args})"
