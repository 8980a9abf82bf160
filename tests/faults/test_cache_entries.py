"""Damaged cache entries are never used: truncated, flipped or misshapen entries are caught on
load or on the next extraction, removed, and made again with the same numbers."""

import numpy as np
import pytest
import soundfile as sf

from bench.cache import FeatureRequest, extract_corpus
from bench.cache.integrity import checksum_path
from bench.cache.store import CorruptCacheEntry
from bench.manifest import make_manifest
from cache_audio import voiced


@pytest.fixture
def manifest(tmp_path):
    rows = []
    for i, seconds in enumerate([0.8, 1.3, 0.6]):
        path = tmp_path / f"u{i}.wav"
        sf.write(path, voiced(seconds, i), 16_000)
        rows.append({"id": f"u{i}", "path": str(path), "speaker": "s", "label": "neutral", "duration": seconds,
                     "sample_rate": 16_000})
    return make_manifest(rows)


def _extract(manifest, cache):
    return extract_corpus(manifest, FeatureRequest("fbank", vad="energy", cache_dir=cache), progress=False)


@pytest.fixture
def reference(manifest, tmp_path):
    store = _extract(manifest, tmp_path / "cache")
    return store, {u: np.array(store.load(u)[0]) for u in store.ids}


def _damage(path, how):
    data = bytearray(path.read_bytes())
    if how == "truncated":
        path.write_bytes(bytes(data[: len(data) - 100]))
    elif how == "flipped":
        data[len(data) // 2] ^= 0xFF  # same size, one byte of the float16 data changed
        path.write_bytes(bytes(data))
    else:  # appended junk
        path.write_bytes(bytes(data) + b"\0" * 64)


@pytest.mark.parametrize("how", ["truncated", "flipped", "padded"])
def test_a_damaged_entry_fails_loudly_on_load_and_is_made_again(manifest, reference, tmp_path, how):
    store, original = reference
    path = store.feature_path("u1")
    _damage(path, how)
    with pytest.raises(CorruptCacheEntry, match="u1.*damaged.*run the same command again"):
        store.load("u1")
    assert not path.exists() and not checksum_path(path).exists()
    again = _extract(manifest, tmp_path / "cache")
    assert again.report["extracted"] == 1 and again.report["cache_hits"] == 2
    for utt_id, feats in original.items():
        np.testing.assert_array_equal(again.load(utt_id)[0], feats)


@pytest.mark.parametrize("how", ["truncated", "padded"])
def test_extraction_replaces_an_entry_of_the_wrong_size_before_any_job_reads_it(manifest, reference, tmp_path, how):
    store, original = reference
    _damage(store.mask_path("u2"), how)
    again = _extract(manifest, tmp_path / "cache")
    assert again.report["damaged_entries_replaced"] == 1 and again.report["masks_computed"] == 1
    np.testing.assert_array_equal(again.load("u2")[0], original["u2"])


def test_an_entry_of_another_shape_is_replaced(manifest, reference, tmp_path):
    store, original = reference
    path = store.feature_path("u0")
    np.save(path, np.zeros((2, 5, 80), np.float16))  # as if another layer selection had written it
    checksum_path(path).unlink()
    again = _extract(manifest, tmp_path / "cache")
    assert again.report["damaged_entries_replaced"] == 1 and again.report["masks_computed"] == 0
    np.testing.assert_array_equal(again.load("u0")[0], original["u0"])


def test_entries_written_before_checksums_are_adopted_without_reextraction(manifest, reference, tmp_path):
    store, _ = reference
    for utt_id in store.ids:
        checksum_path(store.feature_path(utt_id)).unlink()
    again = _extract(manifest, tmp_path / "cache")
    assert again.report["extracted"] == 0 and all(checksum_path(again.feature_path(u)).exists() for u in again.ids)
