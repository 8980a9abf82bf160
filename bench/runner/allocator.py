"""Keep freed memory in the process for reuse: the C allocator setting every training job runs with.

glibc's ``malloc`` serves each allocation above its mmap threshold (at most 32 MiB) with a fresh
``mmap`` and returns it to the system on ``free``. PyTorch's CPU allocator is ``malloc``, so a
training step that allocates a ``[B, T, D]`` tensor at an SSL model's width (64 x 240 x 1024 in
float32: 63 MB) gets new pages every step, and the kernel zeroes each 4 KiB page on first touch:
writing such a tensor into fresh pages took 45 ms on the development machine, into reused memory
5 ms (``benchmarks/allocator.py``). A per-utterance loop never pays this, since its tensors are
small enough to be reused from the heap; a padded batch does, which made the cheap poolers
slower batched than looped.

``keep_freed_memory()`` tells glibc to serve every allocation from its heap (``M_MMAP_MAX = 0``)
and to keep up to ``TRIM_THRESHOLD`` bytes of freed memory at the heap's top instead of giving
them back (``M_TRIM_THRESHOLD``): after its first steps (a small allocation can land in a freed
block and make the heap grow once more), a job's steps reuse the pages of the ones before. A
process's peak memory is unchanged (it is the largest step's); what changes is that the process
holds it between steps. Placement does not change any number a job computes.

Elsewhere (macOS, musl, Windows) it does nothing and returns False. The executors apply it in
every job's process unless ``BENCH_KEEP_FREED_MEMORY=0`` (``bench.runner.executors``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

ENV = "BENCH_KEEP_FREED_MEMORY"
M_TRIM_THRESHOLD, M_MMAP_MAX = -1, -4  # mallopt parameters, glibc's malloc.h
TRIM_THRESHOLD = 2**31 - 1  # the largest an int can say: keep up to 2 GiB of freed memory at the heap's top

_applied: bool | None = None


def keep_freed_memory() -> bool:
    """Apply the setting to this process once (idempotent); True where it is in force."""
    global _applied
    if _applied is None:
        _applied = _apply()
    return _applied


def _apply() -> bool:
    if platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    # mallopt returns 1 on success, 0 on error
    return bool(libc.mallopt(M_MMAP_MAX, 0)) and bool(libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
