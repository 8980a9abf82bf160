"""The pooler registry: a plain dict filled by ``@register_pooler``, and the factory over it."""

from __future__ import annotations

import fnmatch
import inspect
from typing import Callable

import torch
from torch import nn

from bench.errors import BenchError, unknown_name

_POOLERS: dict[str, type[nn.Module]] = {}


class PoolerConfigError(BenchError, ValueError):
    """A pooler was given a hyper-parameter it does not accept, or a value it cannot use."""


def register_pooler(name: str) -> Callable[[type[nn.Module]], type[nn.Module]]:
    """Class decorator: register a pooler class under ``name``.

    The class is built as ``cls(in_dim, **hparams)``, has an ``out_dim`` attribute and
    ``forward(feats [B, T, D], valid [B, T], speech [B, T]) -> [B, out_dim]``. A class that
    defines ``frame_weights(valid, speech) -> [B, T]`` (weights summing to 1 per utterance) is
    a linear pooler: its output is ``sum_t w_t feats_t``.
    """

    def add(cls: type[nn.Module]) -> type[nn.Module]:
        if name in _POOLERS:
            raise ValueError(f"pooler {name!r} is registered twice ({_POOLERS[name]} and {cls})")
        _POOLERS[name] = cls
        return cls

    return add


def names(pattern: str = "*") -> list[str]:
    """Registered pooler names matching a glob ``pattern``, sorted."""
    return sorted(n for n in _POOLERS if fnmatch.fnmatchcase(n, pattern))


def _lookup(name: str) -> type[nn.Module]:
    if name not in _POOLERS:
        raise unknown_name("pooler", name, _POOLERS)
    return _POOLERS[name]


def hparams(name: str) -> dict[str, object]:
    """The hyper-parameters of pooler ``name`` and their defaults."""
    parameters = list(inspect.signature(_lookup(name)).parameters.values())[1:]  # skip in_dim
    return {p.name: p.default for p in parameters}


def create(name: str, in_dim: int, **hparams_: object) -> nn.Module:
    """Build pooler ``name`` for features of width ``in_dim``; unknown hparams raise."""
    cls = _lookup(name)
    accepted = hparams(name)
    unknown = sorted(set(hparams_) - set(accepted))
    if unknown:
        listed = ", ".join(f"{k}={v!r}" for k, v in accepted.items()) or "none"
        raise PoolerConfigError(
            f"pooler {name!r} got unknown hyper-parameter(s) {', '.join(unknown)}; "
            f"it accepts: {listed}. Fix the pooler options in the grid or the command line."
        )
    return cls(int(in_dim), **hparams_)


def is_linear(name: str) -> bool:
    """Whether pooler ``name`` is a fixed masked mean, which commutes with a weighted sum over
    layers, so per-layer pooled vectors can be precomputed with ``pool_layers``."""
    return hasattr(_lookup(name), "frame_weights")


def pool_layers(name: str, feats: torch.Tensor, valid: torch.Tensor, speech: torch.Tensor) -> torch.Tensor:
    """Pool every layer of a stack with a linear pooler: feats [B, L, T, D] -> [B, L, D].

    For any layer weights ``w`` [L]: ``pool(sum_l w_l feats_l) == sum_l w_l pool_layers(...)_l``.
    Raises ``PoolerConfigError`` for a pooler that is not linear (see ``is_linear``).
    """
    cls = _lookup(name)
    if not hasattr(cls, "frame_weights"):
        linear = ", ".join(n for n in names() if is_linear(n))
        raise PoolerConfigError(
            f"pooler {name!r} is not linear, so per-layer pooled vectors cannot be precomputed; "
            f"linear poolers: {linear}. Pool after the layer weighting instead."
        )
    weights = cls.frame_weights(valid, speech).to(feats.dtype)  # [B, T]
    return torch.einsum("bt,bltd->bld", weights, feats)
