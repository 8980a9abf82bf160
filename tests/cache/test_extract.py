"""extract_corpus end to end with the fbank and tiny random backbones."""

import pickle

import numpy as np
import pytest

import backbones
import bench.vad
from bench.audio import load_audio, num_frames
from bench.cache import FeatureRequest, extract_corpus
from bench.errors import BenchError


def test_extracts_features_and_masks_and_skips_bad_audio(corpus, tmp_path, good_ids):
    manifest, _ = corpus
    store = extract_corpus(manifest, FeatureRequest("fbank", vad="energy", cache_dir=tmp_path / "c"), progress=False)
    assert store.ids == good_ids and store.layers == [0] and store.dim == 80 and store.num_layers == 1
    reasons = {k: v.reason for k, v in store.skipped.items()}
    assert reasons == {
        "missing": "missing audio",
        "junk": "unreadable audio",
        "empty": "empty audio",
        "short": "too short",
    }
    assert store.report["extracted"] == 6 and store.report["masks_computed"] == 6 and store.report["model_built"]
    assert store.report["skipped"] == {"missing audio": 1, "unreadable audio": 1, "empty audio": 1, "too short": 1}
    fbank = backbones.create("fbank")
    energy = bench.vad.create("energy")
    for utt_id, row in zip(good_ids, manifest.itertuples()):
        feats, speech = store.load(utt_id)
        wave = load_audio(row.path)
        assert feats.dtype == np.float16 and feats.shape == (1, num_frames(wave.size), 80)
        np.testing.assert_allclose(feats, fbank.extract([wave])[0], rtol=2e-3, atol=2e-2)
        assert np.array_equal(speech, energy.speech_mask(wave, 16_000))
    with pytest.raises(BenchError, match="too short"):
        store.load("short")


def test_second_run_is_a_hit_that_writes_nothing_and_builds_no_model(
    corpus, tmp_path, monkeypatch, good_ids, cache_files
):
    manifest, _ = corpus
    first = extract_corpus(
        manifest, FeatureRequest("tiny-wavlm", layers="0,2", vad="webrtc", cache_dir=tmp_path / "c"), progress=False
    )
    before = cache_files(tmp_path / "c")

    def refuse(*args, **kwargs):
        raise AssertionError("a cache hit must not build the backbone")

    monkeypatch.setattr(backbones, "create", refuse)
    second = extract_corpus(
        manifest, FeatureRequest("tiny-wavlm", layers=[0, 2], vad="webrtc", cache_dir=tmp_path / "c"), progress=False
    )
    assert cache_files(tmp_path / "c") == before
    assert second.report["cache_hits"] == 6 and second.report["extracted"] == 0 and not second.report["model_built"]
    assert second.ids == first.ids and second.layers == [0, 2] and second.dim == first.dim
    for utt_id in good_ids:
        assert np.array_equal(second.load(utt_id)[0], first.load(utt_id)[0])


def test_new_vad_options_compute_masks_only(corpus, tmp_path, monkeypatch):
    manifest, _ = corpus
    extract_corpus(manifest, FeatureRequest("fbank", vad="webrtc", cache_dir=tmp_path / "c"), progress=False)
    monkeypatch.setattr(backbones, "create", lambda *a, **k: pytest.fail("features were cached"))
    store = extract_corpus(
        manifest,
        FeatureRequest("fbank", vad="webrtc", vad_options={"aggressiveness": "1"}, cache_dir=tmp_path / "c"),
        progress=False,
    )
    assert store.report["extracted"] == 0 and store.report["masks_computed"] == 6
    assert store.vad_identity["aggressiveness"] == 1


def test_max_duration_truncates_and_keys_separately(corpus, tmp_path):
    manifest, _ = corpus
    full = extract_corpus(manifest, FeatureRequest("fbank", vad="none", cache_dir=tmp_path / "c"), progress=False)
    cut = extract_corpus(
        manifest, FeatureRequest("fbank", vad="none", cache_dir=tmp_path / "c", max_duration=1.0), progress=False
    )
    assert cut.features_dir != full.features_dir and cut.masks_dir != full.masks_dir
    assert cut.report["extracted"] == 6
    assert cut.load("u2")[0].shape[1] == num_frames(16_000) < full.load("u2")[0].shape[1]
    assert cut.load("u0")[1].shape == full.load("u0")[1].shape  # 0.5 s file: unchanged


def test_store_pickles_and_reads_in_another_process_shape(corpus, tmp_path, manifest_file):
    store = extract_corpus(manifest_file, FeatureRequest("fbank", vad="none", cache_dir=tmp_path / "c"), progress=False)
    blob = pickle.dumps(store)
    assert len(blob) < 10_000
    clone = pickle.loads(blob)
    assert clone.ids == store.ids and np.array_equal(clone.load("u1")[0], store.load("u1")[0])
    assert clone.frames("u1") == store.load("u1")[1].size


def test_bad_layers_and_names_are_clear(corpus, tmp_path):
    manifest, _ = corpus
    with pytest.raises(BenchError, match=r"numbered 0..0"):
        extract_corpus(
            manifest, FeatureRequest("fbank", layers=[3], vad="none", cache_dir=tmp_path / "c"), progress=False
        )
    with pytest.raises(BenchError, match="valid VADs"):
        extract_corpus(manifest, FeatureRequest("fbank", vad="nope", cache_dir=tmp_path / "c"), progress=False)
    with pytest.raises(BenchError, match="valid backbones"):
        extract_corpus(manifest, FeatureRequest("no-such-model", vad="none", cache_dir=tmp_path / "c"), progress=False)
