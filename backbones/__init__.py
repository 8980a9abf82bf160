"""Backbones: frame-level features of 16 kHz speech on the shared 20 ms grid.

    backbones.names() -> list[str]
    backbones.create(name_or_path, device=None, dtype=None, **options) -> Backbone
    Backbone.extract(waves, layers=None) -> list of float32 [L_sel, T, D]

Registered here: SSL models from the Hugging Face hub (``hub``), tiny random variants for
tests (``tiny``) and the weights-free log-mel ``fbank``. See docs/backbones.md.
"""

from backbones import fbank, hub, tiny  # noqa: F401  (imports register the entries)
from backbones.base import Backbone
from backbones.registry import create, names

__all__ = ["Backbone", "create", "names"]
