"""Voice activity detection on the frame grid: ``names()``, ``create(name, **options)``.

    vad = bench.vad.create("webrtc", aggressiveness=3)
    vad.identity                      # dict: name, options, package version (cache key)
    vad.speech_mask(wave, 16000)      # bool [T], T = bench.audio.num_frames(n)

See docs/vad.md for how each detector's decisions map onto the 25 ms / 20 ms frames.
"""

from __future__ import annotations

from bench.errors import unknown_name
from bench.vad.base import Option, VadOptionError, VoiceActivityDetector
from bench.vad.energy import EnergyVad, NoVad
from bench.vad.silero import SileroVad
from bench.vad.webrtc import WebRtcVad

_REGISTRY: dict[str, type[VoiceActivityDetector]] = {cls.name: cls for cls in (WebRtcVad, SileroVad, EnergyVad, NoVad)}


def names() -> list[str]:
    """Registered detector names, sorted."""
    return sorted(_REGISTRY)


def get(name: str) -> type[VoiceActivityDetector]:
    """The detector class for ``name``; an unknown name lists the valid ones."""
    if name not in _REGISTRY:
        raise unknown_name("VAD", name, _REGISTRY)
    return _REGISTRY[name]


def create(name: str, **options) -> VoiceActivityDetector:
    """A detector by name with validated options (CLI strings are converted)."""
    return get(name)(**options)


def parse_options(pairs) -> dict[str, str]:
    """CLI ``k=v`` strings -> {k: v}; values are converted and checked by ``create``."""
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise VadOptionError(f"VAD option {pair!r} is not of the form key=value, e.g. aggressiveness=2")
        options[key.strip()] = value.strip()
    return options


__all__ = ["Option", "VadOptionError", "VoiceActivityDetector", "create", "get", "names", "parse_options"]
