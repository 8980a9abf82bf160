"""What each registered backbone is, without downloading anything: for `bench list backbones`.

Hub entries report their hub id, revision, hidden states L, width D and parameter count. The count
is that of the model built on PyTorch's meta device (shapes, no memory, no weights) from the repo's
config.json when the HF cache holds it, else from the family's standard configuration at the entry's
sizes (Base: 12 layers of 768, Large: 24 layers of 1024). Other backbones (fbank, the tiny test
variants) are cheap, so they are built and counted as they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import torch

from backbones.families import config_class, model_class
from backbones.hub import HUB_ENTRIES, HubEntry
from backbones.hubcache import hub_cache_dir
from backbones.registry import create, describe, names


@dataclass(frozen=True)
class BackboneInfo:
    name: str
    source: str  # "hub_id @ revision", or what the backbone is
    num_layers: int  # L hidden states
    hidden_size: int  # D
    parameters: int
    counted_from: str  # "config.json in cache", "standard config", "built"


def cached_config(entry: HubEntry) -> dict | None:
    """The entry's config.json if the HF cache holds it (never the network)."""
    from huggingface_hub import try_to_load_from_cache

    path = try_to_load_from_cache(entry.hub_id, "config.json", cache_dir=hub_cache_dir(), revision=entry.revision)
    return json.loads(open(path).read()) if isinstance(path, str) else None


def standard_config(entry: HubEntry):
    """The family's standard configuration at the entry's sizes (heads of 64, a 4x wide feed-forward)."""
    large = entry.hidden_size >= 1024
    options = dict(
        hidden_size=entry.hidden_size,
        num_hidden_layers=entry.num_layers - 1,
        num_attention_heads=entry.hidden_size // 64,
        intermediate_size=4 * entry.hidden_size,
    )
    if entry.model_type != "data2vec-audio":
        options.update(feat_extract_norm=entry.feat_extract_norm, do_stable_layer_norm=large, conv_bias=large)
    return config_class(entry.model_type)(**options)


def meta_parameter_count(config) -> int:
    """Parameters of the family's base model for ``config``, built on the meta device."""
    with torch.device("meta"):
        model = model_class(config.model_type)(config)
    return sum(p.numel() for p in model.parameters())


def hub_info(entry: HubEntry) -> BackboneInfo:
    found = cached_config(entry)
    config = config_class(entry.model_type).from_dict(found) if found else standard_config(entry)
    return BackboneInfo(
        entry.name,
        f"{entry.hub_id} @ {entry.revision}",
        entry.num_layers,
        entry.hidden_size,
        meta_parameter_count(config),
        "config.json in cache" if found else "standard config",
    )


def built_info(name: str) -> BackboneInfo:
    backbone = create(name, device="cpu")
    model = getattr(backbone, "model", None)
    count = sum(p.numel() for p in model.parameters()) if model is not None else 0
    source = describe(name) or (type(backbone).__doc__ or name).strip().splitlines()[0].rstrip(".")
    return BackboneInfo(name, source, backbone.num_layers, backbone.hidden_size, count, "built")


def backbone_infos() -> list[BackboneInfo]:
    """One BackboneInfo per registered backbone, in name order."""
    hub = {e.name: e for e in HUB_ENTRIES}
    return [hub_info(hub[n]) if n in hub else built_info(n) for n in names()]
