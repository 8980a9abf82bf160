"""`bench list`: what the registries hold (datasets, backbones, poolers, vads, recipes)."""

from __future__ import annotations

import importlib
import textwrap

import click


@click.group()
def command():
    """List datasets, backbones, poolers or VADs."""


@command.command()
def datasets():
    """Every corpus adapter with the layout it expects and its class sets."""
    from bench import datasets as registry

    for name in registry.names():
        adapter = registry.create(name)
        sets = ", ".join(f"{k}{' (default)' if k == adapter.default_class_set else ''}" for k in adapter.class_sets)
        click.echo(f"{name}: {adapter.title}")
        click.echo(f"  class sets: {sets}")
        click.echo(textwrap.indent(adapter.layout.strip("\n"), "    "))
        click.echo()


def _list_registry(module: str) -> None:
    for name in importlib.import_module(module).names():
        click.echo(name)


@command.command()
def backbones():
    """Registered backbones (a local transformers checkpoint folder is accepted too)."""
    _list_registry("backbones")


@command.command()
def poolers():
    """Registered poolers."""
    _list_registry("poolers")


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
        click.echo("  sets: " + (", ".join(f"{k}={v}" for k, v in recipe.settings().items()) or "nothing (TrainConfig defaults)"))
