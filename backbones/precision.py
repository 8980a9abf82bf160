"""Device and dtype defaults: CUDA when present, fp16 on GPU, fp32 on CPU."""

from __future__ import annotations

import torch

from bench.errors import BenchError

_DTYPES = {
    "fp32": torch.float32,
    "float32": torch.float32,
    "float": torch.float32,
    "fp16": torch.float16,
    "float16": torch.float16,
    "half": torch.float16,
    "bf16": torch.bfloat16,
    "bfloat16": torch.bfloat16,
}


def resolve_device(device: str | torch.device | None) -> torch.device:
    """``None`` -> ``cuda`` when available, else ``cpu``."""
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise BenchError(f"device {device} was asked for but CUDA is not available here; use device='cpu'")
    return device


def resolve_dtype(dtype: str | torch.dtype | None, device: torch.device) -> torch.dtype:
    """``None`` -> float16 on CUDA, float32 elsewhere. Strings: fp32/fp16/bf16 or torch names."""
    if dtype is None:
        return torch.float16 if device.type == "cuda" else torch.float32
    if isinstance(dtype, torch.dtype):
        if dtype not in _DTYPES.values():
            raise BenchError(f"dtype {dtype} is not supported; use one of float32, float16, bfloat16")
        return dtype
    key = str(dtype).lower().removeprefix("torch.")
    if key not in _DTYPES:
        raise BenchError(f"unknown dtype {dtype!r}; use one of {', '.join(sorted(_DTYPES))}")
    return _DTYPES[key]


def dtype_name(dtype: torch.dtype) -> str:
    """torch.float16 -> 'float16' (for identities)."""
    return str(dtype).removeprefix("torch.")
