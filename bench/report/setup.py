"""The "Setup" section of report.md: every value that defines the run, read from config.yaml.

run_setup(run) -> RunSetup                 what published rows must match (bench.report.literature)
resolved_training(config) -> (recipe, dict)  every TrainConfig field as the run used it
setup_tables(run) -> list[(title, DataFrame)]  Setting | Value tables for report.md and tables/setup.csv
"""

from __future__ import annotations

import pandas as pd

from bench.errors import BenchError
from bench.report.literature import RunSetup
from bench.report.rundir import RunFolder
from bench.report.setup_values import backbone_revision, data_value, show, training_value

# config.yaml keys shown under "Data and features" (the rest of the run's definition is training)
SHOWN_WHEN_SET = ("split_file", "split_sha256", "test", "class_map")  # --split-file, cross-corpus: absent otherwise
DATA_KEYS = (
    "dataset",
    "data_dir",
    "manifest",
    "class_set",
    "classes",
    "protocol",
    "validation",
    *SHOWN_WHEN_SET,
    "folds",
    "backbone",
    "layers",
    "vad",
    "vad_options",
    "max_duration",
    "dtype",
    "grid",
    "pooler_options",
    "probes",
)


def resolved_training(config: dict) -> tuple[str, dict]:
    """(recipe name, every TrainConfig field): the run's recipe (config ``recipe``, else the default)
    with config.yaml's ``train`` overrides on top, the learning rate resolved for the mode."""
    from bench.train import recipes
    from bench.train.config import TrainConfig

    name = str(config.get("recipe") or recipes.DEFAULT_RECIPE)
    values = {**recipes.get(name).resolved(), **(config.get("train") or {})}
    train = TrainConfig.from_dict(values)
    return name, {**train.to_dict(), "lr": train.learning_rate}


def run_setup(run: RunFolder) -> RunSetup:
    """The run's corpus, protocol, fold count (folds with a finished job), classes, validation rule and mode."""
    try:
        mode = resolved_training(run.config)[1]["mode"]
    except (KeyError, TypeError, ValueError):
        mode = None
    classes = tuple(str(c) for c in run.config.get("classes") or ())
    return RunSetup(
        run.dataset, run.protocol, int(run.ok["fold"].nunique()), classes, run.config.get("validation"), mode
    )


def _default_validation(protocol: str | None) -> str | None:
    from bench.folds import VALIDATION_RULES
    from bench.report.literature import normalise_protocol

    rules = VALIDATION_RULES.get(normalise_protocol(protocol)) if protocol else None
    return rules[0] if rules else None


def _paper_mark(paper: dict, key: str, value) -> str:
    """ "  [paper: V]" where the paper's recipe sets ``key`` to another value; "" otherwise."""
    if key not in paper or paper[key] == value:
        return ""
    return f"  [paper: {show(paper[key])}]"


def setup_tables(run: RunFolder) -> list[tuple[str, pd.DataFrame]]:
    """[(title, Setting | Value table)]: data and features, training (with the paper's values where they
    differ), tuned parameters, environment."""
    from bench.train import recipes
    from bench.train.config import COMPUTE_ONLY, TrainConfig

    config = run.config
    try:
        paper_recipe = recipes.reference(str(config.get("recipe") or recipes.DEFAULT_RECIPE))
    except BenchError:
        paper_recipe = recipes.get(recipes.PAPER_RECIPE)
    data = [
        (k, (data_value(k, config, run.path) or show(config.get(k))) + _paper_mark(paper_recipe.run, k, config.get(k)))
        for k in DATA_KEYS
        if k in config and not (k in SHOWN_WHEN_SET and config[k] is None)
    ]
    if "validation" in config and config["validation"] is None:  # None: the protocol's default rule
        rule = _default_validation(run.protocol)
        data = [(k, f"{rule} (the protocol's default)" if k == "validation" and rule else v) for k, v in data]
    data.append(("backbone revision", backbone_revision(config, run.records)))
    out = [("Data and features", data)]
    try:
        recipe, train = resolved_training(config)
    except (KeyError, TypeError, ValueError) as exc:  # a config.yaml from another version
        out.append(("Training", [("training configuration", f"could not be resolved: {exc}")]))
    else:
        paper_config = TrainConfig.from_dict(paper_recipe.resolved())
        paper = {**paper_recipe.resolved(), "lr": paper_config.learning_rate, "min_steps": paper_config.step_budget}
        grid_axes = set(config.get("grid") or {})
        written = {**recipes.get(recipe).resolved(), **(config.get("train") or {})}  # None where left to a rule
        # compared with the paper: the learning rate and step budget as used, the rest as written
        compared = {**written, "lr": train["lr"], "min_steps": TrainConfig.from_dict(written).step_budget}
        recorded, env = config.get("train_defaults"), config.get("environment") or {}
        rows = [("recipe", f"{recipe}: {recipes.get(recipe).description}")]
        for key in train:
            note = " (varies: grid axis)" if key in grid_axes else ""
            shown = training_value(key, written.get(key), train, recorded, env)
            mark = "" if key in COMPUTE_ONLY else _paper_mark(paper, key, compared[key])
            rows.append((key, f"{shown}{note}{mark}"))
        out.append((f"Training (every field; [paper: ...] where {paper_recipe.paper}'s recipe differs)", rows))
    params = config.get("params") or {}
    out.append(
        (
            "Tuned parameters",
            [("--params", show(params) if params else "none: every cell uses the values above (no tuned parameters)")],
        )
    )
    env = config.get("environment") or {}
    env_rows = [(k, show(env.get(k))) for k in ("python", "platform", "git_commit", "device", "cuda") if k in env]
    meaning = {
        "cuda": "a torch build without CUDA",
        "git_commit": "not run from a git checkout: see package ser-pooling-bench",
    }
    env_rows = [(k, f"none ({meaning[k]})" if v == "none" and k in meaning else v) for k, v in env_rows]
    env_rows += [(f"package {name}", show(version)) for name, version in (env.get("packages") or {}).items()]
    out.append(("Environment", env_rows or [("environment", "not recorded in config.yaml")]))
    return [(title, pd.DataFrame(rows, columns=["Setting", "Value"])) for title, rows in out]
