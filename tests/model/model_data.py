"""Tiny in-memory data for the model and training tests (a uniquely named module, importable
from test files as ``from model_data import ...``; conftest modules are not for importing)."""

from __future__ import annotations

import numpy as np

from bench.train import TrainConfig, UtteranceSet


class MemoryStore:
    """Stand-in for bench.cache.FeatureStore: ``load(id) -> (feats fp16 [L, T, D], speech bool [T])``."""

    def __init__(self, items: dict):
        self.items = items
        first = next(iter(items.values()))[0]
        self.num_layers, self.dim = first.shape[0], first.shape[-1]
        self.ids = list(items)

    def load(self, utt_id):
        return self.items[utt_id]


def make_set(
    n=60, num_classes=3, layers=2, dim=16, seed=0, with_va=True, separation=1.5, prefix="u", flip=False
) -> UtteranceSet:
    """``n`` utterances whose speech frames carry a class-dependent mean (in the last layer more
    strongly); non-speech frames are noise. Valence/arousal (1-5) follow the class."""
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(123).normal(size=(num_classes, dim)) * separation
    labels = np.arange(n) % num_classes
    items = {}
    for i, y in enumerate(labels):
        t = int(rng.integers(20, 50))
        speech = rng.random(t) < 0.7
        feats = rng.normal(size=(layers, t, dim))
        centre = centres[(num_classes - 1 - y) if flip else y]
        for layer in range(layers):
            feats[layer, speech] += centre * (layer + 1) / layers
        items[f"{prefix}{i}"] = (feats.astype(np.float16), speech)
    valence = 1.0 + 2.0 * labels + rng.normal(scale=0.2, size=n) if with_va else np.full(n, np.nan)
    arousal = 5.0 - 1.5 * labels + rng.normal(scale=0.2, size=n) if with_va else None
    return UtteranceSet(list(items), labels, valence, arousal, MemoryStore(items))


CLASSES = ["angry", "happy", "sad"]


def quick_config(**kw) -> TrainConfig:
    base = dict(epochs=8, batch_size=16, lr=3e-3, patience=30, device="cpu", min_steps=0)
    base.update(kw)
    return TrainConfig(**base)
