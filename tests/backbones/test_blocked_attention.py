"""WavLM's attention in blocks of queries (long utterances) equals transformers' own attention,
with and without padding, in both WavLM encoder variants, and never holds a [B*H, T, T] bias."""

import numpy as np
import pytest
import torch

import backbones
import backbones.blocked_attention as blocked
from backbones.tiny import tiny_config, tiny_model
from backbones.transformer import TransformersBackbone


def _waves():
    rng = np.random.default_rng(7)
    return [(rng.normal(size=n) * 0.1).astype(np.float32) for n in (16000 * 3, 16000 * 2 + 555)]


@pytest.mark.parametrize("stable_layer_norm", [True, False])  # WavLM-Large-like and Base-like encoders
@pytest.mark.parametrize("rows", [1, 13, 60])
def test_blocked_wavlm_equals_the_whole_attention(monkeypatch, stable_layer_norm, rows):
    config = tiny_config("wavlm", "layer", stable_layer_norm)
    backbone = TransformersBackbone(
        "t", tiny_model(config), {}, normalize=False, device=torch.device("cpu"), dtype=torch.float32
    )
    waves = _waves()
    monkeypatch.setattr(blocked, "SCORE_BLOCK_ELEMENTS", 10**12)  # everything fits: transformers' own code
    whole = backbone.extract(waves)
    longest = max(backbone.output_frames([len(w) for w in waves]))
    monkeypatch.setattr(blocked, "SCORE_BLOCK_ELEMENTS", len(waves) * config.num_attention_heads * longest * rows)
    calls = []
    real_rows = blocked._LazyPositionBias.rows
    monkeypatch.setattr(blocked._LazyPositionBias, "rows", lambda self, *a: calls.append(a) or real_rows(self, *a))
    got = backbone.extract(waves)
    assert len(calls) >= config.num_hidden_layers * -(-longest // rows)  # it really ran in blocks
    for a, b in zip(got, whole):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_other_families_keep_their_attention():
    hubert = backbones.create("tiny-hubert")
    assert not blocked.use_blocked_attention(hubert.model)
    assert hubert.model.config._attn_implementation == "sdpa"  # linear-memory kernels already
