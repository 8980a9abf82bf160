"""The sections of report.md other than the figures, each appending to a ``TableWriter``:
status banner, training check, Setup, Data, baseline comparisons, recall per class, literature."""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from bench.errors import BenchError
from bench.report import accounting
from bench.report.aggregate import summary_table
from bench.report.compare import comparison_table
from bench.report.convergence import TrainingCheck
from bench.report.intervals import CISettings
from bench.report.literature import literature_table
from bench.report.metric_specs import metric_spec
from bench.report.per_class import per_class_table
from bench.report.render import to_markdown
from bench.report.rundir import RunFolder, RunStatus
from bench.report.setup import run_setup, setup_tables
from bench.report.tables import comparison_display, per_class_display
from bench.report.writer import Report, TableWriter


def class_labels(run: RunFolder) -> list[str]:
    classes = run.config.get("classes")
    if isinstance(classes, list) and classes:
        return [str(c) for c in classes]
    if run.predictions is None:
        return []
    probs = [c[len("prob_") :] for c in run.predictions.columns if c.startswith("prob_")]
    if probs:
        return probs
    return sorted(set(run.predictions["true"].astype(str)) | set(run.predictions["pred"].astype(str)))


def ok_predictions(run: RunFolder) -> pd.DataFrame | None:
    if run.predictions is None or run.predictions.empty:
        return None
    return run.predictions[run.predictions["job"].isin(set(run.ok["job"]))] if "job" in run.ok else run.predictions


def status_lines(status: RunStatus, run: RunFolder) -> list[str]:
    if status.complete:
        return []
    expected = (
        f"{status.expected} expected, {status.pending} not finished yet"
        if status.expected is not None
        else "expected total unknown (config.yaml does not record it)"
    )
    lines = [
        f"> **Incomplete run:** {status.ok} jobs ok, {status.failed} failed; {expected}. "
        "Everything below uses the finished (ok) jobs only.",
        ">",
    ]
    failed = run.results[run.results["status"] != "ok"]
    for rec in failed.head(10).to_dict("records"):
        lines.append(
            f"> - failed: `{rec.get('job', '?')}` ({rec['cell']}, fold {rec['fold']}, seed {rec['seed']}): "
            f"{str(rec.get('error', '')).splitlines()[0] if pd.notna(rec.get('error')) else 'no error recorded'}"
        )
    if len(failed) > 10:
        lines.append(f"> - ... and {len(failed) - 10} more (see jobs/<job>.json, or results.csv once the run ends)")
    return lines + [""]


def training_lines(check: TrainingCheck) -> list[str]:
    """The training check above the tables: the counts, then each under-trained or stopped-early cell with its fix."""
    lines = [
        f"**Training check.** {check.headline()} A probe is logistic regression on parameter-free pooled "
        "vectors (convex: it converges whatever the step budget); it is a reference row, not a competitor.",
        "",
    ]
    for row in check.cells[check.cells["under_trained"] | check.cells["stopped_early"]].to_dict("records"):
        if row["under_trained"]:
            word, fix = "is under-trained", f"; fix: `{row['fix']}`" if row["fix"] else ""
        else:
            word = "stopped early (every job ended by early stopping, so more steps give the same weights)"
            fix = f"; try another learning rate: `{row['fix']}`" if row["fix"] else ""
        lines.append(
            f"- `{row['cell']}` {word}: mean UA {100 * row['ua_mean']:.2f} against "
            f"{100 * row['probe_ua_mean']:.2f} for `{row['probe']}` ({row['gap_points']:+.2f} points){fix}"
        )
    return lines + ([""] if len(lines) > 2 else [])


def setup_section(run: RunFolder, writer: TableWriter) -> None:
    writer.md += ["## Setup", "", "Every value that defines this run, from its config.yaml.", ""]
    parts = setup_tables(run)
    for title, table in parts:
        writer.md += [f"### {title}", "", to_markdown(table)]
    if "csv" in writer.formats:
        writer.tables.mkdir(parents=True, exist_ok=True)
        path = writer.tables / "setup.csv"
        pd.concat([t.assign(Section=title) for title, t in parts])[["Section", "Setting", "Value"]].to_csv(
            path, index=False
        )
        writer.report.tables.append(path)


