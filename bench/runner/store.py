"""The results store: one JSON file per finished job (the source of truth) plus its predictions.

    RUN/jobs/<job>.json               record: identity, metrics, history, status, error
    RUN/jobs/<job>.predictions.csv    one row per test utterance (written before the JSON)
    RUN/results.csv, predictions.csv, history.csv   rebuilt from jobs/ by ``rebuild``

Every file is written to a temporary name in the same folder, flushed to disk and renamed, so
a run killed at any moment (SIGKILL included) leaves either a whole job or none of it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd

RESULT_TAIL = ["ua", "wa", "macro_f1", "valence_ccc", "arousal_ccc", "valence_mae", "arousal_mae",
               "n_test", "train_ua", "train_loss", "epochs", "best_epoch", "max_epochs", "steps", "still_improving",
               "probe_C", "seconds", "status", "error"]
RESULT_HEAD = ["job", "cell", "backbone", "vad", "pooler", "protocol", "fold", "test_speaker", "seed"]


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
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
            with open(path) as f:
                record = json.load(f)
            out[record["job"]] = record
        return out

    def statuses(self) -> dict[str, str]:
        return {job: r["status"] for job, r in self.records().items()}

    def rebuild(self, hparam_columns: list[str] = ()) -> pd.DataFrame:
        """Rewrite results.csv, predictions.csv and history.csv from the job files; return results."""
        records = list(self.records().values())
        columns = RESULT_HEAD + list(hparam_columns) + RESULT_TAIL
        results = pd.DataFrame([{c: r.get(c) for c in columns} for r in records], columns=columns)
        results = results.sort_values(["cell", "seed", "fold"], kind="stable").reset_index(drop=True)
        atomic_write_text(self.run_dir / "results.csv", results.to_csv(index=False))
        history = [dict(job=r["job"], cell=r["cell"], fold=r["fold"], seed=r["seed"], **row)
                   for r in records for row in r.get("history", [])]
        history_cols = ["job", "cell", "fold", "seed", "epoch", "step", "train_loss", "valid_loss", "valid_ua", "lr"]
        atomic_write_text(self.run_dir / "history.csv", pd.DataFrame(history, columns=history_cols).to_csv(index=False))
        parts = [pd.read_csv(p) for r in records if r["status"] == "ok"
                 for p in [self.jobs_dir / f"{r['job']}.predictions.csv"] if p.is_file()]
        predictions = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        atomic_write_text(self.run_dir / "predictions.csv", predictions.to_csv(index=False))
        return results


def _jsonable(value):
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)
