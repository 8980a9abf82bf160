"""A killed worker of the processes executor loses no job: the pool is rebuilt and its jobs rerun;
only a job that kills its worker every time it runs (alone) is failed, with a clear error."""

import os
import signal
from pathlib import Path


from bench.runner.executors import ProcessExecutor, WorkerDied


class Job:
    def __init__(self, name, marker_dir, deaths):
        self.name, self.marker_dir, self.deaths = name, marker_dir, deaths  # deaths: times it kills its worker


def kill_then_work(job):
    """Top-level (spawn pickles it by name): SIGKILL this worker ``job.deaths`` times, then return."""
    marker = Path(job.marker_dir) / job.name
    attempts = int(marker.read_text()) if marker.exists() else 0
    marker.write_text(str(attempts + 1))
    if attempts < job.deaths:
        os.kill(os.getpid(), signal.SIGKILL)
    if job.name == "raises":
        raise ValueError("its own error")
    return job.name


def _outcomes(jobs):
    executor = ProcessExecutor(2)
    try:
        return {job.name: outcome for job, outcome in executor.map_unordered(kill_then_work, jobs)}
    finally:
        executor.close()


def test_one_killed_worker_fails_nothing(tmp_path):
    jobs = (
        [Job("killed-once", tmp_path, 1)] + [Job(f"j{i}", tmp_path, 0) for i in range(4)] + [Job("raises", tmp_path, 0)]
    )
    outcomes = _outcomes(jobs)
    assert {k: v for k, v in outcomes.items() if k != "raises"} == {j.name: j.name for j in jobs[:-1]}
    assert isinstance(outcomes["raises"], ValueError)  # a job still fails for its own error


def test_only_the_job_that_always_kills_its_worker_fails(tmp_path):
    jobs = [Job("poison", tmp_path, 99)] + [Job(f"j{i}", tmp_path, 0) for i in range(4)]
    outcomes = _outcomes(jobs)
    assert isinstance(outcomes.pop("poison"), WorkerDied)
    assert outcomes == {f"j{i}": f"j{i}" for i in range(4)}
    assert int((tmp_path / "poison").read_text()) == 3  # twice in the pool, once alone
