"""`bench layers`: a per-layer profile (UA and 95% t interval over folds per hidden state) of
parameter-free poolers through the convex probe, plus the layer mixes, from the feature cache."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from bench.commands._run_options import ItemsCommand, config_from_options, run_config_options


def _names(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


@click.command(cls=ItemsCommand)
@run_config_options
@click.option(
    "--backbones", default=None, help="Comma-separated backbones (default: --backbone, or the corpus's default)."
)
@click.option(
    "--poolers",
    default="gap,sap-noattn,stats",
    show_default=True,
    help="Parameter-free poolers applied to each layer alone: gap, sap-noattn, stats.",
)
@click.option(
    "--learned/--no-learned",
    default=True,
    show_default=True,
    help="Also train a head with learned layer weights per pooler and fold (the recipe's training).",
)
@click.option(
    "--out",
    default=None,
    type=click.Path(path_type=Path),
    help="Output folder (default results/layers-<dataset>-<time>; RUN/layers puts it in a run's report).",
)
def command(backbones, poolers, learned, out, **options):
    """Profile UA per layer on a corpus's folds and write the table, the figure and layers.md."""
    from bench.errors import BenchError
    from bench.folds import write_plan
    from bench.layers.outputs import markdown_table, write_outputs
    from bench.layers.profile import layer_scores
    from bench.manifest import write_manifest
    from bench.runner.config import Problems
    from bench.runner.run import extract_features, prepare
    from bench.train.utterance_stats import POOLED_KINDS

    kinds = _names(poolers)
    unknown = [k for k in kinds if k not in POOLED_KINDS]
    if unknown or not kinds:
        raise BenchError(f"--poolers takes parameter-free poolers ({', '.join(POOLED_KINDS)}), got {poolers!r}")
    problems = Problems()
    grid = ["poolers=gap", *([f"backbones={backbones}"] if backbones else [])]
    config = config_from_options(
        {**options, "sets": (*(options.get("sets") or ()), "probes=false")}, grid, problems=problems
    )
    plan = prepare(config, None, problems)
    if (plan.config.train or {}).get("mode") == "finetune":
        raise BenchError("bench layers profiles frozen features; a fine-tuning recipe has no per-layer cache")
    name = config.dataset if not config.manifest else Path(config.manifest).stem
    out = Path(out) if out else Path("results") / f"layers-{name}-{datetime.now():%Y%m%d-%H%M%S}"
    write_manifest(plan.manifest, out / "manifest.csv")
    write_plan(plan.fold_table, out / "folds.csv")
    stores = extract_features(plan, click.echo)
    parts = [
        layer_scores(
            plan.manifest,
            plan.fold_table,
            plan.classes,
            stores[fs.key],
            fs.backbone,
            kinds,
            plan.folds,
            plan.config.train if learned else None,
            echo=click.echo,
        )
        for fs in plan.feature_sets
    ]
    import pandas as pd

    source = (
        f"Corpus `{name}`, protocol `{plan.config.protocol}`, {len(plan.folds)} folds, VAD `{plan.config.vad}`, "
        f"classes {', '.join(plan.classes)}"
    )
    summary = write_outputs(pd.concat(parts, ignore_index=True), out, source)
    click.echo("\n".join(markdown_table(summary)))
    click.echo(f"per-layer profile: {out / 'layers.md'}, {out / 'figures' / 'layers.png'}")
