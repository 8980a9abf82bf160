"""Where a report goes: the ``Report`` record of what was written and the ``TableWriter`` that writes
one table as Markdown (collected for report.md), LaTeX and CSV."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pandas as pd

from bench.report.convergence import TrainingCheck
from bench.report.render import to_latex, to_markdown


@dataclass
class Report:
    """What was written: the markdown file (None without "md"), tables and figures, notes, and the
    training check, and the skipped-files sentence."""

    folder: Path
    markdown: Path | None = None
    tables: list[Path] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    training: TrainingCheck | None = None
    skipped: str | None = None  # the sentence on files skipped at extraction, when any were


class TableWriter:
    """Writes one table in the requested formats and collects the markdown."""

    def __init__(self, folder: Path, formats: Sequence[str], report: Report):
        self.tables, self.formats, self.report, self.md = folder / "tables", formats, report, []

    def table(
        self,
        stem: str,
        title: str | None,
        display: pd.DataFrame,
        caption: str,
        numeric: pd.DataFrame | None = None,
        cite_columns: Sequence[str] = (),
    ):
        self.md += ([f"## {title}", ""] if title else []) + [to_markdown(display, caption)]
        self.tables.mkdir(parents=True, exist_ok=True)
        if "tex" in self.formats:
            path = self.tables / f"{stem}.tex"
            path.write_text(to_latex(display, caption, f"tab:{stem}", cite_columns))
            self.report.tables.append(path)
        if "csv" in self.formats:
            path = self.tables / f"{stem}.csv"
            (numeric if numeric is not None else display).to_csv(path, index=False)
            self.report.tables.append(path)
