"""``write_report``: everything ``bench report RUN_DIR`` writes (report.md, tables/, figures/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from bench.errors import BenchError
from bench.report.aggregate import fold_scores, summary_table
from bench.report.compare import comparison_table
from bench.report.intervals import CISettings
from bench.report.literature import literature_table
from bench.report.metric_specs import header, metric_spec
from bench.report.render import to_latex, to_markdown
from bench.report.rundir import RunFolder, RunStatus, load_run, run_status
from bench.report.tables import comparison_display, performance_display

FORMATS = ("md", "tex", "csv")


@dataclass
class Report:
    """What was written: the markdown file (None without "md"), tables and figures, and notes."""

    folder: Path
    markdown: Path | None = None
    tables: list[Path] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _available_metrics(run: RunFolder, metrics: Sequence[str], notes: list[str]) -> list[str]:
    kept = []
    for m in metrics:
        column = metric_spec(m).column
        if column in run.ok.columns and run.ok[column].notna().any():
            kept.append(m)
        else:
            notes.append(f"metric {m} left out: results.csv has no values for it")
    if not kept:
        raise BenchError(f"none of the metrics {list(metrics)} has values in results.csv; try --metric ua")
    return kept


def _status_lines(status: RunStatus, run: RunFolder) -> list[str]:
    if status.complete:
        return []
    expected = (f"{status.expected} expected, {status.pending} not finished yet" if status.expected is not None
                else "expected total unknown (config.yaml does not record it)")
    lines = [f"> **Incomplete run:** {status.ok} jobs ok, {status.failed} failed; {expected}. "
             "Everything below uses the finished (ok) jobs only.", ">"]
    failed = run.results[run.results["status"] != "ok"]
    for rec in failed.head(10).to_dict("records"):
        lines.append(f"> - failed: `{rec.get('job', '?')}` ({rec['cell']}, fold {rec['fold']}, seed {rec['seed']}): "
                     f"{str(rec.get('error', '')).splitlines()[0] if pd.notna(rec.get('error')) else 'no error recorded'}")
    if len(failed) > 10:
        lines.append(f"> - ... and {len(failed) - 10} more (see results.csv)")
    return lines + [""]


class _Writer:
    """Writes one table in the requested formats and collects the markdown."""

    def __init__(self, folder: Path, formats: Sequence[str], report: Report):
        self.tables, self.formats, self.report, self.md = folder / "tables", formats, report, []

    def table(self, stem: str, title: str, display: pd.DataFrame, caption: str, numeric: pd.DataFrame | None = None):
        self.md += [f"## {title}", "", to_markdown(display, caption)]
        self.tables.mkdir(parents=True, exist_ok=True)
        if "tex" in self.formats:
            path = self.tables / f"{stem}.tex"
            path.write_text(to_latex(display, caption, f"tab:{stem}"))
            self.report.tables.append(path)
        if "csv" in self.formats:
            path = self.tables / f"{stem}.csv"
            (numeric if numeric is not None else display).to_csv(path, index=False)
            self.report.tables.append(path)


def _class_labels(run: RunFolder) -> list[str]:
    classes = run.config.get("classes")
    if isinstance(classes, list) and classes:
        return [str(c) for c in classes]
    probs = [c[len("prob_"):] for c in run.predictions.columns if c.startswith("prob_")]
    if probs:
        return probs
    return sorted(set(run.predictions["true"].astype(str)) | set(run.predictions["pred"].astype(str)))


def _figures(run: RunFolder, summary: pd.DataFrame, metrics: Sequence[str], folder: Path, report: Report) -> list[str]:
    from bench.report import figures  # matplotlib only when figures are drawn

    md = ["## Figures", ""]
    specs = [metric_spec(m) for m in metrics]
    forest = figures.forest_figure(summary, [(s.name, header(s)) for s in specs], summary.attrs["caption"], folder)
    paired = figures.paired_folds_figure({header(s): fold_scores(run.ok, s.column) * s.scale for s in specs}, folder)
    md += [f"Means and {summary.attrs['settings'].method_words} per cell:", "", f"![forest plot](figures/{forest.name})", "",
           "Per-fold scores, one line per fold across cells:", "", f"![paired folds](figures/{paired.name})", ""]
    report.figures += [forest, paired]
    if run.history is not None and not run.history.empty:
        ok_jobs = set(run.ok["job"]) if "job" in run.ok else None
        history = run.history if ok_jobs is None else run.history[run.history["job"].isin(ok_jobs)]
        curves = figures.training_curves_figure(history, folder)
        if curves:
            md += ["Validation loss per epoch, mean over folds (seeds averaged within fold):", "",
                   f"![training curves](figures/{curves.name})", ""]
            report.figures.append(curves)
    if run.predictions is not None and not run.predictions.empty:
        preds = run.predictions[run.predictions["job"].isin(set(run.ok["job"]))] if "job" in run.ok else run.predictions
        labels = _class_labels(run)
        for cell, group in preds.groupby(preds["cell"].astype(str), sort=False):
            title = f"{cell}: row-normalised confusion (%), test predictions pooled over folds and seeds"
            png = figures.confusion_figure(group["true"].astype(str), group["pred"].astype(str), labels, title,
                                           folder, f"confusion_{figures.slug(cell)}")
            md += [f"Confusion matrix of `{cell}` (rows: true class, each sums to 100%):", "",
                   f"![confusion {cell}](figures/{png.name})", ""]
            report.figures.append(png)
    else:
        report.notes.append("no predictions.csv: confusion matrices left out")
    return md


def write_report(run_dir, baseline: str | None = None, ci: str = "auto", formats: Iterable[str] = FORMATS,
                 metrics: Sequence[str] = ("ua", "wa"), bootstrap_method: str = "percentile",
                 n_resamples: int = 9999, seed: int = 0, literature_dirs: Iterable[Path] = (),
                 figures: bool = True) -> Report:
    """Read run folder ``run_dir`` and write report.md, tables/ and figures/ into it.

    baseline: a pooler or a cell name (None: pooler "gap" if the run has it, else no comparison).
    formats: any of "md", "tex", "csv". Never retrains; uses finished jobs only.
    """
    formats = [f.strip() for f in formats if f.strip()]
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise BenchError(f"unknown report format(s) {sorted(unknown)}; valid: {', '.join(FORMATS)}")
    settings = CISettings(ci, bootstrap_method, 0.95, n_resamples, seed)
    run = load_run(run_dir)
    report = Report(run.path)
    metrics = _available_metrics(run, metrics, report.notes)
    summary = summary_table(run.results, ci, metrics, settings.confidence, n_resamples, seed, bootstrap_method)
    writer = _Writer(run.path, formats, report)
    level = f"{100 * settings.confidence:g}% CI"

    writer.table("performance", "Performance per grid cell", performance_display(summary, metrics, level),
                 summary.attrs["caption"], summary)
    _comparisons(run, metrics, baseline, settings, writer, report)
    _literature(run, summary, literature_dirs, writer)
    figure_md = _figures(run, summary, metrics, run.path / "figures", report) if figures else []

    if "md" in formats:
        head = [f"# Report: {run.path.name}", "", *_status_lines(run_status(run), run),
                f"Dataset `{run.dataset or '?'}`, protocol `{run.protocol or '?'}`; {len(summary)} grid cells, "
                f"{run.ok['fold'].nunique()} folds, {run.ok['seed'].nunique()} seeds. "
                f"Every table states its metric, interval method and over what it is computed.", ""]
        notes = [f"- {n}" for n in report.notes]
        text = "\n".join(head + writer.md + figure_md + (["## Notes", "", *notes, ""] if notes else []))
        report.markdown = run.path / "report.md"
        report.markdown.write_text(text)
    return report


def _comparisons(run, metrics, baseline, settings, writer: _Writer, report: Report) -> None:
    chosen = baseline or "gap"
    try:
        tables = {m: comparison_table(run.results, m, chosen, settings) for m in metrics}
    except BenchError:
        if baseline is not None:
            raise
        report.notes.append("no comparison table: no cell uses pooler 'gap'; pass --baseline POOLER_OR_CELL")
        return
    level = f"{100 * settings.confidence:g}% CI"
    for m, table in tables.items():
        if table.empty:
            report.notes.append(f"no {m} comparison: no cell has a baseline '{chosen}' with the other settings equal")
            continue
        writer.table(f"comparison_{m}", f"{metric_spec(m).label} against baseline `{chosen}`",
                     comparison_display(table, m, level), table.attrs["caption"], table)


def _literature(run: RunFolder, summary: pd.DataFrame, dirs, writer: _Writer) -> None:
    lit = literature_table(summary, run.dataset, run.protocol, dirs)
    if lit.table is None:
        writer.md += ["## Comparison with published results", "", f"Omitted: {lit.reason}.", ""]
        return
    caption = (f"Published results on {run.dataset} under protocol {run.protocol} (as reported, percent; "
               f"published CIs where given) and this run's cells (mean and {summary.attrs['settings'].method_words} "
               "over folds). Numbers from other setups are not paired with ours: no test is possible.")
    writer.table("literature", "Comparison with published results", lit.table, caption)
    writer.md += ["Sources:", "", *[f"{i}. {s}" for i, s in enumerate(lit.sources, 1)], ""]
