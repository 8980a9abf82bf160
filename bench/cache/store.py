"""FeatureStore: what training reads after extraction. Paths only, so it pickles to worker processes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.cache.integrity import checksum_problem, discard, entry_problem
from bench.datasets.base import Skipped
from bench.errors import BenchError


class CorruptCacheEntry(BenchError):
    """A cache entry failed its size, shape or checksum check, or is gone. Not the job's own failure:
    `bench run` runs such a job again on resume, after extraction has made the entry again."""


AGAIN = (
    "run the same command again: it re-extracts the entry and reruns the jobs that failed on it "
    "(from Python: extract_corpus, then load again)"
)


@dataclass
class FeatureStore:
    """Cached features and speech masks of one corpus for one (backbone, layers, VAD, preprocessing).

    ``load(id)`` memory-maps on each call (no open handles are kept, so thousands of utterances
    never exhaust file descriptors, and the store pickles as a few paths and dicts).
    """

    features_dir: str
    masks_dir: str
    digests: dict[str, str]  # utterance id -> audio sha256, for every usable utterance, manifest order
    layers: list[int]  # backbone hidden-state indices held, in stored order
    dim: int  # D
    skipped: dict[str, Skipped] = field(default_factory=dict)  # utterance id -> why it has no features
    backbone_identity: dict = field(default_factory=dict)
    vad_identity: dict = field(default_factory=dict)
    preprocessing: dict = field(default_factory=dict)
    report: dict = field(default_factory=dict)  # counts of the extraction that built it (see extract.py)

    @property
    def ids(self) -> list[str]:
        return list(self.digests)

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    def __len__(self) -> int:
        return len(self.digests)

    def __contains__(self, utt_id) -> bool:
        return utt_id in self.digests

    def _digest(self, utt_id: str) -> str:
        if utt_id in self.digests:
            return self.digests[utt_id]
        if utt_id in self.skipped:
            s = self.skipped[utt_id]
            raise BenchError(f"utterance {utt_id!r} has no features: {s.reason} ({s.detail})")
        raise KeyError(f"utterance {utt_id!r} is not in this feature store ({len(self)} utterances)")

    def feature_path(self, utt_id: str) -> Path:
        d = self._digest(utt_id)
        return Path(self.features_dir) / d[:2] / f"{d}.npy"

    def mask_path(self, utt_id: str) -> Path:
        d = self._digest(utt_id)
        return Path(self.masks_dir) / d[:2] / f"{d}.npy"

    def load(self, utt_id: str) -> tuple[np.ndarray, np.ndarray]:
        """(features float16 memmap [L, T, D], speech bool [T]) of one utterance.

        Both entries are checked first (header, size, shape, checksum: once per process per file);
        a damaged one is removed and CorruptCacheEntry raised, so no number is computed from it."""
        paths = self.feature_path(utt_id), self.mask_path(utt_id)
        for path in paths:
            if not path.is_file():
                raise CorruptCacheEntry(
                    f"cache entry {path} of utterance {utt_id!r} is gone (removed as damaged, or deleted): {AGAIN}"
                )
        problem = (
            entry_problem(paths[0], 3, np.float16, {0: self.num_layers, 2: self.dim})
            or checksum_problem(paths[0])
            or entry_problem(paths[1], 1, bool)
            or checksum_problem(paths[1])
        )
        if problem is None:
            feats = np.load(paths[0], mmap_mode="r", allow_pickle=False)
            speech = np.load(paths[1], allow_pickle=False)
            if feats.shape[1] == speech.shape[0]:
                return feats, speech
            problem = f"{feats.shape[1]} feature frames but {speech.shape[0]} mask frames"
        for path in paths:  # never train on it; the next extraction makes it again
            discard(path)
        raise CorruptCacheEntry(
            f"cache entry {paths[0]} (and its mask {paths[1].name}) of utterance {utt_id!r} was "
            f"damaged ({problem}) and has been removed: {AGAIN}"
        )

    def frames(self, utt_id: str) -> int:
        """T of one utterance, from the mask (cheap)."""
        return int(np.load(self.mask_path(utt_id), mmap_mode="r").shape[0])
