"""The Optuna objective: one trial = sample a point, train on the target's training speakers,
early-stop and score on its scoring speakers, report every epoch so the pruner can stop it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bench.tune.designs import Target
from bench.tune.space import Space

OBJECTIVES = {"ua": ("maximize", "valid_ua"), "loss": ("minimize", "valid_loss")}
OBJECTIVE_LABELS = {"ua": "validation UA", "loss": "validation total loss"}  # axis labels of the figures


@dataclass
class TrialContext:
    target: Target
    train: object  # UtteranceSet
    valid: object  # UtteranceSet
    classes: list[str]
    pooler: str
    train_config: dict  # resolved TrainConfig overrides (--set)
    pooler_params: dict
    space: Space
    dim: int
    objective: str
    seed: int


def split_params(params: dict) -> tuple[dict, dict]:
    """{'lr': .., 'pooler.heads': ..} -> (training options, pooler options)."""
    pooler = {k[len("pooler.") :]: v for k, v in params.items() if k.startswith("pooler.")}
    return {k: v for k, v in params.items() if not k.startswith("pooler.")}, pooler


def run_trial(trial, ctx: TrialContext) -> float:
    import optuna

    import bench.train

    params = ctx.space.suggest(trial, ctx.pooler, ctx.dim)
    train_opts, pooler_opts = split_params(params)
    config = bench.train.TrainConfig.from_dict({**ctx.train_config, **train_opts})
    trial.set_user_attr("fold", ctx.target.fold)
    trial.set_user_attr("scoring_speakers", ctx.target.scoring_speakers)
    trial.set_user_attr("train_speakers", ctx.target.train_speakers)
    metric = OBJECTIVES[ctx.objective][1]

    def on_epoch(epoch: int, row: dict) -> None:
        value = row[metric]
        if math.isfinite(value):
            trial.report(value, epoch)
        if trial.should_prune():
            raise optuna.TrialPruned(f"pruned after epoch {epoch} ({metric} {value:.4f})")

    result = bench.train.fit(
        ctx.train,
        ctx.valid,
        ctx.classes,
        ctx.pooler,
        {**ctx.pooler_params, **pooler_opts},
        config,
        seed=ctx.seed,
        on_epoch=on_epoch,
    )
    best = result.history[result.best_epoch - 1]
    trial.set_user_attr("best_epoch", result.best_epoch)
    trial.set_user_attr("valid_ua", best["valid_ua"])
    trial.set_user_attr("valid_loss", best["valid_loss"])
    value = best[metric]
    if not math.isfinite(value):
        raise ValueError(f"the trial's {metric} is {value}: the scoring set gave no finite value")
    return value
