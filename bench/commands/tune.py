"""`bench tune`: Optuna search of loss weights (alpha, beta, gamma on the simplex) and more, scored
only on speakers that are never reported as test speakers (see docs/tuning.md)."""

from __future__ import annotations

from pathlib import Path

import click

from bench.commands._run_options import ItemsCommand, config_from_options, run_config_options


@click.command(cls=ItemsCommand)
@run_config_options
@click.option("--pooler", required=True, help="Pooler to tune (gap, sap, sr, asp, ...).")
@click.option("--trials", required=True, type=int, help="Trials this process runs per study (workers add up).")
@click.option("--timeout", default=None, type=float, help="Seconds per study (per fold when nested).")
@click.option(
    "--storage",
    default=None,
    help="Optuna storage: sqlite:///F.db, postgresql://..., mysql://..., journal:PATH "
    "(default: sqlite:///OUT/optuna.db).",
)
@click.option("--study", default=None, help="Study name (default <corpus>-<pooler>-<design>; nested adds -fold<k>).")
@click.option(
    "--space", default=None, type=click.Path(path_type=Path), help="Search-space YAML (default: the shipped one)."
)
@click.option("--design", default="nested", show_default=True, type=click.Choice(["nested", "dev-speakers"]))
@click.option("--dev-speakers", default=None, help="dev-speakers design: S1,S2 (default: fold 0's validation speaker).")
@click.option("--folds", default=None, type=int, help="Nested design: tune only the first K folds.")
@click.option("--objective", default="ua", show_default=True, type=click.Choice(["ua", "loss"]))
@click.option("--seed", default=0, show_default=True, help="Training seed of every trial.")
@click.option(
    "--sampler-seed",
    default=None,
    type=int,
    help="TPE sampler seed (default random; give parallel workers different ones).",
)
@click.option("--pruner", default="median", show_default=True, type=click.Choice(["median", "none"]))
@click.option("--startup-trials", default=3, show_default=True, help="Complete trials before the pruner prunes.")
@click.option("--warmup-epochs", default=1, show_default=True, help="Epochs of each trial that are never pruned.")
@click.option("--out", default=None, type=click.Path(path_type=Path), help="Output folder (default tune/<study>).")
def command(
    pooler,
    trials,
    timeout,
    storage,
    study,
    space,
    design,
    dev_speakers,
    folds,
    objective,
    seed,
    sampler_seed,
    pruner,
    startup_trials,
    warmup_epochs,
    out,
    **options,
):
    """Tune a pooler's loss weights and training options; write best_params.yaml for `bench run --params`."""
    from bench.runner.config import Problems
    from bench.tune import TuneOptions, run_tune

    problems = Problems()
    config = config_from_options(options, problems=problems)
    speakers = [s.strip() for s in dev_speakers.split(",") if s.strip()] if dev_speakers else None
    name = study or f"{Path(config.manifest).stem if config.manifest else config.dataset}-{pooler}-{design}"
    tune_options = TuneOptions(
        pooler=pooler,
        trials=trials,
        out=out or Path("tune") / name,
        timeout=timeout,
        storage=storage,
        study=name,
        space=str(space) if space else None,
        design=design,
        dev_speakers=speakers,
        folds=folds,
        objective=objective,
        seed=seed,
        sampler_seed=sampler_seed,
        pruner=pruner,
        startup_trials=startup_trials,
        warmup_epochs=warmup_epochs,
    )
    run_tune(config, tune_options, problems=problems)
