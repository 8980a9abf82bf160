"""Content digests of audio files (sha256 of the bytes), remembered by (path, size, mtime).

Each known file has a small JSON entry ``digests/<h[:2]>/<h>.json`` (h = sha256 of the absolute
path) holding its size, mtime_ns and sha256; a file whose size and mtime still match is not
read again. One file per entry, written atomically, so many processes can share the index.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from bench.cache.atomic import atomic_write_bytes

CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of the file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class DigestIndex:
    """``digest(path) -> sha256`` with an on-disk memo under ``folder``."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.hashed = 0  # files actually read by this instance (the rest came from the memo)

    def _entry_path(self, path: str) -> Path:
        h = hashlib.sha256(path.encode()).hexdigest()
        return self.folder / h[:2] / f"{h}.json"

    def remembered(self, path: str | Path) -> str | None:
        """The memoised sha256 of ``path`` when its size and mtime still match, without reading
        the file; None otherwise. Raises OSError when the file cannot be stat'ed."""
        path = os.path.abspath(path)
        stat = os.stat(path)
        try:
            entry = json.loads(self._entry_path(path).read_text())
            if entry["size"] == stat.st_size and entry["mtime_ns"] == stat.st_mtime_ns and entry["path"] == path:
                return entry["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def digest(self, path: str | Path) -> str:
        """sha256 of ``path``'s bytes. Raises OSError (FileNotFoundError, ...) when it cannot be read."""
        path = os.path.abspath(path)
        known = self.remembered(path)
        if known is not None:
            return known
        stat = os.stat(path)
        entry_path = self._entry_path(path)
        sha = sha256_file(path)
        self.hashed += 1
        entry = {"path": path, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha}
        atomic_write_bytes(entry_path, json.dumps(entry).encode())
        return sha
