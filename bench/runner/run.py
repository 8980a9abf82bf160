"""`bench run`: manifest -> fold plan -> features for every (backbone, VAD) -> the grid's jobs.

The run folder is written in that order (config.yaml, manifest.csv, folds.csv first), each
finished job is its own file, and the same command into the same folder resumes: finished jobs
are skipped, failed ones too unless ``retry_failed``.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import click
import pandas as pd
import yaml

from bench.errors import BenchError
from bench.folds import fold_plan, read_plan, write_plan
from bench.manifest import read_manifest, write_manifest
from bench.runner.accounting import write_accounting
from bench.runner.config import check_resumable, environment
from bench.runner.executors import LocalExecutor, make_executor
from bench.runner.grid import Cell, expand
from bench.runner.jobs import JobSpec, job_id, job_identity, run_job
from bench.runner.progress import JobProgress
from bench.runner.store import ResultsStore


def default_out(config: dict) -> Path:
    name = config["dataset"] if not config["manifest"] else Path(config["manifest"]).stem
    return Path("results") / f"{name}-{datetime.now():%Y%m%d-%H%M%S}"


def _resolve_max_duration(config: dict) -> float | None:
    if config["max_duration"] != "auto":
        return config["max_duration"]
    if config["manifest"]:
        return None
    from bench import datasets

    return datasets.create(config["dataset"]).default_max_duration


def prepare_run_folder(config: dict, run_dir: Path, echo) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write config.yaml, manifest.csv and folds.csv (or reuse them when resuming)."""
    manifest_path, plan_path = run_dir / "manifest.csv", run_dir / "folds.csv"
    if manifest_path.is_file():
        manifest = read_manifest(manifest_path)
    elif config["manifest"]:
        manifest = read_manifest(config["manifest"])
        write_manifest(manifest, manifest_path)
    else:
        from bench.datasets import prepare_dataset

        prep = prepare_dataset(config["dataset"], config["data_dir"], config["class_set"])
        echo(prep.summary())
        if prep.manifest.empty:
            raise BenchError(f"no usable utterance found for dataset {config['dataset']!r}")
        manifest = prep.manifest
        write_manifest(manifest, manifest_path)
    if plan_path.is_file():
        plan = read_plan(plan_path)
    else:
        plan = fold_plan(manifest, config["protocol"], config["validation"])
        write_plan(plan, plan_path)
    return manifest, plan


def write_config(config: dict, run_dir: Path, expected_jobs: int, classes: list[str]) -> None:
    """config.yaml: the resolved options, classes, job count and environment (kept when resuming)."""
    path = run_dir / "config.yaml"
    if not path.is_file():
        extra = {"classes": classes, "expected_jobs": expected_jobs, "environment": environment()}
        path.write_text(yaml.safe_dump({**config, **extra}, sort_keys=False))


def extract_features(config: dict, manifest: pd.DataFrame, cells: list[Cell], echo) -> dict:
    """Run every (backbone, VAD) pair of the grid through the feature cache once: {(backbone, vad): store}."""
    from bench.cache import extract_corpus

    stores = {}
    finetune = (config.get("train") or {}).get("mode") == "finetune"
    for backbone, vad in dict.fromkeys((c.backbone, c.vad) for c in cells):
        # Fine-tuning reads the audio; from the cache it needs only the speech masks, which depend on
        # the VAD and preprocessing alone, so the cheap fbank backbone fills them (and feeds the probes).
        source = "fbank" if finetune else backbone
        echo(f"features: {source} + VAD {vad}" + (f" (speech masks for fine-tuning {backbone})" if finetune else ""))
        started = time.perf_counter()
        stores[(backbone, vad)] = extract_corpus(
            manifest, backbone=source, layers=None if finetune else config["layers"], vad=vad,
            vad_options=config["vad_options"], cache_dir=config["cache_dir"], max_duration=config["max_duration"],
            dtype=config["dtype"])
        echo(f"  ready in {time.perf_counter() - started:.1f} s")
    return stores


def report_skips(skipped: pd.DataFrame, total: int, config: dict, echo) -> None:
    """Print the skip summary; refuse to train when more than ``max_skipped`` of the corpus is gone."""
    if skipped.empty:
        return
    reasons = ", ".join(f"{n} {reason}" for reason, n in skipped["reason"].value_counts().items())
    echo(f"skipped {len(skipped)} of {total} files ({reasons}); the list is in skipped.csv")
    share, limit = len(skipped) / max(total, 1), float(config.get("max_skipped", 0.05))
    if share > limit:
        raise BenchError(f"{len(skipped)} of {total} files ({share:.0%}) could not be used, more than max_skipped "
                         f"({limit:.0%}): a wrong --data-dir or a broken copy? See skipped.csv; to train anyway "
                         f"pass --set max_skipped={min(1.0, round(share + 0.01, 2))}")


def _fold_params(config: dict, fold: int) -> dict:
    """Tuned parameters for ``fold`` from --params: a flat mapping, or per fold under ``folds``."""
    params = config.get("params") or {}
    if "folds" in params:
        per_fold = params["folds"]
        chosen = per_fold.get(fold, per_fold.get(str(fold)))
        if chosen is None:
            raise BenchError(f"--params file has per-fold parameters but none for fold {fold}; it covers folds "
                             f"{sorted(per_fold)}: run those only with --set folds={','.join(map(str, sorted(per_fold)))}")
        return dict(chosen)
    return {k: v for k, v in params.items() if k not in ("design", "objective", "study", "dev_speakers")}


