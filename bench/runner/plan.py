"""The planning step shared by `bench run` and `bench tune`: check the whole configuration and
work out what a run will do, before any folder is written or any audio is read.

    plan = plan_run(config)          # RunPlan, or PlanError listing every problem found
    plan.describe()                  # what `bench run --dry-run` prints

Checked: every name against its registry (dataset, backbones, VADs, poolers, recipe), every
option against its target's signature and range (training options through ``TrainConfig``,
pooler options through the pooler's constructor, VAD options through the detector's), the
dataset or manifest, the fold plan, the tuned parameters' folds, that the grid has jobs, and that
a hub backbone's model can be had (HF cache, or a hub that accepts a connection).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bench.errors import BenchError
from bench.runner.config import Problems, RunConfig, fold_params
from bench.runner.grid import AXES, Cell, expand, scope_of


@dataclass
class FeatureSet:
    """One (backbone, VAD, VAD options) the grid needs, and how much of it the cache holds."""

    backbone: str
    vad: str
    vad_options: dict
    cached: int | None = None  # utterances with features and mask cached; None: not known yet

    @property
    def key(self) -> tuple:
        return self.backbone, self.vad, tuple(sorted(self.vad_options.items()))


@dataclass
class RunPlan:
    """What a run will do: its data, folds, cells, seeds and feature sets."""

    config: RunConfig
    manifest: pd.DataFrame
    fold_table: pd.DataFrame  # the fold plan (bench.folds.fold_plan)
    folds: list[int]
    classes: list[str]
    cells: list[Cell]
    seeds: list[int]
    feature_sets: list[FeatureSet] = field(default_factory=list)

    def seeds_of(self, cell: Cell) -> list[int]:
        """Probe cells are convex and run with the first seed only."""
        from bench.train.probes import is_probe

        return self.seeds[:1] if is_probe(cell.pooler) else self.seeds

    @property
    def job_count(self) -> int:
        return sum(len(self.seeds_of(c)) for c in self.cells) * len(self.folds)

    def hparam_columns(self) -> list[str]:
        return sorted({k for c in self.cells for k in (c.shown or ())})

    def _fold_sources(self) -> list[str]:
        """Where the folds come from: the split file and its digest, or each cross-corpus pair."""
        if self.config.split_file:
            return [f"  split file: {self.config.split_file} (sha256 {self.config.split_sha256})"]
        if "corpus" not in self.manifest.columns:
            return []
        corpus = self.manifest.set_index("id")["corpus"]
        lines = []
        for fold in self.folds:
            part = self.fold_table[self.fold_table["fold"] == fold]
            test = part[part["role"] == "test"]
            train = part[part["role"] != "test"]
            lines.append(
                f"  fold {fold}: train {', '.join(sorted(set(corpus.loc[train['id']])))} ({len(train)} "
                f"utterances incl. validation), test {', '.join(sorted(set(corpus.loc[test['id']])))} "
                f"({len(test)} utterances, {test['speaker'].nunique()} speakers)"
            )
        return lines

    def describe(self, run_dir: Path | None = None) -> str:
        """The plan as `bench run --dry-run` prints it."""
        n = len(self.manifest)
        lines = [
            f"data: {n} utterances, {self.manifest['speaker'].nunique()} speakers, classes {', '.join(self.classes)}",
            f"folds: {len(self.folds)} ({self.config.protocol}): {', '.join(map(str, self.folds))}",
            *self._fold_sources(),
            f"recipe: {self.config.recipe}",
            f"cells: {len(self.cells)}",
        ]
        lines += [f"  {c.label}  ({len(self.seeds_of(c))} seed(s) x {len(self.folds)} folds)" for c in self.cells]
        lines.append(f"jobs: {self.job_count}")
        lines.append("features:")
        for fs in self.feature_sets:
            options = "".join(f" {k}={v}" for k, v in sorted(fs.vad_options.items()))
            state = (
                "cache state unknown until extraction"
                if fs.cached is None
                else "all cached"
                if fs.cached >= n
                else f"{fs.cached} of {n} cached, {n - fs.cached} to extract"
            )
            lines.append(f"  {fs.backbone} + VAD {fs.vad}{options}: {state}")
        if run_dir is not None:
            lines.append(f"results -> {run_dir}")
        return "\n".join(lines)


def plan_run(
    config: RunConfig,
    manifest: pd.DataFrame | None = None,
    problems: Problems | None = None,
    cache_status: bool = False,
) -> RunPlan:
    """Check ``config`` whole and plan it; raise PlanError with every problem found.

    ``manifest``: the run folder's own manifest when resuming (else the dataset is prepared or
    the --manifest read). ``cache_status``: count cached utterances per feature set (dry run).
    """
    problems = Problems() if problems is None else problems
    cells, seeds = _cells(config, problems)
    _check_options(config, cells, problems)
    if manifest is None:
        manifest = _manifest(config, problems)
    fold_table, folds = _folds(config, manifest, problems) if manifest is not None else (None, [])
    problems.raise_if_any()
    if config.split_file:  # the digest of the file the folds came from decides the run (config.yaml, resume)
        from bench.split_file import file_digest

        config = dataclasses.replace(config, split_sha256=file_digest(config.split_file))
    classes = sorted(manifest["label"].unique())
    plan = RunPlan(config, manifest, fold_table, folds, classes, cells, seeds, _feature_sets(cells))
    if plan.job_count == 0:
        problems.append("the grid has no jobs: it needs at least one pooler, seed and fold")
    _check_checkpoints(config, plan, problems)
    if cache_status:
        for fs in plan.feature_sets:
            fs.cached = _cached_count(config, fs, manifest)
    problems.raise_if_any()
    return plan


def resolved_max_duration(config: RunConfig) -> float | None:
    """``max_duration`` with "auto" replaced by the corpus's default truncation."""
    if config.max_duration != "auto":
        return None if config.max_duration is None else float(config.max_duration)
    if config.manifest:
        return None
    from bench import datasets

    return datasets.create(config.dataset).default_max_duration


