"""``write_report``: everything ``bench report RUN_DIR`` writes (report.md, tables/, figures/).

report.md, in order: status banner, training check (jobs still improving, cells below the probe),
Setup, Data, performance, baseline comparisons, recall per class, literature, figures, the per-layer
profile when RUN/layers/ holds one (`bench layers`), notes
(the sections are in bench/report/sections.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from bench.errors import BenchError
from bench.report import sections
from bench.report.aggregate import fold_scores, summary_table
from bench.report.convergence import training_check
from bench.report.intervals import CISettings
from bench.report.metric_specs import header, metric_spec
from bench.report.rundir import RunFolder, load_run, run_status
from bench.report.tables import performance_display
from bench.report.writer import Report, TableWriter

FORMATS = ("md", "tex", "csv")


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
    probes = report.training.probe_cells if report.training else []
    forest = figures.forest_figure(summary, [(s.name, header(s)) for s in specs], folder, probes)
    paired = figures.paired_folds_figure({header(s): fold_scores(run.ok, s.column) * s.scale for s in specs}, folder)
    grey = "; grey squares: the convex probes (reference rows)" if probes else ""
    md += [
        f"*Figure: {summary.attrs['caption']}. Points are means, bars the intervals{grey}.*",
        "",
        f"![forest plot](figures/{forest.name})",
        "",
        "*Figure: per-fold scores (seeds averaged within fold), one line per fold across cells; black: the mean.*",
        "",
        f"![paired folds](figures/{paired.name})",
        "",
    ]
    report.figures += [forest, paired]
    if run.history is not None and not run.history.empty:
        ok_jobs = set(run.ok["job"]) if "job" in run.ok else None
        history = run.history if ok_jobs is None else run.history[run.history["job"].isin(ok_jobs)]
        curves = figures.training_curves_figure(history, folder)
        if curves:
            md += [
                "*Figure: validation loss per epoch, mean over folds (seeds averaged within fold), drawn only over "
                "the epochs every job of the cell reached (early stopping ends jobs at different epochs).*",
                "",
                f"![training curves](figures/{curves.name})",
                "",
            ]
            report.figures.append(curves)
    weights = _layer_weights(run)
    if weights:
        png = figures.layer_weights_figure(weights, folder)
        md += [
            "*Figure: learned layer weights (softmax over the backbone's hidden states) per cell: mean over its "
            "jobs, shaded from the smallest to the largest weight any job gave the layer.*",
            "",
            f"![layer weights](figures/{png.name})",
            "",
        ]
        report.figures.append(png)
    preds = sections.ok_predictions(run)
    if preds is None:
        report.notes.append("no predictions: confusion matrices and recall per class left out")
        return md
    labels = sections.class_labels(run)
    for cell, group in preds.groupby(preds["cell"].astype(str), sort=False):
        png = figures.confusion_figure(
            group["true"].astype(str), group["pred"].astype(str), labels, folder, f"confusion_{figures.slug(cell)}"
        )
        md += [
            f"*Figure: confusion matrix of `{cell}`, row-normalised (%; rows: true class, each sums to 100%), "
            "test predictions pooled over folds and seeds.*",
            "",
            f"![confusion {cell}](figures/{png.name})",
            "",
        ]
        report.figures.append(png)
    return md


def _layers_section(run_dir: Path) -> list[str]:
    """The per-layer profile of ``bench layers --out RUN/layers`` ([] when the run has none)."""
    from bench.layers.outputs import report_section

    return report_section(run_dir / "layers", run_dir)


def write_report(
    run_dir,
    baseline: str | None = None,
    ci: str = "t",
    formats: Iterable[str] = FORMATS,
    metrics: Sequence[str] = ("ua", "wa"),
    bootstrap_method: str = "percentile",
    n_resamples: int = 9999,
    seed: int = 0,
    literature_dirs: Iterable[Path] = (),
    figures: bool = True,
) -> Report:
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
    summary = check.reference_last(
        summary_table(run.results, ci, metrics, settings.confidence, n_resamples, seed, bootstrap_method)
    )
    writer = TableWriter(run.path, formats, report)
    level = f"{100 * summary.attrs['settings'].confidence:g}% CI"

    sections.setup_section(run, writer)
    sections.data_section(run, writer)
    writer.table(
        "performance",
        "Performance per grid cell",
        performance_display(summary, metrics, level, check.status if check.probe_cells else None),
        summary.attrs["caption"]
        + (
            ". Training: the cell's mean UA against its convex probe (below probe: more than 2 points below it; "
            "under-trained: below it and a worse fit of the training speakers, with jobs still improving at the "
            "epoch limit; stopped early: the same, but early stopping ended every job)"
            if check.probe_cells
            else ""
        )
        + (
            ". Cross-corpus run: each fold is one test corpus, so this table pools test corpora; the next "
            "table has each (train, test) pair with intervals over test speakers"
            if run.protocol == "cross-corpus"
            else ""
        ),
        summary,
    )
    if run.protocol == "cross-corpus" and not run.ok.empty:
        from bench.report import cross_corpus

        pairs = cross_corpus.pair_table(sections.ok_predictions(run), cross_corpus.pair_names(run.path))
        writer.table(
            "cross_corpus",
            "Cross-corpus: per (train, test) pair",
            cross_corpus.display(pairs, level),
            cross_corpus.CAPTION,
            pairs,
        )
    sections.comparison_sections(run, metrics, baseline, settings, writer, report)
    sections.per_class_section(run, settings, writer, list(summary["cell"]))
    sections.literature_section(run, summary, literature_dirs, writer, report, settings)
    figure_md = _figures(run, summary, metrics, run.path / "figures", report) if figures else []
    figure_md += _layers_section(run.path)

    if "md" in formats:
        n_probe = len(check.probe_cells)
        cells = plural(len(summary) - n_probe, "grid cell") + (
            f" and {plural(n_probe, 'probe cell')}" if n_probe else ""
        )
        head = [
            f"# Report: {run.path.name}",
            "",
            *sections.status_lines(run_status(run), run),
            f"Dataset `{run.dataset or '?'}`, protocol `{run.protocol or '?'}`; {cells}, "
            f"{plural(run.ok['fold'].nunique(), 'fold')}, {plural(run.ok['seed'].nunique(), 'seed')}. "
            f"Every table states its metric, interval method and over what it is computed.",
            "",
        ]
        if run.config.get("params"):
            head += [
                "**Tuned run:** every trained cell uses the parameters of `--params` listed under Setup, "
                '"Tuned parameters"; the cell names do not show it.',
                "",
            ]
        if not check.cells.empty:
            head += sections.training_lines(check)
        notes = [f"- {n}" for n in report.notes]
        text = "\n".join(head + writer.md + figure_md + (["## Notes", "", *notes, ""] if notes else []))
        report.markdown = run.path / "report.md"
        report.markdown.write_text(text)
    return report
