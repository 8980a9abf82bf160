"""One job = (cell, seed, fold): train on the fold's training speakers, stop early on its
validation speaker, test on its test speaker, and store the record and predictions.

``run_job`` is a top-level function of picklable arguments (paths, not arrays), so the same
job runs in this process, in a worker process or on a Dask worker, and writes its own files.
"""

from __future__ import annotations

import errno
import hashlib
import json
import re
import time
import traceback
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.errors import DiskFull
from bench.folds import read_plan, split_ids
from bench.manifest import read_manifest
from bench.runner.grid import Cell
from bench.runner.store import ResultsStore


@dataclass
class JobSpec:
    """Everything a worker needs to run one job; small and picklable."""

    job_id: str
    run_dir: str
    cell: Cell
    seed: int
    fold: int
    protocol: str
    test_speaker: str
    classes: list[str]
    train_config: dict  # TrainConfig fields
    pooler_params: dict
    store: Any  # bench.cache.FeatureStore: paths only, memmaps opened lazily
    save_model: bool = False  # keep the trained model in RUN/models/<job>/ (safetensors + config)
    config_digest: str | None = None  # RunConfig.digest() of the run that made this job


def _path_safe(name: str) -> str:
    """A name as one harmless file-name part: letters, digits, '.', '-' only, never '..'."""
    return re.sub(r"[^A-Za-z0-9.-]+", "-", name).strip(".-") or "x"


def job_id(cell: Cell, seed: int, fold: int) -> str:
    """Readable and unique: ``sr-fbank-webrtc-s0-f03-1a2b3c4d`` (the hash covers the whole cell)."""
    digest = hashlib.sha1(json.dumps([cell.label, seed, fold]).encode()).hexdigest()[:8]
    parts = [_path_safe(cell.pooler), _path_safe(Path(cell.backbone).name.replace("_", "-")), _path_safe(cell.vad)]
    return f"{'-'.join(parts)}-s{seed}-f{fold:02d}-{digest}"


