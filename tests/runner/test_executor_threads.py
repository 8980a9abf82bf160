"""Every executor runs a job with the same torch thread count, so their numbers are identical,
not merely close."""

import pandas as pd
import pytest

from bench.errors import BenchError
from bench.runner import run_grid
from bench.runner.executors import THREADS_ENV, job_threads
from runner_fixtures import tiny_config


def _predictions(run_dir):
    return pd.read_csv(run_dir / "predictions.csv").sort_values(["job", "id"]).reset_index(drop=True)


def test_local_and_processes_give_bit_identical_predictions(tiny_manifest, cache_dir, tmp_path):
    config = tiny_config(tiny_manifest, cache_dir, grid=("poolers=sap-noattn", "seeds=0"), sets=("folds=0,1",))
    local = run_grid(config, tmp_path / "local", echo=lambda *_: None).run_dir
    processes = run_grid(config, tmp_path / "processes", executor="processes", workers=2, echo=lambda *_: None).run_dir
    pd.testing.assert_frame_equal(_predictions(local), _predictions(processes), check_exact=True)
    for run_dir in (local, processes):  # each job's record says the threads it ran with
        assert set(pd.read_csv(run_dir / "results.csv")["threads"]) == {job_threads()}


def test_a_job_records_the_threads_it_was_given(tiny_manifest, cache_dir, tmp_path, monkeypatch):
    monkeypatch.setenv(THREADS_ENV, "2")
    config = tiny_config(tiny_manifest, cache_dir, grid=("poolers=gap", "seeds=0"), sets=("folds=0",))
    run_dir = run_grid(config, tmp_path / "run", echo=lambda *_: None).run_dir
    assert set(pd.read_csv(run_dir / "results.csv")["threads"]) == {2}


def test_job_threads_default_and_override(monkeypatch):
    monkeypatch.delenv(THREADS_ENV, raising=False)
    assert job_threads() == 1
    monkeypatch.setenv(THREADS_ENV, "3")
    assert job_threads() == 3
    monkeypatch.setenv(THREADS_ENV, "many")
    with pytest.raises(BenchError, match="BENCH_JOB_THREADS"):
        job_threads()
