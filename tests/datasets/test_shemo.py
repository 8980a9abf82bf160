"""ShEMO adapter on a tiny tree in the real layout (female/ and male/, 44.1 kHz)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.datasets import prepare_dataset

FILES = {
    "female": ["F30A02", "F30N01", "F01H11", "F01W03"],
    "male": ["M01S05", "M01F02", "M12N01", "M12X01", "M1A01"],  # X: unknown emotion; M1A01: bad name
}


@pytest.fixture
def shemo_root(tmp_path, audio):
    root = tmp_path / "ShEMO"
    for folder, stems in FILES.items():
        for stem in stems:
            audio.good(root / folder / f"{stem}.wav", seconds=0.25, sample_rate=44100)
    (root / "female" / "._F30A02.wav").write_bytes(b"\x00\x05\x16\x07 AppleDouble")  # ignored
    return root


def test_speakers_labels_and_audio_info(shemo_root):
    prep = prepare_dataset("shemo", shemo_root)
    m = prep.manifest.set_index("id")
    assert prep.class_set == "all"
    assert m["label"].to_dict() == {
        "F01H11": "happy",
        "F01W03": "surprise",
        "F30A02": "angry",
        "F30N01": "neutral",
        "M01F02": "fear",
        "M01S05": "sad",
        "M12N01": "neutral",
    }
    assert m.loc["F30A02", ["speaker", "gender", "session"]].tolist() == ["F30", "F", ""]
    assert sorted(m["speaker"].unique()) == ["F01", "F30", "M01", "M12"]
    assert m["valence"].isna().all() and m["arousal"].isna().all()
    np.testing.assert_allclose(m["duration"], 0.25)
    assert set(m["sample_rate"]) == {44100}


def test_four_class_set(shemo_root):
    prep = prepare_dataset("shemo", shemo_root, "4class")
    assert sorted(prep.manifest["label"].unique()) == ["angry", "happy", "neutral", "sad"]
    assert prep.excluded == {"surprise": 1, "fear": 1}


def test_bad_names_and_codes_are_skipped(shemo_root, reasons):
    prep = prepare_dataset("shemo", shemo_root)
    assert reasons(prep) == {"M12X01.wav": "unknown label", "M1A01.wav": "unparsable name"}
    unknown = next(s for s in prep.skipped if s.reason == "unknown label")
    assert "'X'" in unknown.detail and "M12X01.wav" in unknown.detail


def test_five_class_set_drops_fear_only(shemo_root):
    everything = prepare_dataset("shemo", shemo_root).manifest
    prep = prepare_dataset("shemo", shemo_root, "5class")
    assert sorted(prep.manifest["label"].unique()) == ["angry", "happy", "neutral", "sad", "surprise"]
    assert prep.excluded == {"fear": 1}
    assert sorted(prep.manifest["id"]) == sorted(everything.loc[everything["label"] != "fear", "id"])
