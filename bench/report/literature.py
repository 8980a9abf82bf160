"""Published results (bench/data/literature/*.csv) and the Table-2-style comparison.

A literature CSV holds one row per published result with columns
``corpus, protocol, folds, class_set, classes, validation, training_mode, model, ua, wa,
ua_ci_low, ua_ci_high, wa_ci_low, wa_ci_high, ci_method, reported_in, source, note``
(values in percent, as published; format in docs/report.md). A row is printed beside this run's
cells only when corpus, protocol, fold count, class set, validation rule and training mode all
match the run (``RunSetup``); every other row of the same corpus is listed under "not comparable",
with what differs or is not stated. Our rows in that table use the interval method the papers
used (``ci_method``; Student t where it is not a bootstrap).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pandas as pd

from bench.errors import BenchError

LITERATURE_DIR = Path(__file__).resolve().parent.parent / "data" / "literature"
REQUIRED = ("corpus", "protocol", "model", "ua", "wa", "source")
# spellings of one protocol; the canonical names are those of bench.folds
PROTOCOL_ALIASES = {
    "leave-one-speaker-out": "loso",
    "speaker": "loso",
    "leave-one-session-out": "loso-session",
    "session": "loso-session",
}
# bench.folds validation rules -> what a paper states: which held-out group validates (under loso the rules
# "session" and "next" both pick a speaker; under loso-session "next" picks a session)
VALIDATION_KINDS = {"loso": {"session": "speaker", "next": "speaker"}, "loso-session": {"next": "session"}}


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


@dataclass(frozen=True)
class RunSetup:
    """What a published row must share with the run. classes: label names; validation: a
    bench.folds rule (session, next, none, split) or None for the protocol's default; mode: frozen/finetune."""

    corpus: str | None
    protocol: str | None
    folds: int | None
    classes: tuple[str, ...]
    validation: str | None
    mode: str | None

    def validation_kind(self) -> str | None:
        from bench.folds import VALIDATION_RULES

        protocol = normalise_protocol(self.protocol) if self.protocol else None
        rule = self.validation or (VALIDATION_RULES[protocol][0] if protocol in VALIDATION_RULES else None)
        return VALIDATION_KINDS.get(protocol, {}).get(rule, rule)


def _classes_of(rec: dict) -> tuple[str, ...] | None:
    text = rec.get("classes")
    if text is None or pd.isna(text) or not str(text).strip():
        return None
    return tuple(sorted(c.strip().lower() for c in str(text).split(",") if c.strip()))


def differences(rec: dict, run: RunSetup) -> list[str]:
    """What keeps published row ``rec`` from being compared with ``run`` ([] when comparable)."""
    out = []

    def check(name, theirs, ours, show=str):
        if theirs is None or (not isinstance(theirs, tuple) and pd.isna(theirs)) or str(theirs).strip() == "":
            out.append(f"{name} not stated")
        elif ours is None:
            out.append(f"{name} of this run unknown")
        elif theirs != ours:
            out.append(f"{name} ({show(theirs)} vs this run's {show(ours)})")

    check("protocol", normalise_protocol(rec["protocol"]), normalise_protocol(run.protocol) if run.protocol else None)
    folds = rec.get("folds")
    check("folds", int(folds) if folds is not None and pd.notna(folds) else None, run.folds)
    check("class set", _classes_of(rec), tuple(sorted(c.lower() for c in run.classes)) or None, ",".join)
    check("validation", rec.get("validation"), run.validation_kind())
    check("training mode", rec.get("training_mode"), run.mode)
    return out


def interval_kind(rows: pd.DataFrame) -> str:
    """The interval method of the published rows, as a ``--ci`` kind: "bootstrap" where they say so, else "t"."""
    methods = " ".join(str(m) for m in rows.get("ci_method", pd.Series(dtype=object)).dropna()).lower()
    return "bootstrap" if "bootstrap" in methods and "t interval" not in methods else "t"


