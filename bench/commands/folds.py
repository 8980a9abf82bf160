"""`bench folds`: write a fold plan (fold,id,speaker,role) for a manifest."""

from __future__ import annotations

from pathlib import Path

import click

from bench.folds import PROTOCOLS, fold_plan, fold_summary, write_plan
from bench.manifest import read_manifest


@click.command()
@click.option(
    "--manifest", "manifest_path", required=True, type=click.Path(path_type=Path), help="Manifest from `bench prepare`."
)
@click.option("--protocol", default="loso", type=click.Choice(PROTOCOLS), show_default=True)
@click.option("--validation", default=None, help="Validation rule: loso: session|next|none; loso-session: next|none.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="folds.csv to write.")
def command(manifest_path, protocol, validation, out):
    """Split a manifest into speaker-independent folds and write the plan."""
    plan = fold_plan(read_manifest(manifest_path), protocol, validation)
    write_plan(plan, out)
    click.echo(fold_summary(plan).to_string(index=False))
    click.echo(f"fold plan: {out}")
