"""``extract_corpus``: fill the cache for one manifest and return the FeatureStore that reads it.

Order of work: digest every audio file (memoised), look every utterance up in the cache, and only
if features are missing build the backbone; then load the missing utterances longest first in
chunks of about ``chunk_seconds`` of audio, run the VAD and ``Backbone.extract`` on each chunk
and write each entry atomically as soon as its chunk is done. A killed run loses at most one chunk.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

import bench.vad
from bench.audio import SAMPLE_RATE, load_audio, num_frames
from bench.cache import keys
from bench.cache.digests import DigestIndex
from bench.cache.feature_cache import FeatureCache
from bench.cache.identities import BackboneSpec, IdentityMemo, backbone_request
from bench.cache.integrity import discard
from bench.cache.store import FeatureStore
from bench.datasets.base import Skipped
from bench.errors import AudioError, BenchError
from bench.manifest import read_manifest
from bench.memory import is_out_of_memory, out_of_memory_detail, release_cached_memory


@dataclass
class _Utterance:
    id: str
    path: str
    seconds: float  # expected input length after truncation (for sorting only)
    digest: str = ""


class _LazyBackbone:
    """The backbone, built only when first needed; its spec comes from the memo when possible."""

    def __init__(self, backbone, cache: FeatureCache, device, dtype, options):
        self.instance = None if isinstance(backbone, (str, Path)) else backbone
        self.name, self.device, self.dtype, self.options = str(backbone), device, dtype, options or {}
        self.memo = IdentityMemo(cache.root / "backbones")
        self.request = backbone_request(self.name, device, dtype, self.options) if self.instance is None else None
        self.built = False

    def spec(self) -> BackboneSpec:
        if self.instance is None:
            remembered = self.memo.get(self.request)
            if remembered is not None:
                return remembered
        return BackboneSpec.of(self.get())

    def get(self):
        if self.instance is None:
            import backbones

            self.instance = backbones.create(self.name, device=self.device, dtype=self.dtype, **self.options)
            self.memo.put(self.request, BackboneSpec.of(self.instance))
            self.built = True
        return self.instance


def resolve_layers(layers, num_layers: int) -> list[int]:
    """None, "all" or an iterable of ints / a "0,6,12" string -> checked list of hidden-state indices."""
    if layers is None or layers == "all":
        return list(range(num_layers))
    if isinstance(layers, str):
        try:
            layers = [int(x) for x in layers.split(",") if x.strip()]
        except ValueError:
            raise BenchError(f"layers {layers!r}: expected comma-separated integers like 0,6,12 or 'all'") from None
    chosen = [int(i) for i in layers]
    bad = [i for i in chosen if not 0 <= i < num_layers]
    if bad or not chosen or len(set(chosen)) != len(chosen):
        raise BenchError(
            f"layers {chosen} are not valid: the backbone has {num_layers} hidden states numbered "
            f"0..{num_layers - 1}; give distinct indices or 'all'"
        )
    return chosen


def _audio_reason(exc: AudioError) -> str:
    """'unreadable audio file x: ...' -> 'unreadable audio' (the short key reports count by)."""
    return str(exc).split(" audio file")[0].split(":")[0].strip() + " audio"


def _utterances(frame: pd.DataFrame, max_duration: float | None) -> list[_Utterance]:
    out = []
    for row in frame.itertuples(index=False):
        seconds = float(row.duration) if isinstance(row.duration, (int, float)) and math.isfinite(row.duration) else 0.0
        out.append(_Utterance(str(row.id), str(row.path), min(seconds, max_duration or math.inf)))
    return out


def _digest_all(utts, index: DigestIndex, skipped: dict, progress: bool) -> list[_Utterance]:
    from tqdm.auto import tqdm

    kept = []
    for utt in tqdm(utts, desc="hashing audio", unit="file", disable=None if progress else True, leave=False):
        try:
            utt.digest = index.digest(utt.path)
            kept.append(utt)
        except FileNotFoundError:
            skipped[utt.id] = Skipped(utt.id, "missing audio", f"missing audio file: {utt.path}")
        except OSError as exc:
            skipped[utt.id] = Skipped(utt.id, "unreadable audio", f"cannot read {utt.path}: {exc}")
    return kept


def _chunks(utts: list[_Utterance], chunk_seconds: float):
    """Longest first, consecutive groups of about ``chunk_seconds`` of audio."""
    chunk, total = [], 0.0
    for utt in sorted(utts, key=lambda u: (-u.seconds, u.id)):
        chunk.append(utt)
        total += utt.seconds
        if total >= chunk_seconds:
            yield chunk
            chunk, total = [], 0.0
    if chunk:
        yield chunk


def _load(utt: _Utterance, max_duration, skipped: dict) -> np.ndarray | None:
    try:
        wave = load_audio(utt.path, SAMPLE_RATE, max_duration)
    except AudioError as exc:
        skipped[utt.id] = Skipped(utt.id, _audio_reason(exc), str(exc))
        return None
    if num_frames(wave.size) == 0:
        skipped[utt.id] = Skipped(
            utt.id, "too short", f"{wave.size} samples at 16 kHz, fewer than one 25 ms frame (400)"
        )
        return None
    return wave


@dataclass(frozen=True)
class FeatureRequest:
    """What ``extract_corpus`` caches: which backbone and layers, which VAD and options, which truncation.

    backbone: registry name / checkpoint folder, or a built Backbone. layers: None or "all" (every
    hidden state), ints, or "0,6,12". vad, vad_options: see bench.vad. max_duration: seconds kept
    from the start of each file (None: all). cache_dir: None for the user cache folder.
    """

    backbone: object
    vad: str = "webrtc"
    vad_options: dict = field(default_factory=dict)
    layers: object = None
    max_duration: float | None = None
    cache_dir: object = None
    device: object = None
    dtype: object = None
    backbone_options: dict = field(default_factory=dict)


def extract_corpus(
    manifest, request: FeatureRequest, *, chunk_seconds: float = 60.0, progress: bool = True
) -> FeatureStore:
    """Make sure every utterance of ``manifest`` has cached features and a speech mask; return the store.

    manifest: DataFrame or manifest CSV path; request: what to extract (``FeatureRequest``).
    Unusable audio is skipped and reported in ``store.skipped``; ``store.report`` counts the work.
    """
    backbone, layers, vad, max_duration = request.backbone, request.layers, request.vad, request.max_duration
    start = time.perf_counter()
    frame = read_manifest(manifest) if isinstance(manifest, (str, Path)) else manifest
    cache = FeatureCache(request.cache_dir)
    detector = bench.vad.create(vad, **(request.vad_options or {}))
    prep = keys.preprocessing(max_duration)
    lazy = _LazyBackbone(backbone, cache, request.device, request.dtype, request.backbone_options)
    spec = lazy.spec()
    chosen = resolve_layers(layers, spec.num_layers)
    features_dir = cache.features_dir(spec.identity, chosen, prep)
    masks_dir = cache.masks_dir(detector.identity, prep)
    cache.clean(features_dir, masks_dir)

    skipped: dict[str, Skipped] = {}
    utts = _digest_all(_utterances(frame, max_duration), DigestIndex(cache.root / "digests"), skipped, progress)
    todo, damaged = {}, []
    for utt in utts:  # one entry per distinct audio content
        if utt.digest in todo:
            continue
        problems = cache.entry_problems(features_dir, masks_dir, utt.digest, len(chosen), spec.hidden_size)
        for folder, problem in zip((features_dir, masks_dir), problems):
            if problem not in (None, "missing"):  # truncated, wrong shape, checksum mismatch: make it again
                path = cache.entry_path(folder, utt.digest)
                discard(path)
                damaged.append({"id": utt.id, "entry": str(path.relative_to(cache.root)), "problem": problem})
        if any(problems):
            todo[utt.digest] = utt
    counts = _fill(
        list(todo.values()),
        lazy,
        chosen,
        detector,
        cache,
        features_dir,
        masks_dir,
        max_duration,
        chunk_seconds,
        skipped,
        progress,
    )

    failed = {u.digest: skipped[u.id] for u in todo.values() if u.id in skipped}  # shared by same-content files
    digests = {}
    for utt in utts:
        if utt.id not in skipped and utt.digest in failed:
            skipped[utt.id] = Skipped(utt.id, failed[utt.digest].reason, failed[utt.digest].detail)
        if utt.id not in skipped:
            digests[utt.id] = utt.digest
    report = {
        "utterances": len(frame),
        "cache_hits": len(utts) - sum(1 for u in utts if u.digest in todo),
        "damaged_entries_replaced": len(damaged),
        "damaged_entries": damaged,  # each made again: why
        **counts,
        "skipped": dict(Counter(s.reason for s in skipped.values())),
        "model_built": lazy.built,
        "disk_bytes": cache.disk_usage(features_dir, masks_dir),
        "seconds": round(time.perf_counter() - start, 3),
    }
    return FeatureStore(
        str(features_dir),
        str(masks_dir),
        digests,
        chosen,
        spec.hidden_size,
        skipped,
        spec.identity,
        detector.identity,
        prep,
        report,
    )


def _extract_or_skip(lazy, need: list, layers, skipped: dict):
    """Yield ((utterance, wave), features) for ``need``; on an out-of-memory error retry the
    utterances one at a time, and skip one that does not fit even alone (with a hint)."""
    if not need:
        return
    try:
        yield from zip(need, lazy.get().extract([w for _, w in need], layers))
        return
    except RuntimeError as exc:  # MemoryError is not a RuntimeError: caught below
        if not is_out_of_memory(exc):
            raise
    except MemoryError:
        pass
    release_cached_memory()
    for utt, wave in need:
        try:
            feats = lazy.get().extract([wave], layers)[0]
        except (RuntimeError, MemoryError) as exc:
            if not is_out_of_memory(exc):
                raise
            release_cached_memory()
            skipped[utt.id] = Skipped(utt.id, "out of memory", out_of_memory_detail(wave.size / SAMPLE_RATE))
            continue
        yield (utt, wave), feats


def _fill(
    todo, lazy, layers, detector, cache, features_dir, masks_dir, max_duration, chunk_seconds, skipped, progress
) -> dict:
    """Compute and store what ``todo`` lacks; returns counts of work done."""
    from tqdm.auto import tqdm

    counts = {"extracted": 0, "masks_computed": 0, "audio_seconds": 0.0}
    bar = tqdm(total=len(todo), desc="extracting", unit="utt", disable=None if progress and todo else True)
    for chunk in _chunks(todo, chunk_seconds):
        loaded = [(utt, wave) for utt in chunk if (wave := _load(utt, max_duration, skipped)) is not None]
        need = [(u, w) for u, w in loaded if not cache.entry_path(features_dir, u.digest).exists()]
        for (utt, wave), f in _extract_or_skip(lazy, need, layers, skipped):
            if f.shape[1] != num_frames(wave.size):  # a backbone bug: never cache misaligned frames
                raise RuntimeError(
                    f"backbone gave {f.shape[1]} frames for {wave.size} samples, the grid {num_frames(wave.size)}"
                )
            try:
                cache.put_features(features_dir, utt.digest, f)
                counts["extracted"] += 1
            except OverflowError as exc:
                skipped[utt.id] = Skipped(utt.id, "non-finite features", str(exc))
        for utt, wave in loaded:
            if utt.id in skipped:
                continue
            if not cache.entry_path(masks_dir, utt.digest).exists():
                cache.put_speech_mask(masks_dir, utt.digest, detector.speech_mask(wave, SAMPLE_RATE))
                counts["masks_computed"] += 1
            counts["audio_seconds"] += wave.size / SAMPLE_RATE
        bar.update(len(chunk))
    bar.close()
    counts["audio_seconds"] = round(counts["audio_seconds"], 3)
    return counts
