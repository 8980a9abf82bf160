import json

import numpy as np
import pytest
import torch

import backbones
from backbones.precision import resolve_dtype
from bench.audio import num_frames
from bench.errors import BenchError, UnknownNameError
from backbone_waves import TINY, make_waves

HUB_NAMES = [
    "wavlm-large",
    "wavlm-base-plus",
    "wavlm-base",
    "hubert-large",
    "hubert-base",
    "wav2vec2-large-lv60",
    "wav2vec2-base",
    "xlsr-53",
    "data2vec-audio-large",
    "data2vec-audio-base",
]
LENGTHS = [400, 719, 720, 16000 + 123, 399, 5000]


def test_names_hold_every_entry():
    assert set(HUB_NAMES + TINY + ["fbank", "fbank-cmn"]) <= set(backbones.names())


def test_unknown_name_lists_valid_names_and_mentions_folders():
    with pytest.raises(UnknownNameError) as info:
        backbones.create("wavlm-hyper")
    message = str(info.value)
    assert "wavlm-large" in message and "tiny-wavlm" in message and "fbank" in message
    assert "local folder" in message


@pytest.mark.parametrize("name", TINY + ["fbank", "fbank-cmn"])
def test_every_cheap_backbone_runs_on_the_frame_grid(name, tiny_backbones):
    backbone = tiny_backbones.get(name) or backbones.create(name)
    feats = backbone.extract(make_waves(LENGTHS))
    for n, f in zip(LENGTHS, feats):
        assert f.dtype == np.float32
        assert f.shape == (backbone.num_layers, num_frames(n), backbone.hidden_size)
        assert np.isfinite(f).all()
    json.dumps(backbone.identity)  # identities are cache keys: plain JSON
    assert backbone.identity["dtype"] == "float32"


@pytest.mark.parametrize("name", TINY)
def test_model_conv_arithmetic_matches_grid(name, tiny_backbones):
    lengths = [400, 719, 720, 1039, 1040, 16000 + 123, 48_000]
    assert tiny_backbones[name].output_frames(lengths) == [num_frames(n) for n in lengths]


def test_tiny_variants_are_deterministic(tiny_backbones):
    again = backbones.create("tiny-hubert", device="cpu")
    wave = make_waves([3000])
    np.testing.assert_array_equal(again.extract(wave)[0], tiny_backbones["tiny-hubert"].extract(wave)[0])
    assert again.identity == tiny_backbones["tiny-hubert"].identity


def test_bad_layers_are_refused(tiny_backbones):
    with pytest.raises(BenchError, match="0..2"):
        tiny_backbones["tiny-wavlm"].extract(make_waves([800]), layers=[3])


def test_dtype_and_device_rules():
    cpu = torch.device("cpu")
    assert resolve_dtype(None, cpu) == torch.float32
    assert resolve_dtype(None, torch.device("cuda")) == torch.float16
    assert resolve_dtype("bf16", cpu) == torch.bfloat16
    with pytest.raises(BenchError):
        resolve_dtype("int8", cpu)
    backbone = backbones.create("tiny-wav2vec2", device="cpu", dtype="bf16")
    assert backbone.identity["dtype"] == "bfloat16"
    assert backbone.extract(make_waves([1000]))[0].dtype == np.float32
