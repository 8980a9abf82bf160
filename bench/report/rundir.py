"""Read a run folder written by ``bench run`` (see docs/architecture.md, "Run folder").

Nothing here retrains or rewrites the run; it only loads ``config.yaml``, ``results.csv``,
``predictions.csv`` and ``history.csv`` and says how complete the run is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from bench.errors import BenchError

EXPECTED_JOB_KEYS = ("expected_jobs", "total_jobs", "n_jobs", "jobs_total")


@dataclass
class RunFolder:
    """A loaded run folder. results: one row per job; predictions/history: None when absent."""

    path: Path
    config: dict
    results: pd.DataFrame
    predictions: pd.DataFrame | None
    history: pd.DataFrame | None

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


def load_run(path) -> RunFolder:
    """Load run folder ``path``; a BenchError says what is missing and what to do."""
    path = Path(path)
    if not path.is_dir():
        raise BenchError(f"run folder {str(path)!r} does not exist; pass the folder that `bench run` wrote (results/<run>)")
    config_path = path / "config.yaml"
    config = yaml.safe_load(config_path.read_text()) if config_path.exists() else {}
    results = _read_csv(path / "results.csv")
    if results is None or results.empty:
        raise BenchError(
            f"no results in {path}: results.csv is missing or empty. A run folder gets results.csv when its "
            "first job finishes; wait for `bench run` to finish a job (or resume it), then report again")
    missing = {"cell", "fold", "seed", "status"} - set(results.columns)
    if missing:
        raise BenchError(f"{path / 'results.csv'} lacks columns {sorted(missing)}; it was not written by `bench run`")
    run = RunFolder(path, config or {}, results, _read_csv(path / "predictions.csv"), _read_csv(path / "history.csv"))
    if run.ok.empty:
        raise BenchError(
            f"no finished jobs in {path}: all {len(results)} jobs in results.csv have status other than 'ok' "
            "(see its error column); fix the cause and resume the run")
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
