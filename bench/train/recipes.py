"""Named training recipes: every training field set at once, with where each value comes from.

    RECIPES                 name -> Recipe
    get(name)               the Recipe, or an error listing the valid names
    DEFAULT_RECIPE          the recipe a run uses when none is named ("frozen")
    differences(a, b)       {field: (value in a, value in b)} for the fields two recipes set differently

A recipe holds ``TrainConfig`` overrides only; anything it leaves out takes ``TrainConfig``'s
default. The values of ``frozen`` were chosen by measurement (docs/training.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.errors import unknown_name


@dataclass(frozen=True)
class Recipe:
    name: str
    description: str
    source: str
    train: dict = field(default_factory=dict)  # TrainConfig field -> value

    def resolved(self) -> dict:
        """Every TrainConfig field: the recipe's values over TrainConfig's defaults."""
        from bench.train.config import TrainConfig

        return TrainConfig.from_dict(dict(self.train)).to_dict()


RECIPES = {
    recipe.name: recipe
    for recipe in (
        Recipe(
            "frozen",
            "Our default: frozen cached features, learned layer weights, a budget of optimiser steps so that "
            "every pooler converges on small and large corpora alike.",
            "ours; measured in docs/training.md (benchmarks/convergence.py)",
            {"mode": "frozen"},
        ),
        Recipe(
            "sap-paper",
            "The SAP paper's recipe: fine-tune the backbone, lr 3e-5, 30 epochs, batch 64, warm-up 0.1, cosine, "
            "early stopping (patience 5) on the validation total loss, loss weights 0.5/0.25/0.25, projection 32.",
            "Hyeon, Oh and Choi 2024, sec. 3.5 and 4.1",
            {"mode": "finetune", "epochs": 30, "batch_size": 64, "lr": 3e-5, "warmup_ratio": 0.1, "patience": 5,
             "alpha": 0.5, "beta": 0.25, "gamma": 0.25, "proj_dim": 32, "min_steps": 0},
        ),
    )
}
DEFAULT_RECIPE = "frozen"


def get(name: str) -> Recipe:
    if name not in RECIPES:
        raise unknown_name("recipe", name, RECIPES)
    return RECIPES[name]


def differences(a: dict, b: dict) -> dict:
    """Fields whose values differ between two resolved training dicts: {field: (a's, b's)}."""
    return {k: (a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}
