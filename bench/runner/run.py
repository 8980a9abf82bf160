"""`bench run`: plan -> run folder set-up -> features for every feature set -> the grid's jobs.

Order of work: the whole configuration is planned and checked first (bench.runner.plan), with
no folder written and no audio read; then the run folder is locked and set up (manifest.csv,
folds.csv, config.yaml last; bench.runner.folder); then every (backbone, VAD setting) goes
through the feature cache once; then the jobs run, each writing its own record. The same command
into the same folder resumes: finished jobs are skipped, failed ones too unless ``retry_failed``
or they failed on a damaged cache entry (extraction has just made it again).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click
import pandas as pd

from bench.errors import BenchError
from bench.runner.accounting import feature_records, write_accounting
from bench.runner.config import Problems, RunConfig, job_options
from bench.runner.executors import LocalExecutor, execution_problems, make_executor
from bench.runner.folder import RunFolder
from bench.runner.jobs import JobSpec, job_id, job_identity, run_job
from bench.runner.plan import RunPlan, plan_run, resolved_max_duration
from bench.runner.progress import JobProgress
from bench.runner.store import ResultsStore


@dataclass
class RunOutcome:
    """What `bench run` reports at the end."""

    run_dir: Path
    results: pd.DataFrame
    failed: int  # jobs of this configuration whose record says failed
    rerun: int = 0  # of those, failed on a damaged cache entry: the same command runs them again


def default_out(config: RunConfig) -> Path:
    name = config.dataset if not config.manifest else Path(config.manifest).stem
    return Path("results") / f"{name}-{datetime.now():%Y%m%d-%H%M%S}"


def prepare(
    config: RunConfig, folder: Path | None = None, problems: Problems | None = None, cache_status: bool = False
) -> RunPlan:
    """The planning step of `bench run` and `bench tune`: ``max_duration`` resolved, then the
    whole configuration checked and planned (PlanError lists every problem). ``folder``: a run
    folder whose own manifest is reused when it resumes the same configuration."""
    problems = Problems() if problems is None else problems
    try:
        config = RunConfig(**{**config.to_dict(), "max_duration": resolved_max_duration(config)})
    except BenchError as exc:  # an unknown dataset: reported with everything else
        problems.append(str(exc))
    manifest = None
    if folder is not None and RunFolder(folder).resumes(config):
        from bench.manifest import read_manifest

        manifest = read_manifest(Path(folder) / "manifest.csv")
    return plan_run(config, manifest, problems, cache_status)


def extract_features(plan: RunPlan, echo) -> dict:
    """Every feature set of the plan through the feature cache once: {FeatureSet.key: store}."""
    from bench.cache import extract_corpus

    config, stores = plan.config, {}
    finetune = (config.train or {}).get("mode") == "finetune"
    for fs in plan.feature_sets:
        options = {**config.options_of_vad(fs.vad), **fs.vad_options}  # the cell's grid values win
        # Fine-tuning reads the audio; from the cache it needs only the speech masks, which depend on the
        # VAD and preprocessing alone (not the backbone), so the cheap fbank backbone fills them.
        source = "fbank" if finetune else fs.backbone
        echo(
            f"features: {source} + VAD {fs.vad}"
            + "".join(f" {k}={v}" for k, v in sorted(fs.vad_options.items()))
            + (f" (speech masks for fine-tuning {fs.backbone})" if finetune else "")
        )
        started = time.perf_counter()
        request = config.feature_request(source, fs.vad, options)
        if finetune:
            request = dataclasses.replace(request, layers=None)
        stores[fs.key] = extract_corpus(plan.manifest, request)
        for entry in stores[fs.key].report.get("damaged_entries", []):
            echo(f"  re-extracted the damaged cache entry {entry['entry']} of {entry['id']}: {entry['problem']}")
        echo(f"  ready in {time.perf_counter() - started:.1f} s")
    return stores


def build_jobs(plan: RunPlan, run_dir: Path, stores: dict) -> list[JobSpec]:
    config, table = plan.config, plan.fold_table
    test_speakers = table[table["role"] == "test"].groupby("fold")["speaker"].agg(lambda s: " ".join(sorted(set(s))))
    digest = config.digest()
    paths = dict(zip(plan.manifest["id"].astype(str), plan.manifest["path"].astype(str)))
    jobs = []
    for cell in plan.cells:
        for seed in plan.seeds_of(cell):
            for fold in plan.folds:
                train, pooler = job_options(config, cell, fold)
                store = _training_store(
                    train,
                    stores[cell.features],
                    paths,
                    config.max_duration,
                    pooler_reads_features=_is_reference(cell.pooler),
                )
                jobs.append(
                    JobSpec(
                        job_id(cell, seed, fold),
                        str(run_dir),
                        cell,
                        seed,
                        fold,
                        config.protocol,
                        test_speakers[fold],
                        plan.classes,
                        train,
                        pooler,
                        store,
                        save_model=bool(config.save_models),
                        config_digest=digest,
                    )
                )
    return jobs


def _training_store(train: dict, features, paths: dict, max_duration, pooler_reads_features: bool = False):
    """What a job trains on: the cached features (frozen mode), or in fine-tune mode the audio
    with the cached speech masks (``WaveStore``), skipping what extraction skipped."""
    if train.get("mode") != "finetune" or pooler_reads_features:
        return features
    from bench.train import WaveStore

    store = WaveStore(paths, features, max_duration)
    store.skipped = features.skipped
    return store


def _is_reference(pooler: str) -> bool:
    """Probes and the SVM baseline read cached features whatever the training mode."""
    from bench.train import MODEL_NAMES
    from bench.train.probes import is_probe

    return is_probe(pooler) or pooler in MODEL_NAMES


def report_skips(skipped: pd.DataFrame, total: int, max_skipped: float, echo) -> None:
    """Print the skip summary; refuse to train when more than ``max_skipped`` of the corpus is gone."""
    if skipped.empty:
        return
    reasons = ", ".join(f"{n} {reason}" for reason, n in skipped["reason"].value_counts().items())
    echo(f"skipped {len(skipped)} of {total} files ({reasons}); the list is in skipped.csv")
    share = len(skipped) / max(total, 1)
    if share > max_skipped:
        raise BenchError(
            f"{len(skipped)} of {total} files ({share:.0%}) could not be used, more than max_skipped "
            f"({max_skipped:.0%}): a wrong --data-dir or a broken copy? See skipped.csv; to train anyway "
            f"pass --set max_skipped={min(1.0, round(share + 0.01, 2))}"
        )


def run_grid(
    config: RunConfig,
    out: Path | None = None,
    executor: str = "local",
    workers: int = 1,
    retry_failed: bool = False,
    echo=click.echo,
    problems: Problems | None = None,
) -> RunOutcome:
    """Plan, set up (or resume) and run the grid of ``config`` into ``out``. ``problems``: those
    found while building ``config``, reported together with the plan's."""
    run_dir = Path(out) if out else default_out(config)
    problems = Problems() if problems is None else problems
    problems.extend(execution_problems(executor, workers))  # reported with the plan's, before any work
    plan = prepare(config, run_dir, problems)
    folder = RunFolder(run_dir)
    with folder.locked():
        state = folder.state(plan.config)
        if state == "replace":
            echo(f"{run_dir}: no job had finished there; setting it up again for this configuration")
        folder.set_up(
            plan,
            state,
            {
                "classes": plan.classes,
                "expected_jobs": plan.job_count,
                "environment": _environment(),
                "train_defaults": _train_defaults(plan),
            },
        )
        stores = extract_features(plan, echo)
        folder.record(features=feature_records(stores, finetune=plan.config.train.get("mode") == "finetune"))
        report_skips(
            write_accounting(run_dir, stores, plan.manifest), len(plan.manifest), plan.config.max_skipped, echo
        )
        jobs = build_jobs(plan, run_dir, stores)
        store = ResultsStore(run_dir)
        records = store.records()
        todo = [j for j in jobs if _to_run(records.get(j.job_id), retry_failed)]
        echo(
            f"{len(jobs)} jobs ({len(plan.cells)} cells, {len(plan.seeds)} seed(s), {len(plan.folds)} folds); "
            f"{len(jobs) - len(todo)} already done, {len(todo)} to run -> {run_dir}"
        )
        _execute(todo, executor, workers, echo)
        results = store.rebuild(plan.hparam_columns())
        ids = {j.job_id for j in jobs}
        rerun = sum(
            1 for job, r in store.records().items() if job in ids and r.get("status") != "ok" and r.get("rerun")
        )
        results = results[results["job"].isin(ids)]
        if plan.config.protocol == "cross-corpus" and (results["status"] == "ok").any():
            from bench.report.cross_corpus import write_pair_table

            write_pair_table(run_dir, results)  # one row per (cell, train, test), interval over test speakers
    return RunOutcome(run_dir, results, int((results["status"] != "ok").sum()), rerun)


