"""Poolers: frame-level features [B, T, D] -> one utterance vector [B, out_dim].

    poolers.names(pattern="*") -> list[str]
    poolers.create(name, in_dim, **hparams) -> nn.Module   # .in_dim, .out_dim
        module(feats [B, T, D] float, valid [B, T] bool, speech [B, T] bool) -> [B, out_dim]
    poolers.hparams(name) -> dict[str, default]
    poolers.is_linear(name) -> bool
    poolers.pool_layers(name, feats [B, L, T, D], valid [B, T], speech [B, T]) -> [B, L, D]

``valid`` is False on padding; ``speech`` is the VAD mask (False on padding). Padding never
changes an output. Speech-only poolers (``sap``, ``sap-noattn``, the SAP half of ``sr``) use the
speech frames, and an utterance with no speech frame falls back to all its valid frames
(``poolers.masked.speech_or_valid``), so nothing is ever empty or NaN.

Linear poolers (``is_linear``: ``gap``, ``sap-noattn``) are fixed masked means, so for layer
weights ``w`` [L], ``create(name, D)(sum_l w_l feats[:, l], valid, speech)`` equals
``(w[None, :, None] * pool_layers(name, feats, valid, speech)).sum(1)``: training can pool each
layer once and learn the layer weighting on [B, L, D]. ``pool_layers`` raises
``PoolerConfigError`` for any other pooler. Unknown names raise ``bench.errors.UnknownNameError``
listing the valid ones; unknown or unusable hparams raise ``PoolerConfigError``.

New poolers: decorate an ``nn.Module`` class taking ``(in_dim, **hparams)`` with
``@register_pooler("name")`` in a module imported below; defining a static
``frame_weights(valid, speech) -> [B, T]`` makes it linear. See docs/poolers.md.
"""

from poolers._registry import (
    PoolerConfigError,
    create,
    hparams,
    is_linear,
    names,
    pool_layers,
    register_pooler,
)

# Importing each module registers its poolers (explicit imports: every name has a visible home).
from poolers import attentive_stats as _attentive_stats  # noqa: F401,E402  asp
from poolers import average as _average  # noqa: F401,E402  gap, sap-noattn, stats
from poolers import cnn as _cnn  # noqa: F401,E402  cnn
from poolers import segmental as _segmental  # noqa: F401,E402  sap, sr

__all__ = [
    "PoolerConfigError",
    "create",
    "hparams",
    "is_linear",
    "names",
    "pool_layers",
    "register_pooler",
]
