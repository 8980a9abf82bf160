import numpy as np
import pytest
import soundfile as sf
from scipy.signal import resample_poly

from bench.audio import load_audio, num_frames, probe_audio
from bench.errors import AudioError


@pytest.mark.parametrize("n,expected", [(0, 0), (399, 0), (400, 1), (719, 1), (720, 2), (16000, 49), (16000 + 123, 50)])
def test_num_frames_follows_the_conv_grid(n, expected):
    # frame i covers samples [320 i, 320 i + 400): count the windows that fit, the slow way
    slow = sum(1 for i in range(n) if 320 * i + 400 <= n)
    assert num_frames(n) == expected == slow


def test_load_resamples_downmixes_and_truncates(tmp_path):
    rng = np.random.default_rng(0)
    stereo = rng.uniform(-0.5, 0.5, size=(44100, 2)).astype(np.float32)
    path = tmp_path / "x.flac"
    sf.write(path, stereo, 44100, subtype="PCM_24")
    wave = load_audio(path)
    assert wave.dtype == np.float32 and wave.ndim == 1
    assert len(wave) == 16000
    reference = resample_poly(sf.read(path, dtype="float32")[0].mean(axis=1), 160, 441)
    np.testing.assert_allclose(wave, reference, atol=1e-5)
    assert len(load_audio(path, max_duration=0.25)) == 4000


def test_probe_reports_bad_files(tmp_path):
    good = tmp_path / "good.wav"
    sf.write(good, np.zeros(8000, dtype=np.float32), 16000)
    info = probe_audio(good)
    assert (info.sample_rate, info.frames, info.channels) == (16000, 8000, 1)
    assert info.duration == pytest.approx(0.5)

    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not audio at all" * 10)
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0, dtype=np.float32), 16000)
    for path, word in [(tmp_path / "missing.wav", "missing"), (junk, "unreadable"), (empty, "empty")]:
        with pytest.raises(AudioError, match=word):
            probe_audio(path)
    with pytest.raises(AudioError, match="missing"):
        load_audio(tmp_path / "missing.wav")


@pytest.mark.parametrize("suffix,subtype", [(".wav", "PCM_16"), (".flac", "PCM_16")])
def test_probe_detects_truncated_files(tmp_path, suffix, subtype):
    path = tmp_path / f"cut{suffix}"
    sf.write(path, np.random.default_rng(1).uniform(-0.5, 0.5, 16000).astype(np.float32), 16000, subtype=subtype)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(AudioError, match="truncated"):
        probe_audio(path)