@lru_cache(maxsize=4)
def _run_tables(run_dir: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The run's manifest and fold plan, read once per process."""
    manifest = read_manifest(Path(run_dir) / "manifest.csv").set_index("id", drop=False)
    return manifest, read_plan(Path(run_dir) / "folds.csv")


def utterance_set(manifest: pd.DataFrame, ids: list[str], classes: list[str], store):
    from bench.train import UtteranceSet

    available = [i for i in ids if i not in store.skipped]
    rows = manifest.loc[available]
    labels = rows["label"].map({c: k for k, c in enumerate(classes)}).to_numpy(dtype=np.int64)
    return UtteranceSet(
        ids=available,
        labels=labels,
        valence=rows["valence"].to_numpy(dtype=np.float32),
        arousal=rows["arousal"].to_numpy(dtype=np.float32),
        store=store,
    )


def _metrics(true: np.ndarray, pred: np.ndarray, test, valence: np.ndarray, arousal: np.ndarray) -> dict:
    from bench.stats import ccc, macro_f1, mae, unweighted_accuracy, weighted_accuracy

    out = {"ua": unweighted_accuracy(true, pred), "wa": weighted_accuracy(true, pred), "macro_f1": macro_f1(true, pred)}
    for name, target, guess in (("valence", test.valence, valence), ("arousal", test.arousal, arousal)):
        ok = np.isfinite(target) & np.isfinite(guess)
        out[f"{name}_ccc"] = ccc(target[ok], guess[ok]) if ok.sum() > 1 else None
        out[f"{name}_mae"] = mae(target[ok], guess[ok]) if ok.any() else None
    return {k: (float(v) if v is not None else None) for k, v in out.items()}


def _train_and_predict(spec: JobSpec, sets: dict, on_epoch):
    """(Predictions of the test set, FitResult); saves the model if asked (probes are not saved:
    they are reference rows, refitted in seconds)."""
    from bench.train import TrainConfig, fit, predict
    from bench.train.probes import is_probe

    config = TrainConfig.from_dict(spec.train_config)
    result = fit(
        sets["train"],
        sets["valid"],
        spec.classes,
        spec.cell.pooler,
        spec.pooler_params,
        config,
        seed=spec.seed,
        on_epoch=on_epoch,
    )
    if spec.save_model and not is_probe(spec.cell.pooler):
        from bench.model import save_model

        save_model(result.model, Path(spec.run_dir) / "models" / spec.job_id)
    return predict(result.model, sets["test"]), result


def _training_columns(result) -> dict:
    """How training went (see bench.train.fit.training_summary): epochs run, best epoch, the epoch
    limit, optimiser steps, training-set UA and loss at the kept weights, still_improving."""
    summary = result.summary
    return {
        "epochs": result.history[-1]["epoch"] if result.history else 0,
        "best_epoch": result.best_epoch,
        "max_epochs": summary.get("max_epochs"),
        "steps": summary.get("steps"),
        "train_ua": summary.get("train_ua"),
        "train_loss": summary.get("train_loss"),
        "still_improving": summary.get("still_improving"),
        "probe_C": summary.get("probe_C"),
        "layer_weights": _layer_weights(result.model),
        "backbone_revision": _fine_tuned_revision(result.model),
    }


def _fine_tuned_revision(model) -> str | None:
    """The resolved revision of the backbone a fine-tuned model started from (None: frozen features)."""
    identity = getattr(model, "backbone_identity", None)
    if identity is None:
        return None
    from backbones.base import resolved_revision

    return resolved_revision(identity)


def _layer_weights(model) -> list[float] | None:
    """The learned softmax weights over layers of a trained head (None for a fixed layer, probes, the SVM)."""
    mixing = getattr(model, "mixing", None)
    if mixing is None or getattr(mixing, "logits", None) is None:
        return None
    return [round(float(w), 6) for w in mixing.weights().detach().cpu()]


def job_identity(spec: JobSpec) -> dict:
    """The columns of results.csv that say which job a record is."""
    return {
        "job": spec.job_id,
        "cell": spec.cell.label,
        "backbone": spec.cell.backbone,
        "vad": spec.cell.vad,
        "pooler": spec.cell.pooler,
        "protocol": spec.protocol,
        "fold": spec.fold,
        "test_speaker": spec.test_speaker,
        "seed": spec.seed,
        **dict(spec.cell.hparams),
        "config_digest": spec.config_digest,
    }


def run_job(spec: JobSpec, on_epoch=None) -> dict:
    """Run one job and store it (record JSON + predictions CSV); failures are stored, not raised."""
    started = time.perf_counter()
    record = job_identity(spec)
    predictions = None
    try:
        manifest, plan = _run_tables(spec.run_dir)
        ids = split_ids(plan, spec.fold)
        sets = {
            role: utterance_set(manifest, ids[role], spec.classes, spec.store) if ids[role] else None
            for role in ("train", "valid", "test")
        }
        preds, result = _train_and_predict(spec, sets, on_epoch)
        test = sets["test"]
        pred_index = preds.probs.argmax(axis=1)
        true_labels = np.asarray(spec.classes)[test.labels]
        pred_labels = np.asarray(spec.classes)[pred_index]
        record.update(_metrics(true_labels, pred_labels, test, preds.valence, preds.arousal))
        record.update(
            n_test=len(test.ids), **_training_columns(result), history=result.history, status="ok", error=None
        )
        predictions = _prediction_table(spec, manifest, test, true_labels, pred_labels, preds)
    except Exception as exc:  # noqa: BLE001 - a failed job is recorded and the grid goes on
        _raise_if_disk_full(exc, spec)
        record.update(
            status="failed",
            error=f"{type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(),
            rerun=_not_the_jobs_fault(exc),
        )
    record["seconds"] = round(time.perf_counter() - started, 3)
    record["threads"] = _torch_threads()
    try:
        ResultsStore(spec.run_dir).write(record, predictions)
    except OSError as exc:
        _raise_if_disk_full(exc, spec)
        raise
    return record


def _torch_threads() -> int:
    """The torch intra-op threads this job ran with (the executor pins them: ``BENCH_JOB_THREADS``)."""
    import torch

    return torch.get_num_threads()


def _not_the_jobs_fault(exc: BaseException) -> bool:
    """A damaged or missing cache entry: the resumed run re-extracts it and runs the job again."""
    from bench.cache.store import CorruptCacheEntry

    return isinstance(exc, CorruptCacheEntry)


def _raise_if_disk_full(exc: BaseException, spec: JobSpec) -> None:
    """A full disk is not the job's failure: stop the run (nothing recorded, so the job reruns)."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        raise DiskFull(
            f"no space left on the device writing {exc.filename or spec.run_dir} (job {spec.job_id}): "
            f"free some space, then run the same command again; finished jobs are kept"
        ) from exc


def _prediction_table(spec, manifest, test, true_labels, pred_labels, preds) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "job": spec.job_id,
            "cell": spec.cell.label,
            "fold": spec.fold,
            "seed": spec.seed,
            "id": test.ids,
            "speaker": manifest.loc[test.ids, "speaker"].to_numpy(),
            "true": true_labels,
            "pred": pred_labels,
        }
    )
    for k, name in enumerate(spec.classes):
        table[f"prob_{name}"] = np.round(preds.probs[:, k], 6)
    table["valence_true"], table["valence_pred"] = test.valence, preds.valence
    table["arousal_true"], table["arousal_pred"] = test.arousal, preds.arousal
    return table
