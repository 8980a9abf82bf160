"""Padding invariance, layer selection against the model's own hidden states, input normalisation."""

import numpy as np
import pytest
import torch

from backbones.batching import plan_batches
from backbones.transformer import zero_mean_unit_var
from backbone_waves import TINY, make_waves

MIXED = [16000 + 123, 9001, 720, 4000, 400, 4000, 9001]


@pytest.mark.parametrize("name", TINY)
def test_batched_equals_one_at_a_time(name, tiny_backbones):
    backbone = tiny_backbones[name]
    waves = make_waves(MIXED, seed=1)
    batched = backbone.extract(waves)
    for wave, got in zip(waves, batched):
        alone = backbone.extract([wave])[0]
        np.testing.assert_allclose(got, alone, atol=1e-4, rtol=1e-4)


def test_group_norm_batches_hold_one_length(tiny_backbones, monkeypatch):
    backbone = tiny_backbones["tiny-wav2vec2-gn"]
    seen = []
    original = backbone._forward
    monkeypatch.setattr(
        backbone, "_forward", lambda waves, layers: seen.append([len(w) for w in waves]) or original(waves, layers)
    )
    backbone.extract(make_waves(MIXED))
    assert all(len(set(batch)) == 1 for batch in seen)
    assert sorted(n for batch in seen for n in batch) == sorted(MIXED)
    assert any(len(batch) > 1 for batch in seen)


def test_group_norm_encoder_really_is_padding_sensitive(tiny_backbones):
    """Why group-norm models get equal-length batches: zero padding changes the valid frames."""
    model = tiny_backbones["tiny-wav2vec2-gn"].model
    wave = torch.from_numpy(make_waves([4000])[0])[None]
    padded = torch.cat([wave, torch.zeros(1, 4000)], dim=1)
    with torch.inference_mode():
        alone = model(wave).last_hidden_state
        with_pad = model(padded).last_hidden_state[:, : alone.shape[1]]
    assert (alone - with_pad).abs().max() > 1e-3


@pytest.mark.parametrize("name", TINY)
def test_layer_selection_matches_model_hidden_states(name, tiny_backbones):
    backbone = tiny_backbones[name]
    wave = make_waves([6000], seed=2)[0]
    with torch.inference_mode():
        out = backbone.model(torch.from_numpy(wave)[None], output_hidden_states=True)
    reference = [h[0].numpy() for h in out.hidden_states[:-1]] + [out.last_hidden_state[0].numpy()]
    for layers in ([0], [2], [2, 0], [1, 2]):
        got = backbone.extract([wave], layers=layers)[0]
        assert got.shape[0] == len(layers)
        for k, layer in enumerate(layers):
            np.testing.assert_allclose(got[k], reference[layer], atol=1e-5)
    if not getattr(backbone.model.config, "do_stable_layer_norm", False):  # post-norm (data2vec-audio always)
        np.testing.assert_allclose(out.hidden_states[-1].numpy(), out.last_hidden_state.numpy(), atol=1e-6)


def test_normalised_input_matches_transformers_feature_extractor():
    from transformers import Wav2Vec2FeatureExtractor

    wave = make_waves([5000], seed=3)[0] * 0.2 + 0.01
    extractor = Wav2Vec2FeatureExtractor(do_normalize=True, return_attention_mask=True)
    reference = extractor(wave, sampling_rate=16000, return_tensors="np").input_values[0]
    np.testing.assert_allclose(zero_mean_unit_var(wave), reference, atol=1e-5)


def test_normalising_backbone_is_padding_invariant(tiny_backbones):
    backbone = tiny_backbones["tiny-wavlm"]
    backbone.normalize = True
    try:
        waves = make_waves([8000, 3000], seed=4)
        batched = backbone.extract(waves)
        np.testing.assert_allclose(batched[1], backbone.extract([waves[1]])[0], atol=1e-4)
        plain = backbone.model(torch.from_numpy(zero_mean_unit_var(waves[1]))[None]).last_hidden_state
        np.testing.assert_allclose(batched[1][-1], plain[0].detach().numpy(), atol=1e-4)
    finally:
        backbone.normalize = False


def test_plan_batches_covers_everything_within_the_cap():
    lengths = [100, 5000, 300, 5000, 2500, 9000, 10]
    plan = plan_batches(lengths, max_samples=10_000)
    assert sorted(i for b in plan for i in b) == list(range(len(lengths)))
    for batch in plan:
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= 10_000
    equal = plan_batches(lengths, max_samples=10_000, equal_length_only=True)
    assert all(len({lengths[i] for i in b}) == 1 for b in equal)
    assert [1, 3] in equal
