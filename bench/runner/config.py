"""The typed run configuration: one ``RunConfig`` read and written by `bench run`, `bench tune`,
``--config``, ``--params`` and the run folder's ``config.yaml``.

Precedence, lowest first, all applied in this module (``resolve`` and ``job_options``):

    defaults < recipe < --config < --params < --set < --grid

A recipe sets training fields and, for a paper's recipe, run options (dataset, class set,
backbone, ...) and default grid axes (the pooler): ``bench.train.recipes``.
``resolve`` merges defaults, the recipe, the --config file and --set into one ``RunConfig``
(training options fully resolved: every ``TrainConfig`` field); tuned --params stay per fold
(``params``) minus the keys --set fixes, so that --set wins over them; ``job_options`` puts a
job's fold parameters and its cell's grid values on top. A run's own config.yaml is a valid
--config: the recorded-only keys (classes, environment, ...) are ignored when it is read back.

Options are scoped to the entry they belong to: ``pooler_options: {sap: {heads: 4}}`` (on the
command line ``pooler.sap.heads=4``) and ``vad_options: {webrtc: {aggressiveness: 2}}``
(``vad.webrtc.aggressiveness=2``). Problems are collected, not raised one by one (``Problems``).
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import yaml

from bench.errors import BenchError
from bench.runner.grid import AXES, parse_assignments

# Keys config.yaml records beside the configuration; read back, they are ignored. train_defaults: what
# the training fields left to a rule stood for (TrainConfig.defaults_used); features: what each feature
# set was extracted with (backbone revision, layers, dtype, VAD settings), added after extraction.
RECORDED = (
    "config_digest",
    "classes",
    "expected_jobs",
    "recipe_overrides",
    "environment",
    "train_defaults",
    "features",
)
# Options that may differ between a run and its resumption without changing any number.
# split_file: where the fold file was; its content decides (split_sha256), and the run folder keeps a copy.
NOT_DECIDING = ("cache_dir", "save_models", "max_skipped", "split_file")
SCOPED = ("pooler", "vad")  # pooler.NAME.OPTION, vad.NAME.OPTION


class PlanError(BenchError):
    """Every problem the planning step found, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"the run was not started: {len(self.problems)} problem(s) found\n{lines}")


class Problems(list):
    """A list of problem strings; ``raise_if_any`` ends planning with all of them at once."""

    def raise_if_any(self) -> None:
        if self:
            raise PlanError(list(dict.fromkeys(self)))


