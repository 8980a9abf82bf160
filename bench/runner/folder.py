"""The run folder's life cycle: one `bench run` at a time, setup written atomically with
config.yaml last, and the rules for running again into the same folder.

    with RunFolder(path).locked():          # a second process stops with a clear message
        state = folder.state(config)        # "new", "resume" or "replace" (PlanError if refused)
        folder.set_up(plan, state)

A folder without config.yaml was never set up completely (or never set up), so it is set up
again from scratch. One whose config.yaml has the same configuration digest resumes. One with
another digest is refused when any job finished there; when none did, its setup and its failed
job records are replaced by the corrected command's.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

import yaml

from bench.errors import BenchError
from bench.runner.config import RECORDED, RunConfig, read_recorded, to_yaml
from bench.runner.store import ResultsStore, atomic_write_bytes, atomic_write_text

LOCK_NAME = ".bench-run.lock"
SETUP_FILES = ("manifest.csv", "folds.csv")
SPLIT_COPY = "split.csv"  # the --split-file as it was, byte for byte (its sha256 is in config.yaml)
DERIVED_FILES = ("results.csv", "predictions.csv", "history.csv")


class RunFolder:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.config_path = self.path / "config.yaml"

    @contextlib.contextmanager
    def locked(self):
        """Hold an exclusive lock on the folder (released when the process ends, even by SIGKILL)."""
        self.path.mkdir(parents=True, exist_ok=True)
        handle = open(self.path / LOCK_NAME, "a+")
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "unknown"
                raise BenchError(
                    f"{self.path} is in use by another `bench run` (pid {holder}); wait for it to "
                    f"finish, or choose another --out"
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            yield self
        finally:
            handle.close()

    def recorded(self) -> dict:
        return read_recorded(self.config_path) if self.config_path.is_file() else {}

    def resumes(self, config: RunConfig) -> bool:
        """Whether this folder was set up completely by the same configuration."""
        complete = all((self.path / name).is_file() for name in SETUP_FILES)
        return complete and self.recorded().get("config_digest") == config.digest()

    def state(self, config: RunConfig) -> str:
        """'new' (nothing set up, or set-up files missing), 'resume' (same configuration) or
        'replace' (another configuration, but nothing finished)."""
        recorded = self.recorded()
        if not recorded:
            return "new"
        if recorded.get("config_digest") == config.digest():
            return "resume" if self.resumes(config) else "new"
        finished = sum(1 for r in ResultsStore(self.path).records().values() if r.get("status") == "ok")
        if finished and recorded.get("split_sha256") not in (None, config.split_sha256):
            raise BenchError(
                f"{self.path} was run with a split file whose content has changed since "
                f"(sha256 {recorded['split_sha256'][:12]}... then, {str(config.split_sha256)[:12]}... now: "
                f"{config.split_file}); its {finished} finished job(s) used the folds in "
                f"{self.path / SPLIT_COPY}. Resume with --split-file {self.path / SPLIT_COPY}, or choose "
                f"a new --out for the new split."
            )
        if finished:
            old = {k: v for k, v in recorded.items() if k not in RECORDED}
            new = config.to_dict()
            changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
            raise BenchError(
                f"{self.path} holds {finished} finished job(s) of a run with a different configuration "
                f"(differs in: {', '.join(changed) or 'the format of config.yaml'}). Resume it with "
                f"its own options (`bench run --config {self.config_path}`), or choose a new --out."
            )
        return "replace"

    def set_up(self, plan, state: str, recorded: dict) -> None:
        """Write manifest.csv and folds.csv, then config.yaml last (each atomically)."""
        from bench.folds import PLAN_COLUMNS
        from bench.manifest import manifest_text

        if state == "resume":
            return
        self.config_path.unlink(missing_ok=True)  # from here until config.yaml is back, the folder is "new"
        if state == "replace":
            self._drop_job_records()
        atomic_write_text(self.path / "manifest.csv", manifest_text(plan.manifest))
        atomic_write_text(self.path / "folds.csv", plan.fold_table[PLAN_COLUMNS].to_csv(index=False))
        if plan.config.split_file:
            atomic_write_bytes(self.path / SPLIT_COPY, Path(plan.config.split_file).read_bytes())
        atomic_write_text(self.config_path, to_yaml(plan.config, **recorded))

    def record(self, **recorded) -> None:
        """Add or replace recorded-only keys (RECORDED) of config.yaml, atomically; the configuration
        and its digest are left as they are."""
        unknown = sorted(set(recorded) - set(RECORDED))
        if unknown:
            raise ValueError(f"not recorded-only keys of config.yaml: {unknown}")
        data = {**self.recorded(), **recorded}
        atomic_write_text(self.config_path, yaml.safe_dump(data, sort_keys=False))

    def _drop_job_records(self) -> None:
        """The failed records of the configuration being replaced (none of its jobs finished)."""
        jobs = self.path / "jobs"
        for path in list(jobs.glob("*.json")) + list(jobs.glob("*.predictions.csv")) if jobs.is_dir() else []:
            path.unlink()
        for name in DERIVED_FILES:
            (self.path / name).unlink(missing_ok=True)
