"""Pretrained SSL models on the Hugging Face hub: registered entries and any hub id of a supported family.

A hub backbone is named by a registered name (``wavlm-large``) or a hub id (``microsoft/wavlm-large``,
``facebook/data2vec-audio-large-960h``), either optionally followed by ``@REVISION`` (a branch, tag or
commit hash; the registered entries default to "main"). Weights load the way transformers loads them
(the user's HF cache, the hub when it can be reached). When the hub may not be asked (offline mode,
or one connection attempt failed: ``hubcache.hub_unavailable``) only the cache is read, and a model
missing from it stops at once with a MissingWeightsError that says where it looked and how to fetch it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from backbones.families import check_model_type, model_class
from backbones.hubcache import hub_cache_dir, hub_unavailable, read_hub_json, snapshot_commit
from backbones.precision import resolve_device, resolve_dtype
from backbones.registry import register
from backbones.transformer import TransformersBackbone
from bench.errors import BenchError


class MissingWeightsError(BenchError):
    """A pretrained model is neither in the local cache nor downloadable."""


@dataclass(frozen=True)
class HubEntry:
    """One hub checkpoint at one revision. ``normalize`` is the fallback for its input normalisation when
    the repo's preprocessor_config.json (``do_normalize``) cannot be read."""

    name: str
    hub_id: str
    revision: str
    model_type: str
    num_layers: int  # L = transformer layers + 1
    hidden_size: int
    feat_extract_norm: str  # "layer" (attention mask, length batching) or "group" (equal-length batches)
    normalize: bool


# Revisions: pinned to the branch "main" (commit hashes could not be verified from here); the
# commit actually loaded is recorded in each backbone's identity ("commit"). NAME@COMMIT pins one.
HUB_ENTRIES = [
    HubEntry("wavlm-large", "microsoft/wavlm-large", "main", "wavlm", 25, 1024, "layer", True),
    HubEntry("wavlm-base-plus", "microsoft/wavlm-base-plus", "main", "wavlm", 13, 768, "group", False),
    HubEntry("wavlm-base", "microsoft/wavlm-base", "main", "wavlm", 13, 768, "group", False),
    HubEntry("hubert-large", "facebook/hubert-large-ll60k", "main", "hubert", 25, 1024, "layer", True),
    HubEntry("hubert-base", "facebook/hubert-base-ls960", "main", "hubert", 13, 768, "group", False),
    HubEntry("wav2vec2-large-lv60", "facebook/wav2vec2-large-lv60", "main", "wav2vec2", 25, 1024, "layer", True),
    HubEntry("wav2vec2-base", "facebook/wav2vec2-base", "main", "wav2vec2", 13, 768, "group", False),
    HubEntry("xlsr-53", "facebook/wav2vec2-large-xlsr-53", "main", "wav2vec2", 25, 1024, "layer", True),
    # data2vec-audio: layer-norm conv encoder in every size (no feat_extract_norm option)
    HubEntry(
        "data2vec-audio-large", "facebook/data2vec-audio-large", "main", "data2vec-audio", 25, 1024, "layer", True
    ),
    HubEntry("data2vec-audio-base", "facebook/data2vec-audio-base", "main", "data2vec-audio", 13, 768, "layer", True),
]
DEFAULT_BACKBONE = "wavlm-large"
_BY_NAME = {e.name: e for e in HUB_ENTRIES}
_BY_HUB_ID = {e.hub_id: e for e in HUB_ENTRIES}
# owner/name as the hub spells repo ids: letters, digits, "-", "_", "."; an optional @revision
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def split_revision(key: str) -> tuple[str, str | None]:
    """``"name@rev"`` -> ``("name", "rev")``; ``"name"`` -> ``("name", None)``."""
    name, sep, revision = key.partition("@")
    return (name, revision or None) if sep else (key, None)


def with_revision(backbone: str | None, revision: str | None) -> str | None:
    """The backbone name ``--backbone X --revision R`` stands for: ``X@R`` (``X`` alone without R)."""
    if revision is None:
        return backbone
    if backbone is None:
        raise BenchError(
            f"--revision {revision} needs --backbone (a hub name or id); in a grid write backbones=NAME@{revision}"
        )
    if "@" in backbone:
        raise BenchError(f"--backbone {backbone} already names a revision; drop --revision {revision} or the @ part")
    return f"{backbone}@{revision}"


def is_hub_name(key: str) -> bool:
    """True for a registered hub name or a hub id, each with or without ``@REVISION`` (no network)."""
    name, _ = split_revision(key)
    return name in _BY_NAME or bool(HUB_ID.match(name))


def hub_entry(key: str) -> HubEntry:
    """The checkpoint ``key`` names (see module doc). A registered entry, or its hub id, needs no
    network; another hub id's family and sizes come from its config.json (cache or hub)."""
    name, revision = split_revision(key)
    entry = _BY_NAME.get(name) or _BY_HUB_ID.get(name)
    if entry is None:
        entry = entry_from_config(name, revision or "main")
    if revision is not None:
        entry = replace(entry, name=f"{entry.name}@{revision}", revision=revision)
    return entry


