"""Integrity of cache entries: a checksum per entry, and checks that a file holds what it claims.

Each entry ``<d>.npy`` has a sidecar ``<d>.sha256`` (the hex SHA-256 of the .npy bytes), written
after the entry. Both writes are atomic, so a .npy without a sidecar (a kill between the two, or a
cache of an older version) is whole as written: extraction checks its size and shape and adds the
sidecar.

    entry_problem(path, ndim, dtype, shape) -> None or why the entry is unusable (cheap: header,
                                               file size, shape; no data read)
    checksum_problem(path)                  -> None or why the bytes do not match their checksum
                                               (reads the file; memoised per process)
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

CHECKSUM_SUFFIX = ".sha256"
_verified: set[tuple[str, int, int]] = set()  # (path, size, mtime_ns) whose checksum matched in this process


def checksum_path(entry: str | Path) -> Path:
    return Path(entry).with_suffix(CHECKSUM_SUFFIX)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _header(path: Path) -> tuple[tuple[int, ...], np.dtype, int]:
    """(shape, dtype, data offset) from a .npy header; ValueError if it is not one."""
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read(f)
        return tuple(shape), dtype, f.tell()


def entry_problem(path: str | Path, ndim: int, dtype, shape: dict[int, int] | None = None) -> str | None:
    """Why the entry at ``path`` cannot be used, or None. ``shape``: {axis: expected size}."""
    path = Path(path)
    if not path.is_file():
        return "missing"
    try:
        found_shape, found_dtype, offset = _header(path)
    except (ValueError, OSError, EOFError) as exc:
        return f"unreadable header ({exc})"
    if len(found_shape) != ndim or found_dtype != np.dtype(dtype):
        return f"holds {found_dtype} {found_shape}, expected {ndim} axes of {np.dtype(dtype)}"
    bad_axes = {axis: size for axis, size in (shape or {}).items() if found_shape[axis] != size}
    if bad_axes:
        return f"shape {found_shape} differs from the expected sizes {bad_axes} (axis: size)"
    expected = offset + int(np.prod(found_shape)) * found_dtype.itemsize
    size = path.stat().st_size
    if size != expected:
        return f"{size} bytes, its header needs {expected} (truncated or padded)"
    return None


def checksum_problem(path: str | Path) -> str | None:
    """None if the bytes of ``path`` match its sidecar checksum (checked once per process)."""
    path = Path(path)
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key in _verified:
        return None
    try:
        expected = checksum_path(path).read_text().strip()
    except FileNotFoundError:
        return "no checksum file"
    with open(path, "rb") as f:
        found = hashlib.file_digest(f, "sha256").hexdigest()
    if found != expected:
        return f"checksum mismatch (sha256 {found[:12]}..., recorded {expected[:12]}...)"
    _verified.add(key)
    return None


def discard(path: str | Path) -> None:
    """Remove a bad entry and its checksum, so that the next extraction makes it again."""
    for part in (Path(path), checksum_path(path)):
        try:
            os.unlink(part)
        except FileNotFoundError:
            pass