# names --------------------------------------------------------------------------------------
def _cells(config: RunConfig, problems: Problems) -> tuple[list[Cell], list[int]]:
    import backbones
    import poolers
    from backbones.hub import is_hub_name

    import bench.vad
    from bench.train import MODEL_NAMES
    from bench.train.probes import is_probe

    grid = config.grid
    known_poolers = [*poolers.names(), *MODEL_NAMES]
    for name in grid.get("poolers", []):
        if is_probe(str(name)):
            problems.append(f"pooler {name!r}: probe cells are added automatically (run option probes: true)")
        elif name not in known_poolers:
            problems.append(f"unknown pooler {name!r}; valid poolers: {', '.join(known_poolers)}")
    for name in grid.get("vads", [config.vad]):
        if name not in bench.vad.names():
            problems.append(f"unknown VAD {name!r}; valid VADs: {', '.join(bench.vad.names())}")
    for name in grid.get("backbones", [config.backbone]):
        known = str(name) in backbones.names() or is_hub_name(str(name))  # a hub id's family is checked on load
        if not known and not Path(str(name)).expanduser().is_dir():
            problems.append(
                f"unknown backbone {name!r}; valid backbones: {', '.join(backbones.names())}, "
                f"NAME@REVISION, a hub id (owner/name[@REVISION]) of a WavLM, HuBERT, wav2vec2 or "
                f"data2vec-audio model, or a local folder holding a transformers checkpoint"
            )
    if not all(isinstance(s, int) for s in grid.get("seeds", [0])):
        problems.append(f"seeds must be integers, got {grid.get('seeds')}")
    if not config.manifest:
        from bench import datasets

        if config.dataset not in datasets.names():
            problems.append(f"unknown dataset {config.dataset!r}; valid datasets: {', '.join(datasets.names())}")
    if problems:
        return [], []
    # No probes when fine-tuning: the head's input is the backbone as it learns, which no probe on
    # cached features represents.
    finetune = (config.train or {}).get("mode") == "finetune"
    return expand(grid, config.backbone, config.vad, probes=bool(config.probes) and not finetune)


