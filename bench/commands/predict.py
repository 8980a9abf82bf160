"""`bench predict --model DIR file.wav ...`: class probabilities and valence/arousal per file."""

from __future__ import annotations

import json

import click


@click.command()
@click.option(
    "--model",
    "model_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="Folder written by save_model (config.json + weights).",
)
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list instead of text.")
@click.option("--device", default="cpu", show_default=True, help="torch device for the backbone and model.")
def command(model_dir, files, as_json, device):
    """Predict the emotion of each audio FILE with a saved model. Bad files are reported and skipped."""
    from bench.errors import BenchError
    from bench.train.files import predict_files

    results = predict_files(model_dir, list(files), device)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in results], indent=2, allow_nan=False))  # JSON has no NaN
    for r in results:
        if r.error:
            click.echo(f"skipped {r.path}: {r.error}", err=True)
        elif not as_json:
            probs = "  ".join(f"{c} {p:.3f}" for c, p in sorted(r.probs.items(), key=lambda kv: -kv[1]))
            click.echo(f"{r.path}: {r.label}  [{probs}]  valence {r.valence:.2f}  arousal {r.arousal:.2f}")
    if all(r.error for r in results):
        raise BenchError(f"none of the {len(results)} file(s) could be read; see the messages above")