def bibtex_key(citation: str, taken: set[str]) -> str:
    """A BibTeX key from a citation: first author's surname, year, first long title word (``hyeon2024enhancing``)."""
    citation = unicodedata.normalize("NFKD", citation).encode("ascii", "ignore").decode()  # "Müller" -> "Muller"
    surname = re.sub(r"[^a-z]", "", citation.split(",")[0].split()[-1].lower()) or "source"
    year = (re.findall(r"\b(19\d\d|20\d\d)\b", citation) or [""])[0]
    title = re.search(r'"([^"]+)"', citation)
    word = next((re.sub(r"[^a-z]", "", w.lower()) for w in (title.group(1).split() if title else []) if len(w) > 3), "")
    key, suffix = f"{surname}{year}{word}", 0
    while key + ("" if not suffix else chr(ord("a") + suffix - 1)) in taken:
        suffix += 1
    return key + ("" if not suffix else chr(ord("a") + suffix - 1))


@dataclass
class LiteratureTable:
    """table: comparable published rows and this run's cells (None when omitted); reason: why omitted;
    not_comparable: Model, Source, Differs in (rows of this corpus that do not match);
    sources: {BibTeX key: full citation}, in order of first use; ci_kind: interval method of our rows."""

    table: pd.DataFrame | None
    reason: str
    sources: dict
    not_comparable: pd.DataFrame
    ci_kind: str = "t"

    def bibtex(self) -> str:
        """The ``.bib`` file of ``sources``: one @misc entry per key with the full citation as its note."""
        from bench.report.render import latex_escape

        return "".join(
            f"@misc{{{key},\n  note = {{{latex_escape(text)}}}\n}}\n\n" for key, text in self.sources.items()
        )


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


def _cite(rec: dict, sources: dict) -> str:
    cite = _citation(rec)
    for key, text in sources.items():
        if text == cite:
            return key
    key = bibtex_key(str(rec["source"]), set(sources))
    sources[key] = cite
    return key


def literature_table(summary_for, run: RunSetup, dirs: Iterable[Path] = ()) -> LiteratureTable:
    """Published rows of the run's corpus, split into comparable (printed beside our cells) and not.

    summary_for: ``kind -> summary_table(..., ci=kind)`` (ua/wa columns, percent), called with the
    published rows' interval method. The table has columns Model, UA (%), WA (%), Source (a BibTeX
    key into ``sources``; "this run" for our rows).
    """
    empty = pd.DataFrame(columns=["Model", "Source", "Differs in"])
    if not run.corpus or not run.protocol:
        return LiteratureTable(
            None, "config.yaml does not name the dataset and protocol, so no published result can be matched", {}, empty
        )
    lit = load_literature(dirs)
    same_corpus = lit[lit["corpus"].map(normalise_corpus) == normalise_corpus(run.corpus)]
    if same_corpus.empty:
        known = sorted({f"{c}/{p}" for c, p in zip(lit["corpus"], lit["protocol"])})
        return LiteratureTable(
            None,
            f"no published results for corpus {run.corpus!r} (shipped: {', '.join(known)}); "
            "add a CSV to bench/data/literature/ to compare",
            {},
            empty,
        )
    sources, rows, apart = {}, [], []
    comparable = []
    for rec in same_corpus.to_dict("records"):
        differs = differences(rec, run)
        if differs:
            apart.append({"Model": rec["model"], "Source": _cite(rec, sources), "Differs in": "; ".join(differs)})
        else:
            comparable.append(rec)
    not_comparable = pd.DataFrame(apart, columns=empty.columns)
    if not comparable:
        return LiteratureTable(
            None,
            f"no published result on {run.corpus!r} matches this run's setup (see the rows not comparable below)",
            sources,
            not_comparable,
        )
    kind = interval_kind(pd.DataFrame(comparable))
    for rec in comparable:
        rows.append(
            {
                "Model": rec["model"],
                "UA (%)": _fmt(rec["ua"], rec.get("ua_ci_low"), rec.get("ua_ci_high")),
                "WA (%)": _fmt(rec["wa"], rec.get("wa_ci_low"), rec.get("wa_ci_high")),
                "Source": _cite(rec, sources),
            }
        )
    for rec in summary_for(kind).to_dict("records"):
        rows.append(
            {
                "Model": rec["cell"],
                "UA (%)": _fmt(rec.get("ua_mean"), rec.get("ua_low"), rec.get("ua_high")),
                "WA (%)": _fmt(rec.get("wa_mean"), rec.get("wa_low"), rec.get("wa_high")),
                "Source": "this run",
            }
        )
    return LiteratureTable(pd.DataFrame(rows), "", sources, not_comparable, kind)
