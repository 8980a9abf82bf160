"""The feature cache: backbone hidden states and VAD masks on disk, keyed by what changes them.

    request = FeatureRequest("wavlm-large", vad="webrtc", vad_options={}, layers="all", cache_dir=...)
    store = bench.cache.extract_corpus(manifest, request)
    feats, speech = store.load(utt_id)      # float16 memmap [L, T, D], bool [T]

    cache = FeatureCache(root)              # lower level: look-ups and atomic writes by key

See docs/cache.md for the key scheme, the layout on disk, atomicity and resuming.
"""

from bench.cache.extract import FeatureRequest, extract_corpus, resolve_layers
from bench.cache.feature_cache import FeatureCache, default_cache_dir
from bench.cache.store import FeatureStore

__all__ = ["FeatureCache", "FeatureRequest", "FeatureStore", "default_cache_dir", "extract_corpus", "resolve_layers"]
