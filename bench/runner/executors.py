"""Where the training jobs run: in this process, in a pool of processes, or on Dask.

Each executor has ``map_unordered(fn, items)``: an iterator of ``(item, result or exception)``
in completion order, and ``close()``. Job functions write their own result files, so a worker
that dies loses only the job it was running. Feature access goes through the cache folder:
items carry paths, never arrays.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed

from bench.errors import BenchError


def _limit_threads(threads: int) -> None:
    """Worker initialiser: share the cores between workers instead of oversubscribing them."""
    import torch

    torch.set_num_threads(threads)


class LocalExecutor:
    """Runs jobs one after another in this process (the default; shows per-epoch progress)."""

    name = "local"

    def map_unordered(self, fn, items):
        for item in items:
            try:
                yield item, fn(item)
            except Exception as exc:  # noqa: BLE001 - recorded by the caller, the grid goes on
                yield item, exc

    def close(self):
        pass


class ProcessExecutor:
    """A pool of N worker processes on this machine (spawned, each with cores/N torch threads)."""

    name = "processes"

    def __init__(self, workers: int):
        threads = max(1, (os.cpu_count() or 1) // workers)
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_limit_threads, initargs=(threads,))

    def map_unordered(self, fn, items):
        futures = {self.pool.submit(fn, item): item for item in items}
        for future in as_completed(futures):
            exc = future.exception()
            yield futures[future], exc if exc is not None else future.result()

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Dask distributed: a LocalCluster of N workers, or an existing scheduler at ``address``.

    For Slurm/PBS, start a scheduler and workers with dask-jobqueue (docs/cluster.md) and pass
    ``--executor dask:tcp://HOST:PORT``; the run and cache folders must be on a shared file system.
    """

    name = "dask"

    def __init__(self, workers: int, address: str | None = None):
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise BenchError("the dask executor needs `distributed` (pip install 'dask[distributed]')") from exc
        self.cluster = None
        if address:
            self.client = Client(address, timeout="30s")
        else:
            threads = max(1, (os.cpu_count() or 1) // workers)
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
            self.client.run(_limit_threads, threads)

    def map_unordered(self, fn, items):
        from distributed import as_completed as dask_as_completed

        futures = {self.client.submit(fn, item, pure=False, key=f"job-{item.job_id}"): item for item in items}
        for future in dask_as_completed(futures):
            item = futures[future]
            try:
                yield item, future.result()
            except Exception as exc:  # noqa: BLE001
                yield item, exc

    def close(self):
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(spec: str, workers: int):
    """'local', 'processes', 'dask' or 'dask:tcp://HOST:PORT' -> an executor."""
    kind, _, address = spec.partition(":")
    if kind == "local":
        return LocalExecutor()
    if workers < 1:
        raise BenchError(f"--workers must be at least 1, got {workers}")
    if kind == "processes":
        return ProcessExecutor(workers)
    if kind == "dask":
        return DaskExecutor(workers, address or None)
    raise BenchError(f"unknown executor {spec!r}; valid: local, processes, dask, dask:tcp://HOST:PORT")
