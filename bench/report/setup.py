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

# config.yaml keys shown under "Data and features" (the rest of the run's definition is training)
DATA_KEYS = ("dataset", "data_dir", "manifest", "class_set", "classes", "protocol", "validation", "folds",
             "backbone", "layers", "vad", "vad_options", "max_duration", "dtype", "grid", "pooler_params", "probes")


def _show(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}={_show(v)}" for k, v in value.items()) or "none"
    return str(value)


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
    return RunSetup(run.dataset, run.protocol, int(run.ok["fold"].nunique()), classes,
                    run.config.get("validation"), mode)


def _default_validation(protocol: str | None) -> str | None:
    from bench.folds import VALIDATION_RULES
    from bench.report.literature import normalise_protocol

    rules = VALIDATION_RULES.get(normalise_protocol(protocol)) if protocol else None
    return rules[0] if rules else None


def _backbone_revision(config: dict) -> str:
    """Per backbone of the cached features: hub id, revision and commit (or its source), from
    config.yaml's ``backbone_identities`` (``backbone_identity``: one, in older folders)."""
    identities = config.get("backbone_identities")
    if identities == {}:  # fine-tune mode: no cached features of the trained backbone
        return "not in config.yaml: each fine-tune job builds its backbone (`save_models` keeps its identity)"
    if not identities and config.get("backbone_identity"):
        identities = {None: config["backbone_identity"]}
    if not identities:
        return "not recorded in config.yaml"
    shown = []
    for name, identity in identities.items():
        text = _show({k: identity[k] for k in ("hub_id", "revision", "commit", "source") if identity.get(k)} or identity)
        shown.append(text if name is None else f"{name}: {text}")
    return " | ".join(shown)


def _paper_mark(paper: dict, key: str, value) -> str:
    """"  [paper: V]" where the paper's recipe sets ``key`` to another value; "" otherwise."""
    if key not in paper or paper[key] == value:
        return ""
    return f"  [paper: {_show(paper[key])}]"


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
    data = [(k, _show(config.get(k)) + _paper_mark(paper_recipe.run, k, config.get(k))) for k in DATA_KEYS
            if k in config]
    if "validation" in config and config["validation"] is None:  # None: the protocol's default rule
        rule = _default_validation(run.protocol)
        data = [(k, f"{rule} (the protocol's default)" if k == "validation" and rule else v) for k, v in data]
    data.append(("backbone revision", _backbone_revision(config)))
    out = [("Data and features", data)]
    try:
        recipe, train = resolved_training(config)
    except (KeyError, TypeError, ValueError) as exc:  # a config.yaml from another version
        out.append(("Training", [("training configuration", f"could not be resolved: {exc}")]))
    else:
        paper = {**paper_recipe.resolved(), "lr": TrainConfig.from_dict(paper_recipe.resolved()).learning_rate}
        grid_axes = set(config.get("grid") or {})
        rows = [("recipe", f"{recipe}: {recipes.get(recipe).description}")]
        for key, value in train.items():
            note = " (varies: grid axis)" if key in grid_axes else ""
            mark = "" if key in COMPUTE_ONLY else _paper_mark(paper, key, value)
            rows.append((key, f"{_show(value)}{note}{mark}"))
        out.append((f"Training (every field; [paper: ...] where {paper_recipe.paper}'s recipe differs)", rows))
    params = config.get("params") or {}
    out.append(("Tuned parameters", [("--params", _show(params) if params else
                                     "none: every cell uses the values above (no tuned parameters)")]))
    env = config.get("environment") or {}
    env_rows = [(k, _show(env.get(k))) for k in ("python", "platform", "git_commit", "device", "cuda") if k in env]
    env_rows += [(f"package {name}", _show(version)) for name, version in (env.get("packages") or {}).items()]
    out.append(("Environment", env_rows or [("environment", "not recorded in config.yaml")]))
    return [(title, pd.DataFrame(rows, columns=["Setting", "Value"])) for title, rows in out]
