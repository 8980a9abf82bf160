"""Keys change exactly when something that changes the numbers changes."""

import os

import pytest

from bench.cache import keys
from bench.cache.digests import DigestIndex, sha256_file
import bench.vad

IDENTITY = {
    "backbone": "wavlm-large",
    "hub_id": "microsoft/wavlm-large",
    "revision": "abc",
    "dtype": "float32",
    "input_normalize": True,
}


def test_features_key_follows_every_keyed_input():
    prep = keys.preprocessing(None)
    base = keys.features_key(IDENTITY, [0, 6, 12], prep)
    assert keys.features_key(dict(reversed(list(IDENTITY.items()))), [0, 6, 12], keys.preprocessing(None)) == base
    changed = [
        keys.features_key(IDENTITY, [0, 6], prep),
        keys.features_key(IDENTITY, [12, 6, 0], prep),  # stored order differs
        keys.features_key({**IDENTITY, "dtype": "float16"}, [0, 6, 12], prep),
        keys.features_key({**IDENTITY, "revision": "def"}, [0, 6, 12], prep),
        keys.features_key({**IDENTITY, "input_normalize": False}, [0, 6, 12], prep),
        keys.features_key(IDENTITY, [0, 6, 12], keys.preprocessing(10.0)),
        keys.features_key(IDENTITY, [0, 6, 12], keys.preprocessing(11.0)),
    ]
    assert len({base, *changed}) == len(changed) + 1
    assert keys.preprocessing(10) == keys.preprocessing(10.0)


def test_mask_key_follows_vad_identity_and_preprocessing():
    prep = keys.preprocessing(None)
    base = keys.mask_key(bench.vad.create("webrtc").identity, prep)
    assert keys.mask_key(bench.vad.create("webrtc", aggressiveness="3").identity, prep) == base
    others = {
        keys.mask_key(bench.vad.create("webrtc", aggressiveness=2).identity, prep),
        keys.mask_key(bench.vad.create("webrtc", min_speech_ms=100).identity, prep),
        keys.mask_key(bench.vad.create("silero").identity, prep),
        keys.mask_key(bench.vad.create("webrtc").identity, keys.preprocessing(5.0)),
    }
    assert base not in others and len(others) == 4


def test_bad_max_duration_is_refused():
    with pytest.raises(ValueError, match="positive"):
        keys.preprocessing(0)


def test_digest_follows_bytes_and_is_memoised(tmp_path):
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"RIFF" + bytes(range(200)))
    index = DigestIndex(tmp_path / "digests")
    first = index.digest(audio)
    assert first == sha256_file(audio) and index.hashed == 1
    assert DigestIndex(tmp_path / "digests").digest(audio) == first  # from the memo
    again = DigestIndex(tmp_path / "digests")
    again.digest(audio)
    assert again.hashed == 0
    audio.write_bytes(b"RIFF" + bytes(range(1, 201)))  # same size, new bytes and mtime
    os.utime(audio, ns=(audio.stat().st_atime_ns, audio.stat().st_mtime_ns + 10**9))
    changed = DigestIndex(tmp_path / "digests")
    assert changed.digest(audio) != first and changed.hashed == 1
    copy = tmp_path / "b.wav"
    copy.write_bytes(audio.read_bytes())
    assert index.digest(copy) == changed.digest(audio)  # content, not path
