"""Atomic file writes and the clean-up of what a killed writer leaves behind.

A writer writes ``.tmp.<host>.<pid>.<random>.<final name>`` in the destination folder, fsyncs
it and renames it over the final name with ``os.replace`` (atomic on POSIX file systems, NFS and
Lustre included). Readers only ever open final names, so they see a whole entry or none.
"""

from __future__ import annotations

import io
import os
import secrets
import socket
import time
from pathlib import Path

import numpy as np

TEMP_PREFIX = ".tmp."
STALE_AFTER_S = 24 * 3600  # temp files of other hosts are removed only once this old


def _temp_path(path: Path) -> Path:
    host = socket.gethostname().replace(".", "_")
    return path.with_name(f"{TEMP_PREFIX}{host}.{os.getpid()}.{secrets.token_hex(4)}.{path.name}")


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` never holds a partial file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_path(path)
    try:
        with open(temp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def npy_bytes(array: np.ndarray) -> bytes:
    """The bytes ``np.save`` writes for ``array`` (no pickles)."""
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def atomic_save_npy(path: str | Path, array: np.ndarray) -> None:
    """``np.save`` made atomic: the .npy lands whole at ``path`` or not at all."""
    atomic_write_bytes(path, npy_bytes(array))


def _writer_is_gone(name: str, now: float, mtime: float) -> bool:
    """A temp file is stale when its writer (same host) is dead, or it is older than STALE_AFTER_S."""
    parts = name[len(TEMP_PREFIX) :].split(".", 3)
    if len(parts) < 4 or now - mtime > STALE_AFTER_S:
        return True
    host, pid = parts[0], parts[1]
    if host != socket.gethostname().replace(".", "_") or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def clean_stale_temps(folder: str | Path) -> int:
    """Remove temp files under ``folder`` left by killed writers; returns how many."""
    removed, now = 0, time.time()
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            if not name.startswith(TEMP_PREFIX):
                continue
            path = Path(dirpath) / name
            try:
                if _writer_is_gone(name, now, path.stat().st_mtime):
                    path.unlink()
                    removed += 1
            except FileNotFoundError:  # its writer finished or another cleaner got there first
                continue
    return removed
