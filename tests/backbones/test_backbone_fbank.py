"""fbank against a slow, obvious per-frame numpy implementation."""

import math

import numpy as np
import pytest

import backbones
from backbone_waves import make_waves
from bench.audio import num_frames


def slow_log_mel(wave, num_mels=80, n_fft=512, f_min=20.0, f_max=8000.0, floor=1e-6):
    """One frame at a time: window, DFT, triangle weights computed bin by bin."""

    def mel(hz):
        return 2595.0 * math.log10(1.0 + hz / 700.0)

    def hz(m):
        return 700.0 * (10 ** (m / 2595.0) - 1.0)

    step = (mel(f_max) - mel(f_min)) / (num_mels + 1)
    edges = [hz(mel(f_min) + k * step) for k in range(num_mels + 2)]
    window = [0.5 - 0.5 * math.cos(2 * math.pi * j / 400) for j in range(400)]
    rows = []
    for i in range(num_frames(len(wave))):
        frame = np.zeros(n_fft)
        frame[:400] = [wave[320 * i + j] * window[j] for j in range(400)]
        power = np.abs(np.fft.fft(frame)[: n_fft // 2 + 1]) ** 2
        row = []
        for m in range(num_mels):
            lo, mid, hi = edges[m], edges[m + 1], edges[m + 2]
            energy = 0.0
            for b, p in enumerate(power):
                f = b * 16000 / n_fft
                if lo < f < hi:
                    energy += p * ((f - lo) / (mid - lo) if f <= mid else (hi - f) / (hi - mid))
            row.append(math.log(energy + floor))
        rows.append(row)
    return np.array(rows).reshape(-1, num_mels)


@pytest.mark.parametrize("n", [400, 719, 720, 1500])
def test_fbank_matches_slow_reference(n):
    wave = make_waves([n], seed=n)[0]
    got = backbones.create("fbank").extract([wave])[0]
    assert got.shape == (1, num_frames(n), 80)
    np.testing.assert_allclose(got[0], slow_log_mel(wave.astype(np.float64)), atol=2e-4, rtol=1e-4)


def test_fbank_frames_see_only_their_own_samples():
    wave = make_waves([16000 + 123])[0]
    full = backbones.create("fbank").extract([wave])[0][0]
    frame_7 = backbones.create("fbank").extract([wave[320 * 7 : 320 * 7 + 400]])[0][0]
    np.testing.assert_allclose(full[7], frame_7[0], atol=1e-5)
    assert full.shape[0] == num_frames(16000 + 123) == 50


def test_fbank_cmn_removes_the_utterance_mean():
    wave = make_waves([8000])[0]
    raw = backbones.create("fbank").extract([wave])[0][0]
    cmn = backbones.create("fbank-cmn").extract([wave])[0][0]
    np.testing.assert_allclose(cmn.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(cmn, raw - raw.mean(axis=0), atol=1e-4)
    assert backbones.create("fbank").identity != backbones.create("fbank-cmn").identity
