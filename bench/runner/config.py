"""The resolved configuration of a run: defaults < --config file < command-line options < --set.

Written as ``config.yaml`` in the run folder before any work. Running again into the same
folder resumes only when the configuration that decides the numbers is unchanged.
"""

from __future__ import annotations

import copy
import platform
import subprocess
import sys
from dataclasses import fields
from importlib import metadata
from pathlib import Path

import yaml

from bench.errors import BenchError
from bench.runner.grid import parse_assignments

DEFAULTS = {
    "dataset": "demo",
    "data_dir": None,
    "manifest": None,  # a manifest CSV instead of dataset + data_dir
    "class_set": None,
    "protocol": "loso",
    "validation": None,
    "backbone": None,  # None: fbank for the demo (offline), wavlm-large otherwise
    "vad": "webrtc",  # the SAP paper's VAD
    "vad_options": {},
    "folds": None,  # None: every fold of the plan; a list runs only those folds
    "layers": None,  # None: all hidden states of the backbone
    "max_duration": "auto",  # "auto": the corpus's default truncation (IEMOCAP 19 s, KEMDy19 16 s)
    "cache_dir": None,  # None: the user cache folder
    "dtype": None,
    "save_models": False,  # true: each finished job saves its model to RUN/models/<job>/ (for bench predict)
    "probes": True,  # convex reference probes (logistic regression on gap / sap-noattn / stats vectors)
    "max_skipped": 0.05,  # refuse to train when a larger share of the corpus could not be read
    "grid": {},
    "train": {},  # TrainConfig overrides shared by every job
    "pooler_params": {},  # pooler hyper-parameters shared by every job
    "params": {},  # tuned parameters from --params (global or per fold)
}
# What may differ between a run and its resumption without changing any number.
NOT_DECIDING = {"executor", "workers", "retry_failed", "environment", "out", "expected_jobs", "classes", "save_models",
                "max_skipped"}


def train_fields() -> set[str]:
    from bench.train.config import TrainConfig

    return {f.name for f in fields(TrainConfig)}


def load_yaml(path: str | Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise BenchError(f"config file not found: {path}")
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise BenchError(f"{path} must hold a YAML mapping of options, found {type(data).__name__}")
    return data


def apply_set(config: dict, assignments: list[str]) -> None:
    """``--set KEY=VALUE``: a top-level option, a training option, ``pooler.X`` or ``vad.X``."""
    known_train = train_fields()
    for key, values in parse_assignments(assignments, "--set").items():
        value = values[0] if len(values) == 1 else values
        if key.startswith("pooler."):
            config["pooler_params"][key[len("pooler."):]] = value
        elif key.startswith("vad."):
            config["vad_options"][key[len("vad."):]] = value
        elif key in known_train:
            config["train"][key] = value
        elif key in DEFAULTS and key not in ("grid", "train", "pooler_params", "params"):
            config[key] = value
        else:
            raise BenchError(f"--set {key}: unknown option; use one of {sorted(set(DEFAULTS) - {'grid', 'train', 'pooler_params', 'params'})}, "
                             f"a training option ({', '.join(sorted(known_train))}), pooler.NAME or vad.NAME")


def resolve(cli: dict, config_file: str | None, sets: list[str], grid_items: list[str], params_file: str | None) -> dict:
    """Merge the layers of configuration into one dict (see module docstring)."""
    config = copy.deepcopy(DEFAULTS)
    if config_file:
        for key, value in load_yaml(config_file).items():
            if key not in DEFAULTS:
                raise BenchError(f"{config_file}: unknown option {key!r}; known: {sorted(DEFAULTS)}")
            config[key] = value
    config.update({k: v for k, v in cli.items() if v is not None})
    apply_set(config, sets)
    if grid_items:
        config["grid"] = {**config["grid"], **parse_assignments(grid_items)}
    unknown = set(config["grid"]) - {"backbone", "vad", "pooler", "seed"} - train_fields()
    unknown = {k for k in unknown if not k.startswith("pooler.")}
    if unknown:
        raise BenchError(f"--grid keys {sorted(unknown)} are not grid axes (poolers, backbones, vads, seeds), "
                         f"training options or pooler.NAME")
    if params_file:
        config["params"] = load_yaml(params_file)
    if config["backbone"] is None:
        config["backbone"] = "fbank" if config["dataset"] == "demo" and not config["manifest"] else "wavlm-large"
    return config


def deciding_part(config: dict) -> dict:
    return {k: v for k, v in config.items() if k not in NOT_DECIDING}


def check_resumable(run_dir: Path, config: dict) -> None:
    """Raise unless ``run_dir`` is new or was made by the same deciding configuration."""
    path = run_dir / "config.yaml"
    if not path.is_file():
        return
    old = deciding_part(yaml.safe_load(path.read_text()) or {})
    new = deciding_part(yaml.safe_load(yaml.safe_dump(config)))
    if old != new:
        changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        raise BenchError(f"{run_dir} holds a run with a different configuration (differs in: {', '.join(changed)}). "
                         f"Resume it with the same options, or choose a new --out.")


def environment() -> dict:
    """Package versions, git commit, Python, platform and compute device of this run."""
    packages = {}
    for name in ("ser-pooling-bench", "torch", "transformers", "numpy", "scipy", "pandas", "scikit-learn",
                 "webrtcvad-wheels", "silero-vad", "optuna", "dask", "distributed"):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    import torch

    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": packages,
        "git_commit": _git_commit(),
        "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else f"cpu ({platform.processor() or platform.machine()})",
        "cuda": torch.version.cuda,
    }


def _git_commit() -> str | None:
    try:
        repo = Path(__file__).resolve().parents[2]
        out = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None
