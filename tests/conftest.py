"""Fixtures shared by the runner and tuning tests: a tiny corpus cut from the shipped demo
(4 speakers in 2 sessions x 8 utterances, 2 per class) and one feature cache for all of them."""

import sys
from pathlib import Path

import pytest


from bench.datasets import prepare_dataset
from bench.manifest import write_manifest

# Test helper modules (model_data, runner_fixtures, cache_audio, ...) are imported by module name, from
# any test folder: put every folder of the suite on the path before collection (see test_suite_imports).
for _folder in sorted(
    p for p in Path(__file__).resolve().parent.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
):
    if str(_folder) not in sys.path:
        sys.path.append(str(_folder))

SPEAKERS = ["S01F", "S01M", "S02F", "S02M"]


@pytest.fixture(scope="session")
def tiny_manifest(tmp_path_factory):
    manifest = prepare_dataset("demo").manifest
    manifest = manifest[manifest["speaker"].isin(SPEAKERS)]
    manifest = manifest.groupby(["speaker", "label"], group_keys=False).head(2)  # 8 per speaker, 2 per class
    path = tmp_path_factory.mktemp("tiny") / "manifest.csv"
    write_manifest(manifest.reset_index(drop=True), path)
    return path


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")
