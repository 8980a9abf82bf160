"""What a value left to a rule in config.yaml (None, "auto", {}) stood for in the run, for the Setup section.

    training_value(key, value, train, recorded, env) -> str   one TrainConfig field as the run used it
    data_value(key, config, run_path) -> str | None           one run option resolved, None: shown as written
    backbone_revision(config, records) -> str                 the weights each backbone ran with

The run records what it resolved (config.yaml ``train_defaults`` at set-up, ``features`` after
extraction: bench.runner); where an older run folder lacks those, the value is resolved now from
the same rules and the row says so.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

NOT_RECORDED = ", as this version resolves it: the run did not record it"
FINETUNE_ONLY = ("backbone", "layers", "freeze_feature_encoder")


def show(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}={show(v)}" for k, v in value.items()) or "none"
    return str(value)


def _count(items, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def _env_device(env: dict) -> str | None:
    """cuda or cpu, from the environment config.yaml records (None when it records none)."""
    if "device" not in env:
        return None
    return "cuda" if env.get("cuda") and not str(env.get("device", "")).startswith("cpu") else "cpu"


def training_value(key: str, value, train: dict, recorded: dict | None, env: dict) -> str:
    """Training field ``key`` as the run used it. ``value``: as config.yaml writes it (None or "auto"
    where left to a rule); ``train``: every field of the run; ``recorded``: config.yaml's
    ``train_defaults`` (None: an older run folder without it)."""
    from bench.train.config import TrainConfig

    mode = train.get("mode")
    rules = {
        "lr": f"{mode} default",
        "min_steps": f"{mode} default",
        "eval_batch_size": "= batch_size",
        "device": "auto",
    }
    if key in rules and value in (None, "auto"):
        if recorded is not None and key in recorded:
            per_pooler = " per pooler" if isinstance(recorded[key], dict) else ""
            return f"{show(recorded[key])} ({rules[key]}{per_pooler})"
        try:
            config = TrainConfig.from_dict(train)
        except (TypeError, ValueError):
            return show(value)
        used = {
            "lr": config.learning_rate,
            "min_steps": config.step_budget,
            "eval_batch_size": config.batch_size,
            "device": _env_device(env) or "cuda when available, else cpu",
        }[key]
        return f"{show(used)} ({rules[key]}{NOT_RECORDED})"
    if mode != "finetune" and key in FINETUNE_ONLY:
        return f"{show(value)} (fine-tuning only: unused)"
    if value is None:
        meaning = {
            "layer": "learned softmax weights over the layers",
            "max_grad_norm": "no gradient clipping",
            "backbone": "the cell's backbone",
            "layers": "the run's layers",
        }.get(key)
        return f"none: {meaning}" if meaning else "none"
    return show(value)


def _features(config: dict) -> list[dict]:
    """config.yaml's ``features``; for an older run of the fbank backbone alone (weights-free, always
    float32 on the CPU) the same record made now, flagged as not recorded."""
    recorded = [f for f in config.get("features") or [] if isinstance(f, dict)]
    name = str(config.get("backbone"))
    if recorded or (config.get("grid") or {}).get("backbones") or not name.startswith("fbank"):
        return recorded
    import backbones
    from backbones.base import resolved_revision

    if name not in backbones.names():
        return []
    backbone = backbones.create(name)
    layers = config.get("layers")
    return [
        {
            "backbone": name,
            "revision": resolved_revision(backbone.identity),
            "dtype": backbone.identity["dtype"],
            "layers": list(range(backbone.num_layers)) if layers in (None, "all") else layers,
            "not_recorded": True,
        }
    ]


def _folds(run_path: Path) -> str | None:
    try:
        folds = sorted(int(f) for f in pd.read_csv(run_path / "folds.csv")["fold"].unique())
    except (OSError, KeyError, ValueError, pd.errors.EmptyDataError):
        return None
    return f"all {len(folds)} of the plan: {', '.join(map(str, folds))}" if folds else None


def _per_feature_set(features: list[dict], key: str, fmt) -> str | None:
    """One value per distinct backbone (or VAD), "name: value" when there are several."""
    name_key = "vad" if key == "vad_settings" else "backbone"
    shown = {}
    for entry in features:
        if key in entry:
            shown.setdefault(str(entry[name_key]), fmt(entry[key]))
    if not shown:
        return None
    text = next(iter(shown.values())) if len(shown) == 1 else "; ".join(f"{n}: {v}" for n, v in shown.items())
    return text + (f" ({NOT_RECORDED.lstrip(', ')})" if any(e.get("not_recorded") for e in features) else "")


def data_value(key: str, config: dict, run_path: Path) -> str | None:
    """Run option ``key`` resolved where config.yaml leaves it to a rule; None: show it as written."""
    value, features = config.get(key), _features(config)
    if key == "data_dir" and value is None:
        return (
            "none (--manifest)"
            if config.get("manifest")
            else ("the shipped demo corpus" if config.get("dataset") == "demo" else "the dataset's default folder")
        )
    if key == "manifest" and value is None:
        return "none (prepared from the dataset)"
    if key == "class_set" and value is None:
        if config.get("manifest"):
            return "none (the manifest's labels)"
        from bench import datasets
        from bench.errors import BenchError

        try:
            return f"{datasets.create(str(config.get('dataset'))).default_class_set} (the dataset's default)"
        except BenchError:
            return None
    if key == "folds" and value is None:
        return _folds(run_path)
    if key == "layers" and value in (None, "all"):
        return _per_feature_set(features, "layers", lambda ls: f"all: {show(ls)} ({_count(ls, 'hidden state')})") or (
            "all hidden states"
        )
    if key == "dtype" and value is None:
        fbank_only = features and all(str(e.get("backbone")).startswith("fbank") for e in features)
        rule = " (fbank computes in it)" if fbank_only else " (the device's default)"
        return _per_feature_set(features, "dtype", lambda d: f"{d}{rule}") or (
            "the device's default (fp32 on CPU, fp16 on GPU)"
        )
    if key == "vad_options":
        return _per_feature_set(features, "vad_settings", show) or _vad_defaults(config)
    if key == "max_duration" and value is None:
        return "none: whole files"
    if key == "pooler_options" and not value:
        return "none: every pooler's defaults"
    return None


def _vad_defaults(config: dict) -> str | None:
    """Every setting of the run's VAD (its options over the defaults), for runs that did not record them."""
    import bench.vad
    from bench.errors import BenchError

    name = str(config.get("vad"))
    try:
        settings = bench.vad.create(name, **((config.get("vad_options") or {}).get(name) or {})).settings
    except BenchError:
        return None
    return f"{name}: {show(settings)} ({NOT_RECORDED.lstrip(', ')})"


