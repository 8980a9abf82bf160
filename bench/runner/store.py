"""The results store: one JSON file per finished job (the source of truth) plus its predictions.

    RUN/jobs/<job>.json               record: identity, metrics, history, status, error
    RUN/jobs/<job>.predictions.csv    one row per test utterance (written before the JSON)
    RUN/results.csv, predictions.csv, history.csv   rebuilt from jobs/ by ``rebuild``

Every file is written to a temporary name in the same folder, flushed to disk and renamed, so
a run killed at any moment (SIGKILL included) leaves either a whole job or none of it.

A job file that cannot be trusted (JSON that does not parse, a record without job/status, an ok
record whose predictions file is missing, unreadable or has other than ``n_test`` rows) is moved
to ``RUN/jobs/quarantine/`` with a warning naming it, so the job counts as not done and reruns.
Prediction tables are read with their text columns (id, speaker, labels) as strings: ``0013``,
``NA`` and ``nan`` stay what they are.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

RESULT_TAIL = [
    "ua",
    "wa",
    "macro_f1",
    "valence_ccc",
    "arousal_ccc",
    "valence_mae",
    "arousal_mae",
    "n_test",
    "train_ua",
    "train_loss",
    "epochs",
    "best_epoch",
    "max_epochs",
    "steps",
    "still_improving",
    "probe_C",
    "seconds",
    "threads",
    "status",
    "error",
]
RESULT_HEAD = ["job", "cell", "backbone", "vad", "pooler", "protocol", "fold", "test_speaker", "seed"]
PREDICTION_TEXT_COLUMNS = ("job", "cell", "id", "speaker", "true", "pred")


class UnreadableJobFile(ValueError):
    """A job file that does not hold what the store wrote."""


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the whole new one."""
    atomic_write_bytes(path, text.encode())


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ResultsStore:
    """Reads and writes the job files of one run folder."""

    def __init__(self, run_dir: str | Path):
        self.run_dir = Path(run_dir)
        self.jobs_dir = self.run_dir / "jobs"

    def write(self, record: dict, predictions: pd.DataFrame | None) -> None:
        """Store one job: its predictions first, then the record that marks it finished."""
        if predictions is not None:
            atomic_write_text(self.jobs_dir / f"{record['job']}.predictions.csv", predictions.to_csv(index=False))
        atomic_write_text(self.jobs_dir / f"{record['job']}.json", json.dumps(record, indent=1, default=_jsonable))

    def records(self) -> dict[str, dict]:
        """{job id: record} of every stored job."""
        if not self.jobs_dir.is_dir():
            return {}
        out = {}
        for path in sorted(self.jobs_dir.glob("*.json")):
            try:
                record = _read_record(path)
                if record["status"] == "ok":
                    self.predictions(record)
            except (UnreadableJobFile, OSError) as exc:
                self._quarantine(path, exc)
                continue
            out[record["job"]] = record
        return out

    def predictions(self, record: dict) -> pd.DataFrame:
        """The predictions of an ok job, checked to hold ``n_test`` rows."""
        path = self.jobs_dir / f"{record['job']}.predictions.csv"
        if not path.is_file():
            raise UnreadableJobFile(f"its predictions file {path.name} is missing")
        table = read_predictions(path)
        expected = record.get("n_test")
        if expected is not None and len(table) != int(expected):
            raise UnreadableJobFile(
                f"{path.name} holds {len(table)} prediction rows, the record says n_test={expected}"
            )
        return table

    def _quarantine(self, path: Path, reason: Exception) -> None:
        """Move a job's files aside (never delete them) so that the job reruns."""
        folder = self.jobs_dir / "quarantine"
        folder.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S")
        for part in (path, path.with_suffix(".predictions.csv")):
            if part.exists():
                os.replace(part, folder / f"{part.name}.{stamp}")
        warnings.warn(
            f"job file {path} is unreadable ({reason}); moved to {folder}, the job will run again", stacklevel=3
        )

    def statuses(self) -> dict[str, str]:
        return {job: r["status"] for job, r in self.records().items()}

    def rebuild(self, hparam_columns: list[str] = ()) -> pd.DataFrame:
        """Rewrite results.csv, predictions.csv and history.csv from the job files; return results."""
        records = list(self.records().values())
        columns = RESULT_HEAD + list(hparam_columns) + RESULT_TAIL
        results = pd.DataFrame([{c: r.get(c) for c in columns} for r in records], columns=columns)
        results = results.sort_values(["cell", "seed", "fold"], kind="stable").reset_index(drop=True)
        atomic_write_text(self.run_dir / "results.csv", results.to_csv(index=False))
        history = [
            dict(job=r["job"], cell=r["cell"], fold=r["fold"], seed=r["seed"], **row)
            for r in records
            for row in r.get("history", [])
        ]
        history_cols = ["job", "cell", "fold", "seed", "epoch", "step", "train_loss", "valid_loss", "valid_ua", "lr"]
        atomic_write_text(self.run_dir / "history.csv", pd.DataFrame(history, columns=history_cols).to_csv(index=False))
        parts = [self.predictions(r) for r in records if r["status"] == "ok"]
        predictions = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        atomic_write_text(self.run_dir / "predictions.csv", predictions.to_csv(index=False))
        return results


def _read_record(path: Path) -> dict:
    try:
        record = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableJobFile(f"not valid JSON: {exc}") from exc
    if not isinstance(record, dict) or not {"job", "status"} <= set(record):
        raise UnreadableJobFile("not a job record (no job and status fields)")
    if record["job"] != path.stem:
        raise UnreadableJobFile(f"it names job {record['job']!r}, not {path.stem!r}")
    return record


def read_predictions(path: Path) -> pd.DataFrame:
    """A job's predictions CSV: text columns as strings, the others as numbers (empty = NaN)."""
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in table.columns:
            if column not in PREDICTION_TEXT_COLUMNS:
                table[column] = pd.to_numeric(table[column].replace("", float("nan")))
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise UnreadableJobFile(f"{path.name} is not a readable predictions table: {exc}") from exc
    return table


def _jsonable(value):
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)
