"""Write an in-memory test set to disk in the feature cache's layout -> a real ``FeatureStore``."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from bench.cache import FeatureStore
from bench.cache.feature_cache import FeatureCache
from bench.train import UtteranceSet


def as_feature_store(data: UtteranceSet, root: Path) -> UtteranceSet:
    """The same utterances and targets, read from .npy files through ``FeatureStore``."""
    digests, cache = {}, FeatureCache(root)
    for utt_id in data.ids:
        feats, speech = data.store.load(utt_id)
        digest = hashlib.sha256(utt_id.encode()).hexdigest()
        cache.put_features(root / "features", digest, feats)  # the cache's own writer: entry + checksum
        cache.put_speech_mask(root / "masks", digest, np.asarray(speech, dtype=bool))
        digests[utt_id] = digest
    first = data.store.load(data.ids[0])[0]
    store = FeatureStore(
        str(root / "features"), str(root / "masks"), digests, list(range(first.shape[0])), int(first.shape[2])
    )
    return UtteranceSet(data.ids, data.labels, data.valence, data.arousal, store)
