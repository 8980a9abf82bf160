"""Damaged cache entries are never used: truncated, flipped or misshapen entries are caught by the
next extraction (or, damaged after it, on load), removed, and made again with the same numbers; a
job that hit one fails naming it and the same command, run again, re-extracts it and reruns the job."""

import os

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

import bench.cache.integrity as integrity
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
        rows.append(
            {
                "id": f"u{i}",
                "path": str(path),
                "speaker": "s",
                "label": "neutral",
                "duration": seconds,
                "sample_rate": 16_000,
            }
        )
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
        data[-1] ^= 0xFF  # same size, the last byte of the data (never the header) changed
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


@pytest.mark.parametrize("which", ["features", "mask"])
def test_extraction_replaces_an_entry_with_flipped_bytes_and_says_why(manifest, reference, tmp_path, which):
    store, original = reference
    path = store.feature_path("u1") if which == "features" else store.mask_path("u1")
    _damage(path, "flipped")
    again = _extract(manifest, tmp_path / "cache")
    (damaged,) = again.report["damaged_entries"]
    assert damaged["id"] == "u1" and damaged["problem"].startswith("checksum mismatch")
    assert damaged["entry"].endswith(path.name) and again.report["damaged_entries_replaced"] == 1
    assert again.report["extracted" if which == "features" else "masks_computed"] == 1
    for utt_id, feats in original.items():
        np.testing.assert_array_equal(again.load(utt_id)[0], feats)


def test_an_unchanged_cache_is_checked_without_reading_its_entries(manifest, reference, tmp_path, monkeypatch):
    """The checksum of an entry is read again only when the file changed (size, mtime, ctime, inode)."""
    store, _ = reference
    hashed = []
    real = integrity._file_sha256
    monkeypatch.setattr(integrity, "_file_sha256", lambda path: hashed.append(path.name) or real(path))
    monkeypatch.setattr(integrity, "_verified", set())  # as in a new process
    assert _extract(manifest, tmp_path / "cache").report["damaged_entries_replaced"] == 0 and hashed == []
    os.utime(store.feature_path("u2"))  # touched, bytes unchanged: hashed once, kept, stamped again
    again = _extract(manifest, tmp_path / "cache")
    assert hashed == [store.feature_path("u2").name] and again.report["extracted"] == 0
    monkeypatch.setattr(integrity, "_verified", set())
    _extract(manifest, tmp_path / "cache")
    assert hashed == [store.feature_path("u2").name]


def test_a_job_that_hits_a_damaged_entry_fails_naming_it_and_the_same_command_recovers(
    tiny_manifest, tmp_path, monkeypatch, capsys
):
    import bench.runner.run as run
    from runner_fixtures import numbers, run_cli, tiny_config

    sets = ("folds=0,1",)
    reference = run.run_grid(
        tiny_config(tiny_manifest, tmp_path / "clean", ("poolers=gap",), sets), tmp_path / "ref", echo=lambda *_: None
    )
    command = [
        "run",
        "--manifest",
        str(tiny_manifest),
        "--backbone",
        "fbank",
        "--vad",
        "energy",
        "--grid",
        "poolers=gap",
        "--out",
        str(tmp_path / "run"),
    ]
    for item in ("epochs=3", "batch_size=8", "min_steps=0", "probes=false", *sets, f"cache_dir={tmp_path / 'cache'}"):
        command += ["--set", item]
    extract, damaged = run.extract_features, []

    def extract_then_damage(plan, echo):  # bytes flipped after extraction checked them, before any job reads them
        stores = extract(plan, echo)
        store = next(iter(stores.values()))
        damaged.append(store.feature_path(store.ids[0]))
        _damage(damaged[0], "flipped")
        return stores

    monkeypatch.setattr(run, "extract_features", extract_then_damage)
    rc, _, err = run_cli(capsys, *command)
    assert rc == 1 and "2 of 2 job(s) failed on damaged cache entries" in err and "--retry-failed" not in err
    errors = pd.read_csv(tmp_path / "run" / "results.csv")["error"].tolist()  # the utterance is in both folds
    assert any(str(damaged[0]) in e and "checksum mismatch" in e for e in errors)
    assert all("run the same command again: it re-extracts the entry" in e for e in errors)
    monkeypatch.setattr(run, "extract_features", extract)
    rc, out, err = run_cli(capsys, *command)  # the same command, no --retry-failed
    assert rc == 0 and "0 already done, 2 to run" in out + err
    results = pd.read_csv(tmp_path / "run" / "results.csv")
    pd.testing.assert_frame_equal(numbers(results), numbers(reference.results))
    ours, theirs = (pd.read_csv(r / "predictions.csv") for r in (tmp_path / "run", reference.run_dir))
    pd.testing.assert_frame_equal(
        ours.sort_values(["job", "id"]).reset_index(drop=True), theirs.sort_values(["job", "id"]).reset_index(drop=True)
    )