# options ------------------------------------------------------------------------------------
def _check_options(config: RunConfig, cells: list[Cell], problems: Problems) -> None:
    from bench.train.config import TrainConfig

    try:
        TrainConfig.from_dict(dict(config.train))
        base_ok = True
    except (TypeError, ValueError) as exc:
        problems.append(f"training options: {exc}")
        base_ok = False
    for key, values in config.grid.items():
        if not base_ok or key in AXES.values() or scope_of(key):
            continue
        for value in values:
            try:
                TrainConfig.from_dict({**config.train, key: value})
            except (TypeError, ValueError) as exc:
                problems.append(f"--grid {key}={value}: {exc}")
    _check_scoped(config, cells, problems)
    if config.max_duration not in ("auto", None):
        try:
            if not float(config.max_duration) > 0:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(f"max_duration must be positive seconds, 'auto' or none, got {config.max_duration!r}")
    if config.folds is not None and not all(isinstance(f, int) for f in config.folds):
        problems.append(f"folds must be fold numbers like 0,1, got {config.folds}")
    if any(k.startswith("pooler.") for k in _all_tuned_keys(config)) and not (config.params or {}).get("pooler"):
        problems.append(
            "--params holds pooler options but does not say which pooler they belong to; "
            "add `pooler: NAME` to the file (bench tune writes it)"
        )


def _all_tuned_keys(config: RunConfig) -> set[str]:
    params = config.params or {}
    if isinstance(params.get("folds"), dict):
        return {k for p in params["folds"].values() for k in (p or {})}
    return set(params)


def _scoped_values(config: RunConfig, kind: str) -> dict[str, list[dict]]:
    """{entry: [option dicts to check]} from the fixed options and the grid's scoped axes."""
    fixed = config.pooler_options if kind == "pooler" else config.vad_options
    out = {name: [dict(options or {})] for name, options in fixed.items()}
    for key, values in config.grid.items():
        scope = scope_of(key)
        if scope and scope[0] == kind:
            option = key.split(".")[2]
            base = dict(fixed.get(scope[1]) or {})
            out.setdefault(scope[1], []).extend({**base, option: v} for v in values)
    return out


def _check_scoped(config: RunConfig, cells: list[Cell], problems: Problems) -> None:
    from bench.train.probes import is_probe

    used = {"pooler": {c.pooler for c in cells if not is_probe(c.pooler)}, "vad": {c.vad for c in cells}}
    for kind, check in (("pooler", _pooler_problem), ("vad", _vad_problem)):
        for name, option_sets in _scoped_values(config, kind).items():
            if cells and name not in used[kind]:
                problems.append(
                    f"{kind}.{name}.* options are given but the grid has no {kind} {name!r} "
                    f"(its {kind}s: {', '.join(sorted(used[kind]))})"
                )
                continue
            for options in option_sets:
                problem = check(name, options, config)
                if problem:
                    problems.append(problem)


def _pooler_problem(name: str, options: dict, config: RunConfig) -> str | None:
    """Unknown or out-of-range options of pooler ``name`` (the constructor checks them)."""
    import poolers

    from bench.model.svm import SVM_NAME, SVMConfig

    if name == SVM_NAME:
        try:
            SVMConfig.from_dict(options)
        except (TypeError, ValueError) as exc:
            return f"pooler.svm options: {exc}"
        return None
    accepted = poolers.hparams(name)
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        return (
            f"pooler {name!r} has no option {', '.join(unknown)}; it accepts: "
            f"{', '.join(f'{k} (default {v!r})' for k, v in accepted.items()) or 'none'}"
        )
    width = _known_width(config)
    if width is not None:
        try:
            poolers.create(name, width, **options)
        except Exception as exc:  # noqa: BLE001 - any constructor complaint is a problem of the plan
            return f"pooler.{name} {options}: {exc}"
    return None


def _known_width(config: RunConfig) -> int | None:
    """The feature width of the backbone when the cache's identity memo knows it."""
    from bench.cache.status import backbone_spec

    spec = backbone_spec(config.backbone, config.cache_dir, config.dtype)
    return spec.hidden_size if spec is not None else None


def _vad_problem(name: str, options: dict, config: RunConfig) -> str | None:
    import bench.vad

    try:
        bench.vad.create(name, **options)
    except BenchError as exc:
        return str(exc)
    return None


# data and folds -----------------------------------------------------------------------------
def _manifest(config: RunConfig, problems: Problems) -> pd.DataFrame | None:
    from bench.manifest import read_manifest

    try:
        if config.manifest:
            manifest = read_manifest(config.manifest)
        else:
            from bench.datasets import prepare_dataset

            manifest = prepare_dataset(config.dataset, config.data_dir, config.class_set).manifest
        if config.test:
            manifest = _cross_corpus_manifest(config, manifest)
    except (BenchError, OSError, ValueError) as exc:
        problems.append(str(exc))
        return None
    if manifest.empty:
        problems.append(f"no usable utterance found for {config.manifest or 'dataset ' + repr(config.dataset)}")
        return None
    return manifest


