"""A plain energy detector on the frame grid itself, and the trivial ``none`` detector.

energy: for each 25 ms frame, the log energy 10 log10(mean((x - mean x)^2)) in dB relative to
full scale; a frame is speech when it is within ``threshold_db`` (default -35 dB) of the
utterance's loudest frame AND above the absolute floor ``floor_db`` (default -60 dBFS), so an
utterance of digital silence or faint hiss has no speech.
"""

from __future__ import annotations

import numpy as np

from bench.audio import num_frames
from bench.vad.base import Option, VoiceActivityDetector
from bench.vad.frames import frame_view


def frame_energy_db(wave: np.ndarray) -> np.ndarray:
    """wave: float [n] at 16 kHz -> per-frame energy in dBFS (DC removed), float64 [T]."""
    frames = frame_view(wave).astype(np.float64)
    power = frames.var(axis=1)
    return 10 * np.log10(power + 1e-20)


class EnergyVad(VoiceActivityDetector):
    name = "energy"
    summary = "frame log-energy within threshold_db (-35) of the utterance maximum and above floor_db (-60 dBFS)"
    options = {
        "threshold_db": Option(-35.0, float, -120.0, 0.0, "speech frames are at most this far below the loudest frame"),
        "floor_db": Option(-60.0, float, -200.0, 0.0, "frames quieter than this (dB re full scale) are never speech"),
    }

    def _frame_speech(self, wave: np.ndarray) -> np.ndarray:
        energy = frame_energy_db(wave)
        return (energy >= energy.max() + self.settings["threshold_db"]) & (energy >= self.settings["floor_db"])


class NoVad(VoiceActivityDetector):
    name = "none"
    summary = "every frame is speech (SAP then equals plain average pooling)"

    def _frame_speech(self, wave: np.ndarray) -> np.ndarray:
        return np.ones(num_frames(wave.size), dtype=bool)
