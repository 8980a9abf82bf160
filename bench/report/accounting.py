"""Data accounting: what the run trained and tested on, and what it left out.

Read from the run folder (all optional; a missing file leaves its part out):

    folds.csv + manifest.csv   utterances per fold, role and class
    skipped.csv                one row per file skipped at extraction: ``id, path, reason``
    speech.csv                 one row per (utterance, vad, backbone): ``id, vad, backbone, frames,
                               speech_frames`` (VAD decisions on the backbone's frame grid)

    fold_counts(run_dir) -> DataFrame | None     Fold | Test | Valid | train/valid/test counts, per class
    skipped_summary(run_dir) -> Skipped | None   counts per reason and the first files
    speech_summary(run_dir) -> DataFrame | None  per (backbone, vad): utterances, no speech, median fraction
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

SKIPPED_COLUMNS = ("id", "path", "reason")
SPEECH_COLUMNS = ("id", "vad", "backbone", "frames", "speech_frames")


def _read(path: Path, columns) -> pd.DataFrame | None:
    """The CSV at ``path`` with at least ``columns`` (None when absent; a BenchError when malformed)."""
    from bench.errors import BenchError

    if not path.is_file():
        return None
    try:
        frame = pd.read_csv(path, dtype={"id": str})
    except pd.errors.EmptyDataError:
        return pd.DataFrame(columns=list(columns))
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise BenchError(f"{path} lacks columns {missing}; expected {', '.join(columns)}")
    return frame


def fold_counts(run_dir: Path, classes: list[str]) -> pd.DataFrame | None:
    """Per fold: test and validation speakers, utterances per role, and per class "train/valid/test"."""
    plan, manifest = (
        _read(run_dir / "folds.csv", ("fold", "id", "speaker", "role")),
        _read(run_dir / "manifest.csv", ("id", "label")),
    )
    if plan is None or manifest is None:
        return None
    plan = plan.merge(manifest[["id", "label"]].astype({"label": str}), on="id", how="left")
    rows = []
    for fold, part in plan.groupby("fold"):
        row = {
            "Fold": int(fold),
            "Test": " ".join(sorted(part.loc[part["role"] == "test", "speaker"].astype(str).unique())),
            "Valid": " ".join(sorted(part.loc[part["role"] == "valid", "speaker"].astype(str).unique())) or "none",
        }
        counts = part.groupby(["label", "role"]).size()
        for role in ("train", "valid", "test"):
            row[role] = int((part["role"] == role).sum())
        for label in classes or sorted(part["label"].dropna().unique()):
            row[label] = "/".join(str(int(counts.get((label, r), 0))) for r in ("train", "valid", "test"))
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass
class Skipped:
    """by_reason: reason -> count; files: the skipped rows; total: utterances in the manifest (None if unknown)."""

    by_reason: dict
    files: pd.DataFrame
    total: int | None

    def sentence(self) -> str:
        share = f" of {self.total} ({100 * len(self.files) / self.total:.1f}%)" if self.total else ""
        reasons = "; ".join(f"{n} {reason}" for reason, n in self.by_reason.items())
        return f"{len(self.files)} file(s){share} skipped at extraction: {reasons}"


def skipped_summary(run_dir: Path) -> Skipped | None:
    """The files RUN/skipped.csv lists, counted by reason (None when the file is absent or empty)."""
    skipped = _read(run_dir / "skipped.csv", SKIPPED_COLUMNS)
    if skipped is None or skipped.empty:
        return None
    manifest = run_dir / "manifest.csv"
    total = len(pd.read_csv(manifest, usecols=["id"])) if manifest.is_file() else None
    return Skipped(skipped["reason"].astype(str).value_counts().to_dict(), skipped, total)


def speech_summary(run_dir: Path) -> pd.DataFrame | None:
    """Per (backbone, vad): utterances, those where the VAD found no speech (speech-only poolers then use
    all frames), and the median share of frames marked speech."""
    speech = _read(run_dir / "speech.csv", SPEECH_COLUMNS)
    if speech is None or speech.empty:
        return None
    speech = speech.assign(fraction=speech["speech_frames"] / speech["frames"].where(speech["frames"] > 0))
    rows = []
    for (backbone, vad), part in speech.groupby(["backbone", "vad"], sort=False):
        none = int((part["speech_frames"] <= 0).sum())
        rows.append(
            {
                "Backbone": backbone,
                "VAD": vad,
                "Utterances": len(part),
                "No speech found": none,
                "No speech (%)": f"{100 * none / len(part):.1f}",
                "Median speech fraction": f"{part['fraction'].median():.3f}",
            }
        )
    return pd.DataFrame(rows)
