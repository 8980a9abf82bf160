"""``write_report``: everything ``bench report RUN_DIR`` writes (report.md, tables/, figures/).

report.md, in order: status banner, training check (jobs still improving, cells below the probe),
Setup, Data, performance, baseline comparisons, recall per class, literature, figures, notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from bench.errors import BenchError
from bench.report import accounting
from bench.report.aggregate import fold_scores, summary_table
from bench.report.compare import comparison_table
from bench.report.convergence import TrainingCheck, training_check
from bench.report.intervals import CISettings
from bench.report.literature import literature_table
from bench.report.metric_specs import header, metric_spec
from bench.report.per_class import per_class_table
from bench.report.render import to_latex, to_markdown
from bench.report.rundir import RunFolder, RunStatus, load_run, run_status
from bench.report.setup import run_setup, setup_tables
from bench.report.tables import comparison_display, per_class_display, performance_display

FORMATS = ("md", "tex", "csv")


@dataclass
class Report:
    """What was written: the markdown file (None without "md"), tables and figures, notes, and the
    training check (None when the run has no trained cells)."""

    folder: Path
    markdown: Path | None = None
    tables: list[Path] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    training: TrainingCheck | None = None


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


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


def training_lines(check: TrainingCheck) -> list[str]:
    """The training check above the tables: the counts, then each under-trained cell with its fix."""
    lines = [f"**Training check.** {check.headline()} A probe is logistic regression on parameter-free pooled "
             "vectors (convex: it converges whatever the step budget); it is a reference row, not a competitor.", ""]
    for row in check.cells[check.cells["under_trained"]].to_dict("records"):
        fix = f"; fix: `{row['fix']}`" if row["fix"] else ""
        lines.append(f"- `{row['cell']}` is under-trained: mean UA {100 * row['ua_mean']:.2f} against "
                     f"{100 * row['probe_ua_mean']:.2f} for `{row['probe']}` ({row['gap_points']:+.2f} points){fix}")
    return lines + ([""] if len(lines) > 2 else [])


class _Writer:
    """Writes one table in the requested formats and collects the markdown."""

    def __init__(self, folder: Path, formats: Sequence[str], report: Report):
        self.tables, self.formats, self.report, self.md = folder / "tables", formats, report, []

    def table(self, stem: str, title: str | None, display: pd.DataFrame, caption: str,
              numeric: pd.DataFrame | None = None, cite_columns: Sequence[str] = ()):
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


def _class_labels(run: RunFolder) -> list[str]:
    classes = run.config.get("classes")
    if isinstance(classes, list) and classes:
        return [str(c) for c in classes]
    if run.predictions is None:
        return []
    probs = [c[len("prob_"):] for c in run.predictions.columns if c.startswith("prob_")]
    if probs:
        return probs
    return sorted(set(run.predictions["true"].astype(str)) | set(run.predictions["pred"].astype(str)))


def _ok_predictions(run: RunFolder) -> pd.DataFrame | None:
    if run.predictions is None or run.predictions.empty:
        return None
    return run.predictions[run.predictions["job"].isin(set(run.ok["job"]))] if "job" in run.ok else run.predictions


def _layer_weights(run: RunFolder) -> dict[str, np.ndarray]:
    """cell -> ``[jobs, L]`` learned layer weights of its ok jobs (records' ``layer_weights``)."""
    found: dict[str, list] = {}
    for rec in run.records.values():
        weights = rec.get("layer_weights")
        if rec.get("status") == "ok" and isinstance(weights, list) and weights:
            found.setdefault(str(rec["cell"]), []).append(weights)
    return {cell: np.asarray(w, dtype=float) for cell, w in found.items() if len({len(x) for x in w}) == 1}


def _figures(run: RunFolder, summary: pd.DataFrame, metrics: Sequence[str], folder: Path, report: Report) -> list[str]:
    from bench.report import figures  # matplotlib only when figures are drawn

    md = ["## Figures", ""]
    specs = [metric_spec(m) for m in metrics]
    forest = figures.forest_figure(summary, [(s.name, header(s)) for s in specs], folder)
    paired = figures.paired_folds_figure({header(s): fold_scores(run.ok, s.column) * s.scale for s in specs}, folder)
    md += [f"*Figure: {summary.attrs['caption']}. Points are means, bars the intervals.*", "",
           f"![forest plot](figures/{forest.name})", "",
           "*Figure: per-fold scores (seeds averaged within fold), one line per fold across cells; black: the mean.*", "",
           f"![paired folds](figures/{paired.name})", ""]
    report.figures += [forest, paired]
    if run.history is not None and not run.history.empty:
        ok_jobs = set(run.ok["job"]) if "job" in run.ok else None
        history = run.history if ok_jobs is None else run.history[run.history["job"].isin(ok_jobs)]
        curves = figures.training_curves_figure(history, folder)
        if curves:
            md += ["*Figure: validation loss per epoch, mean over folds (seeds averaged within fold), drawn only over "
                   "the epochs every job of the cell reached (early stopping ends jobs at different epochs).*", "",
                   f"![training curves](figures/{curves.name})", ""]
            report.figures.append(curves)
    weights = _layer_weights(run)
    if weights:
        png = figures.layer_weights_figure(weights, folder)
        md += ["*Figure: learned layer weights (softmax over the backbone's hidden states) per cell: mean over its "
               "jobs, shaded from the smallest to the largest weight any job gave the layer.*", "",
               f"![layer weights](figures/{png.name})", ""]
        report.figures.append(png)
    preds = _ok_predictions(run)
    if preds is None:
        report.notes.append("no predictions: confusion matrices and recall per class left out")
        return md
    labels = _class_labels(run)
    for cell, group in preds.groupby(preds["cell"].astype(str), sort=False):
        png = figures.confusion_figure(group["true"].astype(str), group["pred"].astype(str), labels,
                                       folder, f"confusion_{figures.slug(cell)}")
        md += [f"*Figure: confusion matrix of `{cell}`, row-normalised (%; rows: true class, each sums to 100%), "
               "test predictions pooled over folds and seeds.*", "", f"![confusion {cell}](figures/{png.name})", ""]
        report.figures.append(png)
    return md


def write_report(run_dir, baseline: str | None = None, ci: str = "auto", formats: Iterable[str] = FORMATS,
                 metrics: Sequence[str] = ("ua", "wa"), bootstrap_method: str = "percentile",
                 n_resamples: int = 9999, seed: int = 0, literature_dirs: Iterable[Path] = (),
                 figures: bool = True) -> Report:
    """Read run folder ``run_dir`` and write report.md, tables/ and figures/ into it.

    baseline: a pooler or a cell name (None: pooler "gap" if the run has it, else no comparison).
    formats: any of "md", "tex", "csv". Never retrains; uses finished jobs only (from jobs/ while running).
    """
    formats = [f.strip() for f in formats if f.strip()]
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise BenchError(f"unknown report format(s) {sorted(unknown)}; valid: {', '.join(FORMATS)}")
    settings = CISettings(ci, bootstrap_method, 0.95, n_resamples, seed)
    run = load_run(run_dir)
    report = Report(run.path)
    metrics = _available_metrics(run, metrics, report.notes)
    check = training_check(run.ok)
    report.training = check
    summary = _ordered(summary_table(run.results, ci, metrics, settings.confidence, n_resamples, seed, bootstrap_method),
                       check)
    writer = _Writer(run.path, formats, report)
    level = f"{100 * summary.attrs['settings'].confidence:g}% CI"

    _setup(run, writer)
    _data(run, writer)
    writer.table("performance", "Performance per grid cell", performance_display(summary, metrics, level,
                                                                             check.status if check.probe_cells else None),
                 summary.attrs["caption"] + (". Training: the cell's mean UA against its convex probe (under-trained: "
                                             "more than 2 points below it)" if check.probe_cells else ""), summary)
    _comparisons(run, metrics, baseline, settings, writer, report)
    _per_class(run, settings, writer, list(summary["cell"]))
    _literature(run, summary, literature_dirs, writer, report, settings)
    figure_md = _figures(run, summary, metrics, run.path / "figures", report) if figures else []

    if "md" in formats:
        n_probe = len(check.probe_cells)
        cells = plural(len(summary) - n_probe, "grid cell") + (f" and {plural(n_probe, 'probe cell')}" if n_probe else "")
        head = [f"# Report: {run.path.name}", "", *_status_lines(run_status(run), run),
                f"Dataset `{run.dataset or '?'}`, protocol `{run.protocol or '?'}`; {cells}, "
                f"{plural(run.ok['fold'].nunique(), 'fold')}, {plural(run.ok['seed'].nunique(), 'seed')}. "
                f"Every table states its metric, interval method and over what it is computed.", ""]
        if not check.cells.empty:
            head += training_lines(check)
        notes = [f"- {n}" for n in report.notes]
        text = "\n".join(head + writer.md + figure_md + (["## Notes", "", *notes, ""] if notes else []))
        report.markdown = run.path / "report.md"
        report.markdown.write_text(text)
    return report


def _ordered(summary: pd.DataFrame, check: TrainingCheck) -> pd.DataFrame:
    """Trained cells first, the probe (reference) cells after them."""
    order = [c for c in summary["cell"] if c not in check.probe_cells] + [c for c in summary["cell"] if c in check.probe_cells]
    out = summary.set_index("cell").loc[order].reset_index()
    out.attrs = summary.attrs
    return out


def _setup(run: RunFolder, writer: _Writer) -> None:
    writer.md += ["## Setup", "", "Every value that defines this run, from its config.yaml.", ""]
    parts = setup_tables(run)
    for title, table in parts:
        writer.md += [f"### {title}", "", to_markdown(table)]
    if "csv" in writer.formats:
        writer.tables.mkdir(parents=True, exist_ok=True)
        path = writer.tables / "setup.csv"
        pd.concat([t.assign(Section=title) for title, t in parts])[["Section", "Setting", "Value"]].to_csv(path, index=False)
        writer.report.tables.append(path)


def _data(run: RunFolder, writer: _Writer) -> None:
    writer.md += ["## Data", ""]
    counts = accounting.fold_counts(run.path, _class_labels(run))
    if counts is not None:
        writer.table("data_folds", None, counts, "Utterances per fold: speakers tested and validated, utterances per "
                     "role, and per class train/valid/test")
    skipped = accounting.skipped_summary(run.path)
    writer.md += [f"{skipped.sentence()} (list: skipped.csv)." if skipped else
                  "No file was skipped at extraction (skipped.csv is absent or empty).", ""]
    speech = accounting.speech_summary(run.path)
    if speech is not None:
        writer.table("data_speech", None, speech, "VAD per utterance: utterances where it found no speech (speech-only "
                     "poolers then fall back to all frames) and the median share of frames marked speech")
    else:
        writer.md += ["VAD speech fractions not recorded (no speech.csv).", ""]


def _comparisons(run, metrics, baseline, settings, writer: _Writer, report: Report) -> None:
    chosen = baseline or "gap"
    try:
        tables = {m: comparison_table(run.results, m, chosen, settings) for m in metrics}
    except BenchError:
        if baseline is not None:
            raise
        report.notes.append("no comparison table: no cell uses pooler 'gap'; pass --baseline POOLER_OR_CELL")
        return
    for m, table in tables.items():
        if table.empty:
            report.notes.append(f"no {m} comparison: no cell has a baseline '{chosen}' with the other settings equal")
            continue
        level = f"{100 * settings.confidence:g}% CI"
        writer.table(f"comparison_{m}", f"{metric_spec(m).label} against baseline `{chosen}`",
                     comparison_display(table, m, level, report.training.under_trained if report.training else ()),
                     table.attrs["caption"], table)


def _per_class(run: RunFolder, settings: CISettings, writer: _Writer, order: Sequence[str]) -> None:
    preds, classes = _ok_predictions(run), _class_labels(run)
    if preds is None or not classes:
        return
    table = per_class_table(preds, classes, settings)
    rank = {c: i for i, c in enumerate(order)}
    table = table.sort_values("cell", key=lambda s: s.map(lambda c: rank.get(c, len(rank))), kind="stable")
    caption = (f"Recall per class (%): mean and {table.attrs['settings'].method_words} over the folds whose test "
               "set holds the class (seeds averaged within fold; interval ends clipped to [0, 100])")
    writer.table("per_class", "Recall per class", per_class_display(table, classes), caption, table)


def _literature(run: RunFolder, summary: pd.DataFrame, dirs, writer: _Writer, report: Report, settings) -> None:
    own = summary[~summary["cell"].isin(report.training.probe_cells)] if report.training else summary
    metrics = [m for m in ("ua", "wa") if f"{m}_mean" in own.columns]

    def summary_for(kind: str) -> pd.DataFrame:
        table = summary_table(run.results, kind, metrics, settings.confidence, settings.n_resamples, settings.seed,
                              settings.bootstrap_method)
        return table[table["cell"].isin(set(own["cell"]))]

    lit = literature_table(summary_for, run_setup(run), dirs)
    if lit.table is None:
        writer.md += ["## Comparison with published results", "", f"Omitted: {lit.reason}.", ""]
    else:
        words = CISettings(kind=lit.ci_kind, n_resamples=settings.n_resamples).method_words
        caption = (f"Published results on {run.dataset} whose corpus, protocol, folds, class set, validation rule and "
                   f"training mode match this run (as reported, percent; published CIs where given) and this run's "
                   f"cells (mean and {words} over folds, the published rows' method). Numbers from other setups are "
                   "not paired with ours: no test is possible")
        writer.table("literature", "Comparison with published results", lit.table, caption, cite_columns=("Source",))
    if not lit.not_comparable.empty:
        writer.md += ["Not comparable (published on this corpus, but the setup differs; not printed beside our cells):",
                      "", to_markdown(lit.not_comparable)]
    if lit.sources:
        writer.md += ["Sources (BibTeX keys; tables/literature.bib):", "",
                      *[f"- `{key}`: {text}" for key, text in lit.sources.items()], ""]
        writer.tables.mkdir(parents=True, exist_ok=True)
        bib = writer.tables / "literature.bib"
        bib.write_text(lit.bibtex())
        writer.report.tables.append(bib)
