"""Reading and writing entries: float16 memmaps, atomic writes, stale temp files."""

import os
import subprocess
import sys

import numpy as np
import pytest

from bench.cache import FeatureCache, keys
from bench.cache.atomic import TEMP_PREFIX, atomic_save_npy, clean_stale_temps

IDENTITY = {"backbone": "test", "dtype": "float32"}
PREP = keys.preprocessing(None)
DIGEST = "ab" + "0" * 62


def test_features_round_trip_as_float16_memmap(tmp_path):
    cache = FeatureCache(tmp_path)
    assert cache.features(IDENTITY, [0, 1], PREP, DIGEST) is None
    feats = np.random.default_rng(0).normal(0, 3, (2, 17, 8)).astype(np.float32)
    folder = cache.features_dir(IDENTITY, [0, 1], PREP)
    assert cache.put_features(folder, DIGEST, feats) == feats.size * 2
    got = cache.features(IDENTITY, [0, 1], PREP, DIGEST)
    assert isinstance(got, np.memmap) and got.dtype == np.float16 and got.shape == (2, 17, 8)
    assert not got.flags.writeable
    np.testing.assert_allclose(got, feats, rtol=1e-3, atol=1e-3)
    assert cache.features(IDENTITY, [0], PREP, DIGEST) is None  # other layers, other key
    assert (folder / "key.json").is_file()


def test_speech_mask_round_trip(tmp_path):
    cache = FeatureCache(tmp_path)
    vad_identity = {"name": "energy"}
    mask = np.array([0, 1, 1, 0], dtype=bool)
    cache.put_speech_mask(cache.masks_dir(vad_identity, PREP), DIGEST, mask)
    assert cache.speech_mask(vad_identity, PREP, DIGEST).tolist() == mask.tolist()
    assert cache.speech_mask({"name": "webrtc"}, PREP, DIGEST) is None


def test_features_beyond_float16_are_refused(tmp_path):
    cache = FeatureCache(tmp_path)
    with pytest.raises(OverflowError):
        cache.put_features(cache.features_dir(IDENTITY, [0], PREP), DIGEST, np.full((1, 2, 2), 1e6, np.float32))


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temp_file_of_killed_writer_is_ignored_and_cleaned(tmp_path):
    import socket

    cache = FeatureCache(tmp_path)
    folder = cache.features_dir(IDENTITY, [0], PREP)
    final = cache.entry_path(folder, DIGEST)
    final.parent.mkdir(parents=True)
    host = socket.gethostname().replace(".", "_")
    dead = final.with_name(f"{TEMP_PREFIX}{host}.{_dead_pid()}.1234abcd.{final.name}")
    dead.write_bytes(b"\x93NUMPY half a header")  # what SIGKILL mid-write leaves
    alive = final.with_name(f"{TEMP_PREFIX}{host}.{os.getpid()}.5678abcd.{final.name}")
    alive.write_bytes(b"being written")
    other_host = final.with_name(f"{TEMP_PREFIX}elsewhere.1.0000abcd.{final.name}")
    other_host.write_bytes(b"another node's writer")
    assert cache.features(IDENTITY, [0], PREP, DIGEST) is None  # readers never see temp files
    assert clean_stale_temps(cache.root) == 1
    assert not dead.exists() and alive.exists() and other_host.exists()
    old = os.path.getmtime(other_host) - 2 * 24 * 3600
    os.utime(other_host, (old, old))
    assert cache.clean() == 1 and not other_host.exists()


def test_atomic_save_leaves_only_the_final_file(tmp_path):
    target = tmp_path / "x" / "entry.npy"
    atomic_save_npy(target, np.arange(5, dtype=np.float16))
    atomic_save_npy(target, np.arange(6, dtype=np.float16))  # replacing is atomic too
    assert [p.name for p in target.parent.iterdir()] == ["entry.npy"]
    assert np.load(target).tolist() == list(range(6))
