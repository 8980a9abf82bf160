"""RAVDESS adapter on a tiny tree in the real layout (Actor_NN folders, 48 kHz)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.datasets import prepare_dataset

FILES = {
    "Actor_01": ["03-01-01-01-01-01-01", "03-01-05-02-01-01-01", "03-01-02-01-02-02-01"],
    "Actor_12": ["03-01-06-01-02-01-12", "03-01-03-02-01-02-12", "03-01-08-01-01-01-12"],
    "Actor_24": [
        "03-01-04-01-01-01-24",
        "03-02-04-01-01-01-24",  # song: not speech
        "01-01-04-01-01-01-24",  # audio-video modality
        "03-01-09-01-01-01-24",  # emotion 09 does not exist
        "03-01-04-01-01-24",  # six fields
    ],
}


@pytest.fixture
def ravdess_root(tmp_path, audio):
    root = tmp_path / "RAVDESS"
    for actor, stems in FILES.items():
        for stem in stems:
            audio.good(root / actor / f"{stem}.wav", seconds=0.3, sample_rate=48000)
    return root


def test_labels_speakers_gender_and_intensity(ravdess_root):
    prep = prepare_dataset("ravdess", ravdess_root)
    m = prep.manifest.set_index("id")
    assert m["label"].to_dict() == {
        "03-01-01-01-01-01-01": "neutral",
        "03-01-05-02-01-01-01": "angry",
        "03-01-02-01-02-02-01": "calm",
        "03-01-06-01-02-01-12": "fear",
        "03-01-03-02-01-02-12": "happy",
        "03-01-08-01-01-01-12": "surprise",
        "03-01-04-01-01-01-24": "sad",
    }
    assert m.loc["03-01-06-01-02-01-12", ["speaker", "gender", "intensity"]].tolist() == ["Actor_12", "F", "normal"]
    assert m.loc["03-01-05-02-01-01-01", ["speaker", "gender", "intensity"]].tolist() == ["Actor_01", "M", "strong"]
    assert set(m["session"]) == {""}
    np.testing.assert_allclose(m["duration"], 0.3)
    assert set(m["sample_rate"]) == {48000}


def test_four_class_set(ravdess_root):
    prep = prepare_dataset("ravdess", ravdess_root, "4class")
    assert sorted(prep.manifest["label"]) == ["angry", "happy", "neutral", "sad"]
    assert prep.excluded == {"calm": 1, "fear": 1, "surprise": 1}


def test_non_speech_and_bad_names_are_skipped(ravdess_root, reasons):
    prep = prepare_dataset("ravdess", ravdess_root)
    assert reasons(prep) == {
        "03-02-04-01-01-01-24.wav": "not speech audio",
        "01-01-04-01-01-01-24.wav": "not speech audio",
        "03-01-09-01-01-01-24.wav": "unknown label",
        "03-01-04-01-01-24.wav": "unparsable name",
    }
