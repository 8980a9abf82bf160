"""A user-given fold file (``--split-file FILE.csv`` with ``--protocol predefined``): read, checked
against the manifest, and fingerprinted, before any audio is read.

The file has the format `bench folds` writes (``bench.folds.write_plan``): a header
``fold,id,speaker,role`` and one row per (fold, utterance); ``fold`` an integer, ``id`` the
manifest's utterance id, ``speaker`` its speaker, ``role`` ``train``, ``valid`` or ``test``
(dev, val, validation mean valid). Every fold assigns a role to every utterance of the manifest,
once. An official partition (EmoBox, EMO-SUPERB) is converted to this format once and then
used as is; see docs/splits.md.

Checked: the columns; integer folds; known roles; ids the manifest lacks; manifest ids a fold
leaves out; an id listed twice in one fold; a speaker that differs from the manifest's; a fold
without train or test utterances; a speaker in both train and test of one fold.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from bench.errors import BenchError
from bench.folds import PLAN_COLUMNS, ROLES, check_plan, role_name

SHOWN = 5  # ids quoted in a message


def file_digest(path: str | Path) -> str:
    """sha256 (64 hex) of the file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _some(values) -> str:
    values = sorted(map(str, values))
    return ", ".join(values[:SHOWN]) + (f" (and {len(values) - SHOWN} more)" if len(values) > SHOWN else "")


def read_split_file(path: str | Path, manifest: pd.DataFrame) -> pd.DataFrame:
    """The plan (``PLAN_COLUMNS``, rows in manifest order within each fold) of the fold file at
    ``path`` over ``manifest``; BenchError naming the first problem found and what to do."""
    path = Path(path)
    if not path.is_file():
        raise BenchError(
            f"split file not found: {path}; give a CSV with columns {','.join(PLAN_COLUMNS)} "
            f"(the format `bench folds --out` writes); to resume a run whose file is gone, pass the run "
            f"folder's copy: --split-file RUN/split.csv"
        )
    try:  # keep_default_na=False: ids such as "NA" stay strings
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise BenchError(
            f"split file {path} is not a readable CSV ({exc}); expected columns {','.join(PLAN_COLUMNS)}"
        ) from exc
    table.columns = [c.strip().lower() for c in table.columns]
    missing = [c for c in PLAN_COLUMNS if c not in table.columns]
    if missing:
        raise BenchError(
            f"split file {path} lacks columns {missing}; expected {','.join(PLAN_COLUMNS)} with one row "
            f"per (fold, utterance), as `bench folds --out` writes; found {list(table.columns)}"
        )
    table = table[PLAN_COLUMNS].apply(lambda column: column.str.strip())
    if table.empty:
        raise BenchError(f"split file {path} has no rows")
    if not table["fold"].str.fullmatch(r"\d+").all():
        bad = table.loc[~table["fold"].str.fullmatch(r"\d+"), "fold"].unique()
        raise BenchError(f"split file {path}: fold must be a whole number 0, 1, ...; found {_some(bad)}")
    roles = table["role"].map(role_name)
    if roles.isna().any():
        raise BenchError(
            f"split file {path}: role must be one of {', '.join(ROLES)} (dev, val, validation mean "
            f"valid); found {_some(table.loc[roles.isna(), 'role'].unique())}"
        )
    plan = table.assign(fold=table["fold"].astype(int), role=roles)
    _check_against_manifest(plan, manifest, path)
    check_plan(plan, speaker_disjoint=False)
    _check_train_test_speakers(plan, path)
    order = {u: k for k, u in enumerate(manifest["id"].astype(str))}
    return (
        plan.assign(_o=plan["id"].map(order))
        .sort_values(["fold", "_o"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def _check_against_manifest(plan: pd.DataFrame, manifest: pd.DataFrame, path: Path) -> None:
    speakers = dict(zip(manifest["id"].astype(str), manifest["speaker"].astype(str)))
    unknown = set(plan["id"]) - set(speakers)
    if unknown:
        raise BenchError(
            f"split file {path} names {len(unknown)} utterance id(s) the manifest lacks: {_some(unknown)}; "
            f"the ids must be the manifest's `id` column (see `bench prepare`), for the same class set"
        )
    for fold, part in plan.groupby("fold"):
        twice = part.loc[part["id"].duplicated(), "id"]
        if len(twice):
            raise BenchError(
                f"split file {path}: fold {fold} lists {twice.nunique()} id(s) more than once: "
                f"{_some(twice.unique())}; each fold gives each utterance one role"
            )
        left_out = set(speakers) - set(part["id"])
        if left_out:
            raise BenchError(
                f"split file {path}: fold {fold} gives no role to {len(left_out)} of the manifest's "
                f"{len(speakers)} utterances: {_some(left_out)}; every fold lists every utterance "
                f"(drop unwanted utterances from the manifest instead, e.g. with --manifest)"
            )
    wrong = plan[plan["id"].map(speakers) != plan["speaker"]].drop_duplicates("id")
    if len(wrong):
        r = wrong.iloc[0]
        raise BenchError(
            f"split file {path}: the speaker of {len(wrong)} id(s) differs from the manifest's "
            f"(e.g. {r['id']}: {r['speaker']!r} in the file, {speakers[r['id']]!r} in the manifest); "
            f"write the manifest's speaker ids"
        )


def _check_train_test_speakers(plan: pd.DataFrame, path: Path) -> None:
    for fold, part in plan.groupby("fold"):
        both = set(part.loc[part["role"] == "train", "speaker"]) & set(part.loc[part["role"] == "test", "speaker"])
        if both:
            raise BenchError(
                f"split file {path}: fold {fold} puts speaker(s) {_some(both)} in both train and test; "
                f"a speaker-independent split tests only speakers it did not train on"
            )
