"""Integrity of cache entries: a checksum per entry, and checks that a file holds what it claims.

Each entry ``<d>.npy`` has a sidecar ``<d>.sha256``: the hex SHA-256 of the .npy bytes, then the
entry's stamp (size, mtime_ns, ctime_ns, inode) when that checksum was written or last verified.
Both files are written atomically, the sidecar after the entry, so a .npy without a sidecar (a kill
between the two, or a cache of an older version) is whole as written: extraction checks its size
and shape and adopts it.

    entry_problem(path, ndim, dtype, shape)  -> None or why the entry is unusable (cheap: header,
                                                file size, shape; no data read)
    checksum_problem(path, trust_stamp=...)  -> None or why the bytes do not match their checksum.
                                                trust_stamp (extraction): an entry whose stamp is
                                                unchanged is not read, so a full cache costs a stat
                                                and a small read per entry; any write to the file
                                                changes its mtime and ctime (ctime cannot be set
                                                back), so edited or copied-over entries are read
                                                and hashed. Without it (training's loads) the bytes
                                                are hashed once per process and file.
    write_checksum(path, digest)             the sidecar of an entry just written or verified
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from bench.cache.atomic import atomic_write_bytes

CHECKSUM_SUFFIX = ".sha256"
_verified: set[tuple[str, str]] = set()  # (path, stamp) whose checksum matched in this process


def checksum_path(entry: str | Path) -> Path:
    return Path(entry).with_suffix(CHECKSUM_SUFFIX)


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


def _stamp(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size} {stat.st_mtime_ns} {stat.st_ctime_ns} {stat.st_ino}"


def write_checksum(path: str | Path, digest: str) -> None:
    """Write the sidecar of ``path``: its sha256 ``digest`` and its stamp now."""
    path = Path(path)
    atomic_write_bytes(checksum_path(path), f"{digest} {_stamp(path)}\n".encode())


def _file_sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def checksum_problem(path: str | Path, trust_stamp: bool = False, adopt: bool = False) -> str | None:
    """None if the bytes of ``path`` match its sidecar checksum. ``trust_stamp``: skip reading an
    entry whose stamp matches the sidecar's; ``adopt``: give an entry without a sidecar one."""
    path = Path(path)
    try:
        recorded = checksum_path(path).read_text().split(maxsplit=1)
    except FileNotFoundError:
        recorded = []
    if not recorded:
        if not adopt:
            return "no checksum file"
        write_checksum(path, _file_sha256(path))
        return None
    key = (str(path), _stamp(path))
    if key in _verified:
        return None
    expected, stamp = recorded[0], (recorded[1].strip() if len(recorded) > 1 else None)
    if trust_stamp and stamp == _stamp(path):
        return None
    found = _file_sha256(path)
    if found != expected:
        return f"checksum mismatch (sha256 {found[:12]}..., recorded {expected[:12]}...)"
    _verified.add(key)
    if stamp != key[1]:  # verified now: the next extraction need not read it
        write_checksum(path, found)
    return None


def discard(path: str | Path) -> None:
    """Remove a bad entry and its checksum, so that the next extraction makes it again."""
    for part in (Path(path), checksum_path(path)):
        try:
            os.unlink(part)
        except FileNotFoundError:
            pass