def entry_from_config(hub_id: str, revision: str) -> HubEntry:
    """A HubEntry for any hub id of a supported family, read from the repo's config.json."""
    config = read_hub_json(hub_id, "config.json", revision)
    if config is None:
        raise missing_weights(hub_id, hub_id, revision, "config.json")
    check_model_type(config.get("model_type"), where=f"{hub_id}@{revision} config.json")
    norm = config.get("feat_extract_norm", "layer")
    return HubEntry(
        hub_id,
        hub_id,
        revision,
        config["model_type"],
        int(config["num_hidden_layers"]) + 1,
        int(config["hidden_size"]),
        norm,
        norm == "layer",
    )


def missing_weights(name: str, hub_id: str, revision: str, what: str, cause: Exception | None = None):
    """The MissingWeightsError for ``what`` (weights, config.json) of a checkpoint: where, why, what to do."""
    why = hub_unavailable() or "the hub refused the request or does not hold that repo and revision"
    detail = f" ({type(cause).__name__}: {str(cause).splitlines()[0] if str(cause) else ''})" if cause else ""
    return MissingWeightsError(
        f"backbone {name!r} needs the {what} of {hub_id} (revision {revision}); they are not in the Hugging Face "
        f"cache at {hub_cache_dir()} and {why}. On a machine with network run "
        f"`hf download {hub_id} --revision {revision}` (older huggingface_hub: "
        f"`huggingface-cli download {hub_id} --revision {revision}`) and copy the cache folder here "
        f"(or set HF_HOME / HF_HUB_CACHE to it), or pass the path of a local checkpoint folder instead.{detail}"
    )


def unavailable_checkpoint(key: str) -> str | None:
    """Why the checkpoint a hub name or id stands for cannot be loaded here, or None (no download).

    None when its config.json for that revision is in the HF cache, or the hub may be asked (one
    cheap check: ``hub_unavailable``); else the MissingWeightsError text, for a plan to report."""
    from huggingface_hub import try_to_load_from_cache

    name, revision = split_revision(key)
    entry = _BY_NAME.get(name) or _BY_HUB_ID.get(name)
    hub_id, revision = (entry.hub_id, revision or entry.revision) if entry else (name, revision or "main")
    cached = try_to_load_from_cache(hub_id, "config.json", cache_dir=hub_cache_dir(), revision=revision)
    if isinstance(cached, str) or hub_unavailable() is None:
        return None
    return str(missing_weights(key, hub_id, revision, "weights"))


def load_pretrained(entry: HubEntry):
    """``from_pretrained(hub_id, revision)`` from the HF cache or the hub; MissingWeightsError if neither."""
    try:
        return model_class(entry.model_type).from_pretrained(
            entry.hub_id,
            revision=entry.revision,
            cache_dir=str(hub_cache_dir()),
            local_files_only=hub_unavailable() is not None,
        )
    except OSError as exc:
        raise missing_weights(entry.name, entry.hub_id, entry.revision, "weights", exc) from exc


def input_normalize(entry: HubEntry) -> tuple[bool, str]:
    """(do_normalize, where it came from): the repo's preprocessor config, else the entry's fallback."""
    config = read_hub_json(entry.hub_id, "preprocessor_config.json", entry.revision)
    if config is not None and "do_normalize" in config:
        return bool(config["do_normalize"]), "preprocessor_config.json"
    return entry.normalize, "registry"


def build_hub_backbone(entry: HubEntry, device=None, dtype=None, max_batch_seconds=None) -> TransformersBackbone:
    """Load, move to device/dtype and wrap one hub entry."""
    device = resolve_device(device)
    model = load_pretrained(entry)
    normalize, normalize_source = input_normalize(entry)
    source = {
        "source": "hub",
        "hub_id": entry.hub_id,
        "revision": entry.revision,
        "commit": snapshot_commit(entry.hub_id, entry.revision),
        "normalize_source": normalize_source,
    }
    return TransformersBackbone(
        entry.name, model, source, normalize, device, resolve_dtype(dtype, device), max_batch_seconds=max_batch_seconds
    )


def create_hub_backbone(key: str, device=None, dtype=None, **options) -> TransformersBackbone:
    """``backbones.create`` for hub names and ids (``is_hub_name(key)``)."""
    return build_hub_backbone(hub_entry(key), device, dtype, **options)


def _register(entry: HubEntry) -> None:
    def factory(device=None, dtype=None, **options):
        return build_hub_backbone(entry, device, dtype, **options)

    factory.__doc__ = f"{entry.hub_id} @ {entry.revision}: L={entry.num_layers}, D={entry.hidden_size}"
    register(entry.name)(factory)


for _entry in HUB_ENTRIES:
    _register(_entry)
