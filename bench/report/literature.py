"""Published results (bench/data/literature/*.csv) and the Table-2-style comparison.

A literature CSV holds one row per published result with columns
``corpus, protocol, folds, class_set, model, ua, wa, ua_ci_low, ua_ci_high, wa_ci_low,
wa_ci_high, ci_method, reported_in, source, note`` (values in percent, as published).
This run's rows join them only when its corpus AND protocol match (config.yaml ``dataset``
and ``protocol``); otherwise the table is omitted and the report says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pandas as pd

from bench.errors import BenchError

LITERATURE_DIR = Path(__file__).resolve().parent.parent / "data" / "literature"
REQUIRED = ("corpus", "protocol", "model", "ua", "wa", "source")
# spellings of one protocol; the canonical names are those of bench.folds
PROTOCOL_ALIASES = {"leave-one-speaker-out": "loso", "speaker": "loso",
                    "leave-one-session-out": "loso-session", "session": "loso-session"}


def normalise_protocol(name: str) -> str:
    key = str(name).strip().lower().replace("_", "-")
    return PROTOCOL_ALIASES.get(key, key)


def normalise_corpus(name: str) -> str:
    return str(name).strip().lower().replace("_", "").replace("-", "")


def load_literature(dirs: Iterable[Path] = ()) -> pd.DataFrame:
    """All rows of every ``*.csv`` in the shipped folder and in ``dirs`` (e.g. the user's own)."""
    frames = []
    for folder in (LITERATURE_DIR, *map(Path, dirs)):
        for path in sorted(folder.glob("*.csv")):
            frame = pd.read_csv(path)
            missing = [c for c in REQUIRED if c not in frame.columns]
            if missing:
                raise BenchError(f"literature file {path} lacks columns {missing}; see docs/report.md for the format")
            frames.append(frame.assign(file=path.name))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*REQUIRED, "file"])


@dataclass
class LiteratureTable:
    """table: rows to render (None when omitted); reason: why omitted; sources: numbered citations."""

    table: pd.DataFrame | None
    reason: str
    sources: list[str]


def _fmt(value, low=None, high=None) -> str:
    if pd.isna(value):
        return "–"
    text = f"{float(value):.2f}"
    if low is not None and not pd.isna(low) and not pd.isna(high):
        text += f" ({float(low):.2f}, {float(high):.2f})"
    return text


def _citation(rec: dict) -> str:
    """The row's source, with where it was read when that is another paper."""
    source, seen = str(rec["source"]), rec.get("reported_in")
    if pd.isna(seen) or not str(seen).strip():
        return source
    return str(seen) if str(seen).startswith(source) else f"{source}; as reported in {seen}"


def literature_table(summary: pd.DataFrame, corpus: str | None, protocol: str | None,
                     dirs: Iterable[Path] = ()) -> LiteratureTable:
    """Published rows for (corpus, protocol) followed by this run's cells.

    summary: ``summary_table(...)`` with ua/wa columns (percent). The result has columns
    Model, UA (%), WA (%), Source ([k] into ``sources``; "this run" for our rows).
    """
    if not corpus or not protocol:
        return LiteratureTable(None, "config.yaml does not name the dataset and protocol, so no published result can be matched", [])
    lit = load_literature(dirs)
    match = lit[(lit["corpus"].map(normalise_corpus) == normalise_corpus(corpus))
                & (lit["protocol"].map(normalise_protocol) == normalise_protocol(protocol))]
    if match.empty:
        known = sorted({f"{c}/{p}" for c, p in zip(lit["corpus"], lit["protocol"])})
        return LiteratureTable(None, f"no published results for corpus {corpus!r} under protocol {protocol!r} "
                                     f"(shipped: {', '.join(known)}); add a CSV to bench/data/literature/ to compare", [])
    sources, rows = [], []
    for rec in match.to_dict("records"):
        cite = _citation(rec)
        if cite not in sources:
            sources.append(cite)
        rows.append({"Model": rec["model"], "UA (%)": _fmt(rec["ua"], rec.get("ua_ci_low"), rec.get("ua_ci_high")),
                     "WA (%)": _fmt(rec["wa"], rec.get("wa_ci_low"), rec.get("wa_ci_high")),
                     "Source": f"[{sources.index(cite) + 1}]"})
    for rec in summary.to_dict("records"):
        rows.append({"Model": rec["cell"], "UA (%)": _fmt(rec.get("ua_mean"), rec.get("ua_low"), rec.get("ua_high")),
                     "WA (%)": _fmt(rec.get("wa_mean"), rec.get("wa_low"), rec.get("wa_high")), "Source": "this run"})
    return LiteratureTable(pd.DataFrame(rows), "", sources)
