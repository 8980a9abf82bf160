"""Options `bench run` and `bench tune` share: what builds the run configuration.

Both commands take the same corpus, backbone, VAD, recipe, --set and --config options and turn
them into one ``RunConfig`` with ``config_from_options``. ``ItemsCommand`` lets ``--set`` and
``--grid`` take several items (``--set epochs=5 batch_size=8``): each bare KEY=VALUE item belongs
to the option before it, so none can silently become an item of another option.
"""

from __future__ import annotations

from pathlib import Path

import click

from bench.folds import PROTOCOLS

MULTI_ITEM_OPTIONS = ("--set", "--grid")


class ItemsCommand(click.Command):
    """A command whose --set / --grid options take every following KEY=VALUE item."""

    def parse_args(self, ctx, args):
        rewritten, current, first_value = [], None, False
        for arg in args:
            if arg in MULTI_ITEM_OPTIONS:
                current, first_value = arg, True
            elif first_value:  # the option's own value
                first_value = False
            elif arg.startswith("-"):
                current = None
            elif current and "=" in arg:
                rewritten.append(current)  # a further item of the same option
            rewritten.append(arg)
        return super().parse_args(ctx, rewritten)


_SHARED = [
    click.option("--dataset", default=None, help="Corpus adapter (default: demo, the shipped corpus)."),
    click.option("--data-dir", default=None, type=click.Path(path_type=Path), help="Corpus root."),
    click.option(
        "--manifest", default=None, type=click.Path(path_type=Path), help="Use this manifest CSV instead of --dataset."
    ),
    click.option("--class-set", default=None, help="Class set of the corpus (default: its standard one)."),
    click.option("--protocol", default=None, type=click.Choice(PROTOCOLS), help="Fold protocol (default: loso)."),
    click.option(
        "--validation",
        default=None,
        help="Validation rule of the protocol (loso: session|next|none; loso-session: next|none; cross-corpus: speaker|none).",
    ),
    click.option(
        "--split-file",
        default=None,
        type=click.Path(path_type=Path),
        help="Folds of --protocol predefined: a CSV fold,id,speaker,role as `bench folds` writes (docs/splits.md).",
    ),
    click.option("--backbone", default=None, help="Backbone when the grid names none (demo: fbank, else wavlm-large)."),
    click.option(
        "--revision",
        default=None,
        help="Hub revision (branch, tag or commit) of --backbone; the same as --backbone NAME@REVISION.",
    ),
    click.option("--vad", default=None, help="VAD when the grid names none (default: webrtc)."),
    click.option("--recipe", default=None, help="Training recipe (`bench list recipes`; default: frozen)."),
    click.option(
        "--set",
        "sets",
        multiple=True,
        metavar="KEY=VALUE",
        help="Fixed option(s): epochs=5 max_duration=19 layers=12 pooler.sap.heads=4 vad.webrtc.aggressiveness=2 ...",
    ),
    click.option(
        "--config",
        "config_file",
        default=None,
        type=click.Path(path_type=Path),
        help="YAML run configuration (a run's own config.yaml works too).",
    ),
    click.option(
        "--cache-dir", default=None, type=click.Path(path_type=Path), help="Feature cache folder (default: user cache)."
    ),
]


def run_config_options(command):
    """Decorate a click command with the shared options (in --help order)."""
    for option in reversed(_SHARED):
        command = option(command)
    return command


def config_from_options(options: dict, grid_items=(), params_file=None, problems=None):
    """The RunConfig of the shared options (``options``: the command's keyword arguments)."""
    from backbones.hub import with_revision
    from bench.runner.config import resolve

    def text(key):
        return str(options[key]) if options.get(key) is not None else None

    cli = {
        "dataset": options.get("dataset"),
        "data_dir": text("data_dir"),
        "manifest": text("manifest"),
        "class_set": options.get("class_set"),
        "protocol": options.get("protocol"),
        "validation": options.get("validation"),
        "split_file": text("split_file"),
        "backbone": with_revision(options.get("backbone"), options.get("revision")),
        "vad": options.get("vad"),
        "recipe": options.get("recipe"),
        "cache_dir": text("cache_dir"),
        "test": options.get("test"),
        "class_map": text("class_map"),
    }
    return resolve(
        cli,
        text("config_file"),
        list(options.get("sets") or ()),
        list(grid_items),
        str(params_file) if params_file else None,
        problems,
    )
