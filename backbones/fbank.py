"""Weights-free log-mel filterbank backbone on the shared 25 ms / 20 ms frame grid.

Frame i covers samples ``[320 i, 320 i + 400)`` (no centring, no padding), so an utterance of
n samples gives ``T = num_frames(n)`` frames, the same T as WavLM/HuBERT/wav2vec2.

Per frame: periodic Hann window of 400 samples, zero-padded 512-point FFT, power spectrum,
80 triangular filters equally spaced on the HTK mel scale between 20 Hz and 8000 Hz
(unnormalised triangles, peak 1), ``log(energy + 1e-6)``. Input waves are floats in [-1, 1].
Optional per-utterance mean normalisation (``cmn=True``) subtracts each channel's mean over
the utterance; it also removes overall loudness, which carries arousal, so the default
``fbank`` keeps raw log energies and ``fbank-cmn`` normalises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import torch

from backbones.base import Backbone, as_wave, empty_features, frames_of
from backbones.registry import register
from bench.audio import FRAME_HOP, FRAME_WINDOW, SAMPLE_RATE


@dataclass(frozen=True)
class FbankConfig:
    num_mels: int = 80
    n_fft: int = 512
    f_min: float = 20.0
    f_max: float = 8000.0
    log_floor: float = 1e-6
    cmn: bool = False


def hz_to_mel(hz):
    """HTK mel scale."""
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def mel_to_hz(mel):
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


def mel_filterbank(config: FbankConfig, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Triangular filters ``[num_mels, n_fft // 2 + 1]`` (float64), peak 1 at each centre."""
    edges_hz = mel_to_hz(np.linspace(hz_to_mel(config.f_min), hz_to_mel(config.f_max), config.num_mels + 2))
    bins_hz = np.arange(config.n_fft // 2 + 1) * sample_rate / config.n_fft
    lower, centre, upper = edges_hz[:-2, None], edges_hz[1:-1, None], edges_hz[2:, None]
    rising = (bins_hz - lower) / (centre - lower)
    falling = (upper - bins_hz) / (upper - centre)
    return np.clip(np.minimum(rising, falling), 0.0, None)


def frame_signal(wave: np.ndarray) -> np.ndarray:
    """``[n]`` -> ``[T, 400]`` view of the frames of the shared grid (T = num_frames(n))."""
    count = frames_of(wave)
    return np.lib.stride_tricks.as_strided(
        wave, shape=(count, FRAME_WINDOW), strides=(wave.strides[0] * FRAME_HOP, wave.strides[0]), writeable=False
    )


def log_mel(wave: np.ndarray, config: FbankConfig, filters: np.ndarray) -> np.ndarray:
    """``[n]`` float32 -> ``[T, num_mels]`` float32 log-mel energies."""
    window = np.hanning(FRAME_WINDOW + 1)[:-1]  # periodic Hann
    frames = frame_signal(wave).astype(np.float64) * window
    power = np.abs(np.fft.rfft(frames, n=config.n_fft, axis=1)) ** 2
    feats = np.log(power @ filters.T + config.log_floor)
    if config.cmn and len(feats):
        feats = feats - feats.mean(axis=0, keepdims=True)
    return feats.astype(np.float32)


class FbankBackbone(Backbone):
    """Log-mel filterbank as a one-layer backbone: L = 1, D = num_mels, CPU, float32."""

    def __init__(self, name: str, config: FbankConfig):
        self.name = name
        self.config = config
        self.filters = mel_filterbank(config)
        self.num_layers = 1
        self.hidden_size = config.num_mels
        self.device = torch.device("cpu")
        self.dtype = torch.float32
        self.identity = {
            "backbone": name,
            "kind": "fbank",
            "sample_rate": SAMPLE_RATE,
            "window": FRAME_WINDOW,
            "hop": FRAME_HOP,
            "window_fn": "hann-periodic",
            "mel_scale": "htk",
            "dtype": "float32",
            **asdict(config),
        }

    def extract(self, waves: Sequence[np.ndarray], layers: Sequence[int] | None = None) -> list[np.ndarray]:
        """waves ``[n_i]`` -> per utterance float32 ``[1, T_i, num_mels]``."""
        self.check_layers(layers)
        out = []
        for wave in waves:
            wave = as_wave(wave)
            if frames_of(wave) == 0:
                out.append(empty_features(1, self.hidden_size))
            else:
                out.append(log_mel(wave, self.config, self.filters)[None])
        return out


@register("fbank")
def fbank(device=None, dtype=None, **_options) -> FbankBackbone:
    """80-dim log-mel, no normalisation (keeps loudness). CPU, float32 whatever is asked; batching
    options of the transformers backbones (``max_batch_seconds``) are accepted and ignored."""
    return FbankBackbone("fbank", FbankConfig())


@register("fbank-cmn")
def fbank_cmn(device=None, dtype=None, **_options) -> FbankBackbone:
    """80-dim log-mel with per-utterance mean normalisation."""
    return FbankBackbone("fbank-cmn", FbankConfig(cmn=True))
