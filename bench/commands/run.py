"""`bench run`: the grid of (backbone, VAD, pooler, hyper-parameters, seed) x folds."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from bench.commands._run_options import ItemsCommand, config_from_options, run_config_options


@click.command(cls=ItemsCommand)
@run_config_options
@click.option(
    "--grid",
    "grid_items",
    multiple=True,
    metavar="KEY=V1,V2",
    help="Grid axis/axes: poolers, backbones, vads, seeds, a training option, pooler.NAME.OPTION, vad.NAME.OPTION.",
)
@click.option(
    "--test",
    "test_corpora",
    multiple=True,
    metavar="ADAPTER=DIR",
    help="Cross-corpus: train on --dataset, test on this corpus (ADAPTER=DIR, ADAPTER, or a manifest .csv); "
    "repeat for several, one fold each (docs/cross-corpus.md).",
)
@click.option(
    "--class-map",
    default=None,
    type=click.Path(path_type=Path),
    help="Cross-corpus class mapping, YAML {corpus: {label: class}} (default: the class names all corpora share).",
)
@click.option(
    "--params",
    "params_file",
    default=None,
    type=click.Path(path_type=Path),
    help="Tuned parameters from `bench tune` (best_params.yaml).",
)
@click.option(
    "--out",
    default=None,
    type=click.Path(path_type=Path),
    help="Run folder (default results/<dataset>-<time>); the same folder resumes.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check and print the plan (cells, folds, jobs, cached features); write and read nothing.",
)
@click.option("--executor", default="local", show_default=True, help="local | processes | dask | dask:tls://HOST:PORT")
@click.option("--workers", default=2, show_default=True, help="Worker count for processes and dask.")
@click.option("--retry-failed", is_flag=True, help="Run failed jobs again.")
def command(grid_items, test_corpora, class_map, params_file, out, dry_run, executor, workers, retry_failed, **options):
    """Run (or resume) a grid and print the per-cell summary (mean UA/WA with 95% CIs over folds).

    Exits 2 when the plan has problems (all listed, nothing written), 1 when any job failed."""
    from bench.runner.config import Problems
    from bench.runner.run import default_out, prepare, run_grid
    from bench.runner.summary import print_summary

    problems = Problems()
    extra = {"test": list(test_corpora) or None, "class_map": str(class_map) if class_map else None}
    config = config_from_options({**options, **extra}, grid_items, params_file, problems)
    if dry_run:
        plan = prepare(config, out, problems, cache_status=True)
        click.echo(plan.describe(out or default_out(config)))
        return
    outcome = run_grid(config, out, executor, workers, retry_failed, problems=problems)
    print_summary(outcome.results, outcome.run_dir)
    if outcome.failed:
        retry = " ".join(shlex.quote(a) for a in ["bench", *sys.argv[1:]] if a != "--retry-failed")
        if not out:
            retry += f" --out {shlex.quote(str(outcome.run_dir))}"
        if outcome.rerun == outcome.failed:  # every failure was a damaged cache entry
            click.echo(
                f"error: {outcome.failed} of {len(outcome.results)} job(s) failed on damaged cache entries, "
                f"now removed; the same command re-extracts them and runs those jobs again:\n  {retry}",
                err=True,
            )
        else:
            click.echo(
                f"error: {outcome.failed} of {len(outcome.results)} job(s) failed; run them again with:\n"
                f"  {retry} --retry-failed",
                err=True,
            )
        sys.exit(1)