def _to_run(record: dict | None, retry_failed: bool) -> bool:
    """Not run yet, or failed and either retried or failed through no fault of its own (a damaged
    cache entry, made again by this run's extraction)."""
    if record is None:
        return True
    return record.get("status") != "ok" and (retry_failed or bool(record.get("rerun")))


def _train_defaults(plan: RunPlan) -> dict:
    from bench.model.svm import SVM_NAME
    from bench.train.config import TrainConfig
    from bench.train.probes import is_probe

    trained = sorted({c.pooler for c in plan.cells if not is_probe(c.pooler) and c.pooler != SVM_NAME})
    return TrainConfig.from_dict(dict(plan.config.train)).defaults_used(trained)


def _environment() -> dict:
    from bench.runner.environment import environment

    return environment()


def _execute(todo: list[JobSpec], executor_spec: str, workers: int, echo) -> None:
    if not todo:
        return
    executor = make_executor(executor_spec, workers)
    progress = JobProgress([spec.cell.pooler for spec in todo], show_epochs=isinstance(executor, LocalExecutor))
    try:
        fn = progress.wrap(run_job) if isinstance(executor, LocalExecutor) else run_job
        for spec, outcome in executor.map_unordered(fn, todo):
            if isinstance(outcome, BaseException):  # the worker itself died: record it as failed
                outcome = _record_crash(spec, outcome)
            progress.finished(outcome)
    finally:
        progress.close()
        executor.close()


def _record_crash(spec: JobSpec, exc: BaseException) -> dict:
    record = {
        **job_identity(spec),
        "status": "failed",
        "error": f"worker died: {type(exc).__name__}: {exc}",
        "seconds": None,
    }
    ResultsStore(spec.run_dir).write(record, None)
    return record
