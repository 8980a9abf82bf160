"""Where the Hugging Face cache is, whether we are offline, and fetching files from it.

Everything is read from the environment at call time (HF_HUB_CACHE, HF_HOME,
HF_HUB_OFFLINE, TRANSFORMERS_OFFLINE), so a changed environment is honoured without
re-importing huggingface_hub.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}


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


def hub_file(repo_id: str, filename: str, revision: str) -> Path | None:
    """Local path of one file of a hub repo (from the cache, or the hub when online); None when unavailable."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError

    try:
        return Path(hf_hub_download(repo_id, filename, revision=revision, cache_dir=hub_cache_dir(),
                                    local_files_only=hub_offline()))
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
