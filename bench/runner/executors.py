"""Where the training jobs run: in this process, in a pool of processes, or on Dask.

Each executor has ``map_unordered(fn, items)``: an iterator of ``(item, result or exception)``
in completion order, and ``close()``. Job functions write their own result files, so a worker
that dies loses only the job it was running. Feature access goes through the cache folder:
items carry paths, never arrays.

Threads: every job runs with the same number of torch intra-op threads in every executor,
``job_threads()`` (1 unless the environment variable ``BENCH_JOB_THREADS`` says otherwise), so
that ``local``, ``processes`` and ``dask`` give bit-identical numbers: a float reduction split over
a different number of threads sums in another order. The job's record says how many
(``threads``).

Memory: every job's process keeps the memory it frees for reuse
(``bench.runner.allocator.keep_freed_memory``; ``BENCH_KEEP_FREED_MEMORY=0`` turns it off), so a
step's large tensors are not page-faulted anew each step.

Faults: a full disk (``DiskFull`` from a job) stops the run at once, in every executor: it is
not the job's failure, and the job, recorded nowhere, runs again on resume. A ``processes``
worker that dies (killed, out of memory) breaks the whole pool; the pool is rebuilt and the jobs
it took with it are submitted again. A job that was in flight at two pool deaths is then run
alone, and counts as failed only if the worker dies again while it runs alone: no job fails for
another job's crash.

Dask: the ``LocalCluster`` talks TLS with throw-away certificates (``Security.temporary()``), so
another local process cannot connect and run code on its workers, and the HTTP servers of its
scheduler and workers are stopped (there is no dashboard).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from bench.errors import BenchError, DiskFull
from bench.runner import allocator

THREADS_ENV = "BENCH_JOB_THREADS"


def job_threads() -> int:
    """Torch threads per job: ``$BENCH_JOB_THREADS`` or 1."""
    value = os.environ.get(THREADS_ENV, "1")
    if not value.isdigit() or int(value) < 1:
        raise BenchError(f"{THREADS_ENV}={value!r}: expected a whole number of threads of at least 1, e.g. 1")
    return int(value)


def keep_freed_memory_wanted() -> bool:
    """Whether jobs keep freed memory for reuse: ``$BENCH_KEEP_FREED_MEMORY`` (1 or 0), default 1."""
    value = os.environ.get(allocator.ENV, "1")
    if value not in ("0", "1"):
        raise BenchError(f"{allocator.ENV}={value!r}: expected 1 (keep freed memory for reuse, the default) or 0 (off)")
    return value == "1"


class JobSettings:
    """``fn`` run with ``threads`` torch threads in whatever process calls it (picklable), then
    the process's previous thread count restored; with ``keep_freed`` the process first keeps
    the memory it frees (``allocator.keep_freed_memory``, once per process, not undone)."""

    def __init__(self, fn, threads: int, keep_freed: bool):
        self.fn, self.threads, self.keep_freed = fn, threads, keep_freed

    @classmethod
    def from_environment(cls, fn) -> JobSettings:
        """``fn`` with the settings ``bench run``'s environment asks for (``BENCH_JOB_THREADS``,
        ``BENCH_KEEP_FREED_MEMORY``), read and checked here, in the process that submits the jobs."""
        return cls(fn, job_threads(), keep_freed_memory_wanted())

    def __call__(self, item):
        import torch

        if self.keep_freed:
            allocator.keep_freed_memory()
        before = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        try:
            return self.fn(item)
        finally:
            torch.set_num_threads(before)


class WorkerDied(RuntimeError):
    """The worker process died while running this job alone."""


class LocalExecutor:
    """Runs jobs one after another in this process (the default; shows per-epoch progress)."""

    name = "local"

    def map_unordered(self, fn, items):
        fn = JobSettings.from_environment(fn)
        for item in items:
            try:
                yield item, fn(item)
            except DiskFull:
                raise
            except Exception as exc:  # noqa: BLE001 - recorded by the caller, the grid goes on
                yield item, exc

    def close(self):
        pass


class ProcessExecutor:
    """A pool of N spawned worker processes on this machine, rebuilt when a worker dies."""

    name = "processes"

    def __init__(self, workers: int):
        self.workers = workers
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"))

    def _rebuild(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = self._new_pool()

    def map_unordered(self, fn, items):
        fn = JobSettings.from_environment(fn)
        pending, deaths = list(items), {}
        while pending:  # rounds in parallel; a round ends when the pool breaks or all are done
            broken = yield from self._round(fn, pending)
            if broken:
                self._rebuild()
            for item in broken:
                deaths[id(item)] = deaths.get(id(item), 0) + 1
            pending = [item for item in broken if deaths[id(item)] < 2]
            for item in broken:
                if deaths[id(item)] >= 2:  # suspected: run alone, so a death is its own
                    yield item, self._alone(fn, item)

    def _round(self, fn, items):
        """Yield finished jobs; return those lost to a broken pool."""
        futures = {self.pool.submit(fn, item): item for item in items}
        broken, waiting = [], set(futures)
        while waiting:
            done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
            for future in done:
                exc = future.exception()
                if isinstance(exc, BrokenProcessPool):
                    broken.append(futures[future])
                elif isinstance(exc, DiskFull):
                    raise exc
                else:
                    yield futures[future], exc if exc is not None else future.result()
        return broken

    def _alone(self, fn, item):
        try:
            return self.pool.submit(fn, item).result()
        except BrokenProcessPool:
            self._rebuild()
            return WorkerDied("the worker process died while running this job alone (killed, or out of memory?)")
        except DiskFull:
            raise
        except Exception as exc:  # noqa: BLE001
            return exc

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Dask distributed: a TLS LocalCluster of N workers, or an existing scheduler at ``address``.

    For Slurm/PBS, start a scheduler and workers with dask-jobqueue (docs/runner.md) and pass
    ``--executor dask:tls://HOST:PORT``; the TLS files come from Dask's configuration
    (``distributed.comm.tls.*``). The run and cache folders must be on a shared file system.
    """

    name = "dask"

    def __init__(self, workers: int, address: str | None = None):
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise BenchError("the dask executor needs `distributed` (pip install 'dask[distributed]')") from exc
        self.cluster = None
        if address:
            self.client = Client(address, timeout="30s")
            return
        with dask.config.set({"distributed.scheduler.http.routes": [], "distributed.worker.http.routes": []}):
            self.cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                protocol="tls://",
                security=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        self.client = Client(self.cluster)
        self.client.run_on_scheduler(_stop_http_server)
        self.client.run(_stop_http_server)  # each worker starts one too (on a random port)

    def map_unordered(self, fn, items):
        from distributed import as_completed as dask_as_completed

        fn = JobSettings.from_environment(fn)
        futures = {self.client.submit(fn, item, pure=False, key=f"job-{item.job_id}"): item for item in items}
        for future in dask_as_completed(futures):
            item = futures[future]
            try:
                yield item, future.result()
            except DiskFull:
                raise
            except Exception as exc:  # noqa: BLE001
                yield item, exc

    def close(self):
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _stop_http_server(dask_scheduler=None, dask_worker=None) -> None:
    """Runs on the scheduler or a worker: Dask always starts an HTTP server; without a dashboard
    we want none."""
    node = dask_scheduler if dask_scheduler is not None else dask_worker
    server = getattr(node, "http_server", None)
    if server is not None:
        server.stop()
        node.services.pop("dashboard", None)


def execution_problems(spec: str, workers: int) -> list[str]:
    """What is wrong with how jobs are to be run: the executor spec, the worker count, and the job
    settings in the environment (``BENCH_JOB_THREADS``, ``BENCH_KEEP_FREED_MEMORY``); [] when
    nothing is. ``bench run`` reports these with the plan's problems, before any work."""
    problems = []
    kind = spec.partition(":")[0]
    if kind not in ("local", "processes", "dask"):
        problems.append(f"unknown executor {spec!r}; valid: local, processes, dask, dask:tls://HOST:PORT")
    elif kind != "local" and workers < 1:
        problems.append(f"--workers must be at least 1, got {workers}")
    for check in (job_threads, keep_freed_memory_wanted):
        try:
            check()
        except BenchError as exc:
            problems.append(str(exc))
    return problems


def make_executor(spec: str, workers: int):
    """'local', 'processes', 'dask' or 'dask:tls://HOST:PORT' (or tcp://) -> an executor."""
    problems = execution_problems(spec, workers)
    if problems:
        raise BenchError(problems[0])
    kind, _, address = spec.partition(":")
    if kind == "local":
        return LocalExecutor()
    if kind == "processes":
        return ProcessExecutor(workers)
    return DaskExecutor(workers, address or None)
