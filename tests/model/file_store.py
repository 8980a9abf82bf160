"""Write an in-memory test set to disk in the feature cache's layout -> a real ``FeatureStore``."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from bench.cache import FeatureStore
from bench.train import UtteranceSet


def as_feature_store(data: UtteranceSet, root: Path) -> UtteranceSet:
    """The same utterances and targets, read from .npy files through ``FeatureStore``."""
    digests = {}
    for utt_id in data.ids:
        feats, speech = data.store.load(utt_id)
        digest = hashlib.sha256(utt_id.encode()).hexdigest()
        for folder, array in (("features", feats), ("masks", np.asarray(speech, dtype=bool))):
            path = root / folder / digest[:2] / f"{digest}.npy"
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, array)
        digests[utt_id] = digest
    first = data.store.load(data.ids[0])[0]
    store = FeatureStore(str(root / "features"), str(root / "masks"), digests, list(range(first.shape[0])),
                         int(first.shape[2]))
    return UtteranceSet(data.ids, data.labels, data.valence, data.arousal, store)
