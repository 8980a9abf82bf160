"""What the cache already holds, found without reading audio or building a model (for plans).

    backbone_spec(name, cache_dir, dtype)          BackboneSpec from the identity memo, or None
    cached_count(paths, request)   utterances of ``paths`` whose features and speech mask are both
                                   cached for ``request`` (a FeatureRequest), or None when unknown

Nothing here writes: folders are located with the same keys ``FeatureCache`` uses, and audio
digests come only from the digest memo (a file never hashed counts as not cached).
"""

from __future__ import annotations

import os
from pathlib import Path

from bench.cache import keys
from bench.cache.digests import DigestIndex
from bench.cache.feature_cache import FeatureCache, default_cache_dir
from bench.cache.identities import BackboneSpec, IdentityMemo, backbone_request


def _root(cache_dir) -> Path:
    return Path(cache_dir if cache_dir is not None else default_cache_dir()).expanduser().resolve()


def backbone_spec(name: str, cache_dir=None, dtype=None) -> BackboneSpec | None:
    """The backbone's identity, depth and width if this cache has built it before."""
    try:
        return IdentityMemo(_root(cache_dir) / "backbones").get(backbone_request(str(name), None, dtype, {}))
    except Exception:  # noqa: BLE001 - an unknown backbone is reported by the plan's name check
        return None


def cached_count(paths: list[str], request) -> int | None:
    """How many of ``paths`` have both features and a speech mask in the cache."""
    import bench.vad
    from bench.cache.extract import resolve_layers

    root = _root(request.cache_dir)
    spec = backbone_spec(str(request.backbone), request.cache_dir, request.dtype)
    if spec is None:
        return 0 if not root.is_dir() else None
    prep = keys.preprocessing(request.max_duration)
    chosen = resolve_layers(request.layers, spec.num_layers)
    vad, vad_options = request.vad, request.vad_options
    features = root / "features" / keys.short_digest(keys.features_description(spec.identity, chosen, prep))
    masks = (
        root / "masks" / keys.short_digest(keys.mask_description(bench.vad.create(vad, **vad_options).identity, prep))
    )
    index = DigestIndex(root / "digests")
    count = 0
    for path in paths:
        try:
            digest = index.remembered(path)
        except OSError:
            continue
        if (
            digest
            and os.path.exists(FeatureCache.entry_path(features, digest))
            and os.path.exists(FeatureCache.entry_path(masks, digest))
        ):
            count += 1
    return count
