"""Every detector: mask length on the grid, silence, known speech spans, options and identity."""

import pickle
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import bench.vad as vad
from bench.audio import num_frames, resample
from bench.errors import BenchError, UnknownNameError

SPEECH = Path(__file__).parent / "data" / "espeak_fox.flac"
# espeak-ng "Hello there. The quick brown fox jumps." with 1 s of digital silence either side:
# speech spans samples [16000, 62969) -> frames 50 .. 196; the pause after "there." ~ frames 90 .. 103
SPEECH_FIRST, SPEECH_LAST = 50, 196


@pytest.fixture(scope="module")
def detectors():
    return {name: vad.create(name) for name in vad.names()}


@pytest.fixture(scope="module")
def speech():
    wave, sr = sf.read(SPEECH, dtype="float32")
    assert sr == 16_000
    return wave


def test_registry_lists_all_and_rejects_unknown():
    assert vad.names() == ["energy", "none", "silero", "webrtc"]
    with pytest.raises(UnknownNameError, match="valid VADs: energy, none, silero, webrtc"):
        vad.create("rnnoise")


@pytest.mark.parametrize("n", [0, 1, 399, 400, 719, 720, 1040, 16_000, 16_123, 33_333])
def test_mask_length_at_16k(detectors, n):
    wave = np.random.default_rng(n).normal(0, 0.1, n).astype(np.float32)
    for name, detector in detectors.items():
        mask = detector.speech_mask(wave, 16_000)
        assert mask.dtype == bool and mask.shape == (num_frames(n),), name


@pytest.mark.parametrize("sample_rate", [8_000, 22_050, 44_100, 48_000])
@pytest.mark.parametrize("seconds", [0.01, 0.37, 1.0, 2.013])
def test_mask_length_at_other_rates(detectors, sample_rate, seconds):
    n = int(seconds * sample_rate)
    wave = np.random.default_rng(n).normal(0, 0.1, n).astype(np.float32)
    expected = num_frames(resample(wave, sample_rate).size)
    for name, detector in detectors.items():
        assert detector.speech_mask(wave, sample_rate).shape == (expected,), name


@pytest.mark.parametrize("name", ["webrtc", "silero", "energy"])
def test_silence_has_no_speech(detectors, name):
    for wave in (np.zeros(48_000, np.float32), np.random.default_rng(0).normal(0, 1e-4, 48_000).astype(np.float32)):
        assert not detectors[name].speech_mask(wave, 16_000).any()


def test_none_is_all_speech(detectors):
    assert detectors["none"].speech_mask(np.zeros(16_000, np.float32), 16_000).all()


def test_energy_finds_a_tone_burst_to_the_frame(detectors):
    wave = np.zeros(48_000, np.float32)
    t = np.arange(16_000) / 16_000
    wave[16_000:32_000] = 0.3 * np.sin(2 * np.pi * 220 * t)
    mask = detectors["energy"].speech_mask(wave, 16_000)
    # frames touching [16000, 32000): first 320 i + 400 > 16000 -> i = 49; last 320 i < 32000 -> i = 99
    assert np.flatnonzero(mask).tolist() == list(range(49, 100))


@pytest.mark.parametrize("name", ["webrtc", "silero", "energy"])
def test_speech_spans_recovered(detectors, speech, name):
    mask = detectors[name].speech_mask(speech, 16_000)
    found = np.flatnonzero(mask)
    assert abs(found[0] - SPEECH_FIRST) <= 3 and abs(found[-1] - SPEECH_LAST) <= 3, (found[0], found[-1])
    assert not mask[: SPEECH_FIRST - 3].any() and not mask[SPEECH_LAST + 4 :].any()
    assert mask[SPEECH_FIRST : SPEECH_LAST + 1].mean() > 0.75
    assert not mask[93:100].all()  # the pause after "Hello there." is found


@pytest.mark.parametrize("name", ["webrtc", "silero"])
def test_same_speech_at_48k_gives_nearly_the_same_mask(detectors, speech, name):
    at_16k = detectors[name].speech_mask(speech, 16_000)
    at_48k = detectors[name].speech_mask(resample(speech, 16_000, 48_000), 48_000)
    assert at_48k.shape == at_16k.shape
    assert (at_48k != at_16k).mean() < 0.03


def test_options_are_converted_and_checked():
    assert vad.create("webrtc", aggressiveness="1").settings["aggressiveness"] == 1
    assert vad.create("silero", threshold="0.3").identity["threshold"] == 0.3
    with pytest.raises(vad.VadOptionError, match="no option threshold; valid options: aggressiveness"):
        vad.create("webrtc", threshold=0.5)
    with pytest.raises(vad.VadOptionError, match=r"outside \[0, 3\]"):
        vad.create("webrtc", aggressiveness=4)
    with pytest.raises(vad.VadOptionError, match="expects int"):
        vad.create("webrtc", aggressiveness="2.5")
    with pytest.raises(vad.VadOptionError, match="expects float"):
        vad.create("silero", threshold="high")
    with pytest.raises(BenchError, match="key=value"):
        vad.parse_options(["aggressiveness"])
    assert vad.parse_options(["aggressiveness = 2", "min_speech_ms=100"]) == {
        "aggressiveness": "2",
        "min_speech_ms": "100",
    }


def test_identity_names_every_setting_and_version():
    identity = vad.create("webrtc", aggressiveness=2).identity
    assert identity["name"] == "webrtc" and identity["aggressiveness"] == 2
    assert identity["version"].startswith("webrtcvad") and "min_silence_ms" in identity
    assert identity != vad.create("webrtc").identity
    assert vad.create("webrtc", aggressiveness="2").identity == identity


def test_smoothing_options_apply(speech):
    raw = vad.create("webrtc").speech_mask(speech, 16_000)
    bridged = vad.create("webrtc", min_silence_ms=400).speech_mask(speech, 16_000)
    assert bridged[SPEECH_FIRST + 3 : SPEECH_LAST - 3].all() and not raw[SPEECH_FIRST + 3 : SPEECH_LAST - 3].all()


@pytest.mark.parametrize("name", ["webrtc", "silero"])
def test_detectors_pickle(detectors, speech, name):
    clone = pickle.loads(pickle.dumps(detectors[name]))
    assert np.array_equal(clone.speech_mask(speech, 16_000), detectors[name].speech_mask(speech, 16_000))


def test_rejects_multichannel():
    with pytest.raises(BenchError, match="mono"):
        vad.create("energy").speech_mask(np.zeros((1000, 2), np.float32), 16_000)


@pytest.mark.parametrize("name", ["webrtc", "silero"])
def test_no_state_carries_between_utterances(speech, name):
    detector = vad.create(name)
    fresh = detector.speech_mask(speech[:20_000], 16_000)
    detector.speech_mask(np.random.default_rng(1).normal(0, 0.3, 32_000).astype(np.float32), 16_000)
    assert np.array_equal(detector.speech_mask(speech[:20_000], 16_000), fresh)
