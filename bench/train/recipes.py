"""Named training recipes: every training field set at once, with where each value comes from.

    RECIPES                 name -> Recipe
    get(name)               the Recipe, or an error listing the valid names
    DEFAULT_RECIPE          the recipe a run uses when none is named ("frozen")
    reference(name)         the paper recipe a run of ``name`` is compared with: itself, or sap-paper
    differences(a, b)       {field: (value in a, value in b)} for the fields two recipes set differently

A recipe holds ``TrainConfig`` values (``train``) and, where a paper fixes them too, run options
(``run``: RunConfig fields such as dataset, class_set, backbone, max_duration) and default grid
axes (``grid``: e.g. the pooler). Anything it leaves out takes the defaults. ``bench.runner.config
.resolve`` applies all three above the defaults and below --config, --set and --grid. The values
of ``frozen`` were chosen by measurement (docs/training.md).
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
    run: dict = field(default_factory=dict)  # RunConfig top-level field -> value
    grid: dict = field(default_factory=dict)  # grid axis -> list of values (when --grid names none)
    paper: str = ""  # the paper whose recipe this is, as the report names it ("" for ours)

    def resolved(self) -> dict:
        """Every TrainConfig field: the recipe's values over TrainConfig's defaults."""
        from bench.train.config import TrainConfig

        return TrainConfig.from_dict(dict(self.train)).to_dict()

    def settings(self) -> dict:
        """Every value the recipe sets, run options and grid axes first: {key: value}."""
        return {**self.run, **{axis: ",".join(map(str, values)) for axis, values in self.grid.items()}, **self.train}


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
            "The SAP paper's recipe: fine-tune the backbone, pool its output (the final hidden state), lr 3e-5, "
            "30 epochs, batch 64, warm-up 0.1, cosine, early stopping (patience 5) on the validation total loss, "
            "loss weights 0.5/0.25/0.25, projection 32.",
            "Hyeon, Oh and Choi 2024, sec. 3.1, 3.5 and 4.1",
            # layer -1: the paper pools f_SSL(X) = [c_1, ..., c_T], the model's output (sec. 3.1, eq. 1), not a mix
            {
                "mode": "finetune",
                "layer": -1,
                "epochs": 30,
                "batch_size": 64,
                "lr": 3e-5,
                "warmup_ratio": 0.1,
                "patience": 5,
                "alpha": 0.5,
                "beta": 0.25,
                "gamma": 0.25,
                "proj_dim": 32,
                "min_steps": 0,
            },
            paper="the SAP paper",
        ),
        Recipe(
            "xlsr-cnn-paper",
            "The XLSR/ShEMO paper's recipe: ShEMO 5-class (no fear), XLSR-53 final-layer features of 7 s clips, "
            "the 2-D CNN head, Adam lr 1e-3, batch 4, plain cross-entropy (no class weights, no valence/arousal). "
            "Where the paper is silent (split, epochs, stopping, schedule) the choices are ours: docs/training.md.",
            "Soltani Tehrani, Faridani and Toosi 2023 (arXiv 2309.12714), method summary",
            {
                "mode": "frozen",
                "optimizer": "adam",
                "lr": 1e-3,
                "weight_decay": 0.0,
                "lr_schedule": "constant",
                "warmup_ratio": 0.0,
                "batch_size": 4,
                "class_weighting": False,
                "alpha": 1.0,
                "beta": 0.0,
                "gamma": 0.0,
                "layer": -1,
                "standardize": False,
                "max_grad_norm": None,
                "epochs": 30,
                "patience": 5,
                "min_steps": 0,
            },
            run={
                "dataset": "shemo",
                "class_set": "5class",
                "protocol": "loso",
                "validation": "next",
                "backbone": "xlsr-53",
                "layers": [24],
                "max_duration": 7.0,
            },
            grid={"poolers": ["cnn"]},
            paper="the XLSR/ShEMO paper",
        ),
    )
}
DEFAULT_RECIPE = "frozen"
PAPER_RECIPE = "sap-paper"  # the paper a run of one of our own recipes is compared with


def get(name: str) -> Recipe:
    if name not in RECIPES:
        raise unknown_name("recipe", name, RECIPES)
    return RECIPES[name]


def reference(name: str) -> Recipe:
    """The paper recipe the report compares a run of recipe ``name`` with: that recipe when it is a
    paper's, else the SAP paper's."""
    recipe = get(name)
    return recipe if recipe.paper else get(PAPER_RECIPE)


def differences(a: dict, b: dict) -> dict:
    """Fields whose values differ between two resolved training dicts: {field: (a's, b's)}."""
    return {k: (a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}