def selected_folds(config: dict, plan: pd.DataFrame) -> list[int]:
    """The plan's folds, or the subset that ``folds`` names; never a fold that tests a development
    speaker of --params (``dev_speakers`` from `bench tune --design dev-speakers`)."""
    available = sorted(int(f) for f in plan["fold"].unique())
    dev = set((config.get("params") or {}).get("dev_speakers") or [])
    tests = plan[plan["role"] == "test"].groupby("fold")["speaker"].agg(set)
    tuned_on = sorted(int(f) for f, speakers in tests.items() if speakers & dev)
    if config.get("folds") is None:
        return [f for f in available if f not in tuned_on]
    wanted = config["folds"] if isinstance(config["folds"], list) else [config["folds"]]
    missing = sorted(set(int(f) for f in wanted) - set(available))
    if missing:
        raise BenchError(f"folds {missing} are not in the plan, which has folds {available[0]}..{available[-1]}")
    clash = sorted(set(int(f) for f in wanted) & set(tuned_on))
    if clash:
        raise BenchError(f"folds {clash} test development speakers of --params ({', '.join(sorted(dev))}), on which the "
                         f"parameters were tuned; leave them out of folds")
    return sorted(int(f) for f in wanted)


def probe_cells(config: dict, cells: list[Cell]) -> list[Cell]:
    """The convex reference probes (bench.train.probes) of every (backbone, VAD) pair of the grid,
    unless ``probes`` is false. None in fine-tune mode: there the head's input is the backbone
    as it learns, which no probe on cached features represents."""
    from bench.train.probes import PROBES

    if not config.get("probes", True) or (config.get("train") or {}).get("mode") == "finetune":
        return []
    pairs = dict.fromkeys((c.backbone, c.vad) for c in cells)
    return [Cell(backbone, vad, name) for backbone, vad in pairs for name in PROBES]


def cell_seeds(cell: Cell, seeds: list[int]) -> list[int]:
    """A probe is deterministic given its data: it runs with the first seed only."""
    from bench.train.probes import is_probe

    return seeds[:1] if is_probe(cell.pooler) else seeds


def build_jobs(config: dict, run_dir: Path, plan, classes, cells, seeds, folds, stores) -> list[JobSpec]:
    from bench.train.probes import is_probe

    test_speakers = plan[plan["role"] == "test"].groupby("fold")["speaker"].agg(lambda s: " ".join(sorted(set(s))))
    jobs = []
    for cell in cells:
        for seed in cell_seeds(cell, seeds):
            for fold in folds:
                fold_params = _fold_params(config, int(fold))
                pooler_params = {**config["pooler_params"], **{k[7:]: v for k, v in fold_params.items() if k.startswith("pooler.")},
                                 **cell.pooler_params()}
                if is_probe(cell.pooler):  # a probe has no options; the grid's pooler options are not its own
                    pooler_params = {}
                train = {**config["train"], **{k: v for k, v in fold_params.items() if not k.startswith("pooler.")},
                         **cell.training_overrides()}
                jobs.append(JobSpec(job_id(cell, seed, int(fold)), str(run_dir), cell, seed, int(fold), config["protocol"],
                                    test_speakers[fold], classes, train, pooler_params, stores[(cell.backbone, cell.vad)],
                                    save_model=bool(config.get("save_models"))))
    return jobs


def run_grid(config: dict, out: Path | None = None, executor: str = "local", workers: int = 1,
             retry_failed: bool = False, echo=click.echo) -> tuple[Path, pd.DataFrame]:
    """Run (or resume) the grid of ``config`` into ``out``; return the run folder and results."""
    config = {**config, "max_duration": _resolve_max_duration(config)}
    run_dir = Path(out) if out else default_out(config)
    check_resumable(run_dir, config)
    cells, seeds = expand(config["grid"], {"backbone": config["backbone"], "vad": config["vad"],
                                           "pooler": ["gap", "sap", "sr"], "seed": [0]})
    cells = cells + probe_cells(config, cells)
    manifest, plan = prepare_run_folder(config, run_dir, echo)
    folds, classes = selected_folds(config, plan), sorted(manifest["label"].unique())
    write_config(config, run_dir, sum(len(cell_seeds(c, seeds)) for c in cells) * len(folds), classes)
    stores = extract_features(config, manifest, cells, echo)
    report_skips(write_accounting(run_dir, stores, manifest), len(manifest), config, echo)
    jobs = build_jobs(config, run_dir, plan, classes, cells, seeds, folds, stores)
    store = ResultsStore(run_dir)
    done = store.statuses()
    todo = [j for j in jobs if done.get(j.job_id) not in ("ok",) and (retry_failed or done.get(j.job_id) != "failed")]
    echo(f"{len(jobs)} jobs ({len(cells)} cells incl. probes x {len(seeds)} seeds x {len(folds)} folds); "
         f"{len(jobs) - len(todo)} already done, {len(todo)} to run -> {run_dir}")
    hparam_columns = sorted({k for c in cells for k, _ in c.hparams})
    _execute(todo, executor, workers, echo)
    results = store.rebuild(hparam_columns)
    results = results[results["job"].isin({j.job_id for j in jobs})]
    return run_dir, results


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
    record = {**job_identity(spec), "status": "failed", "error": f"worker died: {type(exc).__name__}: {exc}",
              "seconds": None}
    ResultsStore(spec.run_dir).write(record, None)
    return record
