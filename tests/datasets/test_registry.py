"""Every corpus adapter is registered, well described, and fails clearly on a wrong folder."""

from __future__ import annotations

import pytest

from bench import datasets
from bench.errors import LayoutError

CORPORA = ["cremad", "csv", "emodb", "iemocap", "kemdy19", "ravdess", "shemo"]
CANONICAL = {
    "neutral",
    "happy",
    "excited",
    "angry",
    "sad",
    "frustrated",
    "surprise",
    "fear",
    "disgust",
    "calm",
    "boredom",
    "other",
}


def test_all_corpora_are_registered():
    assert set(CORPORA) <= set(datasets.names())


@pytest.mark.parametrize("name", CORPORA)
def test_class_sets_use_canonical_emotions(name):
    adapter = datasets.create(name)
    assert adapter.default_class_set in adapter.class_sets
    assert "all" in adapter.class_sets
    assert adapter.title and "\n" in adapter.layout
    for mapping in adapter.class_sets.values():
        assert set(mapping) <= CANONICAL and set(mapping.values()) <= CANONICAL
    if name != "csv":
        assert set(adapter.class_sets["4class"].values()) == {"neutral", "happy", "angry", "sad"}


def test_paper_truncation_defaults():
    assert datasets.create("iemocap").default_max_duration == 19.0
    assert datasets.create("kemdy19").default_max_duration == 16.0
    assert datasets.create("emodb").default_max_duration is None


@pytest.mark.parametrize("name", CORPORA)
def test_missing_folder_raises_layout_error_with_the_layout(tmp_path, name):
    adapter = datasets.create(name)
    with pytest.raises(LayoutError) as err:
        datasets.prepare_dataset(name, tmp_path / "not_there")
    assert "does not exist" in str(err.value) and adapter.layout in str(err.value)


@pytest.mark.parametrize("name", CORPORA)
def test_wrong_layout_raises_layout_error_naming_what_is_missing(tmp_path, name):
    (tmp_path / "some_audio").mkdir()
    (tmp_path / "some_audio" / "clip.wav").write_bytes(b"")
    with pytest.raises(LayoutError) as err:
        datasets.prepare_dataset(name, tmp_path)
    message = str(err.value)
    assert "nothing matches" in message and "--data-dir" in message and datasets.create(name).layout in message
