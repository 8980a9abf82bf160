"""EmoDB adapter on a tiny tree in the real layout (wav/03a01Fa.wav)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.datasets import prepare_dataset

STEMS = ["03a01Fa", "03a01Wa", "08b02Tb", "08a04Nc", "11b09La", "16a07Ea", "13b10Aa"]
BAD_STEMS = ["03a01Xa", "3a01Fa"]  # unknown emotion; one-digit speaker


@pytest.fixture
def emodb_root(tmp_path, audio):
    root = tmp_path / "EmoDB"
    for stem in STEMS + BAD_STEMS:
        audio.good(root / "wav" / f"{stem}.wav", seconds=0.3)
    return root


def test_labels_speakers_and_gender(emodb_root):
    prep = prepare_dataset("emodb", emodb_root)
    m = prep.manifest.set_index("id")
    assert m["label"].to_dict() == {
        "03a01Fa": "happy",
        "03a01Wa": "angry",
        "08b02Tb": "sad",
        "08a04Nc": "neutral",
        "11b09La": "boredom",
        "16a07Ea": "disgust",
        "13b10Aa": "fear",
    }
    assert m.loc["03a01Fa", ["speaker", "gender", "session"]].tolist() == ["03", "M", ""]
    assert m.loc["08b02Tb", ["speaker", "gender"]].tolist() == ["08", "F"]
    assert m.loc["16a07Ea", "gender"] == "F" and m.loc["11b09La", "gender"] == "M"
    np.testing.assert_allclose(m["duration"], 0.3)
    assert set(m["sample_rate"]) == {16000}


def test_four_class_set_and_skips(emodb_root, reasons):
    prep = prepare_dataset("emodb", emodb_root, "4class")
    assert sorted(prep.manifest["label"]) == ["angry", "happy", "neutral", "sad"]
    assert prep.excluded == {"boredom": 1, "disgust": 1, "fear": 1}
    assert reasons(prep) == {"03a01Xa.wav": "unknown label", "3a01Fa.wav": "unparsable name"}
