"""Hub ids and @REVISION as backbone names, and the one-connection offline decision.

Every model comes from a fake Hugging Face cache in tmp_path (the real cache layout:
models--OWNER--NAME/refs/BRANCH and snapshots/COMMIT/); nothing is downloaded.
"""

import json
import socket

import numpy as np
import pytest

import backbones
from backbone_waves import make_waves
from backbones import hubcache
from backbones.hub import MissingWeightsError, hub_entry
from bench.errors import BenchError

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def cache_model(hf_home, hub_id, model, commit=COMMIT, branch="main"):
    """Save ``model`` as snapshot ``commit`` of ``hub_id`` in the cache under ``hf_home``; ``branch`` points at it.
    Its preprocessor config turns input normalisation off, as the tiny variants have it."""
    repo = hf_home / "hub" / f"models--{hub_id.replace('/', '--')}"
    model.save_pretrained(repo / "snapshots" / commit)
    (repo / "snapshots" / commit / "preprocessor_config.json").write_text(json.dumps({"do_normalize": False}))
    if branch:
        (repo / "refs").mkdir(parents=True, exist_ok=True)
        (repo / "refs" / branch).write_text(commit)
    return repo / "snapshots" / commit


@pytest.fixture
def hf_home(tmp_path, monkeypatch):
    """An empty HF cache; offline mode on unless a test turns it off."""
    home = tmp_path / "hf"
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for key in ("HF_HUB_CACHE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(key, raising=False)
    return home


@pytest.fixture
def unreachable_hub(monkeypatch):
    """Offline mode off, HF_ENDPOINT on a closed local port; counts connection attempts."""
    with socket.socket() as probe:  # a port nothing listens on: connections are refused at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    for key in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    attempts = []
    real = socket.socket.connect

    def counting(sock, address):
        attempts.append(address)
        return real(sock, address)

    monkeypatch.setattr(socket.socket, "connect", counting)  # every Python-level connection passes here
    return attempts


def test_hub_id_of_a_registered_entry_is_that_entry():
    assert hub_entry("microsoft/wavlm-large") == hub_entry("wavlm-large")
    pinned = hub_entry(f"microsoft/wavlm-large@{COMMIT}")
    assert (pinned.name, pinned.hub_id, pinned.revision) == (f"wavlm-large@{COMMIT}", "microsoft/wavlm-large", COMMIT)


def test_registered_hub_id_loads_from_the_cache_like_its_name(hf_home, tiny_backbones):
    cache_model(hf_home, "microsoft/wavlm-large", tiny_backbones["tiny-wavlm"].model)
    by_id = backbones.create("microsoft/wavlm-large", device="cpu")
    assert by_id.identity == backbones.create("wavlm-large", device="cpu").identity  # one cache entry, not two
    wave = make_waves([3000])
    np.testing.assert_allclose(by_id.extract(wave)[0], tiny_backbones["tiny-wavlm"].extract(wave)[0], atol=1e-6)


def test_revision_selects_that_snapshot(hf_home, tiny_backbones):
    other = "fedcba9876543210fedcba9876543210fedcba98"
    cache_model(hf_home, "microsoft/wavlm-large", tiny_backbones["tiny-wavlm"].model)  # main
    cache_model(hf_home, "microsoft/wavlm-large", tiny_backbones["tiny-hubert"].model, commit=other, branch=None)
    pinned = backbones.create(f"wavlm-large@{other}", device="cpu")
    assert pinned.identity["revision"] == other and pinned.identity["commit"] == other
    assert pinned.identity["model_type"] == "hubert"
    assert backbones.create("wavlm-large", device="cpu").identity["commit"] == COMMIT


@pytest.mark.parametrize("tiny", ["tiny-data2vec-audio", "tiny-wav2vec2-gn"])
def test_any_hub_id_of_a_supported_family_loads(hf_home, tiny_backbones, tiny):
    source = tiny_backbones[tiny]
    cache_model(hf_home, "someone/ser-model", source.model)
    backbone = backbones.create("someone/ser-model", device="cpu")
    assert backbone.identity["hub_id"] == "someone/ser-model"
    assert backbone.identity["model_type"] == source.model.config.model_type
    assert (backbone.num_layers, backbone.hidden_size) == (source.num_layers, source.hidden_size)
    assert (backbone.uses_attention_mask, backbone.pads_batches) == (source.uses_attention_mask, source.pads_batches)
    wave = make_waves([2500])
    np.testing.assert_allclose(backbone.extract(wave)[0], source.extract(wave)[0], atol=1e-6)


def test_hub_id_of_an_unsupported_family_is_refused(hf_home, tiny_backbones):
    snapshot = cache_model(hf_home, "someone/text-model", tiny_backbones["tiny-wavlm"].model)
    config = json.loads((snapshot / "config.json").read_text())
    (snapshot / "config.json").write_text(json.dumps({**config, "model_type": "bert"}))
    with pytest.raises(BenchError, match="model type 'bert'.*not supported.*data2vec-audio"):
        backbones.create("someone/text-model", device="cpu")


def test_hub_id_missing_offline_says_what_to_do(hf_home):
    with pytest.raises(MissingWeightsError) as info:
        backbones.create("someone/absent@v2", device="cpu")
    message = str(info.value)
    assert "someone/absent (revision v2)" in message and "HF_HUB_OFFLINE=1" in message
    assert "download someone/absent --revision v2" in message


def test_unreachable_hub_is_decided_by_one_connection_attempt(hf_home, unreachable_hub):
    with pytest.raises(MissingWeightsError) as info:
        backbones.create("microsoft/wavlm-large", device="cpu")
    assert "did not accept a connection" in str(info.value)
    assert len(unreachable_hub) == 1  # the check itself; huggingface_hub never tried


def test_unreachable_hub_still_loads_a_cached_model(hf_home, unreachable_hub, tiny_backbones):
    cache_model(hf_home, "microsoft/wavlm-base", tiny_backbones["tiny-wav2vec2-gn"].model)
    backbone = backbones.create("wavlm-base", device="cpu")
    assert backbone.identity["commit"] == COMMIT
    assert len(unreachable_hub) == 1


def test_hub_address_follows_endpoint_and_proxy(monkeypatch):
    for key in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "https://hf-mirror.example.org")
    assert hubcache.hub_address() == ("hf-mirror.example.org", 443)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.org:3128")
    assert hubcache.hub_address() == ("proxy.example.org", 3128)


def test_unknown_name_points_at_bench_list_and_hub_ids():
    with pytest.raises(BenchError, match="hub id.*bench list backbones"):
        backbones.create("wavlm-hyper")
