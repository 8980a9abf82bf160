"""The cache folder: features and speech masks addressed by key, read memory-mapped, written atomically.

Layout (docs/cache.md):

    <root>/features/<features key>/key.json              what the key stands for
    <root>/features/<features key>/<d[:2]>/<d>.npy        float16 [L, T, D], d = audio sha256
    <root>/features/<features key>/<d[:2]>/<d>.sha256     checksum of the .npy (integrity.py)
    <root>/masks/<mask key>/key.json
    <root>/masks/<mask key>/<d[:2]>/<d>.npy               bool [T] (+ its .sha256)
    <root>/digests/...                                    audio digest memo (digests.py)
    <root>/backbones/...                                  backbone identity memo (identities.py)
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from bench.cache import keys
from bench.cache.atomic import atomic_write_bytes, clean_stale_temps, npy_bytes
from bench.cache.integrity import checksum_problem, entry_problem, write_checksum
from bench.errors import BenchError


def default_cache_dir() -> Path:
    """The user's cache folder for this tool (platformdirs), e.g. ~/.cache/ser-pooling-bench."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("ser-pooling-bench", appauthor=False))


def _write_description(folder: Path, description: dict) -> None:
    path = folder / "key.json"
    if not path.exists():
        atomic_write_bytes(path, json.dumps(description, indent=2, sort_keys=True).encode())


class FeatureCache:
    """``FeatureCache(root)``: look up, read and write cache entries under ``root``."""

    def __init__(self, root: str | Path | None = None):
        self.root = Path(root if root is not None else default_cache_dir()).expanduser().resolve()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BenchError(f"cannot create the cache folder {self.root}: {exc}; pass a writable --cache-dir") from exc

    # folders ------------------------------------------------------------------------------
    def features_dir(self, backbone_identity: dict, layers, preprocessing: dict) -> Path:
        """Folder of one (backbone, layers, preprocessing) combination; created with its key.json."""
        description = keys.features_description(backbone_identity, layers, preprocessing)
        folder = self.root / "features" / keys.short_digest(description)
        _write_description(folder, description)
        return folder

    def masks_dir(self, vad_identity: dict, preprocessing: dict) -> Path:
        """Folder of one (VAD, preprocessing) combination; created with its key.json."""
        description = keys.mask_description(vad_identity, preprocessing)
        folder = self.root / "masks" / keys.short_digest(description)
        _write_description(folder, description)
        return folder

    @staticmethod
    def entry_path(folder: Path, audio_digest: str) -> Path:
        return Path(folder) / audio_digest[:2] / f"{audio_digest}.npy"

    def clean(self, *folders: Path) -> int:
        """Remove temp files of killed writers in ``folders`` (default: the whole cache)."""
        return sum(clean_stale_temps(f) for f in (folders or (self.root,)))

    # reading ------------------------------------------------------------------------------
    def features(self, backbone_identity: dict, layers, preprocessing: dict, audio_digest: str):
        """float16 memmap [L, T, D], or None when not cached."""
        return read_entry(self.entry_path(self.features_dir(backbone_identity, layers, preprocessing), audio_digest))

    def speech_mask(self, vad_identity: dict, preprocessing: dict, audio_digest: str):
        """bool [T], or None when not cached."""
        mask = read_entry(self.entry_path(self.masks_dir(vad_identity, preprocessing), audio_digest))
        return None if mask is None else np.asarray(mask)

    # writing ------------------------------------------------------------------------------
    def put_features(self, folder: Path, audio_digest: str, feats: np.ndarray) -> int:
        """Store float [L, T, D] as float16 (atomically); returns bytes written."""
        with np.errstate(over="ignore"):
            half = np.asarray(feats).astype(np.float16)
        if half.ndim != 3:
            raise ValueError(f"features must be [L, T, D], got shape {half.shape}")
        if not np.isfinite(half).all():
            raise OverflowError("features are not finite in float16 (values beyond +-65504 or NaN)")
        _save_entry(self.entry_path(folder, audio_digest), half)
        return half.nbytes

    def put_speech_mask(self, folder: Path, audio_digest: str, mask: np.ndarray) -> None:
        """Store bool [T] atomically."""
        _save_entry(self.entry_path(folder, audio_digest), np.asarray(mask, dtype=bool))

    # checking -----------------------------------------------------------------------------
    def entry_problems(
        self, features_dir: Path, masks_dir: Path, audio_digest: str, num_layers: int, dim: int
    ) -> tuple[str | None, str | None]:
        """(features problem, mask problem) of one utterance's entries, None where usable: header,
        size and shape ([L, T, D] float16 and bool [T] with the same T), then the checksum, read
        only for an entry changed since its checksum was written (integrity.checksum_problem). An
        entry of an older version without a checksum file gets one."""
        feats = self.entry_path(features_dir, audio_digest)
        feats_problem = entry_problem(feats, 3, np.float16, {0: num_layers, 2: dim})
        feats_problem = feats_problem or checksum_problem(feats, trust_stamp=True, adopt=True)
        frames = None if feats_problem else int(np.load(feats, mmap_mode="r").shape[1])
        mask = self.entry_path(masks_dir, audio_digest)
        mask_problem = entry_problem(mask, 1, bool, None if frames is None else {0: frames})
        mask_problem = mask_problem or checksum_problem(mask, trust_stamp=True, adopt=True)
        return feats_problem, mask_problem

    def disk_usage(self, *folders: Path) -> int:
        """Bytes held by ``folders`` (default: the whole cache)."""
        total = 0
        for folder in folders or (self.root,):
            for dirpath, _, filenames in os.walk(folder):
                total += sum(os.path.getsize(os.path.join(dirpath, n)) for n in filenames)
        return total


def _save_entry(path: Path, array: np.ndarray) -> None:
    """The .npy, then its checksum (each atomically): a kill between them leaves a whole entry."""
    data = npy_bytes(array)
    atomic_write_bytes(path, data)
    write_checksum(path, hashlib.sha256(data).hexdigest())


def read_entry(path: Path):
    """A cached .npy memory-mapped read-only, or None when absent."""
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except FileNotFoundError:
        return None
