"""Every executor runs a job with the same torch thread count, so their numbers are identical,
not merely close."""

import pandas as pd
import pytest

from bench.errors import BenchError
from bench.runner import run_grid
from bench.runner.config import PlanError
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


@pytest.mark.parametrize(
    ("env", "executor", "message"),
    [
        ({THREADS_ENV: "many"}, "local", "BENCH_JOB_THREADS='many'"),
        ({"BENCH_KEEP_FREED_MEMORY": "yes"}, "processes", "BENCH_KEEP_FREED_MEMORY='yes'"),
        ({}, "slurm", "unknown executor 'slurm'"),
    ],
)
def test_a_bad_job_setting_or_executor_fails_with_the_plan_before_any_work(
    tiny_manifest, cache_dir, tmp_path, monkeypatch, env, executor, message
):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = tiny_config(tiny_manifest, cache_dir, grid=("poolers=gap", "seeds=0"), sets=("folds=0",))
    cached_before = sorted(p for p in cache_dir.rglob("*") if p.is_file()) if cache_dir.exists() else []
    with pytest.raises(PlanError, match=message):
        run_grid(config, tmp_path / "run", executor=executor, echo=lambda *_: None)
    assert not (tmp_path / "run").exists()  # no run folder set up
    assert (sorted(p for p in cache_dir.rglob("*") if p.is_file()) if cache_dir.exists() else []) == cached_before
