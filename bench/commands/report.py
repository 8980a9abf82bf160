"""`bench report RUN_DIR`: tables, comparisons and figures of a run folder (never retrains)."""

from __future__ import annotations

import click

from bench.report.metric_specs import METRICS


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@click.command(name="report")
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--baseline", default=None, help="Pooler (default: gap) or cell name to compare every cell against.")
@click.option(
    "--ci",
    type=click.Choice(["t", "bootstrap"]),
    default="t",
    show_default=True,
    help="Interval over folds: Student t, or the bootstrap (--bootstrap-method), which covers the mean "
    "less often than stated with few folds (docs/report.md).",
)
@click.option("--bootstrap-method", type=click.Choice(["percentile", "bca"]), default="percentile", show_default=True)
@click.option("--format", "formats", default="md,tex,csv", show_default=True, help="Comma list of md, tex, csv.")
@click.option(
    "--metric", "metrics", multiple=True, help=f"Metrics (repeat or comma list; default ua,wa): {', '.join(METRICS)}."
)
@click.option(
    "--n-resamples", default=9999, show_default=True, help="Bootstrap resamples and Monte Carlo sign patterns."
)
@click.option("--seed", default=0, show_default=True, help="Seed of the bootstrap and Monte Carlo draws.")
@click.option(
    "--literature",
    "literature_dirs",
    multiple=True,
    type=click.Path(file_okay=False, exists=True),
    help="Extra folder of literature CSVs (format in docs/report.md).",
)
@click.option("--no-figures", is_flag=True, help="Skip the figures.")
def command(run_dir, baseline, ci, bootstrap_method, formats, metrics, n_resamples, seed, literature_dirs, no_figures):
    """Write report.md, tables/ and figures/ into RUN_DIR from its results."""
    from bench.report import write_report

    report = write_report(
        run_dir,
        baseline=baseline,
        ci=ci,
        formats=_split((formats,)),
        metrics=_split(metrics) or ("ua", "wa"),
        bootstrap_method=bootstrap_method,
        n_resamples=n_resamples,
        seed=seed,
        literature_dirs=literature_dirs,
        figures=not no_figures,
    )
    if report.markdown:
        click.echo(f"wrote {report.markdown}")
    click.echo(f"wrote {len(report.tables)} table files and {len(report.figures)} figures under {report.folder}")
    for line in report.training.console_lines() if report.training else []:
        click.echo(line)
    if report.skipped:
        click.echo(f"{report.skipped}; see {report.folder / 'skipped.csv'}")
    for note in report.notes:
        click.echo(f"note: {note}")
