"""A synthetic feature store of IEMOCAP's shape, in the cache's own layout, for the benchmarks.

    store, seconds = synthetic_store(root, n, layers, dim)

n utterances whose lengths follow IEMOCAP's (log-normal, mean ~4.5 s, 1-19 s, 50 frames a
second), fp16 stacks [L, T, D] and speech masks (~70 % speech) as ``.npy`` files with the sha256
sidecar extraction writes, so ``FeatureStore.load`` accepts them. Files already under ``root``
are kept, so a child process opens the store its parent wrote without writing it again.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.cache import FeatureStore  # noqa: E402
from bench.cache.integrity import write_checksum  # noqa: E402

IEMOCAP_UTTERANCES = 5531  # the 4-class set


def synthetic_store(root: Path, n: int, layers: int, dim: int, seed: int = 0) -> tuple[FeatureStore, np.ndarray]:
    """-> (the store, each utterance's length in seconds [n])."""
    rng = np.random.default_rng(seed)
    seconds = np.clip(rng.lognormal(np.log(3.6), 0.6, n), 1.0, 19.0)  # IEMOCAP: mean ~4.5 s
    digests = {}
    for i, s in enumerate(seconds):
        t = int(s * 50)
        digest = hashlib.sha256(f"u{i}".encode()).hexdigest()
        for folder, draw in (
            ("features", lambda: rng.standard_normal((layers, t, dim), dtype=np.float32).astype(np.float16)),
            ("masks", lambda: rng.random(t) < 0.7),
        ):
            path = root / folder / digest[:2] / f"{digest}.npy"
            if path.exists():  # a store written before under the same root and seed (child processes)
                continue
            array = draw()
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, array)
            write_checksum(path, hashlib.sha256(path.read_bytes()).hexdigest())  # as extraction writes it
        digests[f"u{i}"] = digest
    return FeatureStore(str(root / "features"), str(root / "masks"), digests, list(range(layers)), dim), seconds
