"""Remembering a backbone's identity so that a cache hit never has to build the model.

A Backbone only knows its identity (hub id + revision or weight digest, dtype, ...) once built,
and building a large one costs seconds to minutes. The first time a backbone is built for a
*request* (name or folder, resolved device type and dtype, options), its identity, layer count
and width are written to ``<cache>/backbones/<request key>.json``. The request includes a digest
of the installed ``backbones`` source code and, for a local checkpoint folder, the size and
mtime of each file in it, so a code or weight change makes the memo miss and the model is
built (once) again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from bench.cache.atomic import atomic_write_bytes
from bench.cache.keys import short_digest


@dataclass(frozen=True)
class BackboneSpec:
    """What the cache needs to know about a backbone without building it."""

    identity: dict
    num_layers: int
    hidden_size: int

    @classmethod
    def of(cls, backbone) -> "BackboneSpec":
        return cls(dict(backbone.identity), int(backbone.num_layers), int(backbone.hidden_size))


def _code_digest() -> str:
    import backbones

    digest = hashlib.sha256()
    for path in sorted(Path(list(backbones.__path__)[0]).glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _folder_stats(name: str) -> list | None:
    path = Path(name).expanduser()
    if not path.is_dir():
        return None
    return sorted([p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in path.iterdir() if p.is_file())


def backbone_request(name: str, device=None, dtype=None, options: dict | None = None) -> dict:
    """The inputs that determine a built backbone's identity (JSON-serialisable)."""
    from backbones.precision import dtype_name, resolve_device, resolve_dtype

    resolved_device = resolve_device(device)
    folder = _folder_stats(str(name))
    return {
        "name": str(Path(name).expanduser().resolve()) if folder is not None else str(name),
        "device_type": resolved_device.type,
        "dtype": dtype_name(resolve_dtype(dtype, resolved_device)),
        "options": options or {},
        "code": _code_digest(),
        "files": folder,
    }


class IdentityMemo:
    """``get(request) -> BackboneSpec | None`` and ``put(request, spec)`` under ``folder``."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def _path(self, request: dict) -> Path:
        return self.folder / f"{short_digest(request)}.json"

    def get(self, request: dict) -> BackboneSpec | None:
        try:
            entry = json.loads(self._path(request).read_text())
            return BackboneSpec(entry["identity"], int(entry["num_layers"]), int(entry["hidden_size"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, request: dict, spec: BackboneSpec) -> None:
        entry = {
            "request": request,
            "identity": spec.identity,
            "num_layers": spec.num_layers,
            "hidden_size": spec.hidden_size,
        }
        atomic_write_bytes(self._path(request), json.dumps(entry, indent=2, sort_keys=True).encode())
