"""`bench list`: what the registries hold (datasets, backbones, poolers, vads, recipes), with the facts
that decide a choice: a backbone's hub id, revision, L, D and size; a pooler's output width, trainable
parameters and hyper-parameters; a corpus's layout and class sets."""

from __future__ import annotations

import importlib
import textwrap

import click

POOLER_DIM = 1024  # the width poolers are sized at in the listing (WavLM/HuBERT/wav2vec2 Large)


@click.group()
def command():
    """List datasets, backbones, poolers or VADs."""


def class_set_line(name: str, mapping: dict, default: str) -> str:
    """``4class (default): angry, happy (+ excited), neutral, sad``: each class, with the labels merged into it."""
    merged = {}
    for label, target in mapping.items():
        merged.setdefault(target, [])
        if label != target:
            merged[target].append(label)
    classes = ", ".join(f"{c} (+ {', '.join(m)})" if m else c for c, m in sorted(merged.items())) or "every label found"
    return f"{name}{' (default)' if name == default else ''}: {classes}"


@command.command()
def datasets():
    """Every corpus adapter with the layout it expects and its class sets."""
    from bench import datasets as registry

    for name in registry.names():
        adapter = registry.create(name)
        click.echo(f"{name}: {adapter.title}")
        click.echo("  class sets:")
        for set_name, mapping in adapter.class_sets.items():
            click.echo(f"    {class_set_line(set_name, mapping, adapter.default_class_set)}")
        click.echo("  layout:")
        click.echo(textwrap.indent(adapter.layout.strip("\n"), "    "))
        click.echo()


def _millions(count: int) -> str:
    return f"{count / 1e6:.1f}M" if count >= 100_000 else f"{count:,}"


@command.command()
def backbones():
    """Registered backbones: hub id @ revision, hidden states L, width D, parameters (nothing is downloaded)."""
    from backbones.catalog import backbone_infos

    infos = backbone_infos()
    width = max(len(i.name) for i in infos)
    click.echo(f"{'name':<{width}}  {'L':>3}  {'D':>5}  {'params':>8}  source")
    for i in infos:
        note = "" if i.counted_from == "built" else f"  (params from {i.counted_from})"
        click.echo(
            f"{i.name:<{width}}  {i.num_layers:>3}  {i.hidden_size:>5}  {_millions(i.parameters):>8}  {i.source}{note}"
        )
    click.echo(
        "\nAlso accepted: NAME@REVISION, any hub id of a WavLM, HuBERT, wav2vec2 or data2vec-audio model "
        "(owner/name[@REVISION]), or a local checkpoint folder (docs/backbones.md)."
    )


def width_formula(name: str) -> str:
    """The pooler's output width as a formula in the input width D (from two real instances)."""
    import poolers

    small, large = (poolers.create(name, d).out_dim for d in (256, 512))
    slope, offset = divmod(large - small, 256)
    if offset == 0 and small == slope * 256:
        return "D" if slope == 1 else f"{slope}D"
    if small == large:
        return str(small)
    return f"{small} at D=256, {large} at D=512"


def trainable_parameters(module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


@command.command()
def poolers():
    """Registered poolers: output width, trainable parameters at D=1024, hyper-parameters with defaults."""
    import poolers as registry

    rows = []
    for name in registry.names():
        module = registry.create(name, POOLER_DIM)
        hparams = ", ".join(f"{k}={v}" for k, v in registry.hparams(name).items()) or "-"
        rows.append((name, width_formula(name), f"{trainable_parameters(module):,}", hparams))
    widths = [max(len(r[i]) for r in rows + [("name", "out_dim", f"params@D={POOLER_DIM}", "")]) for i in range(3)]
    header = ("name", "out_dim", f"params@D={POOLER_DIM}", "hyper-parameters (defaults)")
    for row in [header] + rows:
        click.echo(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]}")


def _list_registry(module: str) -> None:
    for name in importlib.import_module(module).names():
        click.echo(name)


@command.command()
def vads():
    """Registered voice activity detectors."""
    _list_registry("bench.vad")


@command.command()
def recipes():
    """Named training recipes (`--recipe NAME`) and the values each one sets."""
    from bench.train import recipes as registry

    for name, recipe in registry.RECIPES.items():
        default = " (default)" if name == registry.DEFAULT_RECIPE else ""
        click.echo(f"{name}{default}: {recipe.description}")
        click.echo(f"  source: {recipe.source}")
        click.echo(
            "  sets: "
            + (", ".join(f"{k}={v}" for k, v in recipe.settings().items()) or "nothing (TrainConfig defaults)")
        )
