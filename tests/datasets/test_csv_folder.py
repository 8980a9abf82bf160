"""The generic ``csv`` adapter: a folder holding manifest.csv and the audio it names."""

from __future__ import annotations

import numpy as np
import pytest

from bench.datasets import prepare_dataset
from bench.errors import BenchError, LayoutError

MANIFEST = """\
path,speaker,label,id,session,valence,arousal,split
audio/a.wav,spk1,joy,utt_a,s1,0.5,0.25,train
audio/b.flac,spk2,Calm,,,,,test
audio/c.wav,spk1,joy,,s2,,,valid
audio/missing.wav,spk3,joy,,,,,train
,spk1,joy,,,,,train
audio/d.wav,,joy,,,,,train
audio/e.wav,spk2,joy,,,high,,train
"""


@pytest.fixture
def csv_root(tmp_path, audio):
    root = tmp_path / "my_corpus"
    audio.good(root / "audio" / "a.wav", seconds=0.3)
    audio.good(root / "audio" / "b.flac", seconds=0.5, sample_rate=22050)
    audio.good(root / "audio" / "c.wav", seconds=0.3, sample_rate=8000)
    audio.good(root / "audio" / "d.wav")
    audio.good(root / "audio" / "e.wav")
    (root / "manifest.csv").write_text(MANIFEST)
    return root


def test_rows_labels_as_given_and_optional_columns(csv_root):
    prep = prepare_dataset("csv", csv_root)
    m = prep.manifest.set_index("id")
    assert prep.class_set == "all"
    assert sorted(m.index) == ["b", "c", "utt_a"]  # id defaults to the path stem
    assert m["label"].to_dict() == {"utt_a": "joy", "b": "Calm", "c": "joy"}  # labels untouched
    assert m.loc["utt_a", ["speaker", "session", "split"]].tolist() == ["spk1", "s1", "train"]
    assert m.loc["utt_a", ["valence", "arousal"]].tolist() == [0.5, 0.25]
    assert np.isnan(m.loc["b", "valence"]) and m.loc["b", "session"] == ""
    assert m.loc["b", "path"] == str((csv_root / "audio" / "b.flac").resolve())
    np.testing.assert_allclose(m["duration"].to_numpy(), [0.3, 0.5, 0.3])
    assert m["sample_rate"].tolist() == [16000, 22050, 8000]


def test_incomplete_rows_are_skipped_with_line_numbers(csv_root):
    prep = prepare_dataset("csv", csv_root)
    got = {s.reason: s for s in prep.skipped}
    assert set(got) == {"missing audio", "missing path", "missing speaker", "unparsable value"}
    assert got["missing path"].item.endswith("manifest.csv line 6")
    assert "'high'" in got["unparsable value"].detail
    assert "skipped 4" in prep.summary()


def test_missing_required_columns_are_named(tmp_path):
    (tmp_path / "manifest.csv").write_text("file,speaker\naudio/a.wav,spk1\n")
    with pytest.raises(BenchError, match="lacks the required column.*path, label"):
        prepare_dataset("csv", tmp_path)


def test_folder_without_manifest(tmp_path):
    (tmp_path / "audio").mkdir()
    with pytest.raises(LayoutError, match="manifest.csv"):
        prepare_dataset("csv", tmp_path)
