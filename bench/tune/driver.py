"""`bench tune`: manifest -> fold plan -> features (the runner's pieces) -> one Optuna study per
target (nested: per fold; dev-speakers: one) -> best_params.yaml, figures, summary.md."""

from __future__ import annotations

import contextlib
import fcntl
import warnings
from dataclasses import dataclass
from pathlib import Path

import click
import yaml

from bench.errors import BenchError
from bench.tune import designs, storage as storages
from bench.tune.figures import study_figures
from bench.tune.objective import OBJECTIVE_LABELS, OBJECTIVES, TrialContext, run_trial
from bench.tune.outputs import StudyReport, best_params, write_best_params, write_summary
from bench.tune.space import load_space


@dataclass
class TuneOptions:
    pooler: str
    trials: int
    out: Path
    timeout: float | None = None  # seconds per study (per fold in the nested design)
    storage: str | None = None  # None: sqlite:///OUT/optuna.db
    study: str | None = None  # None: <corpus>-<pooler>-<design>
    space: str | None = None  # None: bench/tune/default_space.yaml
    design: str = "nested"
    dev_speakers: list[str] | None = None
    folds: int | None = None  # nested: tune the first K folds only
    objective: str = "ua"
    seed: int = 0  # training seed of every trial
    sampler_seed: int | None = None  # TPE seed (+ fold index); give each parallel worker its own
    pruner: str = "median"
    startup_trials: int = 3  # trials a pruner waits for before pruning
    warmup_epochs: int = 1  # epochs of a trial never pruned


@contextlib.contextmanager
def _folder_lock(folder: Path):
    """Serialise the preparation of one output folder among workers on this machine."""
    with open(folder / ".prepare.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _check(options: TuneOptions) -> None:
    from bench.train import MODEL_NAMES

    import poolers

    if options.pooler in MODEL_NAMES or options.pooler not in poolers.names():
        raise BenchError(
            f"--pooler {options.pooler!r}: bench tune tunes the neural poolers {', '.join(poolers.names())}"
        )
    if options.design not in designs.DESIGNS:
        raise BenchError(f"--design {options.design!r}: use one of {', '.join(designs.DESIGNS)}")
    if options.objective not in OBJECTIVES:
        raise BenchError(f"--objective {options.objective!r}: use one of {', '.join(OBJECTIVES)}")
    if options.trials < 1:
        raise BenchError("--trials must be at least 1")
    if options.dev_speakers and options.design != "dev-speakers":
        raise BenchError("--dev-speakers belongs to --design dev-speakers")
    if options.folds is not None and options.design != "nested":
        raise BenchError("--folds belongs to --design nested (dev-speakers tunes one study)")


def _corpus_name(config) -> str:
    return Path(config.manifest).stem if config.manifest else config.dataset


def tune_config(config, options: TuneOptions):
    """The run configuration of a study: one cell (the tuned pooler, the training seed), no probes."""
    from bench.runner.config import RunConfig

    return RunConfig(
        **{**config.to_dict(), "grid": {"poolers": [options.pooler], "seeds": [options.seed]}, "probes": False}
    )


def _write_setup(plan, out: Path) -> None:
    """manifest.csv and folds.csv of the study folder (atomically; the first worker writes them)."""
    from bench.folds import PLAN_COLUMNS
    from bench.manifest import manifest_text
    from bench.runner.store import atomic_write_text

    if not (out / "manifest.csv").is_file():
        atomic_write_text(out / "manifest.csv", manifest_text(plan.manifest))
    if not (out / "folds.csv").is_file():
        atomic_write_text(out / "folds.csv", plan.fold_table.to_csv(index=False, columns=PLAN_COLUMNS))


def run_tune(config, options: TuneOptions, echo=click.echo, problems=None) -> tuple[Path, dict]:
    """Tune ``options.pooler`` under ``config`` (a RunConfig, planned like `bench run`'s);
    return (out, best params)."""
    from bench.runner.config import job_options
    from bench.runner.jobs import utterance_set
    from bench.runner.run import extract_features, prepare

    _check(options)
    space = load_space(options.space)
    plan = prepare(tune_config(config, options), problems=problems)
    config = plan.config
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    with _folder_lock(out):
        _write_setup(plan, out)
    manifest, fold_table = plan.manifest, plan.fold_table
    if options.design == "nested":
        targets = designs.nested_targets(fold_table, options.folds)
    else:
        targets = [designs.dev_target(manifest, fold_table, options.dev_speakers)]
    store = extract_features(plan, echo)[plan.feature_sets[0].key]
    classes = plan.classes
    indexed = manifest.set_index("id", drop=False)
    train_options, pooler_options = job_options(config, plan.cells[0], plan.folds[0] if plan.folds else 0)

    direction, metric = OBJECTIVES[options.objective]
    study_name = options.study or f"{_corpus_name(config)}-{options.pooler}-{options.design}"
    storage_url = options.storage or storages.default_storage(out)
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # our own one line per trial instead
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=optuna.exceptions.ExperimentalWarning)  # heartbeat_interval
        storage = storages.make_storage(storage_url)
    warning = None
    if options.objective == "loss" and space.loss_weights:
        warning = (
            "--objective loss compares each trial's total loss under its own alpha/beta/gamma, which favours "
            "weighting the easiest term; prefer --objective ua, or loss_weights: false in the space"
        )
        echo(f"warning: {warning}")
    (out / "tune_config.yaml").write_text(
        yaml.safe_dump({"config": config.to_dict(), "options": {**vars(options), "out": str(out)}}, sort_keys=False)
    )
    reports = []
    for index, target in enumerate(targets):
        sampler_seed = None if options.sampler_seed is None else options.sampler_seed + index
        pruner = storages.make_pruner(options.pruner, options.startup_trials, options.warmup_epochs)
        study = storages.open_study(storage, study_name + target.suffix, direction, sampler_seed, pruner)
        echo(
            f"study {study.study_name}: train on {len(target.train_speakers)} speakers, score on "
            f"{' '.join(target.scoring_speakers)}"
            + (f" (test {' '.join(target.unused_speakers)} unused)" if target.unused_speakers else "")
        )
        ctx = TrialContext(
            target,
            utterance_set(indexed, target.train_ids, classes, store),
            utterance_set(indexed, target.valid_ids, classes, store),
            classes,
            options.pooler,
            dict(train_options),
            dict(pooler_options),
            space,
            store.dim,
            options.objective,
            options.seed,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)  # optuna's experimental-feature notices
            study.optimize(
                lambda trial: run_trial(trial, ctx),
                n_trials=options.trials,
                timeout=options.timeout,
                catch=(Exception,),
                callbacks=[_progress(echo, metric)],
            )
        reports.append(StudyReport(target, study))
    return out, _write_outputs(
        reports, options, config, study_name, storage_url, metric, warning, fold_table, out, echo
    )


