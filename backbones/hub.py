"""Registry entries of pretrained SSL models on the Hugging Face hub, each pinned to a revision.

Weights load the way transformers loads them (user's HF cache, the hub when online). Offline
(HF_HUB_OFFLINE=1) nothing touches the network; a model missing from the cache stops with a
BenchError that says where it looked and how to fetch it.
"""

from __future__ import annotations

from dataclasses import dataclass

from backbones.families import model_class
from backbones.hubcache import hub_cache_dir, hub_offline, read_hub_json, snapshot_commit
from backbones.precision import resolve_device, resolve_dtype
from backbones.registry import register
from backbones.transformer import TransformersBackbone
from bench.errors import BenchError


class MissingWeightsError(BenchError):
    """A pretrained model is neither in the local cache nor downloadable."""


@dataclass(frozen=True)
class HubEntry:
    """One pinned hub checkpoint. ``normalize`` is the fallback for its input normalisation when
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
# commit actually loaded is recorded in each backbone's identity ("commit").
HUB_ENTRIES = [
    HubEntry("wavlm-large", "microsoft/wavlm-large", "main", "wavlm", 25, 1024, "layer", True),
    HubEntry("wavlm-base-plus", "microsoft/wavlm-base-plus", "main", "wavlm", 13, 768, "group", False),
    HubEntry("wavlm-base", "microsoft/wavlm-base", "main", "wavlm", 13, 768, "group", False),
    HubEntry("hubert-large", "facebook/hubert-large-ll60k", "main", "hubert", 25, 1024, "layer", True),
    HubEntry("hubert-base", "facebook/hubert-base-ls960", "main", "hubert", 13, 768, "group", False),
    HubEntry("wav2vec2-large-lv60", "facebook/wav2vec2-large-lv60", "main", "wav2vec2", 25, 1024, "layer", True),
    HubEntry("wav2vec2-base", "facebook/wav2vec2-base", "main", "wav2vec2", 13, 768, "group", False),
    HubEntry("xlsr-53", "facebook/wav2vec2-large-xlsr-53", "main", "wav2vec2", 25, 1024, "layer", True),
]
DEFAULT_BACKBONE = "wavlm-large"


def load_pretrained(entry: HubEntry):
    """``from_pretrained(hub_id, revision)`` from the HF cache or the hub; MissingWeightsError if neither."""
    cache_dir, offline = hub_cache_dir(), hub_offline()
    try:
        return model_class(entry.model_type).from_pretrained(
            entry.hub_id, revision=entry.revision, cache_dir=str(cache_dir), local_files_only=offline
        )
    except OSError as exc:
        why = "offline mode is on (HF_HUB_OFFLINE=1)" if offline else "the hub could not be reached or refused"
        raise MissingWeightsError(
            f"backbone {entry.name!r} needs the weights of {entry.hub_id} (revision {entry.revision}); they are not "
            f"in the Hugging Face cache at {cache_dir} and {why}. On a machine with network run "
            f"`hf download {entry.hub_id} --revision {entry.revision}` (older huggingface_hub: "
            f"`huggingface-cli download {entry.hub_id} --revision {entry.revision}`) and copy the cache folder here "
            f"(or set HF_HOME / HF_HUB_CACHE to it), or pass the path of a local checkpoint folder instead of "
            f"{entry.name!r}. ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
        ) from exc


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
    source = {"source": "hub", "hub_id": entry.hub_id, "revision": entry.revision,
              "commit": snapshot_commit(entry.hub_id, entry.revision), "normalize_source": normalize_source}
    return TransformersBackbone(entry.name, model, source, normalize, device, resolve_dtype(dtype, device),
                                max_batch_seconds=max_batch_seconds)


def _register(entry: HubEntry) -> None:
    def factory(device=None, dtype=None, **options):
        return build_hub_backbone(entry, device, dtype, **options)

    factory.__doc__ = f"{entry.hub_id} @ {entry.revision}: L={entry.num_layers}, D={entry.hidden_size}"
    register(entry.name)(factory)


for _entry in HUB_ENTRIES:
    _register(_entry)
