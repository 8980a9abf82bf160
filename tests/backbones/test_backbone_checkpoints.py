"""Local checkpoint folders and the offline error for hub models missing from the cache."""

import json
import shutil
import socket

import numpy as np
import pytest
import torch

import backbones
from backbone_waves import make_waves
from backbones.hub import MissingWeightsError
from bench.errors import BenchError


@pytest.fixture
def saved_tiny(tmp_path, tiny_backbones):
    folder = tmp_path / "tiny-ckpt"
    tiny_backbones["tiny-hubert"].model.save_pretrained(folder)
    return folder


def test_local_folder_loads_and_matches_the_saved_model(saved_tiny, tiny_backbones):
    local = backbones.create(str(saved_tiny), device="cpu")
    assert local.name == str(saved_tiny) and local.num_layers == 3 and local.hidden_size == 32
    assert local.identity["source"] == "local" and local.identity["model_type"] == "hubert"
    # layer-norm encoder and no preprocessor config: normalised input by default
    assert local.identity["input_normalize"] is True
    (saved_tiny / "preprocessor_config.json").write_text(json.dumps({"do_normalize": False}))
    local = backbones.create(str(saved_tiny), device="cpu")
    assert local.identity["input_normalize"] is False
    assert local.identity["normalize_source"] == "preprocessor_config.json"
    waves = make_waves([3000, 700])
    for got, want in zip(local.extract(waves), tiny_backbones["tiny-hubert"].extract(waves)):
        np.testing.assert_allclose(got, want, atol=1e-6)


def test_weight_digest_follows_the_weights(saved_tiny):
    identity = backbones.create(str(saved_tiny), device="cpu").identity
    first = identity["weights_sha256"]
    copy = shutil.copytree(saved_tiny, saved_tiny.parent / "moved")
    assert backbones.create(str(copy), device="cpu").identity == identity  # where it lies does not matter
    model = backbones.create("tiny-hubert", device="cpu").model
    with torch.no_grad():
        model.encoder.layers[0].feed_forward.output_dense.bias.add_(0.5)
    model.save_pretrained(saved_tiny)
    assert backbones.create(str(saved_tiny), device="cpu").identity["weights_sha256"] != first


def test_folder_without_config_is_refused(saved_tiny):
    (saved_tiny / "config.json").unlink()
    with pytest.raises(BenchError, match="no config.json"):
        backbones.create(str(saved_tiny))


def test_folder_without_weights_is_refused(saved_tiny):
    for f in saved_tiny.glob("*.safetensors"):
        f.unlink()
    with pytest.raises(BenchError, match="no weights file"):
        backbones.create(str(saved_tiny))


def test_missing_path_is_refused(tmp_path):
    with pytest.raises(BenchError, match="neither a registered backbone name nor an existing folder"):
        backbones.create(str(tmp_path / "nowhere"))


def test_offline_missing_hub_model_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)

    def no_network(*args, **kwargs):
        raise AssertionError("the network was tried in offline mode")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    with pytest.raises(MissingWeightsError) as info:
        backbones.create("wavlm-large", device="cpu")
    message = str(info.value)
    assert "microsoft/wavlm-large" in message and "wavlm-large" in message
    assert str(tmp_path / "hf" / "hub") in message
    assert "download microsoft/wavlm-large --revision" in message
    assert "local checkpoint folder" in message


def test_offline_cached_hub_model_loads_from_the_cache(tmp_path, monkeypatch, tiny_backbones):
    """A hub entry found in the HF cache loads offline; identity records the snapshot commit."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hf" / "hub" / "models--microsoft--wavlm-large"
    snapshot = repo / "snapshots" / commit
    tiny_backbones["tiny-wavlm"].model.save_pretrained(snapshot)
    (snapshot / "preprocessor_config.json").write_text(json.dumps({"do_normalize": False}))
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setattr(socket.socket, "connect", lambda *a, **k: pytest.fail("network tried"))
    backbone = backbones.create("wavlm-large", device="cpu")
    identity = backbone.identity
    assert identity["hub_id"] == "microsoft/wavlm-large" and identity["revision"] == "main"
    assert identity["commit"] == commit
    assert identity["input_normalize"] is False and identity["normalize_source"] == "preprocessor_config.json"
    wave = make_waves([2000])
    np.testing.assert_allclose(backbone.extract(wave)[0], tiny_backbones["tiny-wavlm"].extract(wave)[0], atol=1e-6)
