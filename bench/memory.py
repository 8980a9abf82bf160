"""Recognising an out-of-memory error, so that one long file is skipped instead of ending a run.

PyTorch reports a failed allocation as ``torch.OutOfMemoryError`` (GPU) or a ``RuntimeError``
whose message names the allocator (CPU); NumPy raises a ``MemoryError``.
"""

from __future__ import annotations

_MESSAGES = ("out of memory", "can't allocate memory", "not enough memory", "cannot allocate memory")


def is_out_of_memory(exc: BaseException) -> bool:
    """True for the errors a failed allocation raises (CPU or GPU)."""
    if isinstance(exc, MemoryError):
        return True
    return isinstance(exc, RuntimeError) and any(m in str(exc).lower() for m in _MESSAGES)


def release_cached_memory() -> None:
    """Give the GPU allocator's cached blocks back after an OOM, before retrying smaller."""
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def out_of_memory_detail(seconds: float) -> str:
    """What to tell the user about a file that does not fit in memory even alone."""
    return (
        f"{seconds:.0f} s of audio did not fit in memory in the backbone even alone; set a max_duration "
        f"(bench extract/run --max-duration SECONDS, e.g. 30) to keep only the start of long files"
    )
