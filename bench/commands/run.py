"""`bench run`: the grid of (backbone, VAD, pooler, hyper-parameters, seed) x folds."""

from __future__ import annotations

from pathlib import Path

import click

from bench.folds import PROTOCOLS


@click.command(context_settings={"ignore_unknown_options": False})
@click.option("--dataset", default=None, help="Corpus adapter (default: demo, the shipped corpus).")
@click.option("--data-dir", default=None, type=click.Path(path_type=Path), help="Corpus root.")
@click.option("--manifest", default=None, type=click.Path(path_type=Path), help="Use this manifest CSV instead of --dataset.")
@click.option("--class-set", default=None, help="Class set of the corpus (default: its standard one).")
@click.option("--protocol", default=None, type=click.Choice(PROTOCOLS), help="Fold protocol (default: loso).")
@click.option("--validation", default=None, help="Validation rule of the protocol (loso: session|next|none).")
@click.option("--backbone", default=None, help="Backbone when the grid names none (demo: fbank, else wavlm-large).")
@click.option("--revision", default=None, help="Hub revision (branch, tag or commit) of --backbone; the same as --backbone NAME@REVISION.")
@click.option("--vad", default=None, help="VAD when the grid names none (default: webrtc).")
@click.option("--grid", "grid_items", multiple=True, metavar="KEY=V1,V2", help="Grid axis: poolers, backbones, vads, seeds, a training option or pooler.NAME.")
@click.argument("more_grid", nargs=-1, metavar="[KEY=V1,V2]...")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Fixed option: epochs=5, max_duration=19, layers=12, vad.aggressiveness=2, pooler.heads=4 ...")
@click.option("--config", "config_file", default=None, type=click.Path(path_type=Path), help="YAML file of options (command line wins).")
@click.option("--params", "params_file", default=None, type=click.Path(path_type=Path), help="Tuned parameters from `bench tune` (best_params.yaml).")
@click.option("--cache-dir", default=None, type=click.Path(path_type=Path), help="Feature cache folder (default: user cache).")
@click.option("--out", default=None, type=click.Path(path_type=Path), help="Run folder (default results/<dataset>-<time>); the same folder resumes.")
@click.option("--executor", default="local", show_default=True, help="local | processes | dask | dask:tcp://HOST:PORT")
@click.option("--workers", default=2, show_default=True, help="Worker count for processes and dask.")
@click.option("--retry-failed", is_flag=True, help="Run failed jobs again.")
def command(dataset, data_dir, manifest, class_set, protocol, validation, backbone, revision, vad, grid_items, more_grid, sets,
            config_file, params_file, cache_dir, out, executor, workers, retry_failed):
    """Run (or resume) a grid and print the per-cell summary (mean UA/WA with 95% CIs over folds)."""
    from backbones.hub import with_revision
    from bench.runner import run_grid
    from bench.runner.config import resolve
    from bench.runner.summary import print_summary

    cli = {"dataset": dataset, "data_dir": str(data_dir) if data_dir else None, "manifest": str(manifest) if manifest else None,
           "class_set": class_set, "protocol": protocol, "validation": validation, "backbone": with_revision(backbone, revision), "vad": vad,
           "cache_dir": str(cache_dir) if cache_dir else None}
    config = resolve(cli, config_file, list(sets), list(grid_items) + list(more_grid), params_file)
    run_dir, results = run_grid(config, out, executor, workers, retry_failed)
    print_summary(results, run_dir)
