"""The search space: loss weights on the simplex plus optional training / pooler parameters.

load_space(path=None) -> Space                 # default: bench/tune/default_space.yaml
simplex_point(u1, u2) -> (alpha, beta, gamma)  # uniform on the simplex for uniform u1, u2
space.suggest(trial, pooler, dim) -> {"alpha": ..., "lr": ..., "pooler.heads": ...}
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bench.errors import BenchError

DEFAULT_SPACE = Path(__file__).with_name("default_space.yaml")
SIMPLEX_PARAMS = ("simplex_u1", "simplex_u2")
LOSS_WEIGHTS = ("alpha", "beta", "gamma")
_TYPES = ("float", "int", "categorical")


def simplex_point(u1: float, u2: float) -> tuple[float, float, float]:
    """Map (u1, u2) in [0, 1]^2 onto the simplex alpha + beta + gamma = 1.

    For independent uniform u1, u2 the point is uniform on the simplex (the square-root trick of
    sampling a triangle uniformly). Corners: u1 = 0 -> alpha = 1; u1 = 1, u2 = 0 -> beta = 1;
    u1 = 1, u2 = 1 -> gamma = 1. Every point of the simplex is reached.
    """
    if not (0.0 <= u1 <= 1.0 and 0.0 <= u2 <= 1.0):
        raise ValueError(f"u1 and u2 must lie in [0, 1], got {u1}, {u2}")
    r = math.sqrt(u1)
    alpha, beta = 1.0 - r, r * (1.0 - u2)
    gamma = 1.0 - alpha - beta  # = r * u2, written so that the three sum to 1 exactly
    return alpha, beta, max(0.0, gamma)


@dataclass
class Space:
    loss_weights: bool = True
    params: dict = field(default_factory=dict)
    source: str = str(DEFAULT_SPACE)

    def active_params(self, pooler: str, dim: int | None) -> dict:
        """The ``params`` entries that apply to ``pooler`` on features of width ``dim``."""
        accepted = _pooler_hparams(pooler)
        active = {}
        for name, spec in self.params.items():
            if name.startswith("pooler."):
                if name[len("pooler.") :] not in accepted:
                    continue
                if name == "pooler.heads" and dim:
                    choices = (
                        [c for c in spec["choices"] if int(dim) % int(c) == 0]
                        if spec["type"] == "categorical"
                        else None
                    )
                    if choices is not None:
                        if not choices:
                            continue
                        spec = {**spec, "choices": choices}
            active[name] = spec
        return active

    def suggest(self, trial, pooler: str, dim: int | None) -> dict:
        """Sample one point; loss weights are also stored as the trial's user attributes."""
        values = {}
        if self.loss_weights:
            u1 = trial.suggest_float(SIMPLEX_PARAMS[0], 0.0, 1.0)
            u2 = trial.suggest_float(SIMPLEX_PARAMS[1], 0.0, 1.0)
            for name, value in zip(LOSS_WEIGHTS, simplex_point(u1, u2)):
                values[name] = value
                trial.set_user_attr(name, value)
        for name, spec in self.active_params(pooler, dim).items():
            if spec["type"] == "float":
                values[name] = trial.suggest_float(name, spec["low"], spec["high"], log=spec.get("log", False))
            elif spec["type"] == "int":
                values[name] = trial.suggest_int(
                    name, spec["low"], spec["high"], step=spec.get("step", 1), log=spec.get("log", False)
                )
            else:
                values[name] = trial.suggest_categorical(name, list(spec["choices"]))
        return values


def params_of(frozen_trial) -> dict:
    """The training parameters a finished trial used (loss weights from its user attributes)."""
    out = {k: frozen_trial.user_attrs[k] for k in LOSS_WEIGHTS if k in frozen_trial.user_attrs}
    out.update({k: v for k, v in frozen_trial.params.items() if k not in SIMPLEX_PARAMS})
    return out


def _pooler_hparams(pooler: str) -> set[str]:
    from bench.train import MODEL_NAMES

    if pooler in MODEL_NAMES:
        return set()
    from poolers._registry import hparams

    return set(hparams(pooler))


def load_space(path: str | Path | None = None) -> Space:
    """Read and check a space YAML file (see default_space.yaml for the format)."""
    path = Path(path) if path else DEFAULT_SPACE
    if not path.is_file():
        raise BenchError(f"search space file not found: {path}")
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict) or set(data) - {"loss_weights", "params"}:
        raise BenchError(
            f"{path}: a search space is a mapping with keys loss_weights (true/false) and params; "
            f"found {sorted(data) if isinstance(data, dict) else type(data).__name__}"
        )
    params = data.get("params") or {}
    if not isinstance(params, dict):
        raise BenchError(f"{path}: params must map names to distributions")
    from bench.runner.config import train_fields

    known = train_fields() - {"mode", "device", "backbone", "layers", "epochs", *LOSS_WEIGHTS}
    for name, spec in params.items():
        if name.startswith("vad") or name in ("backbone", "pooler"):
            raise BenchError(
                f"{path}: {name!r} cannot be tuned by bench tune (fixed per study: use --vad / --set vad.NAME=...)"
            )
        if name in LOSS_WEIGHTS:
            raise BenchError(
                f"{path}: {name} is tuned on the simplex with alpha/beta/gamma together: use loss_weights: true"
            )
        if not name.startswith("pooler.") and name not in known:
            raise BenchError(
                f"{path}: unknown parameter {name!r}; use a training option ({', '.join(sorted(known))}) or pooler.NAME"
            )
        _check_spec(path, name, spec)
    return Space(loss_weights=bool(data.get("loss_weights", True)), params=params, source=str(path))


def _check_spec(path, name, spec) -> None:
    if not isinstance(spec, dict) or spec.get("type") not in _TYPES:
        raise BenchError(f"{path}: {name} needs a distribution {{type: float|int|categorical, ...}}, got {spec!r}")
    if spec["type"] == "categorical":
        if not isinstance(spec.get("choices"), list) or not spec["choices"]:
            raise BenchError(f"{path}: {name} (categorical) needs a non-empty list of choices")
    elif "low" not in spec or "high" not in spec or not spec["low"] < spec["high"]:
        raise BenchError(f"{path}: {name} ({spec['type']}) needs low < high, got {spec!r}")