def _built_in_revision(name: str) -> str | None:
    """The revision of a weights-free or seeded backbone (fbank, tiny-*), which no run needs to record."""
    import backbones
    from backbones.base import resolved_revision

    if name not in backbones.names() or not name.startswith(("fbank", "tiny-")):
        return None
    return resolved_revision(backbones.create(name, device="cpu").identity)


def backbone_revision(config: dict, records: dict | None = None) -> str:
    """The resolved revision of each backbone of the run: config.yaml ``features``, or for fine-tuning
    the finished jobs' ``backbone_revision`` (``records``: {job: record})."""
    tuned = {r["backbone_revision"]: None for r in (records or {}).values() if r.get("backbone_revision")}
    if tuned:
        return "; ".join(tuned) + " (fine-tuned from)"
    identity = config.get("backbone_identity") or (config.get("environment") or {}).get("backbone_identity")
    if identity and not config.get("features"):  # an identity recorded by hand or by another version
        from backbones.base import resolved_revision

        return resolved_revision(identity)
    shown = _per_feature_set(_features(config), "revision", str)
    if shown:
        return shown
    built_in = _built_in_revision(str(config.get("backbone")))
    if built_in and not (config.get("grid") or {}).get("backbones"):
        return f"{built_in} ({NOT_RECORDED.lstrip(', ')})"
    return "not recorded in config.yaml"
