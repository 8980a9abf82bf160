"""The dataset registry: a plain dict of adapter classes filled by ``register``."""

from __future__ import annotations

from pathlib import Path

from bench.datasets.base import CorpusAdapter, Preparation, prepare
from bench.errors import unknown_name

_REGISTRY: dict[str, type[CorpusAdapter]] = {}


def register(cls: type[CorpusAdapter]) -> type[CorpusAdapter]:
    """Class decorator: add an adapter under its ``name``."""
    _REGISTRY[cls.name] = cls
    return cls


def names() -> list[str]:
    """Registered dataset names, sorted."""
    return sorted(_REGISTRY)


def create(name: str) -> CorpusAdapter:
    """An adapter instance by name; an unknown name lists the valid ones."""
    if name not in _REGISTRY:
        raise unknown_name("dataset", name, _REGISTRY)
    return _REGISTRY[name]()


def prepare_dataset(name: str, data_dir: str | Path | None = None, class_set: str | None = None) -> Preparation:
    """Build the manifest of corpus ``name`` found at ``data_dir`` (see ``base.prepare``)."""
    return prepare(create(name), data_dir, class_set)
