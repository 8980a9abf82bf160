"""Read a run folder written by ``bench run`` (see docs/architecture.md, "Run folder").

Nothing here retrains or rewrites the run. The job records ``jobs/<job>.json`` are the source of
truth (``bench run`` writes each one as its job finishes, and rebuilds results.csv, predictions.csv
and history.csv from them only at the end), so a run that is still going, or was interrupted, is
read from ``jobs/``; a folder without ``jobs/`` is read from its CSV files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from bench.errors import BenchError

EXPECTED_JOB_KEYS = ("expected_jobs", "total_jobs", "n_jobs", "jobs_total")


@dataclass
class RunFolder:
    """A loaded run folder. results: one row per job; predictions/history: None when absent;
    records: {job: the whole jobs/<job>.json record} (empty when read from results.csv)."""

    path: Path
    config: dict
    results: pd.DataFrame
    predictions: pd.DataFrame | None
    history: pd.DataFrame | None
    records: dict = field(default_factory=dict)

    @property
    def ok(self) -> pd.DataFrame:
        """The finished jobs (``status == "ok"``)."""
        return self.results[self.results["status"] == "ok"]

    @property
    def dataset(self) -> str | None:
        return _name_of(self.config.get("dataset"))

    @property
    def protocol(self) -> str | None:
        return _name_of(self.config.get("protocol"))


@dataclass(frozen=True)
class RunStatus:
    """Job counts: ok, failed, expected (None when config.yaml does not say), pending."""

    ok: int
    failed: int
    expected: int | None

    @property
    def pending(self) -> int | None:
        return None if self.expected is None else max(self.expected - self.ok - self.failed, 0)

    @property
    def complete(self) -> bool:
        return self.failed == 0 and (self.pending in (None, 0))


def _name_of(value) -> str | None:
    """A config entry that is either a plain name or a mapping with a ``name``."""
    if isinstance(value, dict):
        value = value.get("name")
    return None if value is None else str(value)


def _read_csv(path: Path) -> pd.DataFrame | None:
    if not path.exists():
        return None
    try:
        return pd.read_csv(path, keep_default_na=True)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def _scalar(value) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def tables_from_jobs(path: Path) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None, dict] | None:
    """(results, predictions, history, records) built in memory from ``path/jobs/*.json`` (None without jobs/).

    results: one row per record with every scalar field (lists such as ``history`` or
    ``layer_weights`` stay in ``RunFolder.records``); predictions: the ok jobs'
    ``<job>.predictions.csv`` concatenated; history: one row per (job, epoch).
    """
    from bench.runner.store import RESULT_HEAD, ResultsStore

    store = ResultsStore(path)
    records = store.records()
    if not records:
        return None
    rows = [{k: v for k, v in r.items() if _scalar(v)} for r in records.values()]
    results = pd.DataFrame(rows)
    head = [c for c in RESULT_HEAD if c in results.columns]
    results = results[head + [c for c in results.columns if c not in head]]
    results = results.sort_values(["cell", "seed", "fold"], kind="stable").reset_index(drop=True)
    parts = [
        pd.read_csv(p)
        for job, r in records.items()
        if r.get("status") == "ok"
        for p in [store.jobs_dir / f"{job}.predictions.csv"]
        if p.is_file()
    ]
    history = [
        dict(job=r["job"], cell=r["cell"], fold=r["fold"], seed=r["seed"], **row)
        for r in records.values()
        for row in r.get("history") or []
    ]
    return (
        results,
        pd.concat(parts, ignore_index=True) if parts else None,
        pd.DataFrame(history) if history else None,
        records,
    )


def load_run(path) -> RunFolder:
    """Load run folder ``path`` (from jobs/ when it has one); a BenchError says what is missing and what to do."""
    path = Path(path)
    if not path.is_dir():
        raise BenchError(
            f"run folder {str(path)!r} does not exist; pass the folder that `bench run` wrote (results/<run>)"
        )
    config_path = path / "config.yaml"
    config = yaml.safe_load(config_path.read_text()) if config_path.exists() else {}
    from_jobs = tables_from_jobs(path)
    if from_jobs is not None:
        results, predictions, history, records = from_jobs
    else:
        results, predictions, history = (_read_csv(path / f) for f in ("results.csv", "predictions.csv", "history.csv"))
        records = {}
    if results is None or results.empty:
        raise BenchError(
            f"no results in {path}: no finished job yet (neither jobs/*.json nor results.csv). `bench run` writes "
            "jobs/<job>.json as each job finishes; report again once one has (or resume the run)"
        )
    missing = {"cell", "fold", "seed", "status"} - set(results.columns)
    if missing:
        raise BenchError(f"{path / 'results.csv'} lacks columns {sorted(missing)}; it was not written by `bench run`")
    run = RunFolder(path, config or {}, results, predictions, history, records)
    if run.ok.empty:
        raise BenchError(
            f"no finished jobs in {path}: all {len(results)} jobs in results.csv have status other than 'ok' "
            "(see its error column); fix the cause and resume the run"
        )
    return run


def expected_jobs(config: dict) -> int | None:
    """The total number of jobs if config.yaml records it (top level or under ``grid``)."""
    for scope in (config, config.get("grid") if isinstance(config.get("grid"), dict) else {}):
        for key in EXPECTED_JOB_KEYS:
            if isinstance(scope.get(key), int):
                return scope[key]
    return None


def run_status(run: RunFolder) -> RunStatus:
    """Counts of ok and failed jobs, and the expected total when known."""
    status = run.results["status"].astype(str)
    return RunStatus(int((status == "ok").sum()), int((status != "ok").sum()), expected_jobs(run.config))
