"""`bench prepare`: write a corpus's manifest (one row per kept utterance)."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from bench.datasets import names as dataset_names
from bench.datasets import prepare_dataset
from bench.manifest import write_manifest

SHOWN_SKIPS = 20  # skipped files listed on the terminal; all of them go to <out>.skipped.csv


@click.command()
@click.option(
    "--dataset", required=True, type=click.Choice(dataset_names()), help="Corpus adapter (see `bench list datasets`)."
)
@click.option(
    "--data-dir", type=click.Path(path_type=Path), help="Corpus root in its distributed layout (not needed for demo)."
)
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Manifest CSV to write.")
@click.option("--class-set", default=None, help="Class set (default: the corpus's standard one, see docs/corpora.md).")
def command(dataset, data_dir, out, class_set):
    """Scan a corpus and write its manifest: id,path,speaker,session,label,valence,arousal,duration,sample_rate."""
    prep = prepare_dataset(dataset, data_dir, class_set)
    for skip in prep.skipped[:SHOWN_SKIPS]:
        click.echo(f"skipped ({skip.reason}): {skip.detail or skip.item}", err=True)
    if len(prep.skipped) > SHOWN_SKIPS:
        click.echo(f"... and {len(prep.skipped) - SHOWN_SKIPS} more skipped", err=True)
    if prep.skipped:
        skipped_path = out.with_suffix(".skipped.csv")
        pd.DataFrame([vars(s) for s in prep.skipped]).to_csv(skipped_path, index=False)
        click.echo(f"every skipped item with its reason: {skipped_path}", err=True)
    write_manifest(prep.manifest, out)
    click.echo(prep.summary())
    click.echo(f"manifest: {out}")
