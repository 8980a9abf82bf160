"""A corpus whose speakers and ids pandas would read as missing or as numbers (``NA``, ``nan``,
``None``, ``0013``) runs, resumes and reports them exactly as written."""

import pandas as pd

from bench.manifest import read_manifest, write_manifest
from bench.runner import run_grid
from bench.runner.store import ResultsStore
from runner_fixtures import tiny_config

NAMES = {"S01F": "NA", "S01M": "nan", "S02F": "None", "S02M": "0013"}


def test_run_and_resume_keep_the_names(tiny_manifest, cache_dir, tmp_path):
    manifest = read_manifest(tiny_manifest)
    manifest["speaker"] = manifest["speaker"].map(NAMES)
    manifest["id"] = [f"{k:04d}" for k in range(len(manifest))]  # 0000, 0001, ...
    write_manifest(manifest, tmp_path / "m.csv")
    config = tiny_config(tmp_path / "m.csv", cache_dir, grid=("poolers=gap", "seeds=0"))
    outcome = run_grid(config, tmp_path / "run", echo=lambda *_: None)
    run_dir, first = outcome.run_dir, outcome.results
    assert (first["status"] == "ok").all() and set(first["test_speaker"]) == set(NAMES.values())
    lines = []
    again = run_grid(config, tmp_path / "run", echo=lines.append).results  # resume: everything is done
    assert "0 to run" in " ".join(map(str, lines)) and len(again) == len(first)
    predictions = pd.read_csv(run_dir / "predictions.csv", dtype=str, keep_default_na=False)
    assert sorted(predictions["id"]) == sorted(manifest["id"]) and set(predictions["speaker"]) == set(NAMES.values())
    assert ResultsStore(run_dir).statuses() == dict.fromkeys(first["job"], "ok")