@dataclass
class RunConfig:
    """Everything that decides a run's numbers, plus where the features are cached."""

    dataset: str = "demo"
    data_dir: str | None = None
    manifest: str | None = None  # a manifest CSV instead of dataset + data_dir
    class_set: str | None = None
    protocol: str = "loso"
    validation: str | None = None
    split_file: str | None = None  # --split-file: the folds of protocol predefined (bench.split_file)
    split_sha256: str | None = None  # its digest, set by planning (bench.runner.plan) from the file's bytes
    test: list[str] | None = (
        None  # cross-corpus test corpora: ADAPTER=DIR, ADAPTER or a manifest .csv (bench.cross_corpus)
    )
    class_map: dict | None = None  # {corpus: {label: class}} (--class-map FILE.yaml); None: the shared class names
    backbone: str | None = None  # None: fbank for the demo (offline), wavlm-large otherwise
    vad: str = "webrtc"  # the SAP paper's VAD
    folds: list[int] | None = None  # None: every fold of the plan
    layers: list[int] | str | None = None  # None: all hidden states of the backbone
    max_duration: float | str | None = "auto"  # "auto": the corpus's default truncation
    cache_dir: str | None = None  # None: the user cache folder
    dtype: str | None = None
    save_models: bool = False  # each finished job saves its model to RUN/models/<job>/
    probes: bool = True  # add the convex probe cells per (backbone, VAD) (bench.train.probes); none when fine-tuning
    max_skipped: float = 0.05  # refuse to train when a larger share of the corpus could not be read
    recipe: str = "frozen"  # bench.train.recipes; `bench list recipes`
    train: dict = field(default_factory=dict)  # TrainConfig fields (all of them once resolved)
    pooler_options: dict = field(default_factory=dict)  # {pooler: {option: value}}
    vad_options: dict = field(default_factory=dict)  # {vad: {option: value}}
    grid: dict = field(default_factory=dict)  # axis -> values (see bench.runner.grid)
    params: dict = field(default_factory=dict)  # tuned parameters (--params), global or per fold

    def to_dict(self) -> dict:
        return json.loads(json.dumps(asdict(self)))  # plain types only, for YAML and digests

    def deciding(self) -> dict:
        return {k: v for k, v in self.to_dict().items() if k not in NOT_DECIDING}

    def digest(self) -> str:
        """sha256 (16 hex) of the deciding part: the same digest means the same numbers."""
        text = json.dumps(self.deciding(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def options_of_pooler(self, pooler: str) -> dict:
        return dict(self.pooler_options.get(pooler) or {})

    def options_of_vad(self, vad: str) -> dict:
        return dict(self.vad_options.get(vad) or {})

    def feature_request(self, backbone: str, vad: str, vad_options: dict):
        """What the feature cache must hold for one feature set of this run."""
        from bench.cache.extract import FeatureRequest

        return FeatureRequest(
            backbone,
            vad=vad,
            vad_options=dict(vad_options),
            layers=self.layers,
            max_duration=self.max_duration,
            cache_dir=self.cache_dir,
            dtype=self.dtype,
        )


SECTIONS = ("train", "pooler_options", "vad_options", "grid", "params")
TOP_LEVEL = tuple(f.name for f in fields(RunConfig) if f.name not in SECTIONS)


def train_fields() -> set[str]:
    from bench.train.config import TrainConfig

    return {f.name for f in fields(TrainConfig)}


def load_yaml(path: str | Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise BenchError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise BenchError(
            f"{path} is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}; fix the file"
        ) from exc
    if not isinstance(data, dict):
        raise BenchError(f"{path} must hold a YAML mapping of options, found {type(data).__name__}")
    return data


def _scoped_key(key: str) -> tuple[str, str, str] | None:
    """'pooler.sap.heads' -> ('pooler', 'sap', 'heads'); None for any other key."""
    parts = key.split(".")
    if parts[0] in SCOPED and len(parts) == 3 and all(parts):
        return parts[0], parts[1], parts[2]
    return None


def _unscoped_hint(key: str) -> str | None:
    parts = key.split(".")
    if parts[0] in SCOPED and len(parts) == 2:
        example = "pooler.sap.heads" if parts[0] == "pooler" else "vad.webrtc.aggressiveness"
        return (
            f"{key}: options are scoped to the {parts[0]} they belong to: write "
            f"{parts[0]}.<name>.{parts[1]} (e.g. {example})"
        )
    return None


def _apply_setting(config: dict, key: str, value, where: str, problems: Problems) -> None:
    """One KEY=VALUE of --set (or a flat --config key): route it to its section."""
    scoped = _scoped_key(key)
    if scoped:
        section = "pooler_options" if scoped[0] == "pooler" else "vad_options"
        config[section].setdefault(scoped[1], {})[scoped[2]] = value
    elif key in TOP_LEVEL:  # before training fields: `backbone` and `layers` are run options here
        config[key] = value
    elif key in train_fields():
        config["train"][key] = value
    else:
        problems.append(
            _unscoped_hint(key)
            or f"{where} {key}: unknown option; use a run option ({', '.join(TOP_LEVEL)}), a training option "
            f"({', '.join(sorted(train_fields()))}), pooler.NAME.OPTION or vad.NAME.OPTION"
        )


def _read_config_file(path: str | Path, problems: Problems) -> dict:
    """The --config file as RunConfig sections; recorded-only keys are dropped."""
    out = {"train": {}, "pooler_options": {}, "vad_options": {}, "grid": {}, "params": {}}
    try:
        data = load_yaml(path)
    except BenchError as exc:
        problems.append(f"--config: {exc}")
        return out
    for key, value in data.items():
        if key in RECORDED:
            continue
        if key in ("train", "pooler_options", "vad_options", "params"):
            if not isinstance(value, dict):
                problems.append(f"{path}: {key} must be a mapping, found {type(value).__name__}")
                continue
            out[key] = copy.deepcopy(value)
        elif key == "grid":
            if not isinstance(value, dict):
                problems.append(f"{path}: grid must be a mapping of axis -> list of values")
                continue
            out["grid"] = {AXES.get(k, k): (list(v) if isinstance(v, (list, tuple)) else [v]) for k, v in value.items()}
        else:
            _apply_setting(out, key, value, str(path) + ":", problems)
    unknown_train = sorted(set(out["train"]) - train_fields())
    if unknown_train:
        problems.append(f"{path}: train: unknown training options {unknown_train}; known: {sorted(train_fields())}")
    return out


def _check_grid_keys(grid: dict, problems: Problems) -> None:
    known = set(AXES.values()) | train_fields()
    for key in grid:
        if key in known or _scoped_key(key):
            continue
        problems.append(
            _unscoped_hint(key)
            or f"--grid {key}: not a grid axis; use poolers, backbones, vads, seeds, a training option "
            f"({', '.join(sorted(train_fields()))}), pooler.NAME.OPTION or vad.NAME.OPTION"
        )


def resolve(
    cli: dict,
    config_file: str | None = None,
    sets: list[str] = (),
    grid_items: list[str] = (),
    params_file: str | None = None,
    problems: Problems | None = None,
) -> RunConfig:
    """Merge defaults < recipe < --config < --params < --set < --grid into one RunConfig.

    ``cli`` holds the command's own options (None: not given; they rank with --set). With
    ``problems`` given, problems are appended there; otherwise they are raised at the end.
    """
    from bench.train import recipes

    own = Problems() if problems is None else problems
    merged = RunConfig().to_dict()
    from_file = _read_config_file(config_file, own) if config_file else {}
    command_line = {"train": {}, "pooler_options": {}, "vad_options": {}}
    for key, values in parse_assignments(list(sets), "--set").items():
        _apply_setting(command_line, key, values[0] if len(values) == 1 else values, "--set", own)
    command_line.update({k: v for k, v in cli.items() if v is not None})

    recipe_name = command_line.get("recipe", from_file.get("recipe", merged["recipe"]))
    try:
        recipe = recipes.get(recipe_name)
    except BenchError as exc:
        own.append(f"--recipe: {exc}")
        recipe = recipes.get(recipes.DEFAULT_RECIPE)
    merged.update(copy.deepcopy(recipe.run))  # the recipe's run options, below --config and --set
    for layer in (from_file, command_line):  # --config, then --set and the command's options
        for key, value in layer.items():
            if key in ("pooler_options", "vad_options"):
                for name, options in value.items():
                    merged[key].setdefault(name, {}).update(options or {})
            elif key not in ("train", "grid", "params"):
                merged[key] = value
    merged["recipe"] = recipe.name
    merged["train"] = {**recipe.resolved(), **from_file.get("train", {}), **command_line["train"]}
    tuned = load_yaml(params_file) if params_file else from_file.get("params", {})
    merged["params"] = _tuned_params(tuned, set(command_line["train"]), own)
    merged["grid"] = {**copy.deepcopy(recipe.grid), **from_file.get("grid", {}), **parse_assignments(list(grid_items))}
    _check_grid_keys(merged["grid"], own)
    if merged["backbone"] is None:
        merged["backbone"] = "fbank" if merged["dataset"] == "demo" and not merged["manifest"] else "wavlm-large"
    _cross_corpus_options(merged, own)
    if isinstance(merged["folds"], (int, str)):
        merged["folds"] = [merged["folds"]]
    if isinstance(merged["layers"], int):  # --set layers=12: one hidden state
        merged["layers"] = [merged["layers"]]
    config = RunConfig(**merged)
    if problems is None:
        own.raise_if_any()
    return config


def _cross_corpus_options(merged: dict, problems: Problems) -> None:
    """--test as a list, --class-map FILE read into the mapping it holds, protocol cross-corpus by default."""
    if isinstance(merged["test"], str):
        merged["test"] = [merged["test"]]
    if isinstance(merged["class_map"], str):
        try:
            merged["class_map"] = load_yaml(merged["class_map"])
        except BenchError as exc:
            problems.append(f"--class-map: {exc}")
            merged["class_map"] = None
    if merged["test"] and merged["protocol"] == "loso":  # the default: test corpora mean cross-corpus
        merged["protocol"] = "cross-corpus"


def _tuned_params(params: dict, fixed_by_set: set[str], problems: Problems) -> dict:
    """--params (best_params.yaml of `bench tune`) without the training keys --set fixes."""
    if not isinstance(params, dict):
        problems.append("--params must hold a mapping (best_params.yaml of `bench tune`)")
        return {}
    params = copy.deepcopy(params)
    if isinstance(params.get("folds"), dict):
        params["folds"] = {
            int(f): {k: v for k, v in (p or {}).items() if k not in fixed_by_set} for f, p in params["folds"].items()
        }
    for key in fixed_by_set:
        params.pop(key, None)
    return params


PARAMS_INFO = ("design", "objective", "study", "dev_speakers", "pooler", "folds")


def fold_params(config: RunConfig, fold: int) -> dict | None:
    """Tuned parameters of ``fold`` (flat, or per fold under ``folds``); None when a per-fold
    file lacks that fold."""
    params = config.params or {}
    if isinstance(params.get("folds"), dict):
        per_fold = params["folds"]  # int keys, or str keys after a round trip through JSON
        chosen = per_fold.get(int(fold), per_fold.get(str(fold)))
        return None if chosen is None else dict(chosen)
    return {k: v for k, v in params.items() if k not in PARAMS_INFO}


def job_options(config: RunConfig, cell, fold: int) -> tuple[dict, dict]:
    """(training options, pooler options) of one job: config < tuned params of the fold < cell.

    Tuned ``pooler.X`` keys belong to the pooler the study tuned (``params.pooler``)."""
    tuned = fold_params(config, fold) or {}
    tuned_pooler = (config.params or {}).get("pooler")
    train = {
        **config.train,
        **{k: v for k, v in tuned.items() if not k.startswith("pooler.")},
        **cell.training_overrides(),
    }
    if train.get("mode") == "finetune":  # the model holds the backbone: the cell's, with the run's layers
        train["backbone"] = train.get("backbone") or cell.backbone
        if train.get("layers") is None and config.layers not in (None, "all"):
            layers = config.layers
            train["layers"] = [int(i) for i in (layers.split(",") if isinstance(layers, str) else layers)]
    pooler = {
        **config.options_of_pooler(cell.pooler),
        **(
            {k[len("pooler.") :]: v for k, v in tuned.items() if k.startswith("pooler.")}
            if tuned_pooler == cell.pooler
            else {}
        ),
        **cell.pooler_params(),
    }
    return train, pooler


def to_yaml(config: RunConfig, **recorded) -> str:
    """config.yaml: the configuration first, then the recorded-only keys (RECORDED)."""
    from bench.train import recipes

    recipe = recipes.get(config.recipe)
    overrides = {
        **recipes.differences(recipe.resolved(), config.train),  # training fields, then run options
        **recipes.differences(recipe.run, {k: getattr(config, k) for k in recipe.run}),
    }
    extra = {
        "config_digest": config.digest(),
        "recipe_overrides": {k: b for k, (_, b) in overrides.items()},
        **recorded,
    }
    return yaml.safe_dump({**config.to_dict(), **extra}, sort_keys=False)


def read_recorded(path: Path) -> dict:
    """The mapping a run folder's config.yaml holds ({} when unreadable)."""
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}
