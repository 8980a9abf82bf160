"""CREMA-D adapter on a tiny tree in the real layout (AudioWAV/, optional VideoDemographics.csv)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.datasets import prepare_dataset

STEMS = [
    "1001_DFA_ANG_XX",
    "1001_IEO_HAP_HI",
    "1001_TIE_NEU_XX",
    "1002_DFA_SAD_LO",
    "1002_IEO_DIS_MD",
    "1091_WSI_FEA_HI",
]
BAD_STEMS = ["1002_DFA_XYZ_XX", "1002_DFA_ANG"]  # unknown emotion; three fields
DEMOGRAPHICS = (
    "ActorID,Age,Sex,Race,Ethnicity\n1001,51,Male,Caucasian,Not Hispanic\n1002,21,Female,Caucasian,Not Hispanic\n"
)


@pytest.fixture
def cremad_root(tmp_path, audio):
    root = tmp_path / "CREMA-D"
    for stem in STEMS + BAD_STEMS:
        audio.good(root / "AudioWAV" / f"{stem}.wav", seconds=0.3)
    return root


def test_labels_speakers_and_level(cremad_root):
    prep = prepare_dataset("cremad", cremad_root)
    m = prep.manifest.set_index("id")
    assert m["label"].to_dict() == {
        "1001_DFA_ANG_XX": "angry",
        "1001_IEO_HAP_HI": "happy",
        "1001_TIE_NEU_XX": "neutral",
        "1002_DFA_SAD_LO": "sad",
        "1002_IEO_DIS_MD": "disgust",
        "1091_WSI_FEA_HI": "fear",
    }
    assert sorted(m["speaker"].unique()) == ["1001", "1002", "1091"]
    assert m.loc["1002_DFA_SAD_LO", "intensity"] == "low"
    assert "gender" not in m.columns  # no demographics file
    np.testing.assert_allclose(m["duration"], 0.3)
    assert set(m["sample_rate"]) == {16000}


def test_gender_from_demographics(cremad_root):
    (cremad_root / "VideoDemographics.csv").write_text(DEMOGRAPHICS)
    m = prepare_dataset("cremad", cremad_root).manifest.set_index("id")
    assert m.loc["1001_DFA_ANG_XX", "gender"] == "M"
    assert m.loc["1002_DFA_SAD_LO", "gender"] == "F"
    assert m.loc["1091_WSI_FEA_HI", "gender"] == ""  # not listed


def test_four_class_set_and_skips(cremad_root, reasons):
    prep = prepare_dataset("cremad", cremad_root, "4class")
    assert sorted(prep.manifest["label"]) == ["angry", "happy", "neutral", "sad"]
    assert prep.excluded == {"disgust": 1, "fear": 1}
    assert reasons(prep) == {"1002_DFA_XYZ_XX.wav": "unknown label", "1002_DFA_ANG.wav": "unparsable name"}
