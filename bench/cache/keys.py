"""Cache keys: a short sha256 of the canonical JSON of everything that changes the numbers.

Features are keyed by (backbone identity, selected layers, preprocessing) -> a folder, and the
audio content digest -> a file in it. Speech masks by (VAD identity, preprocessing) and the
audio digest. See docs/cache.md.
"""

from __future__ import annotations

import hashlib
import json

from bench.audio import SAMPLE_RATE

FORMAT_VERSION = 1  # bump when the on-disk layout or file format changes
KEY_CHARS = 20  # 80 bits of sha256: collisions are not a practical concern


def canonical_json(obj) -> str:
    """Stable JSON: sorted keys, no spaces, floats as repr; raises TypeError for non-JSON values."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)


def short_digest(obj) -> str:
    """First KEY_CHARS hex digits of sha256(canonical_json(obj))."""
    return hashlib.sha256(canonical_json(obj).encode()).hexdigest()[:KEY_CHARS]


def preprocessing(max_duration: float | None) -> dict:
    """How audio becomes the model input: rate, resampler, channel mixing, truncation (seconds or None)."""
    if max_duration is not None:
        max_duration = float(max_duration)
        if not max_duration > 0:
            raise ValueError(f"max_duration must be positive seconds or None, got {max_duration}")
    return {
        "sample_rate": SAMPLE_RATE,
        "resampler": "scipy.resample_poly",
        "mono": "mean",
        "max_duration": max_duration,
    }


def features_description(backbone_identity: dict, layers, preprocessing: dict) -> dict:
    """What a features folder holds (written beside it as key.json)."""
    return {
        "kind": "features",
        "format": FORMAT_VERSION,
        "backbone": backbone_identity,
        "layers": [int(i) for i in layers],
        "preprocessing": preprocessing,
        "dtype": "float16",
    }


def mask_description(vad_identity: dict, preprocessing: dict) -> dict:
    """What a speech-mask folder holds (written beside it as key.json)."""
    return {"kind": "speech_mask", "format": FORMAT_VERSION, "vad": vad_identity, "preprocessing": preprocessing}


def features_key(backbone_identity: dict, layers, preprocessing: dict) -> str:
    return short_digest(features_description(backbone_identity, layers, preprocessing))


def mask_key(vad_identity: dict, preprocessing: dict) -> str:
    return short_digest(mask_description(vad_identity, preprocessing))
