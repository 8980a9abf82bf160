"""The tiny demo corpus of the tuning tests: 4 speakers (2 sessions) x 8 utterances, fbank + energy VAD."""

import pytest

from bench.datasets import prepare_dataset
from bench.manifest import write_manifest

TUNE_SPEAKERS = ["S01F", "S01M", "S02F", "S02M"]


@pytest.fixture(scope="session")
def tune_manifest(tmp_path_factory):
    manifest = prepare_dataset("demo").manifest
    manifest = manifest[manifest["speaker"].isin(TUNE_SPEAKERS)]
    manifest = manifest.groupby(["speaker", "label"], group_keys=False).head(2)
    path = tmp_path_factory.mktemp("tune-corpus") / "manifest.csv"
    write_manifest(manifest.reset_index(drop=True), path)
    return path


@pytest.fixture(scope="session")
def tune_cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("tune-cache")
