"""The run folder accounts for its data: skipped files listed, speech fractions recorded, and a run
that lost too much of its corpus refuses to train."""

import pandas as pd
import pytest

from bench.errors import BenchError
from bench.manifest import read_manifest, write_manifest
from runner_fixtures import tiny_config


def _with_missing(tiny_manifest, tmp_path, n):
    manifest = read_manifest(tiny_manifest)
    manifest.loc[manifest.index[:n], "path"] = [str(tmp_path / f"gone{i}.wav") for i in range(n)]
    path = tmp_path / "manifest.csv"
    write_manifest(manifest, path)
    return path, manifest


def test_skipped_files_and_speech_are_recorded(tiny_manifest, cache_dir, tmp_path):
    from bench.runner.run import run_grid

    path, manifest = _with_missing(tiny_manifest, tmp_path, 1)
    lines = []
    config = tiny_config(path, cache_dir, grid=("poolers=gap",), sets=("folds=0",))
    outcome = run_grid(config, tmp_path / "run", echo=lines.append)
    run_dir, results = outcome.run_dir, outcome.results
    skipped = pd.read_csv(run_dir / "skipped.csv")
    assert skipped["id"].tolist() == [manifest["id"].iloc[0]] and skipped["reason"].iloc[0] == "missing audio"
    assert any("skipped 1 of 32 files (1 missing audio)" in line for line in lines)
    speech = pd.read_csv(run_dir / "speech.csv")
    assert len(speech) == 31 and (speech["speech_frames"] <= speech["frames"]).all() and (speech["frames"] > 0).all()
    assert (results["status"] == "ok").all()


def test_a_run_that_lost_too_much_refuses_to_train(tiny_manifest, cache_dir, tmp_path):
    from bench.runner.run import run_grid

    path, _ = _with_missing(tiny_manifest, tmp_path, 4)  # 12.5% > 5%
    config = tiny_config(path, cache_dir, grid=("poolers=gap",), sets=("folds=0",))
    with pytest.raises(BenchError, match=r"4 of 32 files \(12%\).*max_skipped=0.14"):
        run_grid(config, tmp_path / "run", echo=lambda *_: None)
    config = tiny_config(path, cache_dir, grid=("poolers=gap",), sets=("folds=0", "max_skipped=0.2"))
    results = run_grid(config, tmp_path / "run2", echo=lambda *_: None).results
    assert (results["status"] == "ok").all()
