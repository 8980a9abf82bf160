"""Registry of backbone factories: a plain dict filled by ``@register``.

A factory takes ``(device, dtype, **options)`` and returns a Backbone. ``create`` also accepts a
path to a local transformers checkpoint folder, a Hugging Face hub id of a supported family, and
``NAME@REVISION`` for a hub name or id (backbones/hub.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bench.errors import UnknownNameError, unknown_name

_REGISTRY: dict[str, Callable] = {}


def register(name: str) -> Callable[[Callable], Callable]:
    """Decorator: register ``factory(device=None, dtype=None, **options) -> Backbone`` as ``name``."""

    def wrap(factory: Callable) -> Callable:
        if name in _REGISTRY:
            raise ValueError(f"backbone {name!r} is registered twice")
        _REGISTRY[name] = factory
        return factory

    return wrap


def names() -> list[str]:
    """All registered backbone names, sorted."""
    return sorted(_REGISTRY)


def describe(name: str) -> str:
    """First sentence of a registered factory's docstring ("" when it has none)."""
    doc = " ".join((_REGISTRY[name].__doc__ or "").split())
    return doc.split(". ")[0].rstrip(".")


def create(name_or_path: str | Path, device=None, dtype=None, **options):
    """Build a registered backbone, a hub checkpoint, or load a local checkpoint folder.

    Order: a registered name; an existing folder; a hub name or id, optionally ``@REVISION``
    (``wavlm-large@<commit>``, ``microsoft/wavlm-large``); else a path-like key is taken as a folder.
    ``options`` go to the factory (e.g. ``max_batch_seconds`` for transformers models).
    Raises UnknownNameError (listing valid names) or BenchError for a bad folder or missing weights.
    """
    key = str(name_or_path)
    if key in _REGISTRY:
        return _REGISTRY[key](device=device, dtype=dtype, **options)
    path = Path(key).expanduser()
    from backbones.hub import create_hub_backbone, is_hub_name

    if not path.exists() and is_hub_name(key):
        return create_hub_backbone(key, device=device, dtype=dtype, **options)
    if path.exists() or _looks_like_path(key):
        from backbones.local import load_local_backbone

        return load_local_backbone(path, device=device, dtype=dtype, **options)
    err = unknown_name("backbone", key, _REGISTRY)
    raise UnknownNameError(
        f"{err}; also accepted: a Hugging Face hub id of a WavLM, HuBERT, wav2vec2 or data2vec-audio model "
        "(owner/name, optionally @REVISION), or a path to a local folder holding a transformers checkpoint "
        "(config.json + model.safetensors or pytorch_model.bin). `bench list backbones` shows the registered ones."
    )


def _looks_like_path(key: str) -> bool:
    return "/" in key or "\\" in key or key.startswith((".", "~"))