def data_section(run: RunFolder, writer: TableWriter) -> None:
    writer.md += ["## Data", ""]
    counts = accounting.fold_counts(run.path, class_labels(run))
    if counts is not None:
        writer.table(
            "data_folds",
            None,
            counts,
            "Utterances per fold: speakers tested and validated, utterances per role, and per class train/valid/test",
        )
    skipped = accounting.skipped_summary(run.path)
    writer.report.skipped = skipped.sentence() if skipped else None
    writer.md += [
        f"{skipped.sentence()} (list: skipped.csv)."
        if skipped
        else "No file was skipped at extraction (skipped.csv is absent or empty).",
        "",
    ]
    speech = accounting.speech_summary(run.path)
    if speech is not None:
        writer.table(
            "data_speech",
            None,
            speech,
            "VAD per utterance: utterances where it found no speech (speech-only "
            "poolers then fall back to all frames) and the median share of frames marked speech",
        )
    else:
        writer.md += ["VAD speech fractions not recorded (no speech.csv).", ""]


def comparison_sections(run, metrics, baseline, settings, writer: TableWriter, report: Report) -> None:
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
        writer.table(
            f"comparison_{m}",
            f"{metric_spec(m).label} against baseline `{chosen}`",
            comparison_display(table, m, level, report.training.under_trained if report.training else ()),
            table.attrs["caption"],
            table,
        )


def per_class_section(run: RunFolder, settings: CISettings, writer: TableWriter, order: Sequence[str]) -> None:
    preds, classes = ok_predictions(run), class_labels(run)
    if preds is None or not classes:
        return
    table = per_class_table(preds, classes, settings)
    rank = {c: i for i, c in enumerate(order)}
    table = table.sort_values("cell", key=lambda s: s.map(lambda c: rank.get(c, len(rank))), kind="stable")
    caption = (
        f"Recall per class (%): mean and {table.attrs['settings'].method_words} over the folds whose test "
        "set holds the class (seeds averaged within fold; interval ends clipped to [0, 100])"
    )
    writer.table("per_class", "Recall per class", per_class_display(table, classes), caption, table)


def literature_section(
    run: RunFolder, summary: pd.DataFrame, dirs, writer: TableWriter, report: Report, settings
) -> None:
    own = summary[~summary["cell"].isin(report.training.probe_cells)] if report.training else summary
    metrics = [m for m in ("ua", "wa") if f"{m}_mean" in own.columns]

    def summary_for(kind: str) -> pd.DataFrame:
        table = summary_table(
            run.results,
            kind,
            metrics,
            settings.confidence,
            settings.n_resamples,
            settings.seed,
            settings.bootstrap_method,
        )
        return table[table["cell"].isin(set(own["cell"]))]

    lit = literature_table(summary_for, run_setup(run), dirs)
    if lit.table is None:
        writer.md += ["## Comparison with published results", "", f"Omitted: {lit.reason}.", ""]
    else:
        words = CISettings(kind=lit.ci_kind, n_resamples=settings.n_resamples).method_words
        caption = (
            f"Published results on {run.dataset} whose corpus, protocol, folds, class set, validation rule and "
            f"training mode match this run (as reported, percent; published CIs where given) and this run's "
            f"cells (mean and {words} over folds, the published rows' method). Numbers from other setups are "
            "not paired with ours: no test is possible"
        )
        writer.table("literature", "Comparison with published results", lit.table, caption, cite_columns=("Source",))
    if not lit.not_comparable.empty:
        writer.md += [
            "Not comparable (published on this corpus, but the setup differs; not printed beside our cells):",
            "",
            to_markdown(lit.not_comparable),
        ]
    if lit.sources:
        writer.md += [
            "Sources (BibTeX keys; tables/literature.bib):",
            "",
            *[f"- `{key}`: {text}" for key, text in lit.sources.items()],
            "",
        ]
        writer.tables.mkdir(parents=True, exist_ok=True)
        bib = writer.tables / "literature.bib"
        bib.write_text(lit.bibtex())
        writer.report.tables.append(bib)
