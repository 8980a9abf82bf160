"""Which utterances a study trains on and scores on, for the two honest tuning designs.

- ``nested``: one study per outer fold k; trials train on fold k's training speakers and are
  scored on fold k's validation speaker(s). Fold k's test speaker is never loaded.
- ``dev-speakers``: one study; trials train on every speaker but the development speakers and
  are early-stopped and scored on the development speakers, which the later run never tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bench.errors import BenchError
from bench.folds import split_ids

DESIGNS = ("nested", "dev-speakers")


@dataclass
class Target:
    """One study's data: ``suffix`` is appended to the study name (``-fold0``, ``-dev``)."""

    suffix: str
    fold: int | None
    train_ids: list[str]
    valid_ids: list[str]
    train_speakers: list[str]
    scoring_speakers: list[str]
    unused_speakers: list[str]  # test speakers of this fold (nested): never loaded


def _speakers(plan_or_manifest: pd.DataFrame, ids: list[str]) -> list[str]:
    rows = plan_or_manifest.drop_duplicates("id").set_index("id")
    return sorted(set(rows.loc[ids, "speaker"])) if ids else []


def nested_targets(plan: pd.DataFrame, folds: int | None) -> list[Target]:
    """Targets for the first ``folds`` folds of the plan (all when None)."""
    available = sorted(int(f) for f in plan["fold"].unique())
    if folds is not None:
        if not 1 <= folds <= len(available):
            raise BenchError(f"--folds {folds}: the plan has {len(available)} folds; choose 1..{len(available)}")
        available = available[:folds]
    targets = []
    for fold in available:
        ids = split_ids(plan, fold)
        if not ids["valid"]:
            raise BenchError(
                f"the nested design scores trials on each fold's validation speaker, but fold {fold} has "
                f"none (validation rule 'none'?): use a validation rule, or --design dev-speakers"
            )
        part = plan[plan["fold"] == fold]
        targets.append(
            Target(
                f"-fold{fold}",
                fold,
                ids["train"],
                ids["valid"],
                _speakers(part, ids["train"]),
                _speakers(part, ids["valid"]),
                _speakers(part, ids["test"]),
            )
        )
    return targets


def default_dev_speakers(plan: pd.DataFrame) -> list[str]:
    """The validation speaker(s) of the plan's first fold (its test speaker when it has none)."""
    first = plan[plan["fold"] == plan["fold"].min()]
    for role in ("valid", "test"):
        speakers = sorted(set(first.loc[first["role"] == role, "speaker"]))
        if speakers:
            return speakers
    raise BenchError("the fold plan's first fold has neither validation nor test speakers")


def dev_target(manifest: pd.DataFrame, plan: pd.DataFrame, dev_speakers: list[str] | None) -> Target:
    """Train on all speakers but ``dev_speakers``; early-stop and score on ``dev_speakers``."""
    known = sorted(set(manifest["speaker"]))
    dev = sorted(set(dev_speakers)) if dev_speakers else default_dev_speakers(plan)
    unknown = sorted(set(dev) - set(known))
    if unknown:
        raise BenchError(
            f"--dev-speakers names unknown speaker(s) {', '.join(unknown)}; the corpus has: {', '.join(known)}"
        )
    if len(dev) >= len(known):
        raise BenchError(f"--dev-speakers takes every speaker ({', '.join(known)}); leave some to train on")
    tests = plan[plan["role"] == "test"].groupby("fold")["speaker"].agg(set)
    if all(t & set(dev) for t in tests):
        raise BenchError(
            f"every fold tests a development speaker ({', '.join(dev)}), so no fold could be reported; "
            f"choose fewer --dev-speakers"
        )
    is_dev = manifest["speaker"].isin(dev)
    train_ids, valid_ids = manifest.loc[~is_dev, "id"].tolist(), manifest.loc[is_dev, "id"].tolist()
    return Target("", None, train_ids, valid_ids, sorted(set(manifest.loc[~is_dev, "speaker"])), dev, [])


def excluded_folds(plan: pd.DataFrame, dev_speakers: list[str]) -> list[int]:
    """Folds whose test speakers include a development speaker (a later run skips them)."""
    tests = plan[plan["role"] == "test"].groupby("fold")["speaker"].agg(set)
    return sorted(int(f) for f, speakers in tests.items() if speakers & set(dev_speakers))
