"""The manifest: one row per kept utterance, the table every later step reads.

Required columns (DESIGN.md contract): id, path, speaker, session, label, valence, arousal,
duration, sample_rate. ``valence``/``arousal`` are NaN (written empty) where a corpus has none;
``session`` is empty where a corpus has none. Extra columns (gender, split, raw_label) pass through.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bench.errors import BenchError

COLUMNS = ["id", "path", "speaker", "session", "label", "valence", "arousal", "duration", "sample_rate"]
STRING_COLUMNS = ["id", "path", "speaker", "session", "label"]


def make_manifest(rows: list[dict]) -> pd.DataFrame:
    """Rows (dicts with at least the required keys) -> a manifest DataFrame in column order."""
    frame = pd.DataFrame(rows)
    for col in COLUMNS:
        if col not in frame:
            frame[col] = np.nan if col in ("valence", "arousal") else ""
    extra = [c for c in frame.columns if c not in COLUMNS]
    frame = frame[COLUMNS + extra]
    return _normalise(frame)


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    for col in STRING_COLUMNS:
        frame[col] = frame[col].fillna("").astype(str)
    for col in ("valence", "arousal", "duration"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    _reject_infinite(frame)
    frame["sample_rate"] = pd.to_numeric(frame["sample_rate"], errors="coerce").fillna(0).astype(int)
    return frame.reset_index(drop=True)


def _reject_infinite(frame: pd.DataFrame) -> None:
    """Valence, arousal and duration are finite or missing (NaN); an inf would poison every prediction."""
    for col in ("valence", "arousal", "duration"):
        bad = frame.loc[np.isinf(frame[col].to_numpy()), "id"].tolist()
        if bad:
            raise BenchError(
                f"{col} is infinite for {len(bad)} utterance(s), e.g. {bad[:3]}; expected a finite "
                f"number or an empty field: fix or leave out these rows of the manifest"
            )


def manifest_text(frame: pd.DataFrame) -> str:
    """The manifest as CSV text (NaN written as an empty field)."""
    return frame.to_csv(index=False, float_format="%.6g")


def write_manifest(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a manifest CSV (NaN written as an empty field)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(manifest_text(frame))


def read_manifest(path: str | Path) -> pd.DataFrame:
    """Read and validate a manifest CSV written by ``bench prepare`` (or by hand)."""
    path = Path(path)
    if not path.is_file():
        raise BenchError(
            f"manifest not found: {path}. Make one with `bench prepare --dataset NAME --data-dir DIR --out {path}`."
        )
    frame = pd.read_csv(
        path,
        dtype={c: str for c in STRING_COLUMNS},
        keep_default_na=False,
        na_values={"valence": [""], "arousal": [""], "duration": [""]},
    )
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise BenchError(f"manifest {path} lacks the columns {missing}; expected at least {COLUMNS}.")
    duplicated = frame["id"][frame["id"].duplicated()].unique()
    if len(duplicated):
        raise BenchError(f"manifest {path} repeats utterance ids, e.g. {list(duplicated[:3])}; ids must be unique.")
    return _normalise(frame)


def has_dimensions(frame: pd.DataFrame) -> bool:
    """True when every utterance has valence and arousal values."""
    return bool(frame["valence"].notna().all() and frame["arousal"].notna().all())