def _cross_corpus_manifest(config: RunConfig, train: pd.DataFrame) -> pd.DataFrame:
    """The training corpus and every --test corpus joined over their shared (or mapped) classes."""
    from bench.cross_corpus import combined_manifest, corpus_name, load_test_manifest

    if config.protocol != "cross-corpus":
        raise BenchError(
            f"--test gives the test corpora of protocol 'cross-corpus', but the protocol is "
            f"{config.protocol!r}: drop --protocol (or --test)"
        )
    name = corpus_name(config.dataset, config.data_dir, config.manifest)
    return combined_manifest([(name, train), *[load_test_manifest(spec) for spec in config.test]], config.class_map)


def _fold_table(config: RunConfig, manifest: pd.DataFrame) -> pd.DataFrame:
    """The protocol's plan, or the user's fold file (--split-file) checked against the manifest."""
    from bench.folds import fold_plan
    from bench.split_file import read_split_file

    if not config.split_file:
        return fold_plan(manifest, config.protocol, config.validation)
    if config.protocol != "predefined":
        raise BenchError(
            f"--split-file gives the folds of protocol 'predefined', but the protocol is "
            f"{config.protocol!r}: add --protocol predefined (or drop --split-file)"
        )
    return read_split_file(config.split_file, manifest)


def _folds(config: RunConfig, manifest: pd.DataFrame, problems: Problems) -> tuple[pd.DataFrame | None, list[int]]:
    try:
        table = _fold_table(config, manifest)
    except (BenchError, ValueError) as exc:
        problems.append(f"fold plan: {exc}")
        return None, []
    available = sorted(int(f) for f in table["fold"].unique())
    dev = set((config.params or {}).get("dev_speakers") or [])
    tests = table[table["role"] == "test"].groupby("fold")["speaker"].agg(set)
    tuned_on = sorted(int(f) for f, speakers in tests.items() if speakers & dev)
    if config.folds is None:
        folds = [f for f in available if f not in tuned_on]
    else:
        folds = sorted(int(f) for f in config.folds)
        missing = sorted(set(folds) - set(available))
        if missing:
            problems.append(f"folds {missing} are not in the plan, which has folds {available[0]}..{available[-1]}")
        clash = sorted(set(folds) & set(tuned_on))
        if clash:
            problems.append(
                f"folds {clash} test development speakers of --params ({', '.join(sorted(dev))}), on which "
                f"the parameters were tuned; leave them out of folds"
            )
    lacking = [f for f in folds if fold_params(config, f) is None]
    if lacking:
        covered = sorted(int(f) for f in (config.params or {}).get("folds") or {})
        problems.append(
            f"--params has per-fold parameters but none for folds {lacking}; it covers folds {covered}: "
            f"run those only with --set folds={','.join(map(str, covered))}"
        )
    return table, folds


def _feature_sets(cells: list[Cell]) -> list[FeatureSet]:
    keys = dict.fromkeys(c.features for c in cells)
    return [FeatureSet(b, v, dict(options)) for b, v, options in keys]


def _check_checkpoints(config: RunConfig, plan: RunPlan, problems: Problems) -> None:
    """A hub backbone whose model must be loaded (fine-tuning, or frozen features this cache never
    extracted) but is neither in the HF cache nor downloadable: said now, once, rather than by every
    fine-tune job or in the middle of extraction."""
    from backbones.hub import is_hub_name, unavailable_checkpoint
    from bench.cache.status import backbone_spec

    finetune = (config.train or {}).get("mode") == "finetune"
    for name in sorted({fs.backbone for fs in plan.feature_sets}):
        if not is_hub_name(name) or Path(name).expanduser().exists():  # a local checkpoint folder
            continue
        if not finetune and backbone_spec(name, config.cache_dir, config.dtype) is not None:
            continue  # extracted with this cache before: its features may need no model at all
        problem = unavailable_checkpoint(name)
        if problem:
            problems.append(problem)


def _cached_count(config: RunConfig, fs: FeatureSet, manifest: pd.DataFrame) -> int | None:
    from bench.cache.status import cached_count

    options = {**config.options_of_vad(fs.vad), **fs.vad_options}
    request = config.feature_request(fs.backbone, fs.vad, options)
    return cached_count(manifest["path"].astype(str).tolist(), request)
