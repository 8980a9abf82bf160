"""`bench tune`: Optuna search of loss weights (alpha, beta, gamma on the simplex) and more, scored
only on speakers that are never reported as test speakers (see docs/tuning.md)."""

from __future__ import annotations

from pathlib import Path

import click

from bench.folds import PROTOCOLS


@click.command()
@click.option("--dataset", default=None, help="Corpus adapter (default: demo).")
@click.option("--data-dir", default=None, type=click.Path(path_type=Path), help="Corpus root.")
@click.option("--manifest", default=None, type=click.Path(path_type=Path), help="Use this manifest CSV instead of --dataset.")
@click.option("--class-set", default=None, help="Class set of the corpus (default: its standard one).")
@click.option("--protocol", default=None, type=click.Choice(PROTOCOLS), help="Fold protocol (default: loso).")
@click.option("--validation", default=None, help="Validation rule of the protocol (loso: session|next|none).")
@click.option("--backbone", default=None, help="Backbone (demo: fbank, else wavlm-large).")
@click.option("--vad", default=None, help="VAD (default: webrtc).")
@click.option("--pooler", required=True, help="Pooler to tune (gap, sap, sr, asp, ...).")
@click.option("--trials", required=True, type=int, help="Trials this process runs per study (workers add up).")
@click.option("--timeout", default=None, type=float, help="Seconds per study (per fold when nested).")
@click.option("--storage", default=None, help="Optuna storage: sqlite:///F.db, postgresql://..., mysql://..., journal:PATH "
                                               "(default: sqlite:///OUT/optuna.db).")
@click.option("--study", default=None, help="Study name (default <corpus>-<pooler>-<design>; nested adds -fold<k>).")
@click.option("--space", default=None, type=click.Path(path_type=Path), help="Search-space YAML (default: the shipped one).")
@click.option("--design", default="nested", show_default=True, type=click.Choice(["nested", "dev-speakers"]))
@click.option("--dev-speakers", default=None, help="dev-speakers design: S1,S2 (default: fold 0's validation speaker).")
@click.option("--folds", default=None, type=int, help="Nested design: tune only the first K folds.")
@click.option("--objective", default="ua", show_default=True, type=click.Choice(["ua", "loss"]))
@click.option("--seed", default=0, show_default=True, help="Training seed of every trial.")
@click.option("--sampler-seed", default=None, type=int, help="TPE sampler seed (default random; give parallel workers different ones).")
@click.option("--pruner", default="median", show_default=True, type=click.Choice(["median", "none"]))
@click.option("--startup-trials", default=3, show_default=True, help="Complete trials before the pruner prunes.")
@click.option("--warmup-epochs", default=1, show_default=True, help="Epochs of each trial that are never pruned.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Fixed option: epochs=10, batch_size=32, vad.aggressiveness=3 ...")
@click.option("--config", "config_file", default=None, type=click.Path(path_type=Path), help="YAML file of options.")
@click.option("--cache-dir", default=None, type=click.Path(path_type=Path), help="Feature cache folder (default: user cache).")
@click.option("--out", default=None, type=click.Path(path_type=Path), help="Output folder (default tune/<study>).")
def command(dataset, data_dir, manifest, class_set, protocol, validation, backbone, vad, pooler, trials, timeout, storage,
            study, space, design, dev_speakers, folds, objective, seed, sampler_seed, pruner, startup_trials,
            warmup_epochs, sets, config_file, cache_dir, out):
    """Tune a pooler's loss weights and training options; write best_params.yaml for `bench run --params`."""
    from bench.runner.config import resolve
    from bench.tune import TuneOptions, run_tune

    cli = {"dataset": dataset, "data_dir": str(data_dir) if data_dir else None, "manifest": str(manifest) if manifest else None,
           "class_set": class_set, "protocol": protocol, "validation": validation, "backbone": backbone, "vad": vad,
           "cache_dir": str(cache_dir) if cache_dir else None}
    config = resolve(cli, config_file, list(sets), [], None)
    speakers = [s.strip() for s in dev_speakers.split(",") if s.strip()] if dev_speakers else None
    name = study or f"{Path(config['manifest']).stem if config['manifest'] else config['dataset']}-{pooler}-{design}"
    options = TuneOptions(pooler=pooler, trials=trials, out=out or Path("tune") / name, timeout=timeout, storage=storage,
                          study=name, space=str(space) if space else None, design=design, dev_speakers=speakers,
                          folds=folds, objective=objective, seed=seed, sampler_seed=sampler_seed, pruner=pruner,
                          startup_trials=startup_trials, warmup_epochs=warmup_epochs)
    run_tune(config, options)
