"""Any corpus described by a CSV file: the way in for data without an adapter of its own.

Expected layout::

    my_corpus/
      manifest.csv        path,speaker,label[,id,session,valence,arousal,split,gender]
      audio/spk1_0001.wav

``path`` is relative to the folder (absolute paths work too); ``speaker`` and ``label`` are
required. Labels are taken as given: the class set ``all`` keeps every label found as its own
class. ``id`` defaults to the file name without extension. Registered as ``csv`` (the module is
not named ``csv.py`` so as not to shadow the standard library).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pandas as pd

from bench.datasets.base import Candidate, CorpusAdapter, Skipped
from bench.datasets.registry import register
from bench.errors import BenchError

MANIFEST = "manifest.csv"
REQUIRED = ("path", "speaker", "label")
OPTIONAL = ("id", "session", "valence", "arousal", "split", "gender")


class EveryLabel(dict):
    """A class-set mapping that keeps each label as its own class.

    The labels of a CSV corpus are only known after scanning, so this mapping contains every
    non-empty label and maps it to itself. Take the class list from the manifest's labels.
    """

    def __contains__(self, label) -> bool:
        return isinstance(label, str) and label != ""

    def __missing__(self, label: str) -> str:
        return label


@register
class CsvFolder(CorpusAdapter):
    name = "csv"
    title = "a folder with manifest.csv (path, speaker, label; any corpus)"
    layout = (
        "my_corpus/\n"
        "  manifest.csv   columns path,speaker,label (required), id,session,valence,arousal,split (optional)\n"
        "  audio/spk1_0001.wav   (paths in manifest.csv are relative to my_corpus/)"
    )
    class_sets = {"all": EveryLabel()}
    default_class_set = "all"

    def scan(self, data_dir: Path) -> Iterator[Candidate | Skipped]:
        self.check_layout(data_dir, MANIFEST)
        table = read_table(data_dir / MANIFEST)
        for index, row in table.iterrows():
            yield parse_row(row, data_dir, line=int(index) + 2)


def read_table(csv_path: Path) -> pd.DataFrame:
    """``manifest.csv`` as strings with surrounding spaces removed; BenchError if a required column is missing."""
    try:
        table = pd.read_csv(csv_path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise BenchError(
            f"csv: cannot read {csv_path}: {exc}. Expected a comma-separated file with a header row."
        ) from exc
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise BenchError(
            f"csv: {csv_path} lacks the required column(s) {', '.join(missing)}; found {', '.join(table.columns) or 'none'}. "
            f"Expected columns {', '.join(REQUIRED)} (required) and {', '.join(OPTIONAL)} (optional)."
        )
    return table.apply(lambda col: col.str.strip())


def parse_row(row: pd.Series, data_dir: Path, line: int) -> Candidate | Skipped:
    """One row of manifest.csv -> a Candidate, or a Skipped naming the line and what is missing."""
    where = f"{data_dir / MANIFEST} line {line}"
    empty = [c for c in REQUIRED if not row[c]]
    if empty:
        return Skipped(where, f"missing {empty[0]}", f"{where}: empty {', '.join(empty)}")
    try:
        valence, arousal = (to_float(row.get(c, "")) for c in ("valence", "arousal"))
    except ValueError as exc:
        return Skipped(where, "unparsable value", f"{where}: {exc}")
    path = data_dir / row["path"]
    extra = {c: row[c] for c in ("split", "gender") if c in row.index}
    return Candidate(
        id=row.get("id", "") or Path(row["path"]).stem,
        path=path,
        speaker=row["speaker"],
        emotion=row["label"],
        session=row.get("session", ""),
        valence=valence,
        arousal=arousal,
        extra=extra,
    )


def to_float(text: str) -> float | None:
    """``""`` -> None; a number -> float; anything else raises ValueError naming the text."""
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"valence/arousal {text!r} is not a number") from None