def _progress(echo, metric):
    def callback(study, trial):
        value = f" {metric} {trial.value:.4f}" if trial.value is not None else ""
        reason = f" ({trial.system_attrs.get('fail_reason', '')})" if trial.state.name == "FAIL" else ""
        echo(f"  trial {trial.number}: {trial.state.name.lower()}{value}{reason}")

    return callback


def _write_outputs(reports, options, config, study_name, storage_url, metric, warning, plan, out, echo) -> dict:
    for report in reports:
        prefix = f"fold{report.target.fold}-" if report.target.fold is not None else ""
        report.figures = study_figures(report.study, out / "figures", prefix, OBJECTIVE_LABELS[options.objective])
    params = {**best_params(reports, options.design, options.objective, study_name), "pooler": options.pooler}
    write_best_params(params, out / "best_params.yaml")
    if options.design == "nested":
        covered = ",".join(str(f) for f in params["folds"])
        design_text = (
            "one study per outer fold; trials train on the fold's training speakers and are scored on its "
            "validation speaker; its test speaker is never used"
        )
        nxt = (
            f"`bench run --grid poolers={options.pooler} --params {out / 'best_params.yaml'}"
            f"{' --set folds=' + covered if options.folds else ''}` (with this command's corpus, backbone, VAD and --set options) "
            f"uses each fold's own parameters"
            + (f"; only folds {covered} were tuned, so run those (--set folds={covered})" if options.folds else "")
            + "."
        )
    else:
        skipped = designs.excluded_folds(plan, params["dev_speakers"])
        design_text = (
            f"trials train on every speaker but the development speakers {' '.join(params['dev_speakers'])} "
            f"and are early-stopped and scored on them"
        )
        nxt = (
            f"`bench run --grid poolers={options.pooler} --params {out / 'best_params.yaml'}` skips the folds that "
            f"test a development speaker (folds {', '.join(map(str, skipped))}) and reports the others."
        )
    objective_text = {
        "ua": "validation unweighted accuracy (maximised) at the early-stopping epoch",
        "loss": "total validation loss (minimised) at the early-stopping epoch",
    }[options.objective]
    info = {
        "study": study_name,
        "design": options.design,
        "design_text": design_text,
        "objective_text": objective_text,
        "pooler": options.pooler,
        "backbone": config.backbone,
        "vad": config.vad,
        "storage": storages.redact(storage_url),
        "space": options.space or "default (bench/tune/default_space.yaml)",
        "sampler_seed": options.sampler_seed,
        "seed": options.seed,
        "metric": metric,
        "warning": warning,
        "pruner": "none"
        if options.pruner == "none"
        else f"median (startup {options.startup_trials} trials, warm-up {options.warmup_epochs} epochs)",
        "next": nxt,
    }
    write_summary(reports, params, info, out / "summary.md", out)
    echo(f"best parameters -> {out / 'best_params.yaml'}; summary -> {out / 'summary.md'}")
    return params
