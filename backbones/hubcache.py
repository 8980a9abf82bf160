"""Where the Hugging Face cache is, whether the hub may be asked, and fetching files from it.

Everything is read from the environment at call time (HF_HUB_CACHE, HF_HOME, HF_ENDPOINT,
HF_HUB_OFFLINE, TRANSFORMERS_OFFLINE), so a changed environment is honoured without
re-importing huggingface_hub. Without offline mode, one TCP connection to the hub (or the
proxy) decides whether to go online: a machine without network then reads the cache at once
instead of sitting through huggingface_hub's retries of every request.
"""

from __future__ import annotations

import functools
import json
import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

_TRUE = {"1", "true", "yes", "on"}
CONNECT_TIMEOUT_S = 3.0


def hub_cache_dir() -> Path:
    """The hub cache folder: $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.join("~", ".cache")), "huggingface"
    )
    return Path(home).expanduser() / "hub"


def hub_offline() -> bool:
    """True when HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE is set (or huggingface_hub says so)."""
    if any(os.environ.get(key, "").strip().lower() in _TRUE for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")):
        return True
    from huggingface_hub import constants

    return bool(constants.HF_HUB_OFFLINE)


def hub_address() -> tuple[str, int]:
    """(host, port) the hub is reached through: the HTTPS proxy when one is set, else HF_ENDPOINT."""
    url = next(
        (os.environ[k] for k in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy") if os.environ.get(k)),
        os.environ.get("HF_ENDPOINT") or "https://huggingface.co",
    )
    parts = urlsplit(url if "://" in url else f"http://{url}")
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)


@functools.lru_cache(maxsize=16)
def _accepts_connection(host: str, port: int, timeout: float) -> bool:
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return True
    except OSError:
        return False


def hub_unavailable() -> str | None:
    """Why the hub must not be asked (offline mode, or it did not accept one connection), or None.

    The connection check runs once per (host, port) and process."""
    if hub_offline():
        return "offline mode is on (HF_HUB_OFFLINE=1)"
    host, port = hub_address()
    if not _accepts_connection(host, port, CONNECT_TIMEOUT_S):
        return (
            f"{host}:{port} did not accept a connection within {CONNECT_TIMEOUT_S:g} s "
            "(HF_HUB_OFFLINE=1 skips this check)"
        )
    return None


def hub_file(repo_id: str, filename: str, revision: str) -> Path | None:
    """Local path of one file of a hub repo (from the cache, or the hub when online); None when unavailable."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError

    try:
        return Path(
            hf_hub_download(
                repo_id,
                filename,
                revision=revision,
                cache_dir=hub_cache_dir(),
                local_files_only=hub_unavailable() is not None,
            )
        )
    except (OSError, EntryNotFoundError, ValueError):
        return None


def read_hub_json(repo_id: str, filename: str, revision: str) -> dict | None:
    """A JSON file of a hub repo, parsed; None when unavailable."""
    path = hub_file(repo_id, filename, revision)
    return None if path is None else json.loads(path.read_text())


def snapshot_commit(repo_id: str, revision: str) -> str | None:
    """The commit hash a (possibly branch-named) revision resolves to in the cache: the snapshot folder name."""
    path = hub_file(repo_id, "config.json", revision)
    if path is None or path.parent.parent.name != "snapshots":
        return None
    return path.parent.name
